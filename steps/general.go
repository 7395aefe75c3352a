package steps

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/filepicker"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/pathinput"
	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/theme"
	"github.com/softwareone/apitoken/ui/common"
)

// The General step's fields, by the names the API gives them, so a server
// error on "name" lands on the name field.
const (
	FieldIcon        = "icon"
	FieldName        = "name"
	FieldDescription = "description"
	fieldNext        = "next" // the Next button
)

// inputSlack is how far past the API's limit a field takes input.
const inputSlack = 20

type generalKeys struct {
	NextField key.Binding
	PrevField key.Binding
	Next      key.Binding
	Enter     key.Binding
	NewLine   key.Binding
}

func newGeneralKeys() generalKeys {
	return generalKeys{
		NextField: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		Next:      key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n", "next step")),
		Enter:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next")),
		NewLine:   key.NewBinding(key.WithKeys("alt+enter", "ctrl+j"), key.WithHelp("alt+enter/ctrl+j", "new line")),
	}
}

// logoLoadedMsg carries the result of reading a logo file.
type logoLoadedMsg struct {
	path     string // as typed
	icon     *apiclient.Icon
	info     apiclient.IconInfo
	preview  LogoPreview
	err      error
	isDir    bool // the path names a folder: the picker can browse it
	thenNext bool
}

// GeneralStep asks for the token's logo, name and description.
type GeneralStep struct {
	data  *Data
	theme *theme.Theme
	act   Actions
	keys  generalKeys
	pick  pickerKeys

	logo textinput.Model
	name textinput.Model
	desc textarea.Model

	fields []string // focus order
	focus  int

	// errs holds the message shown under each field; touched fields are
	// checked as the user types, the others only once Next was pressed.
	errs    map[string]string
	touched map[string]bool
	// loadingLogo is the path being read, so Next waits for it.
	loadingLogo string
	logoPath    string // the path Data.Icon was read from

	// home is the user's home directory, for "~" in a path; workDir the
	// folder apitoken runs in, where the picker opens when the field
	// names no folder.
	home    pathinput.HomeFunc
	workDir func() (string, error)
	// profile is the terminal's colour profile, which the preview is
	// drawn in; until the terminal says, text only.
	profile colorprofile.Profile
	preview LogoPreview
	// canPick offers the file picker: only where the files are the
	// user's own, never over SSH (it would browse the server).
	canPick    bool
	picker     *filepicker.Model // nil while closed
	pickerNote string            // why the last choice was refused

	width, height int
}

// NewGeneral builds the General step over the wizard's data.
func NewGeneral(c *common.Common, data *Data, act Actions) *GeneralStep {
	s := &GeneralStep{data: data, theme: c.Theme, act: act, keys: newGeneralKeys(), pick: newPickerKeys(),
		errs: map[string]string{}, touched: map[string]bool{},
		home: os.UserHomeDir, workDir: os.Getwd, canPick: data.AllowLogo && !c.SSH}

	s.logo = textinput.New()
	s.logo.Prompt = "> "
	s.logo.Placeholder = "path to a PNG, JPEG, GIF or SVG file"
	if s.canPick {
		s.logo.Placeholder = "path to a logo file, or ctrl+o to choose one"
	}
	s.logo.CharLimit = maxLogoPath + inputSlack
	s.logo.SetValue(data.LogoPath)

	s.name = textinput.New()
	s.name.Prompt = "> "
	s.name.Placeholder = "e.g. Nightly billing export"
	// A little over the API's limit, so the counter and the error show,
	// and a paste of megabytes costs nothing.
	s.name.CharLimit = apiclient.MaxNameLength + inputSlack
	s.name.SetValue(data.Name)

	s.desc = textarea.New()
	s.desc.ShowLineNumbers = false
	s.desc.Prompt = "" // the field draws its own focus bar
	s.desc.Placeholder = "What is this token for? Who owns it?"
	s.desc.CharLimit = apiclient.MaxDescriptionLength + inputSlack
	// Enter moves on, as in huh; these add a line.
	s.desc.KeyMap.InsertNewline = key.NewBinding(key.WithKeys("alt+enter", "ctrl+j"), key.WithHelp("alt+enter", "new line"))
	// SetValue starts with a Reset, which allocates the textarea's
	// 10 000-line buffer (240 KB) a second time; a new textarea is empty
	// already, and skipping it keeps the first GC cycle off the first frame.
	if data.Description != "" {
		s.desc.SetValue(data.Description)
	}

	if data.AllowLogo {
		s.fields = append(s.fields, FieldIcon)
	}
	s.fields = append(s.fields, FieldName, FieldDescription, fieldNext)
	s.logoPath = data.LogoPath
	s.applyTheme()
	s.focus1(FieldName)
	s.SetSize(80, 20)
	return s
}

// SetHome sets where "~" in a logo path points (os.UserHomeDir by
// default).
func (s *GeneralStep) SetHome(home pathinput.HomeFunc) { s.home = home }

// applyTheme copies the theme's styles into the fields.
func (s *GeneralStep) applyTheme() {
	s.logo.SetStyles(s.theme.Form.Input)
	s.name.SetStyles(s.theme.Form.Input)
	s.desc.SetStyles(s.theme.Form.TextArea)
}

// Enter implements Step: the cursor goes to field, or back to the field it
// was in.
func (s *GeneralStep) Enter(field string) tea.Cmd {
	if field != "" {
		if cmd, ok := s.focusField(field); ok {
			return cmd
		}
	}
	return s.setFocus(s.focus)
}

// Capturing implements Step: the focused field takes text, except the
// button and the file picker (a list, where ? and q keep their meaning).
func (s *GeneralStep) Capturing() bool { return s.picker == nil && s.fields[s.focus] != fieldNext }

// Picking reports whether the logo file picker is open: esc closes it, and
// no more.
func (s *GeneralStep) Picking() bool { return s.picker != nil }

// SetSize implements Step.
func (s *GeneralStep) SetSize(w, h int) {
	s.width, s.height = w, h
	inner := max(formWidth(w)-4, 10)
	logoW := inner - 2 // the prompt takes two cells
	if s.previewShown() {
		logoW -= previewCols + 2
	}
	s.logo.SetWidth(logoW)
	s.sizePicker()
	s.name.SetWidth(inner - 2)
	s.desc.SetWidth(inner)
	// The description gets what is left of the height, 2 to 4 lines.
	s.desc.SetHeight(clamp(h-s.fixedLines(), 2, 4))
}

// compact drops the hint and the blank lines between fields so the whole
// form, Next included, fits a short window.
func (s *GeneralStep) compact() bool { return s.height < 19 }

// fixedLines is the number of lines General draws besides the
// description's own lines: the heading, then per field a label, the input,
// the line below it and a blank, and the button.
func (s *GeneralStep) fixedLines() int {
	head, perField := 3, 4
	if s.compact() {
		head, perField = 2, 3
	}
	n := head + perField /* name */ + perField - 1 /* description */ + 1 /* button */
	if s.data.AllowLogo {
		n += perField
	}
	return n
}

// focusField puts the cursor on a field by its API name; ok is false when
// the step has no such field.
func (s *GeneralStep) focusField(field string) (cmd tea.Cmd, ok bool) {
	for i, f := range s.fields {
		if f == field {
			return s.setFocus(i), true
		}
	}
	return nil, false
}

func (s *GeneralStep) focus1(field string) tea.Cmd {
	cmd, _ := s.focusField(field)
	return cmd
}

func (s *GeneralStep) setFocus(i int) tea.Cmd {
	s.logo.Blur()
	s.name.Blur()
	s.desc.Blur()
	s.focus = (i + len(s.fields)) % len(s.fields)
	switch s.fields[s.focus] {
	case FieldIcon:
		return s.logo.Focus()
	case FieldName:
		return s.name.Focus()
	case FieldDescription:
		return s.desc.Focus()
	}
	return nil
}

// Update implements Step.
func (s *GeneralStep) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.ThemeChangedMsg:
		s.applyTheme()
		return nil
	case logoLoadedMsg:
		return s.logoLoaded(msg)
	case logoDrawnMsg:
		if msg.preview.Icon == s.data.Icon {
			s.setPreview(msg.preview)
		}
		return nil
	case tea.ColorProfileMsg:
		s.profile = msg.Profile
		return s.redrawLogo()
	case pickerDirMsg:
		if s.fields[s.focus] != FieldIcon || s.picker != nil {
			return nil // the user moved on meanwhile
		}
		return s.startPicker(msg.dir)
	case FieldErrorsMsg:
		for field, text := range msg.Errors {
			if field == FieldIcon || field == FieldName || field == FieldDescription {
				s.errs[field] = text
				s.touched[field] = true
			}
		}
		return nil
	}
	if s.picker != nil {
		return s.updatePicker(msg)
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return s.handleKey(msg)
	case tea.PasteMsg:
		if s.fields[s.focus] == FieldIcon {
			return s.pasteLogo(msg)
		}
	}
	return s.updateFocused(msg)
}

// pasteLogo takes a paste into the logo field, which is how a file dropped
// on the terminal arrives, and reads the file at once so its preview shows.
func (s *GeneralStep) pasteLogo(msg tea.PasteMsg) tea.Cmd {
	// Several files dropped at once arrive one per line, which the field
	// would join into one line: refuse them before it does.
	if _, err := pathinput.Parse(msg.Content, nil); errors.Is(err, pathinput.ErrMultiple) {
		s.touched[FieldIcon] = true
		s.errs[FieldIcon] = err.Error()
		return nil
	}
	var cmd tea.Cmd
	if s.logo.Value() != "" && looksDropped(msg.Content) {
		s.logo.SetValue(msg.Content)
	} else {
		s.logo, cmd = s.logo.Update(msg)
	}
	s.logoEdited()
	return tea.Batch(cmd, s.loadLogo(false))
}

func (s *GeneralStep) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	field := s.fields[s.focus]
	switch {
	case key.Matches(msg, s.keys.Next):
		return s.next()
	case field == FieldIcon && s.canPick && key.Matches(msg, s.pick.Open):
		return s.openPicker()
	case key.Matches(msg, s.keys.NextField):
		return s.leave(field, s.focus+1)
	case key.Matches(msg, s.keys.PrevField):
		return s.leave(field, s.focus-1)
	case key.Matches(msg, s.keys.Enter):
		switch field {
		case fieldNext, FieldDescription: // the last field: Next
			s.touched[field] = true
			return s.next()
		}
		return s.leave(field, s.focus+1)
	}
	return s.updateFocused(msg)
}

// leave moves the focus away from a field, checking it and, for the logo,
// reading the file it names.
func (s *GeneralStep) leave(field string, to int) tea.Cmd {
	s.touched[field] = true
	s.check(field)
	cmd := s.setFocus(to)
	if field == FieldIcon {
		return tea.Batch(cmd, s.loadLogo(false))
	}
	return cmd
}

func (s *GeneralStep) updateFocused(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch s.fields[s.focus] {
	case FieldIcon:
		s.logo, cmd = s.logo.Update(msg)
		s.logoEdited()
	case FieldName:
		s.name, cmd = s.name.Update(msg)
		if v := s.name.Value(); v != s.data.Name {
			// Only an edit re-checks: the server's verdict on the name stays
			// until the user changes it.
			s.data.Name = v
			s.check(FieldName)
		}
	case FieldDescription:
		s.desc, cmd = s.desc.Update(msg)
		if v := s.desc.Value(); v != s.data.Description {
			s.data.Description = v
			s.check(FieldDescription)
		}
	}
	return cmd
}

// logoEdited takes the logo field's new text.
func (s *GeneralStep) logoEdited() {
	s.data.LogoPath = s.logo.Value()
	if strings.TrimSpace(s.data.LogoPath) != s.logoPath {
		// The file on record no longer matches what is typed.
		s.data.Icon, s.data.IconInfo = nil, apiclient.IconInfo{}
		delete(s.errs, FieldIcon)
		if s.preview.Icon != nil {
			s.setPreview(LogoPreview{})
		}
	}
}

// check validates one field, keeping the message only for touched fields.
func (s *GeneralStep) check(field string) bool {
	var err error
	switch field {
	case FieldName:
		err = apiclient.CheckName(s.data.Name)
	case FieldDescription:
		err = apiclient.CheckDescription(s.data.Description)
	case FieldIcon:
		return s.errs[FieldIcon] == ""
	default:
		return true
	}
	if err == nil {
		delete(s.errs, field)
		return true
	}
	if s.touched[field] {
		s.errs[field] = err.Error()
	}
	return false
}

// next validates every field and asks for the Modules step, reading the logo
// first if its path changed.
func (s *GeneralStep) next() tea.Cmd {
	for _, f := range s.fields {
		s.touched[f] = true
	}
	if strings.TrimSpace(s.data.LogoPath) != s.logoPath {
		return s.loadLogo(true)
	}
	if s.loadingLogo != "" {
		return nil // the file is being read; logoLoaded carries on
	}
	firstBad := ""
	for _, f := range s.fields {
		if !s.check(f) && firstBad == "" {
			firstBad = f
		}
	}
	if firstBad != "" {
		return s.focus1(firstBad)
	}
	return s.act.Next()
}

// loadLogo reads the typed logo path in a command, and draws its preview
// there: file I/O and decoding stay out of Update and View.
func (s *GeneralStep) loadLogo(thenNext bool) tea.Cmd {
	path := strings.TrimSpace(s.data.LogoPath)
	if path == s.logoPath && s.loadingLogo == "" {
		if thenNext {
			return s.next()
		}
		return nil
	}
	if path == "" {
		s.logoPath = ""
		s.data.Icon, s.data.IconInfo = nil, apiclient.IconInfo{}
		delete(s.errs, FieldIcon)
		if thenNext {
			return s.next()
		}
		return nil
	}
	s.loadingLogo = path
	// Parse gets the text untrimmed: a dropped "logo\ " ends in a space.
	raw, home, prof := s.data.LogoPath, s.home, s.profile
	return func() tea.Msg {
		msg := logoLoadedMsg{path: path, thenNext: thenNext}
		local, err := pathinput.Parse(raw, home)
		if err != nil {
			msg.err = err
			return msg
		}
		msg.icon, msg.info, msg.err = apiclient.ReadIcon(local)
		if msg.err != nil {
			fi, err := os.Stat(local)
			msg.isDir = err == nil && fi.IsDir()
			return msg
		}
		msg.preview = drawLogo(msg.icon, msg.info, prof)
		return msg
	}
}

func (s *GeneralStep) logoLoaded(msg logoLoadedMsg) tea.Cmd {
	if msg.path != s.loadingLogo {
		return nil // an older read; a newer one is on its way
	}
	s.loadingLogo = ""
	s.logoPath = msg.path
	if strings.TrimSpace(s.data.LogoPath) != msg.path {
		return nil // edited while reading
	}
	if msg.err != nil {
		s.data.Icon, s.data.IconInfo = nil, apiclient.IconInfo{}
		s.setPreview(LogoPreview{})
		s.errs[FieldIcon] = textsafe.Line(msg.err.Error(), 200)
		if msg.isDir && s.canPick {
			s.errs[FieldIcon] += "; ctrl+o chooses a file in it"
		}
		if msg.thenNext {
			return s.focus1(FieldIcon)
		}
		return nil
	}
	delete(s.errs, FieldIcon)
	s.data.Icon, s.data.IconInfo = msg.icon, msg.info
	s.setPreview(msg.preview)
	// Should the terminal's colours have become known while the file was
	// read, the preview is drawn again.
	redraw := s.redrawLogo()
	if msg.thenNext {
		return tea.Batch(redraw, s.next())
	}
	return redraw
}

// View implements Step.
func (s *GeneralStep) View() string {
	if s.picker != nil {
		return s.pickerView()
	}
	t := s.theme
	w := formWidth(s.width)
	var b strings.Builder
	b.WriteString(t.Form.Title.Render("General") + "\n")
	if !s.compact() {
		b.WriteString(t.Form.Hint.Render(ansi.Truncate("Name the token so you recognise it later; logo and description are optional.", w, textsafe.Ellipsis)) + "\n")
	}
	b.WriteString("\n")

	if s.data.AllowLogo {
		b.WriteString(s.logoField(w))
	}

	n := utf8.RuneCountInString(strings.TrimSpace(s.data.Name))
	counter := t.Form.Counter
	if n > apiclient.MaxNameLength {
		counter = t.Form.CounterOver
	}
	nameBelow := t.Form.Hint.Render("Required.")
	if e := s.errs[FieldName]; e != "" {
		nameBelow = t.Form.Error.Render("✗ " + e)
	}
	b.WriteString(s.field(FieldName, "API token name", false,
		counter.Render(fmt.Sprintf("%d/%d", n, apiclient.MaxNameLength)), s.name.View(), nameBelow, w))

	d := utf8.RuneCountInString(strings.TrimSpace(s.data.Description))
	counter = t.Form.Counter
	if d > apiclient.MaxDescriptionLength {
		counter = t.Form.CounterOver
	}
	descBelow := t.Form.Hint.Render("alt+enter or ctrl+j adds a line; enter moves on")
	if e := s.errs[FieldDescription]; e != "" {
		descBelow = t.Form.Error.Render("✗ " + e)
	}
	b.WriteString(s.field(FieldDescription, "Description", true,
		counter.Render(fmt.Sprintf("%d/%d", d, apiclient.MaxDescriptionLength)), s.desc.View(), descBelow, w))

	button := t.Form.Button.Render("Next →")
	if s.fields[s.focus] == fieldNext {
		button = t.Form.ButtonActive.Render("Next →")
	}
	b.WriteString("  " + button)
	return b.String()
}

// field draws a labelled field with a bar on its left while focused.
func (s *GeneralStep) field(id, label string, optional bool, right, input, below string, w int) string {
	t := s.theme
	focused := s.fields[s.focus] == id
	bar, labelStyle := t.Form.BlurBar.Render("│"), t.Form.Label
	if focused {
		bar, labelStyle = t.Form.FocusBar.Render("┃"), t.Form.LabelFocused
	}
	head := labelStyle.Render(label)
	if optional {
		head += " " + t.Form.Optional.Render("(optional)")
	}
	if right != "" {
		gap := w - 2 - lipgloss.Width(head) - lipgloss.Width(right)
		head += strings.Repeat(" ", max(gap, 1)) + right
	}
	var b strings.Builder
	b.WriteString(bar + " " + head + "\n")
	for _, line := range strings.Split(input, "\n") {
		b.WriteString(bar + " " + line + "\n")
	}
	b.WriteString("  " + ansi.Truncate(below, w-2, textsafe.Ellipsis) + "\n")
	if !s.compact() {
		b.WriteString("\n")
	}
	return b.String()
}

// ShortHelp implements help.KeyMap.
func (s *GeneralStep) ShortHelp() []key.Binding {
	switch {
	case s.picker != nil:
		return []key.Binding{s.pick.Choose, s.pick.Up, s.pick.ParentShort, s.pick.Cancel, s.pick.PageUp}
	case s.fields[s.focus] == FieldDescription:
		return []key.Binding{s.keys.Enter, s.keys.NewLine, s.keys.NextField, s.keys.PrevField}
	case s.fields[s.focus] == FieldIcon && s.canPick:
		return []key.Binding{s.pick.Open, s.keys.NextField, s.keys.PrevField, s.keys.Next}
	}
	return []key.Binding{s.keys.NextField, s.keys.PrevField, s.keys.Next}
}

// FullHelp implements help.KeyMap.
func (s *GeneralStep) FullHelp() [][]key.Binding {
	if s.picker != nil {
		return [][]key.Binding{{s.pick.Choose, s.pick.Up, s.pick.PageUp, s.pick.Top}, {s.pick.Parent, s.pick.Cancel}}
	}
	second := []key.Binding{s.keys.NewLine, s.keys.Next}
	if s.canPick {
		second = append([]key.Binding{s.pick.Open}, second...)
	}
	return [][]key.Binding{{s.keys.NextField, s.keys.PrevField, s.keys.Enter}, second}
}

// iconSummary is the one-line preview of a logo: name, format, size.
func iconSummary(icon *apiclient.Icon, info apiclient.IconInfo) string {
	parts := []string{textsafe.Line(icon.Filename, 40), info.Format}
	if info.Width > 0 && info.Height > 0 {
		parts = append(parts, fmt.Sprintf("%d×%d px", info.Width, info.Height))
	}
	parts = append(parts, apiclient.FormatSize(int64(len(icon.Data))))
	return strings.Join(parts, " · ")
}

// formWidth is the width forms are laid out in: the window, up to 80 columns.
func formWidth(w int) int { return clamp(w, 20, 80) }

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }
