package apiclient

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
)

// redacted is what a non-empty [Secret] shows instead of its value.
const redacted = "[REDACTED]"

var secretType = reflect.TypeFor[Secret]()

// Secret is a credential: the API token the client authenticates with, or the
// value of a token the API has just created.
//
// A Secret never shows its value by accident: fmt (every verb, including %v,
// %+v, %#v, %s, %q and %x), log/slog and encoding/json all render it as
// "[REDACTED]" (or "" when it is empty). Call [Secret.Reveal] to get the value,
// and [WriteAPITokenJSON] with reveal to write an object with its real value.
//
// UnmarshalJSON reads the real value, so a Secret can be decoded from an API
// answer. A JSON document written by json.Marshal carries "[REDACTED]", so
// decoding it back does not give the value back.
type Secret string

// Reveal returns the secret value. Use it only where the value is meant to be
// seen or sent: the Authorization header, the user's screen after they asked
// for it, the output of `apitoken create --json`.
func (s Secret) Reveal() string { return string(s) }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s == "" }

func (s Secret) shown() string {
	if s == "" {
		return ""
	}
	return redacted
}

// String returns "[REDACTED]", or "" when the secret is empty.
func (s Secret) String() string { return s.shown() }

// GoString returns "[REDACTED]", or "" when the secret is empty, so that %#v
// does not show the value either.
func (s Secret) GoString() string { return s.shown() }

// Format implements [fmt.Formatter] so that every verb and flag (%v, %+v,
// %#v, %s, %q, %x, %d, …) prints "[REDACTED]" (or "" when the secret is
// empty). Width and the '-' flag are honoured.
func (s Secret) Format(f fmt.State, verb rune) {
	text := s.shown()
	width, ok := f.Width()
	if !ok || width <= len(text) {
		_, _ = f.Write([]byte(text))
		return
	}
	pad := make([]byte, width-len(text))
	for i := range pad {
		pad[i] = ' '
	}
	if f.Flag('-') {
		_, _ = f.Write([]byte(text))
		_, _ = f.Write(pad)
		return
	}
	_, _ = f.Write(pad)
	_, _ = f.Write([]byte(text))
}

// LogValue implements [slog.LogValuer]: a Secret logs as "[REDACTED]" (or ""
// when empty) with every handler.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.shown()) }

// MarshalJSON writes "[REDACTED]" for a non-empty secret and "" for an empty
// one: a stray json.Marshal into a log must not leak the value. Use
// [WriteAPITokenJSON] with reveal to write the real value on purpose.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.shown()) }

// UnmarshalJSON reads the real value: a JSON string, or null for none.
func (s *Secret) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*s = ""
		return nil
	}
	var v string
	if err := json.Unmarshal(data, &v); err != nil {
		return &json.UnmarshalTypeError{Value: jsonKind(data), Type: secretType}
	}
	*s = Secret(v)
	return nil
}

// jsonKind names the kind of a JSON value from its first byte, for errors.
func jsonKind(data []byte) string {
	for _, b := range data {
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return "object"
		case '[':
			return "array"
		case '"':
			return "string"
		case 't', 'f':
			return "bool"
		case 'n':
			return "null"
		default:
			return "number"
		}
	}
	return "nothing"
}
