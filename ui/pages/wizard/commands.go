package wizard

import (
	"context"
	"errors"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/steps"
	"github.com/softwareone/apitoken/ui/common"
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
	// copiedMsg is the native clipboard's answer.
	copiedMsg struct{ err error }
)

// maxSettle bounds the wait before looking for a token whose create had
// no answer: long enough for a request still in the API's hands to land,
// short enough for someone watching a spinner.
const maxSettle = 10 * time.Second

// requestTimeout bounds the reads; the client has its own per-attempt
// timeout, this bounds the retries too.
const requestTimeout = 2 * time.Minute

func (p *Page) loadAccount() tea.Cmd {
	api, id := p.c.API, p.opts.AccountID
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		acc, err := api.GetAccount(ctx, id)
		return accountMsg{account: acc, err: err}
	}
}

func (p *Page) loadModules() tea.Cmd {
	api, id := p.c.API, p.opts.AccountID
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		mods, err := api.ListEnabledModules(ctx, id)
		return modulesMsg{modules: mods, err: err}
	}
}

// Submit implements steps.Actions: it sends the create, unless an earlier create's outcome is still
// unknown: then it first checks whether that one went through.
func (p *Page) Submit() tea.Cmd {
	if p.data.Create.Busy() {
		return nil
	}
	if p.unverified != nil {
		return p.check(true)
	}
	return p.create()
}

// create sends the request. It runs on a context of its own, not the
// program's: once sent, a create is seen through even if the user quits or
// the SSH client goes away, so the token is shown or at least audited.
func (p *Page) create() tea.Cmd {
	req := p.data.Request()
	api, onCreated, at := p.c.API, p.opts.OnCreated, p.c.Clock()
	return tea.Batch(
		p.setCreate(steps.CreateSending, nil, nil),
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

func (p *Page) created(msg createdMsg) tea.Cmd {
	switch {
	case msg.err == nil:
		p.unverified = nil
		p.data.Created = msg.token
		p.setCreate(steps.CreateIdle, nil, nil)
		p.active = steps.Summary
		return p.steps[steps.Summary].Enter("")
	case errors.Is(msg.err, apiclient.ErrOutcomeUnknown):
		p.setCreate(steps.CreateIdle, nil, nil)
		p.unverified = &attempt{name: msg.name, at: msg.at, settle: p.settleFor(msg.err)}
		return p.check(false)
	}
	if fields := fieldErrors(msg.err); len(fields) > 0 {
		return p.routeFieldErrors(msg.err, fields)
	}
	return p.setCreate(steps.CreateFailed, msg.err, nil)
}

// routeFieldErrors puts the server's messages on the fields it named and
// takes the user to the first step that has one of them.
func (p *Page) routeFieldErrors(err error, fields map[string]string) tea.Cmd {
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
	if target == steps.General && !p.data.AllowLogo && focus == steps.FieldIcon {
		target = steps.Overview // no logo field to fix it in
	}
	cmds := []tea.Cmd{
		p.steps[steps.General].Update(steps.FieldErrorsMsg{Errors: clean}),
		p.steps[steps.Modules].Update(steps.FieldErrorsMsg{Errors: clean}),
		p.setCreate(steps.CreateFailed, err, nil),
	}
	if target != steps.Overview {
		cmds = append(cmds, p.Goto(target, focus))
	}
	return tea.Batch(cmds...)
}

// check looks for a token created by the attempt whose outcome is unknown.
// With thenCreate, the user asked to add again: it creates only if none
// was found.
func (p *Page) check(thenCreate bool) tea.Cmd {
	if p.unverified == nil || p.data.Create.Busy() {
		return nil
	}
	api, account := p.c.API, p.opts.AccountID
	name, settle := p.unverified.name, p.unverified.settle
	p.unverified.settle = 0 // later looks come after this one
	// Look a little before the attempt: the server's clock is not ours.
	since := p.unverified.at.Add(-p.opts.CheckWindow)
	return tea.Batch(
		p.setCreate(steps.CreateChecking, nil, nil),
		func() tea.Msg {
			found, err := FindLost(api, account, name, since, settle)
			return checkedMsg{found: found, err: err, thenCreate: thenCreate}
		})
}

// FindLost looks for the token a create whose answer was lost may have
// made, after letting a request still in the API's hands land (settle,
// from settleFor). The wizard and the accessible flow both use it, so
// neither looks too early and invites a duplicate.
func FindLost(api common.API, account, name string, since time.Time, settle time.Duration) ([]apiclient.APIToken, error) {
	time.Sleep(settle)
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	return api.FindRecentAPITokens(ctx, account, name, since)
}

// settleFor is how long to wait before looking for the token of a create
// that failed with err: the client's SettleWait, bounded for someone
// watching a spinner.
func (p *Page) settleFor(err error) time.Duration {
	if p.opts.SettleWait == nil {
		return 0
	}
	return min(p.opts.SettleWait(err), maxSettle)
}

func (p *Page) checked(msg checkedMsg) tea.Cmd {
	switch {
	case msg.err != nil:
		return p.setCreate(steps.CreateCheckFailed, msg.err, nil)
	case len(msg.found) > 0:
		p.unverified = nil
		found := msg.found[0]
		return p.setCreate(steps.CreateFound, nil, &found)
	}
	p.unverified = nil
	if msg.thenCreate {
		p.setCreate(steps.CreateIdle, nil, nil)
		return p.create()
	}
	return p.setCreate(steps.CreateNotFound, nil, nil)
}

// Replace implements steps.Actions: it disables a token whose value was
// lost, then creates a new one.
func (p *Page) Replace(id string) tea.Cmd {
	if p.data.Create.Busy() {
		return nil
	}
	req := p.data.Request()
	api, onCreated, at := p.c.API, p.opts.OnCreated, p.c.Clock()
	return tea.Batch(
		p.setCreate(steps.CreateSending, nil, nil),
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

// Copy implements steps.Actions. It sends the value with OSC 52, which
// reaches the user's own terminal even over SSH and tmux, and writes it to
// the native clipboard where the wizard runs locally.
func (p *Page) Copy() tea.Cmd {
	tok := p.data.Created
	if tok == nil || tok.Token.IsZero() {
		return nil
	}
	value := tok.Token.Reveal()
	native := p.opts.NativeClipboard
	p.data.CopyNote, p.data.CopyErr = "Copied to the clipboard through the terminal (OSC 52).", false
	if native == nil {
		p.data.Copied = true
		return tea.SetClipboard(value)
	}
	p.data.Copied = true
	return tea.Batch(
		tea.SetClipboard(value),
		func() tea.Msg { return copiedMsg{err: native(value)} })
}

// copied takes the native clipboard's answer.
func (p *Page) copied(msg copiedMsg) {
	if msg.err == nil {
		p.data.CopyNote = "Copied to the clipboard through the terminal (OSC 52) and the system clipboard."
	}
}
