package theme

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// Inline is a style that only colours and decorates text (no padding,
// width, margins or borders), with its escape sequences worked out once:
// drawing a line of plain text with it is a concatenation instead of a
// lipgloss layout, which matters on screens redrawn at every keystroke.
type Inline struct {
	style     lipgloss.Style
	pre, post string
	ok        bool // the concatenation is what Render gives
}

// NewInline prepares s. Styles the concatenation would not reproduce fall
// back to s.Render.
func NewInline(s lipgloss.Style) Inline {
	in := Inline{style: s}
	const probe = "x"
	r := s.Render(probe)
	i := strings.Index(r, probe)
	if i < 0 {
		return in
	}
	in.pre, in.post = r[:i], r[i+len(probe):]
	in.ok = true
	for _, p := range []string{"a b", " lead", "trail ", "wide 世界"} {
		if s.Render(p) != in.pre+p+in.post {
			in.ok = false
			break
		}
	}
	return in
}

// Render draws s, which must be one line of plain text, like
// style.Render(s).
func (in Inline) Render(s string) string {
	if !in.ok || s == "" || strings.ContainsAny(s, "\n\r\t\x1b") {
		return in.style.Render(s)
	}
	return in.pre + s + in.post
}
