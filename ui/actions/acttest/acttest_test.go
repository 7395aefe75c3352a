package acttest

import "testing"

// The check must catch what the pages are tested against.
func TestLeakCatchesEveryHostileString(t *testing.T) {
	for _, s := range append(append([]string{}, Hostile...), HostileNames[:2]...) {
		if _, _, ok := Leak(s); !ok {
			t.Errorf("%q passes as inert", s)
		}
	}
	if _, _, ok := Leak("\x1b[1;38;5;12mbold\x1b[m\nnext"); ok {
		t.Error("SGR and line breaks must pass")
	}
}
