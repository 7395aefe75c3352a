package steps

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/theme"
	"github.com/softwareone/apitoken/ui/common"
)

type modulesKeys struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Toggle, All, Next, Back, Clear, Retry key.Binding
}

func newModulesKeys() modulesKeys {
	return modulesKeys{
		Up:       key.NewBinding(key.WithKeys("up"), key.WithHelp("↑/↓", "move")),
		Down:     key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup/pgdn", "page")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Home:     key.NewBinding(key.WithKeys("home"), key.WithHelp("home/end", "first/last")),
		End:      key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "last")),
		Toggle:   key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "select")),
		All:      key.NewBinding(key.WithKeys("ctrl+a"), key.WithHelp("ctrl+a", "all/none")),
		Next:     key.NewBinding(key.WithKeys("enter", "ctrl+n"), key.WithHelp("enter", "next")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Clear:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		Retry:    key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "retry")),
	}
}

// ModulesStep lets the user pick the modules the token may use, from those
// enabled for the account. It is built for large catalogues: filtering
// narrows the previous result when the filter grows, and a frame draws only
// the rows that fit.
type ModulesStep struct {
	c     *common.Common
	data  *Data
	theme *theme.Theme
	act   Actions
	keys  modulesKeys

	loading bool
	err     error
	spin    spinner.Model

	filter  string // as typed
	lfilter string // lower case
	shown   []int  // indexes into data.Catalog that match the filter
	// narrowed holds the rows shown for each shorter filter the current
	// one was typed from ("e", "ex", …), so erasing a letter puts the
	// earlier rows back instead of scanning the catalogue again.
	narrowed []filtered
	cursor   int    // index into shown
	offset   int    // first row drawn
	problem  string // why Next was refused, or the server's message

	width, height int
}

// NewModules builds the Modules step. It shows a spinner until the wizard
// delivers a ModulesLoadedMsg.
func NewModules(c *common.Common, data *Data, act Actions) *ModulesStep {
	s := &ModulesStep{c: c, data: data, theme: c.Theme, act: act, keys: newModulesKeys(), loading: data.Catalog == nil}
	s.spin = spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(c.Theme.Status.Spinner))
	s.refilter()
	s.SetSize(80, 20)
	return s
}

// Enter implements Step.
func (s *ModulesStep) Enter(string) tea.Cmd {
	if s.loading {
		return s.spin.Tick
	}
	return nil
}

// Shown is how many modules the filter keeps.
func (s *ModulesStep) Shown() int { return len(s.shown) }

// Capturing implements Step: letters go to the filter.
func (s *ModulesStep) Capturing() bool { return true }

// SetSize implements Step.
func (s *ModulesStep) SetSize(w, h int) {
	s.width, s.height = w, h
	s.scrollIntoView()
}

// Update implements Step.
func (s *ModulesStep) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.ThemeChangedMsg:
		s.spin.Style = s.theme.Status.Spinner
	case ModulesLoadedMsg:
		s.loading = false
		s.err = msg.Err
		if msg.Err == nil {
			s.problem = ""
			// A new catalogue: nothing shown so far applies.
			s.narrowed, s.shown, s.lfilter = nil, nil, ""
			s.refilter()
		}
		return nil
	case FieldErrorsMsg:
		for field, text := range msg.Errors {
			if field == "modules" || strings.HasPrefix(field, "modules[") {
				s.problem = text
			}
		}
		return nil
	case spinner.TickMsg:
		if !s.loading {
			return nil // stop ticking once loaded
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return cmd
	case tea.PasteMsg:
		s.setFilter(s.filter + textsafe.Line(msg.Content, 100))
		return nil
	case tea.KeyPressMsg:
		return s.handleKey(msg)
	}
	return nil
}

func (s *ModulesStep) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := s.keys
	switch {
	case key.Matches(msg, k.Retry):
		if s.err != nil {
			s.loading, s.err = true, nil
			return tea.Batch(s.spin.Tick, s.act.RetryModules())
		}
		return nil
	case key.Matches(msg, k.Back):
		if s.filter != "" {
			s.setFilter("")
			return nil
		}
		return s.act.Back()
	case key.Matches(msg, k.Next):
		return s.next()
	}
	if s.loading || s.err != nil {
		return nil
	}
	rows := s.visibleRows()
	switch {
	case key.Matches(msg, k.Up):
		s.move(-1)
	case key.Matches(msg, k.Down):
		s.move(1)
	case key.Matches(msg, k.PageUp):
		s.move(-rows)
	case key.Matches(msg, k.PageDown):
		s.move(rows)
	case key.Matches(msg, k.Home):
		s.move(-len(s.shown))
	case key.Matches(msg, k.End):
		s.move(len(s.shown))
	case key.Matches(msg, k.Toggle):
		s.toggle()
	case key.Matches(msg, k.All):
		s.toggleAll()
	case msg.String() == "?":
		// No module name needs a ?, so it opens the help here as on every
		// step, although letters go to the filter.
		s.c.ShowHelp = !s.c.ShowHelp
	case msg.String() == "backspace":
		if s.filter != "" {
			_, size := utf8.DecodeLastRuneInString(s.filter)
			s.setFilter(s.filter[:len(s.filter)-size])
		}
	case msg.Text != "" && msg.Mod&^(tea.ModShift) == 0 && isPrintable(msg.Text):
		s.setFilter(s.filter + msg.Text)
	}
	return nil
}

func isPrintable(s string) bool {
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

func (s *ModulesStep) next() tea.Cmd {
	if s.loading || s.err != nil {
		return nil
	}
	if len(s.data.Catalog) == 0 {
		s.problem = "There are no modules to select for this account."
		return nil
	}
	if s.selectedCount() == 0 {
		s.problem = "Select at least one module (space selects the highlighted one)."
		return nil
	}
	s.problem = ""
	return s.act.Next()
}

func (s *ModulesStep) move(delta int) {
	if len(s.shown) == 0 {
		return
	}
	s.cursor = clamp(s.cursor+delta, 0, len(s.shown)-1)
	s.scrollIntoView()
}

func (s *ModulesStep) toggle() {
	if len(s.shown) == 0 {
		return
	}
	id := s.data.Catalog[s.shown[s.cursor]].ID
	switch {
	case s.data.Selected[id]:
		delete(s.data.Selected, id)
		s.problem = ""
	case len(s.data.Selected) >= apiclient.MaxModules:
		s.problem = fmt.Sprintf("A token may use at most %d modules; unselect one first.", apiclient.MaxModules)
	default:
		s.data.Selected[id] = true
		s.problem = ""
	}
}

// toggleAll selects every shown module, or clears them when all already are.
func (s *ModulesStep) toggleAll() {
	all := true
	for _, i := range s.shown {
		if !s.data.Selected[s.data.Catalog[i].ID] {
			all = false
			break
		}
	}
	if !all {
		// Said now, not at Add: selecting past the API's limit is refused
		// here, with nothing selected.
		adding := 0
		for _, i := range s.shown {
			if !s.data.Selected[s.data.Catalog[i].ID] {
				adding++
			}
		}
		if n := len(s.data.Selected) + adding; n > apiclient.MaxModules {
			s.problem = fmt.Sprintf("That would select %d modules; a token may use at most %d. Filter the list first.", n, apiclient.MaxModules)
			return
		}
	}
	for _, i := range s.shown {
		if all {
			delete(s.data.Selected, s.data.Catalog[i].ID)
		} else {
			s.data.Selected[s.data.Catalog[i].ID] = true
		}
	}
	if len(s.shown) > 0 {
		s.problem = ""
	}
}

// selectedCount is the number of selected modules. Selected holds only
// modules of the catalogue (the wizard prunes it when the catalogue
// arrives), so this does not walk a large catalogue on every frame.
func (s *ModulesStep) selectedCount() int { return len(s.data.Selected) }

func (s *ModulesStep) setFilter(f string) {
	s.filter = f
	s.refilter()
}

// filtered is the result of a filter.
type filtered struct {
	lfilter string
	shown   []int
}

// refilter recomputes the shown rows. When the new filter extends the old
// one, only the rows already shown can still match, so only those are
// checked: typing a word into a 10 000-module list stays fast. When it is
// one the current filter was typed from (a letter erased), its rows are
// taken back as they were.
func (s *ModulesStep) refilter() {
	prev := s.lfilter
	s.lfilter = strings.ToLower(s.filter)
	var current string
	if s.cursor < len(s.shown) {
		current = s.data.Catalog[s.shown[s.cursor]].ID
	}
	var out []int
	switch {
	case s.lfilter == "":
		if len(s.narrowed) > 0 && s.narrowed[0].lfilter == "" {
			out = s.narrowed[0].shown
		} else {
			out = make([]int, len(s.data.Catalog))
			for i := range out {
				out[i] = i
			}
		}
		s.narrowed = s.narrowed[:0]
	case strings.HasPrefix(s.lfilter, prev) && s.lfilter != prev && (prev != "" || len(s.shown) == len(s.data.Catalog)):
		s.narrowed = append(s.narrowed, filtered{prev, s.shown})
		for _, i := range s.shown {
			if strings.Contains(s.data.Catalog[i].search, s.lfilter) {
				out = append(out, i)
			}
		}
	default:
		for len(s.narrowed) > 0 && s.narrowed[len(s.narrowed)-1].lfilter != s.lfilter {
			s.narrowed = s.narrowed[:len(s.narrowed)-1]
		}
		if n := len(s.narrowed); n > 0 {
			out = s.narrowed[n-1].shown
			s.narrowed = s.narrowed[:n-1]
			break
		}
		for i := range s.data.Catalog {
			if strings.Contains(s.data.Catalog[i].search, s.lfilter) {
				out = append(out, i)
			}
		}
	}
	s.shown = out
	s.cursor = 0
	for j, i := range s.shown {
		if s.data.Catalog[i].ID == current {
			s.cursor = j
			break
		}
	}
	s.offset = 0
	s.scrollIntoView()
}

// Layout: title, hint, blank, filter line, blank, rows…, blank, footer.
const modulesChrome = 7

// rowHeight is two lines (name, description) when there is room, else one.
func (s *ModulesStep) rowHeight() int {
	if s.height-modulesChrome >= 8 {
		return 2
	}
	return 1
}

func (s *ModulesStep) visibleRows() int {
	return max((s.height-modulesChrome)/s.rowHeight(), 1)
}

func (s *ModulesStep) scrollIntoView() {
	rows := s.visibleRows()
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	if s.cursor >= s.offset+rows {
		s.offset = s.cursor - rows + 1
	}
	s.offset = clamp(s.offset, 0, max(len(s.shown)-rows, 0))
}

// View implements Step.
func (s *ModulesStep) View() string {
	t := s.theme
	w := max(s.width, 20)
	var b strings.Builder
	b.WriteString(t.Form.Title.Render("Modules") + "\n")
	b.WriteString(t.Form.Hint.Render(ansi.Truncate("Choose what the token may access. Only modules enabled for "+s.data.AccountName()+" are listed.", w, textsafe.Ellipsis)) + "\n\n")

	switch {
	case s.loading:
		b.WriteString(s.spin.View() + " " + t.Status.Info.Render("Fetching the modules enabled for "+s.data.AccountName()+"…"))
		return b.String()
	case s.err != nil:
		b.WriteString(t.Status.Error.Render("✗ Could not fetch the modules.") + "\n")
		pr := common.Describe(s.err, "")
		b.WriteString(wrapStyled(t.Status.Error, pr.What, w) + "\n")
		if pr.Detail != "" {
			b.WriteString(wrapStyled(t.Status.Trace, pr.Detail, w) + "\n")
		}
		b.WriteString("\n" + t.Form.Hint.Render("ctrl+r retries · esc goes back"))
		return b.String()
	case len(s.data.Catalog) == 0:
		b.WriteString(t.List.Empty.Render(wrap("No modules are enabled for "+s.data.AccountName()+
			". A token needs at least one module: ask SoftwareOne (your account manager or the support team) to enable modules for this account, then start again.", w)))
		return b.String()
	}

	count := t.List.Count.Render(fmt.Sprintf("%d of %d selected", s.selectedCount(), len(s.data.Catalog)))
	filterText := s.filter
	if filterText == "" {
		filterText = t.List.Empty.Render("type to filter")
	} else {
		filterText = t.List.Filter.Render(ansi.Truncate(filterText, max(w-30, 5), textsafe.Ellipsis)) + t.List.Cursor.Render("▏")
	}
	left := t.List.FilterLabel.Render("Filter ") + filterText
	gap := w - lipgloss.Width(left) - lipgloss.Width(count)
	b.WriteString(left + strings.Repeat(" ", max(gap, 1)) + count + "\n\n")

	if len(s.shown) == 0 {
		b.WriteString(t.List.Empty.Render(ansi.Truncate(fmt.Sprintf("No module matches %q. esc clears the filter.", s.filter), w, textsafe.Ellipsis)))
		return b.String()
	}
	rows := s.visibleRows()
	end := min(s.offset+rows, len(s.shown))
	two := s.rowHeight() == 2
	for j := s.offset; j < end; j++ {
		m := s.data.Catalog[s.shown[j]]
		b.WriteString(s.row(m, j == s.cursor, two, w))
	}
	var footer []string
	if s.offset > 0 {
		footer = append(footer, fmt.Sprintf("↑ %d more", s.offset))
	}
	if end < len(s.shown) {
		footer = append(footer, fmt.Sprintf("↓ %d more", len(s.shown)-end))
	}
	b.WriteString("\n")
	if s.problem != "" {
		b.WriteString(t.Form.Error.Render(ansi.Truncate("✗ "+s.problem, w, textsafe.Ellipsis)))
	} else if len(footer) > 0 {
		b.WriteString(t.List.Scroll.Render(strings.Join(footer, " · ")))
	}
	return b.String()
}

// row draws one module: cursor, check box, name (filter match underlined),
// id on the right, and the description below when there is room. Module
// strings are plain text (textsafe), so a string of at most w bytes is at
// most w cells wide and needs no truncation.
func (s *ModulesStep) row(m Module, current, two bool, w int) string {
	f := &s.theme.Fast
	cursor, nameStyle := "  ", f.Item
	if current {
		cursor, nameStyle = f.Cursor.Render("❯ "), f.ItemCurrent
	}
	check := f.Check.Render("[ ]")
	if s.data.Selected[m.ID] {
		check = f.CheckOn.Render("[✓]")
	}
	idWidth := textWidth(m.ID)
	id := f.ID.Render(m.ID)
	nameWidth := max(w-6-idWidth-2, 8)
	name := truncate(m.Name, nameWidth)
	styled := s.highlight(name, nameStyle)
	gap := nameWidth - textWidth(name)
	var b strings.Builder
	b.Grow(len(cursor) + len(check) + len(styled) + len(id) + gap + 8 + len(m.Description) + 40)
	b.WriteString(cursor)
	b.WriteString(check)
	b.WriteByte(' ')
	b.WriteString(styled)
	b.WriteString(strings.Repeat(" ", max(gap+2, 0)))
	b.WriteString(id)
	b.WriteByte('\n')
	if !two {
		return b.String()
	}
	desc := m.Description
	if desc == "" {
		desc = "—"
	}
	b.WriteString("      ")
	b.WriteString(f.Desc.Render(truncate(desc, max(w-6, 8))))
	b.WriteByte('\n')
	return b.String()
}

// truncate cuts plain text to w cells, skipping the grapheme walk when the
// text is short enough in bytes.
func truncate(s string, w int) string {
	if len(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, textsafe.Ellipsis)
}

// textWidth is the width of plain text, without the grapheme walk for ASCII.
func textWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return lipgloss.Width(s)
		}
	}
	return len(s)
}

// highlight underlines the first match of the filter in a name.
func (s *ModulesStep) highlight(name string, style theme.Inline) string {
	if s.lfilter == "" {
		return style.Render(name)
	}
	lower := strings.ToLower(name)
	i := strings.Index(lower, s.lfilter)
	if i < 0 || len(lower) != len(name) { // lower-casing changed byte offsets
		return style.Render(name)
	}
	j := i + len(s.lfilter)
	return style.Render(name[:i]) + s.theme.Fast.Match.Render(name[i:j]) + style.Render(name[j:])
}

// ShortHelp implements help.KeyMap.
func (s *ModulesStep) ShortHelp() []key.Binding {
	switch {
	case s.err != nil:
		return []key.Binding{s.keys.Retry, s.keys.Back}
	case s.loading || len(s.data.Catalog) == 0:
		return []key.Binding{s.keys.Back}
	}
	back := s.keys.Back
	if s.filter != "" {
		back = s.keys.Clear
	}
	return []key.Binding{s.keys.Up, s.keys.Toggle, s.keys.All, s.keys.Next, back}
}

// FullHelp implements help.KeyMap.
func (s *ModulesStep) FullHelp() [][]key.Binding {
	k := s.keys
	return [][]key.Binding{{k.Up, k.PageUp, k.Home}, {k.Toggle, k.All}, {k.Next, k.Back, k.Clear, k.Retry}}
}
