// Package common is what every page and component of the UI shares: the
// window size, the theme, the one key map, the API, the clock, the logger
// and whether the program runs over SSH. It is a leaf: it imports no other
// UI package, so pages, steps and components can all depend on it.
package common

import (
	"context"
	"log/slog"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/theme"
)

// API is what the UI needs from the Marketplace API; *apiclient.Client
// provides it.
type API interface {
	GetAccount(ctx context.Context, id string, selectFields ...string) (*apiclient.Account, error)
	ListEnabledModules(ctx context.Context, accountID string) ([]apiclient.Module, error)
	CreateAPIToken(ctx context.Context, req *apiclient.CreateAPITokenRequest) (*apiclient.APIToken, error)
	// FindLostAPIToken looks for what a create with an unknown outcome left
	// behind, waiting out the time it may still commit in.
	FindLostAPIToken(ctx context.Context, att apiclient.CreateAttempt, opts *apiclient.FindLostOptions) (*apiclient.LostResult, error)
	DisableAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error)

	// The API tokens area: the list, the details page, Edit and the
	// Enable/Disable/Delete dialogs.
	ListAPITokens(ctx context.Context, accountID string, opts *apiclient.ListAPITokensOptions) ([]apiclient.APIToken, *apiclient.Pagination, error)
	GetAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error)
	UpdateAPIToken(ctx context.Context, id string, req *apiclient.UpdateAPITokenRequest) (*apiclient.APIToken, error)
	EnableAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error)
	DeleteAPIToken(ctx context.Context, id string) error
	ListAuditRecords(ctx context.Context, objectID string, opts *apiclient.ListOptions) ([]apiclient.AuditRecord, *apiclient.Pagination, error)
	// VerifyAPIToken reads the token with itself as the credential.
	VerifyAPIToken(ctx context.Context, value apiclient.Secret) (*apiclient.APIToken, error)
}

// Common is shared by pointer: the root model changes the size and the
// theme in place and every page sees the change.
type Common struct {
	Width, Height int
	Theme         *theme.Theme
	Keys          *KeyMap
	API           API
	Clock         func() time.Time
	Logger        *slog.Logger
	// SSH is set when the program runs in an SSH session: no local files,
	// no native clipboard.
	SSH bool
	// Nav is the root's page stack: a page pushes or pops by calling it,
	// and the change happens at once, not through a message.
	Nav Navigator
	// Shutdown is why the program was asked to end ("" while it was not),
	// for the banner that asks the user to copy the token and close.
	Shutdown string
	// ShowHelp is set while the full help is shown. The root toggles it
	// for ? and f1; a page that takes ? as text for nothing (a filter)
	// may toggle it too.
	ShowHelp bool

	quitting bool
}

// Quit ends the program. Every page quits through it, so the root knows
// to draw an empty last frame.
func (c *Common) Quit() tea.Cmd {
	c.quitting = true
	return tea.Quit
}

// Quitting reports whether Quit was called.
func (c *Common) Quitting() bool { return c.quitting }

// KeyMap holds the keys bound on every page, once.
type KeyMap struct {
	Interrupt key.Binding
	Quit      key.Binding
	Help      key.Binding
	// HelpF1 is the help key where ? is typed as text.
	HelpF1  key.Binding
	Confirm key.Binding
}

// NewKeyMap returns the global keys.
func NewKeyMap() *KeyMap {
	return &KeyMap{
		Interrupt: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		Help:      key.NewBinding(key.WithKeys("?", "f1"), key.WithHelp("?", "more keys")),
		HelpF1:    key.NewBinding(key.WithKeys("f1"), key.WithHelp("f1", "more keys")),
		Confirm:   key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
	}
}

// ThemeChangedMsg tells pages and components that Common.Theme was
// replaced in place (the terminal reported its background): styles copied
// into bubbles must be set again.
type ThemeChangedMsg struct{}

// Page is a screen of the app. The root keeps a stack of them and hands
// every message to the one on top. Pages change in place (pointer
// receivers), so the root never needs to know a page's type.
type Page interface {
	// Init starts what the page needs (loads, spinners); called once when
	// the page is pushed.
	Init() tea.Cmd
	Update(tea.Msg) tea.Cmd
	// View draws the page's body, Common.Width × BodyHeight.
	View() string
	// SetSize tells the page the size of its body.
	SetSize(width, height int)
	// Capturing reports whether the page is taking typed text, so that
	// single-letter global keys (q, ?) must reach it instead.
	Capturing() bool
	// Header is the page's part of the header line (a step trail, a
	// title); Status the line above the help ("" for none).
	Header() string
	Status() string
	// RequestQuit asks the page whether the program may end now. A page
	// that would lose something (a token not yet shown or copied) says no
	// and asks the user itself.
	RequestQuit(shutdown bool) bool
	help.KeyMap
}

// Navigator is the page stack. Push puts a page on top and returns its
// Init; Pop takes the top page off (never the last one).
type Navigator interface {
	Push(Page) tea.Cmd
	Pop()
}
