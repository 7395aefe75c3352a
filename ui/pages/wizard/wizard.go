// Package wizard is the "Add API token" page: its children are the four
// steps (General, Modules, Overview, Summary), it owns where the create
// stands, and it does every API call of the flow in commands.
package wizard

import (
	"errors"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/steps"
	"github.com/softwareone/apitoken/ui/common"
)

// Options configure the wizard page.
type Options struct {
	AccountID string
	// AllowLogo offers the logo field. Off over SSH, where a path would
	// name a file on the server.
	AllowLogo bool
	// NativeClipboard writes to the system clipboard besides OSC 52; nil
	// where there is none (over SSH it would be the server's clipboard).
	NativeClipboard func(string) error
	// OnCreated is called as soon as a token is created, from the command
	// that created it, even if the program has already ended.
	OnCreated func(*apiclient.APIToken)
	// Tick makes Verify's timer: tea.Tick by default, a fake in tests.
	Tick func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd
	// Propagation is how long a new token may take to work everywhere;
	// Verify waits it out from the create. Default a minute.
	Propagation time.Duration
}

// Messages the root handles.
type (
	// ClosedMsg is the Summary's Close: the user is done with the token
	// ID (the root shows the API tokens page with it selected).
	ClosedMsg struct{ ID string }
	// DetailsMsg asks for the created token's details page; Value is its
	// value, known only here.
	DetailsMsg struct {
		Token apiclient.APIToken
		Value apiclient.Secret
	}
	// CancelMsg is esc on the first step before anything was sent: the
	// user does not want a token after all.
	CancelMsg struct{}
)

// Page is the wizard.
type Page struct {
	c    *common.Common
	opts Options
	data *steps.Data

	steps   [steps.Summary + 1]steps.Step
	general *steps.GeneralStep // steps[General], for its picker
	active  steps.ID

	accountErr error
	// unverified is a create whose outcome was unknown and has not been
	// checked since: a new Add checks before it sends.
	unverified *apiclient.CreateAttempt
	// quitAsked is set when the user asked to quit while busy.
	quitAsked bool
	// confirmQuit is set while asking "quit without copying?";
	// confirmClose while asking "close without copying?"; confirmDiscard
	// while asking "leave, losing what was typed?".
	confirmQuit, confirmClose, confirmDiscard bool
	// review is set while a step is open from the Overview's edit keys:
	// moving on from it returns there. (A field the server refused goes
	// through the steps, each of which may show a refusal of its own.)
	review bool
	// closed is set once the user closed the Summary: the token is theirs.
	closed    bool
	verifySeq int
	// shutdown is set once the program was asked to end.
	shutdown bool
}

var _ common.Page = (*Page)(nil)

// New builds the wizard page.
func New(c *common.Common, opts Options) *Page {
	if opts.Tick == nil {
		opts.Tick = tea.Tick
	}
	if opts.Propagation <= 0 {
		opts.Propagation = time.Minute
	}
	p := &Page{c: c, opts: opts, data: steps.NewData(opts.AccountID, opts.AllowLogo)}
	p.data.Create.Spinner.Style = c.Theme.Status.Spinner
	p.general = steps.NewGeneral(c, p.data, p)
	p.steps = [...]steps.Step{
		steps.General:  p.general,
		steps.Modules:  steps.NewModules(c, p.data, p),
		steps.Overview: steps.NewOverview(c, p.data, p),
		steps.Summary:  steps.NewSummary(c, p.data, p),
	}
	return p
}

// Data is the wizard's data (tests read it).
func (p *Page) Data() *steps.Data { return p.data }

// Active is the step on screen.
func (p *Page) Active() steps.ID { return p.active }

// Init implements common.Page.
func (p *Page) Init() tea.Cmd {
	return tea.Batch(p.loadAccount(), p.loadModules(), p.steps[steps.General].Enter(""), p.steps[steps.Modules].Enter(""))
}

// SetSize implements common.Page.
func (p *Page) SetSize(w, h int) {
	for _, s := range p.steps {
		s.SetSize(w, h)
	}
}

// Capturing implements common.Page. While asking "quit anyway?" every key
// is an answer, so none may act globally.
func (p *Page) Capturing() bool {
	return p.confirmQuit || p.confirmClose || p.confirmDiscard || p.steps[p.active].Capturing()
}

// ShortHelp implements help.KeyMap.
func (p *Page) ShortHelp() []key.Binding { return p.steps[p.active].ShortHelp() }

// FullHelp implements help.KeyMap.
func (p *Page) FullHelp() [][]key.Binding {
	full := p.steps[p.active].FullHelp()
	if p.active == steps.General && !p.general.Picking() && len(full) > 0 {
		// In the last column: a column of its own would not fit at 100 cells.
		last := len(full) - 1
		full[last] = append(slices.Clip(full[last]), leaveKey)
	}
	return full
}

// leaveKey leaves the wizard from General for the API tokens page.
var leaveKey = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the list"))

func cancel() tea.Msg { return CancelMsg{} }

// View implements common.Page.
func (p *Page) View() string { return p.steps[p.active].View() }

// Update implements common.Page.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if p.confirmQuit {
			p.confirmQuit = false
			if key.Matches(msg, p.c.Keys.Confirm) || key.Matches(msg, p.c.Keys.Quit) {
				return p.c.Quit()
			}
			return nil // any other key: stay
		}
		if p.confirmClose {
			p.confirmClose = false
			if key.Matches(msg, p.c.Keys.Confirm) {
				return p.close()
			}
			return nil
		}
		if p.confirmDiscard {
			p.confirmDiscard = false
			if key.Matches(msg, p.c.Keys.Confirm) {
				return cancel
			}
			return nil
		}
		// esc on General leaves the wizard for the list, unless it closes
		// the logo picker; it asks first when that would lose what was
		// typed. Once anything was sent, there is a token to account for.
		if p.active == steps.General && key.Matches(msg, leaveKey) && !p.general.Picking() &&
			p.data.Created == nil && !p.data.Create.Busy() && p.unverified == nil {
			if p.data.Entered() {
				p.confirmDiscard = true
				return nil
			}
			return cancel
		}
	case verifyTickMsg:
		if msg.seq == p.verifySeq {
			return p.verifyStep()
		}
		return nil
	case verifiedMsg:
		if msg.seq == p.verifySeq {
			p.verified(msg)
		}
		return nil
	case common.ThemeChangedMsg:
		p.data.Create.Spinner.Style = p.c.Theme.Status.Spinner
		var cmds []tea.Cmd
		for _, s := range p.steps {
			cmds = append(cmds, s.Update(msg))
		}
		return tea.Batch(cmds...)
	case spinner.TickMsg:
		if msg.ID == p.data.Create.Spinner.ID() {
			if !p.data.Create.Busy() {
				return nil
			}
			var cmd tea.Cmd
			p.data.Create.Spinner, cmd = p.data.Create.Spinner.Update(msg)
			return cmd
		}

	// Answers from the API.
	case accountMsg:
		p.accountErr = msg.err
		if msg.err == nil {
			p.data.Account = msg.account
		}
		return nil
	case nameTakenMsg:
		if msg.name == strings.TrimSpace(p.data.Name) && p.active == steps.Overview {
			p.data.NameTaken, p.data.NameChecked = msg.tok, msg.name
			return p.steps[steps.Overview].Update(steps.NameCheckedMsg{})
		}
		return nil
	case modulesMsg:
		if msg.err == nil {
			p.data.Catalog = steps.ModulesFrom(msg.modules)
			p.pruneSelection()
		}
		return p.steps[steps.Modules].Update(steps.ModulesLoadedMsg{Err: msg.err})
	case createdMsg:
		return p.created(msg)
	case checkedMsg:
		return p.checked(msg)
	case copiedMsg:
		p.copied(msg)
		return nil
	case tea.ClipboardMsg:
		p.clipboardRead(msg)
		return nil
	}
	return p.steps[p.active].Update(msg)
}

// RequestQuit implements common.Page: the wizard ends unless that would
// lose a token. While a request is out it waits for the outcome, and on
// the Summary it asks once if the token was not copied.
func (p *Page) RequestQuit(shutdown bool) bool {
	if shutdown {
		p.shutdown = true
	}
	switch {
	case p.closed:
		return true
	case p.confirmQuit:
		return true // asked twice
	case p.data.Create.Busy():
		p.quitAsked = true
		return false
	case p.data.Created != nil && !p.data.Copied:
		if !shutdown {
			p.confirmQuit = true
		}
		return false // on shutdown the banner asks the user to copy and close
	}
	return true
}

// Next implements steps.Actions: the next step, or straight back to the
// Overview when the step was opened from it (the portal's "edit" on its
// review).
func (p *Page) Next() tea.Cmd {
	if p.review && p.active < steps.Overview {
		return p.Goto(steps.Overview, "")
	}
	return p.Goto(p.active+1, "")
}

// Back implements steps.Actions.
func (p *Page) Back() tea.Cmd {
	if p.active > steps.General && p.active < steps.Summary {
		return p.Goto(p.active-1, "")
	}
	return nil
}

// Goto implements steps.Actions.
func (p *Page) Goto(id steps.ID, field string) tea.Cmd {
	if id < steps.General || id > steps.Summary || p.data.Create.Busy() {
		return nil
	}
	if id == steps.Overview {
		// Coming back after changing something: what was said about the
		// last attempt no longer applies.
		p.data.Create.State, p.data.Create.Err, p.data.Create.Found = steps.CreateIdle, nil, nil
	}
	p.review = false
	p.active = id
	if id == steps.Overview && p.data.Created == nil {
		// Whether the name is taken is asked each time the review opens:
		// the name may have changed, and so may the account's tokens.
		p.data.NameTaken, p.data.NameChecked = nil, ""
		return tea.Batch(p.steps[id].Enter(field), p.lookupName(strings.TrimSpace(p.data.Name)))
	}
	return p.steps[id].Enter(field)
}

// Edit implements steps.Actions: the portal's edit links on its review.
func (p *Page) Edit(id steps.ID) tea.Cmd {
	if p.active != steps.Overview || id >= steps.Overview {
		return p.Goto(id, "")
	}
	cmd := p.Goto(id, "")
	p.review = p.active == id // not while a request is out
	return cmd
}

// RetryModules implements steps.Actions. A retry is for everything that
// failed to load: the account too, so its error does not outlive the fix.
func (p *Page) RetryModules() tea.Cmd {
	if p.accountErr != nil {
		return tea.Batch(p.loadAccount(), p.loadModules())
	}
	return p.loadModules()
}

// Close implements steps.Actions: the token is the user's now, unless it
// was not copied; then it asks once, as quitting does.
func (p *Page) Close() tea.Cmd {
	if p.data.Create.Busy() || p.data.Created == nil {
		return nil
	}
	if !p.data.Copied {
		p.confirmClose = true
		return nil
	}
	return p.close()
}

func (p *Page) close() tea.Cmd {
	p.closed = true
	id := p.data.Created.ID
	return func() tea.Msg { return ClosedMsg{ID: id} }
}

// Details implements steps.Actions.
func (p *Page) Details() tea.Cmd {
	tok := p.data.Created
	if tok == nil {
		return nil
	}
	msg := DetailsMsg{Token: *tok, Value: tok.Token}
	msg.Token.Token = ""
	return func() tea.Msg { return msg }
}

// setCreate moves the create to a new state: the Overview's layout
// depends on the status it draws, and the spinner runs while busy.
func (p *Page) setCreate(state steps.CreateState, err error, found *apiclient.APIToken) tea.Cmd {
	cr := &p.data.Create
	wasBusy := cr.Busy()
	cr.State, cr.Err, cr.Found = state, err, found
	p.steps[steps.Overview].Enter("")
	if cr.Busy() && !wasBusy {
		return cr.Spinner.Tick
	}
	return nil
}

// pruneSelection drops selected modules that are no longer offered.
func (p *Page) pruneSelection() {
	offered := make(map[string]bool, len(p.data.Catalog))
	for _, mod := range p.data.Catalog {
		offered[mod.ID] = true
	}
	for id := range p.data.Selected {
		if !offered[id] {
			delete(p.data.Selected, id)
		}
	}
}

// Header implements common.Page: the step trail.
func (p *Page) Header() string {
	return steps.Trail(p.c.Theme, nil, steps.Overview, p.active)
}

// Status implements common.Page: questions, warnings, notices.
func (p *Page) Status() string {
	t := p.c.Theme.Status
	switch {
	case p.confirmClose && p.data.CopySent:
		return t.Warning.Render("Copy not confirmed; the token is shown only once. Close anyway? y closes, other keys stay.")
	case p.confirmClose:
		return t.Warning.Render("Close anyway? The token was not copied and will not be shown again. y closes, any other key stays.")
	case p.confirmQuit && p.data.CopySent:
		return t.Warning.Render("Copy not confirmed; the token is shown only once. Quit anyway? y quits, other keys stay.")
	case p.confirmQuit:
		return t.Warning.Render("The token was not copied and will not be shown again. Quit anyway? y quits, any other key stays.")
	case p.confirmDiscard:
		return t.Warning.Render("Discard what you typed? y discards, any other key stays.")
	case p.quitAsked && p.data.Create.Busy():
		return t.Warning.Render("Waiting for the answer: apitoken quits after showing the outcome.")
	case p.shutdown && p.data.Created != nil:
		return t.Warning.Render(textsafe.Line(p.c.Shutdown, 80) + ": copy your token, then close.")
	case p.accountErr != nil && p.active != steps.Summary:
		return t.Error.Render("Could not load account " + p.data.AccountID + ": " + common.Describe(p.accountErr, "").What + " ctrl+r on Modules retries.")
	}
	return ""
}

// fieldErrors returns the first message per field when err is the
// server's (or the client's own) verdict on named fields.
func fieldErrors(err error) map[string]string {
	if apiErr, ok := errors.AsType[*apiclient.Error](err); ok && apiErr.StatusCode == 400 {
		out := map[string]string{}
		for field, msgs := range apiErr.FieldErrors() {
			if len(msgs) > 0 {
				out[field] = msgs[0]
			}
		}
		return out
	}
	if invalid, ok := errors.AsType[*apiclient.InvalidRequestError](err); ok {
		return invalid.Fields
	}
	return nil
}

// Recheck implements steps.Actions.
func (p *Page) Recheck() tea.Cmd { return p.check(false) }
