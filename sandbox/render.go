package sandbox

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// timeLayout is how the platform writes instants: UTC, milliseconds, "Z".
const timeLayout = "2006-01-02T15:04:05.000Z"

// member is one key of an object.
type member struct {
	Key   string
	Value any
}

// object is a JSON object that keeps its key order, so responses read like
// the platform's and the same value drives both the response and RQL
// filtering. Objects shared between responses are never modified: without
// copies.
type object []member

// MarshalJSON writes the members in order.
func (o object) MarshalJSON() ([]byte, error) { return o.appendJSON(nil), nil }

// appendJSON encodes the whole tree in one pass. Going through
// json.Marshal for each nested object would re-validate every level, which
// dominated listing a large catalogue.
func (o object) appendJSON(b []byte) []byte {
	b = append(b, '{')
	for i, m := range o {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, m.Key)
		b = append(b, ':')
		b = appendValue(b, m.Value)
	}
	return append(b, '}')
}

func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case bool:
		return strconv.AppendBool(b, x)
	case object:
		return x.appendJSON(b)
	case []object:
		b = append(b, '[')
		for i, o := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = o.appendJSON(b)
		}
		return append(b, ']')
	case []string:
		b = append(b, '[')
		for i, s := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		return append(b, ']')
	}
	// Not used by the renderers; kept correct for any other value.
	enc, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, enc...)
}

// appendString quotes s as encoding/json does: control characters, quote,
// backslash, <, >, & and U+2028/U+2029 escaped, invalid UTF-8 replaced.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func (o object) get(key string) (any, bool) {
	for _, m := range o {
		if m.Key == key {
			return m.Value, true
		}
	}
	return nil, false
}

// without returns a copy of o without the keys in drop.
func (o object) without(drop map[string]bool) object {
	out := make(object, 0, len(o))
	for _, m := range o {
		if !drop[m.Key] {
			out = append(out, m)
		}
	}
	return out
}

// values collects the scalar values at a dotted path as strings. Arrays are
// flattened at every level, which is how "modules.id" or "accountTypes"
// match when any element matches. Null and missing give no values.
func values(v any, path []string, out []string) []string {
	if len(path) == 0 {
		switch x := v.(type) {
		case string:
			return append(out, x)
		case int:
			return append(out, strconv.Itoa(x))
		case bool:
			return append(out, strconv.FormatBool(x))
		case []string:
			return append(out, x...)
		case []object:
			return out
		}
		return out
	}
	switch x := v.(type) {
	case object:
		if child, ok := x.get(path[0]); ok {
			return values(child, path[1:], out)
		}
	case []object:
		for _, e := range x {
			out = values(e, path, out)
		}
	}
	return out
}

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// stamp brings t to what the platform stores: UTC, millisecond precision.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// nullable gives JSON null for a nil pointer.
func nullable(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func nullableTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

// identity is who an audit event names.
type identity struct {
	id, name string
}

func (i identity) object() object {
	return object{{"id", i.id}, {"name", i.name}}
}

// event is one audit entry.
type event struct {
	at time.Time
	by identity
}

func auditObject(created, updated event) object {
	return object{
		{"created", object{{"at", formatTime(created.at)}, {"by", created.by.object()}}},
		{"updated", object{{"at", formatTime(updated.at)}, {"by", updated.by.object()}}},
	}
}
