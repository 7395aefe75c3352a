package pathinput

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func home() (string, error) { return "/home/ana", nil }

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      error
	}{
		// What terminals paste when a file is dropped.
		{`'/dir with space/my logo.png'`, "/dir with space/my logo.png", nil},
		{`'/dir with space/my logo.png' `, "/dir with space/my logo.png", nil}, // GNOME adds a space
		{`"/dir/my logo.png"`, "/dir/my logo.png", nil},
		{`/Users/ana/my\ logo\ \(1\).png`, "/Users/ana/my logo (1).png", nil},
		{`my\ logo.png`, "my logo.png", nil},
		{"file:///home/x/my%20logo.png", "/home/x/my logo.png", nil},
		{"file:///home/x/caf%C3%A9%23.png\r\n", "/home/x/café#.png", nil},
		{"file://localhost/tmp/a.png", "/tmp/a.png", nil},
		{"FILE://LOCALHOST/tmp/a.png", "/tmp/a.png", nil},
		{"file:/tmp/a.png", "/tmp/a.png", nil},
		{`'file:///tmp/a%20b.png'`, "/tmp/a b.png", nil},
		{`'it'\''s.png'`, "it's.png", nil},
		{`"say \"hi\" \$x \a.png"`, `say "hi" $x \a.png`, nil},
		{`'/a/b\c.png'`, `/a/b\c.png`, nil},
		{`/a/b\`, `/a/b\`, nil},
		{`logo\  ` + "\n", "logo ", nil},      // an escaped trailing space stays
		{`logo\\ ` + "\n", `logo\`, nil},      // an escaped backslash, then a space to trim
		{"'caf\xe9.png'", "caf\xe9.png", nil}, // not UTF-8: the bytes are kept
		// What people type.
		{"/dir with space/my logo.png", "/dir with space/my logo.png", nil},
		{"  logo.png\n", "logo.png", nil},
		{"./logo.png", "./logo.png", nil},
		{"~", "/home/ana", nil},
		{"~/Pictures/logo.png", "/home/ana/Pictures/logo.png", nil},
		{`~/my\ logo.png`, "/home/ana/my logo.png", nil},
		{`'~/logo.png'`, "~/logo.png", nil}, // quoted: a shell does not expand it either
		{"a~b.png", "a~b.png", nil},
		{"世界.png", "世界.png", nil},
		// Mistakes.
		{"", "", ErrEmpty},
		{" \n\t ", "", ErrEmpty},
		{`''`, "", ErrEmpty},
		{"file://", "", ErrEmpty},
		{"'/a.png' '/b.png'", "", ErrMultiple},
		{`/a\ 1.png /b.png`, "", ErrMultiple},
		{"/a.png /b.png", "", ErrMultiple},
		{"/a.png\n/b.png\n", "", ErrMultiple},
		{"file:///a.png file:///b.png", "", ErrMultiple},
		{"file:///a.png\r\nfile:///b.png", "", ErrMultiple},
		{"'/a b.png", "", ErrUnclosed},
		{`"/a b.png`, "", ErrUnclosed},
		{"/a\x00b.png", "", ErrControl},
		{"file:///a%00b.png", "", ErrControl},
		{"file:///a%1bb.png", "", ErrControl},
		{"/a\x1b[31mb.png", "", ErrControl},
		{`'/a` + "\t" + `b.png'`, "", ErrControl},
		{"file://server/share/a.png", "", ErrNotLocal},
		{"file://localhost:8080/a.png", "", ErrBadURL},
		{"file:///a.png?x=1", "", ErrBadURL},
		{"file:///a%zz.png", "", ErrBadURL},
		{"https://example.com/logo.png", "", ErrNotFile},
		{"~bob/logo.png", "", ErrOtherUser},
	} {
		got, err := Parse(tc.in, home)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("Parse(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestHome(t *testing.T) {
	if _, err := Parse("~/a.png", nil); !errors.Is(err, ErrNoHome) {
		t.Errorf("no home func: %v", err)
	}
	failing := func() (string, error) { return "", errors.New("$HOME is not set") }
	if _, err := Parse("~", failing); !errors.Is(err, ErrNoHome) {
		t.Errorf("failing home func: %v", err)
	}
	slash := func() (string, error) { return "/", nil }
	if got, err := Parse("~/a.png", slash); got != "/a.png" || err != nil {
		t.Errorf("home /: %q, %v", got, err)
	}
	called := false
	spy := func() (string, error) { called = true; return "/h", nil }
	if _, err := Parse("/abs.png", spy); err != nil || called {
		t.Errorf("home asked for an absolute path (err %v)", err)
	}
}

// TestErrorsDoNotEchoInput: an error never carries the input, which may
// hold escape sequences, into a message drawn on screen.
func TestErrorsDoNotEchoInput(t *testing.T) {
	for _, in := range []string{"/a\x1b]52;c;eA==\x07b", "'/secret", "https://evil.example/x"} {
		_, err := Parse(in, home)
		if err == nil || strings.Contains(err.Error(), "evil") || strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "\x1b") {
			t.Errorf("Parse(%q): error %v", in, err)
		}
	}
}

// shellQuote quotes p the way terminals do on a drop.
func shellQuote(p string) string { return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'" }

func backslashEscape(p string) string {
	var b strings.Builder
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '/' || r == '.' || r >= 0x80) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`'/a b/c.png'`, `my\ logo.png`, "file:///x%20y", "~/a", "~", `"a\"b"`, "/a /b", "'", `\`, "file://h/x", "\x00", "a\x80b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s, home)
		if err != nil {
			if got != "" {
				t.Fatalf("Parse(%q) = %q with error %v", s, got, err)
			}
			return
		}
		if got == "" || strings.ContainsRune(got, 0) || hasControl(got, false) {
			t.Fatalf("Parse(%q) = %q", s, got)
		}
		// What a terminal would paste for this path names it again.
		if !utf8.ValidString(got) || schemeRE.MatchString(got) || strings.HasPrefix(strings.ToLower(got), "file:/") {
			return
		}
		for _, pasted := range []string{shellQuote(got), backslashEscape(got)} {
			if again, err := Parse(pasted, home); again != got || err != nil {
				t.Fatalf("Parse(%q) = %q, %v; want %q", pasted, again, err, got)
			}
		}
	})
}
