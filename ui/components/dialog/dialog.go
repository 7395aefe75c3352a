// Package dialog is a confirmation dialog for actions such as Enable,
// Disable and Delete: a title, a body saying what will happen, and Cancel
// plus the action's button, with Cancel focused so a stray enter is
// harmless. A Delete dialog can require the token's name or id typed back
// before its button is enabled.
//
// The dialog does nothing itself: it ends with a ResultMsg the page acts on.
package dialog

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/theme"
	"github.com/softwareone/apitoken/ui/components/buttons"
)

// Options describe a dialog.
type Options struct {
	// ID comes back in ResultMsg, so the page knows what was confirmed
	// (for example "delete" and the token's id).
	ID      string
	Title   string
	Body    string // what will happen; line breaks are kept
	Confirm string // the action's label: "Delete", "Disable"
	Cancel  string // "Cancel" when empty
	// Danger draws the dialog and the action in the danger colour.
	Danger bool
	// TypeBack, when not empty, lists texts (the token's name, its id) one
	// of which must be typed before the action is enabled.
	TypeBack []string
}

// ResultMsg is the dialog's answer. Confirmed is false for Cancel, esc and
// n.
type ResultMsg struct {
	ID        string
	Confirmed bool
}

const (
	cancelButton  = 0
	confirmButton = 1
	maxWidth      = 64 // of the box, borders included
)

// Model is a dialog.
type Model struct {
	opt      Options
	typeBack []string // cleaned, non-empty
	buttons  buttons.Model
	input    textinput.Model
	inInput  bool // focus is on the input, not on the buttons
	done     bool
	width    int
	styles   theme.DialogStyles
}

// New returns a dialog with focus on Cancel, or on the input when a text
// must be typed back.
func New(o Options, st theme.DialogStyles) Model {
	if o.Cancel == "" {
		o.Cancel = "Cancel"
	}
	o.Title, o.Body = textsafe.Line(o.Title, 0), textsafe.Text(o.Body, 0)
	o.Confirm, o.Cancel = textsafe.Line(o.Confirm, 0), textsafe.Line(o.Cancel, 0)
	m := Model{opt: o, width: 80, styles: st}
	for _, s := range o.TypeBack {
		if s = strings.TrimSpace(textsafe.Line(s, 0)); s != "" {
			m.typeBack = append(m.typeBack, s)
		}
	}
	m.buttons = buttons.New([]buttons.Button{
		{Label: o.Cancel},
		{Label: o.Confirm, Danger: o.Danger, Disabled: len(m.typeBack) > 0},
	}, cancelButton, st.Buttons)
	if len(m.typeBack) > 0 {
		m.input = textinput.New()
		m.input.SetStyles(st.Input)
		m.input.Prompt = "› "
		m.input.CharLimit = 256
		m.input.Focus()
		m.inInput = true
		m.buttons.Focused = false
	}
	m.SetWidth(m.width)
	return m
}

// SetWidth sets the width of the screen the dialog is drawn on.
func (m *Model) SetWidth(w int) {
	m.width = max(w, 0)
	if m.typeBack != nil {
		m.input.SetWidth(max(m.inner()-3, 1))
	}
}

// inner is the width of the box's content.
func (m Model) inner() int { return max(min(m.width, maxWidth)-4, 8) }

// Done reports whether the dialog has answered.
func (m Model) Done() bool { return m.done }

// Enabled reports whether the action's button can be pressed.
func (m Model) Enabled() bool { return !m.buttons.Disabled(confirmButton) }

// Focus names what has focus: "input", or the focused button's label.
func (m Model) Focus() string {
	if m.inInput {
		return "input"
	}
	if m.buttons.Focus() == confirmButton {
		return m.opt.Confirm
	}
	return m.opt.Cancel
}

var (
	escKey  = key.NewBinding(key.WithKeys("esc"))
	yesKey  = key.NewBinding(key.WithKeys("y", "Y"))
	noKey   = key.NewBinding(key.WithKeys("n", "N"))
	tabKey  = key.NewBinding(key.WithKeys("tab"))
	backKey = key.NewBinding(key.WithKeys("shift+tab"))
	enter   = key.NewBinding(key.WithKeys("enter"))
)

// Update handles keys until the dialog answers, then returns the ResultMsg
// command once; later messages are ignored.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if m.done {
		return m, nil
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		if m.inInput {
			var cmd tea.Cmd
			m.input, cmd = m.input.Update(msg) // paste, cursor
			m.sync()
			return m, cmd
		}
		return m, nil
	}
	if key.Matches(k, escKey) {
		return m.answer(false)
	}
	if m.typeBack != nil && (key.Matches(k, tabKey) || key.Matches(k, backKey)) {
		m.cycle(key.Matches(k, tabKey))
		return m, nil
	}
	if m.inInput {
		if key.Matches(k, enter) {
			if m.Enabled() {
				m.focusButtons(confirmButton) // one more enter confirms
			}
			return m, nil
		}
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(k)
		m.sync()
		return m, cmd
	}
	switch {
	case key.Matches(k, noKey):
		return m.answer(false)
	case key.Matches(k, yesKey):
		if m.Enabled() {
			return m.answer(true)
		}
		return m, nil
	}
	if i, _ := m.buttons.HandleKey(k); i >= 0 {
		return m.answer(i == confirmButton)
	}
	return m, nil
}

func (m Model) answer(yes bool) (Model, tea.Cmd) {
	m.done = true
	m.input.Blur()
	r := ResultMsg{ID: m.opt.ID, Confirmed: yes}
	return m, func() tea.Msg { return r }
}

// sync enables the action when the typed text matches one of TypeBack.
func (m *Model) sync() {
	typed := strings.TrimSpace(m.input.Value())
	match := false
	for _, s := range m.typeBack {
		match = match || typed == s
	}
	m.buttons.SetDisabled(confirmButton, !match)
}

// cycle moves focus input → Cancel → action (when enabled) → input.
func (m *Model) cycle(forward bool) {
	stops := []int{-1, cancelButton} // -1: the input
	if m.Enabled() {
		stops = append(stops, confirmButton)
	}
	at := 0
	if !m.inInput {
		for i, s := range stops {
			if s == m.buttons.Focus() {
				at = i
			}
		}
	}
	if forward {
		at = (at + 1) % len(stops)
	} else {
		at = (at + len(stops) - 1) % len(stops)
	}
	if stops[at] < 0 {
		m.inInput = true
		m.buttons.Focused = false
		m.input.Focus()
		return
	}
	m.focusButtons(stops[at])
}

func (m *Model) focusButtons(i int) {
	m.inInput = false
	m.input.Blur()
	m.buttons.Focused = true
	m.buttons.SetFocus(i)
}

// View draws the dialog's box; place it with Overlay or lipgloss.Place.
func (m Model) View() string {
	st := m.styles
	w := m.inner()
	var b strings.Builder
	b.WriteString(st.Title.Render(ansi.Truncate(m.opt.Title, w, textsafe.Ellipsis)))
	b.WriteString("\n\n")
	for i, l := range strings.Split(textsafe.Wrap(m.opt.Body, w), "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(st.Body.Render(l))
	}
	b.WriteString("\n\n")
	if m.typeBack != nil {
		ask := "Type " + quoteList(m.typeBack) + " to enable " + m.opt.Confirm + ":"
		for _, l := range strings.Split(textsafe.Wrap(ask, w), "\n") {
			b.WriteString(st.Hint.Render(l) + "\n")
		}
		b.WriteString(m.input.View() + "\n\n")
	}
	b.WriteString(m.buttons.View() + "\n")
	hint := "←/→ choose · enter confirm · esc cancel"
	if m.typeBack == nil {
		hint = "y/n · ←/→ choose · enter · esc cancel"
	} else if m.inInput {
		hint = "tab buttons · esc cancel"
	}
	b.WriteString(st.Hint.Render(ansi.Truncate(hint, w, textsafe.Ellipsis)))
	box := st.Box
	if m.opt.Danger {
		box = st.DangerBox
	}
	return box.Width(w + 4).Render(b.String())
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = "“" + s + "”"
	}
	return strings.Join(q, " or ")
}

// Overlay draws box over the middle of page, a screen of width×height
// cells: the page stays visible around the box.
func Overlay(page, box string, width, height int) string {
	lines := strings.Split(page, "\n")
	for len(lines) < height {
		lines = append(lines, "")
	}
	boxLines := strings.Split(box, "\n")
	bw := 0
	for _, l := range boxLines {
		bw = max(bw, ansi.StringWidth(l))
	}
	x := max((width-bw)/2, 0)
	y := max((height-len(boxLines))/2, 0)
	for i, bl := range boxLines {
		j := y + i
		if j >= len(lines) {
			lines = append(lines, "")
		}
		pl := lines[j]
		left := ansi.Truncate(pl, x, "")
		if lw := ansi.StringWidth(left); lw < x {
			left += strings.Repeat(" ", x-lw)
		}
		right := ""
		if ansi.StringWidth(pl) > x+bw {
			right = ansi.TruncateLeft(pl, x+bw, "")
		}
		if strings.Contains(left, "\x1b") {
			left += "\x1b[m" // the page's colours must not bleed into the box
		}
		if right != "" && strings.Contains(bl, "\x1b") {
			bl += "\x1b[m"
		}
		bl += strings.Repeat(" ", bw-ansi.StringWidth(bl))
		lines[j] = left + bl + right
	}
	return strings.Join(lines, "\n")
}
