// Package rotate is the rotation of an API token from its details page:
// create a new token with the old one's name, description and modules,
// show the new value once, and, after the person confirms the value is
// saved, disable the old token.
//
// The value is known to be saved only once it was revealed or the
// terminal read it back from the clipboard (OSC 52 may be ignored without
// a word). Until then the first "I saved it" is answered with a warning in
// place, and only a second one goes on to the old token.
//
// What is reported is what is known: which token exists and which is
// active, at every step. The lost-answer rules of the create apply: a
// create whose answer never came is looked for (the client's
// FindLostAPIToken) and never sent again blindly; a found token has no
// value, so the old token is then left active; an uncertain find is shown
// and never offered for a one-key disable. A disable whose answer never
// came is reported as unknown and not retried.
//
// Messages the root handles:
//
//   - DoneMsg{Old, New}: the person left after a create was sent; the
//     root shows the API tokens page, New selected when there is one.
//     Leaving before anything was sent pops the page (Common.Nav).
//   - actions.QuitReadyMsg: a quit was held while a call was out.
package rotate

import (
	"context"
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/ui/actions"
	"github.com/softwareone/apitoken/ui/common"
)

// API is what rotation needs from the Marketplace API.
type API interface {
	GetAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error)
	CreateAPIToken(ctx context.Context, req *apiclient.CreateAPITokenRequest) (*apiclient.APIToken, error)
	FindLostAPIToken(ctx context.Context, att apiclient.CreateAttempt, opts *apiclient.FindLostOptions) (*apiclient.LostResult, error)
	DisableAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error)
	UpdateAPIToken(ctx context.Context, id string, req *apiclient.UpdateAPITokenRequest) (*apiclient.APIToken, error)
}

// DoneMsg says the person left the rotation. New is the new token's id
// when one was created ("" otherwise).
type DoneMsg struct{ Old, New string }

// Stage is where the rotation stands.
type Stage int

// The stages.
const (
	Loading    Stage = iota // reading the old token
	Confirm                 // asking whether to start
	Creating                // the create is out
	Checking                // looking for what a lost create left
	Shown                   // the new value is on screen
	AskDisable              // "disable the old token now?"
	Disabling               // the disable is out
	Finished                // nothing more to do; the text says the state
)

type (
	readMsg struct {
		tok *apiclient.APIToken
		err error
	}
	createdMsg struct {
		tok *apiclient.APIToken
		err error
	}
	foundMsg struct {
		res *apiclient.LostResult
		err error
	}
	disabledMsg struct{ err error }
	// iconMsg is the answer to giving the new token the old one's icon.
	iconMsg struct{ err error }
)

// requestTimeout bounds every call; they run on contexts of their own, so
// once sent each is seen through.
const requestTimeout = 2 * time.Minute

// Page is one rotation.
type Page struct {
	c    *common.Common
	api  API
	old  apiclient.APIToken
	new  *apiclient.APIToken // with its value while Shown
	spin spinner.Model

	stage    Stage
	err      error
	text     string // the state, in words, once Finished or after a failure
	bad      bool   // text is a failure
	uncert   *apiclient.APIToken
	revealed bool
	copySent bool
	copied   bool // the terminal read the value back from the clipboard
	seen     bool // the value was revealed at least once
	warned   bool // the first "I saved it" met the unsaved warning
	sent     bool // a create was sent: something may have changed
	iconErr  string

	quitAsked, confirmQuit, shutdown bool

	width, height int
}

var _ common.Page = (*Page)(nil)

// New builds the rotation of tok (as the details page shows it; it is
// read again first).
func New(c *common.Common, api API, tok apiclient.APIToken) *Page {
	tok.Token = ""
	p := &Page{c: c, api: api, old: tok, width: 80, height: 20}
	p.spin = spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(c.Theme.Status.Spinner))
	return p
}

// Stage is where the rotation stands (tests read it).
func (p *Page) Stage() Stage { return p.stage }

// Init reads the old token again: the new one copies what it is now.
func (p *Page) Init() tea.Cmd {
	api, id := p.api, p.old.ID
	return tea.Batch(p.spin.Tick, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		tok, err := api.GetAPIToken(ctx, id)
		return readMsg{tok: tok, err: err}
	})
}

func (p *Page) request() *apiclient.CreateAPITokenRequest {
	req := &apiclient.CreateAPITokenRequest{Name: p.old.Name}
	if p.old.Account != nil {
		req.AccountID = p.old.Account.ID
	}
	if p.old.Description != nil {
		req.Description = *p.old.Description
	}
	for _, m := range p.old.Modules {
		req.ModuleIDs = append(req.ModuleIDs, m.ID)
	}
	for _, e := range p.old.Extensions {
		req.ExtensionIDs = append(req.ExtensionIDs, e.ID)
	}
	return req
}

// copyIcon gives the new token the old one's icon, by reference to it (a
// create takes an icon only as an upload). Cosmetic: the value is on
// screen already, and a failure is said beside it, never retried.
func (p *Page) copyIcon() tea.Cmd {
	if p.old.Icon == nil || p.new == nil {
		return nil
	}
	api, id := p.api, p.new.ID
	req := apiclient.UpdateRequestOf(p.new)
	req.Icon = p.old.Icon
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), actions.Timeout)
		defer cancel()
		_, err := api.UpdateAPIToken(ctx, id, req)
		return iconMsg{err: err}
	}
}

func (p *Page) create() tea.Cmd {
	if p.shutdown {
		return nil
	}
	p.stage, p.text, p.bad = Creating, "", false
	p.sent = true
	api, req := p.api, p.request()
	return tea.Batch(p.spin.Tick, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		tok, err := api.CreateAPIToken(ctx, req)
		return createdMsg{tok: tok, err: err}
	})
}

func (p *Page) disable() tea.Cmd {
	p.stage = Disabling
	api, id := p.api, p.old.ID
	return tea.Batch(p.spin.Tick, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), actions.Timeout)
		defer cancel()
		_, err := api.DisableAPIToken(ctx, id)
		return disabledMsg{err: err}
	})
}

// Update implements common.Page.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if msg.ID != p.spin.ID() || !p.busy() {
			return nil
		}
		var cmd tea.Cmd
		p.spin, cmd = p.spin.Update(msg)
		return cmd
	case common.ThemeChangedMsg:
		p.spin.Style = p.c.Theme.Status.Spinner
		return nil
	case readMsg:
		if msg.err != nil {
			p.stage, p.err, p.bad = Finished, msg.err, true
			p.text = "Could not read " + p.label(p.old) + ": " + common.ErrorText(msg.err) + " Nothing was created; it is as it was."
			return nil
		}
		p.old = *msg.tok
		p.old.Token = ""
		p.stage = Confirm
		return nil
	case createdMsg:
		return p.held(p.created(msg))
	case foundMsg:
		return p.held(p.found(msg))
	case disabledMsg:
		return p.held(p.disabled(msg))
	case iconMsg:
		if msg.err != nil {
			p.iconErr = "The icon was not copied to the new token (" + common.ErrorText(msg.err) + "); set it with Edit."
		}
		return nil
	case tea.ClipboardMsg:
		p.clipboardRead(msg)
		return nil
	case tea.KeyPressMsg:
		return p.key(msg)
	}
	return nil
}

// held lets a quit that waited for an answer go on: the root asks again.
func (p *Page) held(cmd tea.Cmd) tea.Cmd {
	if !p.quitAsked {
		return cmd
	}
	p.quitAsked = false
	shutdown := p.shutdown
	return tea.Batch(cmd, func() tea.Msg { return actions.QuitReadyMsg{Shutdown: shutdown} })
}

func (p *Page) created(msg createdMsg) tea.Cmd {
	if msg.err == nil && msg.tok != nil {
		p.new = msg.tok
		p.stage = Shown
		return p.copyIcon()
	}
	if unknown, ok := errors.AsType[*apiclient.OutcomeUnknownError](msg.err); ok {
		p.stage = Checking
		api, att := p.api, unknown.Attempt
		wait := max(att.SettleUntil.Sub(p.c.Clock()), 0)
		return tea.Batch(p.spin.Tick, func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), wait+requestTimeout)
			defer cancel()
			res, err := api.FindLostAPIToken(ctx, att, nil)
			return foundMsg{res: res, err: err}
		})
	}
	// Refused, or never sent: nothing was created; Rotate may be tried
	// again from the start.
	p.stage, p.err, p.bad = Confirm, msg.err, true
	p.text = "Could not create the new token: " + common.ErrorText(msg.err) + " Nothing was created; " + p.label(p.old) + " is still active."
	return nil
}

func (p *Page) found(msg foundMsg) tea.Cmd {
	if msg.err == nil {
		msg.res = p.notTheOld(msg.res)
	}
	old := p.label(p.old)
	p.stage, p.bad = Finished, true
	switch {
	case msg.err != nil:
		p.text = "The answer to the create was lost and the check failed (" + common.ErrorText(msg.err) + "): a new token may exist. " + old + " is still active and was not disabled. Look for a second “" + textsafe.Line(p.old.Name, 60) + "” in the list before rotating again."
	case msg.res.State == apiclient.LostFound && msg.res.Token != nil:
		p.new = msg.res.Token
		p.new.Token = ""
		p.text = "The answer to the create was lost: the new token " + textsafe.Line(msg.res.Token.ID, 40) + " exists, but its value cannot be shown again. " + old + " is still active and was not disabled. Disable or delete " + textsafe.Line(msg.res.Token.ID, 40) + " and rotate again."
	case msg.res.State == apiclient.LostFoundUncertain && msg.res.Token != nil:
		p.uncert = msg.res.Token
		p.text = "The answer to the create was lost; " + textsafe.Line(msg.res.Token.ID, 40) + " may be the new token (" + textsafe.Line(msg.res.Reason, 120) + "). " + old + " is still active and was not disabled. Check the list before doing anything."
	default:
		// Not found yet is not "not created": a late commit cannot be
		// ruled out, so no second create is offered here.
		p.text = "The answer to the create was lost and no new token was found yet; one may still appear. " + old + " is still active and was not disabled. Look in the list before rotating again."
	}
	return nil
}

// notTheOld takes the old token out of what the lookup found: it has the
// same name, and may have been created moments before the attempt, but it
// is never the new one. What is left is uncertain unless the client was
// certain of a token other than the old.
func (p *Page) notTheOld(res *apiclient.LostResult) *apiclient.LostResult {
	if res == nil {
		return &apiclient.LostResult{State: apiclient.LostNotFoundYet}
	}
	if res.Token == nil || res.Token.ID != p.old.ID {
		return res
	}
	out := &apiclient.LostResult{State: apiclient.LostNotFoundYet}
	for i := range res.Candidates {
		if c := res.Candidates[i]; c.ID != p.old.ID {
			out.State, out.Token = apiclient.LostFoundUncertain, &c
			out.Reason = "another token with this name appeared since the attempt started"
			break
		}
	}
	return out
}

func (p *Page) disabled(msg disabledMsg) tea.Cmd {
	old, nw := p.label(p.old), p.label(*p.new)
	switch actions.Classify(msg.err) {
	case actions.Done:
		p.stage, p.bad = Finished, false
		p.text = "Rotated: " + nw + " is active, " + old + " is disabled."
	case actions.NotFound:
		p.stage, p.bad = Finished, true
		p.text = nw + " is active; " + old + " was not found (deleted meanwhile), so nothing was disabled."
	case actions.Unknown:
		p.stage, p.bad = Finished, true
		p.text = nw + " is active. No answer to the disable of " + old + ": it may or may not be disabled. It was not retried; refresh the list to see."
	default:
		p.stage, p.bad = AskDisable, true
		p.text = "Could not disable " + old + ": " + common.ErrorText(msg.err) + " Both " + nw + " and " + old + " are active. y tries again."
	}
	return nil
}

// clipboardRead takes the terminal's answer to the clipboard query sent
// after a copy: holding the new value, it confirms the copy.
func (p *Page) clipboardRead(msg tea.ClipboardMsg) {
	if p.stage != Shown || !p.copySent || p.new == nil || p.new.Token.IsZero() || msg.Content != p.new.Token.Reveal() {
		return
	}
	p.copied = true
}

// saved: the person has had the new value, revealed on screen or
// confirmed in the clipboard.
func (p *Page) saved() bool { return p.copied || p.seen }

// unsavedWarning: the person said the value is saved though it was
// neither revealed nor confirmed copied; the next enter goes on anyway.
func (p *Page) unsavedWarning() bool { return p.stage == Shown && p.warned && !p.saved() }

var (
	startKey   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "rotate"))
	savedKey   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "I saved it: disable the old one"))
	anywayKey  = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue anyway"))
	yesKey     = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "disable the old token"))
	copyKey    = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy token"))
	revealKey  = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reveal/hide"))
	backKey    = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back"))
	keepOldKey = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "keep the old one active"))
)

func (p *Page) key(k tea.KeyPressMsg) tea.Cmd {
	if p.confirmQuit {
		p.confirmQuit = false
		if key.Matches(k, p.c.Keys.Confirm) {
			return p.c.Quit()
		}
		return nil
	}
	switch p.stage {
	case Confirm:
		switch {
		case key.Matches(k, startKey):
			return p.create()
		case key.Matches(k, backKey):
			return p.leave()
		}
	case Shown:
		switch {
		case key.Matches(k, copyKey):
			p.copySent = true
			// The terminal's answer to the read, if any, confirms it.
			return tea.Sequence(tea.SetClipboard(p.new.Token.Reveal()), tea.ReadClipboard)
		case key.Matches(k, revealKey):
			p.revealed = !p.revealed
			p.seen = p.seen || p.revealed
		case key.Matches(k, savedKey):
			if !p.saved() && !p.warned {
				p.warned = true
				return nil
			}
			p.warned = false
			p.stage, p.text, p.bad = AskDisable, "", false
		}
	case AskDisable:
		switch {
		case key.Matches(k, yesKey):
			p.forget()
			return p.disable()
		case key.Matches(k, keepOldKey), key.Matches(k, backKey):
			p.forget()
			p.stage, p.bad = Finished, false
			p.text = p.label(*p.new) + " and " + p.label(p.old) + " are both active: disable the old one when nothing uses it."
		}
	case Finished:
		if key.Matches(k, backKey) || k.String() == "enter" {
			return p.leave()
		}
	}
	return nil
}

// forget drops the new value once the person said it is saved.
func (p *Page) forget() {
	if p.new != nil {
		p.new.Token = ""
	}
	p.revealed = false
}

func (p *Page) leave() tea.Cmd {
	if !p.sent || (p.new == nil && p.uncert == nil && p.stage == Confirm) {
		// Nothing changed: back to the details page.
		p.c.Nav.Pop()
		return nil
	}
	msg := DoneMsg{Old: p.old.ID}
	if p.new != nil {
		msg.New = p.new.ID
	}
	return func() tea.Msg { return msg }
}

func (p *Page) busy() bool {
	return p.stage == Loading || p.stage == Creating || p.stage == Checking || p.stage == Disabling
}

// valueUnsaved: the new value is on screen and the person has not said
// it is saved.
func (p *Page) valueUnsaved() bool {
	return p.stage == Shown && p.new != nil && !p.new.Token.IsZero()
}

// RequestQuit implements common.Page: a call that is out is waited for,
// and a new value not yet saved asks once (on shutdown the banner asks).
func (p *Page) RequestQuit(shutdown bool) bool {
	if shutdown {
		p.shutdown = true
	}
	switch {
	case p.confirmQuit:
		return true
	case p.stage != Loading && p.busy():
		p.quitAsked = true
		return false
	case p.valueUnsaved():
		if !shutdown {
			p.confirmQuit = true
		}
		return false
	}
	return true
}

// SetSize implements common.Page.
func (p *Page) SetSize(w, h int) { p.width, p.height = w, h }

// Capturing implements common.Page: while asking, every key is an answer.
func (p *Page) Capturing() bool { return p.confirmQuit }

// Header implements common.Page.
func (p *Page) Header() string {
	return p.c.Theme.Header.StepActive.Render("● Rotate " + textsafe.Line(p.old.ID, 40))
}

// Status implements common.Page.
func (p *Page) Status() string {
	t := p.c.Theme.Status
	switch {
	case p.confirmQuit:
		return t.Warning.Render("The new token's value will not be shown again, and the old one is still active. Quit anyway? y quits.")
	case p.quitAsked && p.busy():
		return t.Warning.Render("Waiting for the answer: apitoken quits after showing the outcome.")
	case p.shutdown && p.valueUnsaved():
		return t.Warning.Render(textsafe.Line(p.c.Shutdown, 80) + ": copy the new token, then quit; the old one stays active.")
	case p.busy():
		return p.spin.View() + " " + p.doing()
	}
	return ""
}

func (p *Page) doing() string {
	switch p.stage {
	case Loading:
		return "Reading " + p.label(p.old) + "…"
	case Creating:
		return "Creating the new token…"
	case Checking:
		return "The answer was lost: looking for the new token…"
	default:
		return "Disabling " + p.label(p.old) + "…"
	}
}

// ShortHelp implements help.KeyMap.
func (p *Page) ShortHelp() []key.Binding {
	switch p.stage {
	case Confirm:
		return []key.Binding{startKey, backKey}
	case Shown:
		if p.unsavedWarning() {
			return []key.Binding{copyKey, revealKey, anywayKey}
		}
		return []key.Binding{copyKey, revealKey, savedKey}
	case AskDisable:
		return []key.Binding{yesKey, keepOldKey}
	case Finished:
		return []key.Binding{backKey}
	}
	return nil
}

// FullHelp implements help.KeyMap.
func (p *Page) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }

func (p *Page) label(t apiclient.APIToken) string { return common.TokenLabel(t.Name, t.ID) }

// View implements common.Page.
func (p *Page) View() string {
	t := p.c.Theme
	w := max(p.width, 20)
	line := func(s string) string { return ansi.Truncate(s, w, textsafe.Ellipsis) }
	wrap := func(s string) string { return textsafe.Wrap(s, w) }
	var b strings.Builder
	b.WriteString(t.Form.Title.Render(line("Rotate "+p.label(p.old))) + "\n\n")
	switch p.stage {
	case Loading:
		b.WriteString(p.spin.View() + " Reading the token…")
	case Confirm, Creating:
		b.WriteString(wrap("A new token is created with the same name, description, modules and icon. Its value is shown once; after you confirm it is saved, the old token is disabled (its calls are refused from then on).") + "\n\n")
		mods := make([]string, 0, len(p.old.Modules))
		for _, m := range p.old.Modules {
			n := m.Name
			if n == "" {
				n = m.ID
			}
			mods = append(mods, textsafe.Line(n, 40))
		}
		b.WriteString(line("  Modules  "+strings.Join(mods, ", ")) + "\n")
	case Shown:
		// Sentences wrap: cut at the minimum width they would lose what
		// to do.
		b.WriteString(t.Summary.Success.Render(wrap("✓ The new token is created: "+p.label(*p.new))) + "\n\n")
		b.WriteString(t.Summary.Notice.Render(wrap("⚠ Copy the new token now: you will not see it again. The old one is still active.")) + "\n")
		b.WriteString(p.valueView(w) + "\n")
		switch {
		case p.copied:
			b.WriteString(t.Summary.Copied.Render(wrap("Copied to the clipboard: the terminal confirmed it holds the new token.")) + "\n")
		case p.copySent:
			b.WriteString(t.Form.Hint.Render(wrap("Sent to the terminal's clipboard (OSC 52), which may ignore it: paste to check.")) + "\n")
		}
		switch {
		case p.unsavedWarning() && p.copySent:
			b.WriteString("\n" + t.Status.Warning.Render(wrap("⚠ Copy not confirmed: the terminal did not say it holds the new token, and its value cannot be shown again. Paste to check, or press r to reveal it; press enter again to continue anyway.")))
		case p.unsavedWarning():
			b.WriteString("\n" + t.Status.Warning.Render(wrap("⚠ You have not copied or shown the new token's value yet: it cannot be shown again. Press c to copy or r to reveal it; press enter again to continue without it.")))
		default:
			b.WriteString("\n" + t.Form.Hint.Render(wrap("enter once it is saved where it is used; then the old token can be disabled.")))
		}
	case AskDisable:
		b.WriteString(wrap("Disable "+p.label(p.old)+" now? Its calls are refused from then on. "+p.label(*p.new)+" stays active.") + "\n\n")
		b.WriteString(t.Form.Hint.Render(wrap("y disables it · n keeps it active")))
	case Disabling, Checking:
		b.WriteString(p.spin.View() + " " + p.doing())
	}
	if p.iconErr != "" {
		b.WriteString("\n\n" + t.Summary.Notice.Render(wrap(p.iconErr)))
	}
	if p.text != "" {
		style := t.Summary.Copied
		if p.bad {
			style = t.Status.Error
		}
		b.WriteString("\n\n" + style.Render(wrap(p.text)))
	}
	return b.String()
}

func (p *Page) valueView(w int) string {
	t := p.c.Theme
	v := p.new.Token.Reveal()
	if !p.revealed {
		prefix := "idt:" + p.new.ID + ":"
		if !strings.HasPrefix(v, prefix) {
			prefix = ""
		}
		return t.Summary.TokenMasked.Render(textsafe.Line(prefix, 40) + strings.Repeat("•", 24))
	}
	v = textsafe.Line(v, 0)
	return t.Summary.Token.Render(ansi.Hardwrap(v, w, false))
}
