// Package ui is the "Add API token" wizard: a root Bubble Tea model that
// owns the steps, routes messages to the active one, handles the global
// keys, draws the header and help bar, and does every API call in commands.
// The same model runs in a local terminal and in each SSH session.
package ui

import (
	"context"
	"errors"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/steps"
	"github.com/softwareone/apitoken/theme"
)

// API is what the wizard needs from the Marketplace API; *apiclient.Client
// provides it.
type API interface {
	GetAccount(ctx context.Context, id string, selectFields ...string) (*apiclient.Account, error)
	ListEnabledModules(ctx context.Context, accountID string) ([]apiclient.Module, error)
	CreateAPIToken(ctx context.Context, req *apiclient.CreateAPITokenRequest) (*apiclient.APIToken, error)
	FindRecentAPITokens(ctx context.Context, accountID, name string, since time.Time) ([]apiclient.APIToken, error)
	DisableAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error)
	// SettleWait is how long to let a create whose outcome is unknown
	// finish before looking for its token.
	SettleWait(err error) time.Duration
}

// Options configure a wizard.
type Options struct {
	API       API
	AccountID string
	// Sandbox marks the header with a SANDBOX badge.
	Sandbox bool
	// AllowLogo offers the logo field. Off over SSH, where a path would
	// name a file on the server.
	AllowLogo bool
	// Clock is the time source (tests pin it). Default time.Now.
	Clock func() time.Time
	// DarkBackground pins the theme; nil asks the terminal.
	DarkBackground *bool
	// NativeClipboard writes to the system clipboard besides OSC 52; nil
	// where there is none (over SSH it would be the server's clipboard).
	NativeClipboard func(string) error
	// OnCreated is called as soon as a token is created, from the command
	// that created it, even if the program has already ended (an SSH
	// client that disconnected): the console records the token id there.
	OnCreated func(*apiclient.APIToken)
	// CheckWindow is how far back to look for a token whose create had an
	// unknown outcome. Default 5 minutes.
	CheckWindow time.Duration
}

// ShutdownMsg asks the wizard to end as soon as that loses nothing: at
// once before Add, after the outcome is shown once a create was sent.
// Reason says why, for the banner that asks the user to copy the token and
// close, e.g. "The console is shutting down".
type ShutdownMsg struct{ Reason string }

// Model is the wizard's root model.
type Model struct {
	opts  Options
	data  *steps.Data
	theme *theme.Theme
	keys  keyMap
	help  help.Model

	general  *steps.GeneralStep
	modules  *steps.ModulesStep
	overview *steps.OverviewStep
	summary  *steps.SummaryStep
	active   steps.ID

	width, height int

	accountErr error
	// busy is set while a create, check or disable is in flight: the
	// wizard does not end then, so a created token is always shown.
	busy bool
	// unverified is a create whose outcome was unknown and has not been
	// checked since: a new Add checks before it sends.
	unverified *attempt
	// quitAsked is set when the user asked to quit while busy.
	quitAsked bool
	// confirmQuit is set while asking "quit without copying?".
	confirmQuit bool
	// shutdown is why the wizard was asked to end; "" while it was not.
	shutdown string
	quitting bool

	// The header and help bar change rarely; they are drawn again only
	// when what they show changed.
	header, helpDrawn drawn
}

// drawn is a part of the screen and what it was drawn from.
type drawn struct {
	key, s string
}

// attempt is a create that was sent.
type attempt struct {
	name string
	at   time.Time
	// settle is how long to wait before the first look for its token: a
	// request that timed out may still be committed meanwhile.
	settle time.Duration
}

func (o *Options) setDefaults() {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.CheckWindow == 0 {
		o.CheckWindow = 5 * time.Minute
	}
}

// New builds a wizard.
func New(opts Options) *Model {
	opts.setDefaults()
	dark := true
	if opts.DarkBackground != nil {
		dark = *opts.DarkBackground
	}
	th := theme.New(dark)
	data := steps.NewData(opts.AccountID, opts.AllowLogo)
	m := &Model{opts: opts, data: data, theme: th, keys: newKeyMap()}
	m.help = help.New()
	m.help.Styles = th.Help
	m.general = steps.NewGeneral(data, th)
	m.modules = steps.NewModules(data, th)
	m.overview = steps.NewOverview(data, th)
	m.summary = steps.NewSummary(data, th)
	m.resize(80, 24)
	return m
}

// Data is the wizard's data (tests read it).
func (m *Model) Data() *steps.Data { return m.data }

// Active is the step on screen.
func (m *Model) Active() steps.ID { return m.active }

func (m *Model) step(id steps.ID) steps.Step {
	switch id {
	case steps.Modules:
		return m.modules
	case steps.Overview:
		return m.overview
	case steps.Summary:
		return m.summary
	}
	return m.general
}

func (m *Model) allSteps() []steps.Step {
	return []steps.Step{m.general, m.modules, m.overview, m.summary}
}

// Init implements tea.Model.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.loadAccount(), m.loadModules(), m.general.Enter(), m.modules.Enter()}
	if m.opts.DarkBackground == nil {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	return tea.Batch(cmds...)
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return m, nil
	case tea.BackgroundColorMsg:
		m.setTheme(msg.IsDark())
		return m, nil
	case tea.KeyPressMsg:
		if cmd, handled := m.handleGlobalKey(msg); handled {
			return m, cmd
		}
	case ShutdownMsg:
		m.shutdown = msg.Reason
		if m.shutdown == "" {
			m.shutdown = "apitoken was asked to stop"
		}
		return m, m.requestQuit(true)

	// What the steps ask for.
	case steps.NextMsg:
		return m, m.goTo(m.active+1, "")
	case steps.BackMsg:
		if m.active > steps.General && m.active < steps.Summary {
			return m, m.goTo(m.active-1, "")
		}
		return m, nil
	case steps.GotoMsg:
		return m, m.goTo(msg.Step, msg.Field)
	case steps.SubmitMsg:
		return m, m.submit()
	case steps.RecheckMsg:
		return m, m.check(false)
	case steps.ReplaceMsg:
		return m, m.replace(msg.TokenID)
	case steps.RetryModulesMsg:
		return m, m.loadModules()
	case steps.CopyMsg:
		return m, m.copyToken()
	case steps.CloseMsg:
		return m, m.requestQuit(false)

	// Answers from the API.
	case accountMsg:
		m.accountErr = msg.err
		if msg.err == nil {
			m.data.Account = msg.account
		}
		return m, nil
	case modulesMsg:
		if msg.err == nil {
			m.data.Catalog = steps.ModulesFrom(msg.modules)
			m.pruneSelection()
		}
		return m, m.forward(steps.Modules, steps.ModulesLoadedMsg{Err: msg.err})
	case createdMsg:
		return m, m.created(msg)
	case checkedMsg:
		return m, m.checked(msg)
	case copiedMsg:
		return m, m.forward(steps.Summary, steps.CopiedMsg(msg))
	case steps.CreateStateMsg:
		return m, m.forward(steps.Overview, msg)
	}
	return m, m.forward(m.active, msg)
}

// forward hands a message to one step.
func (m *Model) forward(id steps.ID, msg tea.Msg) tea.Cmd {
	step, cmd := m.step(id).Update(msg)
	switch s := step.(type) {
	case *steps.GeneralStep:
		m.general = s
	case *steps.ModulesStep:
		m.modules = s
	case *steps.OverviewStep:
		m.overview = s
	case *steps.SummaryStep:
		m.summary = s
	}
	return cmd
}

func (m *Model) handleGlobalKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if m.confirmQuit {
		m.confirmQuit = false
		if key.Matches(msg, m.keys.Confirm) || key.Matches(msg, m.keys.Quit) {
			return m.quit(), true
		}
		return nil, true // any other key: stay
	}
	capturing := m.step(m.active).Capturing()
	switch {
	case key.Matches(msg, m.keys.Interrupt):
		return m.requestQuit(false), true
	case !capturing && key.Matches(msg, m.keys.Quit):
		return m.requestQuit(false), true
	case !capturing && key.Matches(msg, m.keys.Help):
		m.help.ShowAll = !m.help.ShowAll
		m.resize(m.width, m.height)
		return nil, true
	}
	return nil, false
}

// requestQuit ends the wizard unless that would lose a token: while a
// request is out it waits for the outcome, and on the Summary it asks once
// if the token was not copied.
func (m *Model) requestQuit(shutdown bool) tea.Cmd {
	switch {
	case m.busy:
		m.quitAsked = true
		return nil
	case m.data.Created != nil && !m.data.Copied:
		if shutdown {
			return nil // the banner asks the user to copy and close
		}
		m.confirmQuit = true
		return nil
	}
	return m.quit()
}

func (m *Model) quit() tea.Cmd {
	m.quitting = true
	return tea.Quit
}

// goTo makes a step the active one.
func (m *Model) goTo(id steps.ID, field string) tea.Cmd {
	if id < steps.General || id > steps.Summary || m.busy {
		return nil
	}
	m.active = id
	cmd := m.step(id).Enter()
	if id == steps.General && field != "" {
		cmd = tea.Batch(cmd, m.general.Focus(field))
	}
	return cmd
}

// pruneSelection drops selected modules that are no longer offered.
func (m *Model) pruneSelection() {
	offered := make(map[string]bool, len(m.data.Catalog))
	for _, mod := range m.data.Catalog {
		offered[mod.ID] = true
	}
	for id := range m.data.Selected {
		if !offered[id] {
			delete(m.data.Selected, id)
		}
	}
}

func (m *Model) setTheme(dark bool) {
	*m.theme = *theme.New(dark)
	m.help.Styles = m.theme.Help
	for _, s := range m.allSteps() {
		if t, ok := s.(interface{ ApplyTheme() }); ok {
			t.ApplyTheme()
		}
	}
}

// fieldErrors returns the first message per field when err is the
// server's (or the client's own) verdict on named fields.
func fieldErrors(err error) map[string]string {
	var apiErr *apiclient.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == 400 {
		out := map[string]string{}
		for field, msgs := range apiErr.FieldErrors() {
			if len(msgs) > 0 {
				out[field] = msgs[0]
			}
		}
		return out
	}
	var invalid *apiclient.InvalidRequestError
	if errors.As(err, &invalid) {
		return invalid.Fields
	}
	return nil
}
