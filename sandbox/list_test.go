package sandbox

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// seedTokens creates tokens one minute apart and returns their ids by name.
func seedTokens(e *env, names ...string) map[string]string {
	e.t.Helper()
	out := map[string]string{}
	for _, n := range names {
		out[n] = e.create(n)["id"].(string)
		e.clock.Advance(time.Minute)
	}
	return out
}

func names(items []map[string]any) string {
	var out []string
	for _, it := range items {
		out = append(out, it["name"].(string))
	}
	return strings.Join(out, ",")
}

func TestTokenListPagination(t *testing.T) {
	e := newEnv(t)
	var all []string
	for i := range 25 {
		all = append(all, "t"+string(rune('a'+i)))
	}
	seedTokens(e, all...)

	items, off, lim, total := list(t, e.get(createPath))
	if len(items) != 10 || off != 0 || lim != 10 || total != 25 {
		t.Errorf("default page: %d items, offset %d, limit %d, total %d", len(items), off, lim, total)
	}
	// Default order is by id.
	got := ids(items)
	for i := 1; i < len(got); i++ {
		if got[i-1] >= got[i] {
			t.Fatalf("not ordered by id: %v", got)
		}
	}
	items, off, lim, total = list(t, e.get(createPath+"?limit=4&offset=22"))
	if len(items) != 3 || off != 22 || lim != 4 || total != 25 {
		t.Errorf("last page: %d items, offset %d, limit %d, total %d", len(items), off, lim, total)
	}
	items, _, lim, _ = list(t, e.get(createPath+"?limit=5000"))
	if len(items) != 25 || lim != 100 {
		t.Errorf("limit=5000: %d items, limit %d (want clamped to 100)", len(items), lim)
	}
	items, _, _, total = list(t, e.get(createPath+"?limit=0"))
	if len(items) != 0 || total != 25 {
		t.Errorf("limit=0: %d items, total %d", len(items), total)
	}
	items, _, _, _ = list(t, e.get(createPath+"?offset=100"))
	if len(items) != 0 {
		t.Errorf("offset past the end: %d items", len(items))
	}
	for _, q := range []string{"limit=-1", "limit=x", "offset=-5", "offset=1.5", "limit=1&limit=2"} {
		p := e.get(createPath+"?"+q).problem(t, http.StatusBadRequest)
		if len(p.Errors["rql"]) != 1 {
			t.Errorf("%s: errors = %v", q, p.Errors)
		}
	}
}

func TestTokenListRQL(t *testing.T) {
	e := newEnv(t)
	seedTokens(e, "nightly export", "Nightly import", "weekly report", "ad-hoc", `quote "me"`)
	// Created at 10:00, 10:01, 10:02, 10:03, 10:04.
	fab := e.post(createPath, testOperator, createBody(fabrikam, "vendor sync", "MOD-1011")).object(t)["id"].(string)

	tests := []struct {
		query string
		want  string // names, in order
	}{
		{`eq(name,"ad-hoc")`, "ad-hoc"},
		{`eq(name,"quote \"me\"")`, `quote "me"`},
		{`ne(name,"ad-hoc")&eq(account.id,"ACC-1000-0001")&order=name`, `Nightly import,nightly export,quote "me",weekly report`},
		{`like(name,"nightly*")`, "nightly export"},
		{`ilike(name,"nightly*")&order=name`, "Nightly import,nightly export"},
		{`ilike(name,"*PORT*")&order=name`, "Nightly import,nightly export,weekly report"},
		{`ilike(name,"*")&eq(account.id,"ACC-2000-0001")`, "vendor sync"},
		{`in(name,("ad-hoc","weekly report","nope"))&order=name`, "ad-hoc,weekly report"},
		{`or(eq(name,"ad-hoc"),eq(name,"weekly report"))&order=-name`, "weekly report,ad-hoc"},
		{`and(ilike(name,"*nightly*"),not(like(name,"N*")))`, "nightly export"},
		{`gt(audit.created.at,"2026-11-27T10:02:00.000Z")&eq(account.id,"ACC-1000-0001")&order=audit.created.at`, `ad-hoc,quote "me"`},
		{`ge(audit.created.at,"2026-11-27T10:02:00Z")&lt(audit.created.at,"2026-11-27T11:03:30+01:00")`, "weekly report,ad-hoc"},
		{`le(audit.created.at,"2026-11-27T10:01:00.000Z")&order=-audit.created.at`, "Nightly import,nightly export"},
		{`order=-audit.created.at&limit=2`, "vendor sync," + `quote "me"`},
		{`eq(modules.id,"MOD-1011")`, "vendor sync"},
		{`eq(account.type,"Vendor")`, "vendor sync"},
		{`eq(status,"Active")&eq(name,"ad-hoc")`, "ad-hoc"},
		{`eq(description,"x")`, ""},
		{`eq(name,"a&b")`, ""},
		{`eq(name,%22ad-hoc%22)`, "ad-hoc"}, // percent-encoded quotes
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q := tt.query
			if !strings.Contains(q, "order=") {
				q += "&order=audit.created.at"
			}
			if strings.Contains(q, "audit.") {
				q += "&select=audit" // the documented rule for audit.*
			}
			items, _, _, _ := list(t, e.get(createPath+"?"+rq(q)))
			if got := names(items); got != tt.want {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
	// A value with an encoded '&' reaches the parser whole.
	items, _, _, _ := list(t, e.get(createPath+"?"+url.PathEscape(`eq(id,"`+fab+`")`)))
	if names(items) != "vendor sync" {
		t.Errorf("encoded query: %q", names(items))
	}
}

func TestBadRQL(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct{ query, part string }{
		{`eq(secret,"x")`, `Unknown field "secret"`},
		{`regex(name,"x")`, `Unknown operator "regex"`},
		{`eq(name,"x"`, `Expected ")"`},
		{`eq(name,x%20y)`, `Expected ")"`},
		{`eq(name,"x)`, "no closing quote"},
		{`eq(name,'x)`, "no closing quote"},
		{`eq(name)`, `Expected ","`},
		{`and()`, "Expected an expression"},
		{`eq(name,"x"))`, "Unexpected"},
		{`secret=x`, `Unknown query parameter "secret"`},
		{`order=-audit.created.at`, "needs select=audit"},
		{`ge(audit.updated.at,"2026-01-01T00:00:00.000Z")`, "needs select=audit"},
		{`order=secret`, `Unknown field "secret" in order`},
		{`select=secret`, `Unknown field "secret" in select`},
		{`select=-id`, "cannot be left out"},
		{strings.Repeat("not(", 40) + `eq(name,"x")` + strings.Repeat(")", 40), "nests more than"},
		{`eq(name,"x")%zz`, "percent-encoded"},
	} {
		t.Run(tt.query, func(t *testing.T) {
			p := e.get(createPath+"?"+tt.query).problem(t, http.StatusBadRequest)
			if p.Title != "One or more validation errors occurred." || len(p.Errors) != 1 || len(p.Errors["rql"]) == 0 {
				t.Fatalf("problem = %+v", p)
			}
			if !strings.Contains(p.Errors["rql"][0], tt.part) {
				t.Errorf("errors.rql = %q, want %q in it", p.Errors["rql"], tt.part)
			}
		})
	}
	// Every problem of a query is reported at once.
	p := e.get(createPath+`?eq(foo,"x")&bar()&limit=-1`).problem(t, http.StatusBadRequest)
	if len(p.Errors["rql"]) != 3 {
		t.Errorf("errors.rql = %q, want three messages", p.Errors["rql"])
	}
}

func TestTokenListSelect(t *testing.T) {
	e := newEnv(t)
	e.create("x")
	items, _, _, _ := list(t, e.get(createPath+"?select=-audit,-modules"))
	if got := join(keys(items[0])); got != "account,description,extensions,icon,id,lastAccessAt,name,revision,status" {
		t.Errorf("fields = %s", got)
	}
}

func TestModules(t *testing.T) {
	e := newEnv(t)
	items, _, lim, total := list(t, e.get("/public/v1/accounts/modules"))
	if total != 12 || lim != 10 || len(items) != 10 || items[0]["id"] != "MOD-1001" {
		t.Fatalf("modules: %d items, total %d, first %v", len(items), total, items[0]["id"])
	}
	if got := join(keys(items[0])); got != "audit,description,id,name,revision,settings" {
		t.Errorf("module fields = %s", got)
	}
	for _, sel := range []string{"accountTypes", "+accountTypes", "%2BaccountTypes"} {
		items, _, _, _ = list(t, e.get("/public/v1/accounts/modules?limit=100&select="+sel))
		if len(items) != 12 {
			t.Fatalf("select=%s: %d items", sel, len(items))
		}
		types, ok := items[10]["accountTypes"].([]any)
		if !ok || len(types) != 2 || types[0] != "Vendor" || types[1] != "Operations" {
			t.Errorf("select=%s: %s accountTypes = %v", sel, items[10]["id"], items[10]["accountTypes"])
		}
	}
	items, _, _, total = list(t, e.get(`/public/v1/accounts/modules?eq(accountTypes,"Vendor")&limit=100`))
	if total != 10 || join(ids(items)) != "MOD-1001,MOD-1002,MOD-1003,MOD-1004,MOD-1005,MOD-1007,MOD-1008,MOD-1010,MOD-1011,MOD-1012" {
		t.Errorf("Vendor modules = %v", ids(items))
	}
	items, _, _, _ = list(t, e.get(`/public/v1/accounts/modules?eq(settings.paid,"true")`))
	if join(ids(items)) != "MOD-1009,MOD-1012" {
		t.Errorf("paid modules = %v", ids(items))
	}

	one := e.get("/public/v1/accounts/modules/MOD-1009?select=accountTypes").object(t)
	if one["name"] != "Spotlight" || len(one["accountTypes"].([]any)) != 2 {
		t.Errorf("module = %v", one)
	}
	if _, ok := e.get("/public/v1/accounts/modules/MOD-1009").object(t)["accountTypes"]; ok {
		t.Error("accountTypes shown without select")
	}
	e.get("/public/v1/accounts/modules/MOD-9999").problem(t, http.StatusNotFound)
}

func TestAccounts(t *testing.T) {
	e := newEnv(t)
	items, _, _, total := list(t, e.get("/public/v1/accounts/accounts"))
	if total != 4 || join(ids(items)) != "ACC-1000-0001,ACC-1000-0002,ACC-2000-0001,ACC-3000-0001" {
		t.Fatalf("accounts = %v", ids(items))
	}
	if got := join(keys(items[0])); got != "audit,icon,id,name,revision,status,type" {
		t.Errorf("account fields = %s", got)
	}
	items, _, _, _ = list(t, e.get(`/public/v1/accounts/accounts?ilike(name,"*CONTOSO*")`))
	if join(ids(items)) != contoso {
		t.Errorf("ilike = %v", ids(items))
	}
	items, _, _, _ = list(t, e.get(`/public/v1/accounts/accounts?eq(modules.id,"MOD-1012")&select=modules`))
	if join(ids(items)) != fabrikam+","+operations || len(items[0]["modules"].([]any)) != 7 {
		t.Errorf("accounts with MOD-1012 = %v", ids(items))
	}

	acc := e.get("/public/v1/accounts/accounts/" + contoso + "?select=modules").object(t)
	var mods []string
	for _, m := range acc["modules"].([]any) {
		mm := m.(map[string]any)
		if len(mm) != 2 {
			t.Errorf("account module ref = %v, want id and name", mm)
		}
		mods = append(mods, mm["id"].(string)+"="+mm["name"].(string))
	}
	want := "MOD-1001=Orders,MOD-1002=Subscriptions,MOD-1003=Agreements,MOD-1004=Catalog,MOD-1005=Billing,MOD-1006=Statements,MOD-1007=Helpdesk,MOD-1009=Spotlight"
	if join(mods) != want {
		t.Errorf("modules = %s", join(mods))
	}
	empty := e.get("/public/v1/accounts/accounts/" + northwind + "?select=modules").object(t)
	if m, ok := empty["modules"].([]any); !ok || len(m) != 0 {
		t.Errorf("empty account modules = %#v, want []", empty["modules"])
	}
	if _, ok := e.get("/public/v1/accounts/accounts/" + contoso).object(t)["modules"]; ok {
		t.Error("modules shown without select")
	}
}
