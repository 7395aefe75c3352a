package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/steps"
)

// Smallest window the layout is drawn for; below it the wizard asks for a
// larger one rather than draw a broken screen.
const (
	minWidth  = 40
	minHeight = 12
)

// chrome is the lines around a step: header, rule, blank, status, help.
func (m *Model) chrome() int {
	helpLines := 1
	if m.help.ShowAll {
		helpLines = lipgloss.Height(m.help.View(m.helpKeys()))
	}
	return 4 + helpLines
}

func (m *Model) resize(w, h int) {
	m.width, m.height = w, h
	m.help.SetWidth(w)
	bodyH := max(h-m.chrome(), 1)
	for _, s := range m.allSteps() {
		s.SetSize(w, bodyH)
	}
}

// View implements tea.Model. The wizard runs in the alternate screen, so
// the token never lands in the terminal's scrollback.
func (m *Model) View() tea.View {
	var v tea.View
	v.AltScreen = true
	v.WindowTitle = "apitoken · Add API token"
	if m.quitting {
		return v
	}
	v.SetContent(m.render())
	return v
}

func (m *Model) render() string {
	w, h := m.width, m.height
	if w < minWidth || h < minHeight {
		return ansi.Wrap("apitoken needs a larger window: at least 60×20.", max(w, 10), " ")
	}
	bodyH := max(h-m.chrome(), 1)
	var b strings.Builder
	b.WriteString(m.headerView() + "\n")
	b.WriteString(m.theme.Header.Rule.Render(strings.Repeat("─", w)) + "\n")
	b.WriteString(fit(m.step(m.active).View(), w, bodyH) + "\n")
	b.WriteString(ansi.Truncate(m.statusView(), w, textsafe.Ellipsis) + "\n")
	// help.Model can overrun its width by an item when the ellipsis does not
	// fit either; cut it here.
	b.WriteString(m.helpBar())
	return b.String()
}

// helpBar is the help, fitted to the width, drawn again only when its keys,
// the width or the theme changed.
func (m *Model) helpBar() string {
	keys := m.helpKeys()
	var k strings.Builder
	fmt.Fprintf(&k, "%d|%t|%t", m.width, m.help.ShowAll, m.theme.IsDark)
	write := func(bs []key.Binding) {
		for _, b := range bs {
			h := b.Help()
			fmt.Fprintf(&k, "|%s\x00%s\x00%t", h.Key, h.Desc, b.Enabled())
		}
	}
	if m.help.ShowAll {
		for _, group := range keys.FullHelp() {
			write(group)
			k.WriteString("|/")
		}
	} else {
		write(keys.ShortHelp())
	}
	if k.String() != m.helpDrawn.key {
		v := m.help.View(keys)
		m.helpDrawn = drawn{k.String(), fit(v, m.width, lipgloss.Height(v))}
	}
	return m.helpDrawn.s
}

// fit cuts or pads s to exactly h lines of at most w cells.
func fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		// A line is never wider than its bytes: measure only longer ones.
		if len(l) > w && ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, textsafe.Ellipsis)
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// headerView is the step trail, the account and the sandbox badge, drawn
// again only when one of them, the width or the theme changed.
func (m *Model) headerView() string {
	name := ""
	if m.data.Account != nil {
		name = m.data.Account.Name
	}
	k := fmt.Sprintf("%d|%d|%t|%s|%s|%t", m.active, m.width, m.opts.Sandbox, m.data.AccountID, name, m.theme.IsDark)
	if k != m.header.key {
		m.header = drawn{k, m.drawHeader()}
	}
	return m.header.s
}

func (m *Model) drawHeader() string {
	t := m.theme.Header
	trail := make([]string, 0, 3)
	for id := steps.General; id <= steps.Overview; id++ {
		switch {
		case id == m.active:
			trail = append(trail, t.StepActive.Render("● "+id.String()))
		case id < m.active:
			trail = append(trail, t.StepDone.Render("✓ "+id.String()))
		default:
			trail = append(trail, t.StepTodo.Render("○ "+id.String()))
		}
	}
	left := t.App.Render("apitoken") + "  " + strings.Join(trail, t.StepSep.Render(" › "))

	badge := ""
	if m.opts.Sandbox {
		badge = " " + t.Sandbox.Render("SANDBOX")
	}
	id := t.AccountID.Render(m.data.AccountID)
	right := id + badge
	if m.data.Account != nil {
		name := t.Account.Render(textsafe.Line(m.data.Account.Name, 40))
		if full := name + " " + id + badge; lipgloss.Width(left)+lipgloss.Width(full)+2 <= m.width {
			right = full
		}
	}
	gap := m.width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 2 {
		// Narrow: the badge and account id matter more than the app name.
		left = strings.Join(trail, t.StepSep.Render(" › "))
		gap = m.width - lipgloss.Width(left) - lipgloss.Width(right)
	}
	if gap < 1 {
		return ansi.Truncate(left, m.width, textsafe.Ellipsis)
	}
	return left + strings.Repeat(" ", gap) + right
}

// statusView is the line above the help: questions, warnings, notices.
func (m *Model) statusView() string {
	t := m.theme.Status
	switch {
	case m.confirmQuit:
		return t.Warning.Render("The token was not copied and will not be shown again. Quit anyway? y quits, any other key stays.")
	case m.quitAsked && m.busy:
		return t.Warning.Render("Waiting for the answer: apitoken quits after showing the outcome.")
	case m.shutdown != "" && m.data.Created != nil:
		return t.Warning.Render(textsafe.Line(m.shutdown, 80) + ": copy your token, then close.")
	case m.accountErr != nil && m.active != steps.Summary:
		return t.Error.Render("Could not load account " + m.data.AccountID + ": " + steps.ErrorText(m.accountErr))
	}
	return ""
}

// helpView combines the active step's keys with the global ones.
type helpView struct {
	step   steps.Step
	global []key.Binding
}

func (h helpView) ShortHelp() []key.Binding {
	return append(h.step.ShortHelp(), h.global...)
}

func (h helpView) FullHelp() [][]key.Binding {
	return append(h.step.FullHelp(), h.global)
}

func (m *Model) helpKeys() helpView {
	global := []key.Binding{m.keys.Help, m.keys.Quit}
	if m.step(m.active).Capturing() {
		global = []key.Binding{m.keys.Interrupt}
	}
	return helpView{step: m.step(m.active), global: global}
}
