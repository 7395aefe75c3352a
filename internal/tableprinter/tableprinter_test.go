package tableprinter

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func sample(isTTY bool, width int) string {
	var b strings.Builder
	tp := New(&b, isTTY, width)
	tp.Header("id", "name", "status")
	for _, r := range [][]string{
		{"TKN-1000-1001", "Nightly billing export with a long name", "Active"},
		{"TKN-1000-1002", "Order sync", "Disabled"},
	} {
		tp.AddField(Field{Text: r[0], NoTruncate: true})
		tp.AddField(Field{Text: r[1]})
		tp.AddField(Field{Text: r[2], Color: func(s string) string { return "\x1b[32m" + s + "\x1b[0m" }})
		tp.EndRow()
	}
	if err := tp.Render(); err != nil {
		panic(err)
	}
	return b.String()
}

func TestPipedIsTabSeparatedWithoutHeader(t *testing.T) {
	got := sample(false, 20)
	want := "TKN-1000-1001\tNightly billing export with a long name\tActive\nTKN-1000-1002\tOrder sync\tDisabled\n"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestTerminalAlignsAndFitsWidth(t *testing.T) {
	got := sample(true, 40)
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "ID ") {
		t.Fatalf("want a title line and two rows, got %q", got)
	}
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > 40 {
			t.Errorf("line %q is %d wide, more than 40", l, w)
		}
	}
	if !strings.Contains(lines[1], "TKN-1000-1001") || !strings.Contains(lines[1], Ellipsis) {
		t.Errorf("the id must stay whole and the name be cut: %q", lines[1])
	}
	// The status column starts at the same place on every row.
	col := func(line, word string) int {
		plain := ansi.Strip(line)
		i := strings.Index(plain, word)
		if i < 0 {
			return -1
		}
		return ansi.StringWidth(plain[:i])
	}
	c1, c2 := col(lines[1], "Active"), col(lines[2], "Disabled")
	if c1 != c2 || c1 < 0 {
		t.Errorf("columns not aligned: %d vs %d in %q", c1, c2, got)
	}
}

func TestTabsInCellsDoNotSplitFields(t *testing.T) {
	var b strings.Builder
	tp := New(&b, false, 0)
	tp.AddField(Field{Text: "a\tb\nc"})
	tp.AddField(Field{Text: "d"})
	_ = tp.Render()
	if got := b.String(); got != "a b c\td\n" {
		t.Fatalf("got %q", got)
	}
}
