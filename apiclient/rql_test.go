package apiclient

import (
	"net/url"
	"strings"
	"testing"
)

func TestRQLHelpers(t *testing.T) {
	for got, want := range map[string]string{
		Eq("name", `a"b\c`):                 `eq(name,"a\"b\\c")`,
		Ne("status", "Deleted"):             `ne(status,"Deleted")`,
		Ilike("name", "*night*"):            `ilike(name,"*night*")`,
		Like("name", "x*"):                  `like(name,"x*")`,
		In("id", "A", `B"`, ""):             `in(id,("A","B\"",""))`,
		Ge("audit.created.at", "2026"):      `ge(audit.created.at,"2026")`,
		Gt("revision", "1"):                 `gt(revision,"1")`,
		Lt("a", "1") + Le("b", "2"):         `lt(a,"1")le(b,"2")`,
		And(Eq("a", "1"), "", Eq("b", "2")): `and(eq(a,"1"),eq(b,"2"))`,
		And(Eq("a", "1")):                   `eq(a,"1")`,
		And():                               ``,
		Or(Eq("a", "1"), Eq("b", "),eq(x")): `or(eq(a,"1"),eq(b,"),eq(x"))`,
		Not(Eq("a", "1")):                   `not(eq(a,"1"))`,
		RQLString(`\"`):                     `"\\\""`,
	} {
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
}

func TestEncodeQuery(t *testing.T) {
	q := Eq("name", `a&b=c d+e#f%g"h\i`) + "&" + Eq("x", "é") + "&select=+accountTypes&order=-name&limit=10"
	enc := encodeQuery(q)
	for _, bad := range []string{" ", "#", "+", "é"} {
		if strings.Contains(enc, bad) {
			t.Errorf("%q left in %s", bad, enc)
		}
	}
	// Only the structural & and = stay raw.
	if strings.Count(enc, "&") != 4 || strings.Count(enc, "=") != 3 {
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
	if err != nil || s != `eq(a,"1")&select=accountTypes&order=name&limit=1000&offset=2000` {
		t.Errorf("ListOptions: %q %v", s, err)
	}
	if _, err := (&ListOptions{Limit: -1}).query(); err == nil {
		t.Error("negative limit")
	}
}
