package theme

import "testing"

// TestComponentInlines: the components' row styles take the Inline fast
// path (a background included) and draw what their styles draw.
func TestComponentInlines(t *testing.T) {
	for _, dark := range []bool{true, false} {
		th := New(dark)
		tb, tabs := th.Table(), th.Tabs()
		for i, in := range []Inline{tb.Header, tb.HeaderSorted, tb.Cell, tb.Selected, tb.Cursor, tb.Footer, tabs.Active, tabs.Inactive, tabs.Sep} {
			if !in.prepared().ok {
				t.Errorf("dark=%v: style %d is not inline", dark, i)
			}
			for _, s := range []string{"Token name  ", " General ", "❯ ", "世界 wide", "12 of 10000+"} {
				if got, want := in.Render(s), in.style.Render(s); got != want {
					t.Errorf("dark=%v style %d %q: %q, want %q", dark, i, s, got, want)
				}
			}
		}
	}
}
