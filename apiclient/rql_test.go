package apiclient

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestRQLHelpers(t *testing.T) {
	for got, want := range map[string]string{
		// No backslash escapes: the other quote holds a quote mark.
		Eq("name", `Say "hi"`): `eq(name,'Say "hi"')`,
		Eq("name", `it's`):     `eq(name,"it's")`,
		Eq("name", `a\b`):      `eq(name,"a\b")`,
		// Both quote kinds: a wider ilike, the caller compares exactly.
		Eq("name", `it's "x" *`):            `ilike(name,"it's *x* \*")`,
		Ilike("name", `*it's "x"*`):         `ilike(name,"*it's *x**")`,
		Ne("name", `it's "x"`):              `ne(name,"it's 'x'")`,
		Ne("status", "Deleted"):             `ne(status,"Deleted")`,
		Ilike("name", "*night*"):            `ilike(name,"*night*")`,
		Like("name", "x*"):                  `like(name,"x*")`,
		In("id", "A", `B"`, ""):             `in(id,("A",'B"',""))`,
		Ge("audit.created.at", "2026"):      `ge(audit.created.at,"2026")`,
		Gt("revision", "1"):                 `gt(revision,"1")`,
		Lt("a", "1") + Le("b", "2"):         `lt(a,"1")le(b,"2")`,
		And(Eq("a", "1"), "", Eq("b", "2")): `and(eq(a,"1"),eq(b,"2"))`,
		And(Eq("a", "1")):                   `eq(a,"1")`,
		And():                               ``,
		Or(Eq("a", "1"), Eq("b", "),eq(x")): `or(eq(a,"1"),eq(b,"),eq(x"))`,
		Not(Eq("a", "1")):                   `not(eq(a,"1"))`,
		RQLString(`"`):                      `'"'`,
		RQLTime(time.Date(2026, 1, 31, 23, 0, 0, 0, time.UTC)):                          `2026-01-31T23:00:00.000Z`,
		RQLTime(time.Date(2026, 2, 1, 0, 0, 0, 123456789, time.FixedZone("CET", 3600))): `2026-01-31T23:00:00.123Z`,
	} {
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
	if _, exact := RQLQuote(`a'b"c`); exact {
		t.Error("a value with both quote kinds cannot be exact")
	}
}

// TestAuditSelected: a filter or sort on audit.* selects audit; a quoted
// value that merely mentions "audit." does not.
func TestAuditSelected(t *testing.T) {
	for _, tt := range []struct {
		o    ListOptions
		want string
	}{
		{ListOptions{Filter: Ge("audit.created.at", "x")}, `ge(audit.created.at,"x")&select=audit`},
		{ListOptions{Order: "-audit.created.at"}, `select=audit&order=-audit.created.at`},
		{ListOptions{Order: "-audit.created.at", Select: "modules"}, `select=modules,audit&order=-audit.created.at`},
		{ListOptions{Order: "-audit.created.at", Select: "+audit"}, `select=+audit&order=-audit.created.at`},
		{ListOptions{Filter: Eq("name", "audit.x")}, `eq(name,"audit.x")`},
		{ListOptions{Filter: Eq("name", `"audit.x`)}, `eq(name,'"audit.x')`},
	} {
		q, err := tt.o.query()
		raw, _ := url.PathUnescape(q)
		if err != nil || raw != tt.want {
			t.Errorf("%+v: %q %v, want %q", tt.o, raw, err, tt.want)
		}
	}
}

func TestEncodeQuery(t *testing.T) {
	q := Eq("name", `a&b=c d+e#f%g"h\i`) + "&" + Eq("x", "é") + "&" + Eq("y", `'&='`) + "&select=+accountTypes&order=-name&limit=10"
	enc := encodeQuery(q)
	for _, bad := range []string{" ", "#", "+", "é"} {
		if strings.Contains(enc, bad) {
			t.Errorf("%q left in %s", bad, enc)
		}
	}
	// Only the structural & and = stay raw.
	if strings.Count(enc, "&") != 5 || strings.Count(enc, "=") != 3 {
		t.Errorf("structure: %s", enc)
	}
	for _, unescape := range []func(string) (string, error){url.PathUnescape, url.QueryUnescape} {
		back, err := unescape(enc)
		if err != nil || back != q {
			t.Errorf("round trip: %q vs %q (%v)", back, q, err)
		}
	}
	// Splitting the raw query on & first gives the terms back.
	terms := strings.Split(enc, "&")
	if first, _ := url.QueryUnescape(terms[0]); first != Eq("name", `a&b=c d+e#f%g"h\i`) {
		t.Errorf("first term %q", first)
	}
	opts := &ListOptions{Filter: Eq("a", "1") + "&", Select: "accountTypes", Order: "name", Limit: 5000, Offset: 2000}
	s, err := opts.query()
	if err != nil || s != `eq(a,"1")&select=accountTypes&order=name&limit=100&offset=2000` {
		t.Errorf("ListOptions: %q %v", s, err)
	}
	if _, err := (&ListOptions{Limit: -1}).query(); err == nil {
		t.Error("negative limit")
	}
}
