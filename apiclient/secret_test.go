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

// TestWriteAPITokenJSON: a token prints as the API sent it, unknown fields
// and their order included, its value only on request.
func TestWriteAPITokenJSON(t *testing.T) {
	const body = `{"id":"TKN-1111-2222","href":"/accounts/api-tokens/TKN-1111-2222","name":"a<b","token":"` + string(testToken) + `","revision":1,"status":"Active","modules":[{"id":"MOD-1001","settings":{"sharedAccount":true},"filters":{"group.buyers":["BUY-1"]}}],"future":{"x":[1,2]}}`
	var tok APIToken
	if err := json.Unmarshal([]byte(body), &tok); err != nil {
		t.Fatal(err)
	}
	if tok.Token != testToken || strings.Contains(string(tok.Raw), "S3cr3t") || !strings.Contains(string(tok.Raw), `"token":"[REDACTED]"`) {
		t.Fatalf("Raw must not hold the value: %s", tok.Raw)
	}
	var hidden, shown bytes.Buffer
	if err := WriteAPITokenJSON(&hidden, &tok, false); err != nil {
		t.Fatal(err)
	}
	if err := WriteAPITokenJSON(&shown, &tok, true); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(hidden.String(), "S3cr3t") || !strings.Contains(hidden.String(), `"token": "[REDACTED]"`) {
		t.Errorf("value written without reveal: %s", hidden.String())
	}
	var want bytes.Buffer
	_ = json.Indent(&want, []byte(body), "", "  ")
	want.WriteByte('\n')
	// The value is where it came; everything else is as received.
	var back, orig map[string]any
	if err := json.Unmarshal(shown.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal([]byte(body), &orig)
	if fmt.Sprint(back) != fmt.Sprint(orig) {
		t.Errorf("reveal: got\n%s\nwant the fields of\n%s", shown.String(), want.String())
	}
	for _, field := range []string{`"href"`, `"sharedAccount": true`, `"group.buyers"`, `"future"`, `"a<b"`} {
		if !strings.Contains(hidden.String(), field) {
			t.Errorf("%s lost: %s", field, hidden.String())
		}
	}
	if shown.String() != want.String() {
		t.Errorf("reveal is not the answer as received:\n%s\nwant\n%s", shown.String(), want.String())
	}
	// A token built in code is written from its fields; EncodeJSON routes
	// tokens here and redacts any other Secret.
	built := &APIToken{ID: "TKN-1", Name: "n", Token: testToken, Modules: []ModuleRef{}}
	var out bytes.Buffer
	if err := EncodeJSON(&out, built, true); err != nil || !strings.Contains(out.String(), string(testToken)) {
		t.Errorf("built, reveal: %v %s", err, out.String())
	}
	out.Reset()
	if err := EncodeJSON(&out, struct{ S Secret }{testToken}, true); err != nil || strings.Contains(out.String(), "S3cr3t") {
		t.Errorf("a Secret outside a token is never revealed: %v %s", err, out.String())
	}
	if err := WriteAPITokenJSON(&out, nil, true); err == nil {
		t.Error("nil token")
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
