package steps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/theme"
	"github.com/softwareone/apitoken/ui/common"
)

type overviewKeys struct {
	Add, Back, Request, EditGeneral, EditModules, Replace, Recheck, Scroll key.Binding
	// Left, Right and Press work the button row.
	Left, Right, Press key.Binding
	// EnterBack is enter's help while Back has the focus; AddKey names the
	// key that adds whichever button has it.
	EnterBack, AddKey key.Binding
}

func newOverviewKeys() overviewKeys {
	return overviewKeys{
		Add:         key.NewBinding(key.WithKeys("enter", "a"), key.WithHelp("enter", "add token")),
		Back:        key.NewBinding(key.WithKeys("esc", "b"), key.WithHelp("esc", "back")),
		Request:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "show request")),
		EditGeneral: key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "edit general")),
		EditModules: key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "edit modules")),
		Replace:     key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "disable it, add new")),
		Recheck:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check again")),
		Scroll:      key.NewBinding(key.WithKeys("up", "down", "pgup", "pgdown"), key.WithHelp("↑/↓", "scroll")),
		Left:        key.NewBinding(key.WithKeys("left", "shift+tab"), key.WithHelp("←/→", "choose button")),
		Right:       key.NewBinding(key.WithKeys("right", "tab")),
		Press:       key.NewBinding(key.WithKeys("enter", "space"), key.WithHelp("enter", "press button")),
		EnterBack:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "back")),
		AddKey:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add token")),
	}
}

// OverviewStep shows everything entered, read-only, and adds the token.
type OverviewStep struct {
	data  *Data
	theme *theme.Theme
	act   Actions
	keys  overviewKeys

	showRequest bool
	vp          viewport.Model
	// onBack is set while the Back button has the focus, not the other.
	onBack bool

	width, height int
}

// NewOverview builds the Overview step.
func NewOverview(c *common.Common, data *Data, act Actions) *OverviewStep {
	s := &OverviewStep{data: data, theme: c.Theme, act: act, keys: newOverviewKeys()}
	s.vp = viewport.New()
	s.vp.KeyMap = viewport.KeyMap{
		Up:       key.NewBinding(key.WithKeys("up")),
		Down:     key.NewBinding(key.WithKeys("down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup")),
		PageDown: key.NewBinding(key.WithKeys("pgdown")),
	}
	s.SetSize(80, 20)
	return s
}

// Enter implements Step: the data may have changed on the other steps.
func (s *OverviewStep) Enter(string) tea.Cmd {
	// Focus the button Enter should press: the action, except where the
	// action disables a token; that one is chosen on purpose.
	s.onBack = s.data.Create.State == CreateFound
	s.SetSize(s.width, s.height)
	s.vp.GotoTop()
	return nil
}

// Capturing implements Step.
func (s *OverviewStep) Capturing() bool { return false }

func (s *OverviewStep) busy() bool { return s.data.Create.Busy() }

// SetSize implements Step.
func (s *OverviewStep) SetSize(w, h int) {
	s.width, s.height = w, h
	s.vp.SetWidth(max(w, 20))
	s.vp.SetHeight(max(h-s.footerHeight(), 3))
	s.refresh()
}

// maxStatusLines bounds the status so the review above keeps some room.
const maxStatusLines = 6

// footerHeight is the lines below the scrolled content: a blank, the
// status, a blank and the buttons.
func (s *OverviewStep) footerHeight() int { return 3 + lipgloss.Height(s.statusView()) }

// NameCheckedMsg says the wizard has its answer to whether the name is
// taken (Data.NameTaken): the warning, if any, takes lines from the review.
type NameCheckedMsg struct{}

// Update implements Step.
func (s *OverviewStep) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return s.handleKey(msg)
	case NameCheckedMsg:
		s.SetSize(s.width, s.height)
	}
	return nil
}

func (s *OverviewStep) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := s.keys
	if key.Matches(msg, k.Request) {
		s.showRequest = !s.showRequest
		s.refresh()
		s.vp.GotoTop()
		return nil
	}
	if s.busy() {
		var cmd tea.Cmd
		s.vp, cmd = s.vp.Update(msg)
		return cmd // nothing else while a request is out
	}
	switch {
	case key.Matches(msg, k.Left), key.Matches(msg, k.Right):
		s.onBack = !s.onBack
		return nil
	case key.Matches(msg, k.Press) && s.onBack:
		if s.data.Create.State == CreateFound {
			return s.act.Goto(General, FieldName)
		}
		return s.act.Back()
	case key.Matches(msg, k.Press):
		return s.primary()
	}
	switch s.data.Create.State {
	case CreateFound:
		switch {
		case key.Matches(msg, k.Replace):
			return s.act.Replace(s.data.Create.Found.ID)
		case key.Matches(msg, k.Back):
			return s.act.Goto(General, FieldName)
		}
		return nil
	case CreateCheckFailed, CreateFoundUncertain:
		switch {
		case key.Matches(msg, k.Recheck):
			return s.act.Recheck()
		case key.Matches(msg, k.Back):
			return s.act.Back()
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Add):
		return s.act.Submit()
	case key.Matches(msg, k.Back):
		return s.act.Back()
	case key.Matches(msg, k.EditGeneral):
		return s.act.Edit(General)
	case key.Matches(msg, k.EditModules):
		return s.act.Edit(Modules)
	}
	var cmd tea.Cmd
	s.vp, cmd = s.vp.Update(msg)
	return cmd
}

// primary presses the button beside Back.
func (s *OverviewStep) primary() tea.Cmd {
	switch s.data.Create.State {
	case CreateFound:
		return s.act.Replace(s.data.Create.Found.ID)
	case CreateCheckFailed, CreateFoundUncertain:
		return s.act.Recheck()
	}
	return s.act.Submit()
}

// refresh rebuilds the scrolled content; it changes only on events, so it
// is not rebuilt on every frame.
func (s *OverviewStep) refresh() {
	if s.showRequest {
		s.vp.SetContent(s.requestView())
		return
	}
	s.vp.SetContent(s.summaryView())
}

func (s *OverviewStep) summaryView() string {
	t := s.theme
	w := max(s.width, 20)
	keyW := 13
	valW := max(w-keyW-2, 10)
	row := func(k, v string) string {
		lines := strings.Split(v, "\n")
		var b strings.Builder
		for i, l := range lines {
			label := ""
			if i == 0 {
				label = k
			}
			b.WriteString("  " + t.Overview.Key.Render(fmt.Sprintf("%-*s", keyW, label)) + l + "\n")
		}
		return b.String()
	}
	none := t.Overview.Empty.Render("none")

	var b strings.Builder
	b.WriteString(t.Form.Title.Render("Overview") + "\n")
	b.WriteString(t.Form.Hint.Render(ansi.Truncate("Review the token, then add it. Nothing is sent before you press enter.", w, textsafe.Ellipsis)) + "\n\n")

	b.WriteString(t.Overview.Section.Render("General") + "\n")
	logo := none
	if s.data.Icon != nil {
		logo = t.Overview.Value.Render(ansi.Truncate(iconSummary(s.data.Icon, s.data.IconInfo), valW, textsafe.Ellipsis))
	}
	if s.data.AllowLogo {
		b.WriteString(row("Logo", logo))
	}
	b.WriteString(row("Name", t.Overview.Value.Render(textsafe.Wrap(textsafe.Line(strings.TrimSpace(s.data.Name), 0), valW))))
	desc := none
	if d := strings.TrimSpace(s.data.Description); d != "" {
		desc = wrapStyled(t.Overview.Value, textsafe.Text(d, 0), valW)
	}
	b.WriteString(row("Description", desc))

	selected := s.data.SelectedModules()
	b.WriteString("\n" + t.Overview.Section.Render(fmt.Sprintf("Modules (%d)", len(selected))) + "\n")
	for _, m := range selected {
		name := ansi.Truncate(m.Name, max(w-lipgloss.Width(m.ID)-8, 8), textsafe.Ellipsis)
		gap := w - 6 - lipgloss.Width(name) - lipgloss.Width(m.ID)
		b.WriteString("  • " + t.Overview.Value.Render(name) + strings.Repeat(" ", max(gap, 2)) + t.List.ID.Render(m.ID) + "\n")
	}

	b.WriteString("\n" + t.Overview.Section.Render("Account") + "\n")
	acc := s.data.AccountID // until the account is loaded its name is its id
	if s.data.Account != nil && s.data.Account.Name != "" {
		acc = s.data.AccountName() + " · " + s.data.AccountID
	}
	if s.data.Account != nil && s.data.Account.Type != "" {
		acc += " · " + textsafe.Line(s.data.Account.Type, 20)
	}
	b.WriteString("  " + t.Overview.Value.Render(ansi.Truncate(acc, w-2, textsafe.Ellipsis)))
	return strings.TrimRight(b.String(), "\n")
}

// requestView is the request exactly as it will be sent, minus the image
// bytes. It holds no secret: the API credential travels in a header that is
// never shown.
func (s *OverviewStep) requestView() string {
	t := s.theme
	req := s.data.Request()
	body, err := req.JSON()
	var pretty bytes.Buffer
	if err == nil {
		err = json.Indent(&pretty, body, "", "  ")
	}
	var b strings.Builder
	b.WriteString(t.Form.Title.Render("Request") + "\n")
	b.WriteString(t.Form.Hint.Render("POST /public/v1/accounts/api-tokens") + "\n")
	if req.Icon != nil {
		b.WriteString(t.Form.Hint.Render(ansi.Truncate(fmt.Sprintf("multipart/form-data: part \"token\" below, part \"icon\" %s", iconSummary(req.Icon, s.data.IconInfo)), max(s.width, 20), textsafe.Ellipsis)) + "\n")
	} else {
		b.WriteString(t.Form.Hint.Render("Content-Type: application/json") + "\n")
	}
	b.WriteString("\n")
	if err != nil {
		b.WriteString(t.Status.Error.Render(textsafe.Line(err.Error(), 200)))
		return b.String()
	}
	b.WriteString(t.Overview.Code.Render(textsafe.Text(pretty.String(), 0)))
	return b.String()
}

// statusView is what the Overview says about the create, at least two
// lines so the layout does not jump, at most maxStatusLines.
func (s *OverviewStep) statusView() string {
	t := s.theme
	w := max(s.width, 20)
	var status string
	cr := &s.data.Create
	switch cr.State {
	case CreateIdle:
		if tk := s.data.NameTaken; tk != nil {
			status = wrapStyled(t.Status.Warning, "⚠ Another token of this account is already named “"+textsafe.Line(tk.Name, 100)+"” ("+textsafe.Line(tk.ID, 20)+"). Both would work; only their ids tell them apart.", w)
		}
	case CreateSending:
		status = cr.Spinner.View() + " " + t.Status.Info.Render("Creating the token…")
	case CreateChecking:
		status = cr.Spinner.View() + " " + t.Status.Warning.Render("No answer from the API. Checking whether the token was created (this takes a few seconds)…")
	case CreateFailed:
		// Wrapped, not cut: the server's detail and the trace id to quote
		// to support are at the end of the message.
		pr := common.Describe(cr.Err, cr.Outcome)
		status = wrapStyled(t.Status.Error, "✗ "+pr.What, w)
		if pr.Detail != "" {
			status += "\n" + wrapStyled(t.Status.Trace, pr.Detail, w)
		}
	case CreateNotFound:
		status = wrapStyled(t.Status.Warning, "The API did not answer, and no token with this name was found yet. It may still appear: add again looks once more before it sends.", w)
	case CreateCheckFailed:
		status = t.Status.Error.Render(ansi.Truncate("The API did not answer and the wizard could not check whether the token was created.", w, textsafe.Ellipsis)) + "\n" +
			t.Status.Warning.Render(ansi.Truncate("Adding again could create a duplicate. Check again, or look in the portal.", w, textsafe.Ellipsis))
	case CreateFoundUncertain:
		status = wrapStyled(t.Status.Warning, "A token with this name was created ("+textsafe.Line(cr.Found.ID, 20)+"), but it may not be this one: "+textsafe.Line(cr.Err.Error(), 200)+".", w) + "\n" +
			wrapStyled(t.Status.Warning, "Nothing more is done here: check it in the portal, then check again or go back.", w)
	case CreateFound:
		id, at := textsafe.Line(cr.Found.ID, 20), ""
		if a := cr.Found.Audit; a != nil && a.Created != nil && a.Created.At != nil {
			at = " at " + a.Created.At.UTC().Format("15:04:05 UTC")
		}
		status = t.Status.Warning.Render(ansi.Truncate("The token was created ("+id+at+") but its answer was lost.", w, textsafe.Ellipsis)) + "\n" +
			t.Status.Warning.Render(ansi.Truncate("Its value cannot be shown again. Disable it and add a new one, or go back.", w, textsafe.Ellipsis))
	}
	lines := strings.Split(status, "\n")
	if len(lines) > maxStatusLines {
		lines = lines[:maxStatusLines]
	}
	for len(lines) < 2 {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// View implements Step.
func (s *OverviewStep) View() string {
	t := s.theme
	var b strings.Builder
	b.WriteString(s.vp.View() + "\n")
	if !s.vp.AtBottom() {
		// Cut content says so: the actions below stay, the rest scrolls.
		b.WriteString(t.List.Scroll.Render(fmt.Sprintf("↓ %d more lines · ↑/↓ scroll", s.vp.TotalLineCount()-s.vp.YOffset()-s.vp.VisibleLineCount())))
	}
	b.WriteString("\n")

	b.WriteString(s.statusView() + "\n")

	backStyle, addStyle := t.Form.Button, t.Form.ButtonActive
	if s.onBack {
		backStyle, addStyle = t.Form.ButtonActive, t.Form.Button
	}
	label := "Add"
	switch s.data.Create.State {
	case CreateSending, CreateChecking:
		label, backStyle, addStyle = "Adding…", t.Form.Button, t.Form.Button
	case CreateFound:
		label = "Disable and add new"
	case CreateCheckFailed, CreateFoundUncertain:
		label = "Check again"
	case CreateFailed, CreateNotFound:
		label = "Add again"
	}
	b.WriteString(backStyle.Render("← Back") + "  " + addStyle.Render(label))
	return b.String()
}

// ShortHelp implements help.KeyMap.
func (s *OverviewStep) ShortHelp() []key.Binding {
	k := s.keys
	req := k.Request
	if s.showRequest {
		req = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "hide request"))
	}
	switch {
	case s.busy():
		return []key.Binding{req}
	case s.data.Create.State == CreateFound:
		return []key.Binding{k.Replace, k.Back}
	case s.data.Create.State == CreateCheckFailed || s.data.Create.State == CreateFoundUncertain:
		return []key.Binding{k.Recheck, k.Back}
	}
	if s.onBack {
		// Enter presses the focused button: say what it does now.
		return []key.Binding{k.EnterBack, k.Back, req, k.EditGeneral, k.EditModules}
	}
	return []key.Binding{k.Add, k.Back, req, k.EditGeneral, k.EditModules}
}

// FullHelp implements help.KeyMap.
func (s *OverviewStep) FullHelp() [][]key.Binding {
	k := s.keys
	return [][]key.Binding{{k.Press, k.Left, k.AddKey, k.Back}, {k.Request, k.Scroll}, {k.EditGeneral, k.EditModules}}
}
