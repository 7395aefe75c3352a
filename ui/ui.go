// Package ui is apitoken's terminal app: a root Bubble Tea model that owns
// a stack of pages (today the "Add API token" wizard), handles the global
// keys, and draws the header, the status line and the help bar around the
// page on top. The same model runs in a local terminal and in each SSH
// session.
package ui

import (
	"log/slog"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/steps"
	"github.com/softwareone/apitoken/theme"
	"github.com/softwareone/apitoken/ui/common"
	"github.com/softwareone/apitoken/ui/pages/accounts"
	"github.com/softwareone/apitoken/ui/pages/wizard"
)

// API is what the app needs from the Marketplace API; *apiclient.Client
// provides it.
type API = common.API

// Options configure the app.
type Options struct {
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
	wizard *wizard.Page

	// The header and help bar change rarely; they are drawn again only
	// when what they show changed.
	header, helpDrawn drawn
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
}

// New builds the app, with the wizard as its first page.
func New(opts Options) *Model {
	opts.setDefaults()
	dark := true
	if opts.DarkBackground != nil {
		dark = *opts.DarkBackground
	}
	m := &Model{opts: opts}
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
		m.wizard = m.newWizard(opts.AccountID)
		m.pages = []common.Page{m.wizard}
	}
	m.resize(80, 24)
	return m
}

func (m *Model) newWizard(accountID string) *wizard.Page {
	return wizard.New(m.c, wizard.Options{
		AccountID:       accountID,
		AllowLogo:       m.opts.AllowLogo,
		NativeClipboard: m.opts.NativeClipboard,
		OnCreated:       m.opts.OnCreated,
	})
}

// pickAccount starts the wizard on the account the user picked.
func (m *Model) pickAccount(acc apiclient.Account) tea.Cmd {
	m.wizard = m.newWizard(acc.ID)
	return m.Push(m.wizard)
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
func (m *Model) AccountID() string {
	if d := m.Data(); d != nil {
		return d.AccountID
	}
	return ""
}

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
		m.pages = m.pages[:len(m.pages)-1]
	}
}

// Init implements tea.Model.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.top().Init()}
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
	case ShutdownMsg:
		m.c.Shutdown = msg.Reason
		if m.c.Shutdown == "" {
			m.c.Shutdown = "apitoken was asked to stop"
		}
		return m, m.requestQuit(true)
	}
	help := m.c.ShowHelp
	cmd := m.top().Update(msg)
	if m.c.ShowHelp != help { // a page toggled the full help
		m.resize(m.c.Width, m.c.Height)
	}
	return m, cmd
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
