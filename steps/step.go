// Package steps holds the children of the "Add API token" wizard page, one
// model per portal step: General, Modules, Overview and Summary. A step
// draws itself, handles its own keys and says what the user wants (next,
// back, add, copy) by calling its Actions at once; the wizard decides what
// happens and does all API I/O.
package steps

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/textsafe"
)

// ID names a step.
type ID int

// The steps in the order the portal shows them.
const (
	General ID = iota
	Modules
	Overview
	Summary
)

func (id ID) String() string {
	switch id {
	case General:
		return "General"
	case Modules:
		return "Modules"
	case Overview:
		return "Overview"
	case Summary:
		return "Summary"
	}
	return "?"
}

// Step is one step of the wizard. Steps change in place, so the wizard
// holds them as Steps and never needs their types.
type Step interface {
	// Enter is called each time the step becomes the active one, with the
	// field to focus (a field path as the API names it, or "").
	Enter(field string) tea.Cmd
	Update(tea.Msg) tea.Cmd
	View() string
	SetSize(width, height int)
	// Capturing reports whether the step is taking typed text, so that
	// single-letter global keys (q, ?) must reach it instead.
	Capturing() bool
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
}

// Data is what the user entered and what the API answered. The steps share
// one *Data, so going back and forth never loses input.
type Data struct {
	AccountID string
	Account   *apiclient.Account // nil until loaded
	// AllowLogo is false over SSH: a path there would name a file on the
	// server, not on the user's machine.
	AllowLogo bool

	LogoPath    string // what the user typed
	Icon        *apiclient.Icon
	IconInfo    apiclient.IconInfo
	Name        string
	Description string

	Catalog  []Module        // modules enabled for the account; nil until loaded
	Selected map[string]bool // by module id; kept when the filter changes

	// Create is where the create stands. The wizard alone writes it; the
	// Overview draws it.
	Create Create
	// NameTaken is another token of the account with the name given, as
	// the Overview's lookup found it (nil: none, or not known). Both would
	// work; only their ids would tell them apart, also when an answer is
	// lost and the create is looked for by name.
	NameTaken *apiclient.APIToken
	// NameChecked is the name that lookup last answered for.
	NameChecked string

	Created *apiclient.APIToken
	// Copied is set once the token is known to be on the user's clipboard
	// (the native clipboard took it, or the terminal read it back).
	Copied bool
	// CopySent is set once the value was sent to the terminal's clipboard
	// (OSC 52), which may have ignored it.
	CopySent bool
	// CopyNote is what is known about the last copy, for the Summary.
	CopyNote string
	CopyErr  bool

	// CreatedAt is when the create's answer came, for Verify's wait.
	CreatedAt time.Time
	// Verify is where the Summary's check that the token works stands.
	// The wizard alone writes it.
	Verify Verify
}

// Entered reports whether the user has given anything on General: a name,
// a description or a logo. Leaving the wizard would lose it.
func (d *Data) Entered() bool {
	return strings.TrimSpace(d.Name) != "" || strings.TrimSpace(d.Description) != "" ||
		strings.TrimSpace(d.LogoPath) != "" || d.Icon != nil
}

// VerifyState is where a Verify stands.
type VerifyState int

// The Verify states.
const (
	VerifyIdle     VerifyState = iota
	VerifyWaiting              // waiting out the propagation
	VerifyChecking             // the token is reading itself
	VerifyDone
)

// Verify is the check that a new token works: the wait for the platform's
// propagation, then a call with the token as its own credential.
type Verify struct {
	State    VerifyState
	Progress float64 // of the wait, 0 to 1
	OK       bool
	Text     string // the outcome, safe to draw
}

// NewData returns empty wizard data for an account.
func NewData(accountID string, allowLogo bool) *Data {
	return &Data{AccountID: accountID, AllowLogo: allowLogo, Selected: map[string]bool{},
		Create: Create{Spinner: spinner.New(spinner.WithSpinner(spinner.MiniDot))}}
}

// Module is a module of the catalogue made safe to draw: every string from
// the server has been through textsafe once, when it arrived, so drawing a
// frame never has to clean it again.
type Module struct {
	ID          string
	Name        string
	Description string
	search      string // lower-case name, description and id, for the filter
}

// Module strings are cut to these lengths: a hostile server must not make
// every frame slow.
const (
	maxModuleName = 120
	maxModuleDesc = 400
)

// ModulesFrom cleans the modules the API returned.
func ModulesFrom(ms []apiclient.Module) []Module {
	out := make([]Module, len(ms))
	for i, m := range ms {
		out[i] = Module{
			ID:          textsafe.Line(m.ID, 40),
			Name:        textsafe.Line(m.Name, maxModuleName),
			Description: textsafe.Line(m.Description, maxModuleDesc),
		}
		out[i].search = strings.ToLower(out[i].Name + "\x00" + out[i].Description + "\x00" + out[i].ID)
	}
	return out
}

// SelectedModules returns the selected modules in catalogue order.
func (d *Data) SelectedModules() []Module {
	var out []Module
	for _, m := range d.Catalog {
		if d.Selected[m.ID] {
			out = append(out, m)
		}
	}
	return out
}

// Request is the create request the wizard will send.
func (d *Data) Request() *apiclient.CreateAPITokenRequest {
	req := &apiclient.CreateAPITokenRequest{
		AccountID:   d.AccountID,
		Name:        strings.TrimSpace(d.Name),
		Description: strings.TrimSpace(d.Description),
		Icon:        d.Icon,
	}
	for _, m := range d.SelectedModules() {
		req.ModuleIDs = append(req.ModuleIDs, m.ID)
	}
	return req
}

// AccountName is the account's name for display, or its id until loaded.
func (d *Data) AccountName() string {
	if d.Account != nil && d.Account.Name != "" {
		return textsafe.Line(d.Account.Name, 60)
	}
	return d.AccountID
}

// Actions is what a step may ask of the wizard. A step calls them from
// its Update; the wizard acts at once and returns what is left to do.
type Actions interface {
	Next() tea.Cmd
	Back() tea.Cmd
	// Goto makes a step the active one, focusing field ("" for none).
	Goto(step ID, field string) tea.Cmd
	// Edit opens a step from the Overview to change it: moving on from it
	// returns to the Overview.
	Edit(step ID) tea.Cmd
	// Submit creates the token (after checking an earlier create whose
	// outcome is unknown).
	Submit() tea.Cmd
	// Recheck looks again for a token whose create looked lost.
	Recheck() tea.Cmd
	// Replace disables a token whose create looked lost and creates a new one.
	Replace(tokenID string) tea.Cmd
	RetryModules() tea.Cmd
	// Copy copies the created token to the clipboard.
	Copy() tea.Cmd
	// Close leaves the wizard from the Summary.
	Close() tea.Cmd
	// Details opens the created token's details page.
	Details() tea.Cmd
	// Verify checks that the created token works, after its propagation.
	Verify() tea.Cmd
}

// Messages the wizard sends to steps.
type (
	// ModulesLoadedMsg carries the account's enabled modules, or the error
	// that prevented fetching them.
	ModulesLoadedMsg struct {
		Err error
	}
	// FieldErrorsMsg puts the server's messages on the fields it named.
	FieldErrorsMsg struct {
		Errors map[string]string
	}
)
