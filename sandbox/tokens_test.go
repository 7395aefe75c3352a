package sandbox

import (
	"net/http"
	"reflect"
	"testing"
	"time"
)

func TestGetAfterCreateHasNoTokenValue(t *testing.T) {
	e := newEnv(t)
	created := e.create("readable", "MOD-1001", "MOD-1005")
	id := created["id"].(string)
	got := e.get(createPath + "/" + id)
	got.want(t, http.StatusOK)
	o := got.object(t)
	if _, ok := o["token"]; ok {
		t.Fatalf("GET answered the token value: %s", got.body)
	}
	delete(created, "token")
	if !reflect.DeepEqual(o, created) {
		t.Errorf("GET = %v\nwant  %v", o, created)
	}
	// Trailing slash is tolerated.
	e.get(createPath+"/"+id+"/").want(t, http.StatusOK)
}

func TestTokenLifecycle(t *testing.T) {
	e := newEnv(t)
	id := e.create("lifecycle")["id"].(string)
	path := createPath + "/" + id

	step := func(action string, status int, wantStatus string, wantRevision float64, wantUpdated string) {
		t.Helper()
		e.clock.Advance(time.Minute)
		res := e.post(path+"/"+action, testOperator, nil)
		res.want(t, status)
		if status != http.StatusOK {
			return
		}
		o := res.object(t)
		updated := o["audit"].(map[string]any)["updated"].(map[string]any)["at"]
		created := o["audit"].(map[string]any)["created"].(map[string]any)["at"]
		if o["status"] != wantStatus || o["revision"] != wantRevision || updated != wantUpdated || created != "2026-11-27T10:00:00.000Z" {
			t.Errorf("%s: status=%v revision=%v updated=%v created=%v", action, o["status"], o["revision"], updated, created)
		}
		if _, ok := o["token"]; ok {
			t.Errorf("%s answered the token value", action)
		}
	}
	step("disable", 200, "Disabled", 2, "2026-11-27T10:01:00.000Z")
	step("disable", 200, "Disabled", 2, "2026-11-27T10:01:00.000Z") // no change, no new revision
	step("enable", 200, "Active", 3, "2026-11-27T10:03:00.000Z")

	e.clock.Advance(time.Minute)
	e.send(request{method: "DELETE", path: path, token: testOperator}).want(t, http.StatusNoContent)
	// Deleted is permanent: the token is gone from every operation.
	e.get(path).problem(t, http.StatusNotFound)
	e.send(request{method: "DELETE", path: path, token: testOperator}).problem(t, http.StatusNotFound)
	e.post(path+"/enable", testOperator, nil).problem(t, http.StatusNotFound)
	for _, q := range []string{"", `?eq(status,"Deleted")`} {
		if _, _, _, total := list(t, e.get(createPath+q)); total != 0 {
			t.Errorf("list%s total = %d after delete, want 0", q, total)
		}
	}

	stored := e.s.StoredTokens()
	if len(stored) != 1 || stored[0].Status != "Deleted" {
		t.Errorf("StoredTokens = %+v", stored)
	}
}

func TestNotFoundAndMethodNotAllowed(t *testing.T) {
	e := newEnv(t)
	id := e.create("x")["id"].(string)
	for _, path := range []string{
		createPath + "/TKN-0000-0000",
		createPath + "/not-an-id",
		"/public/v1/accounts/modules/MOD-9999",
		"/public/v1/accounts/accounts/ACC-9999-9999",
		"/public/v1/accounts/nothing",
		"/public/v1/accounts",
		"/public/v2/accounts/api-tokens",
		"/",
		createPath + "//x",
		"/v1/accounts/api-tokens/" + id, // only icons live under /v1
		createPath + "/" + id + "/icon.png",
	} {
		p := e.get(path).problem(t, http.StatusNotFound)
		if p.Title != "Not Found" || p.Instance != path {
			t.Errorf("%s: problem = %+v", path, p)
		}
	}
	// 404 and 405 come before authentication, as in ASP.NET routing.
	e.send(request{method: "GET", path: "/nope"}).problem(t, http.StatusNotFound)

	for _, tt := range []struct{ method, path, allow string }{
		{"PUT", createPath, "GET, POST"},
		{"DELETE", createPath, "GET, POST"},
		{"PATCH", createPath + "/" + id, "DELETE, GET, PUT"},
		{"GET", createPath + "/" + id + "/disable", "POST"},
		{"POST", "/public/v1/accounts/modules", "GET"},
		{"DELETE", "/public/v1/accounts/accounts/" + contoso, "GET"},
	} {
		res := e.send(request{method: tt.method, path: tt.path})
		res.problem(t, http.StatusMethodNotAllowed)
		if res.header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: Allow = %q, want %q", tt.method, tt.path, res.header.Get("Allow"), tt.allow)
		}
	}
	// HEAD is not served by GET's handler; it has no body to check.
	res := e.send(request{method: "HEAD", path: createPath})
	if res.status != http.StatusMethodNotAllowed || res.header.Get("Allow") != "GET, POST" {
		t.Errorf("HEAD: status %d, Allow %q; want 405, \"GET, POST\"", res.status, res.header.Get("Allow"))
	}
}
