// Package tableprinter prints rows the way gh does: on a terminal an
// aligned table whose widest columns are truncated to fit the width, with
// colour where asked for; piped, one tab-separated line per row with
// nothing added, for cut, awk and while-read loops.
package tableprinter

import (
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Ellipsis ends a truncated cell.
const Ellipsis = "…"

// columnGap separates the columns of a terminal table.
const columnGap = "  "

// Field is one cell.
type Field struct {
	Text string
	// Color wraps the text on a terminal, e.g. an SGR sequence; it is
	// applied after truncation so that width and escapes never mix.
	Color func(string) string
	// NoTruncate keeps the cell whole (ids a script may copy).
	NoTruncate bool
}

// TablePrinter collects rows and writes them at Render.
type TablePrinter struct {
	out    io.Writer
	isTTY  bool
	width  int
	header []string
	rows   [][]Field
	row    []Field
	// Color draws the titles in bold; the cells' own Color funcs decide
	// for themselves.
	Color bool
}

// New prints to out; isTTY selects the table form, width (the terminal's
// columns, 0 for unlimited) bounds it.
func New(out io.Writer, isTTY bool, width int) *TablePrinter {
	return &TablePrinter{out: out, isTTY: isTTY, width: width}
}

// Header sets the column titles, printed (upper-cased, as gh does) on a
// terminal only: a script reads rows, not titles.
func (t *TablePrinter) Header(names ...string) { t.header = names }

// AddField appends a cell to the current row.
func (t *TablePrinter) AddField(f Field) { t.row = append(t.row, f) }

// EndRow ends the current row.
func (t *TablePrinter) EndRow() {
	t.rows = append(t.rows, t.row)
	t.row = nil
}

// Render writes the rows.
func (t *TablePrinter) Render() error {
	if len(t.row) > 0 {
		t.EndRow()
	}
	if !t.isTTY {
		return t.renderTSV()
	}
	return t.renderTable()
}

func (t *TablePrinter) renderTSV() error {
	var b strings.Builder
	for _, row := range t.rows {
		for i, f := range row {
			if i > 0 {
				b.WriteByte('\t')
			}
			// A tab or newline in a cell would break the line's fields.
			b.WriteString(strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(f.Text))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(t.out, b.String())
	return err
}

func (t *TablePrinter) renderTable() error {
	rows := t.rows
	if len(t.header) > 0 {
		head := make([]Field, len(t.header))
		for i, h := range t.header {
			head[i] = Field{Text: strings.ToUpper(h)}
			if t.Color {
				head[i].Color = bold
			}
		}
		rows = append([][]Field{head}, rows...)
	}
	ncols := 0
	for _, r := range rows {
		ncols = max(ncols, len(r))
	}
	widths := make([]int, ncols)
	fixed := make([]bool, ncols)
	for _, r := range rows {
		for i, f := range r {
			widths[i] = max(widths[i], ansi.StringWidth(f.Text))
		}
	}
	for _, r := range t.rows { // the titles never pin a column
		for i, f := range r {
			fixed[i] = fixed[i] || f.NoTruncate
		}
	}
	if t.width > 0 {
		fit(widths, fixed, t.width-len(columnGap)*(ncols-1))
	}
	var b strings.Builder
	for _, r := range rows {
		var line strings.Builder
		for i, f := range r {
			if i > 0 {
				line.WriteString(columnGap)
			}
			text := ansi.Truncate(f.Text, widths[i], Ellipsis)
			pad := widths[i] - ansi.StringWidth(text)
			if f.Color != nil {
				text = f.Color(text)
			}
			line.WriteString(text)
			if i < len(r)-1 {
				line.WriteString(strings.Repeat(" ", max(pad, 0)))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(t.out, b.String())
	return err
}

// fit shrinks the truncatable columns, widest first, until the row fits
// avail; a column keeps at least a few characters so that it still says
// something.
func fit(widths []int, fixed []bool, avail int) {
	const minWidth = 5
	total := 0
	for _, w := range widths {
		total += w
	}
	for total > avail {
		widest := -1
		for i, w := range widths {
			if !fixed[i] && w > minWidth && (widest < 0 || w > widths[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			return // nothing more can give: the terminal wraps
		}
		widths[widest]--
		total--
	}
}

func bold(s string) string { return "\x1b[1m" + s + "\x1b[0m" }
