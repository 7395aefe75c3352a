package steps

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/softwareone/apitoken/internal/textsafe"
)

// wrap breaks text into lines of at most w cells, at spaces where it can.
func wrap(s string, w int) string {
	return textsafe.Wrap(s, max(w, 10))
}

// wrapStyled wraps plain text and styles each line, so the style never
// spans a line break.
func wrapStyled(style lipgloss.Style, s string, w int) string {
	lines := strings.Split(wrap(s, w), "\n")
	for i, l := range lines {
		lines[i] = style.Render(l)
	}
	return strings.Join(lines, "\n")
}
