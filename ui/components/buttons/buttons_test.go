package buttons

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/softwareone/apitoken/theme"
)

var (
	right = tea.KeyPressMsg{Code: tea.KeyRight}
	left  = tea.KeyPressMsg{Code: tea.KeyLeft}
	tab   = tea.KeyPressMsg{Code: tea.KeyTab}
	enter = tea.KeyPressMsg{Code: tea.KeyEnter}
)

func row() Model {
	return New([]Button{{Label: "Cancel"}, {Label: "Edit"}, {Label: "Delete", Danger: true}}, 0, theme.New(true).Buttons())
}

func TestFocusAndPress(t *testing.T) {
	m := row()
	for _, tc := range []struct {
		key     tea.KeyPressMsg
		focus   int
		pressed int
	}{
		{enter, 0, 0}, {right, 1, -1}, {tab, 2, -1}, {right, 0, -1}, {left, 2, -1}, {enter, 2, 2},
		{tea.KeyPressMsg{Code: 'x', Text: "x"}, 2, -1},
	} {
		var cmd tea.Cmd
		m, cmd = m.Update(tc.key)
		if m.Focus() != tc.focus {
			t.Fatalf("%s: focus %d, want %d", tc.key, m.Focus(), tc.focus)
		}
		got := -1
		if cmd != nil {
			p := cmd().(PressedMsg)
			got = p.Index
			if p.Label != []string{"Cancel", "Edit", "Delete"}[p.Index] {
				t.Fatalf("label %q", p.Label)
			}
		}
		if got != tc.pressed {
			t.Fatalf("%s: pressed %d, want %d", tc.key, got, tc.pressed)
		}
	}
}

func TestDisabledIsSkippedAndInert(t *testing.T) {
	m := row()
	m.SetDisabled(1, true)
	if m, _ = m.Update(right); m.Focus() != 2 {
		t.Fatalf("focus %d: the disabled button was not skipped", m.Focus())
	}
	m.SetDisabled(2, true) // the focused one: focus falls back
	if m.Focus() != 0 {
		t.Fatalf("focus %d after disabling the focused button", m.Focus())
	}
	if m, _ = m.Update(right); m.Focus() != 0 {
		t.Fatalf("focus moved to %d with every other button disabled", m.Focus())
	}
	m.SetFocus(2)
	if m.Focus() != 0 {
		t.Error("SetFocus reached a disabled button")
	}
	if !m.Disabled(2) || m.Disabled(0) || m.Disabled(9) {
		t.Error("Disabled reports wrong")
	}
	m.SetDisabled(2, false)
	m.SetFocus(2)
	if _, cmd := m.Update(enter); cmd == nil || cmd().(PressedMsg).Index != 2 {
		t.Error("a re-enabled button cannot be pressed")
	}
}

func TestBlurred(t *testing.T) {
	m := row()
	m.Focused = false
	if i, handled := m.HandleKey(enter); i != -1 || handled {
		t.Error("a blurred row took enter")
	}
	if v := ansi.Strip(m.View()); strings.Contains(v, "[") {
		t.Errorf("a blurred row draws focus: %q", v)
	}
}

func TestView(t *testing.T) {
	m := row()
	m.SetFocus(2)
	m.SetDisabled(1, true)
	if got, want := ansi.Strip(m.View()), "  Cancel      Edit     [Delete] "; got != want {
		t.Errorf("view %q, want %q", got, want)
	}
	st := theme.New(true).Buttons()
	if !strings.Contains(m.View(), st.FocusedDanger.Render("[Delete]")) {
		t.Error("a focused danger button is not drawn in the danger style")
	}
	m.SetFocus(0)
	if !strings.Contains(m.View(), st.Focused.Render("[Cancel]")) {
		t.Error("the focused button is not drawn in the focus style")
	}
	evil := New([]Button{{Label: "\x1b]52;c;eA==\x07OK"}}, 0, st)
	if v := evil.View(); strings.Contains(v, "\x1b]") || !strings.Contains(ansi.Strip(v), "[OK]") {
		t.Errorf("label not made inert: %q", v)
	}
}
