package theme

import "testing"

// TestInlineMatchesRender: an Inline draws exactly what its style draws;
// the list's plain styles take the fast path (underlined ones, which
// lipgloss draws letter by letter, fall back to Render).
func TestInlineMatchesRender(t *testing.T) {
	for _, dark := range []bool{true, false} {
		f := New(dark).Fast
		for i, in := range []Inline{f.Cursor, f.Item, f.ItemCurrent, f.Check, f.CheckOn, f.Desc, f.ID, f.Match} {
			if i != 7 && !in.prepared().ok { // 7: Match, underlined
				t.Errorf("dark=%v: style %d is not inline", dark, i)
			}
			for _, s := range []string{"", "a", "Orders approvals (EMEA)", " x ", "世界 wide", "❯ ", "[✓]", "MOD-0001", "tab\tin", "e\u0301 combining"} {
				if got, want := in.Render(s), in.style.Render(s); got != want {
					t.Errorf("dark=%v style %d %q: %q, want %q", dark, i, s, got, want)
				}
			}
		}
	}
}
