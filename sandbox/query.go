package sandbox

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Pagination limits of every collection. A larger limit is served as
// maxLimit, as the platform does, and the answer's pagination says so.
const (
	defaultLimit = 10
	maxLimit     = 100
)

// fieldSet describes a resource to the query layer.
type fieldSet struct {
	filter   map[string]bool // dotted paths that RQL and order may use
	top      map[string]bool // top-level keys that select may name
	optional map[string]bool // top-level keys shown only when selected
}

// newFieldSet builds a fieldSet. top lists what the sandbox renders; extra
// names the other fields of the published schema, which select accepts
// (the sandbox has nothing to show for them).
func newFieldSet(filter, top, optional []string, extra ...string) *fieldSet {
	set := func(xs []string) map[string]bool {
		m := make(map[string]bool, len(xs))
		for _, x := range xs {
			m[x] = true
		}
		return m
	}
	fs := &fieldSet{filter: set(filter), top: set(top), optional: set(optional)}
	for _, x := range extra {
		fs.top[x] = true
	}
	return fs
}

func (fs *fieldSet) filterList() string {
	names := make([]string, 0, len(fs.filter))
	for f := range fs.filter {
		names = append(names, f)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

var auditFields = []string{"audit.created.at", "audit.created.by.id", "audit.created.by.name",
	"audit.updated.at", "audit.updated.by.id", "audit.updated.by.name"}

var (
	tokenFields = newFieldSet(
		append([]string{"id", "name", "description", "icon", "status", "revision", "lastAccessAt",
			"account.id", "account.name", "account.type", "account.status",
			"modules.id", "modules.name", "extensions.id", "extensions.name"}, auditFields...),
		[]string{"id", "audit", "name", "icon", "revision", "status", "description", "lastAccessAt",
			"account", "modules", "extensions"},
		nil, "$meta", "token")
	moduleFields = newFieldSet(
		append([]string{"id", "name", "description", "revision", "accountTypes",
			"settings.default", "settings.paid", "settings.configurable", "settings.obsolete"}, auditFields...),
		[]string{"id", "name", "description", "revision", "settings", "accountTypes", "audit"},
		[]string{"accountTypes"}, "$meta", "isConfigurable", "isEnabledByDefault", "paid", "code", "filters")
	accountFields = newFieldSet(
		append([]string{"id", "name", "type", "status", "icon", "revision", "modules.id", "modules.name"}, auditFields...),
		[]string{"id", "name", "type", "status", "icon", "revision", "audit", "modules"},
		[]string{"modules"}, "$meta", "externalIds", "externalId", "externalName", "serviceLevel", "address",
		"technicalSupportEmail", "website", "description", "groups", "eligibility")
)

// listQuery is a parsed query string: RQL filter terms (an implicit and),
// select, order, limit and offset.
type listQuery struct {
	filter        rqlNode // nil matches everything
	order         []orderKey
	drop          map[string]bool // top-level keys select leaves out
	omitted       []string        // optional keys not selected, for $meta.omitted
	limit, offset int
	// key names the filter and order (the terms that decide which items
	// and in what order), so pages of one listing can share that work.
	key string
}

type orderKey struct {
	path []string
	desc bool
}

// parseQuery parses the request's query string, answering 400 with every
// problem under errors.rql when it cannot.
func parseQuery(x *exchange, fs *fieldSet) (*listQuery, bool) {
	q, errs := parseListQuery(x.r.URL.RawQuery, fs)
	if len(errs) > 0 {
		x.invalid(fieldErrors{"rql": errs})
		return nil, false
	}
	return q, true
}

func parseListQuery(raw string, fs *fieldSet) (*listQuery, []string) {
	q := &listQuery{limit: defaultLimit}
	// PathUnescape, not QueryUnescape: "+" is RQL syntax (select=+field),
	// not an encoded space.
	text, err := url.PathUnescape(raw)
	if err != nil {
		return nil, []string{"The query string is not correctly percent-encoded."}
	}
	var errs []string
	var filters []rqlNode
	seen := map[string]bool{}
	include := map[string]bool{}
	exclude := map[string]bool{}
	mentioned := map[string]bool{} // fields the filter and order use
	var keyParts []string
	for _, term := range splitTerms(text) {
		if strings.TrimSpace(term) == "" {
			continue
		}
		key, val, isParam := queryParam(term)
		if isParam && seen[key] {
			errs = append(errs, fmt.Sprintf("The %s parameter is given more than once.", key))
			continue
		}
		seen[key] = isParam
		if !isParam || (key != "limit" && key != "offset" && key != "select") {
			keyParts = append(keyParts, term)
		}
		switch {
		case !isParam && key != "" && fs.filter[key]:
			// field=value is shorthand for eq(field,value).
			n, used, err := parseRQL("eq("+key+","+val+")", fs)
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			filters = append(filters, n)
			for f := range used {
				mentioned[f] = true
			}
		case !isParam && key != "":
			errs = append(errs, fmt.Sprintf("Unknown query parameter %q: use RQL terms, field=value, select, order, limit and offset.", key))
		case key == "limit":
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 {
				errs = append(errs, fmt.Sprintf("The limit %q is not a non-negative integer.", val))
			}
			q.limit = min(n, maxLimit)
		case key == "offset":
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 {
				errs = append(errs, fmt.Sprintf("The offset %q is not a non-negative integer.", val))
			}
			q.offset = n
		case key == "select":
			for _, f := range strings.Split(val, ",") {
				f = strings.TrimSpace(f)
				name := strings.TrimLeft(f, "+-")
				switch {
				case name == "":
					errs = append(errs, fmt.Sprintf("The select %q names an empty field.", val))
				case !fs.top[name]:
					errs = append(errs, fmt.Sprintf("Unknown field %q in select.", name))
				case strings.HasPrefix(f, "-"):
					if name == "id" {
						errs = append(errs, "The id field cannot be left out.")
					}
					exclude[name] = true
				default:
					include[name] = true
				}
			}
		case key == "order":
			for _, f := range strings.Split(val, ",") {
				f = strings.TrimSpace(f)
				name := strings.TrimLeft(f, "+-")
				if !fs.filter[name] {
					errs = append(errs, fmt.Sprintf("Unknown field %q in order.", name))
					continue
				}
				mentioned[name] = true
				q.order = append(q.order, orderKey{path: strings.Split(name, "."), desc: strings.HasPrefix(f, "-")})
			}
		default:
			n, used, err := parseRQL(term, fs)
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			filters = append(filters, n)
			for f := range used {
				mentioned[f] = true
			}
		}
	}
	// The platform's documented rule: filtering or sorting on audit.*
	// needs select=audit. It is enforced, so a client that forgets it
	// finds out here rather than against the platform.
	if fs.top["audit"] && !include["audit"] {
		var bad []string
		for f := range mentioned {
			if strings.HasPrefix(f, "audit.") {
				bad = append(bad, f)
			}
		}
		sort.Strings(bad)
		for _, f := range bad {
			errs = append(errs, fmt.Sprintf("Filtering or sorting on %s needs select=audit.", f))
		}
	}
	switch len(filters) {
	case 0:
	case 1:
		q.filter = filters[0]
	default:
		q.filter = &logicNode{and: true, kids: filters}
	}
	q.drop = map[string]bool{}
	for k := range fs.optional {
		if !include[k] {
			q.drop[k] = true
			q.omitted = append(q.omitted, k)
		}
	}
	sort.Strings(q.omitted)
	for k := range exclude {
		q.drop[k] = true
	}
	q.key = strings.Join(keyParts, "\x00")
	return q, errs
}

// queryParam splits a name=value parameter. A term whose first '=' comes
// before any '(' is a parameter; anything else is an RQL term (key "").
func queryParam(term string) (key, val string, known bool) {
	eq := strings.IndexByte(term, '=')
	if eq < 0 || (strings.IndexByte(term, '(') >= 0 && strings.IndexByte(term, '(') < eq) {
		return "", "", false
	}
	key, val = term[:eq], term[eq+1:]
	switch key {
	case "select", "order", "limit", "offset":
		return key, val, true
	}
	return key, val, false
}

// splitTerms splits on '&' outside quotes, so a value may hold one.
func splitTerms(s string) []string {
	var terms []string
	start, quote := 0, byte(0)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quote == '"':
			i++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '&':
			terms = append(terms, s[start:i])
			start = i + 1
		}
	}
	return append(terms, s[start:])
}

// shape applies select to one object.
func (q *listQuery) shape(o object) object {
	if len(q.drop) == 0 {
		return o
	}
	return o.without(q.drop)
}

type pagination struct {
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
	Total  int `json:"total"`
}

type listMeta struct {
	Pagination pagination `json:"pagination"`
	Omitted    []string   `json:"omitted,omitempty"`
}

type envelope struct {
	Data []object `json:"data"`
	Meta listMeta `json:"$meta"`
}

// appendJSON writes the envelope without reflection: see object.appendJSON.
func (e envelope) appendJSON(b []byte) []byte {
	b = append(b, `{"data":`...)
	b = appendValue(b, e.Data)
	p := e.Meta.Pagination
	b = append(b, `,"$meta":{"pagination":{"offset":`...)
	b = strconv.AppendInt(b, int64(p.Offset), 10)
	b = append(b, `,"limit":`...)
	b = strconv.AppendInt(b, int64(p.Limit), 10)
	b = append(b, `,"total":`...)
	b = strconv.AppendInt(b, int64(p.Total), 10)
	b = append(b, '}')
	if len(e.Meta.Omitted) > 0 {
		b = append(b, `,"omitted":`...)
		b = appendValue(b, e.Meta.Omitted)
	}
	return append(b, "}}"...)
}

// page filters, orders, pages and shapes items, which come sorted by id.
func (q *listQuery) page(items []object) envelope {
	return q.slice(q.arrange(items))
}

// arrange filters and orders items, which come sorted by id; it returns a
// new slice when it changes anything, never altering items.
func (q *listQuery) arrange(items []object) []object {
	if q.filter != nil {
		kept := items[:0:0]
		for _, o := range items {
			if q.filter.match(o) {
				kept = append(kept, o)
			}
		}
		items = kept
	}
	if len(q.order) > 0 {
		// Parse the sort keys once, not on every comparison, and sort
		// positions (stable: ties keep their order), not the objects.
		n := len(q.order)
		keys := make([]sortKey, len(items)*n)
		for i, o := range items {
			for j, k := range q.order {
				v := ""
				if vs := values(o, k.path, nil); len(vs) > 0 {
					v = vs[0]
				}
				keys[i*n+j] = newSortKey(v)
			}
		}
		pos := make([]int, len(items))
		for i := range pos {
			pos[i] = i
		}
		slices.SortFunc(pos, func(a, b int) int {
			for j, k := range q.order {
				c := keys[a*n+j].compare(keys[b*n+j])
				if k.desc {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			return cmp.Compare(a, b)
		})
		sorted := make([]object, len(items))
		for i, p := range pos {
			sorted[i] = items[p]
		}
		items = sorted
	}
	return items
}

// slice pages and shapes items already filtered and ordered.
func (q *listQuery) slice(items []object) envelope {
	total := len(items)
	from := min(q.offset, total)
	to := min(from+q.limit, total)
	data := make([]object, 0, to-from)
	for _, o := range items[from:to] {
		data = append(data, q.shape(o))
	}
	return envelope{Data: data, Meta: listMeta{Pagination: pagination{Offset: q.offset, Limit: q.limit, Total: total}, Omitted: q.omitted}}
}
