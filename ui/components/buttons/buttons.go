// Package buttons is a row of focusable buttons (Cancel, Delete, Save…),
// used by the confirmation dialogs and by any page with actions.
package buttons

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/theme"
)

// Button is one button.
type Button struct {
	Label string
	// Danger draws the button in the danger colour when focused (Delete,
	// Disable).
	Danger bool
	// Disabled buttons are skipped by focus moves and cannot be pressed.
	Disabled bool
}

// PressedMsg says the button at Index was pressed.
type PressedMsg struct {
	Index int
	Label string
}

// KeyMap are the row's keys.
type KeyMap struct {
	Next, Prev, Press key.Binding
}

// DefaultKeyMap returns →/tab, ←/shift+tab and enter.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Next:  key.NewBinding(key.WithKeys("right", "tab"), key.WithHelp("→/tab", "next button")),
		Prev:  key.NewBinding(key.WithKeys("left", "shift+tab"), key.WithHelp("←/shift+tab", "previous button")),
		Press: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "press")),
	}
}

// Model is a button row. Focused says whether the row has the page's focus:
// only then is a button drawn focused and do keys act.
type Model struct {
	Keys    KeyMap
	Focused bool

	buttons []Button
	focus   int
	styles  theme.ButtonStyles
}

// New returns a focused row with focus on button focus (the safe choice,
// such as Cancel).
func New(bs []Button, focus int, st theme.ButtonStyles) Model {
	clean := make([]Button, len(bs))
	for i, b := range bs {
		b.Label = textsafe.Line(b.Label, 0)
		clean[i] = b
	}
	m := Model{Keys: DefaultKeyMap(), Focused: true, buttons: clean, styles: st}
	m.SetFocus(focus)
	return m
}

// Focus is the index of the focused button.
func (m Model) Focus() int { return m.focus }

// SetFocus moves focus to button i when it exists and is enabled.
func (m *Model) SetFocus(i int) {
	if i >= 0 && i < len(m.buttons) && !m.buttons[i].Disabled {
		m.focus = i
	}
}

// Len is the number of buttons.
func (m Model) Len() int { return len(m.buttons) }

// SetDisabled enables or disables button i; a focused button that becomes
// disabled passes focus to the previous enabled one.
func (m *Model) SetDisabled(i int, disabled bool) {
	if i < 0 || i >= len(m.buttons) {
		return
	}
	m.buttons[i].Disabled = disabled
	if disabled && m.focus == i {
		m.move(-1)
	}
}

// Disabled reports whether button i is disabled.
func (m Model) Disabled(i int) bool {
	return i >= 0 && i < len(m.buttons) && m.buttons[i].Disabled
}

// move shifts focus by d (±1) to the next enabled button, wrapping; it
// stays put when no other button is enabled.
func (m *Model) move(d int) {
	n := len(m.buttons)
	for step := 1; step <= n; step++ {
		i := ((m.focus+d*step)%n + n) % n
		if !m.buttons[i].Disabled {
			m.focus = i
			return
		}
	}
}

// HandleKey applies a key to the row: it moves focus, or reports the
// pressed button's index. handled is false for keys the row does not use,
// so a parent can give them another meaning.
func (m *Model) HandleKey(k tea.KeyPressMsg) (pressed int, handled bool) {
	if !m.Focused || len(m.buttons) == 0 {
		return -1, false
	}
	switch {
	case key.Matches(k, m.Keys.Next):
		m.move(1)
	case key.Matches(k, m.Keys.Prev):
		m.move(-1)
	case key.Matches(k, m.Keys.Press):
		if m.buttons[m.focus].Disabled {
			return -1, true
		}
		return m.focus, true
	default:
		return -1, false
	}
	return -1, true
}

// Update handles keys and returns a PressedMsg command when a button is
// pressed.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	if i, _ := m.HandleKey(k); i >= 0 {
		p := PressedMsg{Index: i, Label: m.buttons[i].Label}
		return m, func() tea.Msg { return p }
	}
	return m, nil
}

// View draws the row on one line. The focused button is bracketed as well
// as coloured, so focus shows without colour (NO_COLOR) too.
func (m Model) View() string {
	var b strings.Builder
	for i, bt := range m.buttons {
		if i > 0 {
			b.WriteString("  ")
		}
		switch {
		case bt.Disabled:
			b.WriteString(m.styles.Disabled.Render(" " + bt.Label + " "))
		case m.Focused && i == m.focus && bt.Danger:
			b.WriteString(m.styles.FocusedDanger.Render("[" + bt.Label + "]"))
		case m.Focused && i == m.focus:
			b.WriteString(m.styles.Focused.Render("[" + bt.Label + "]"))
		default:
			b.WriteString(m.styles.Button.Render(" " + bt.Label + " "))
		}
	}
	return b.String()
}

// ShortHelp returns the row's keys, for a help bar.
func (m Model) ShortHelp() []key.Binding { return []key.Binding{m.Keys.Next, m.Keys.Press} }
