package textsafe

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

func TestLine(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"plain", "Orders", 0, "Orders"},
		{"csi colour", "\x1b[31mred\x1b[0m", 0, "red"},
		{"csi clear screen", "a\x1b[2J\x1b[Hb", 0, "ab"},
		{"osc 52 clipboard with BEL", "x\x1b]52;c;aGVsbG8=\x07y", 0, "xy"},
		{"osc 8 link with ST", "\x1b]8;;https://evil\x1b\\click\x1b]8;;\x1b\\", 0, "click"},
		{"dcs", "a\x1bPq#0;2;0;0;0\x1b\\b", 0, "ab"},
		{"apc", "a\x1b_Gf=100;AAAA\x1b\\b", 0, "ab"},
		{"unterminated osc eats rest", "ok\x1b]0;title", 0, "ok"},
		{"two byte escape", "a\x1b7b\x1b(Bc", 0, "abc"},
		{"c1 csi rune", "a\u009b31mb", 0, "a31mb"},
		{"c0 controls", "a\x00b\x07c\x08d\x7fe", 0, "abcde"},
		{"newlines become spaces", "one\ntwo\r\nthree\rfour", 0, "one two three four"},
		{"tab", "a\tb", 0, "a b"},
		{"bidi override", "abc\u202edcba\u202c", 0, "abcdcba"},
		{"bidi isolate", "\u2066x\u2069", 0, "x"},
		{"invalid utf8", "a\xffb", 0, "a\ufffdb"},
		{"cut", "abcdefghij", 5, "abcd…"},
		{"cut exact", "abcde", 5, "abcde"},
		{"cut multibyte", "ééééé€", 3, "éé…"},
		{"emoji kept", "token 🔑", 0, "token 🔑"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Line(tt.in, tt.max); got != tt.want {
				t.Errorf("Line(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

func TestText(t *testing.T) {
	got := Text("line one\r\nline two\rthree\n\x1b[1mbold\x1b[0m", 0)
	want := "line one\nline two\nthree\nbold"
	if got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
}

func TestIsInert(t *testing.T) {
	if !IsInert("plain text\nwith break") {
		t.Error("plain text reported as not inert")
	}
	for _, s := range []string{"\x1b[31m", "a\u202eb", "\x07", "\xff"} {
		if IsInert(s) {
			t.Errorf("IsInert(%q) = true", s)
		}
	}
}

func TestPlainNoAlloc(t *testing.T) {
	s := "Subscriptions and agreements"
	if n := testing.AllocsPerRun(100, func() { _ = Line(s, 100) }); n != 0 {
		t.Errorf("Line on plain ASCII allocated %v times", n)
	}
}

// checkInert asserts the properties every output must have.
func checkInert(t *testing.T, in, out string, maxRunes int, multiline bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("invalid UTF-8 out of %q: %q", in, out)
	}
	for _, r := range out {
		if r == '\n' && multiline {
			continue
		}
		if dropped(r) {
			t.Fatalf("control %U left in %q (from %q)", r, out, in)
		}
	}
	if maxRunes > 0 && utf8.RuneCountInString(out) > maxRunes {
		t.Fatalf("%d runes > limit %d: %q", utf8.RuneCountInString(out), maxRunes, out)
	}
	if !multiline && strings.ContainsAny(out, "\r\n") {
		t.Fatalf("line break in Line output %q", out)
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[31mred", "\x1b]52;c;AAAA\x07", "\x1bP\x1b\\", "a\u202eb", "\xff\xfe", "é\r\n\t", "\x1b"} {
		f.Add(s, 8)
	}
	f.Fuzz(func(t *testing.T, s string, maxRunes int) {
		maxRunes %= 200
		line := Line(s, maxRunes)
		checkInert(t, s, line, maxRunes, false)
		text := Text(s, maxRunes)
		checkInert(t, s, text, maxRunes, true)
		if again := Text(text, 0); again != text {
			t.Fatalf("not idempotent: %q -> %q", text, again)
		}
	})
}

// TestWrapKeepsIDsWhole: a line is broken at a space, never inside an id,
// and no line is wider than asked.
func TestWrapKeepsIDsWhole(t *testing.T) {
	s := "Disable “Snap rotate” (TKN-8992-4198) now? Its calls are refused from then on. “Snap rotate” (TKN-1723-9888) stays active."
	got := Wrap(s, 100)
	if !strings.Contains(got, "\n(TKN-1723-9888)") && !strings.Contains(got, " (TKN-1723-9888)") {
		t.Fatalf("the id is split:\n%s", got)
	}
	for _, w := range []int{10, 20, 60, 100} {
		for _, l := range strings.Split(Wrap(s, w), "\n") {
			if ansi.StringWidth(l) > w {
				t.Fatalf("width %d: line %q is %d wide", w, l, ansi.StringWidth(l))
			}
		}
		if strings.ReplaceAll(Wrap(s, w), "\n", " ") != s && w > 14 {
			t.Fatalf("width %d: the text changed:\n%s", w, Wrap(s, w))
		}
	}
}
