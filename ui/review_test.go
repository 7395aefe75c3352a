package ui_test

import (
	"testing"

	"github.com/softwareone/apitoken/steps"
	"github.com/softwareone/apitoken/ui"
)

// TestEditFromOverviewReturns: a step opened from the Overview with its
// edit keys goes straight back to it when the user moves on, with the
// change kept; a step reached the usual way goes on to the next one.
func TestEditFromOverviewReturns(t *testing.T) {
	h := newHarness(t)
	h.waitText("Contoso Ltd")
	h.toOverview("First")

	h.press("g")
	h.waitText("API token name")
	h.typeText(" edited")
	h.press("ctrl+n")
	h.waitText("Modules (1)")
	if got := h.activeStep(); got != steps.Overview {
		t.Fatalf("after editing General from the Overview: step %v, want the Overview", got)
	}
	var name string
	h.inspect(func(m *ui.Model) { name = m.Data().Name })
	if name != "First edited" {
		t.Errorf("name %q, want the edit kept", name)
	}

	h.press("m")
	h.waitText("1 of 8 selected")
	h.press("down", "space", "enter")
	h.waitText("Modules (2)")
	if got := h.activeStep(); got != steps.Overview {
		t.Fatalf("after editing Modules from the Overview: step %v, want the Overview", got)
	}

	// Back from the Overview is the ordinary way: Modules, then on.
	h.press("esc")
	h.waitText("2 of 8 selected")
	h.press("esc")
	h.waitText("API token name")
	h.press("ctrl+n")
	h.waitText("2 of 8 selected")
	if got := h.activeStep(); got != steps.Modules {
		t.Errorf("General reached with Back moved on to step %v, want Modules", got)
	}
}
