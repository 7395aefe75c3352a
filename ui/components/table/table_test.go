package table

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/softwareone/apitoken/theme"
)

var tokenCols = []Column{
	{Title: "Name", Width: 12, Flex: 2},
	{Title: "ID", Width: 14},
	{Title: "Modules", Width: 8, Flex: 1},
	{Title: "Created", Width: 10},
	{Title: "Status", Width: 8},
}

func tokenRows(from, n int) []Row {
	rows := make([]Row, n)
	for i := range rows {
		k := from + i
		rows[i] = Row{ID: fmt.Sprintf("TKN-%04d-%04d", k/10000, k%10000), Cells: []string{
			fmt.Sprintf("Token number %d for the orders integration", k),
			fmt.Sprintf("TKN-%04d-%04d", k/10000, k%10000),
			fmt.Sprintf("%d", k%7+1),
			fmt.Sprintf("2026-%02d-%02d", k%12+1, k%28+1),
			[]string{"Active", "Disabled"}[k%2],
		}}
	}
	return rows
}

func newTable(w, h, rows int) Model {
	m := New(tokenCols, theme.New(true).Table())
	m.SetSize(w, h)
	m.SetRows(tokenRows(0, rows))
	return m
}

func press(m Model, keys ...tea.KeyPressMsg) (Model, []tea.Msg) {
	var msgs []tea.Msg
	for _, k := range keys {
		var cmd tea.Cmd
		m, cmd = m.Update(k)
		if cmd != nil {
			msgs = append(msgs, cmd())
		}
	}
	return m, msgs
}

var (
	down  = tea.KeyPressMsg{Code: tea.KeyDown}
	up    = tea.KeyPressMsg{Code: tea.KeyUp}
	pgDn  = tea.KeyPressMsg{Code: tea.KeyPgDown}
	pgUp  = tea.KeyPressMsg{Code: tea.KeyPgUp}
	home  = tea.KeyPressMsg{Code: tea.KeyHome}
	end   = tea.KeyPressMsg{Code: tea.KeyEnd}
	lineJ = tea.KeyPressMsg{Code: 'j', Text: "j"}
)

// checkFrame: every line fits the width and the frame is exactly height
// lines.
func checkFrame(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got > w {
			t.Errorf("line %d is %d wide, more than %d: %q", i, got, w, ansi.Strip(l))
		}
	}
}

func TestViewGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		w, h int
		keys []tea.KeyPressMsg
		sort int
	}{
		{"100x30_top", 100, 30, nil, 3},
		{"100x30_end", 100, 30, []tea.KeyPressMsg{end}, -1},
		{"100x30_pgdn_up", 100, 30, []tea.KeyPressMsg{pgDn, pgDn, up}, 0},
		{"60x20_top", 60, 20, []tea.KeyPressMsg{down, lineJ}, 0},
		{"40x10_narrow", 40, 10, nil, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newTable(tc.w, tc.h, 10000)
			m.SetSort(tc.sort, tc.sort == 3)
			m.SetMore(true)
			m, _ = press(m, tc.keys...)
			v := m.View()
			checkFrame(t, v, tc.w, tc.h)
			golden.RequireEqual(t, ansi.Strip(v))
		})
	}
}

func TestEmptyGolden(t *testing.T) {
	m := newTable(60, 8, 0)
	m.SetEmpty("No API tokens yet. Press a to add one: a token lets an integration call the Marketplace API.")
	if _, ok := m.Selected(); ok {
		t.Error("an empty table has a selected row")
	}
	m, msgs := press(m, down, end, pgDn)
	if len(msgs) != 0 || m.Cursor() != 0 {
		t.Errorf("keys on an empty table: cursor %d, msgs %v", m.Cursor(), msgs)
	}
	v := m.View()
	checkFrame(t, v, 60, 8)
	golden.RequireEqual(t, ansi.Strip(v))
}

func TestKeys(t *testing.T) {
	m := newTable(100, 12, 1000) // 10 rows in view
	for _, tc := range []struct {
		key          tea.KeyPressMsg
		cursor, offs int
	}{
		{down, 1, 0}, {lineJ, 2, 0}, {pgDn, 12, 3}, {pgDn, 22, 13}, {pgUp, 12, 12},
		{up, 11, 11}, {end, 999, 990}, {down, 999, 990}, {home, 0, 0}, {up, 0, 0},
	} {
		m, _ = press(m, tc.key)
		if m.Cursor() != tc.cursor || m.offset != tc.offs {
			t.Fatalf("after %s: cursor %d offset %d, want %d %d", tc.key, m.Cursor(), m.offset, tc.cursor, tc.offs)
		}
		if r, _ := m.Selected(); r.ID != tokenRows(tc.cursor, 1)[0].ID {
			t.Fatalf("after %s: selected %s", tc.key, r.ID)
		}
	}
}

func TestMouseWheel(t *testing.T) {
	m := newTable(100, 12, 12) // 10 rows in view
	m.SetMore(true)
	wheel := func(b tea.MouseButton) tea.MouseWheelMsg { return tea.MouseWheelMsg{Button: b} }
	m, _ = m.Update(wheel(tea.MouseWheelDown))
	m, cmd := m.Update(wheel(tea.MouseWheelDown))
	if m.Cursor() != 2 || cmd == nil || cmd() != (NearEndMsg{Len: 12}) {
		t.Fatalf("wheel down twice: cursor %d, cmd %v", m.Cursor(), cmd)
	}
	if m, _ = m.Update(wheel(tea.MouseWheelUp)); m.Cursor() != 1 {
		t.Fatalf("wheel up: cursor %d", m.Cursor())
	}
	if m, _ = m.Update(wheel(tea.MouseWheelLeft)); m.Cursor() != 1 {
		t.Fatalf("wheel left moved the cursor to %d", m.Cursor())
	}
}

// TestViewDrawsOnlyTheWindow: the rows out of view are not drawn, the
// selected one is marked.
func TestViewDrawsOnlyTheWindow(t *testing.T) {
	m := newTable(100, 12, 1000)
	m, _ = press(m, pgDn, pgDn) // cursor 20, rows 11..20 in view
	v := ansi.Strip(m.View())
	for i := 0; i < 1000; i++ {
		in := strings.Contains(v, fmt.Sprintf("Token number %d ", i))
		if want := i >= 11 && i <= 20; in != want {
			t.Errorf("row %d drawn: %v, want %v", i, in, want)
		}
	}
	if !strings.Contains(v, "❯ Token number 20 ") {
		t.Errorf("the cursor is not on row 20:\n%s", v)
	}
}

func TestNearEnd(t *testing.T) {
	m := newTable(100, 12, 100) // one screen: 10 rows
	m.SetMore(true)
	m, msgs := press(m, pgDn, pgDn, pgDn, pgDn, pgDn, pgDn, pgDn, pgDn) // cursor 80: 19 rows left
	if len(msgs) != 0 || m.NearEnd() {
		t.Fatalf("at row %d: near end %v, msgs %v", m.Cursor(), m.NearEnd(), msgs)
	}
	m, msgs = press(m, pgDn) // cursor 90: 9 rows left
	if !m.NearEnd() || len(msgs) != 1 || msgs[0] != (NearEndMsg{Len: 100}) {
		t.Fatalf("at row %d: near end %v, msgs %v", m.Cursor(), m.NearEnd(), msgs)
	}
	m, msgs = press(m, down, end, up)
	if len(msgs) != 0 {
		t.Fatalf("asked again for the same page: %v", msgs)
	}
	m.AppendRows(tokenRows(100, 100)...)
	if m.Cursor() != 98 || m.Len() != 200 {
		t.Fatalf("append moved the cursor to %d (len %d)", m.Cursor(), m.Len())
	}
	if m, msgs = press(m, down); len(msgs) != 0 {
		t.Fatalf("far from the new end, still asked: %v", msgs)
	}
	if _, msgs = press(m, end); len(msgs) != 1 || msgs[0] != (NearEndMsg{Len: 200}) {
		t.Fatalf("at the new end: %v", msgs)
	}
	m.SetMore(false)
	m.AppendRows(tokenRows(200, 5)...)
	if m, msgs = press(m, end); len(msgs) != 0 || m.NearEnd() {
		t.Fatalf("no more rows, still asked: %v", msgs)
	}
	m.SetMore(true)
	m.SetThreshold(50)
	m.SetCursor(160)
	if !m.NearEnd() {
		t.Error("44 rows left is not near the end with a threshold of 50")
	}
	m.SetCursor(120)
	if m.NearEnd() {
		t.Error("84 rows left is near the end with a threshold of 50")
	}
}

func TestLayout(t *testing.T) {
	for _, tc := range []struct {
		w      int
		widths []int
	}{
		{100, []int{37, 14, 21, 10, 8}},  // 98 - 8 of gaps - 52 of least widths = 38 to share 2:1 (25, 12, 1 left over)
		{60, []int{17, 14, 11, 10}},      // 5 columns need 60 > 58: Status is left out, 8 to share
		{56, []int{14, 14, 10, 10}},      // 4 to share
		{20, []int{18}},                  // only the first, cut to the width
		{2, []int{1}},                    // nothing fits: still one cell
		{200, []int{104, 14, 54, 10, 8}}, // fixed columns keep their width
	} {
		m := newTable(tc.w, 10, 3)
		if fmt.Sprint(m.widths) != fmt.Sprint(tc.widths) {
			t.Errorf("width %d: %v, want %v", tc.w, m.widths, tc.widths)
		}
		checkFrame(t, m.View(), max(tc.w, 3), 10)
	}
}

// TestCellsAreInert: escape sequences and controls in a row never reach the
// terminal, wide runes are cut on a cell boundary, and the caller's row is
// left as it was.
func TestCellsAreInert(t *testing.T) {
	m := New([]Column{{Title: "Name", Width: 10}, {Title: "Note", Width: 6, Flex: 1}}, theme.New(false).Table())
	m.SetSize(30, 5)
	cells := []string{"\x1b]52;c;ZXZpbA==\x07evil\x1b[2J name", "世界世界世界世界世界世界世界"}
	m.SetRows([]Row{{ID: "x", Cells: cells}, {ID: "y", Cells: []string{"ok\u202eabc", "a\tb\nc"}}})
	if cells[0] != "\x1b]52;c;ZXZpbA==\x07evil\x1b[2J name" {
		t.Error("the caller's cells were changed")
	}
	v := m.View()
	checkFrame(t, v, 30, 5)
	for _, bad := range []string{"\x1b]", "\x1b[2J", "\x07", "\u202e", "\t"} {
		if strings.Contains(v, bad) {
			t.Errorf("view holds %q", bad)
		}
	}
	plain := ansi.Strip(v)
	for _, want := range []string{"evil name", "世界世界世界世…", "okabc", "a b c"} {
		if !strings.Contains(plain, want) {
			t.Errorf("view lacks %q:\n%s", want, plain)
		}
	}
}

func TestSelectIDAndSetRows(t *testing.T) {
	m := newTable(100, 12, 500)
	if !m.SelectID("TKN-0000-0321") || m.Cursor() != 321 {
		t.Fatalf("SelectID: cursor %d", m.Cursor())
	}
	if m.SelectID("TKN-none") || m.Cursor() != 321 {
		t.Fatalf("SelectID of a missing id moved the cursor to %d", m.Cursor())
	}
	m.SetRows(tokenRows(0, 3))
	if m.Cursor() != 0 || m.Len() != 3 {
		t.Fatalf("SetRows: cursor %d len %d", m.Cursor(), m.Len())
	}
	m.SetSize(100, 4) // 2 rows in view
	m.SetCursor(99)
	if m.Cursor() != 2 || m.offset != 1 {
		t.Fatalf("SetCursor past the end: cursor %d offset %d", m.Cursor(), m.offset)
	}
}

func TestSortIndicator(t *testing.T) {
	m := newTable(100, 5, 1)
	m.SetSort(3, true)
	h := strings.SplitN(ansi.Strip(m.View()), "\n", 2)[0]
	if !strings.Contains(h, "Created ▼") || strings.Contains(h, "▲") {
		t.Errorf("header %q", h)
	}
	m.SetSort(0, false)
	h = strings.SplitN(ansi.Strip(m.View()), "\n", 2)[0]
	if !strings.Contains(h, "Name ▲") || strings.Contains(h, "▼") {
		t.Errorf("header %q", h)
	}
}

// BenchmarkKeyView is the cost of one cursor move and the redraw that
// follows at 100×30; it must not grow with the number of rows.
func BenchmarkKeyView(b *testing.B) {
	for _, n := range []int{100, 10000, 100000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			m := newTable(100, 30, n)
			m.SetMore(true)
			m.SetCursor(n / 2)
			keys := []tea.KeyPressMsg{down, up}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				m, _ = m.Update(keys[i%2])
				_ = m.View()
			}
		})
	}
}

// BenchmarkPageDownView pages through 10 000 rows, the window moving by a
// screen at each step.
func BenchmarkPageDownView(b *testing.B) {
	m := newTable(100, 30, 10000)
	b.ReportAllocs()
	for b.Loop() {
		if m.Cursor() == m.Len()-1 {
			m.SetCursor(0)
		}
		m, _ = m.Update(pgDn)
		_ = m.View()
	}
}

// BenchmarkAppendPage is the cost of adding a page of 100 rows to 10 000.
func BenchmarkAppendPage(b *testing.B) {
	page := tokenRows(0, 100)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		m := newTable(100, 30, 10000)
		b.StartTimer()
		m.AppendRows(page...)
	}
}

// TestRedrawsFollowChanges: rows are drawn once and kept, so a redraw must
// still show new rows in place of old ones at the same index, new widths,
// and the cursor where it moved, in the same table and in a copy.
func TestRedrawsFollowChanges(t *testing.T) {
	m := newTable(100, 8, 5)
	before := ansi.Strip(m.View())
	if !strings.Contains(before, "Token number 0 ") {
		t.Fatalf("first draw:\n%s", before)
	}
	m.SetRows(tokenRows(100, 5))
	if got := ansi.Strip(m.View()); strings.Contains(got, "Token number 0 ") || !strings.Contains(got, "Token number 100 ") {
		t.Fatalf("after SetRows the old rows are drawn:\n%s", got)
	}
	wide := ansi.Strip(m.View())
	m.SetSize(60, 8)
	for _, l := range strings.Split(ansi.Strip(m.View()), "\n") {
		if ansi.StringWidth(l) > 60 {
			t.Fatalf("after SetSize(60) a line is %d wide: %q", ansi.StringWidth(l), l)
		}
	}
	m.SetSize(100, 8)
	if got := ansi.Strip(m.View()); got != wide {
		t.Fatalf("back at width 100:\n%s\nwant:\n%s", got, wide)
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	if !strings.HasPrefix(lines[2], "❯ Token number 101 ") || !strings.HasPrefix(lines[1], "  Token number 100 ") {
		t.Fatalf("after down the cursor is not on the second row:\n%s", strings.Join(lines, "\n"))
	}
	other := m
	other.SetRows(tokenRows(200, 5))
	if got := ansi.Strip(m.View()); !strings.Contains(got, "Token number 101 ") || strings.Contains(got, "Token number 201 ") {
		t.Fatalf("a copy's new rows show in the original:\n%s", got)
	}
	if got := ansi.Strip(other.View()); !strings.Contains(got, "Token number 200 ") {
		t.Fatalf("the copy does not draw its rows:\n%s", got)
	}
}
