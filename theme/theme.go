// Package theme holds every colour and style apitoken draws with. One Theme
// is built per program (per SSH session) for the terminal's background, so a
// light terminal gets dark text and the other way round; the renderer then
// downsamples the colours to what the terminal supports (or none with
// NO_COLOR).
package theme

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// Palette is the theme's colours, already resolved for the background.
type Palette struct {
	Primary   color.Color // brand accent: active step, focus, cursor
	Secondary color.Color // badges, highlights
	Text      color.Color
	Subtle    color.Color // hints, descriptions, borders
	Faint     color.Color // inactive steps, separators
	Success   color.Color
	Warning   color.Color
	Danger    color.Color
	Match     color.Color // filter matches
	OnAccent  color.Color // text drawn on Primary/Secondary backgrounds
}

// Theme is every style of the app, grouped by the part of the screen that
// uses it.
type Theme struct {
	IsDark  bool
	Palette Palette

	Header struct {
		App        lipgloss.Style
		StepActive lipgloss.Style
		StepDone   lipgloss.Style
		StepTodo   lipgloss.Style
		StepSep    lipgloss.Style
		Account    lipgloss.Style
		AccountID  lipgloss.Style
		Sandbox    lipgloss.Style
		Rule       lipgloss.Style
	}

	Form struct {
		Title        lipgloss.Style
		Label        lipgloss.Style
		LabelFocused lipgloss.Style
		Optional     lipgloss.Style
		Hint         lipgloss.Style
		Counter      lipgloss.Style
		CounterOver  lipgloss.Style
		Error        lipgloss.Style
		Preview      lipgloss.Style
		Button       lipgloss.Style
		ButtonActive lipgloss.Style
		Input        textinput.Styles
		TextArea     textarea.Styles
		FocusBar     lipgloss.Style // the bar left of the focused field
		BlurBar      lipgloss.Style
	}

	// Fast are the list's styles as Inline, for the rows redrawn at every
	// keystroke.
	Fast struct {
		Cursor, Item, ItemCurrent, Check, CheckOn, Desc, ID, Match Inline
	}

	List struct {
		Cursor      lipgloss.Style
		Item        lipgloss.Style
		ItemCurrent lipgloss.Style
		Check       lipgloss.Style
		CheckOn     lipgloss.Style
		Desc        lipgloss.Style
		ID          lipgloss.Style
		Match       lipgloss.Style
		Filter      lipgloss.Style
		FilterLabel lipgloss.Style
		Count       lipgloss.Style
		Empty       lipgloss.Style
		Scroll      lipgloss.Style
	}

	Overview struct {
		Section lipgloss.Style
		Key     lipgloss.Style
		Value   lipgloss.Style
		Empty   lipgloss.Style
		Code    lipgloss.Style
	}

	Summary struct {
		Success     lipgloss.Style
		Token       lipgloss.Style
		TokenMasked lipgloss.Style
		Notice      lipgloss.Style
		Copied      lipgloss.Style
	}

	Status struct {
		Error   lipgloss.Style
		Warning lipgloss.Style
		Info    lipgloss.Style
		Trace   lipgloss.Style
		Spinner lipgloss.Style
	}

	Help help.Styles
}

// New builds the theme for a dark or light background.
func New(isDark bool) *Theme {
	ld := lipgloss.LightDark(isDark)
	p := Palette{
		Primary:   ld(lipgloss.Color("#5A3FC0"), lipgloss.Color("#9D8CFF")),
		Secondary: ld(lipgloss.Color("#C2185B"), lipgloss.Color("#F48FB1")),
		Text:      ld(lipgloss.Color("#1F1F28"), lipgloss.Color("#E6E6F0")),
		Subtle:    ld(lipgloss.Color("#5F5F73"), lipgloss.Color("#A0A0B8")),
		Faint:     ld(lipgloss.Color("#9A9AAE"), lipgloss.Color("#5C5C70")),
		Success:   ld(lipgloss.Color("#1B7F4B"), lipgloss.Color("#5FD79B")),
		Warning:   ld(lipgloss.Color("#9A6700"), lipgloss.Color("#F2C14E")),
		Danger:    ld(lipgloss.Color("#C62828"), lipgloss.Color("#FF7A85")),
		Match:     ld(lipgloss.Color("#B45309"), lipgloss.Color("#FFB86C")),
		OnAccent:  ld(lipgloss.Color("#FFFFFF"), lipgloss.Color("#14141C")),
	}
	t := &Theme{IsDark: isDark, Palette: p}
	s := lipgloss.NewStyle

	t.Header.App = s().Bold(true).Foreground(p.Primary)
	t.Header.StepActive = s().Bold(true).Foreground(p.Primary)
	t.Header.StepDone = s().Foreground(p.Success)
	t.Header.StepTodo = s().Foreground(p.Subtle)
	t.Header.StepSep = s().Foreground(p.Faint)
	t.Header.Account = s().Foreground(p.Text)
	t.Header.AccountID = s().Foreground(p.Subtle)
	t.Header.Sandbox = s().Bold(true).Foreground(p.OnAccent).Background(p.Warning).Padding(0, 1)
	t.Header.Rule = s().Foreground(p.Faint)

	t.Form.Title = s().Bold(true).Foreground(p.Text)
	t.Form.Label = s().Foreground(p.Text)
	t.Form.LabelFocused = s().Bold(true).Foreground(p.Primary)
	t.Form.Optional = s().Foreground(p.Subtle).Italic(true)
	t.Form.Hint = s().Foreground(p.Subtle)
	t.Form.Counter = s().Foreground(p.Subtle)
	t.Form.CounterOver = s().Bold(true).Foreground(p.Danger)
	t.Form.Error = s().Foreground(p.Danger)
	t.Form.Preview = s().Foreground(p.Success)
	t.Form.Button = s().Foreground(p.Subtle).Padding(0, 1)
	t.Form.ButtonActive = s().Bold(true).Foreground(p.OnAccent).Background(p.Primary).Padding(0, 1)
	t.Form.FocusBar = s().Foreground(p.Primary)
	t.Form.BlurBar = s().Foreground(p.Faint)

	in := textinput.DefaultStyles(isDark)
	in.Focused.Prompt = s().Foreground(p.Primary)
	in.Focused.Text = s().Foreground(p.Text)
	in.Focused.Placeholder = s().Foreground(p.Faint)
	in.Blurred.Prompt = s().Foreground(p.Faint)
	in.Blurred.Text = s().Foreground(p.Subtle)
	in.Blurred.Placeholder = s().Foreground(p.Faint)
	in.Cursor.Color = p.Primary
	in.Cursor.Blink = false // a steady cursor keeps frames identical for identical state
	t.Form.Input = in

	ta := textarea.DefaultStyles(isDark)
	ta.Focused.Text = s().Foreground(p.Text)
	ta.Focused.Placeholder = s().Foreground(p.Faint)
	ta.Focused.CursorLine = s()
	ta.Focused.Prompt = s().Foreground(p.Primary)
	ta.Focused.EndOfBuffer = s().Foreground(p.Faint)
	ta.Blurred.Text = s().Foreground(p.Subtle)
	ta.Blurred.Placeholder = s().Foreground(p.Faint)
	ta.Blurred.Prompt = s().Foreground(p.Faint)
	ta.Blurred.EndOfBuffer = s().Foreground(p.Faint)
	ta.Cursor.Color = p.Primary
	ta.Cursor.Blink = false
	t.Form.TextArea = ta

	t.List.Cursor = s().Bold(true).Foreground(p.Primary)
	t.List.Item = s().Foreground(p.Text)
	t.List.ItemCurrent = s().Bold(true).Foreground(p.Primary)
	t.List.Check = s().Foreground(p.Subtle)
	t.List.CheckOn = s().Bold(true).Foreground(p.Success)
	t.List.Desc = s().Foreground(p.Subtle)
	t.List.ID = s().Foreground(p.Faint)
	t.List.Match = s().Underline(true).Foreground(p.Match)
	t.List.Filter = s().Foreground(p.Text)
	t.List.FilterLabel = s().Foreground(p.Primary)
	t.List.Count = s().Foreground(p.Subtle)
	t.List.Empty = s().Foreground(p.Subtle).Italic(true)
	t.List.Scroll = s().Foreground(p.Faint)
	t.Fast.Cursor = NewInline(t.List.Cursor)
	t.Fast.Item = NewInline(t.List.Item)
	t.Fast.ItemCurrent = NewInline(t.List.ItemCurrent)
	t.Fast.Check = NewInline(t.List.Check)
	t.Fast.CheckOn = NewInline(t.List.CheckOn)
	t.Fast.Desc = NewInline(t.List.Desc)
	t.Fast.ID = NewInline(t.List.ID)
	t.Fast.Match = NewInline(t.List.Match)

	t.Overview.Section = s().Bold(true).Foreground(p.Primary)
	t.Overview.Key = s().Foreground(p.Subtle)
	t.Overview.Value = s().Foreground(p.Text)
	t.Overview.Empty = s().Foreground(p.Faint).Italic(true)
	t.Overview.Code = s().Foreground(p.Text)

	t.Summary.Success = s().Bold(true).Foreground(p.Success)
	t.Summary.Token = s().Bold(true).Foreground(p.Secondary)
	t.Summary.TokenMasked = s().Foreground(p.Subtle)
	t.Summary.Notice = s().Foreground(p.Warning)
	t.Summary.Copied = s().Bold(true).Foreground(p.Success)

	t.Status.Error = s().Foreground(p.Danger)
	t.Status.Warning = s().Foreground(p.Warning)
	t.Status.Info = s().Foreground(p.Subtle)
	t.Status.Trace = s().Foreground(p.Faint)
	t.Status.Spinner = s().Foreground(p.Primary)

	t.Help = help.DefaultStyles(isDark)
	t.Help.ShortKey = s().Foreground(p.Subtle)
	t.Help.ShortDesc = s().Foreground(p.Faint)
	t.Help.ShortSeparator = s().Foreground(p.Faint)
	t.Help.FullKey = s().Foreground(p.Subtle)
	t.Help.FullDesc = s().Foreground(p.Faint)
	t.Help.FullSeparator = s().Foreground(p.Faint)
	t.Help.Ellipsis = s().Foreground(p.Faint)
	return t
}
