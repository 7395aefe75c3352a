package theme

import (
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// The styles of the reusable components (ui/components/...), built from the
// palette so they follow the terminal's background like everything else.
// They are methods rather than Theme fields so a page asks only for what it
// draws.

// TableStyles are a table's styles. The row styles are Inline: a table
// redraws every visible row at each cursor move.
type TableStyles struct {
	Header       Inline // column titles
	HeaderSorted Inline // the title of the column the rows are sorted by
	Cell         Inline
	Selected     Inline // the whole row under the cursor
	Cursor       Inline // the "❯" gutter mark of the selected row
	Footer       Inline // position and "more" hints
	Empty        lipgloss.Style
}

// Table returns the table's styles.
func (t *Theme) Table() TableStyles {
	p, s := t.Palette, lipgloss.NewStyle
	return TableStyles{
		Header:       NewInline(s().Bold(true).Foreground(p.Subtle)),
		HeaderSorted: NewInline(s().Bold(true).Foreground(p.Primary)),
		Cell:         NewInline(s().Foreground(p.Text)),
		Selected:     NewInline(s().Bold(true).Foreground(p.OnAccent).Background(p.Primary)),
		Cursor:       NewInline(s().Bold(true).Foreground(p.Primary)),
		Footer:       NewInline(s().Foreground(p.Faint)),
		Empty:        s().Foreground(p.Subtle).Italic(true),
	}
}

// TabsStyles are a tab bar's styles.
type TabsStyles struct {
	Active   Inline
	Inactive Inline
	Sep      Inline
}

// Tabs returns the tab bar's styles.
func (t *Theme) Tabs() TabsStyles {
	p, s := t.Palette, lipgloss.NewStyle
	return TabsStyles{
		Active:   NewInline(s().Bold(true).Foreground(p.OnAccent).Background(p.Primary)),
		Inactive: NewInline(s().Foreground(p.Subtle)),
		Sep:      NewInline(s().Foreground(p.Faint)),
	}
}

// ButtonStyles are a button row's styles.
type ButtonStyles struct {
	Button        lipgloss.Style
	Focused       lipgloss.Style
	FocusedDanger lipgloss.Style // a focused destructive button (Delete)
	Disabled      lipgloss.Style
}

// Buttons returns the button row's styles.
func (t *Theme) Buttons() ButtonStyles {
	p, s := t.Palette, lipgloss.NewStyle
	return ButtonStyles{
		Button:        s().Foreground(p.Text).Padding(0, 1),
		Focused:       s().Bold(true).Foreground(p.OnAccent).Background(p.Primary).Padding(0, 1),
		FocusedDanger: s().Bold(true).Foreground(p.OnAccent).Background(p.Danger).Padding(0, 1),
		Disabled:      s().Foreground(p.Faint).Strikethrough(true).Padding(0, 1),
	}
}

// DialogStyles are a confirmation dialog's styles.
type DialogStyles struct {
	Box       lipgloss.Style // a dialog with only a safe outcome
	DangerBox lipgloss.Style // a destructive one (Disable, Delete)
	Title     lipgloss.Style
	Body      lipgloss.Style
	Hint      lipgloss.Style
	Required  lipgloss.Style // the text to type back
	Input     textinput.Styles
	Buttons   ButtonStyles
}

// Dialog returns the dialog's styles.
func (t *Theme) Dialog() DialogStyles {
	p, s := t.Palette, lipgloss.NewStyle
	return DialogStyles{
		Box:       s().Border(lipgloss.RoundedBorder()).BorderForeground(p.Primary).Padding(0, 1),
		DangerBox: s().Border(lipgloss.RoundedBorder()).BorderForeground(p.Danger).Padding(0, 1),
		Title:     s().Bold(true).Foreground(p.Text),
		Body:      s().Foreground(p.Text),
		Hint:      s().Foreground(p.Subtle),
		Required:  s().Bold(true).Foreground(p.Secondary),
		Input:     t.Form.Input,
		Buttons:   t.Buttons(),
	}
}
