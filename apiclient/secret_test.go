package apiclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestSecretFormatting(t *testing.T) {
	s := testToken
	raw := s.Reveal()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s", "%-30v", "%T"} {
		got := fmt.Sprintf(verb, s)
		if strings.Contains(got, raw) || strings.Contains(got, "S3cr3t") || strings.Contains(got, fmt.Sprintf("%x", raw)[:20]) {
			t.Errorf("Sprintf(%q) leaks: %q", verb, got)
		}
		if verb != "%T" && !strings.Contains(got, "[REDACTED]") {
			t.Errorf("Sprintf(%q) = %q, want [REDACTED]", verb, got)
		}
	}
	if got := fmt.Sprintf("%-14s|", s); got != "[REDACTED]    |" {
		t.Errorf("width: %q", got)
	}
	if s.String() != "[REDACTED]" || s.GoString() != "[REDACTED]" || s.IsZero() {
		t.Error("String/GoString/IsZero")
	}
	var empty Secret
	if empty.String() != "" || fmt.Sprintf("%v|%#v", empty, empty) != "|" || !empty.IsZero() {
		t.Error("empty secret should print empty")
	}
	if s.Reveal() != string(testToken) {
		t.Error("Reveal")
	}
}

func TestSecretInStructsAndErrors(t *testing.T) {
	tok := APIToken{ID: "TKN-1111-2222", Name: "n", Token: testToken, Account: &AccountRef{ID: "ACC-1234-5678"}}
	c, err := New(WithToken(testToken))
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{BaseURL: DefaultBaseURL, Token: testToken}
	for _, v := range []any{tok, &tok, []APIToken{tok}, map[string]APIToken{"a": tok}, c, *c, cfg, &cfg} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%q"} {
			if got := fmt.Sprintf(verb, v); strings.Contains(got, "S3cr3t") {
				t.Errorf("Sprintf(%q, %T) leaks: %s", verb, v, got)
			}
		}
	}
	wrapped := fmt.Errorf("creating %v failed: %w", tok, errors.New("boom"))
	if strings.Contains(wrapped.Error(), "S3cr3t") {
		t.Error("error leaks")
	}
}

func TestSecretSlog(t *testing.T) {
	tok := APIToken{ID: "TKN-1111-2222", Token: testToken}
	for name, mk := range map[string]func(*bytes.Buffer) slog.Handler{
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	} {
		var buf bytes.Buffer
		l := slog.New(mk(&buf))
		l.Info("x", "secret", testToken, "token", tok, "ptr", &tok, slog.Any("any", testToken), slog.Group("g", "s", testToken))
		out := buf.String()
		if strings.Contains(out, "S3cr3t") {
			t.Errorf("%s handler leaks: %s", name, out)
		}
		if !strings.Contains(out, "[REDACTED]") {
			t.Errorf("%s handler: no [REDACTED] in %s", name, out)
		}
	}
}

func TestSecretJSON(t *testing.T) {
	tok := APIToken{ID: "TKN-1111-2222", Token: testToken, Modules: []ModuleRef{}}
	b, err := json.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "S3cr3t") || !strings.Contains(string(b), `"token":"[REDACTED]"`) {
		t.Errorf("json.Marshal: %s", b)
	}
	b, _ = json.Marshal(APIToken{ID: "x"})
	if strings.Contains(string(b), "token") {
		t.Errorf("empty token should be omitted: %s", b)
	}
	var back APIToken
	if err := json.Unmarshal([]byte(`{"id":"x","token":"idt:TKN-1:abc"}`), &back); err != nil || back.Token.Reveal() != "idt:TKN-1:abc" {
		t.Errorf("UnmarshalJSON: %v %q", err, back.Token.Reveal())
	}
	if err := json.Unmarshal([]byte(`{"token":null}`), &back); err != nil || !back.Token.IsZero() {
		t.Errorf("null: %v", err)
	}
	err = json.Unmarshal([]byte(`{"token":42}`), &back)
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || te.Field != "token" {
		t.Errorf("number token: %v", err)
	}
}

func TestEncodeJSON(t *testing.T) {
	tok := &APIToken{ID: "TKN-1111-2222", Name: "n", Revision: 1, Status: "Active", Token: testToken, Modules: []ModuleRef{{ID: "MOD-1001"}}}
	var buf bytes.Buffer
	if err := EncodeJSON(&buf, tok, false); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "S3cr3t") || !strings.Contains(buf.String(), "[REDACTED]") {
		t.Errorf("no reveal: %s", buf.String())
	}
	for _, v := range []any{tok, *tok, []APIToken{*tok}, []*APIToken{tok}, map[string]any{"token": tok, "n": 1}, struct {
		T *APIToken `json:"t"`
		S Secret    `json:"s,omitempty"`
		E Secret    `json:"e,omitempty"`
	}{tok, testToken, ""}, testToken} {
		buf.Reset()
		if err := EncodeJSON(&buf, v, true); err != nil {
			t.Fatalf("%T: %v", v, err)
		}
		if !strings.Contains(buf.String(), string(testToken)) || strings.Contains(buf.String(), "[REDACTED]") {
			t.Errorf("%T reveal: %s", v, buf.String())
		}
	}
	// The same field names and order as json.Marshal, indented.
	buf.Reset()
	_ = EncodeJSON(&buf, tok, true)
	var plain bytes.Buffer
	_ = EncodeJSON(&plain, tok, false)
	if got, want := buf.String(), strings.Replace(plain.String(), "[REDACTED]", string(testToken), 1); got != want {
		t.Errorf("reveal changes more than the token:\n%s\nvs\n%s", got, want)
	}
	if !strings.HasPrefix(buf.String(), "{\n  \"id\": \"TKN-1111-2222\",") {
		t.Errorf("not indented: %s", buf.String())
	}
	// The original is untouched.
	if fmt.Sprint(tok.Token) != "[REDACTED]" || tok.Token != testToken {
		t.Error("original changed")
	}
	// nil and types without secrets.
	buf.Reset()
	if err := EncodeJSON(&buf, nil, true); err != nil || buf.String() != "null\n" {
		t.Errorf("nil: %v %q", err, buf.String())
	}
	buf.Reset()
	if err := EncodeJSON(&buf, []Module{{ID: "MOD-1", Name: "a<b"}}, true); err != nil || !strings.Contains(buf.String(), "a<b") {
		t.Errorf("modules: %v %s", err, buf.String())
	}
}

type recursiveWithSecret struct {
	S    Secret
	Next *recursiveWithSecret
}

func TestEncodeJSONRecursive(t *testing.T) {
	var buf bytes.Buffer
	err := EncodeJSON(&buf, recursiveWithSecret{S: testToken}, true)
	if err == nil {
		t.Fatal("want an error for a recursive type")
	}
	if strings.Contains(buf.String()+err.Error(), "S3cr3t") {
		t.Error("leak")
	}
}

// TestEncodeJSONEscapesControls: text that is valid JSON but acts on a
// terminal (DEL, C1, bidi controls) is written as \u escapes, and decodes
// back to the same string.
func TestEncodeJSONEscapesControls(t *testing.T) {
	name := "a\u007fb\u009bc\u202ed\u2066e\u2028f"
	var buf bytes.Buffer
	if err := EncodeJSON(&buf, &APIToken{ID: "TKN-1", Name: name}, false); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, r := range []rune{0x7f, 0x9b, 0x202e, 0x2066, 0x2028} {
		if strings.ContainsRune(out, r) {
			t.Errorf("%U written raw: %q", r, out)
		}
	}
	var back APIToken
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || back.Name != name {
		t.Fatalf("round trip: %q, %v", back.Name, err)
	}
}
