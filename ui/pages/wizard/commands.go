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
	// nameTakenMsg answers whether another token has the name; tok is nil
	// for none, or when the lookup failed (no warning then).
	nameTakenMsg struct {
		name string
		tok  *apiclient.APIToken
	}
	createdMsg struct {
		token *apiclient.APIToken
		err   error
	}
	checkedMsg struct {
		res        *apiclient.LostResult
		err        error
		thenCreate bool
	}
	// copiedMsg is the native clipboard's answer.
	copiedMsg struct{ err error }

	verifyTickMsg struct{ seq int }
	verifiedMsg   struct {
		seq int
		tok *apiclient.APIToken
		err error
	}
)

// verifyTimeout bounds Verify's call.
const verifyTimeout = 30 * time.Second

// requestTimeout bounds the reads; the client has its own per-attempt
// timeout, this bounds the retries too.
const requestTimeout = 2 * time.Minute

func (p *Page) loadAccount() tea.Cmd {
	return p.load(func(ctx context.Context, api common.API, id string) tea.Msg {
		acc, err := api.GetAccount(ctx, id)
		return accountMsg{account: acc, err: err}
	})
}

func (p *Page) loadModules() tea.Cmd {
	return p.load(func(ctx context.Context, api common.API, id string) tea.Msg {
		mods, err := api.ListEnabledModules(ctx, id)
		return modulesMsg{modules: mods, err: err}
	})
}

// lookupName looks for a token of the account already named name.
func (p *Page) lookupName(name string) tea.Cmd {
	return p.load(func(ctx context.Context, api common.API, id string) tea.Msg {
		toks, _, err := api.ListAPITokens(ctx, id, &apiclient.ListAPITokensOptions{Filter: apiclient.Eq("name", name), Limit: 1})
		if err != nil || len(toks) == 0 {
			return nameTakenMsg{name: name}
		}
		return nameTakenMsg{name: name, tok: &toks[0]}
	})
}

// load runs one bounded read for the page's account off the update loop.
func (p *Page) load(read func(ctx context.Context, api common.API, accountID string) tea.Msg) tea.Cmd {
	api, id := p.c.API, p.opts.AccountID
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		return read(ctx, api, id)
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
	api, onCreated := p.c.API, p.opts.OnCreated
	return tea.Batch(
		p.setCreate(steps.CreateSending, nil, nil),
		func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
			defer cancel()
			tok, err := api.CreateAPIToken(ctx, req)
			if err == nil && onCreated != nil {
				onCreated(tok)
			}
			return createdMsg{token: tok, err: err}
		})
}

func (p *Page) created(msg createdMsg) tea.Cmd {
	switch {
	case msg.err == nil:
		p.unverified = nil
		p.data.Created = msg.token
		p.data.CreatedAt = p.c.Clock()
		p.setCreate(steps.CreateIdle, nil, nil)
		p.active = steps.Summary
		return p.steps[steps.Summary].Enter("")
	}
	if unknown, ok := errors.AsType[*apiclient.OutcomeUnknownError](msg.err); ok {
		p.setCreate(steps.CreateIdle, nil, nil)
		att := unknown.Attempt
		p.unverified = &att
		return p.check(false)
	}
	// The API refused, or the request never left: nothing was created,
	// except where a disable failed, which says so itself.
	p.data.Create.Outcome = "Nothing was created."
	if _, ok := errors.AsType[*replaceError](msg.err); ok {
		p.data.Create.Outcome = ""
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

// check looks for a token created by the attempt whose outcome is unknown;
// the client waits out the time the request may still commit in. With
// thenCreate, the user asked to add again: it creates only if none was
// found.
func (p *Page) check(thenCreate bool) tea.Cmd {
	if p.unverified == nil || p.data.Create.Busy() {
		return nil
	}
	api, att := p.c.API, *p.unverified
	wait := max(att.SettleUntil.Sub(p.c.Clock()), 0)
	return tea.Batch(
		p.setCreate(steps.CreateChecking, nil, nil),
		func() tea.Msg {
			res, err := FindLost(api, att, wait)
			return checkedMsg{res: res, err: err, thenCreate: thenCreate}
		})
}

// FindLost asks the client what a create with an unknown outcome left
// behind; the client waits until the request can no longer commit (wait
// is how long that is from now), so the context allows for it. The wizard
// and the accessible flow both use it.
func FindLost(api common.API, att apiclient.CreateAttempt, wait time.Duration) (*apiclient.LostResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), wait+requestTimeout)
	defer cancel()
	return api.FindLostAPIToken(ctx, att, nil)
}

func (p *Page) checked(msg checkedMsg) tea.Cmd {
	switch {
	case msg.err != nil:
		return p.setCreate(steps.CreateCheckFailed, msg.err, nil)
	case msg.res.State == apiclient.LostFound:
		p.unverified = nil
		return p.setCreate(steps.CreateFound, nil, msg.res.Token)
	case msg.res.State == apiclient.LostFoundUncertain:
		// Maybe ours, maybe someone else's: shown, never offered for a
		// one-key disable; a new Add looks again first.
		return p.setCreate(steps.CreateFoundUncertain, errors.New(msg.res.Reason), msg.res.Token)
	}
	if msg.thenCreate {
		p.unverified = nil
		p.setCreate(steps.CreateIdle, nil, nil)
		return p.create()
	}
	// Not found yet: a commit later still cannot be ruled out, so the next
	// Add looks once more before it sends.
	return p.setCreate(steps.CreateNotFound, nil, nil)
}

// Replace implements steps.Actions: it disables a token whose value was
// lost, then creates a new one.
func (p *Page) Replace(id string) tea.Cmd {
	if p.data.Create.Busy() {
		return nil
	}
	req := p.data.Request()
	api, onCreated := p.c.API, p.opts.OnCreated
	return tea.Batch(
		p.setCreate(steps.CreateSending, nil, nil),
		func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
			defer cancel()
			if _, err := api.DisableAPIToken(ctx, id); err != nil {
				return createdMsg{err: &replaceError{id: id, err: err}}
			}
			tok, err := api.CreateAPIToken(ctx, req)
			if err == nil && onCreated != nil {
				onCreated(tok)
			}
			return createdMsg{token: tok, err: err}
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
// the native clipboard where the wizard runs locally. Many terminals ignore
// OSC 52 (tmux by default, VTE) without a word, so the token counts as
// copied, and the quit guard lets go, only once the native clipboard took
// it or the terminal read it back.
func (p *Page) Copy() tea.Cmd {
	tok := p.data.Created
	if tok == nil || tok.Token.IsZero() {
		return nil
	}
	value := tok.Token.Reveal()
	p.data.CopySent = true
	if !p.data.Copied {
		p.data.CopyNote, p.data.CopyErr = copySentNote, false
	}
	cmds := []tea.Cmd{tea.Sequence(tea.SetClipboard(value), tea.ReadClipboard)}
	if native := p.opts.NativeClipboard; native != nil {
		cmds = append(cmds, func() tea.Msg { return copiedMsg{err: native(value)} })
	}
	return tea.Batch(cmds...)
}

const copySentNote = "Sent to the terminal (OSC 52), which may ignore it: paste to check, or r to reveal and select."

// copied takes the native clipboard's answer.
func (p *Page) copied(msg copiedMsg) {
	if msg.err == nil {
		p.data.Copied = true
		p.data.CopyNote = "Copied to the system clipboard (and sent to the terminal's)."
	}
}

// clipboardRead takes the terminal's answer to a clipboard query: holding
// the token, it confirms the copy.
func (p *Page) clipboardRead(msg tea.ClipboardMsg) {
	tok := p.data.Created
	if tok == nil || !p.data.CopySent || msg.Content != tok.Token.Reveal() {
		return
	}
	if !p.data.Copied {
		p.data.Copied = true
		p.data.CopyNote = "Copied to the clipboard: the terminal confirmed it holds the token."
	}
}

// Verify implements steps.Actions: it waits until the propagation is over
// (counted from the create's answer), then has the token read itself.
// Only a read: quitting meanwhile loses nothing.
func (p *Page) Verify() tea.Cmd {
	tok := p.data.Created
	v := p.data.Verify.State
	if tok == nil || tok.Token.IsZero() || v == steps.VerifyWaiting || v == steps.VerifyChecking {
		return nil
	}
	p.verifySeq++
	p.data.Verify = steps.Verify{State: steps.VerifyWaiting}
	return p.verifyStep()
}

// verifyTick is how often the progress bar moves.
const verifyTick = time.Second

func (p *Page) verifyStep() tea.Cmd {
	total := p.opts.Propagation
	left := p.data.CreatedAt.Add(total).Sub(p.c.Clock())
	seq := p.verifySeq
	if left > 0 {
		p.data.Verify.Progress = 1 - float64(left)/float64(total)
		return p.opts.Tick(min(verifyTick, left), func(time.Time) tea.Msg { return verifyTickMsg{seq: seq} })
	}
	p.data.Verify = steps.Verify{State: steps.VerifyChecking, Progress: 1}
	api, value := p.c.API, p.data.Created.Token
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), verifyTimeout)
		defer cancel()
		tok, err := api.VerifyAPIToken(ctx, value)
		return verifiedMsg{seq: seq, tok: tok, err: err}
	}
}

func (p *Page) verified(msg verifiedMsg) {
	v := steps.Verify{State: steps.VerifyDone, Progress: 1}
	switch {
	case msg.err != nil:
		v.Text = "✗ The token does not work: " + common.ErrorText(msg.err) + " t tries again."
	case msg.tok != nil && msg.tok.Status != apiclient.TokenStatusActive:
		v.Text = "✗ The token answered, but its status is " + textsafe.Line(msg.tok.Status, 20) + ": its calls are refused."
	default:
		v.OK = true
		v.Text = "✓ The token works: it read itself with itself as the credential."
	}
	p.data.Verify = v
}
