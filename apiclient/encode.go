package apiclient

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"
	"unicode/utf8"
)

var (
	secretType        = reflect.TypeFor[Secret]()
	stringType        = reflect.TypeFor[string]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// EncodeJSON writes v as indented JSON (two spaces, HTML characters not
// escaped, a final newline). Without revealSecrets every [Secret] in v shows
// as "[REDACTED]", as with json.Marshal; with revealSecrets the Secret fields
// carry their real value (for `apitoken create --json`, or a details view
// after the user chose to reveal the token).
//
// Revealing works on any value made of structs, pointers, slices, arrays,
// maps and interfaces; a Secret inside a type with its own MarshalJSON or
// MarshalText stays redacted, and a recursive type holding a Secret is an
// error.
func EncodeJSON(w io.Writer, v any, revealSecrets bool) error {
	if revealSecrets && v != nil {
		rv, err := revealValue(reflect.ValueOf(v))
		if err != nil {
			return err
		}
		v = rv.Interface()
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escapeInert(buf.Bytes()))
	return err
}

// escapeInert writes DEL, C1 controls and bidi controls as \uXXXX escapes.
// encoding/json leaves them raw (they are valid JSON), but printed to a
// terminal they act. Outside strings JSON holds only ASCII, so every such
// rune is inside a string, where the escape means the same character.
func escapeInert(js []byte) []byte {
	if !bytes.ContainsFunc(js, needsEscape) {
		return js
	}
	out := make([]byte, 0, len(js)+64)
	for len(js) > 0 {
		r, size := utf8.DecodeRune(js)
		if needsEscape(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, js[:size]...)
		}
		js = js[size:]
	}
	return out
}

func needsEscape(r rune) bool {
	switch {
	case r >= 0x7f && r <= 0x9f, r == 0x061c, r == 0x200e, r == 0x200f,
		r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// A shadow type mirrors a type with every Secret replaced by string (same
// field names and tags), so encoding/json writes the real values.
type shadow struct {
	t      reflect.Type // the shadow type
	copyOf bool         // values need a deep copy (a Secret or an interface inside)
	fields []int        // struct: shadow field index of each source field, -1 dropped
}

var shadows sync.Map // reflect.Type → *shadow

var errRecursive = errors.New("apiclient: EncodeJSON: cannot reveal secrets in a recursive type")

func shadowOf(t reflect.Type) (*shadow, error) {
	if s, ok := shadows.Load(t); ok {
		return s.(*shadow), nil
	}
	s, err := buildShadow(t, map[reflect.Type]bool{})
	if err != nil {
		return nil, err
	}
	shadows.Store(t, s)
	return s, nil
}

func buildShadow(t reflect.Type, visiting map[reflect.Type]bool) (*shadow, error) {
	if t == secretType {
		return &shadow{t: stringType, copyOf: true}, nil
	}
	if t.Implements(jsonMarshalerType) || t.Implements(textMarshalerType) ||
		reflect.PointerTo(t).Implements(jsonMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType) {
		return &shadow{t: t}, nil
	}
	switch t.Kind() {
	case reflect.Interface:
		return &shadow{t: t, copyOf: true}, nil
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map, reflect.Struct:
	default:
		return &shadow{t: t}, nil
	}
	if visiting[t] {
		return nil, errRecursive
	}
	visiting[t] = true
	defer delete(visiting, t)

	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		e, err := buildShadow(t.Elem(), visiting)
		if err != nil {
			return nil, err
		}
		if !e.copyOf {
			return &shadow{t: t}, nil
		}
		switch t.Kind() {
		case reflect.Pointer:
			return &shadow{t: reflect.PointerTo(e.t), copyOf: true}, nil
		case reflect.Slice:
			return &shadow{t: reflect.SliceOf(e.t), copyOf: true}, nil
		case reflect.Array:
			return &shadow{t: reflect.ArrayOf(t.Len(), e.t), copyOf: true}, nil
		default:
			return &shadow{t: reflect.MapOf(t.Key(), e.t), copyOf: true}, nil
		}
	}

	// Struct.
	var fields []reflect.StructField
	index := make([]int, t.NumField())
	changed := false
	for i := range t.NumField() {
		f := t.Field(i)
		index[i] = -1
		if !f.IsExported() && !f.Anonymous {
			continue // encoding/json ignores it
		}
		fs, err := buildShadow(f.Type, visiting)
		if err != nil {
			return nil, err
		}
		if fs.copyOf {
			changed = true
			if !f.IsExported() {
				return nil, fmt.Errorf("apiclient: EncodeJSON: cannot reveal secrets inside the unexported embedded field %s of %s", f.Name, t)
			}
		}
		if !f.IsExported() {
			continue
		}
		index[i] = len(fields)
		fields = append(fields, reflect.StructField{Name: f.Name, Type: fs.t, Tag: f.Tag, Anonymous: f.Anonymous})
	}
	if !changed {
		return &shadow{t: t}, nil
	}
	st, err := structOf(fields)
	if err != nil {
		return nil, fmt.Errorf("apiclient: EncodeJSON: cannot reveal secrets in %s: %w", t, err)
	}
	return &shadow{t: st, copyOf: true, fields: index}, nil
}

// structOf is reflect.StructOf, with its panics (embedded types with methods,
// for instance) turned into errors.
func structOf(fields []reflect.StructField) (t reflect.Type, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return reflect.StructOf(fields), nil
}

// revealValue returns a copy of v in which every Secret is a plain string.
func revealValue(v reflect.Value) (reflect.Value, error) {
	s, err := shadowOf(v.Type())
	if err != nil {
		return reflect.Value{}, err
	}
	if !s.copyOf {
		return v, nil
	}
	dst := reflect.New(s.t).Elem()
	if err := copyRevealed(dst, v, s); err != nil {
		return reflect.Value{}, err
	}
	return dst, nil
}

func copyRevealed(dst, src reflect.Value, s *shadow) error {
	if !s.copyOf {
		dst.Set(src)
		return nil
	}
	if src.Type() == secretType {
		dst.SetString(src.String())
		return nil
	}
	switch src.Kind() {
	case reflect.Interface:
		if src.IsNil() {
			return nil
		}
		inner, err := revealValue(src.Elem())
		if err != nil {
			return err
		}
		dst.Set(inner)
	case reflect.Pointer:
		if src.IsNil() {
			return nil
		}
		es, err := shadowOf(src.Type().Elem())
		if err != nil {
			return err
		}
		p := reflect.New(es.t)
		if err := copyRevealed(p.Elem(), src.Elem(), es); err != nil {
			return err
		}
		dst.Set(p)
	case reflect.Slice, reflect.Array:
		if src.Kind() == reflect.Slice {
			if src.IsNil() {
				return nil
			}
			dst.Set(reflect.MakeSlice(s.t, src.Len(), src.Len()))
		}
		es, err := shadowOf(src.Type().Elem())
		if err != nil {
			return err
		}
		for i := range src.Len() {
			if err := copyRevealed(dst.Index(i), src.Index(i), es); err != nil {
				return err
			}
		}
	case reflect.Map:
		if src.IsNil() {
			return nil
		}
		es, err := shadowOf(src.Type().Elem())
		if err != nil {
			return err
		}
		m := reflect.MakeMapWithSize(s.t, src.Len())
		it := src.MapRange()
		for it.Next() {
			e := reflect.New(es.t).Elem()
			if err := copyRevealed(e, it.Value(), es); err != nil {
				return err
			}
			m.SetMapIndex(it.Key(), e)
		}
		dst.Set(m)
	case reflect.Struct:
		for i, j := range s.fields {
			if j < 0 {
				continue
			}
			fs, err := shadowOf(src.Type().Field(i).Type)
			if err != nil {
				return err
			}
			if err := copyRevealed(dst.Field(j), src.Field(i), fs); err != nil {
				return err
			}
		}
	default:
		dst.Set(src)
	}
	return nil
}
