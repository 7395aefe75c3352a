package sandbox

import (
	"encoding/json"
	"testing"
	"time"
)

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `quote " backslash \ slash /`, "<script>&amp;</script>",
		"tab\tnl\ncr\rbell\x07nul\x00del\x7f", "backspace\b formfeed\f", "é ü 日本 🎉", "line\u2028para\u2029", "bad \xff utf8 \xe2\x82",
		"UK & Ireland"} {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	}
}

func TestObjectJSONIsValidAndOrdered(t *testing.T) {
	s, err := New(WithOperatorToken("op"), WithClock(func() time.Time { return testStart.Add(1234567 * time.Microsecond) }))
	if err != nil {
		t.Fatal(err)
	}
	o := s.cat.modules["MOD-1001"].full
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	by := `{"at":"2026-11-27T10:00:01.234Z","by":{"id":"USR-0000-0001","name":"Sandbox Operator"}}`
	want := `{"id":"MOD-1001","name":"Orders","description":"Create, track and approve purchase and change orders for the account.",` +
		`"revision":1,"settings":{"configurable":false,"default":true,"paid":false,"type":[],"obsolete":false,"eligibility":{"multi":true,"single":true}},` +
		`"accountTypes":["Client","Vendor","Operations"],"audit":{"created":` + by + `,"updated":` + by + `}}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	env := envelope{Data: []object{o, {{"x", 1.5}, {"y", nil}}}, Meta: listMeta{Pagination: pagination{Offset: 1, Limit: 2, Total: 3}}}
	var back map[string]any
	if err := json.Unmarshal(env.appendJSON(nil), &back); err != nil {
		t.Fatalf("envelope is not valid JSON: %v", err)
	}
	if back["$meta"].(map[string]any)["pagination"].(map[string]any)["total"] != 3.0 ||
		back["data"].([]any)[1].(map[string]any)["x"] != 1.5 {
		t.Errorf("envelope = %v", back)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\xff", "\u2028", "<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}
