package common

import "testing"

func TestTokenLabel(t *testing.T) {
	for _, c := range []struct{ name, id, want string }{
		{"Order sync", "TKN-1000-1003", "“Order sync” (TKN-1000-1003)"},
		{"", "TKN-1000-1003", "TKN-1000-1003"},
		{"\x1b[31mred\x1b[0m", "TKN-1\x07", "“red” (TKN-1)"},
	} {
		if got := TokenLabel(c.name, c.id); got != c.want {
			t.Errorf("TokenLabel(%q, %q) = %q, want %q", c.name, c.id, got, c.want)
		}
	}
}
