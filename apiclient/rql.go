package apiclient

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RQL helpers. RQL as the platform documents it has no escapes: a value is
// double-quoted, or single-quoted when it holds a double quote (use the
// other quote to include a quote mark), so text a person typed cannot
// change the query's structure. A value holding both quote kinds cannot be
// written exactly: Eq and Ilike then write a wider ilike pattern in which
// each `"` is the wildcard `*`, double-quoted (the caller compares the
// answers exactly, as FindLostAPIToken does), and the other operators
// write each `"` as `'`: RQL cannot say such a value exactly.
// Field names are written as given: pass constants, not user input.

// RQLQuote quotes s as an RQL string value: "s", or 's' when s holds a
// double quote. exact is false when s holds both quote kinds: then the
// value is double-quoted with each `"` replaced by `'`.
func RQLQuote(s string) (quoted string, exact bool) {
	switch {
	case !strings.Contains(s, `"`):
		return `"` + s + `"`, true
	case !strings.Contains(s, "'"):
		return "'" + s + "'", true
	}
	return `"` + strings.ReplaceAll(s, `"`, "'") + `"`, false
}

// RQLString is the quoted value of RQLQuote.
func RQLString(s string) string {
	q, _ := RQLQuote(s)
	return q
}

// RQLTime writes a time as the platform's dates: UTC with milliseconds,
// 2026-01-31T23:00:00.000Z.
func RQLTime(t time.Time) string { return t.UTC().Format(rqlTimeLayout) }

const rqlTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// hasBothQuotes reports a value that cannot be quoted exactly.
func hasBothQuotes(s string) bool { return strings.Contains(s, `"`) && strings.Contains(s, "'") }

// likePattern turns a value holding both quote kinds into an ilike pattern
// matching at least it: a literal `*` becomes `\*`, each `"` the wildcard.
func likePattern(s string) string {
	s = strings.ReplaceAll(s, "*", `\*`)
	return `"` + strings.ReplaceAll(s, `"`, "*") + `"` // only ' is left in it
}

func op(name, field, value string) string {
	return name + "(" + field + "," + RQLString(value) + ")"
}

// Eq is eq(field,"value"); see the package's quoting rule for a value
// holding both quote kinds (it becomes a wider ilike).
func Eq(field, value string) string {
	if hasBothQuotes(value) {
		return "ilike(" + field + "," + likePattern(value) + ")"
	}
	return op("eq", field, value)
}

// Ne is ne(field,"value").
func Ne(field, value string) string { return op("ne", field, value) }

// Like is like(field,"pattern"), case-sensitive; `*` is the wildcard.
func Like(field, pattern string) string { return op("like", field, pattern) }

// Contains is a case-insensitive ilike of field holding s anywhere; a `*`
// in s is taken literally.
func Contains(field, s string) string {
	return Ilike(field, "*"+strings.ReplaceAll(s, "*", `\*`)+"*")
}

// Ilike is ilike(field,"pattern"), case-insensitive; `*` is the wildcard.
func Ilike(field, pattern string) string {
	if hasBothQuotes(pattern) {
		return "ilike(" + field + `,"` + strings.ReplaceAll(pattern, `"`, "*") + `")`
	}
	return op("ilike", field, pattern)
}

// Gt is gt(field,"value"); times compare as times when both parse as RFC 3339.
func Gt(field, value string) string { return op("gt", field, value) }

// Ge is ge(field,"value").
func Ge(field, value string) string { return op("ge", field, value) }

// Lt is lt(field,"value").
func Lt(field, value string) string { return op("lt", field, value) }

// Le is le(field,"value").
func Le(field, value string) string { return op("le", field, value) }

// In is in(field,("a","b",…)).
func In(field string, values ...string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = RQLString(v)
	}
	return "in(" + field + ",(" + strings.Join(quoted, ",") + "))"
}

// And is and(t1,t2,…); one term is returned as is, none gives "".
func And(terms ...string) string { return combine("and", terms) }

// Or is or(t1,t2,…); one term is returned as is, none gives "".
func Or(terms ...string) string { return combine("or", terms) }

// Not is not(term).
func Not(term string) string { return "not(" + term + ")" }

func combine(name string, terms []string) string {
	kept := make([]string, 0, len(terms))
	for _, t := range terms {
		if t != "" {
			kept = append(kept, t)
		}
	}
	switch len(kept) {
	case 0:
		return ""
	case 1:
		return kept[0]
	}
	return name + "(" + strings.Join(kept, ",") + ")"
}

// query renders list options as a raw query string: the filter's terms, then
// select, order, limit and offset, joined by `&` and percent-encoded by
// encodeQuery.
func (o *ListOptions) query() (string, error) {
	if o == nil {
		return "", nil
	}
	if o.Limit < 0 || o.Offset < 0 {
		return "", errors.New("apiclient: ListOptions: negative limit or offset")
	}
	var parts []string
	filter := strings.Trim(strings.TrimSpace(o.Filter), "&")
	if filter != "" {
		parts = append(parts, filter)
	}
	sel := strings.TrimSpace(o.Select)
	if needsAudit(filter, o.Order) && !selectsAudit(sel) {
		// The API filters and sorts on audit.* only when audit is selected.
		sel = strings.Trim(sel+",audit", ",")
	}
	if sel != "" {
		parts = append(parts, "select="+sel)
	}
	if s := strings.TrimSpace(o.Order); s != "" {
		parts = append(parts, "order="+s)
	}
	if o.Limit > 0 {
		parts = append(parts, "limit="+strconv.Itoa(min(o.Limit, MaxPageSize)))
	}
	if o.Offset > 0 {
		parts = append(parts, "offset="+strconv.Itoa(o.Offset))
	}
	return encodeQuery(strings.Join(parts, "&")), nil
}

// needsAudit reports a filter or sort on an audit.* field. The check is on
// the text outside quoted values, so a name containing "audit." does not
// count.
func needsAudit(filter, order string) bool {
	return strings.Contains(unquoted(filter), "audit.") || strings.Contains(order, "audit.")
}

// selectsAudit reports a select list that already adds audit.
func selectsAudit(sel string) bool {
	return slices.ContainsFunc(strings.Split(sel, ","), func(f string) bool {
		f = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(f), "+"))
		return f == "audit"
	})
}

// unquoted is s with every quoted value emptied.
func unquoted(s string) string {
	var b strings.Builder
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			continue
		case c == '"' || c == '\'':
			quote = c
		}
		b.WriteByte(c)
	}
	return b.String()
}

// encodeQuery percent-encodes an RQL query string for a URL. Outside quoted
// values RQL's punctuation is kept (`(),&=*` …); inside them everything but
// unreserved characters and `*` is percent-encoded, `&`, `=`, `+`, `#`, `%`
// and spaces included, so a value cannot split a term. `+` is always encoded
// (%2B), so a server that decodes `+` as a space reads the same text.
func encodeQuery(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	var quote byte // the quote of the value being written, 0 outside
	for i := 0; i < len(s); i++ {
		c := s[i]
		keep := false
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			keep = true
		case c == '-', c == '.', c == '_', c == '~', c == '*', c == '(', c == ')', c == ',', c == ':', c == '!', c == '@', c == '/':
			keep = true
		case c == '"' || c == '\'':
			keep = true
			switch quote {
			case 0:
				quote = c
			case c:
				quote = 0
			}
		case c == '&', c == '=':
			keep = quote == 0
		}
		if keep {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
