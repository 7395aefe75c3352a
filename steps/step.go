// Package steps holds the pages of the "Add API token" wizard, one model per
// portal step: General, Modules, Overview and Summary. A step draws itself,
// handles its own keys and says what the user wants (next, back, add, copy)
// with a message; the ui package decides what happens and does all API I/O.
package steps

import (
	"strings"

	"charm.land/bubbles/v2/key"
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

// Step is one page of the wizard.
type Step interface {
	// Enter is called each time the step becomes the active one.
	Enter() tea.Cmd
	Update(tea.Msg) (Step, tea.Cmd)
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

	Created *apiclient.APIToken
	Copied  bool
}

// NewData returns empty wizard data for an account.
func NewData(accountID string, allowLogo bool) *Data {
	return &Data{AccountID: accountID, AllowLogo: allowLogo, Selected: map[string]bool{}}
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

// Messages a step sends to ask the wizard to act.
type (
	// NextMsg asks to go to the following step.
	NextMsg struct{}
	// BackMsg asks to go to the previous step.
	BackMsg struct{}
	// GotoMsg asks to go to a given step, with the field to focus
	// (a field path as the API names it, or "").
	GotoMsg struct {
		Step  ID
		Field string
	}
	// SubmitMsg asks to create the token.
	SubmitMsg struct{}
	// RetryModulesMsg asks to fetch the modules again.
	RetryModulesMsg struct{}
	// ReplaceMsg asks to disable a token whose create looked lost and
	// create a new one.
	ReplaceMsg struct{ TokenID string }
	// RecheckMsg asks to look again for a token whose create looked lost.
	RecheckMsg struct{}
	// CopyMsg asks to copy the created token to the clipboard.
	CopyMsg struct{}
	// CloseMsg asks to leave the wizard from the Summary.
	CloseMsg struct{}
)

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
	// CopiedMsg tells the Summary the result of a copy.
	CopiedMsg struct {
		Via string // e.g. "terminal (OSC 52)" or "terminal and system clipboard"
		Err error
	}
)
