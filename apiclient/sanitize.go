package apiclient

import (
	"strings"
	"unicode"

	"github.com/softwareone/apitoken/internal/textsafe"
)

// maxServerText bounds one piece of server text kept in an error.
const maxServerText = 500

// isBidiControl reports the Unicode bidirectional formatting characters that
// can reorder what a terminal shows ("Trojan Source").
func isBidiControl(r rune) bool {
	switch {
	case r == '\u061c', r == '\u200e', r == '\u200f':
		return true
	case r >= '\u202a' && r <= '\u202e':
		return true
	case r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// isUnsafeRune reports the characters never let through from untrusted text:
// C0 and C1 controls (ESC included), DEL, bidi controls, and the line and
// paragraph separators.
func isUnsafeRune(r rune) bool {
	return unicode.IsControl(r) || isBidiControl(r) || r == '\u2028' || r == '\u2029'
}

// sanitize makes untrusted text (server strings, file names) safe to show on
// one line: textsafe drops escape sequences and control characters, then
// runs of white space collapse to one space.
func sanitize(s string, max int) string {
	return strings.Join(strings.Fields(textsafe.Line(s, max)), " ")
}

// redactIn replaces every occurrence of the secrets in s with "[REDACTED]", in
// case a server echoes a credential back in an error message.
func redactIn(s string, secrets ...Secret) string {
	for _, sec := range secrets {
		v := sec.Reveal()
		if len(v) >= 8 {
			s = strings.ReplaceAll(s, v, redacted)
		}
		// An "idt:TKN-…:<secret>" token: its last part alone is secret too.
		if i := strings.LastIndexByte(v, ':'); i >= 0 && len(v)-i-1 >= 16 {
			s = strings.ReplaceAll(s, v[i+1:], redacted)
		}
	}
	return s
}
