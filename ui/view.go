package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"charm.land/bubbles/v2/help"

	"github.com/softwareone/apitoken/internal/textsafe"
)

// Smallest window the layout is drawn for, as the message below it says;
// below it the app asks for a larger one rather than draw a cut screen.
const (
	minWidth  = 60
	minHeight = 20
)

// chrome is the lines around a step: header, rule, blank, status, help.
func (m *Model) chrome() int {
	helpLines := 1
	if m.c.ShowHelp {
		helpLines = lipgloss.Height(m.help.FullHelpView(m.helpKeys().FullHelp()))
	}
	return 4 + helpLines
}

func (m *Model) resize(w, h int) {
	m.c.Width, m.c.Height = w, h
	m.help.SetWidth(w)
	m.help.ShowAll = m.c.ShowHelp
	bodyH := max(h-m.chrome(), 1)
	for _, p := range m.pages {
		p.SetSize(w, bodyH)
	}
}

// View implements tea.Model. The wizard runs in the alternate screen, so
// the token never lands in the terminal's scrollback.
func (m *Model) View() tea.View {
	var v tea.View
	v.AltScreen = true
	v.WindowTitle = "apitoken · Add API token"
	if m.c.Quitting() {
		return v
	}
	v.SetContent(m.render())
	return v
}

// tooSmall reports a window too small to draw the pages in: the app says
// so instead, and takes no keys but the global ones.
func (m *Model) tooSmall() bool { return m.c.Width < minWidth || m.c.Height < minHeight }

func (m *Model) render() string {
	w, h := m.c.Width, m.c.Height
	if m.tooSmall() {
		return textsafe.Wrap(fmt.Sprintf("apitoken needs a larger window: at least %d×%d (this one is %d×%d).", minWidth, minHeight, w, h), max(w, 10))
	}
	bodyH := max(h-m.chrome(), 1)
	var b strings.Builder
	b.WriteString(m.headerView() + "\n")
	b.WriteString(m.c.Theme.Header.Rule.Render(strings.Repeat("─", w)) + "\n")
	b.WriteString(m.widths.fit(m.top().View(), w, bodyH) + "\n")
	b.WriteString(ansi.Truncate(m.top().Status(), w, textsafe.Ellipsis) + "\n")
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
	fmt.Fprintf(&k, "%d|%t|%t", m.c.Width, m.c.ShowHelp, m.c.Theme.IsDark)
	write := func(bs []key.Binding) {
		for _, b := range bs {
			h := b.Help()
			fmt.Fprintf(&k, "|%s\x00%s\x00%t", h.Key, h.Desc, b.Enabled())
		}
	}
	if m.c.ShowHelp {
		for _, group := range keys.FullHelp() {
			write(group)
			k.WriteString("|/")
		}
	} else {
		// The raw keys: fitting them takes renders, done only on a change.
		write(keys.page.ShortHelp())
		write(keys.global)
	}
	if k.String() != m.helpDrawn.key {
		var v string
		if m.c.ShowHelp {
			v = m.help.FullHelpView(keys.FullHelp())
		} else {
			v = m.help.ShortHelpView(keys.ShortHelp())
		}
		m.helpDrawn = drawn{k.String(), m.widths.fit(v, m.c.Width, lipgloss.Height(v))}
	}
	return m.helpDrawn.s
}

// lineWidths remembers the widths of the lines of recent frames: most
// lines of a frame are those of the frame before, and measuring a styled
// line means parsing it.
type lineWidths map[string]int

// width is l's width in cells.
func (lw lineWidths) width(l string) int {
	if n, ok := lw[l]; ok {
		return n
	}
	n := ansi.StringWidth(l)
	if lw != nil {
		lw[strings.Clone(l)] = n // not a slice of the whole frame, which it would keep
	}
	return n
}

// fit cuts or pads s to exactly h lines of at most w cells.
func (lw lineWidths) fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	if len(lw) > 4*max(h, 16) {
		clear(lw) // the lines of frames long gone
	}
	for i, l := range lines {
		// A line is never wider than its bytes: measure only longer ones.
		if len(l) > w && lw.width(l) > w {
			lines[i] = ansi.Truncate(l, w, textsafe.Ellipsis)
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// headerView is the app name, the page's part (the step trail), the
// account and the sandbox badge, drawn again only when one of them, the
// width or the theme changed.
func (m *Model) headerView() string {
	name := ""
	if acc := m.accountInfo(); acc != nil {
		name = acc.Name
	}
	page := m.top().Header()
	k := fmt.Sprintf("%s|%d|%t|%s|%s|%t", page, m.c.Width, m.opts.Sandbox, m.AccountID(), name, m.c.Theme.IsDark)
	if k != m.header.key {
		m.header = drawn{k, m.drawHeader(page)}
	}
	return m.header.s
}

func (m *Model) drawHeader(page string) string {
	t := m.c.Theme.Header
	width := m.c.Width
	left := t.App.Render("apitoken") + "  " + page

	badge := ""
	if m.opts.Sandbox {
		badge = " " + t.Sandbox.Render("SANDBOX")
	}
	id := t.AccountID.Render(m.AccountID())
	right := id + badge
	if acc := m.accountInfo(); acc != nil {
		name := t.Account.Render(textsafe.Line(acc.Name, 40))
		if full := name + " " + id + badge; lipgloss.Width(left)+lipgloss.Width(full)+2 <= width {
			right = full
		}
	}
	gap := width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 2 {
		// Narrow: the badge and account id matter more than the app name.
		left = page
		gap = width - lipgloss.Width(left) - lipgloss.Width(right)
	}
	if gap < 1 {
		return ansi.Truncate(left, width, textsafe.Ellipsis)
	}
	return left + strings.Repeat(" ", gap) + right
}

// helpView combines the page's keys with the global ones. Its short form
// fits the width: the page's keys in the order the page ranks them, as
// many as fit whole, then the global ones ("? more keys" first), so the bar
// collapses instead of being cut mid-word.
type helpView struct {
	page   help.KeyMap
	global []key.Binding
	fits   func([]key.Binding) bool
}

func (h helpView) ShortHelp() []key.Binding {
	var out []key.Binding
	global := map[string]bool{}
	for _, g := range h.global {
		global[g.Help().Key] = true
	}
	for _, b := range h.page.ShortHelp() {
		// A page may list a global key itself; the bar shows it once, at
		// the end.
		if !b.Enabled() || global[b.Help().Key] {
			continue
		}
		if try := append(append(slices.Clone(out), b), h.global[0]); !h.fits(try) {
			break
		}
		out = append(out, b)
	}
	for _, g := range h.global {
		if h.fits(append(slices.Clone(out), g)) {
			out = append(out, g)
		}
	}
	return out
}

func (h helpView) FullHelp() [][]key.Binding {
	return append(h.page.FullHelp(), h.global)
}

func (m *Model) helpKeys() helpView {
	k := m.c.Keys
	global := []key.Binding{k.Help, k.Quit}
	if m.top().Capturing() {
		global = []key.Binding{k.HelpF1, k.Interrupt}
	}
	w := m.c.Width
	fits := func(bs []key.Binding) bool {
		v := m.help.ShortHelpView(bs)
		return !strings.Contains(v, "…") && lipgloss.Width(v) <= w
	}
	return helpView{page: m.top(), global: global, fits: fits}
}
