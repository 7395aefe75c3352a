// Package tabs is a tab bar, such as the token details page's General,
// Modules, Details and Audit trail. It only draws the bar and tracks the
// active tab; the page draws the active tab's content and loads it lazily
// when it receives SelectedMsg.
package tabs

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/theme"
)

// SelectedMsg says the active tab changed.
type SelectedMsg struct {
	Index int
	Name  string
}

// KeyMap are the tab bar's keys; the number keys 1–9 also pick a tab.
type KeyMap struct {
	Next, Prev key.Binding
}

// DefaultKeyMap returns tab/→ and shift+tab/←.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Next: key.NewBinding(key.WithKeys("tab", "right"), key.WithHelp("tab/→", "next tab")),
		Prev: key.NewBinding(key.WithKeys("shift+tab", "left"), key.WithHelp("shift+tab/←", "previous tab")),
	}
}

// Model is a tab bar.
type Model struct {
	Keys KeyMap
	// Numbers makes 1–9 pick a tab; turn it off while the page takes typed
	// text.
	Numbers bool

	names  []string
	active int
	width  int
	styles theme.TabsStyles
}

// New returns a tab bar with these tabs, the first active.
func New(names []string, st theme.TabsStyles) Model {
	clean := make([]string, len(names))
	for i, n := range names {
		clean[i] = textsafe.Line(n, 0)
	}
	return Model{Keys: DefaultKeyMap(), Numbers: true, names: clean, width: 80, styles: st}
}

// SetWidth sets the width the bar must fit in.
func (m *Model) SetWidth(w int) { m.width = max(w, 0) }

// Active is the index of the active tab.
func (m Model) Active() int { return m.active }

// ActiveName is the active tab's name ("" with no tabs).
func (m Model) ActiveName() string {
	if len(m.names) == 0 {
		return ""
	}
	return m.names[m.active]
}

// SetActive makes tab i active (clamped); it sends no message.
func (m *Model) SetActive(i int) { m.active = max(0, min(i, len(m.names)-1)) }

// Update switches tabs on the bar's keys and returns a SelectedMsg command
// when the active tab changed.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || len(m.names) == 0 {
		return m, nil
	}
	next := m.active
	n := len(m.names)
	switch s := k.String(); {
	case key.Matches(k, m.Keys.Next):
		next = (m.active + 1) % n
	case key.Matches(k, m.Keys.Prev):
		next = (m.active + n - 1) % n
	case m.Numbers && len(s) == 1 && s[0] >= '1' && s[0] <= '9':
		if i := int(s[0] - '1'); i < n {
			next = i
		}
	}
	if next == m.active {
		return m, nil
	}
	m.active = next
	sel := SelectedMsg{Index: next, Name: m.names[next]}
	return m, func() tea.Msg { return sel }
}

// View draws the bar on one line. When the names do not all fit, the
// inactive ones are cut (with "…"), then the active one, so every tab keeps
// a place on the bar.
func (m Model) View() string {
	n := len(m.names)
	if n == 0 {
		return ""
	}
	const sep = "│"
	// Each tab is " name " and tabs are separated by sep.
	room := m.width - (n - 1) - 2*n
	widths := make([]int, n)
	total := 0
	for i, s := range m.names {
		widths[i] = ansi.StringWidth(s)
		total += widths[i]
	}
	// Shrink the widest inactive label by one until the bar fits (or every
	// inactive one is down to a single cell, then the active one).
	for total > room {
		w, at := 0, -1
		for i := range widths {
			if i != m.active && widths[i] > w {
				w, at = widths[i], i
			}
		}
		if w <= 1 {
			if widths[m.active] <= 1 {
				break
			}
			at = m.active
		}
		widths[at]--
		total--
	}
	var b strings.Builder
	for i, s := range m.names {
		if i > 0 {
			b.WriteString(m.styles.Sep.Render(sep))
		}
		if ansi.StringWidth(s) > widths[i] {
			s = ansi.Truncate(s, widths[i], textsafe.Ellipsis)
		}
		if i == m.active {
			b.WriteString(m.styles.Active.Render(" " + s + " "))
		} else {
			b.WriteString(m.styles.Inactive.Render(" " + s + " "))
		}
	}
	out := b.String()
	if ansi.StringWidth(out) > m.width {
		out = ansi.Truncate(out, m.width, "") // narrower than one cell a tab: cut
	}
	return out
}

// ShortHelp returns the bar's keys, for a help bar.
func (m Model) ShortHelp() []key.Binding { return []key.Binding{m.Keys.Next, m.Keys.Prev} }
