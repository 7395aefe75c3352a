package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestFitMeasuresOnceAndStaysBounded: fit cuts lines wider than the width
// and pads to the height, the same with widths remembered as without, and
// what it remembers stays a few screens of lines.
func TestFitMeasuresOnceAndStaysBounded(t *testing.T) {
	wide := "\x1b[1m" + strings.Repeat("é", 30) + "\x1b[m"
	narrow := "\x1b[2m" + strings.Repeat("x", 10) + "\x1b[m"
	frame := wide + "\n" + narrow
	lw := lineWidths{}
	for range 2 { // measured, then remembered
		got := strings.Split(lw.fit(frame, 20, 4), "\n")
		if len(got) != 4 || ansi.StringWidth(got[0]) != 20 || !strings.HasSuffix(ansi.Strip(got[0]), "…") || got[1] != narrow || got[2] != "" {
			t.Fatalf("fit = %q", got)
		}
	}
	if n, ok := lw[wide]; !ok || n != 30 {
		t.Fatalf("the wide line's width is not remembered: %v", lw)
	}
	if want := lineWidths(nil).fit(frame, 20, 4); lw.fit(frame, 20, 4) != want {
		t.Fatal("fit with remembered widths differs from fit without")
	}
	for i := range 500 {
		lw.fit(strings.Repeat("\x1b[1mline\x1b[m", 3)+strings.Repeat("y", i), 10, 4)
	}
	if len(lw) > 4*16+1 {
		t.Fatalf("%d widths remembered after 500 different frames", len(lw))
	}
}
