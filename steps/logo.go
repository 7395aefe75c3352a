package steps

// The logo field's helpers: what a typed or dropped path names, the
// preview drawn once the file reads, and the file picker.

import (
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/filepicker"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/imgpreview"
	"github.com/softwareone/apitoken/internal/pathinput"
	"github.com/softwareone/apitoken/internal/textsafe"
)

// The preview's room in cells. A cell is two pixels tall, so 8×4 cells
// show a square logo square.
const (
	previewCols        = 8
	previewRows        = 4 // beside a field's label, input, hint and blank line
	previewRowsCompact = 3 // short windows drop the blank line
	// minPreviewForm is the narrowest form that draws the preview: below
	// it the input would be too short to read a path.
	minPreviewForm = 40
	// maxLogoPath bounds the logo field: no path is longer (PATH_MAX).
	maxLogoPath = 4096
)

// pickerTypes are the file names the picker lets the user choose. The
// content is sniffed when the file is read; this only spares the user
// picking what cannot be a logo.
var pickerTypes = []string{".png", ".jpg", ".jpeg", ".gif", ".svg", ".PNG", ".JPG", ".JPEG", ".GIF", ".SVG"}

// LogoPreview is a logo drawn for the terminal, made once in the command
// that read the file, so no frame decodes an image.
type LogoPreview struct {
	// Icon is the icon drawn: the preview belongs beside this icon only.
	Icon *apiclient.Icon
	// Cells is the half-block drawing, at most previewCols×previewRows
	// cells; Small the same in previewRowsCompact rows. Both "" when there
	// is none (no colour, SVG, an image that cannot be drawn).
	Cells, Small string
	// Text says what the image is ("image 48×32", "no preview for SVG"):
	// all there is to show when Cells is "".
	Text string

	profile colorprofile.Profile
}

// For returns the preview's lines for icon in at most rows rows, and its
// text; nothing when the preview is of another icon.
func (p LogoPreview) For(icon *apiclient.Icon, rows int) (cells []string, text string) {
	if icon == nil || p.Icon != icon {
		return nil, ""
	}
	for _, c := range []string{p.Cells, p.Small} {
		if c == "" {
			continue
		}
		if lines := strings.Split(c, "\n"); len(lines) <= rows {
			return lines, p.Text
		}
	}
	return nil, p.Text
}

// Beside returns summary (a one-line description of icon, already styled)
// with the drawing of icon on its left, in lines of at most width cells:
// the form the Overview shows a logo in. Where there is no drawing, the
// preview's text follows the summary; a preview of another icon adds
// nothing.
func (p LogoPreview) Beside(icon *apiclient.Icon, summary string, width int) string {
	cells, text := p.For(icon, previewRows)
	room := width - previewCols - 2
	if len(cells) == 0 || room < 10 {
		if text == "" {
			return summary
		}
		return ansi.Truncate(summary+" · "+text, width, textsafe.Ellipsis)
	}
	lines := make([]string, len(cells))
	for i, c := range cells {
		lines[i] = c
		if i == 0 {
			c += strings.Repeat(" ", max(previewCols-ansi.StringWidth(c), 0))
			lines[i] = c + "  " + ansi.Truncate(summary, room, textsafe.Ellipsis)
		}
	}
	return strings.Join(lines, "\n")
}

// drawLogo draws icon for a terminal with colour profile prof.
func drawLogo(icon *apiclient.Icon, info apiclient.IconInfo, prof colorprofile.Profile) LogoPreview {
	lp := LogoPreview{Icon: icon, profile: prof}
	if info.Format == apiclient.IconSVG {
		// Drawing SVG would take a renderer; the name and size say enough.
		lp.Text = "no preview for SVG"
		return lp
	}
	big, err := imgpreview.Render(icon.Data, imgpreview.Options{MaxWidth: previewCols, MaxHeight: previewRows, Profile: prof})
	if err != nil {
		lp.Text = "no preview"
		return lp
	}
	lp.Cells, lp.Text = big.Cells, big.Text
	if big.Rows > previewRowsCompact {
		small, err := imgpreview.Render(icon.Data, imgpreview.Options{MaxWidth: previewCols, MaxHeight: previewRowsCompact, Profile: prof})
		if err == nil {
			lp.Small = small.Cells
		}
	} else {
		lp.Small = big.Cells
	}
	return lp
}

// logoDrawnMsg carries a preview drawn again for a new colour profile.
type logoDrawnMsg struct{ preview LogoPreview }

// redrawLogo draws the loaded logo again in a command, once the terminal's
// colour profile is known or changed.
func (s *GeneralStep) redrawLogo() tea.Cmd {
	icon, info, prof := s.data.Icon, s.data.IconInfo, s.profile
	if icon == nil || (s.preview.Icon == icon && s.preview.profile == prof) {
		return nil
	}
	return func() tea.Msg { return logoDrawnMsg{preview: drawLogo(icon, info, prof)} }
}

// setPreview keeps the drawn logo; the logo input makes room for it.
func (s *GeneralStep) setPreview(p LogoPreview) {
	s.preview = p
	s.SetSize(s.width, s.height)
}

// previewCells is the logo's drawing as it fits beside the field now; nil
// when there is none or no room.
func (s *GeneralStep) previewCells() []string {
	rows := previewRows
	if s.compact() {
		rows = previewRowsCompact
	}
	cells, _ := s.preview.For(s.data.Icon, rows)
	if formWidth(s.width) < minPreviewForm {
		return nil
	}
	return cells
}

func (s *GeneralStep) previewShown() bool { return len(s.previewCells()) > 0 }

// logoField draws the logo field, with the logo's drawing on its right
// once the file reads, or what the image is where it cannot be drawn.
func (s *GeneralStep) logoField(w int) string {
	t := s.theme
	below := t.Form.Hint.Render("PNG, JPEG, GIF or SVG, up to " + apiclient.FormatSize(apiclient.MaxIconBytes))
	switch {
	case s.errs[FieldIcon] != "":
		below = t.Form.Error.Render("✗ " + s.errs[FieldIcon])
	case s.loadingLogo != "":
		below = t.Form.Hint.Render("reading the file…")
	case s.data.Icon != nil:
		below = t.Form.Preview.Render("✓ " + iconSummary(s.data.Icon, s.data.IconInfo))
	}
	cells := s.previewCells()
	if len(cells) == 0 {
		right := ""
		if _, text := s.preview.For(s.data.Icon, previewRows); text != "" {
			right = t.Form.Hint.Render(text)
		}
		return s.field(FieldIcon, "Logo", true, right, s.logo.View(), below, w)
	}
	leftW := w - previewCols - 1
	lines := strings.Split(strings.TrimSuffix(s.field(FieldIcon, "Logo", true, "", s.logo.View(), below, leftW), "\n"), "\n")
	for i, l := range lines {
		if i >= len(cells) {
			break
		}
		l = ansi.Truncate(l, leftW, "")
		lines[i] = l + strings.Repeat(" ", max(leftW-ansi.StringWidth(l), 0)) + " " + cells[i]
	}
	return strings.Join(lines, "\n") + "\n"
}

// looksDropped reports whether pasted text is a whole path, as a terminal
// pastes a dropped file: quoted, absolute, from home or a file:// URL. Such
// a paste replaces the field; any other is typed where the cursor is.
func looksDropped(s string) bool {
	s = strings.TrimSpace(s)
	return s != "" && (strings.ContainsRune(`'"/~`, rune(s[0])) || strings.HasPrefix(strings.ToLower(s), "file:"))
}

// quotePath writes path so that pathinput.Parse reads it back unchanged:
// as it is when it is plain, else in single quotes.
func quotePath(path string) string {
	plain := path != "" && !strings.ContainsAny(path, "'\"\\ \t\n~") && !strings.Contains(path, "://")
	if plain {
		return path
	}
	return "'" + strings.ReplaceAll(path, "'", `'\''`) + "'"
}

// pickerKeys are the keys while the file picker is open.
type pickerKeys struct {
	Open, Up, Down, PageUp, PageDown, Top, Bottom, Choose, Parent, Cancel key.Binding
	// ParentShort is Parent in fewer words, so the short help bar names
	// every key of the picker in a 100-column window.
	ParentShort key.Binding
}

func newPickerKeys() pickerKeys {
	parent := []string{"left", "h", "backspace"}
	return pickerKeys{
		Open:        key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "choose a file")),
		Up:          key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "move")),
		Down:        key.NewBinding(key.WithKeys("down", "j")),
		PageUp:      key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup/pgdn", "page")),
		PageDown:    key.NewBinding(key.WithKeys("pgdown")),
		Top:         key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("home/end", "first/last")),
		Bottom:      key.NewBinding(key.WithKeys("end", "G")),
		Choose:      key.NewBinding(key.WithKeys("enter", "right", "l"), key.WithHelp("enter", "choose or open")),
		Parent:      key.NewBinding(key.WithKeys(parent...), key.WithHelp("←", "parent folder")),
		ParentShort: key.NewBinding(key.WithKeys(parent...), key.WithHelp("←", "parent")),
		Cancel:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// Key presses the picker is driven with: each is one of pickerKeys'.
var (
	pickerUp     = tea.KeyPressMsg{Code: tea.KeyUp}
	pickerDown   = tea.KeyPressMsg{Code: tea.KeyDown}
	pickerTop    = tea.KeyPressMsg{Code: tea.KeyHome}
	pickerBottom = tea.KeyPressMsg{Code: tea.KeyEnd}
)

// pickerDirMsg carries the folder the picker opens in.
type pickerDirMsg struct{ dir string }

// openPicker finds, in a command, the folder to browse: the one the field
// names, or the typed file's folder, else the working directory, where a
// terminal user keeps the files at hand, else home.
func (s *GeneralStep) openPicker() tea.Cmd {
	typed, home, workDir := strings.TrimSpace(s.data.LogoPath), s.home, s.workDir
	return func() tea.Msg {
		var tries []string
		if p, err := pathinput.Parse(typed, home); err == nil {
			tries = append(tries, p, filepath.Dir(p))
		}
		for _, where := range []func() (string, error){workDir, home} {
			if d, err := where(); err == nil && d != "" {
				tries = append(tries, d)
			}
		}
		for _, d := range tries {
			if fi, err := os.Stat(d); err == nil && fi.IsDir() {
				if abs, err := filepath.Abs(d); err == nil {
					return pickerDirMsg{dir: abs}
				}
			}
		}
		// None of them is there; the root always is.
		return pickerDirMsg{dir: string(filepath.Separator)}
	}
}

// SetWorkDir sets where the picker opens when the field names no folder
// (os.Getwd by default).
func (s *GeneralStep) SetWorkDir(wd func() (string, error)) { s.workDir = wd }

// startPicker opens the picker in dir; the picker reads it in a command.
func (s *GeneralStep) startPicker(dir string) tea.Cmd {
	t := s.theme
	fp := filepicker.New()
	fp.CurrentDirectory = dir
	fp.AllowedTypes = pickerTypes
	// Sizes would be in decimal units (humanize.Bytes), unlike the limit
	// in MiB beside them; the permissions say nothing about a logo.
	fp.ShowSize, fp.ShowPermissions = false, false
	fp.AutoHeight = false
	fp.Cursor = "›"
	fp.KeyMap.Up, fp.KeyMap.Down = s.pick.Up, s.pick.Down
	fp.KeyMap.GoToTop, fp.KeyMap.GoToLast = s.pick.Top, s.pick.Bottom
	fp.KeyMap.Open, fp.KeyMap.Select = s.pick.Choose, key.NewBinding(key.WithKeys("enter"))
	fp.KeyMap.Back = s.pick.Parent // esc closes the picker instead
	// The picker's own paging can leave the cursor below the last row
	// drawn; updatePicker pages with the arrow keys instead.
	fp.KeyMap.PageUp, fp.KeyMap.PageDown = key.NewBinding(), key.NewBinding()
	fp.Styles.Cursor = t.List.Cursor
	fp.Styles.Selected = t.List.ItemCurrent
	fp.Styles.File = t.List.Item
	fp.Styles.Directory = t.Form.Label
	fp.Styles.DisabledFile = t.Form.Hint
	fp.Styles.DisabledCursor = t.Form.Hint
	fp.Styles.DisabledSelected = t.Form.Hint
	fp.Styles.Symlink = t.List.Item
	fp.Styles.EmptyDirectory = t.List.Empty.PaddingLeft(2).SetString("No folders or image files here. ← goes up.")
	s.picker, s.pickerNote = &fp, ""
	s.sizePicker()
	return fp.Init()
}

// pickerChrome is the lines pickerView draws above the list: the title,
// the hint (or why a choice was refused), the folder and a blank line.
const pickerChrome = 4

// sizePicker gives the list every line the step has below pickerChrome.
func (s *GeneralStep) sizePicker() {
	if s.picker == nil {
		return
	}
	if h := max(s.height-pickerChrome, 3); h != s.picker.Height() {
		s.picker.SetHeight(h)
		s.fitPicker()
	}
}

// fitPicker scrolls the list so that it fills its height and shows the
// cursor. The picker keeps its last row where it was when its height
// changes, which leaves rows empty when it grows (the full help closed)
// and can hide the cursor when it shrinks; going back to a folder brings
// back the rows of the height it was left at.
func (s *GeneralStep) fitPicker() {
	fp := s.picker
	at := fp.HighlightedPath()
	if at == "" {
		return // nothing listed
	}
	h := fp.Height()
	rows, cursor := pickerRows(*fp)
	if rows != h {
		// The rows from the top one down, as many as there is room for.
		*fp, _ = fp.Update(tea.WindowSizeMsg{})
		rows, cursor = pickerRows(*fp)
	}
	switch {
	case cursor < 0:
		// The cursor's row last, as the arrow keys scroll.
		s.pressPicker(pickerTop, 1)
		s.pressPickerTo(pickerDown, at)
	case rows < h:
		// The list's end is above the last row: the last rows it has, and
		// the cursor back where it was (Up does not scroll there).
		s.pressPicker(pickerBottom, 1)
		s.pressPickerTo(pickerUp, at)
	}
}

// pickerRows counts the rows fp draws, and finds the cursor's among them
// (-1 when it is not drawn).
func pickerRows(fp filepicker.Model) (rows, cursor int) {
	// No file name holds a NUL: a cursor drawn as one is the cursor.
	fp.Cursor = "\x00"
	fp.Styles.Cursor, fp.Styles.DisabledCursor = lipgloss.NewStyle(), lipgloss.NewStyle()
	cursor = -1
	for i, l := range strings.Split(strings.TrimRight(fp.View(), "\n"), "\n") {
		if strings.HasPrefix(l, "\x00") {
			cursor = i
		}
		rows = i + 1
	}
	return rows, cursor
}

// pressPicker hands the picker k n times.
func (s *GeneralStep) pressPicker(k tea.KeyPressMsg, n int) {
	for range n {
		*s.picker, _ = s.picker.Update(k)
	}
}

// pressPickerTo hands the picker k until the cursor is on path, or moves
// no more.
func (s *GeneralStep) pressPickerTo(k tea.KeyPressMsg, path string) {
	for at := s.picker.HighlightedPath(); at != path; {
		s.pressPicker(k, 1)
		next := s.picker.HighlightedPath()
		if next == at {
			return
		}
		at = next
	}
}

// closePicker goes back to the logo field.
func (s *GeneralStep) closePicker() tea.Cmd {
	s.picker, s.pickerNote = nil, ""
	return s.focus1(FieldIcon)
}

// updatePicker hands a message to the open picker and takes its choice.
func (s *GeneralStep) updatePicker(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, s.pick.Cancel):
			return s.closePicker()
		case key.Matches(msg, s.pick.PageUp):
			s.pressPicker(pickerUp, s.picker.Height())
			s.pickerNote = ""
			return nil
		case key.Matches(msg, s.pick.PageDown):
			s.pressPicker(pickerDown, s.picker.Height())
			s.pickerNote = ""
			return nil
		}
	case tea.PasteMsg:
		// A file dropped on the terminal while browsing is the choice.
		cmd := s.closePicker()
		return tea.Batch(cmd, s.pasteLogo(msg))
	}
	// The picker keeps the last path tried, even one it refused; a stale one
	// must not count as this key's choice.
	s.picker.Path = ""
	fp, cmd := s.picker.Update(msg)
	s.picker = &fp
	if _, isKey := msg.(tea.KeyPressMsg); !isKey {
		s.fitPicker() // a folder's entries may have come
	}
	if ok, path := fp.DidSelectFile(msg); ok {
		focus := s.closePicker()
		s.logo.SetValue(quotePath(path))
		s.logoEdited()
		return tea.Batch(cmd, focus, s.loadLogo(false))
	}
	if ok, path := fp.DidSelectDisabledFile(msg); ok {
		s.pickerNote = textsafe.Line(filepath.Base(path), 80) + " is not a PNG, JPEG, GIF or SVG file"
	} else if _, isKey := msg.(tea.KeyPressMsg); isKey {
		s.pickerNote = ""
	}
	return cmd
}

// pickerView draws the open picker in place of the form.
func (s *GeneralStep) pickerView() string {
	t := s.theme
	w := formWidth(s.width)
	var b strings.Builder
	b.WriteString(t.Form.Title.Render("Choose a logo") + "\n")
	// Why a choice was refused takes the hint's line, as under a field:
	// the list keeps every other line.
	if s.pickerNote != "" {
		b.WriteString(t.Form.Error.Render(ansi.Truncate("✗ "+s.pickerNote, w, textsafe.Ellipsis)) + "\n")
	} else {
		b.WriteString(t.Form.Hint.Render(ansi.Truncate("PNG, JPEG, GIF or SVG, up to "+apiclient.FormatSize(apiclient.MaxIconBytes), w, textsafe.Ellipsis)) + "\n")
	}
	dir := textsafe.Line(s.picker.CurrentDirectory, maxLogoPath)
	if over := ansi.StringWidth(dir) - w; over > 0 {
		dir = ansi.TruncateLeft(dir, over+1, textsafe.Ellipsis) // the end of a path says most
	}
	b.WriteString(t.Form.Label.Render(dir) + "\n\n")
	rows := strings.Split(strings.TrimRight(inertView(s.picker.View()), "\n"), "\n")
	for i, r := range rows {
		if i >= s.picker.Height() {
			break
		}
		b.WriteString(ansi.Truncate(r, max(s.width, 20), textsafe.Ellipsis) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// inertView keeps the picker's colours but drops every other escape
// sequence and control character: the picker prints file names as they
// are on disk, and a name may hold anything but '/'.
func inertView(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	var state byte
	for len(s) > 0 {
		seq, _, n, newState := ansi.DecodeSequence(s, state, nil)
		state = newState
		switch {
		case n <= 0:
			return b.String()
		case seq == "\n":
			b.WriteString(seq)
		case isSGR(seq):
			b.WriteString(seq) // colours and attributes only
		case seq[0] < 0x20 || seq[0] == 0x7f || ansi.HasCsiPrefix(seq) || ansi.HasEscPrefix(seq) ||
			ansi.HasOscPrefix(seq) || ansi.HasDcsPrefix(seq) || ansi.HasApcPrefix(seq) ||
			ansi.HasPmPrefix(seq) || ansi.HasSosPrefix(seq) || ansi.HasStPrefix(seq):
			// dropped
		default:
			if strings.IndexFunc(seq, textsafe.Unsafe) < 0 {
				b.WriteString(seq)
			}
		}
		s = s[n:]
	}
	return b.String()
}

// isSGR reports whether seq sets colours or attributes (ESC [ digits ; : m)
// and nothing else.
func isSGR(seq string) bool {
	body, ok := strings.CutPrefix(seq, "\x1b[")
	if !ok {
		return false
	}
	body, ok = strings.CutSuffix(body, "m")
	return ok && strings.Trim(body, "0123456789;:") == ""
}
