package tabs

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/softwareone/apitoken/theme"
)

var details = []string{"General", "Modules", "Details", "Audit trail"}

func newTabs(w int) Model {
	m := New(details, theme.New(true).Tabs())
	m.SetWidth(w)
	return m
}

func TestKeys(t *testing.T) {
	m := newTabs(100)
	for _, tc := range []struct {
		key    tea.KeyPressMsg
		active int
		sent   bool
	}{
		{tea.KeyPressMsg{Code: tea.KeyTab}, 1, true},
		{tea.KeyPressMsg{Code: tea.KeyRight}, 2, true},
		{tea.KeyPressMsg{Code: tea.KeyRight}, 3, true},
		{tea.KeyPressMsg{Code: tea.KeyTab}, 0, true}, // wraps
		{tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}, 3, true},
		{tea.KeyPressMsg{Code: tea.KeyLeft}, 2, true},
		{tea.KeyPressMsg{Code: '1', Text: "1"}, 0, true},
		{tea.KeyPressMsg{Code: '1', Text: "1"}, 0, false}, // already active: no message
		{tea.KeyPressMsg{Code: '4', Text: "4"}, 3, true},
		{tea.KeyPressMsg{Code: '5', Text: "5"}, 3, false}, // no fifth tab
		{tea.KeyPressMsg{Code: 'x', Text: "x"}, 3, false},
	} {
		var cmd tea.Cmd
		m, cmd = m.Update(tc.key)
		if m.Active() != tc.active || (cmd != nil) != tc.sent {
			t.Fatalf("%s: active %d, message %v; want %d, %v", tc.key, m.Active(), cmd != nil, tc.active, tc.sent)
		}
		if cmd != nil {
			if got := cmd(); got != (SelectedMsg{Index: tc.active, Name: details[tc.active]}) {
				t.Fatalf("%s: sent %#v", tc.key, got)
			}
		}
	}
	m.Numbers = false
	if m, _ = m.Update(tea.KeyPressMsg{Code: '2', Text: "2"}); m.Active() != 3 {
		t.Error("a number key switched tabs with Numbers off")
	}
}

func TestViewGolden(t *testing.T) {
	for _, tc := range []struct {
		name   string
		w      int
		active int
	}{
		{"100", 100, 0}, {"60", 60, 3}, {"40", 40, 1}, {"30", 30, 3}, {"12", 12, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newTabs(tc.w)
			m.SetActive(tc.active)
			v := m.View()
			if w := ansi.StringWidth(v); w > tc.w {
				t.Errorf("%d wide, more than %d", w, tc.w)
			}
			if strings.Contains(v, "\n") {
				t.Error("the bar takes more than one line")
			}
			if tc.w >= 30 && !strings.Contains(ansi.Strip(v), " "+details[tc.active]+" ") {
				t.Errorf("the active tab is cut: %q", ansi.Strip(v))
			}
			golden.RequireEqual(t, ansi.Strip(v))
		})
	}
}

// TestActiveStyle: only the active tab is drawn with the active style.
func TestActiveStyle(t *testing.T) {
	st := theme.New(true).Tabs()
	m := newTabs(100)
	m.SetActive(2)
	v := m.View()
	if !strings.Contains(v, st.Active.Render(" Details ")) || strings.Contains(v, st.Active.Render(" General ")) {
		t.Errorf("active style on the wrong tab: %q", v)
	}
	if !strings.Contains(v, st.Inactive.Render(" General ")) {
		t.Errorf("General not drawn inactive: %q", v)
	}
}

func TestNamesAreInert(t *testing.T) {
	m := New([]string{"ok", "\x1b]0;title\x07bad\x1b[31m"}, theme.New(true).Tabs())
	if v := m.View(); strings.Contains(v, "\x1b]") || strings.Contains(v, "\x1b[31m") || !strings.Contains(ansi.Strip(v), "bad") {
		t.Errorf("view %q", v)
	}
	if e := (Model{}); e.View() != "" || e.ActiveName() != "" {
		t.Error("a bar without tabs draws something")
	}
}
