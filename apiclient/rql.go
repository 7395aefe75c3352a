package apiclient

import (
	"errors"
	"strconv"
	"strings"
)

// RQL helpers. Values are always double-quoted with `"` and `\` escaped, so
// text a person typed cannot change the query's structure. Field names are
// written as given: pass constants, not user input.

// RQLString quotes s as an RQL string value: "…" with `"` and `\` escaped.
func RQLString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

func op(name, field, value string) string {
	return name + "(" + field + "," + RQLString(value) + ")"
}

// Eq is eq(field,"value").
func Eq(field, value string) string { return op("eq", field, value) }

// Ne is ne(field,"value").
func Ne(field, value string) string { return op("ne", field, value) }

// Like is like(field,"pattern"), case-sensitive; `*` is the wildcard.
func Like(field, pattern string) string { return op("like", field, pattern) }

// Ilike is ilike(field,"pattern"), case-insensitive; `*` is the wildcard.
func Ilike(field, pattern string) string { return op("ilike", field, pattern) }

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
	if f := strings.Trim(strings.TrimSpace(o.Filter), "&"); f != "" {
		parts = append(parts, f)
	}
	if s := strings.TrimSpace(o.Select); s != "" {
		parts = append(parts, "select="+s)
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

// encodeQuery percent-encodes an RQL query string for a URL. Outside quoted
// values RQL's punctuation is kept (`(),&=*` …); inside them everything but
// unreserved characters and `*` is percent-encoded, `&`, `=`, `+`, `#`, `%`
// and spaces included, so a value cannot split a term. `+` is always encoded
// (%2B), so a server that decodes `+` as a space reads the same text.
func encodeQuery(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	inQuote, escaped := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		keep := false
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			keep = true
		case c == '-', c == '.', c == '_', c == '~', c == '*', c == '(', c == ')', c == ',', c == ':', c == '!', c == '\'', c == '@', c == '/':
			keep = true
		case c == '"':
			keep = true
			if !inQuote {
				inQuote = true
			} else if !escaped {
				inQuote = false
			}
		case c == '&', c == '=':
			keep = !inQuote
		}
		if inQuote && c == '\\' && !escaped {
			escaped = true
		} else {
			escaped = false
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
