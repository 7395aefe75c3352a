package apiclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// EncodeJSON writes v as indented JSON (two spaces, HTML characters not
// escaped, control characters escaped, a final newline). An [*APIToken] or
// [APIToken] is written by [WriteAPITokenJSON] (as received, its value only
// with revealSecrets); anything else is written by encoding/json, where
// every [Secret] shows as "[REDACTED]" whatever revealSecrets says.
//
// Superseded: call [WriteAPITokenJSON] for a token.
func EncodeJSON(w io.Writer, v any, revealSecrets bool) error {
	switch t := v.(type) {
	case *APIToken:
		if t != nil {
			return WriteAPITokenJSON(w, t, revealSecrets)
		}
	case APIToken:
		return WriteAPITokenJSON(w, &t, revealSecrets)
	}
	js, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeIndented(w, js)
}

// WriteAPITokenJSON writes a token as the API sent it ([APIToken.Raw],
// unknown fields included), indented, with DEL, C1 and bidi controls
// escaped, and a final newline. The value is written (as "token") only with
// reveal and when the token carries one: for `apitoken create --json`, or
// after the person chose to show it. A token built in code, without Raw, is
// written from its fields.
func WriteAPITokenJSON(w io.Writer, t *APIToken, reveal bool) error {
	if t == nil {
		return errors.New("apiclient: WriteAPITokenJSON: nil token")
	}
	raw := t.Raw
	if raw == nil {
		plain := *t
		plain.Token = ""
		js, err := json.Marshal(plain)
		if err != nil {
			return err
		}
		raw = js
	}
	if reveal && !t.Token.IsZero() {
		val, err := json.Marshal(t.Token.Reveal())
		if err != nil {
			return err
		}
		withToken, err := setMember(raw, "token", val)
		if err != nil {
			return err
		}
		raw = withToken
	}
	return writeIndented(w, raw)
}

func writeIndented(w io.Writer, js []byte) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, js, "", "  "); err != nil {
		return fmt.Errorf("apiclient: writing JSON: %w", err)
	}
	buf.WriteByte('\n')
	_, err := w.Write(escapeInert(unescapeHTML(buf.Bytes())))
	return err
}

// unescapeHTML undoes encoding/json's \u003c, \u003e and \u0026 so that
// "a<b" reads as typed. Raw JSON from the API is left as it came.
func unescapeHTML(js []byte) []byte {
	js = bytes.ReplaceAll(js, []byte(`\u003c`), []byte("<"))
	js = bytes.ReplaceAll(js, []byte(`\u003e`), []byte(">"))
	return bytes.ReplaceAll(js, []byte(`\u0026`), []byte("&"))
}

// member is one name and raw value of a JSON object, in order.
type member struct {
	name  string
	value json.RawMessage
}

// objectMembers splits a JSON object into its members, keeping their order.
func objectMembers(data []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not a JSON object")
	}
	var out []member
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := k.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{name, v})
	}
	return out, nil
}

func joinMembers(ms []member) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.name)
		b.Write(k)
		b.WriteByte(':')
		b.Write(m.value)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// setMember returns obj with member name set to value (replaced in place,
// or added after "id", or first).
func setMember(obj []byte, name string, value json.RawMessage) ([]byte, error) {
	ms, err := objectMembers(obj)
	if err != nil {
		return nil, err
	}
	at := 0
	for i, m := range ms {
		if m.name == name {
			ms[i].value = value
			return joinMembers(ms), nil
		}
		if m.name == "id" {
			at = i + 1
		}
	}
	ms = append(ms[:at], append([]member{{name, value}}, ms[at:]...)...)
	return joinMembers(ms), nil
}

// withoutMember returns obj without member name.
func withoutMember(obj []byte, name string) ([]byte, error) {
	ms, err := objectMembers(obj)
	if err != nil {
		return nil, err
	}
	kept := ms[:0]
	for _, m := range ms {
		if m.name != name {
			kept = append(kept, m)
		}
	}
	return joinMembers(kept), nil
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
