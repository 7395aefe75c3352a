// Package sandbox is an in-process emulator of the SoftwareOne Marketplace
// Platform API, limited to what the apitoken wizard talks to: API tokens,
// the module catalogue, accounts and the audit trail of tokens.
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
// All paths start with /public/v1. Routing (404, 405 with Allow) comes
// before authentication, as in ASP.NET; one trailing slash is ignored.
//
//	POST   /accounts/api-tokens                create (JSON or multipart with an icon)
//	GET    /accounts/api-tokens?<rql>          list
//	GET    /accounts/api-tokens/{id}           get (never carries the token value)
//	PUT    /accounts/api-tokens/{id}           update (UpdateApiTokenDto)
//	DELETE /accounts/api-tokens/{id}           delete (204; permanent)
//	POST   /accounts/api-tokens/{id}/disable   disable
//	POST   /accounts/api-tokens/{id}/enable    enable
//	GET    /accounts/api-tokens/{id}/icon.ext  the uploaded icon (also under /v1)
//	GET    /accounts/modules?<rql>             module catalogue (select=accountTypes)
//	GET    /accounts/modules/{id}
//	GET    /accounts/accounts?<rql>            accounts (select=modules)
//	GET    /accounts/accounts/{id}
//	GET    /audit/records?<rql>                audit trail, e.g. eq(object.id,"TKN-…")&order=-timestamp
//	GET    /audit/records/{id}
//
// Every request needs "Authorization: Bearer <token>": either the operator
// token ([Server.OperatorToken]), which sees every account, or a token value
// returned by a create ("idt:TKN-####-####:<secret>") for as long as the
// token is Active. A token of an Operations account sees and manages every
// account, as the operator does; a token of a Client or Vendor account sees
// only its own. A disabled token is refused with a 401 ProblemDetails that
// says it is disabled; a deleted one like an unknown value. Each use of a
// token sets its lastAccessAt.
//
// # Token states and changes
//
// Active ↔ Disabled; Active or Disabled → Deleted, which is permanent: a
// deleted token answers 404 to every operation and is in no list. Enabling
// an Active token or disabling a Disabled one answers 200 with the token
// unchanged (no new revision, no audit record), so a client that retries
// after losing an answer learns that the state it asked for holds. PUT
// takes name, description, icon and modules, each optional (what is left
// out is kept), checked by the create rules; it answers 200 with revision
// + 1. Every create, update, enable, disable and delete leaves one
// AuditRecord (event platform.accounts.api-token.<created|updated|…>,
// actor = the token or operator that did it, object = the token).
//
// # Who sees what
//
// For a Client or Vendor caller, another account's account, token or audit
// record answers 404, exactly like an id that does not exist: the
// published operations document 404 only, and a 403 for the ones that
// exist would let any token learn which ids exist. Creating a token for
// another account answers 403 before the account is looked up, so that
// answer is the same whether the account exists or not.
//
// # Queries
//
// RQL as the platform documents it: eq ne gt ge lt le like ilike in out
// and or not any all; values bare, "double-quoted" (\" and \\ escape) or
// 'single-quoted'; empty() and null(); * as the like/ilike wildcard, \* a
// literal star; field=value for eq; several terms joined by & are ANDed.
// order=+a,-b; select=+f,-f for any field of the published schema (fields
// shown only when selected are listed in $meta.omitted); limit (default
// 10, at most 100: larger limits are served as 100) and offset; limit=0
// answers only the total. Filtering or sorting on audit.* without
// select=audit is a 400 naming the rule, as the documentation requires.
//
// # Faults
//
// [Server.InjectFault] and [Server.SetFaultFunc] script failures from Go;
// [WithChaos] makes a share of requests fail at random (500, a chosen
// status, or committed then dropped), with added latency, for people and
// scripts.
//
// # Fixture format
//
// The catalogue (accounts, modules, extensions) and any tokens that exist
// at start come from a [Fixture], read with [LoadFixture] or
// [LoadFixtureFile]:
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
//	  "extensions": [{"id": "EXT-0001", "name": "…", "status": "Public"}],
//	  "tokens": [
//	    {"id": "TKN-1000-1001", "account": "ACC-1000-0001", "name": "Nightly export",
//	     "description": "…", "status": "Disabled", "modules": ["MOD-1001"],
//	     "createdAt": "2026-03-01T08:00:00Z", "lastAccessAt": "2026-06-01T02:00:00Z",
//	     "createdBy": "Anna Lindqvist"}
//	  ]
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
//   - a token id matches TKN-####-#### and is unique; its account exists;
//     its name follows the create rules (1 to 100 characters after
//     trimming, no control characters); status is Active or Disabled; it
//     lists at least one module, each enabled for its account, once;
//     createdAt is given and lastAccessAt, if given, is not before it.
//     Fixture tokens have no value (the sandbox keeps only hashes), so
//     they can be managed but not used as bearer tokens.
//   - at most 8 MiB of JSON, 10 000 accounts, 100 000 modules,
//     10 000 extensions and 10 000 tokens.
package sandbox
