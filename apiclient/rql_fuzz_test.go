package apiclient

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzRQLValue: whatever a person types, Eq and Ilike give one term of the
// expected shape (text outside the quotes is fixed), the value between the
// quotes is the input (or, with both quote kinds, its documented wider
// pattern), and the encoded query decodes back to the term with no & or =
// outside it.
func FuzzRQLValue(f *testing.F) {
	for _, s := range []string{"", "plain", `Say "hi"`, "it's", `it's "x"`, `a\b`, "a&b=c", "),eq(x", "'", `"`, "*", "é 日本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, term := range []string{Eq("name", s), Ilike("name", s)} {
			shape := unquoted(term)
			switch shape {
			case `eq(name,"")`, `eq(name,'')`, `ilike(name,"")`, `ilike(name,'')`:
			default:
				t.Fatalf("%q: term %q has shape %q", s, term, shape)
			}
			open := strings.IndexAny(term, `"'`)
			inner := term[open+1 : len(term)-2]
			if !hasBothQuotes(s) && strings.HasPrefix(term, "eq") && inner != s {
				t.Fatalf("%q: value %q changed", s, inner)
			}
			enc := encodeQuery(term)
			if strings.ContainsAny(enc, "&=") {
				t.Fatalf("%q: & or = left raw in %q", s, enc)
			}
			if back, err := url.PathUnescape(enc); err != nil || back != term {
				t.Fatalf("%q: %q decodes to %q (%v)", s, enc, back, err)
			}
		}
	})
}
