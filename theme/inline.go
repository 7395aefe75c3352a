package theme

import (
	"strings"
	"sync"

	"charm.land/lipgloss/v2"
)

// Inline is a style that only colours and decorates text (no padding,
// width, margins or borders), with its escape sequences worked out once:
// drawing a line of plain text with it is a concatenation instead of a
// lipgloss layout, which matters on screens redrawn at every keystroke.
type Inline struct {
	style lipgloss.Style
	// fast is worked out on first use, not in NewInline: a theme holds a
	// dozen of them, and working them all out (five renders each) was
	// most of building a theme, on the way to every first frame.
	fast *inlineFast
}

type inlineFast struct {
	once      sync.Once
	pre, post string
	ok        bool // the concatenation is what Render gives
}

// NewInline prepares s. Styles the concatenation would not reproduce fall
// back to s.Render.
func NewInline(s lipgloss.Style) Inline { return Inline{style: s, fast: &inlineFast{}} }

// prepared works out the concatenation once.
func (in Inline) prepared() *inlineFast {
	f := in.fast
	f.once.Do(func() {
		const probe = "x"
		r := in.style.Render(probe)
		i := strings.Index(r, probe)
		if i < 0 {
			return
		}
		f.pre, f.post = r[:i], r[i+len(probe):]
		f.ok = true
		for _, p := range []string{"a b", " lead", "trail ", "wide 世界"} {
			if in.style.Render(p) != f.pre+p+f.post {
				f.ok = false
				break
			}
		}
	})
	return f
}

// Render draws s, which must be one line of plain text, like
// style.Render(s).
func (in Inline) Render(s string) string {
	if in.fast == nil || s == "" || strings.ContainsAny(s, "\n\r\t\x1b") {
		return in.style.Render(s)
	}
	if f := in.prepared(); f.ok {
		return f.pre + s + f.post
	}
	return in.style.Render(s)
}
