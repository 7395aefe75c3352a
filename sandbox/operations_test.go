package sandbox

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func (e *env) put(path, token string, body string) reply {
	e.t.Helper()
	return e.send(request{method: http.MethodPut, path: path, token: token, contentType: "application/json", body: []byte(body)})
}

func (e *env) del(path, token string) reply {
	e.t.Helper()
	return e.send(request{method: http.MethodDelete, path: path, token: token})
}

// deletedToken creates a token and deletes it.
func (e *env) deletedToken() string {
	e.t.Helper()
	id := e.create("to delete")["id"].(string)
	e.del(createPath+"/"+id, testOperator).want(e.t, http.StatusNoContent)
	return id
}

func TestUpdateToken(t *testing.T) {
	e := newEnv(t)
	created := e.create("before", "MOD-1001", "MOD-1002")
	id := created["id"].(string)
	e.clock.Advance(time.Minute)
	res := e.put(createPath+"/"+id, testOperator, `{"name":"  after  ","description":"new","modules":[{"id":"MOD-1005"}]}`)
	res.want(t, http.StatusOK)
	o := res.object(t)
	upd := o["audit"].(map[string]any)["updated"].(map[string]any)
	mods := o["modules"].([]any)
	if o["name"] != "after" || o["description"] != "new" || o["revision"] != 2.0 || o["status"] != "Active" ||
		upd["at"] != "2026-11-27T10:01:00.000Z" || upd["by"].(map[string]any)["id"] != operatorIdentity.id ||
		len(mods) != 1 || mods[0].(map[string]any)["id"] != "MOD-1005" {
		t.Errorf("update answered %s", res.body)
	}
	if _, ok := o["token"]; ok {
		t.Error("update answered the token value")
	}
	// A field left out keeps its value; null clears the description.
	o = e.put(createPath+"/"+id, testOperator, `{"description":null}`).object(t)
	if o["name"] != "after" || o["description"] != nil || o["revision"] != 3.0 || len(o["modules"].([]any)) != 1 {
		t.Errorf("partial update = %v", o)
	}
	if got := e.get(createPath + "/" + id).object(t); got["revision"] != 3.0 || got["name"] != "after" {
		t.Errorf("GET after update = %v", got)
	}
}

func TestUpdateTokenBadInput(t *testing.T) {
	e := newEnv(t)
	id := e.create("victim")["id"].(string)
	gone := e.deletedToken()
	path := createPath + "/" + id
	for _, tt := range []struct {
		name, path, contentType, body string
		status                        int
		field, part                   string // the errors key and a piece of its message
	}{
		{"unknown id", createPath + "/TKN-0000-0000", "", `{"name":"x"}`, 404, "", "API token TKN-0000-0000 was not found."},
		{"deleted token", createPath + "/" + gone, "", `{"name":"x"}`, 404, "", "API token " + gone + " was not found."},
		{"module not enabled", path, "", `{"modules":[{"id":"MOD-1011"}]}`, 400, "modules[0].id", "Module MOD-1011 is not enabled for account " + contoso},
		{"unknown module", path, "", `{"modules":[{"id":"MOD-9999"}]}`, 400, "modules[0].id", "Module MOD-9999 was not found."},
		{"malformed module", path, "", `{"modules":[{"id":"orders"}]}`, 400, "modules[0].id", "must match the pattern"},
		{"no modules", path, "", `{"modules":[]}`, 400, "modules", "at least 1 item"},
		{"module repeated", path, "", `{"modules":[{"id":"MOD-1001"},{"id":"MOD-1001"}]}`, 400, "modules[1].id", "listed more than once"},
		{"unknown field", path, "", `{"name":"x","account":{"id":"` + fabrikam + `"}}`, 400, "account", "could not be mapped to any member of UpdateApiTokenDto"},
		{"unknown status field", path, "", `{"status":"Disabled"}`, 400, "status", "UpdateApiTokenDto"},
		{"unknown module field", path, "", `{"modules":[{"id":"MOD-1001","name":"x"}]}`, 400, "modules[0].name", "ModuleDto"},
		{"name of wrong type", path, "", `{"name":5}`, 400, "name", "The name field must be a string."},
		{"modules of wrong type", path, "", `{"modules":"MOD-1001"}`, 400, "modules", "must be an array"},
		{"description of wrong type", path, "", `{"description":true}`, 400, "description", "must be a string"},
		{"blank name", path, "", `{"name":"   "}`, 400, "name", "The name field is required."},
		{"long name", path, "", `{"name":"` + strings.Repeat("x", 101) + `"}`, 400, "name", "at most 100 characters"},
		{"control in name", path, "", `{"name":"a\u001b[2Jb"}`, 400, "name", "control characters"},
		{"unsafe icon", path, "", `{"icon":"https://evil.example/x.png"}`, 400, "icon", "relative path"},
		{"not an object", path, "", `[]`, 400, "$", "must be a JSON object"},
		{"not JSON", path, "", `{"name":`, 400, "$", "ends unexpectedly"},
		{"duplicate key", path, "", `{"name":"a","name":"b"}`, 400, "name", "more than once"},
		{"not JSON media type", path, "text/plain", `{"name":"x"}`, 415, "", "application/json"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ct := tt.contentType
			if ct == "" {
				ct = "application/json"
			}
			res := e.send(request{method: "PUT", path: tt.path, token: testOperator, contentType: ct, body: []byte(tt.body)})
			p := res.problem(t, tt.status)
			if tt.field == "" {
				if !strings.Contains(p.Detail, tt.part) || len(p.Errors) != 0 {
					t.Errorf("problem = %+v, want detail with %q", p, tt.part)
				}
				return
			}
			if len(p.Errors) != 1 || !strings.Contains(strings.Join(p.Errors[tt.field], " "), tt.part) {
				t.Errorf("errors = %v, want only %s: …%s…", p.Errors, tt.field, tt.part)
			}
		})
	}
	// Nothing was changed by any of them.
	if o := e.get(path).object(t); o["revision"] != 1.0 || o["name"] != "victim" {
		t.Errorf("after bad updates: %v", o)
	}
}

func TestDeleteToken(t *testing.T) {
	e := newEnv(t)
	created := e.create("short-lived")
	id, value := created["id"].(string), created["token"].(string)
	e.getAs(value, createPath+"/"+id).want(t, http.StatusOK)
	gone := e.deletedToken()
	for _, tt := range []struct {
		name, id string
		status   int
	}{
		{"unknown id", "TKN-0000-0000", 404},
		{"deleted token", gone, 404},
		{"malformed id", "nope", 404},
		{"live token", id, 204},
		{"again", id, 404},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := e.del(createPath+"/"+tt.id, testOperator)
			if tt.status == 204 {
				if res.status != 204 || len(res.body) != 0 {
					t.Fatalf("delete: %d %q", res.status, res.body)
				}
				return
			}
			if p := res.problem(t, tt.status); !strings.Contains(p.Detail, tt.id) {
				t.Errorf("detail %q does not name %s", p.Detail, tt.id)
			}
		})
	}
	e.get(createPath+"/"+id).problem(t, http.StatusNotFound)
	if items, _, _, _ := list(t, e.get(createPath)); len(items) != 0 {
		t.Errorf("deleted tokens listed: %v", ids(items))
	}
	// A deleted token is no credential, and says nothing about why.
	p := e.getAs(value, "/public/v1/accounts/modules").problem(t, http.StatusUnauthorized)
	if p.Detail != refusedCredential {
		t.Errorf("deleted credential: %q", p.Detail)
	}
}

func TestEnableDisable(t *testing.T) {
	e := newEnv(t)
	created := e.create("switch")
	id, value := created["id"].(string), created["token"].(string)
	gone := e.deletedToken()
	for _, tt := range []struct {
		name, id, action string
		status           int
		wantStatus       string
		wantRevision     float64
	}{
		{"enable unknown", "TKN-0000-0000", "enable", 404, "", 0},
		{"disable unknown", "TKN-0000-0000", "disable", 404, "", 0},
		{"enable deleted", gone, "enable", 404, "", 0},
		{"disable deleted", gone, "disable", 404, "", 0},
		{"enable active: unchanged", id, "enable", 200, "Active", 1},
		{"disable", id, "disable", 200, "Disabled", 2},
		{"disable disabled: unchanged", id, "disable", 200, "Disabled", 2},
		{"enable", id, "enable", 200, "Active", 3},
		{"disable again", id, "disable", 200, "Disabled", 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.clock.Advance(time.Second)
			res := e.post(createPath+"/"+tt.id+"/"+tt.action, testOperator, nil)
			if tt.status != 200 {
				if p := res.problem(t, tt.status); !strings.Contains(p.Detail, tt.id) {
					t.Errorf("detail %q does not name %s", p.Detail, tt.id)
				}
				return
			}
			res.want(t, 200)
			if o := res.object(t); o["status"] != tt.wantStatus || o["revision"] != tt.wantRevision {
				t.Errorf("status %v revision %v, want %s %v", o["status"], o["revision"], tt.wantStatus, tt.wantRevision)
			}
		})
	}
	// Disabled: refused as a credential, with a ProblemDetails saying why.
	res := e.getAs(value, createPath+"/"+id)
	if p := res.problem(t, http.StatusUnauthorized); !strings.Contains(p.Detail, "disabled") || res.header.Get("WWW-Authenticate") != "Bearer" {
		t.Errorf("disabled credential: %+v, WWW-Authenticate %q", p, res.header.Get("WWW-Authenticate"))
	}
	e.post(createPath+"/"+id+"/enable", testOperator, nil).want(t, 200)
	e.getAs(value, createPath+"/"+id).want(t, 200)
}

func TestAuditRecords(t *testing.T) {
	e := newEnv(t)
	created := e.create("audited")
	id, value := created["id"].(string), created["token"].(string)
	other := e.create("bystander")["id"].(string)
	step := func(r reply, status int) {
		t.Helper()
		r.want(t, status)
		e.clock.Advance(time.Minute)
	}
	e.clock.Advance(time.Minute)
	step(e.put(createPath+"/"+id, value, `{"name":"audited by itself"}`), 200) // the token acts on itself
	step(e.post(createPath+"/"+id+"/disable", testOperator, nil), 200)
	step(e.post(createPath+"/"+id+"/disable", testOperator, nil), 200) // no change, no record
	step(e.post(createPath+"/"+id+"/enable", testOperator, nil), 200)
	step(e.del(createPath+"/"+id, testOperator), 204)

	recs, _, _, total := list(t, e.get(rq(`/public/v1/audit/records?eq(object.id,"`+id+`")&order=-timestamp&limit=100`)))
	var events []string
	for _, r := range recs {
		events = append(events, strings.TrimPrefix(r["event"].(string), "platform.accounts.api-token."))
	}
	if total != 5 || join(events) != "deleted,enabled,disabled,updated,created" {
		t.Fatalf("records (%d) = %v", total, events)
	}
	upd := recs[3]
	actor := upd["actor"].(map[string]any)
	obj := upd["object"].(map[string]any)
	if actor["id"] != id || actor["name"] != "audited" || actor["account"].(map[string]any)["id"] != contoso ||
		obj["id"] != id || obj["objectType"] != "ApiToken" || upd["timestamp"] != "2026-11-27T10:01:00.000Z" ||
		!strings.Contains(upd["summary"].(string), id) {
		t.Errorf("update record = %v", upd)
	}
	if a := recs[0]["actor"].(map[string]any); a["id"] != operatorIdentity.id {
		t.Errorf("delete actor = %v", a)
	}
	// One record, by id; paging; a filter on another object.
	rid := recs[2]["id"].(string)
	if got := e.get("/public/v1/audit/records/" + rid).object(t); got["id"] != rid || got["event"] != auditDisabled {
		t.Errorf("get record = %v", got)
	}
	e.get("/public/v1/audit/records/AUD-9999-9999-9999").problem(t, http.StatusNotFound)
	page, off, lim, total := list(t, e.get(rq(`/public/v1/audit/records?eq(object.id,"`+id+`")&order=-timestamp&limit=2&offset=2`)))
	if len(page) != 2 || off != 2 || lim != 2 || total != 5 || page[0]["id"] != recs[2]["id"] {
		t.Errorf("page = %v (offset %d limit %d total %d)", ids(page), off, lim, total)
	}
	if o, _, _, _ := list(t, e.get(rq(`/public/v1/audit/records?object.id=`+other))); len(o) != 1 || o[0]["event"] != auditCreated {
		t.Errorf("records of %s = %v", other, o)
	}
	// Another account's records are out of sight, like its tokens.
	vendor := e.post(createPath, testOperator, createBody(fabrikam, "vendor", "MOD-1011")).object(t)
	if mine, _, _, _ := list(t, e.getAs(vendor["token"].(string), "/public/v1/audit/records?limit=100")); len(mine) != 1 {
		t.Errorf("vendor sees %d records, want its own create", len(mine))
	}
	e.getAs(vendor["token"].(string), "/public/v1/audit/records/"+rid).problem(t, http.StatusNotFound)
}

// An Operations account's token sees and manages every account; a Client
// or Vendor token its own, and another account's objects answer 404 like
// unknown ones, so ids cannot be probed.
func TestVisibility(t *testing.T) {
	e := newEnv(t)
	ops := e.post(createPath, testOperator, createBody(operations, "ops", "MOD-1001")).object(t)["token"].(string)
	client := e.create("client")["token"].(string)

	accounts, _, _, total := list(t, e.getAs(ops, "/public/v1/accounts/accounts"))
	if total != 4 || len(accounts) != 4 {
		t.Errorf("operations sees %d accounts", total)
	}
	e.getAs(ops, "/public/v1/accounts/accounts/"+fabrikam).want(t, 200)
	e.getAs(ops, "/public/v1/accounts/accounts/ACC-9999-9999").problem(t, 404)
	made := e.post(createPath, ops, createBody(fabrikam, "made by ops", "MOD-1011"))
	made.want(t, http.StatusCreated)
	vid := made.object(t)["id"].(string)
	e.put(createPath+"/"+vid, ops, `{"name":"renamed by ops"}`).want(t, 200)
	e.post(createPath+"/"+vid+"/disable", ops, nil).want(t, 200)
	if _, _, _, n := list(t, e.getAs(ops, createPath)); n != 3 {
		t.Errorf("operations lists %d tokens, want 3", n)
	}

	for _, path := range []string{
		"/public/v1/accounts/accounts/" + fabrikam,
		"/public/v1/accounts/accounts/ACC-9999-9999",
		createPath + "/" + vid,
		createPath + "/TKN-0000-0000",
	} {
		p := e.getAs(client, path).problem(t, 404)
		if p.Title != "Not Found" {
			t.Errorf("%s: %+v", path, p)
		}
	}
	e.put(createPath+"/"+vid, client, `{"name":"x"}`).problem(t, 404)
	e.del(createPath+"/"+vid, client).problem(t, 404)
	// Creating for another account is refused before anything is looked
	// up, so the answer is the same whether the account exists or not.
	for _, acc := range []string{fabrikam, "ACC-9999-9999"} {
		e.post(createPath, client, createBody(acc, "x", "MOD-1001")).problem(t, http.StatusForbidden)
	}
}

// The RQL the official clients write: single quotes (the Python client),
// bare values, field=value, and(...) with select and order.
func TestOfficialClientRQL(t *testing.T) {
	e := newEnv(t)
	e.create(`Say "hi"`)
	e.create("nightly export", "MOD-1001", "MOD-1005")
	e.create("weekly report")
	e.post(createPath, testOperator, createBody(fabrikam, "vendor nightly", "MOD-1011")).want(t, 201)
	disabled := e.create("Nightly disabled")["id"].(string)
	e.post(createPath+"/"+disabled+"/disable", testOperator, nil).want(t, 200)

	for _, tt := range []struct{ query, want string }{
		{`and(eq(account.id,'ACC-1000-0001'),ilike(name,'*night*'))&select=audit&order=-audit.created.at&limit=100`, "Nightly disabled,nightly export"},
		{`and(eq(account.id,ACC-1000-0001),eq(status,Active))&order=name`, `Say "hi",nightly export,weekly report`},
		{`eq(name,'Say "hi"')`, `Say "hi"`},
		{`status=Disabled`, "Nightly disabled"},
		{`account.id=ACC-2000-0001&select=-extensions`, "vendor nightly"},
		{`any(modules,eq(id,MOD-1005))`, "nightly export"},
		{`out(account.id,(ACC-1000-0001))`, "vendor nightly"},
		{`ilike(name,'*\*')`, ""},
		{`and(not(eq(status,Disabled)),eq(description,null()))&order=-name&limit=1`, "weekly report"},
	} {
		t.Run(tt.query, func(t *testing.T) {
			items, _, _, _ := list(t, e.get(createPath+"?"+rq(tt.query)))
			if got := names(items); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if strings.Contains(tt.query, "select=-extensions") {
				if _, ok := items[0]["extensions"]; ok {
					t.Error("select=-extensions kept extensions")
				}
			}
		})
	}
	// select of any field of the schema; $meta.omitted.
	e.get("/public/v1/accounts/accounts?select=-address").want(t, 200)
	var meta struct {
		Meta struct {
			Omitted []string `json:"omitted"`
		} `json:"$meta"`
	}
	if err := jsonUnmarshal(e.get("/public/v1/accounts/modules").body, &meta); err != nil || join(meta.Meta.Omitted) != "accountTypes" {
		t.Errorf("modules $meta.omitted = %v (%v)", meta.Meta.Omitted, err)
	}
	meta.Meta.Omitted = nil
	if err := jsonUnmarshal(e.get("/public/v1/accounts/modules?select=accountTypes").body, &meta); err != nil || meta.Meta.Omitted != nil {
		t.Errorf("selected, yet omitted = %v", meta.Meta.Omitted)
	}
	// limit=0 counts.
	items, _, lim, total := list(t, e.get(createPath+"?limit=0"))
	if len(items) != 0 || lim != 0 || total != 5 {
		t.Errorf("limit=0: %d items, limit %d, total %d", len(items), lim, total)
	}
}

// 10 000 modules read at the platform's cap of 100 a page.
func TestPageTenThousandModules(t *testing.T) {
	e := newEnv(t, WithFixture(GenerateFixture(10_000)))
	seen := make(map[string]bool, 10_000)
	var last string
	for off := 0; off < 10_000; off += 100 {
		items, gotOff, lim, total := list(t, e.get(fmt.Sprintf("/public/v1/accounts/modules?select=accountTypes&order=id&limit=1000&offset=%d", off)))
		if gotOff != off || lim != 100 || total != 10_000 || len(items) != 100 {
			t.Fatalf("offset %d: %d items, offset %d, limit %d, total %d", off, len(items), gotOff, lim, total)
		}
		for _, it := range items {
			id := it["id"].(string)
			if seen[id] || id <= last {
				t.Fatalf("offset %d: %s out of order or repeated", off, id)
			}
			seen[id], last = true, id
		}
	}
	if len(seen) != 10_000 {
		t.Errorf("%d modules read", len(seen))
	}
	if items, _, _, _ := list(t, e.get("/public/v1/accounts/modules?limit=100&offset=10000")); len(items) != 0 {
		t.Errorf("past the end: %d items", len(items))
	}
}

// Editing a token with an uploaded icon keeps the image when the client
// sends back the path it read, and drops it for another path.
func TestUpdateKeepsUploadedIcon(t *testing.T) {
	e := newEnv(t)
	res := e.postMultipart(
		part{name: "token", contentType: "application/json", data: []byte(tokenJSON)},
		part{name: "icon", filename: "logo.png", contentType: "image/png", data: pngBytes},
	)
	res.want(t, http.StatusCreated)
	o := res.object(t)
	id, icon := o["id"].(string), o["icon"].(string)
	e.put(createPath+"/"+id, testOperator, `{"name":"renamed","icon":"`+icon+`"}`).want(t, http.StatusOK)
	if got := e.get(icon); got.status != http.StatusOK || string(got.body) != string(pngBytes) {
		t.Fatalf("icon after an edit that kept it: %d", got.status)
	}
	o = e.put(createPath+"/"+id, testOperator, `{"icon":"/static/icons/other.png"}`).object(t)
	if o["icon"] != "/static/icons/other.png" {
		t.Errorf("icon = %v", o["icon"])
	}
	e.get(icon).problem(t, http.StatusNotFound)
}
