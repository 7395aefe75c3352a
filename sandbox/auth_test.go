package sandbox

import (
	"net/http"
	"strings"
	"testing"
)

func TestUnauthenticated(t *testing.T) {
	e := newEnv(t)
	tok := e.create("real")["token"].(string)
	for _, tt := range []struct{ name, header string }{
		{"no header", ""},
		{"empty bearer", "Bearer "},
		{"basic scheme", "Basic " + testOperator},
		{"no scheme", testOperator},
		{"unknown token", "Bearer sbx_nope"},
		{"operator token prefix", "Bearer " + testOperator[:len(testOperator)-1]},
		{"well-formed unknown token", "Bearer idt:TKN-0000-0000:" + strings.Repeat("a", 64)},
		{"right id, wrong secret", "Bearer " + tok[:len(tok)-1] + "x"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := request{method: "GET", path: "/public/v1/accounts/accounts"}
			if tt.header != "" {
				r.header = map[string]string{"Authorization": tt.header}
			}
			res := e.send(r)
			p := res.problem(t, http.StatusUnauthorized)
			if p.Title != "Unauthorized" || p.Detail != "A valid bearer token is required." ||
				p.Type != "https://tools.ietf.org/html/rfc9110#section-15.5.2" || p.Instance != "/public/v1/accounts/accounts" {
				t.Errorf("problem = %+v", p)
			}
			if res.header.Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("WWW-Authenticate = %q", res.header.Get("WWW-Authenticate"))
			}
		})
	}
	// The scheme is case-insensitive.
	e.send(request{method: "GET", path: "/public/v1/accounts/accounts", header: map[string]string{"Authorization": "bearer " + testOperator}}).
		want(t, http.StatusOK)
}

func TestUnauthenticatedCreateIsRecordedWithoutBody(t *testing.T) {
	e := newEnv(t)
	e.post(createPath, "", createBody(contoso, "x", "MOD-1001")).problem(t, http.StatusUnauthorized)
	recs := e.s.Creates()
	if len(recs) != 1 || recs[0].Status != 401 || recs[0].Name != "" || recs[0].AccountID != "" {
		t.Errorf("Creates = %+v", recs)
	}
}

func TestCreatedTokenIsScopedToItsAccount(t *testing.T) {
	e := newEnv(t)
	created := e.create("scoped", "MOD-1001", "MOD-1002")
	tok := created["token"].(string)
	id := created["id"].(string)

	e.clock.Advance(90_000_000_000) // 90 s
	accounts, _, _, total := list(t, e.getAs(tok, "/public/v1/accounts/accounts"))
	if total != 1 || join(ids(accounts)) != contoso {
		t.Errorf("scoped accounts = %v (total %d)", ids(accounts), total)
	}
	e.getAs(tok, "/public/v1/accounts/accounts/"+contoso).want(t, http.StatusOK)
	// Another account answers like an unknown one: existence is not leaked.
	e.getAs(tok, "/public/v1/accounts/accounts/"+fabrikam).problem(t, http.StatusNotFound)
	e.getAs(tok, "/public/v1/accounts/accounts/ACC-9999-9999").problem(t, http.StatusNotFound)
	e.getAs(tok, "/public/v1/accounts/modules").want(t, http.StatusOK)

	// lastAccessAt follows the use of the token.
	got := e.get(createPath + "/" + id).object(t)
	if got["lastAccessAt"] != "2026-11-27T10:01:30.000Z" {
		t.Errorf("lastAccessAt = %v", got["lastAccessAt"])
	}

	// A token of another account is out of reach.
	other := e.post(createPath, testOperator, createBody(fabrikam, "vendor", "MOD-1011")).object(t)
	e.getAs(tok, createPath+"/"+other["id"].(string)).problem(t, http.StatusNotFound)
	e.send(request{method: "POST", path: createPath + "/" + other["id"].(string) + "/disable", token: tok}).problem(t, http.StatusNotFound)
	mine, _, _, total := list(t, e.getAs(tok, createPath))
	if total != 1 || ids(mine)[0] != id {
		t.Errorf("scoped token list = %v", ids(mine))
	}

	// Creating for another account is forbidden (and says nothing about
	// the account, not even with an invalid body); for its own it works.
	e.post(createPath, tok, createBody(fabrikam, "x", "MOD-1011")).problem(t, http.StatusForbidden)
	e.post(createPath, tok, createBody("ACC-9999-9999", "x", "MOD-9999")).problem(t, http.StatusForbidden)
	child := e.post(createPath, tok, createBody(contoso, "child", "MOD-1003"))
	child.want(t, http.StatusCreated)
	audit := child.object(t)["audit"].(map[string]any)["created"].(map[string]any)["by"].(map[string]any)
	if audit["id"] != id || audit["name"] != "scoped" {
		t.Errorf("audit.created.by = %v, want the creating token", audit)
	}
	if n := len(e.s.StoredTokens()); n != 3 {
		t.Errorf("%d tokens stored, want 3", n)
	}
}

func TestDisabledAndDeletedTokensStopAuthenticating(t *testing.T) {
	e := newEnv(t)
	created := e.create("short-lived")
	tok, id := created["token"].(string), created["id"].(string)
	path := "/public/v1/accounts/accounts"

	e.getAs(tok, path).want(t, http.StatusOK)
	e.post(createPath+"/"+id+"/disable", testOperator, nil).want(t, http.StatusOK)
	e.getAs(tok, path).problem(t, http.StatusUnauthorized)
	e.post(createPath+"/"+id+"/enable", testOperator, nil).want(t, http.StatusOK)
	e.getAs(tok, path).want(t, http.StatusOK)

	// A token can disable itself, and is locked out at once.
	e.post(createPath+"/"+id+"/disable", tok, nil).want(t, http.StatusOK)
	e.getAs(tok, path).problem(t, http.StatusUnauthorized)
	e.post(createPath+"/"+id+"/enable", testOperator, nil).want(t, http.StatusOK)

	e.send(request{method: "DELETE", path: createPath + "/" + id, token: testOperator}).want(t, http.StatusNoContent)
	e.getAs(tok, path).problem(t, http.StatusUnauthorized)
}

func TestDefaultOperatorToken(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := New()
	tok := s.OperatorToken()
	if !strings.HasPrefix(tok, "sbx_") || len(tok) != 44 || strings.Trim(tok[4:], alnum) != "" {
		t.Errorf("OperatorToken = %q, want sbx_ + 40 letters and digits", tok)
	}
	if tok == s2.OperatorToken() {
		t.Error("two servers drew the same operator token")
	}
	if s.DefaultAccount() != contoso {
		t.Errorf("DefaultAccount = %q", s.DefaultAccount())
	}
	for _, bad := range []string{"", "has space", "tab\there", "é"} {
		if _, err := New(WithOperatorToken(bad)); err == nil {
			t.Errorf("WithOperatorToken(%q): no error", bad)
		}
	}
}
