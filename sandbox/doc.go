// Package sandbox is an in-process emulator of the SoftwareOne Marketplace
// Platform API, limited to what the apitoken wizard talks to: API tokens,
// the module catalogue and accounts.
//
// It is the other side of the wire from package apiclient and deliberately
// shares no Go types with it: its JSON is written from the published schema
// (ApiToken, AccountRef, ModuleRef, ProblemDetails, …), so a client test run
// against it tests the contract rather than a shared struct.
//
// A [Server] is a [net/http.Handler]. Use it with [net/http/httptest] in
// tests, mount it in-process when no real token is configured, or serve it
// on a port as a standalone sandbox.
//
// # Endpoints
//
// All paths start with /public/v1.
//
//	POST   /accounts/api-tokens                create (JSON or multipart with an icon)
//	GET    /accounts/api-tokens?<rql>          list
//	GET    /accounts/api-tokens/{id}           get (never carries the token value)
//	DELETE /accounts/api-tokens/{id}           soft delete (status Deleted)
//	POST   /accounts/api-tokens/{id}/disable   disable
//	POST   /accounts/api-tokens/{id}/enable    enable
//	GET    /accounts/api-tokens/{id}/icon.ext  the uploaded icon (also under /v1)
//	GET    /accounts/modules?<rql>             module catalogue (select=accountTypes)
//	GET    /accounts/modules/{id}
//	GET    /accounts/accounts?<rql>            accounts (select=modules)
//	GET    /accounts/accounts/{id}
//
// Every request needs "Authorization: Bearer <token>": either the operator
// token ([Server.OperatorToken]), which sees every account, or a token value
// returned by a create ("idt:TKN-####-####:<secret>"), which is scoped to
// its account for as long as the token is Active.
//
// # Fixture format
//
// The catalogue (accounts, modules, extensions) comes from a [Fixture],
// read with [LoadFixture] or [LoadFixtureFile]:
//
//	{
//	  "defaultAccount": "ACC-1000-0001",
//	  "accounts": [
//	    {"id": "ACC-1000-0001", "name": "Contoso Ltd", "type": "Client",
//	     "status": "Active", "modules": ["MOD-1001", "MOD-1002"]}
//	  ],
//	  "modules": [
//	    {"id": "MOD-1001", "name": "Orders", "description": "…",
//	     "accountTypes": ["Client", "Vendor"],
//	     "settings": {"default": true, "paid": false, "configurable": true, "obsolete": false}}
//	  ],
//	  "extensions": [{"id": "EXT-0001", "name": "…", "status": "Public"}]
//	}
//
// Rules the loader enforces (unknown fields are rejected everywhere):
//
//   - defaultAccount names an account of the fixture.
//   - account ids match ACC-####-####, module ids MOD-####; ids are unique.
//   - account type is Client, Vendor or Operations; account status is
//     Active, Enabled or Disabled; extension status is Draft, Private,
//     Public or Deleted.
//   - names are required (not empty) and, like module descriptions, may
//     hold any valid UTF-8 text up to 10 000 characters, control characters
//     and escape sequences included: a real server may send such strings,
//     and the hardening tests serve them on purpose.
//   - every module an account lists exists in the catalogue, is listed once,
//     and has the account's type in its accountTypes.
//   - at most 8 MiB of JSON, 10 000 accounts, 100 000 modules and
//     10 000 extensions.
package sandbox
