package sandbox

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxRQLDepth bounds the nesting of and/or/not, so a hostile query cannot
// run the parser's stack deep.
const maxRQLDepth = 32

// rqlNode is a parsed RQL expression.
type rqlNode interface {
	match(o object) bool
}

// cmpNode compares a field with a value (or, for in, a set of values). A
// field holding an array matches when any element matches; ne is the
// negation of eq, so it matches when no element is equal.
type cmpNode struct {
	op    string
	path  []string
	value string
	null  bool // the value is null(): eq matches a null or missing field
	set   []string
}

func (n *cmpNode) match(o object) bool {
	vals := values(o, n.path, nil)
	switch {
	case n.null && n.op == "eq":
		return len(vals) == 0
	case n.null && n.op == "ne":
		return len(vals) > 0
	case n.null:
		return false
	case n.op == "ne":
		return !n.any(vals, "eq")
	case n.op == "out":
		return !n.any(vals, "in")
	}
	return n.any(vals, n.op)
}

// anyNode is any(collection,expr) or all(...): expr is matched against each
// element of the collection, with its fields relative to the element.
type anyNode struct {
	all  bool
	path []string
	kid  rqlNode
}

func (n *anyNode) match(o object) bool {
	elems := elements(o, n.path, nil)
	for _, e := range elems {
		if n.kid.match(e) != n.all {
			return !n.all
		}
	}
	return n.all && len(elems) > 0
}

// elements collects the objects at a dotted path, flattening arrays.
func elements(v any, path []string, out []object) []object {
	switch x := v.(type) {
	case object:
		if len(path) == 0 {
			return append(out, x)
		}
		if child, ok := x.get(path[0]); ok {
			return elements(child, path[1:], out)
		}
	case []object:
		for _, e := range x {
			out = elements(e, path, out)
		}
	}
	return out
}

func (n *cmpNode) any(vals []string, op string) bool {
	for _, v := range vals {
		var ok bool
		switch op {
		case "eq":
			ok = v == n.value
		case "like":
			ok = globMatch(n.value, v)
		case "ilike":
			ok = globMatch(strings.ToLower(n.value), strings.ToLower(v))
		case "in":
			for _, s := range n.set {
				if v == s {
					ok = true
					break
				}
			}
		case "gt":
			ok = compareValues(v, n.value) > 0
		case "ge":
			ok = compareValues(v, n.value) >= 0
		case "lt":
			ok = compareValues(v, n.value) < 0
		case "le":
			ok = compareValues(v, n.value) <= 0
		}
		if ok {
			return true
		}
	}
	return false
}

type logicNode struct {
	and  bool
	kids []rqlNode
}

func (n *logicNode) match(o object) bool {
	for _, k := range n.kids {
		if k.match(o) != n.and {
			return !n.and
		}
	}
	return n.and
}

type notNode struct{ kid rqlNode }

func (n *notNode) match(o object) bool { return !n.kid.match(o) }

// compareValues orders two field values: as instants when both are RFC 3339
// times, as numbers when both are integers, else lexically.
func compareValues(a, b string) int {
	if ta, err := time.Parse(time.RFC3339Nano, a); err == nil {
		if tb, err := time.Parse(time.RFC3339Nano, b); err == nil {
			return ta.Compare(tb)
		}
	}
	if ia, err := strconv.ParseInt(a, 10, 64); err == nil {
		if ib, err := strconv.ParseInt(b, 10, 64); err == nil {
			switch {
			case ia < ib:
				return -1
			case ia > ib:
				return 1
			}
			return 0
		}
	}
	return strings.Compare(a, b)
}

// sortKey is a field value parsed once for sorting: compare orders two
// keys as compareValues orders their values.
type sortKey struct {
	s      string
	t      time.Time
	i      int64
	isTime bool
	isInt  bool
}

func newSortKey(s string) sortKey {
	k := sortKey{s: s}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		k.t, k.isTime = t, true
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		k.i, k.isInt = i, true
	}
	return k
}

func (a sortKey) compare(b sortKey) int {
	switch {
	case a.isTime && b.isTime:
		return a.t.Compare(b.t)
	case a.isInt && b.isInt:
		return cmp.Compare(a.i, b.i)
	}
	return strings.Compare(a.s, b.s)
}

// globMatch matches s against pattern, where * stands for any run of
// characters, \* for a literal star, and everything else is literal.
func globMatch(pattern, s string) bool {
	parts := splitGlob(pattern)
	if len(parts) == 1 {
		return parts[0] == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

// splitGlob splits a pattern at its unescaped stars, unescaping \*.
func splitGlob(pattern string) []string {
	var parts []string
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		switch {
		case pattern[i] == '\\' && i+1 < len(pattern) && pattern[i+1] == '*':
			b.WriteByte('*')
			i++
		case pattern[i] == '*':
			parts = append(parts, b.String())
			b.Reset()
		default:
			b.WriteByte(pattern[i])
		}
	}
	return append(parts, b.String())
}

// rqlError is a message for the client, reported under errors.rql.
type rqlError struct{ msg string }

func (e *rqlError) Error() string { return e.msg }

// rqlParser is a recursive-descent parser for the subset in the wire
// contract:
//
// documentation gives:
//
//	expr   = op "(" field "," value ")"            op: eq ne like ilike gt ge lt le
//	       | ("in" | "out") "(" field "," "(" value {"," value} ")" ")"
//	       | ("and" | "or") "(" expr {"," expr} ")"
//	       | "not" "(" expr ")"
//	       | ("any" | "all") "(" field "," expr ")"   expr's fields relative to field
//	field  = name {"." name}
//	value  = '"' {char | '\"' | '\\'} '"' | "'" {char} "'" | bare | "empty()" | "null()"
//	bare   = {char but , ( ) quote space}
//
// In a value, \* stays as is for ilike and like to read as a literal star.
type rqlParser struct {
	src    string
	pos    int
	depth  int
	fields *fieldSet
	prefix string          // the collection an any/all is inside, with a dot
	used   map[string]bool // fields the expression mentions
}

// parseRQL parses one expression and reports the fields it mentions.
func parseRQL(src string, fields *fieldSet) (rqlNode, map[string]bool, error) {
	p := &rqlParser{src: src, fields: fields, used: map[string]bool{}}
	n, err := p.expr()
	if err != nil {
		return nil, nil, err
	}
	p.space()
	if p.pos < len(p.src) {
		return nil, nil, p.fail("Unexpected %q at position %d of %q.", p.src[p.pos:p.pos+1], p.pos, p.src)
	}
	return n, p.used, nil
}

func (p *rqlParser) fail(format string, args ...any) error {
	return &rqlError{msg: fmt.Sprintf(format, args...)}
}

func (p *rqlParser) space() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

func (p *rqlParser) expect(c byte) error {
	p.space()
	if p.pos < len(p.src) && p.src[p.pos] == c {
		p.pos++
		return nil
	}
	if p.pos >= len(p.src) {
		return p.fail("Expected %q at the end of %q.", string(c), p.src)
	}
	return p.fail("Expected %q at position %d of %q, found %q.", string(c), p.pos, p.src, p.src[p.pos:p.pos+1])
}

func (p *rqlParser) name() string {
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '_' || c == '$' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' ||
			(p.pos > start && ('0' <= c && c <= '9' || c == '.')) {
			p.pos++
			continue
		}
		break
	}
	return p.src[start:p.pos]
}

func (p *rqlParser) expr() (rqlNode, error) {
	if p.depth++; p.depth > maxRQLDepth {
		return nil, p.fail("The query nests more than %d levels.", maxRQLDepth)
	}
	defer func() { p.depth-- }()
	p.space()
	at := p.pos
	op := p.name()
	if op == "" {
		if p.pos >= len(p.src) {
			return nil, p.fail("Expected an expression such as eq(name,\"value\") at the end of %q.", p.src)
		}
		return nil, p.fail("Expected an expression such as eq(name,\"value\") at position %d of %q.", p.pos, p.src)
	}
	switch op {
	case "and", "or", "not", "in", "out", "any", "all", "eq", "ne", "like", "ilike", "gt", "ge", "lt", "le":
	default:
		return nil, p.fail("Unknown operator %q at position %d: use eq, ne, like, ilike, in, out, gt, ge, lt, le, and, or, not, any or all.", op, at)
	}
	if err := p.expect('('); err != nil {
		return nil, err
	}
	var n rqlNode
	switch op {
	case "and", "or":
		logic := &logicNode{and: op == "and"}
		for {
			kid, err := p.expr()
			if err != nil {
				return nil, err
			}
			logic.kids = append(logic.kids, kid)
			p.space()
			if p.pos < len(p.src) && p.src[p.pos] == ',' {
				p.pos++
				continue
			}
			break
		}
		n = logic
	case "not":
		kid, err := p.expr()
		if err != nil {
			return nil, err
		}
		n = &notNode{kid: kid}
	case "any", "all":
		field, err := p.collection()
		if err != nil {
			return nil, err
		}
		if err := p.expect(','); err != nil {
			return nil, err
		}
		outer := p.prefix
		p.prefix = outer + field + "."
		kid, err := p.expr()
		p.prefix = outer
		if err != nil {
			return nil, err
		}
		n = &anyNode{all: op == "all", path: strings.Split(field, "."), kid: kid}
	default:
		field, err := p.field()
		if err != nil {
			return nil, err
		}
		if err := p.expect(','); err != nil {
			return nil, err
		}
		cmp := &cmpNode{op: op, path: strings.Split(field, ".")}
		if op == "in" || op == "out" {
			if cmp.set, err = p.list(); err != nil {
				return nil, err
			}
		} else if cmp.value, cmp.null, err = p.value(); err != nil {
			return nil, err
		}
		n = cmp
	}
	if err := p.expect(')'); err != nil {
		return nil, err
	}
	return n, nil
}

func (p *rqlParser) field() (string, error) {
	p.space()
	at := p.pos
	f := p.name()
	if f == "" {
		return "", p.fail("Expected a field name at position %d of %q.", at, p.src)
	}
	if !p.fields.filter[p.prefix+f] {
		return "", p.fail("Unknown field %q: filter on %s.", p.prefix+f, p.fields.filterList())
	}
	p.used[p.prefix+f] = true
	return f, nil
}

// collection reads the field an any or all ranges over: a prefix of some
// filterable field.
func (p *rqlParser) collection() (string, error) {
	p.space()
	at := p.pos
	f := p.name()
	if f == "" {
		return "", p.fail("Expected a field name at position %d of %q.", at, p.src)
	}
	for known := range p.fields.filter {
		if strings.HasPrefix(known, p.prefix+f+".") {
			return f, nil
		}
	}
	return "", p.fail("Unknown collection %q: any and all range over a field with members, such as modules.", p.prefix+f)
}

func (p *rqlParser) list() ([]string, error) {
	if err := p.expect('('); err != nil {
		return nil, err
	}
	var set []string
	for {
		v, null, err := p.value()
		if err != nil {
			return nil, err
		}
		if null {
			return nil, p.fail("null() cannot be listed in %q: use eq(field,null()).", p.src)
		}
		set = append(set, v)
		p.space()
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		break
	}
	return set, p.expect(')')
}

// value reads a double-quoted value (\" and \\ are its escapes), a
// single-quoted one (no escapes: use the other quote to hold a quote mark),
// a bare one, or the constants empty() and null(). It reports whether the
// value is null(). \* is kept as is, for like and ilike to read.
func (p *rqlParser) value() (string, bool, error) {
	p.space()
	if p.pos >= len(p.src) {
		return "", false, p.fail("Expected a value at the end of %q.", p.src)
	}
	start := p.pos
	switch q := p.src[p.pos]; q {
	case '"', '\'':
		p.pos++
		var b strings.Builder
		for p.pos < len(p.src) {
			c := p.src[p.pos]
			switch {
			case c == q:
				p.pos++
				return b.String(), false, nil
			case c == '\\' && q == '"' && p.pos+1 < len(p.src) && (p.src[p.pos+1] == '"' || p.src[p.pos+1] == '\\'):
				b.WriteByte(p.src[p.pos+1])
				p.pos += 2
			default:
				b.WriteByte(c)
				p.pos++
			}
		}
		return "", false, p.fail("The value starting at position %d of %q has no closing quote.", start, p.src)
	}
	for _, c := range []string{"empty()", "null()"} {
		if strings.HasPrefix(p.src[p.pos:], c) {
			p.pos += len(c)
			return "", c == "null()", nil
		}
	}
	for p.pos < len(p.src) && !strings.ContainsRune(",()\"' \t", rune(p.src[p.pos])) {
		p.pos++
	}
	if p.pos == start {
		return "", false, p.fail("Expected a value at position %d of %q.", p.pos, p.src)
	}
	return p.src[start:p.pos], false, nil
}
