package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/steps"
)

// The API's answers, as messages.
type (
	accountMsg struct {
		account *apiclient.Account
		err     error
	}
	modulesMsg struct {
		modules []apiclient.Module
		err     error
	}
	createdMsg struct {
		token *apiclient.APIToken
		err   error
		at    time.Time
		name  string
	}
	checkedMsg struct {
		found      []apiclient.APIToken
		err        error
		thenCreate bool
	}
	copiedMsg steps.CopiedMsg
)

// maxSettle bounds the wait before looking for a token whose create had
// no answer: long enough for a request still in the API's hands to land,
// short enough for someone watching a spinner.
const maxSettle = 10 * time.Second

// requestTimeout bounds the reads; the client has its own per-attempt
// timeout, this bounds the retries too.
const requestTimeout = 2 * time.Minute

func (m *Model) loadAccount() tea.Cmd {
	api, id := m.opts.API, m.opts.AccountID
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		acc, err := api.GetAccount(ctx, id)
		return accountMsg{account: acc, err: err}
	}
}

func (m *Model) loadModules() tea.Cmd {
	api, id := m.opts.API, m.opts.AccountID
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		mods, err := api.ListEnabledModules(ctx, id)
		return modulesMsg{modules: mods, err: err}
	}
}

// submit sends the create, unless an earlier create's outcome is still
// unknown: then it first checks whether that one went through.
func (m *Model) submit() tea.Cmd {
	if m.busy {
		return nil
	}
	if m.unverified != nil {
		return m.check(true)
	}
	return m.create()
}

// create sends the request. It runs on a context of its own, not the
// program's: once sent, a create is seen through even if the user quits or
// the SSH client goes away, so the token is shown or at least audited.
func (m *Model) create() tea.Cmd {
	m.busy = true
	req := m.data.Request()
	api, onCreated, at := m.opts.API, m.opts.OnCreated, m.opts.Clock()
	return tea.Batch(
		m.forward(steps.Overview, steps.CreateStateMsg{State: steps.CreateSending}),
		func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
			defer cancel()
			tok, err := api.CreateAPIToken(ctx, req)
			if err == nil && onCreated != nil {
				onCreated(tok)
			}
			return createdMsg{token: tok, err: err, at: at, name: req.Name}
		})
}

func (m *Model) created(msg createdMsg) tea.Cmd {
	m.busy = false
	switch {
	case msg.err == nil:
		m.unverified = nil
		m.data.Created = msg.token
		m.active = steps.Summary
		return m.summary.Enter()
	case errors.Is(msg.err, apiclient.ErrOutcomeUnknown):
		m.unverified = &attempt{name: msg.name, at: msg.at, settle: settleFor(m.opts.API, msg.err)}
		return m.check(false)
	}
	if fields := fieldErrors(msg.err); len(fields) > 0 {
		return m.routeFieldErrors(msg.err, fields)
	}
	return m.forward(steps.Overview, steps.CreateStateMsg{State: steps.CreateFailed, Err: msg.err})
}

// routeFieldErrors puts the server's messages on the fields it named and
// takes the user to the first step that has one of them.
func (m *Model) routeFieldErrors(err error, fields map[string]string) tea.Cmd {
	clean := make(map[string]string, len(fields))
	target, focus := steps.Overview, ""
	for field, text := range fields {
		clean[field] = textsafe.Line(text, 200)
		switch {
		case field == steps.FieldName || field == steps.FieldDescription || field == steps.FieldIcon:
			if target != steps.General || field == steps.FieldName {
				focus = field
			}
			target = steps.General
		case (field == "modules" || strings.HasPrefix(field, "modules[")) && target != steps.General:
			target = steps.Modules
		}
	}
	if target == steps.General && !m.data.AllowLogo && focus == steps.FieldIcon {
		target = steps.Overview // no logo field to fix it in
	}
	cmds := []tea.Cmd{
		m.forward(steps.General, steps.FieldErrorsMsg{Errors: clean}),
		m.forward(steps.Modules, steps.FieldErrorsMsg{Errors: clean}),
		m.forward(steps.Overview, steps.CreateStateMsg{State: steps.CreateFailed, Err: err}),
	}
	if target != steps.Overview {
		cmds = append(cmds, m.goTo(target, focus))
	}
	return tea.Batch(cmds...)
}

// check looks for a token created by the attempt whose outcome is unknown.
// With thenCreate, the user asked to add again: it creates only if none
// was found.
func (m *Model) check(thenCreate bool) tea.Cmd {
	if m.unverified == nil || m.busy {
		return nil
	}
	m.busy = true
	api, account := m.opts.API, m.opts.AccountID
	name, settle := m.unverified.name, m.unverified.settle
	m.unverified.settle = 0 // later looks come after this one
	// Look a little before the attempt: the server's clock is not ours.
	since := m.unverified.at.Add(-m.opts.CheckWindow)
	return tea.Batch(
		m.forward(steps.Overview, steps.CreateStateMsg{State: steps.CreateChecking}),
		func() tea.Msg {
			found, err := findLost(api, account, name, since, settle)
			return checkedMsg{found: found, err: err, thenCreate: thenCreate}
		})
}

// findLost looks for the token a create whose answer was lost may have
// made, after letting a request still in the API's hands land (settle,
// from settleFor). The wizard and the accessible flow both use it, so
// neither looks too early and invites a duplicate.
func findLost(api API, account, name string, since time.Time, settle time.Duration) ([]apiclient.APIToken, error) {
	time.Sleep(settle)
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	return api.FindRecentAPITokens(ctx, account, name, since)
}

// settleFor is how long to wait before looking for the token of a create
// that failed with err: the client's SettleWait, bounded for someone
// watching a spinner.
func settleFor(api API, err error) time.Duration {
	return min(api.SettleWait(err), maxSettle)
}

func (m *Model) checked(msg checkedMsg) tea.Cmd {
	m.busy = false
	switch {
	case msg.err != nil:
		return m.forward(steps.Overview, steps.CreateStateMsg{State: steps.CreateCheckFailed, Err: msg.err})
	case len(msg.found) > 0:
		m.unverified = nil
		found := msg.found[0]
		return m.forward(steps.Overview, steps.CreateStateMsg{State: steps.CreateFound, Found: &found})
	}
	m.unverified = nil
	if msg.thenCreate {
		return m.create()
	}
	return m.forward(steps.Overview, steps.CreateStateMsg{State: steps.CreateNotFound})
}

// replace disables a token whose value was lost, then creates a new one.
func (m *Model) replace(id string) tea.Cmd {
	if m.busy {
		return nil
	}
	m.busy = true
	req := m.data.Request()
	api, onCreated, at := m.opts.API, m.opts.OnCreated, m.opts.Clock()
	return tea.Batch(
		m.forward(steps.Overview, steps.CreateStateMsg{State: steps.CreateSending}),
		func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
			defer cancel()
			if _, err := api.DisableAPIToken(ctx, id); err != nil {
				return createdMsg{err: &replaceError{id: id, err: err}, at: at, name: req.Name}
			}
			tok, err := api.CreateAPIToken(ctx, req)
			if err == nil && onCreated != nil {
				onCreated(tok)
			}
			return createdMsg{token: tok, err: err, at: at, name: req.Name}
		})
}

// replaceError says the old token could not be disabled, so nothing new
// was created. It does not unwrap: a lost answer to the disable must not
// be taken for a lost answer to a create.
type replaceError struct {
	id  string
	err error
}

func (e *replaceError) Error() string {
	return "could not disable " + e.id + ", so no new token was added: " + e.err.Error()
}

// copyToken copies the value (the Summary has already marked it copied, as
// the key was pressed) with OSC 52, which reaches the user's own
// terminal even over SSH and tmux, and to the native clipboard where the
// wizard runs locally.
func (m *Model) copyToken() tea.Cmd {
	tok := m.data.Created
	if tok == nil || tok.Token.IsZero() {
		return nil
	}
	value := tok.Token.Reveal()
	native := m.opts.NativeClipboard
	return tea.Batch(
		tea.SetClipboard(value),
		func() tea.Msg {
			via := "terminal (OSC 52)"
			if native != nil {
				if err := native(value); err == nil {
					via = "terminal (OSC 52) and the system clipboard"
				}
			}
			return copiedMsg{Via: via}
		})
}
