// Package ui is apitoken's terminal app: a root Bubble Tea model that owns
// a stack of pages (today the "Add API token" wizard), handles the global
// keys, and draws the header, the status line and the help bar around the
// page on top. The same model runs in a local terminal and in each SSH
// session.
package ui

import (
	"context"
	"log/slog"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/steps"
	"github.com/softwareone/apitoken/theme"
	"github.com/softwareone/apitoken/ui/actions"
	"github.com/softwareone/apitoken/ui/common"
	"github.com/softwareone/apitoken/ui/pages/accounts"
	"github.com/softwareone/apitoken/ui/pages/details"
	"github.com/softwareone/apitoken/ui/pages/edit"
	"github.com/softwareone/apitoken/ui/pages/rotate"
	"github.com/softwareone/apitoken/ui/pages/tokens"
	"github.com/softwareone/apitoken/ui/pages/wizard"
)

// API is what the app needs from the Marketplace API; *apiclient.Client
// provides it.
type API = common.API

// Start is the page the app opens on.
type Start int

const (
	// StartWizard opens the "Add API token" wizard, with the API tokens
	// page under it so that Close lands there (plain `apitoken`).
	StartWizard Start = iota
	// StartTokens opens the API tokens page (`apitoken tokens`, the
	// console's default).
	StartTokens
)

// Options configure the app.
type Options struct {
	// Start is the first page; StartWizard by default.
	Start     Start
	API       API
	AccountID string
	// Accounts, when it holds more than one and AccountID is empty, lets
	// the user pick the account first (a credential that sees several).
	Accounts []apiclient.Account
	// Sandbox marks the header with a SANDBOX badge.
	Sandbox bool
	// AllowLogo offers the logo field. Off over SSH, where a path would
	// name a file on the server.
	AllowLogo bool
	// SSH is set when the app runs in an SSH session.
	SSH bool
	// Clock is the time source (tests pin it). Default time.Now.
	Clock func() time.Time
	// Logger receives what the app logs; never a token value. Default
	// discards.
	Logger *slog.Logger
	// DarkBackground pins the theme; nil asks the terminal.
	DarkBackground *bool
	// NativeClipboard writes to the system clipboard besides OSC 52; nil
	// where there is none (over SSH it would be the server's clipboard).
	NativeClipboard func(string) error
	// OnCreated is called as soon as a token is created, from the command
	// that created it, even if the program has already ended (an SSH
	// client that disconnected): the console records the token id there.
	OnCreated func(*apiclient.APIToken)
	// BaseURL is the API's base URL, shown (and copied) on the details
	// page.
	BaseURL string
	// Tick makes the pages' timers (debounce, spinners, Verify's wait);
	// nil is tea.Tick. Tests drive time through it.
	Tick func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd
	// Propagation is how long a new token may take to work everywhere;
	// Verify waits it out. Zero is a minute.
	Propagation time.Duration
}

// ShutdownMsg asks the app to end as soon as that loses nothing: at once
// before Add, after the outcome is shown once a create was sent. Reason
// says why, for the banner that asks the user to copy the token and close,
// e.g. "The console is shutting down".
type ShutdownMsg struct{ Reason string }

// Model is the app's root model.
type Model struct {
	c      *common.Common
	opts   Options
	help   help.Model
	pages  []common.Page
	wizard *wizard.Page // the latest wizard, for Data and Active
	list   *tokens.Page // the API tokens page, at the bottom of the stack
	// account is the account the app works on, "" until one is picked;
	// acct what is known of it (nil until read), for the header when no
	// wizard has read it.
	account string
	acct    *apiclient.Account
	// values are the token values a details page was opened with (only
	// after a create here), so a page rebuilt after an edit keeps it.
	values map[*detailsPage]apiclient.Secret

	// The header and help bar change rarely; they are drawn again only
	// when what they show changed.
	header, helpDrawn drawn
	widths            lineWidths
}

// drawn is a part of the screen and what it was drawn from.
type drawn struct {
	key, s string
}

func (o *Options) setDefaults() {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Tick == nil {
		o.Tick = tea.Tick
	}
}

// New builds the app, with the wizard as its first page.
func New(opts Options) *Model {
	opts.setDefaults()
	dark := true
	if opts.DarkBackground != nil {
		dark = *opts.DarkBackground
	}
	m := &Model{opts: opts, values: map[*detailsPage]apiclient.Secret{}, widths: lineWidths{}}
	m.c = &common.Common{
		Theme:  theme.New(dark),
		Keys:   common.NewKeyMap(),
		API:    opts.API,
		Clock:  opts.Clock,
		Logger: opts.Logger,
		SSH:    opts.SSH,
		Nav:    m,
	}
	m.help = help.New()
	m.help.Styles = m.c.Theme.Help
	if opts.AccountID == "" && len(opts.Accounts) > 1 {
		m.pages = []common.Page{accounts.New(m.c, opts.Accounts, m.pickAccount)}
	} else {
		if opts.AccountID == "" && len(opts.Accounts) == 1 {
			opts.AccountID = opts.Accounts[0].ID
		}
		m.start(opts.AccountID)
	}
	m.resize(80, 24)
	return m
}

// start builds the stack for the account: the API tokens page at the
// bottom, the wizard over it unless the app starts on the list. The list
// under the wizard loads only once it is shown.
func (m *Model) start(accountID string) {
	m.account = accountID
	m.list = tokens.New(m.c, m.c.API, tokens.WithAccount(accountID), tokens.WithTicker(tokens.Ticker(m.opts.Tick)))
	m.pages = []common.Page{m.list}
	if m.opts.Start == StartWizard {
		m.wizard = m.newWizard()
		m.pages = append(m.pages, m.wizard)
	}
}

func (m *Model) newWizard() *wizard.Page {
	return wizard.New(m.c, wizard.Options{
		AccountID:       m.account,
		AllowLogo:       m.opts.AllowLogo,
		NativeClipboard: m.opts.NativeClipboard,
		OnCreated:       m.opts.OnCreated,
		Tick:            m.opts.Tick,
		Propagation:     m.opts.Propagation,
	})
}

// pickAccount opens the first page on the account the user picked, in
// place of the picker.
func (m *Model) pickAccount(acc apiclient.Account) tea.Cmd {
	m.start(acc.ID)
	if acc.Name != "" {
		m.acct = &acc
	}
	m.resize(m.c.Width, m.c.Height)
	return tea.Batch(m.top().Init(), m.loadAccount())
}

// accountMsg is the account, read for the header.
type accountMsg struct{ acc *apiclient.Account }

// loadAccount reads the account for the header when no wizard will: the
// app starts on the list.
func (m *Model) loadAccount() tea.Cmd {
	if m.acct != nil || m.account == "" || m.wizard != nil {
		return nil
	}
	api, id := m.c.API, m.account
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		acc, err := api.GetAccount(ctx, id)
		if err != nil {
			return accountMsg{} // the header shows the id alone
		}
		return accountMsg{acc: acc}
	}
}

// accountInfo is what is known of the account: read by the root, or by
// the latest wizard.
func (m *Model) accountInfo() *apiclient.Account {
	if m.acct != nil {
		return m.acct
	}
	if d := m.Data(); d != nil {
		return d.Account
	}
	return nil
}

func (m *Model) newDetails(tok apiclient.APIToken, value apiclient.Secret) *detailsPage {
	opts := []details.Option{details.WithTicker(details.Ticker(m.opts.Tick)), details.WithBaseURL(m.opts.BaseURL)}
	if m.opts.Propagation > 0 {
		opts = append(opts, details.WithPropagation(m.opts.Propagation))
	}
	if !value.IsZero() {
		opts = append(opts, details.WithValue(value))
	}
	p := &detailsPage{Page: details.New(m.c, m.c.API, tok, opts...)}
	if !value.IsZero() {
		m.values[p] = value
	}
	return p
}

// Data is the wizard's data (tests read it); nil before an account was
// picked.
func (m *Model) Data() *steps.Data {
	if m.wizard == nil {
		return nil
	}
	return m.wizard.Data()
}

// Active is the wizard's step on screen.
func (m *Model) Active() steps.ID {
	if m.wizard == nil {
		return steps.General
	}
	return m.wizard.Active()
}

// AccountID is the account the app works on, "" until one is picked.
func (m *Model) AccountID() string { return m.account }

// Top is the page on screen (tests look at its type).
func (m *Model) Top() common.Page { return m.top() }

func (m *Model) top() common.Page { return m.pages[len(m.pages)-1] }

// Push implements common.Navigator.
func (m *Model) Push(p common.Page) tea.Cmd {
	m.pages = append(m.pages, p)
	m.resize(m.c.Width, m.c.Height)
	return p.Init()
}

// Pop implements common.Navigator. The last page stays.
func (m *Model) Pop() {
	if len(m.pages) > 1 {
		if d, ok := m.top().(*detailsPage); ok {
			delete(m.values, d)
		}
		m.pages = m.pages[:len(m.pages)-1]
	}
}

// popTo takes pages off until p is on top; false if p is not in the stack.
func (m *Model) popTo(p common.Page) bool {
	for i := len(m.pages) - 1; i >= 0; i-- {
		if m.pages[i] == p {
			for len(m.pages) > i+1 {
				m.Pop()
			}
			return true
		}
	}
	return false
}

// Init implements tea.Model.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.top().Init(), m.loadAccount()}
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
		if msg.IsDark() == m.c.Theme.IsDark {
			return m, nil // the theme the first frame was drawn with is right
		}
		return m, m.setTheme(msg.IsDark())
	case tea.KeyPressMsg:
		if cmd, handled := m.handleGlobalKey(msg); handled {
			return m, cmd
		}
		if m.tooSmall() {
			// The pages are not drawn: a key would change what cannot be
			// seen (type into a field, answer a question).
			return m, nil
		}
	case tea.PasteMsg:
		if m.tooSmall() {
			return m, nil
		}
	case ShutdownMsg:
		m.c.Shutdown = msg.Reason
		if m.c.Shutdown == "" {
			m.c.Shutdown = "apitoken was asked to stop"
		}
		return m, m.requestQuit(true)
	case accountMsg:
		if msg.acc != nil {
			m.acct = msg.acc
		}
		return m, nil
	case actions.QuitReadyMsg:
		// An action (or a save) that held a quit has its answer.
		return m, m.requestQuit(msg.Shutdown)
	case actions.ResultMsg:
		// A change made on a page over the list (the details page's
		// Enable, Disable or Delete) is the list's newest outcome too: it
		// says so when it is shown again. The page on top handles it as
		// well, below.
		if m.list != nil && m.top() != m.list && msg.Outcome == actions.Done {
			listCmd := m.list.Update(msg)
			return m, tea.Batch(listCmd, m.top().Update(msg))
		}
	}
	if cmd, handled := m.navigate(msg); handled {
		return m, cmd
	}
	help := m.c.ShowHelp
	cmd := m.top().Update(msg)
	if m.c.ShowHelp != help { // a page toggled the full help
		m.resize(m.c.Width, m.c.Height)
	}
	return m, cmd
}

// navigate acts on the pages' requests to open another page.
func (m *Model) navigate(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case wizard.ClosedMsg:
		// The portal's Close: back to the API tokens page, the new token
		// selected. During a shutdown, Close ends the app.
		if m.c.Shutdown != "" {
			return m.requestQuit(true), true
		}
		if m.list == nil || !m.popTo(m.list) {
			return m.requestQuit(false), true
		}
		if d := m.Data(); d != nil && d.Created != nil && d.Created.ID == msg.ID {
			m.list.Created(apiclient.APIToken{ID: d.Created.ID, Name: d.Created.Name})
		}
		m.list.SelectID(msg.ID)
		return m.list.Refresh(), true
	case wizard.CancelMsg:
		if m.list != nil && len(m.pages) > 1 && m.top() == m.wizard {
			m.Pop()
			return m.list.Refresh(), true
		}
		return nil, true
	case wizard.DetailsMsg:
		return m.Push(m.newDetails(msg.Token, msg.Value)), true
	case tokens.AddMsg:
		if m.c.Shutdown != "" {
			return nil, true
		}
		m.wizard = m.newWizard()
		return m.Push(m.wizard), true
	case tokens.ViewMsg:
		return m.Push(m.newDetails(msg.Token, "")), true
	case tokens.EditMsg:
		return m.openEdit(msg.Token), true
	case details.EditMsg:
		return m.openEdit(msg.Token), true
	case edit.SavedMsg:
		return m.saved(msg.Token), true
	case details.RotateMsg:
		if m.c.Shutdown != "" {
			return nil, true
		}
		return m.Push(rotate.New(m.c, m.c.API, msg.Token)), true
	case rotate.DoneMsg:
		// The old token's details are stale either way: back to the list,
		// the new token selected when there is one.
		old := m.rotated(msg.Old)
		if m.list == nil || !m.popTo(m.list) {
			m.Pop()
			return nil, true
		}
		m.list.Rotated(old, msg.New)
		id := msg.New
		if id == "" {
			id = msg.Old
		}
		m.list.SelectID(id)
		return m.list.Refresh(), true
	}
	return nil, false
}

// detailsPage is a details page as the root keeps it: the token value it
// was opened with is held by the root under this pointer (Model.values).
type detailsPage struct{ *details.Page }

func (m *Model) openEdit(tok apiclient.APIToken) tea.Cmd {
	if m.c.Shutdown != "" {
		return nil
	}
	return m.Push(edit.New(m.c, m.c.API, m.account, tok))
}

// rotated is the token a rotation was of, as the details page it was
// opened from last read it (just its id if there is none).
func (m *Model) rotated(id string) apiclient.APIToken {
	for i := len(m.pages) - 1; i >= 0; i-- {
		if d, ok := m.pages[i].(*detailsPage); ok && d.Token().ID == id {
			return d.Token()
		}
	}
	return apiclient.APIToken{ID: id}
}

// saved takes the edit page off and shows the token's new state: a
// details page under it is rebuilt from the token as saved, the list
// redraws its row and says it is saved.
func (m *Model) saved(tok apiclient.APIToken) tea.Cmd {
	if _, ok := m.top().(*edit.Page); ok {
		m.Pop()
	}
	var cmds []tea.Cmd
	if m.list != nil {
		m.list.Saved(tok)
	}
	if d, ok := m.top().(*detailsPage); ok && d.Token().ID == tok.ID {
		value := m.values[d]
		m.Pop()
		nd := m.newDetails(tok, value)
		cmds = append(cmds, m.Push(nd))
	}
	return tea.Batch(cmds...)
}

func (m *Model) handleGlobalKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.c.Keys
	capturing := m.top().Capturing()
	switch {
	case key.Matches(msg, k.Interrupt):
		return m.requestQuit(false), true
	case !capturing && key.Matches(msg, k.Quit):
		return m.requestQuit(false), true
	case key.Matches(msg, k.HelpF1), !capturing && key.Matches(msg, k.Help):
		m.c.ShowHelp = !m.c.ShowHelp
		m.resize(m.c.Width, m.c.Height)
		return nil, true
	}
	return nil, false
}

// requestQuit ends the app if every page agrees.
func (m *Model) requestQuit(shutdown bool) tea.Cmd {
	for i := len(m.pages) - 1; i >= 0; i-- {
		if !m.pages[i].RequestQuit(shutdown) {
			return nil
		}
	}
	return m.c.Quit()
}

// setTheme replaces the theme in place: every page holds the same
// *theme.Theme, and is told so it can restyle its bubbles.
func (m *Model) setTheme(dark bool) tea.Cmd {
	*m.c.Theme = *theme.New(dark)
	m.help.Styles = m.c.Theme.Help
	cmds := make([]tea.Cmd, 0, len(m.pages))
	for _, p := range m.pages {
		cmds = append(cmds, p.Update(common.ThemeChangedMsg{}))
	}
	return tea.Batch(cmds...)
}
