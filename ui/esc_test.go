package ui_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/softwareone/apitoken/steps"
	"github.com/softwareone/apitoken/ui"
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

// TestTooSmallTakesNoInput: while the window is too small to draw the
// pages, what is typed or pasted goes nowhere; the form is as it was when
// the window grows again.
func TestTooSmallTakesNoInput(t *testing.T) {
	h := newHarness(t)
	h.waitText("Contoso Ltd")
	h.typeText("Seen")
	h.waitText("4/100")
	h.tm.Send(tea.WindowSizeMsg{Width: 50, Height: 15})
	h.waitText("needs a larger window")
	h.typeText("Unseen")
	h.tm.Send(tea.PasteMsg{Content: "pasted"})
	h.press("enter")
	h.tm.Send(tea.WindowSizeMsg{Width: 100, Height: 30})
	h.waitText("4/100")
	var name string
	h.inspect(func(m *ui.Model) { name = m.Data().Name })
	if name != "Seen" || h.activeStep() != steps.General {
		t.Errorf("name %q on step %v: input reached the form while it could not be seen", name, h.activeStep())
	}
}
