// Package accounts is the page that lets the user pick an account when the
// credential sees several: a list, ↑/↓ and enter.
package accounts

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/ui/common"
)

type keys struct{ Up, Down, Pick key.Binding }

// Page lists the accounts; enter hands the highlighted one to pick.
type Page struct {
	c      *common.Common
	keys   keys
	items  []item
	cursor int
	offset int
	pick   func(apiclient.Account) tea.Cmd

	width, height int
}

// item is an account made safe to draw once, when the page is built.
type item struct {
	acc              apiclient.Account
	id, name, detail string
}

var _ common.Page = (*Page)(nil)

// New builds the page; pick is called with the chosen account.
func New(c *common.Common, accs []apiclient.Account, pick func(apiclient.Account) tea.Cmd) *Page {
	p := &Page{c: c, pick: pick, keys: keys{
		Up:   key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "move")),
		Down: key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓", "down")),
		Pick: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "use this account")),
	}}
	for _, a := range accs {
		p.items = append(p.items, item{acc: a, id: textsafe.Line(a.ID, 40),
			name: textsafe.Line(a.Name, 80), detail: textsafe.Line(a.Type, 20)})
	}
	return p
}

// Init implements common.Page.
func (p *Page) Init() tea.Cmd { return nil }

// SetSize implements common.Page.
func (p *Page) SetSize(w, h int) { p.width, p.height = w, h; p.scroll() }

// Capturing implements common.Page.
func (p *Page) Capturing() bool { return false }

// Header implements common.Page.
func (p *Page) Header() string { return p.c.Theme.Header.StepActive.Render("● Account") }

// Status implements common.Page.
func (p *Page) Status() string { return "" }

// RequestQuit implements common.Page: nothing is lost here.
func (p *Page) RequestQuit(bool) bool { return true }

// ShortHelp implements help.KeyMap.
func (p *Page) ShortHelp() []key.Binding { return []key.Binding{p.keys.Up, p.keys.Pick} }

// FullHelp implements help.KeyMap.
func (p *Page) FullHelp() [][]key.Binding {
	return [][]key.Binding{{p.keys.Up, p.keys.Down}, {p.keys.Pick}}
}

// Update implements common.Page.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || len(p.items) == 0 {
		return nil
	}
	switch {
	case key.Matches(k, p.keys.Up):
		p.cursor = max(p.cursor-1, 0)
	case key.Matches(k, p.keys.Down):
		p.cursor = min(p.cursor+1, len(p.items)-1)
	case key.Matches(k, p.keys.Pick):
		return p.pick(p.items[p.cursor].acc)
	}
	p.scroll()
	return nil
}

// hint says what the choice is for; it wraps rather than losing its end.
const hint = "This credential sees several accounts. The token is added to the one you pick."

func (p *Page) hint() string { return textsafe.Wrap(hint, max(p.width, 20)) }

// rows is how many accounts fit under the title, the hint (which may wrap)
// and a blank line.
func (p *Page) rows() int { return max(p.height-4-strings.Count(p.hint(), "\n"), 1) }

func (p *Page) scroll() {
	rows := p.rows()
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if p.cursor >= p.offset+rows {
		p.offset = p.cursor - rows + 1
	}
}

// View implements common.Page.
func (p *Page) View() string {
	t := p.c.Theme
	w := max(p.width, 20)
	var b strings.Builder
	b.WriteString(t.Form.Title.Render("Choose an account") + "\n")
	b.WriteString(t.Form.Hint.Render(p.hint()) + "\n\n")
	end := min(p.offset+p.rows(), len(p.items))
	for i := p.offset; i < end; i++ {
		it := p.items[i]
		cursor, style := "  ", t.List.Item
		if i == p.cursor {
			cursor, style = t.List.Cursor.Render("❯ "), t.List.ItemCurrent
		}
		right := t.List.ID.Render(it.id)
		if it.detail != "" {
			right = t.List.Desc.Render(it.detail) + "  " + right
		}
		name := ansi.Truncate(it.name, max(w-ansi.StringWidth(right)-6, 8), textsafe.Ellipsis)
		gap := w - 2 - ansi.StringWidth(name) - ansi.StringWidth(right)
		b.WriteString(cursor + style.Render(name) + strings.Repeat(" ", max(gap, 2)) + right + "\n")
	}
	if end < len(p.items) || p.offset > 0 {
		b.WriteString(t.List.Scroll.Render(fmt.Sprintf("%d–%d of %d", p.offset+1, end, len(p.items))))
	}
	return strings.TrimRight(b.String(), "\n")
}
