// Package textsafe makes untrusted strings inert before they reach a
// terminal. Module names, account names and error bodies come from a server
// that apitoken does not control: a stray ESC, OSC 52 or bidi override in one
// of them could rewrite the screen, set the user's clipboard or disguise text.
package textsafe

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Ellipsis marks text that was cut.
const Ellipsis = "…"

// Line returns s as inert text on one line: escape sequences are removed,
// line breaks and tabs become spaces, other control characters and bidi
// controls are dropped, invalid UTF-8 becomes U+FFFD, and the result is cut
// to at most maxRunes runes (ending in "…"). maxRunes <= 0 means no limit.
func Line(s string, maxRunes int) string {
	return clean(s, maxRunes, false)
}

// Text is like Line but keeps line breaks ("\r\n" and "\r" become "\n"), for
// multi-line text such as descriptions.
func Text(s string, maxRunes int) string {
	return clean(s, maxRunes, true)
}

// IsInert reports whether s would come back unchanged from Text with no
// limit: it holds no escape sequence, control character or bidi control.
func IsInert(s string) bool {
	return clean(s, 0, true) == s
}

func clean(s string, maxRunes int, multiline bool) string {
	if isPlain(s) && (maxRunes <= 0 || len(s) <= maxRunes) {
		return s // the common case: printable ASCII, no copy
	}
	var b strings.Builder
	b.Grow(min(len(s), 4*max(maxRunes, 16)))
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0x1b: // ESC: skip the whole sequence it starts
			i = skipEscape(s, i)
			continue
		case r == utf8.RuneError && size == 1:
			r = utf8.RuneError
		case r == 0x2028 || r == 0x2029: // Unicode line and paragraph separators
			if multiline {
				r = '\n'
			} else {
				r = ' '
			}
		case r == '\n' || r == '\r':
			if r == '\r' && i+1 < len(s) && s[i+1] == '\n' {
				i++ // \r\n is one break
			}
			if multiline {
				r = '\n'
			} else {
				r = ' '
			}
		case r == '\t':
			r = ' '
		case dropped(r):
			i += size
			continue
		}
		if maxRunes > 0 && n == maxRunes {
			// Replace the last rune with the ellipsis so the cut is visible.
			str := b.String()
			_, last := utf8.DecodeLastRuneInString(str)
			return str[:len(str)-last] + Ellipsis
		}
		b.WriteRune(r)
		n++
		i += size
	}
	return b.String()
}

// isPlain reports whether s is only printable ASCII.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// Unsafe reports runes that must never reach a terminal as they are: the
// ones Line and Text drop, and the Unicode line and paragraph separators
// they turn into breaks. It is the one table of them.
func Unsafe(r rune) bool { return dropped(r) || r == 0x2028 || r == 0x2029 }

// dropped reports runes that must never be drawn: C0 and C1 controls, DEL,
// bidi embeddings, overrides and isolates, and the byte-order mark.
func dropped(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
		r == 0x200e, r == 0x200f, r == 0x061c, r == 0xfeff:
		return true
	}
	return false
}

// skipEscape returns the index just past the escape sequence that starts at
// s[i] (an ESC byte). Unterminated string sequences swallow the rest of s:
// better to lose text than to pass half a sequence to the terminal.
func skipEscape(s string, i int) int {
	i++ // ESC
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[': // CSI: parameters and intermediates, then a final byte 0x40–0x7e
		for i++; i < len(s); i++ {
			if c := s[i]; c >= 0x40 && c <= 0x7e {
				return i + 1
			}
		}
		return i
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: up to BEL or ST
		for i++; i < len(s); i++ {
			switch s[i] {
			case 0x07:
				return i + 1
			case 0x1b:
				if i+1 < len(s) && s[i+1] == '\\' {
					return i + 2
				}
			}
		}
		return i
	default: // two- or three-byte sequences such as ESC ( B or ESC 7
		for ; i < len(s); i++ {
			if c := s[i]; c >= 0x30 && c <= 0x7e {
				return i + 1
			}
			if s[i] < 0x20 || s[i] > 0x2f {
				return i // not an intermediate byte: stop, keep it
			}
		}
		return i
	}
}

// nbHyphen stands in for "-" while wrapping: ansi's wrapping breaks after
// any hyphen, which splits ids (TKN-1000-\n1001) and hyphenated names.
const nbHyphen = "\u2011"

// Wrap breaks s into lines of at most w cells at spaces only; a word
// longer than a line is cut. Hyphens do not break, so an id stays whole on
// one line.
func Wrap(s string, w int) string {
	if !strings.Contains(s, "-") {
		return ansi.Wrap(s, w, " ")
	}
	return strings.ReplaceAll(ansi.Wrap(strings.ReplaceAll(s, "-", nbHyphen), w, " "), nbHyphen, "-")
}
