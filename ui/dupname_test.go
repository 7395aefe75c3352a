package ui_test

import (
	"strings"
	"testing"
	"time"

	"github.com/softwareone/apitoken/ui"
)

// TestOverviewSaysTheNameIsTaken: the Overview warns when another token of
// the account already has the name, and says nothing for a new name once
// the lookup has answered.
func TestOverviewSaysTheNameIsTaken(t *testing.T) {
	for _, size := range []struct{ w, h int }{{100, 30}, {60, 20}} {
		h := newHarness(t, func(c *harnessConfig) { c.width, c.height = size.w, size.h })
		h.waitText("API token name")
		h.toOverview("Order sync")
		s := h.waitText("already named")
		flat := strings.Join(strings.Fields(s), " ")
		if !strings.Contains(flat, "“Order sync” (TKN-1000-1003)") || !strings.Contains(s, "Add") {
			t.Errorf("%dx%d: the warning does not name the other token, or the buttons went:\n%s", size.w, size.h, s)
		}

		h.press("g")
		h.waitText("API token name")
		h.typeText(" (new)")
		h.press("ctrl+n")
		h.waitText("Review the token")
		h.waitChecked("Order sync (new)")
		if s := h.view(); strings.Contains(s, "already named") || !strings.Contains(s, "Add") {
			t.Errorf("%dx%d: a new name is warned about, or no buttons:\n%s", size.w, size.h, s)
		}
	}
}

// waitChecked waits for the Overview's name lookup to have answered for
// name.
func (h *harness) waitChecked(name string) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var got string
		h.inspect(func(m *ui.Model) { got = m.Data().NameChecked })
		if got == name {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("the name lookup did not answer for %q (last: %q)", name, got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
