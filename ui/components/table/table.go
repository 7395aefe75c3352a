// Package table is a virtualized table for lists of thousands of rows, such
// as an account's API tokens. It draws only the rows in view, so a cursor
// move costs the same with 10 rows or 10 000; rows are appended as pages
// arrive, and it tells the page when the cursor nears the last loaded row so
// the next page can be fetched before the user gets there.
//
// The table does no I/O and no sorting: the page fetches, sorts (on the
// server) and hands rows over; the table only shows which column the rows
// are sorted by.
package table

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/theme"
)

// Column describes one column.
type Column struct {
	Title string
	// Width is the column's width in cells. For a flexible column it is the
	// least width it shrinks to.
	Width int
	// Flex > 0 makes the column flexible: it takes this share of the room
	// the fixed columns leave, and its cells are cut with "…". Fixed columns
	// (Flex 0) keep their width.
	Flex int
	// Right aligns the cells to the right (counts, dates).
	Right bool
}

// Row is one row. ID identifies it across refreshes (a token id), so the
// page can select it again; Cells are drawn in column order.
type Row struct {
	ID    string
	Cells []string
}

// NearEndMsg says the cursor came within the threshold of the last loaded
// row while more rows exist: time to fetch the next page. Len is the number
// of rows loaded when it was sent; it is sent once per Len, so a fetch in
// flight is not asked for twice.
type NearEndMsg struct{ Len int }

// KeyMap are the table's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
}

// DefaultKeyMap returns the usual keys: arrows and j/k, PgUp/PgDn, Home/End
// and g/G.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Home:     key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("home/g", "first")),
		End:      key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end/G", "last")),
	}
}

const (
	gutter = 2 // "❯ " left of the selected row
	gap    = 2 // spaces between columns
)

// Model is a table. Build it with New; the zero value has no columns.
type Model struct {
	Keys KeyMap

	cols   []Column
	widths []int // per shown column, from layout
	shown  int   // how many columns fit the width, from the left
	rows   []Row

	cursor, offset int
	width, height  int

	sortCol  int // -1: no indicator
	sortDesc bool
	empty    string

	more      bool // the page has rows not loaded yet
	threshold int  // rows from the end at which NearEndMsg is sent; 0: one screen
	signalled int  // len(rows) when NearEndMsg was last sent; -1: never

	styles theme.TableStyles

	// drawn keeps the rows last drawn, for the rows and widths of
	// generation gen: a frame then draws only the rows that changed (over
	// SSH every session draws its table again at each keystroke).
	drawn *lineCache
	gen   int
}

// lineCache holds drawn rows by index, each for the generation (the rows
// and the widths) it was drawn for.
type lineCache struct {
	last  int // the newest generation handed out
	lines map[int]drawnRow
}

type drawnRow struct {
	gen          int
	cells, plain string // the cells fitted to the widths; and styled as an unselected row
}

// renew starts a new generation: what was drawn no longer holds.
func (m *Model) renew() {
	if m.drawn == nil {
		m.drawn = &lineCache{lines: map[int]drawnRow{}}
	}
	m.drawn.last++
	m.gen = m.drawn.last
}

// row returns row i drawn: its fitted cells, and the whole line as an
// unselected row.
func (m Model) row(i int) drawnRow {
	if m.drawn != nil {
		if d, ok := m.drawn.lines[i]; ok && d.gen == m.gen {
			return d
		}
	}
	var line strings.Builder
	m.cells(&line, m.rows[i].Cells)
	d := drawnRow{gen: m.gen, cells: line.String()}
	d.plain = "  " + m.styles.Cell.Render(d.cells)
	if m.drawn != nil {
		if len(m.drawn.lines) > 4*max(m.bodyHeight(), 8) {
			clear(m.drawn.lines) // rows scrolled out of view long ago
		}
		m.drawn.lines[i] = d
	}
	return d
}

// New returns a table with these columns, drawn with these styles.
func New(cols []Column, st theme.TableStyles) Model {
	clean := make([]Column, len(cols))
	for i, c := range cols {
		c.Title = textsafe.Line(c.Title, 0)
		clean[i] = c
	}
	m := Model{Keys: DefaultKeyMap(), cols: clean, sortCol: -1, signalled: -1, styles: st,
		empty: "Nothing to show.", width: 80, height: 10}
	m.layout()
	return m
}

// SetSize sets the size the table draws in: height counts the header and
// the footer lines.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = max(width, 0), max(height, 0)
	m.layout()
	m.scrollIntoView()
}

// SetEmpty sets the text drawn when there are no rows (it is the caller's
// own text, drawn as given after cleaning).
func (m *Model) SetEmpty(text string) { m.empty = textsafe.Text(text, 0) }

// SetSort shows an indicator on column col's title (▲ ascending, ▼
// descending); col < 0 removes it.
func (m *Model) SetSort(col int, desc bool) { m.sortCol, m.sortDesc = col, desc }

// SetMore says whether rows exist beyond those loaded; only then is
// NearEndMsg sent.
func (m *Model) SetMore(more bool) { m.more = more }

// SetThreshold sets how many rows before the last loaded one NearEndMsg is
// sent; 0 means one screen of rows.
func (m *Model) SetThreshold(n int) { m.threshold = max(n, 0) }

// SetRows replaces the rows (a refresh, a new filter or sort) and puts the
// cursor on the first one.
func (m *Model) SetRows(rows []Row) {
	m.renew()
	m.rows = m.rows[:0:0]
	m.cursor, m.offset, m.signalled = 0, 0, -1
	m.AppendRows(rows...)
}

// AppendRows adds rows after the loaded ones (the next page); the cursor
// and the view stay where they are. Cells are made inert here, once, rather
// than at every redraw.
func (m *Model) AppendRows(rows ...Row) {
	for _, r := range rows {
		m.rows = append(m.rows, cleanRow(r))
	}
}

func cleanRow(r Row) Row {
	var cells []string
	for i, c := range r.Cells {
		s := textsafe.Line(c, 0)
		if s != c && cells == nil {
			cells = append([]string(nil), r.Cells...) // never write into the caller's slice
		}
		if cells != nil {
			cells[i] = s
		}
	}
	if cells != nil {
		r.Cells = cells
	}
	return r
}

// Len is the number of loaded rows.
func (m Model) Len() int { return len(m.rows) }

// Cursor is the index of the selected row (0 when there are none).
func (m Model) Cursor() int { return m.cursor }

// Selected returns the selected row, false when there are no rows.
func (m Model) Selected() (Row, bool) {
	if len(m.rows) == 0 {
		return Row{}, false
	}
	return m.rows[m.cursor], true
}

// SetCursor selects row i (clamped to the loaded rows).
func (m *Model) SetCursor(i int) {
	m.cursor = max(0, min(i, len(m.rows)-1))
	m.scrollIntoView()
}

// SelectID selects the row with this id and reports whether there is one.
func (m *Model) SelectID(id string) bool {
	for i := range m.rows {
		if m.rows[i].ID == id {
			m.SetCursor(i)
			return true
		}
	}
	return false
}

// NearEnd reports whether the cursor is within the threshold of the last
// loaded row while more rows exist.
func (m Model) NearEnd() bool {
	return m.more && len(m.rows)-1-m.cursor < m.nearRows()
}

func (m Model) nearRows() int {
	if m.threshold > 0 {
		return m.threshold
	}
	return max(m.bodyHeight(), 1)
}

// ShortHelp returns the table's keys, for a help bar.
func (m Model) ShortHelp() []key.Binding {
	return []key.Binding{m.Keys.Up, m.Keys.Down, m.Keys.PageDown, m.Keys.End}
}

// Update moves the cursor on the table's keys and the mouse wheel, and
// returns a NearEndMsg
// command when the cursor nears the end of the loaded rows.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	page := max(m.bodyHeight(), 1)
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.move(-1)
		case tea.MouseWheelDown:
			m.move(1)
		default:
			return m, nil
		}
		return m.askForMore()
	case tea.KeyPressMsg:
		return m.key(msg, page)
	}
	return m, nil
}

func (m Model) key(k tea.KeyPressMsg, page int) (Model, tea.Cmd) {
	switch {
	case key.Matches(k, m.Keys.Up):
		m.move(-1)
	case key.Matches(k, m.Keys.Down):
		m.move(1)
	case key.Matches(k, m.Keys.PageUp):
		m.move(-page)
	case key.Matches(k, m.Keys.PageDown):
		m.move(page)
	case key.Matches(k, m.Keys.Home):
		m.SetCursor(0)
	case key.Matches(k, m.Keys.End):
		m.SetCursor(len(m.rows) - 1)
	default:
		return m, nil
	}
	return m.askForMore()
}

// askForMore returns the NearEndMsg command when the cursor is near the
// end and this length was not asked for yet.
func (m Model) askForMore() (Model, tea.Cmd) {
	if m.NearEnd() && m.signalled != len(m.rows) {
		m.signalled = len(m.rows)
		n := len(m.rows)
		return m, func() tea.Msg { return NearEndMsg{Len: n} }
	}
	return m, nil
}

func (m *Model) move(d int) {
	if len(m.rows) == 0 {
		return
	}
	m.cursor = max(0, min(m.cursor+d, len(m.rows)-1))
	m.scrollIntoView()
}

func (m Model) bodyHeight() int { return max(m.height-2, 1) }

func (m *Model) scrollIntoView() {
	h := m.bodyHeight()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	// No empty space under the last row when the window could be full.
	m.offset = max(0, min(m.offset, len(m.rows)-h))
}

// layout fits the columns to the width: fixed columns keep theirs, flexible
// ones share the rest by weight (never below their Width), and columns that
// still do not fit are left out from the right, keeping at least the first.
func (m *Model) layout() {
	m.renew()
	avail := m.width - gutter
	n := len(m.cols)
	for ; n > 1; n-- {
		need := gap * (n - 1)
		for _, c := range m.cols[:n] {
			need += max(c.Width, 1)
		}
		if need <= avail {
			break
		}
	}
	m.shown = n
	m.widths = make([]int, n)
	rest, flex := avail-gap*max(n-1, 0), 0
	for i, c := range m.cols[:n] {
		m.widths[i] = max(c.Width, 1)
		rest -= m.widths[i]
		flex += max(c.Flex, 0)
	}
	if n == 1 && rest < 0 {
		m.widths[0] = max(avail, 1)
		return
	}
	if flex == 0 || rest <= 0 {
		return
	}
	given, last := 0, -1
	for i, c := range m.cols[:n] {
		if c.Flex > 0 {
			add := rest * c.Flex / flex
			m.widths[i] += add
			given += add
			last = i
		}
	}
	m.widths[last] += rest - given // the rounding left over
}

// View draws the header, the rows in view and a footer with the position,
// in exactly the height set (when there are rows).
func (m Model) View() string {
	var b strings.Builder
	b.Grow((m.width + 48) * max(m.height, 3))
	m.header(&b)
	h := m.bodyHeight()
	if len(m.rows) == 0 {
		lines := strings.Split(textsafe.Wrap(m.empty, max(m.width-gutter, 1)), "\n")
		for i := 0; i < h; i++ {
			b.WriteByte('\n')
			if i < len(lines) {
				b.WriteString(strings.Repeat(" ", gutter) + m.styles.Empty.Render(lines[i]))
			}
		}
		b.WriteByte('\n')
		return b.String()
	}
	end := min(m.offset+h, len(m.rows))
	for i := m.offset; i < m.offset+h; i++ {
		b.WriteByte('\n')
		if i >= end {
			continue
		}
		d := m.row(i)
		if i == m.cursor {
			b.WriteString(m.styles.Cursor.Render("❯ "))
			b.WriteString(m.styles.Selected.Render(d.cells))
		} else {
			b.WriteString(d.plain)
		}
	}
	b.WriteByte('\n')
	b.WriteString(m.footer())
	return b.String()
}

func (m Model) header(b *strings.Builder) {
	b.WriteString("  ")
	for i := 0; i < m.shown; i++ {
		if i > 0 {
			b.WriteString("  ")
		}
		title := m.cols[i].Title
		style := m.styles.Header
		if i == m.sortCol {
			style = m.styles.HeaderSorted
			if m.sortDesc {
				title += " ▼"
			} else {
				title += " ▲"
			}
		}
		var cell strings.Builder
		fit(&cell, title, m.widths[i], m.cols[i].Right)
		b.WriteString(style.Render(cell.String()))
	}
}

func (m Model) cells(b *strings.Builder, cells []string) {
	for i := 0; i < m.shown; i++ {
		if i > 0 {
			b.WriteString("  ")
		}
		var s string
		if i < len(cells) {
			s = cells[i]
		}
		fit(b, s, m.widths[i], m.cols[i].Right)
	}
}

func (m Model) footer() string {
	pos := strconv.Itoa(m.cursor+1) + " of " + strconv.Itoa(len(m.rows))
	if m.more {
		pos += "+"
	}
	if len(pos) > m.width {
		pos = ansi.Truncate(pos, m.width, "")
	}
	pad := max(m.width-len(pos), 0) // pos is ASCII
	return strings.Repeat(" ", pad) + m.styles.Footer.Render(pos)
}

// fit writes s in exactly w cells: cut with "…" when wider, padded when
// narrower.
func fit(b *strings.Builder, s string, w int, right bool) {
	if w <= 0 {
		return
	}
	sw := width(s)
	if sw > w {
		s = ansi.Truncate(s, w, textsafe.Ellipsis)
		sw = ansi.StringWidth(s)
	}
	if right {
		pad(b, w-sw)
		b.WriteString(s)
		return
	}
	b.WriteString(s)
	pad(b, w-sw)
}

const spaces = "                                                                "

func pad(b *strings.Builder, n int) {
	for n > len(spaces) {
		b.WriteString(spaces)
		n -= len(spaces)
	}
	if n > 0 {
		b.WriteString(spaces[:n])
	}
}

// width is ansi.StringWidth with a shortcut for printable ASCII, which most
// cells are.
func width(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}
