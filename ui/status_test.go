package ui_test

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/softwareone/apitoken/ui"
)

// The API tokens page's status line says what last changed: every outcome
// replaces the one before, wherever it happened, and moving on from the
// list clears it, so the line is never about an older change.

const deletedPowerBI = "“Power BI refresh” (TKN-1000-1002) is deleted."

// statusLine is the line above the help bar: the page's status.
func statusLine(screen string) string {
	lines := strings.Split(screen, "\n")
	if len(lines) < 2 {
		return ""
	}
	return strings.TrimSpace(lines[len(lines)-2])
}

// onList waits for the API tokens page, loaded, on which cond holds.
func (h *harness) onList(what string, cond func(screen string) bool) string {
	h.t.Helper()
	return h.waitFor(what, func(s string) bool {
		return strings.Contains(s, "● API tokens ") && !hasSpinner(s) && cond(s)
	})
}

// deletePowerBI starts on the list and deletes its second token, "Power BI
// refresh"; the cursor is then on the token after it, "Order sync".
func deletePowerBI(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, func(c *harnessConfig) { c.start = ui.StartTokens })
	h.onList("the list", func(s string) bool { return strings.Contains(s, "TKN-1000-1002") })
	h.press("down", "x")
	h.waitText("Delete this API token?")
	h.typeText("Power BI refresh")
	h.press("enter", "enter")
	s := h.onList("the delete's outcome", func(s string) bool { return statusLine(s) == deletedPowerBI })
	if strings.Contains(s, "TKN-1000-1002  ●") {
		t.Fatalf("the deleted token is still listed:\n%s", s)
	}
	return h
}

// openDetails presses enter on the list and waits for the token's details,
// read.
func (h *harness) openDetails(id string) {
	h.t.Helper()
	h.press("enter")
	h.waitFor("the details of "+id, func(s string) bool {
		return strings.Contains(s, "● API token "+id) && strings.Contains(s, "Audit trail") && !hasSpinner(s)
	})
}

// TestStatusAfterDeleteThenEdit: an edit's save, after a delete, says the
// save, not the delete.
func TestStatusAfterDeleteThenEdit(t *testing.T) {
	h := deletePowerBI(t)
	h.openEdit("Order sync")
	h.typeText(" v2")
	h.press("ctrl+n")
	h.waitFor("Edit's Modules", func(s string) bool {
		return strings.Contains(s, "● Modules") && strings.Contains(s, " selected") && !hasSpinner(s)
	})
	h.press("enter")
	s := h.onList("the list after the save", func(s string) bool { return strings.Contains(s, "Order sync v2") })
	if got, want := statusLine(s), "“Order sync v2” (TKN-1000-1003) is saved."; got != want {
		t.Fatalf("status after the save %q, want %q; screen:\n%s", got, want, s)
	}
}

// TestStatusAfterDeleteThenRotate: a rotation, after a delete, says the
// rotation when the list is back.
func TestStatusAfterDeleteThenRotate(t *testing.T) {
	h := deletePowerBI(t)
	h.openDetails("TKN-1000-1003")
	h.press("R")
	h.waitFor("Rotate's question", func(s string) bool { return strings.Contains(s, "enter rotate") && !hasSpinner(s) })
	h.press("enter")
	h.waitText("The new token is created")
	var newID string
	for _, tok := range tokensNamed(h.srv, "Order sync") {
		if tok.ID != "TKN-1000-1003" {
			newID = tok.ID
		}
	}
	if newID == "" {
		t.Fatal("no new token named Order sync")
	}
	h.press("r", "enter") // the value seen, as Rotate asks before it goes on
	h.waitText("now? Its calls are refused")
	h.press("y")
	h.waitText("Rotated:")
	h.press("esc")
	s := h.onList("the list, the new token selected", func(s string) bool { return strings.Contains(cursorLine(s), newID) })
	want := "“Order sync” (TKN-1000-1003) has a new token: " + newID + "."
	if got := statusLine(s); got != want {
		t.Fatalf("status after the rotation %q, want %q; screen:\n%s", got, want, s)
	}
	if !strings.Contains(s, "TKN-1000-1003  ○ Disabled") {
		t.Errorf("the old token's row does not show it disabled:\n%s", s)
	}
}

// TestStatusAfterDeleteThenToggleOnDetails: a Disable on the details page,
// after a delete on the list, is what the list says once it is back; an
// Enable on the list then replaces it.
func TestStatusAfterDeleteThenToggleOnDetails(t *testing.T) {
	h := deletePowerBI(t)
	h.openDetails("TKN-1000-1003")
	h.press("t")
	h.waitText("Disable this API token?")
	h.press("y")
	h.waitText("is disabled: its calls are refused")
	h.press("esc")
	s := h.onList("the list, the row disabled", func(s string) bool { return strings.Contains(s, "TKN-1000-1003  ○ Disabled") })
	want := "“Order sync” (TKN-1000-1003) is disabled: its calls are refused until it is enabled again."
	if got := statusLine(s); got != want {
		t.Fatalf("status after the disable on the details page %q, want %q; screen:\n%s", got, want, s)
	}
	h.press("t")
	h.waitText("Enable this API token?")
	h.press("y")
	s = h.onList("the list, the row enabled", func(s string) bool { return strings.Contains(s, "TKN-1000-1003  ● Active") })
	if got, want := statusLine(s), "“Order sync” (TKN-1000-1003) is enabled: its calls are accepted again."; got != want {
		t.Fatalf("status after the enable %q, want %q", got, want)
	}
}

// TestStatusAfterDeleteThenCreate: a token created after a delete is what
// the list says after the wizard's Close.
func TestStatusAfterDeleteThenCreate(t *testing.T) {
	h := newHarness(t, copied)
	first := h.createAndClose("First of two")
	s := ansi.Strip(h.view())
	if got, want := statusLine(s), "“First of two” ("+first+") is created."; got != want {
		t.Fatalf("status after the Close %q, want %q", got, want)
	}
	h.press("x")
	h.waitText("Delete this API token?")
	h.typeText("First of two")
	h.press("enter", "enter")
	h.onList("the delete's outcome", func(s string) bool { return strings.Contains(s, "("+first+") is deleted.") })
	h.press("a")
	h.waitText("● General")
	second := h.createAndClose("Second of two")
	s = ansi.Strip(h.view())
	if got, want := statusLine(s), "“Second of two” ("+second+") is created."; got != want {
		t.Fatalf("status after the second Close %q, want %q", got, want)
	}
}

// TestStatusGoesWhenTheListIsLeft: opening a page from the list clears its
// status, so coming back with nothing changed shows no old outcome.
func TestStatusGoesWhenTheListIsLeft(t *testing.T) {
	for _, leave := range []struct {
		name, key string
		back      func(h *harness)
	}{
		{"details", "enter", func(h *harness) {
			h.waitFor("the details", func(s string) bool { return strings.Contains(s, "Audit trail") && !hasSpinner(s) })
			h.press("esc")
		}},
		{"edit", "e", func(h *harness) {
			h.waitFor("Edit", func(s string) bool { return strings.Contains(s, "● General") && !hasSpinner(s) })
			h.press("esc")
		}},
		{"add", "a", func(h *harness) {
			h.waitText("● General")
			h.press("esc")
		}},
	} {
		t.Run(leave.name, func(t *testing.T) {
			h := deletePowerBI(t)
			h.press(leave.key)
			leave.back(h)
			s := h.onList("the list again", func(s string) bool { return strings.Contains(s, "TKN-1000-1003") })
			if got := statusLine(s); got != "" {
				t.Fatalf("status back on the list %q, want none; screen:\n%s", got, s)
			}
		})
	}
}
