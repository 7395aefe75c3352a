package ui_test

import (
	"strings"
	"testing"

	"github.com/softwareone/apitoken/steps"
)

// TestEscOnGeneral: esc on General leaves the wizard for the API tokens
// page at once while nothing was typed, asks first once something was
// (y leaves, any other key stays with the input kept), and only closes the
// logo picker when that is open.
func TestEscOnGeneral(t *testing.T) {
	h := newHarness(t)
	h.waitText("Contoso Ltd")
	h.press("esc")
	h.waitText("● API tokens")

	h.press("a")
	h.waitText("API token name")
	h.typeText("Keep me")
	h.press("esc")
	h.waitText("Discard what you typed?")
	h.press("n")
	s := h.waitFor("the question to go", func(s string) bool { return !strings.Contains(s, "Discard what you typed") })
	if !strings.Contains(s, "Keep me") || h.activeStep() != steps.General {
		t.Fatalf("any other key than y left the wizard or lost the name:\n%s", s)
	}

	h.press("shift+tab", "ctrl+o")
	h.waitText("esc cancel") // the picker's help
	h.press("esc")
	s = h.waitFor("the picker to close", func(s string) bool { return !strings.Contains(s, "esc cancel") })
	if strings.Contains(s, "Discard what you typed") || !strings.Contains(s, "Keep me") {
		t.Fatalf("esc in the logo picker did more than close it:\n%s", s)
	}

	h.press("esc")
	h.waitText("Discard what you typed?")
	h.press("y")
	h.waitText("● API tokens")
}
