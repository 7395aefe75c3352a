package sandbox

import (
	"strings"
	"testing"
)

var rqlSample = object{
	{"id", "TKN-0001-0002"},
	{"name", "Nightly Export"},
	{"description", nil},
	{"revision", 3},
	{"audit", object{{"created", object{{"at", "2026-11-27T10:00:00.000Z"}}}}},
	{"account", object{{"id", "ACC-1000-0001"}}},
	{"modules", []object{{{"id", "MOD-1001"}}, {{"id", "MOD-1005"}}}},
}

func TestRQLMatch(t *testing.T) {
	tests := []struct {
		expr string
		want bool
	}{
		{`eq(name,"Nightly Export")`, true},
		{`eq(name,"nightly export")`, false},
		{`ne(name,"x")`, true},
		{`ne(modules.id,"MOD-1001")`, false}, // no element may equal
		{`ne(description,"x")`, true},
		{`eq(description,"")`, false},
		{`like(name,"Nightly*")`, true},
		{`like(name,"nightly*")`, false},
		{`ilike(name,"nightly*")`, true},
		{`ilike(name,"*EXP*")`, true},
		{`ilike(name,"*exp")`, false},
		{`like(name,"*")`, true},
		{`like(name,"N*y*t")`, true},
		{`like(name,"N*z*t")`, false},
		{`in(account.id,("ACC-2000-0001","ACC-1000-0001"))`, true},
		{`in(account.id,("ACC-2000-0001"))`, false},
		{`eq(modules.id,"MOD-1005")`, true},
		{`eq(modules.id,"MOD-1002")`, false},
		{`gt(audit.created.at,"2026-11-27T09:59:59.999Z")`, true},
		{`gt(audit.created.at,"2026-11-27T11:00:00+01:00")`, false}, // same instant
		{`ge(audit.created.at,"2026-11-27T11:00:00+01:00")`, true},
		{`lt(audit.created.at,"2027-01-01T00:00:00Z")`, true},
		{`le(revision,"2")`, false},
		{`gt(revision,"10")`, false}, // numeric, not lexical
		{`lt(name,"O")`, true},       // lexical
		{`and(eq(name,"Nightly Export"),eq(revision,"3"))`, true},
		{`and(eq(name,"Nightly Export"),eq(revision,"4"))`, false},
		{`or(eq(name,"x"),eq(revision,"3"),eq(id,"y"))`, true},
		{`not(or(eq(name,"x"),eq(id,"y")))`, true},
		{` and( eq( name , "Nightly Export" ) , not( eq(id,"x") ) ) `, true},
		// The documented forms: single quotes, bare values, constants.
		{`eq(name,'Nightly Export')`, true},
		{`eq(name,'Nightly "Export"')`, false},
		{`eq(revision,3)`, true},
		{`eq(account.id,ACC-1000-0001)`, true},
		{`ilike(name,*EXPORT)`, true},
		{`eq(description,null())`, true},
		{`ne(description,null())`, false},
		{`eq(name,null())`, false},
		{`ne(name,null())`, true},
		{`eq(description,empty())`, false}, // null is not empty
		{`out(account.id,("ACC-1000-0001"))`, false},
		{`out(account.id,(ACC-2000-0001,'ACC-3000-0001'))`, true},
		{`any(modules,eq(id,MOD-1005))`, true},
		{`any(modules,eq(id,MOD-1002))`, false},
		{`all(modules,ilike(id,mod-*))`, true},
		{`all(modules,eq(id,MOD-1001))`, false},
		{`ilike(name,"Nightly\*")`, false}, // a literal star
	}
	fs := newFieldSet([]string{"id", "name", "description", "revision", "audit.created.at", "account.id", "modules.id"}, nil, nil)
	for _, tt := range tests {
		n, _, err := parseRQL(tt.expr, fs)
		if err != nil {
			t.Errorf("%s: %v", tt.expr, err)
			continue
		}
		if got := n.match(rqlSample); got != tt.want {
			t.Errorf("%s = %v, want %v", tt.expr, got, tt.want)
		}
	}
}

func TestRQLParseErrors(t *testing.T) {
	fs := newFieldSet([]string{"name", "account.id"}, nil, nil)
	tests := []struct{ expr, want string }{
		{``, `Expected an expression such as eq(name,"value") at the end of ""`},
		{`eq`, `Expected "(" at the end of "eq"`},
		{`eq(`, `Expected a field name at position 3`},
		{`eq(name`, `Expected "," at the end`},
		{`eq(name,`, `Expected a value at the end`},
		{`eq(name,"x"`, `Expected ")" at the end`},
		{`eq(nope,"x")`, `Unknown field "nope": filter on account.id, name.`},
		{`eq(account,"x")`, `Unknown field "account"`},
		{`regex(name,"x")`, `Unknown operator "regex" at position 0`},
		{`in(name,"x")`, `Expected "(" at position 8`},
		{`in(name,())`, `Expected a value at position 9`},
		{`in(name,(null()))`, `null() cannot be listed`},
		{`eq(name,'x)`, `no closing quote`},
		{`any(name,eq(id,"x"))`, `Unknown collection "name"`},
		{`any(account,eq(nope,"x"))`, `Unknown field "account.nope"`},
		{`eq(name,"x") eq(name,"y")`, `Unexpected "e" at position 13`},
		{`(eq(name,"x"))`, `Expected an expression such as eq(name,"value") at position 0`},
		{`not(eq(name,"x"),eq(name,"y"))`, `Expected ")" at position 16`},
	}
	for _, tt := range tests {
		_, _, err := parseRQL(tt.expr, fs)
		if err == nil {
			t.Errorf("%q: no error", tt.expr)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %q, want %q", tt.expr, err, tt.want)
		}
	}
}

func TestRQLReportsUsedFields(t *testing.T) {
	fs := newFieldSet([]string{"name", "status"}, nil, nil)
	_, used, err := parseRQL(`or(eq(name,"a"),not(eq(status,"Deleted")))`, fs)
	if err != nil || !used["name"] || !used["status"] || len(used) != 2 {
		t.Errorf("used = %v, err = %v", used, err)
	}
}

func TestSplitTerms(t *testing.T) {
	got := splitTerms(`eq(name,"a&b")&eq(id,"\"&")&limit=1&`)
	want := []string{`eq(name,"a&b")`, `eq(id,"\"&")`, `limit=1`, ``}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("splitTerms = %q, want %q", got, want)
	}
}

func TestCompareValues(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"2026-11-27T10:00:00.000Z", "2026-11-27T11:00:00+01:00", 0},
		{"2026-11-27T10:00:00.001Z", "2026-11-27T10:00:00Z", 1},
		{"9", "10", -1},
		{"b", "a", 1},
		{"2026-11-27T10:00:00Z", "zzz", -1},
	} {
		if got := compareValues(tt.a, tt.b); got != tt.want {
			t.Errorf("compareValues(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func FuzzRQL(f *testing.F) {
	for _, s := range []string{
		`eq(name,"x")`,
		`and(ilike(name,"*a*b*"),or(in(account.id,("A","B")),not(gt(audit.created.at,"2026-01-01T00:00:00Z"))))`,
		`eq(name,"\"\\")`,
		`limit=5&offset=2&select=-audit,+modules&order=-name,audit.created.at&eq(status,"Active")`,
		`eq(name,"a&b")&&`,
		strings.Repeat("not(", 50) + `eq(name,"x")` + strings.Repeat(")", 50),
		`eq(name,%22x%22)`,
		`in(modules.id,())`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		n, _, err := parseRQL(q, tokenFields)
		if err == nil {
			n.match(rqlSample)
		}
		lq, errs := parseListQuery(q, tokenFields)
		if len(errs) == 0 {
			if lq.limit < 0 || lq.limit > maxLimit || lq.offset < 0 {
				t.Fatalf("limit %d, offset %d", lq.limit, lq.offset)
			}
			lq.page([]object{rqlSample, rqlSample})
		}
		_ = globMatch(q, q)
	})
}

func TestGlobEscapedStar(t *testing.T) {
	for _, tt := range []struct {
		pattern, s string
		want       bool
	}{
		{`a\*b`, "a*b", true},
		{`a\*b`, "axb", false},
		{`*\**`, "x*y", true},
		{`*\**`, "xy", false},
		{`\*`, "*", true},
		{`a*`, "a*b", true},
	} {
		if got := globMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}
