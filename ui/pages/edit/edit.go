// Package edit is the portal's Edit of an API token: General (name,
// description), then Modules, then Save. It reuses the wizard's steps,
// pre-filled from the token as the API has it now (read again when the page
// opens, not as it was listed), and saves with one PUT.
//
// Outcomes are never guessed: a 400 lands on the field it names, as in the
// create; an answer that never came is reported as unknown and Save is not
// offered again on this page (the person leaves and refreshes to learn the
// state), so an update is never resent blindly.
//
// Messages the root handles:
//
//   - SavedMsg{Token}: the save went through; the root takes the page off
//     and shows the token's new state.
//   - actions.QuitReadyMsg: a quit was held while the save was out and the
//     answer came; the root asks every page's RequestQuit again.
//
// Esc on General (or on Modules with an empty filter, then on General)
// leaves without saving, through Common.Nav.
package edit

import (
	"context"
	"errors"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/steps"
	"github.com/softwareone/apitoken/ui/actions"
	"github.com/softwareone/apitoken/ui/common"
)

// API is what the page needs from the Marketplace API.
type API interface {
	GetAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error)
	ListEnabledModules(ctx context.Context, accountID string) ([]apiclient.Module, error)
	UpdateAPIToken(ctx context.Context, id string, req *apiclient.UpdateAPITokenRequest) (*apiclient.APIToken, error)
}

// SavedMsg says the save went through; Token is the token as the API now
// has it.
type SavedMsg struct{ Token apiclient.APIToken }

type (
	loadedMsg struct {
		tok  *apiclient.APIToken
		mods []apiclient.Module
		err  error
	}
	savedMsg struct {
		tok *apiclient.APIToken
		err error
	}
)

type saveState int

const (
	idle saveState = iota
	saving
	failed  // refused: nothing changed, Save may be tried again
	unknown // no answer: Save is not offered again
	gone    // 404
)

// Page is the edit flow of one token.
type Page struct {
	c       *common.Common
	api     API
	account string
	tok     apiclient.APIToken // as listed, then as read

	loading bool
	loadErr error
	data    *steps.Data
	steps   []steps.Step // General, Modules; nil until loaded
	active  steps.ID
	spin    spinner.Model

	state     saveState
	err       error
	quitAsked bool
	shutdown  bool

	width, height int
}

var _ common.Page = (*Page)(nil)

// New builds the edit page for tok (only its ID and name are used before
// the fresh read). accountID is the account whose enabled modules are
// offered.
func New(c *common.Common, api API, accountID string, tok apiclient.APIToken) *Page {
	tok.Token = ""
	if accountID == "" && tok.Account != nil {
		accountID = tok.Account.ID
	}
	p := &Page{c: c, api: api, account: accountID, tok: tok, loading: true, width: 80, height: 20}
	p.spin = spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(c.Theme.Status.Spinner))
	return p
}

// Data is the edit's data (tests read it); nil until loaded.
func (p *Page) Data() *steps.Data { return p.data }

// Active is the step on screen.
func (p *Page) Active() steps.ID { return p.active }

// Init reads the token and the account's modules.
func (p *Page) Init() tea.Cmd { return tea.Batch(p.load(), p.spin.Tick) }

// requestTimeout bounds the reads; saveTimeout the PUT, which runs on a
// context of its own: once sent it is seen through, never cut off.
const requestTimeout = actions.Timeout

func (p *Page) load() tea.Cmd {
	p.loading, p.loadErr = true, nil
	api, id, account := p.api, p.tok.ID, p.account
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		tok, err := api.GetAPIToken(ctx, id)
		if err != nil {
			return loadedMsg{err: err}
		}
		mods, err := api.ListEnabledModules(ctx, account)
		return loadedMsg{tok: tok, mods: mods, err: err}
	}
}

// loaded fills the wizard's data from the token and builds the steps over
// it. A module the token has but the account no longer offers is kept in
// the list, so saving does not drop it unasked.
func (p *Page) loaded(msg loadedMsg) tea.Cmd {
	p.loading = false
	if msg.err != nil {
		p.loadErr = msg.err
		return nil
	}
	tok := *msg.tok
	tok.Token = ""
	p.tok = tok
	d := steps.NewData(p.account, false)
	d.Name = tok.Name
	if tok.Description != nil {
		d.Description = *tok.Description
	}
	mods := slices.Clone(msg.mods)
	for _, m := range tok.Modules {
		d.Selected[m.ID] = true
		if !slices.ContainsFunc(mods, func(o apiclient.Module) bool { return o.ID == m.ID }) {
			mods = append(mods, apiclient.Module{ID: m.ID, Name: m.Name, Description: m.Description})
		}
	}
	d.Catalog = steps.ModulesFrom(mods)
	p.data = d
	p.steps = []steps.Step{steps.NewGeneral(p.c, d, p), steps.NewModules(p.c, d, p)}
	p.steps[steps.Modules].Update(steps.ModulesLoadedMsg{})
	p.SetSize(p.width, p.height)
	p.active = steps.General
	return p.steps[steps.General].Enter(steps.FieldName)
}

// Request is the PUT the page would send now.
func (p *Page) Request() *apiclient.UpdateAPITokenRequest {
	req := &apiclient.UpdateAPITokenRequest{
		Name:        strings.TrimSpace(p.data.Name),
		Description: strings.TrimSpace(p.data.Description),
	}
	for _, m := range p.data.SelectedModules() {
		req.ModuleIDs = append(req.ModuleIDs, m.ID)
	}
	return req
}

func (p *Page) save() tea.Cmd {
	switch p.state {
	case saving, unknown, gone:
		return nil
	}
	if p.shutdown {
		return nil // nothing new starts once the program is asked to end
	}
	p.state, p.err = saving, nil
	api, id, req := p.api, p.tok.ID, p.Request()
	return tea.Batch(p.spin.Tick, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), actions.Timeout)
		defer cancel()
		tok, err := api.UpdateAPIToken(ctx, id, req)
		return savedMsg{tok: tok, err: err}
	})
}

func (p *Page) saved(msg savedMsg) tea.Cmd {
	held := p.quitAsked
	p.quitAsked = false
	var cmd tea.Cmd
	switch actions.Classify(msg.err) {
	case actions.Done:
		p.state = idle
		tok := apiclient.APIToken{}
		if msg.tok != nil {
			tok = *msg.tok
		}
		tok.Token = ""
		if held {
			// The program is ending: say nothing more, let it end.
			p.state = idle
			return func() tea.Msg { return actions.QuitReadyMsg{Shutdown: p.shutdown} }
		}
		return func() tea.Msg { return SavedMsg{Token: tok} }
	case actions.NotFound:
		p.state, p.err = gone, msg.err
	case actions.Unknown:
		p.state, p.err = unknown, msg.err
	default:
		p.state, p.err = failed, msg.err
		cmd = p.routeFieldErrors(msg.err)
	}
	if held {
		return tea.Batch(cmd, func() tea.Msg { return actions.QuitReadyMsg{Shutdown: p.shutdown} })
	}
	return cmd
}

// routeFieldErrors puts a 400's (or the client's own) messages on the
// fields they name and goes to the first step that has one.
func (p *Page) routeFieldErrors(err error) tea.Cmd {
	fields := map[string]string{}
	if apiErr, ok := errors.AsType[*apiclient.Error](err); ok && apiErr.StatusCode == 400 {
		for f, msgs := range apiErr.FieldErrors() {
			if len(msgs) > 0 {
				fields[f] = textsafe.Line(msgs[0], 200)
			}
		}
	} else if inv, ok := errors.AsType[*apiclient.InvalidRequestError](err); ok {
		for f, m := range inv.Fields {
			fields[f] = textsafe.Line(m, 200)
		}
	}
	if len(fields) == 0 {
		return nil
	}
	target, focus := steps.ID(-1), ""
	for f := range fields {
		switch {
		case f == steps.FieldName || f == steps.FieldDescription:
			if target != steps.General || f == steps.FieldName {
				focus = f
			}
			target = steps.General
		case (f == "modules" || strings.HasPrefix(f, "modules[")) && target != steps.General:
			target = steps.Modules
		}
	}
	msg := steps.FieldErrorsMsg{Errors: fields}
	cmds := []tea.Cmd{p.steps[steps.General].Update(msg), p.steps[steps.Modules].Update(msg)}
	if target >= 0 {
		p.active = target
		cmds = append(cmds, p.steps[target].Enter(focus))
	}
	return tea.Batch(cmds...)
}

// Update implements common.Page.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		return p.loaded(msg)
	case savedMsg:
		return p.saved(msg)
	case spinner.TickMsg:
		if msg.ID != p.spin.ID() || (!p.loading && p.state != saving) {
			break
		}
		var cmd tea.Cmd
		p.spin, cmd = p.spin.Update(msg)
		return cmd
	case common.ThemeChangedMsg:
		p.spin.Style = p.c.Theme.Status.Spinner
	case tea.KeyPressMsg:
		if p.steps == nil {
			switch msg.String() {
			case "esc":
				if !p.loading {
					p.c.Nav.Pop()
				}
			case "r", "ctrl+r":
				if !p.loading {
					return tea.Batch(p.load(), p.spin.Tick)
				}
			}
			return nil
		}
		if p.state == saving {
			return nil // the fields stay as sent until the answer
		}
		if msg.String() == "esc" && p.active == steps.General {
			p.c.Nav.Pop()
			return nil
		}
	}
	if p.steps == nil {
		return nil
	}
	var cmds []tea.Cmd
	if _, ok := msg.(common.ThemeChangedMsg); ok {
		for _, s := range p.steps {
			cmds = append(cmds, s.Update(msg))
		}
		return tea.Batch(cmds...)
	}
	return p.steps[p.active].Update(msg)
}

// Next implements steps.Actions: General goes on to Modules, Modules
// saves.
func (p *Page) Next() tea.Cmd {
	if p.active == steps.General {
		p.active = steps.Modules
		return p.steps[steps.Modules].Enter("")
	}
	return p.save()
}

// Back implements steps.Actions.
func (p *Page) Back() tea.Cmd {
	if p.active == steps.Modules && p.state != saving {
		p.active = steps.General
		return p.steps[steps.General].Enter("")
	}
	return nil
}

// Edit implements steps.Actions; the edit flow has no Overview.
func (p *Page) Edit(id steps.ID) tea.Cmd { return p.Goto(id, "") }

// Goto implements steps.Actions.
func (p *Page) Goto(id steps.ID, field string) tea.Cmd {
	if id != steps.General && id != steps.Modules {
		return nil
	}
	p.active = id
	return p.steps[id].Enter(field)
}

// RetryModules implements steps.Actions: the token is read again too.
func (p *Page) RetryModules() tea.Cmd {
	p.steps = nil
	return tea.Batch(p.load(), p.spin.Tick)
}

// The wizard's other actions have no place in Edit.

// Submit implements steps.Actions.
func (p *Page) Submit() tea.Cmd { return nil }

// Recheck implements steps.Actions.
func (p *Page) Recheck() tea.Cmd { return nil }

// Replace implements steps.Actions.
func (p *Page) Replace(string) tea.Cmd { return nil }

// Copy implements steps.Actions.
func (p *Page) Copy() tea.Cmd { return nil }

// Close implements steps.Actions.
func (p *Page) Close() tea.Cmd { return nil }

// Details implements steps.Actions.
func (p *Page) Details() tea.Cmd { return nil }

// Verify implements steps.Actions.
func (p *Page) Verify() tea.Cmd { return nil }

// SetSize implements common.Page. Two lines go to the page's title.
func (p *Page) SetSize(w, h int) {
	p.width, p.height = w, h
	for _, s := range p.steps {
		s.SetSize(w, max(h-2, 3))
	}
}

// Capturing implements common.Page.
func (p *Page) Capturing() bool {
	return p.steps != nil && p.steps[p.active].Capturing()
}

// RequestQuit implements common.Page: while the PUT is out the program
// waits for its answer, so what is reported is what happened.
func (p *Page) RequestQuit(shutdown bool) bool {
	if shutdown {
		p.shutdown = true
	}
	if p.state == saving {
		p.quitAsked = true
		return false
	}
	return true
}

// Header implements common.Page: the edit's trail.
func (p *Page) Header() string {
	t := p.c.Theme.Header
	return steps.Trail(p.c.Theme, []string{t.StepDone.Render("API tokens"), t.StepActive.Render("Edit")}, steps.Modules, p.active)
}

// Status implements common.Page.
func (p *Page) Status() string {
	t := p.c.Theme.Status
	name := p.label()
	switch {
	case p.quitAsked && p.state == saving:
		return t.Warning.Render("Waiting for the answer to the save: apitoken quits after it.")
	case p.state == saving:
		return p.spin.View() + " Saving " + name + "…"
	case p.state == unknown:
		return t.Error.Render("No answer to the save: it may or may not have happened. Not resent; esc, then r shows its state.")
	case p.state == gone:
		return t.Error.Render(name + " was not found: it was deleted meanwhile. Nothing was saved; esc goes back.")
	case p.state == failed:
		return t.Error.Render("Could not save " + name + ": " + common.ErrorText(p.err) + " Nothing changed.")
	case p.steps != nil && p.active == steps.Modules:
		return t.Warning.Render("enter saves the token with these modules.")
	}
	return ""
}

func (p *Page) label() string {
	name := textsafe.Line(p.tok.Name, 60)
	id := textsafe.Line(p.tok.ID, 40)
	if name == "" {
		return id
	}
	return "“" + name + "” (" + id + ")"
}

var (
	backKey  = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	retryKey = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry"))
)

// ShortHelp implements help.KeyMap.
func (p *Page) ShortHelp() []key.Binding {
	if p.steps == nil {
		if p.loading {
			return nil
		}
		return []key.Binding{retryKey, backKey}
	}
	bs := p.steps[p.active].ShortHelp()
	if p.active == steps.General {
		bs = append(bs, backKey)
	}
	return bs
}

// FullHelp implements help.KeyMap.
func (p *Page) FullHelp() [][]key.Binding {
	if p.steps == nil {
		return [][]key.Binding{p.ShortHelp()}
	}
	return append(p.steps[p.active].FullHelp(), []key.Binding{backKey})
}

// View implements common.Page.
func (p *Page) View() string {
	t := p.c.Theme
	w := max(p.width, 20)
	title := t.Form.Title.Render(ansi.Truncate("Edit "+p.label(), w, textsafe.Ellipsis))
	switch {
	case p.loading && p.steps == nil:
		return title + "\n\n" + p.spin.View() + " Reading the token and the account's modules…"
	case p.loadErr != nil:
		text := "Could not read the token: " + common.ErrorText(p.loadErr)
		if apiclient.IsNotFound(p.loadErr) {
			text = "The token was not found: it was deleted meanwhile."
		}
		return title + "\n\n" + t.Status.Error.Render(textsafe.Wrap(text, w))
	}
	return title + "\n\n" + p.steps[p.active].View()
}
