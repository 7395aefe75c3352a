// Package actions is the Enable, Disable and Delete of an API token, shared
// by the API tokens page and the token details page: the confirmation
// dialog (which says what will happen and starts on the safe answer), the
// API call, and what its outcome means for the person.
//
// A page opens one with New, hands it every message while Active, draws
// View over its own body with dialog.Overlay, and acts on the ResultMsg it
// ends with. The root never needs to know about it, except that
// ResultMsg may reach a page that did not start the action: the details
// page pops itself after a Delete and re-sends the ResultMsg so the list
// underneath reports it and drops the row.
//
// The root handles one message: QuitReadyMsg, sent when an action that
// held a quit (Ctrl+C or a shutdown while its call was out) has its
// answer; the root then asks the pages' RequestQuit again.
//
// Outcomes are never guessed: a 404 says the token changed or vanished (the
// page refreshes), and an answer that never came is reported as unknown
// and not retried; the person refreshes to learn the state.
package actions

import (
	"context"
	"errors"
	"net"
	"net/http"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/theme"
	"github.com/softwareone/apitoken/ui/common"
	"github.com/softwareone/apitoken/ui/components/dialog"
)

// API is what the actions need from the Marketplace API.
type API interface {
	EnableAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error)
	DisableAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error)
	DeleteAPIToken(ctx context.Context, id string) error
}

// Kind is the action.
type Kind int

// The actions.
const (
	Enable Kind = iota
	Disable
	Delete
)

// String is the action's verb as a label: "Enable", "Disable", "Delete".
func (k Kind) String() string {
	switch k {
	case Enable:
		return "Enable"
	case Disable:
		return "Disable"
	default:
		return "Delete"
	}
}

func (k Kind) doing() string {
	switch k {
	case Enable:
		return "Enabling"
	case Disable:
		return "Disabling"
	default:
		return "Deleting"
	}
}

func (k Kind) done() string {
	switch k {
	case Enable:
		return "enabled"
	case Disable:
		return "disabled"
	default:
		return "deleted"
	}
}

// Toggle is Disable for an active token and Enable otherwise: the one
// that applies.
func Toggle(status string) Kind {
	if status == apiclient.TokenStatusActive {
		return Disable
	}
	return Enable
}

// Target is the token an action is about, as the page shows it.
type Target struct {
	ID, Name, Status string
}

// Outcome is what is known after the call.
type Outcome int

// The outcomes.
const (
	// Done: the API answered that the change holds.
	Done Outcome = iota
	// NotFound: the token does not exist any more (deleted meanwhile, or
	// never visible); nothing was changed by this action.
	NotFound
	// Failed: the API refused the change; nothing changed.
	Failed
	// Unknown: no answer came (a timeout, a dropped connection, a server
	// failure): the change may or may not have happened.
	Unknown
)

// ResultMsg is how an action ended. Token is the token as the API now has
// it after a Done Enable or Disable (nil otherwise).
type ResultMsg struct {
	Kind    Kind
	Target  Target
	Outcome Outcome
	Token   *apiclient.APIToken
	Err     error
}

// Text is the line to show for the result; Trace, when not empty, the
// trace id to quote to support (a second line). Both are safe to draw.
func (r ResultMsg) Text() string {
	name := r.Target.label()
	switch r.Outcome {
	case Done:
		switch r.Kind {
		case Disable:
			return name + " is disabled: its calls are refused until it is enabled again."
		case Enable:
			return name + " is enabled: its calls are accepted again."
		default:
			return name + " is deleted."
		}
	case NotFound:
		return name + " was not found: it was changed or deleted meanwhile. Nothing was " + r.Kind.done() + "; the page is refreshed."
	case Unknown:
		return "No answer to the " + lower(r.Kind) + " of " + name + ": it may or may not have happened. It was not retried; refresh (r) to see its state."
	default:
		return "Could not " + lower(r.Kind) + " " + name + ": " + common.ErrorText(r.Err) + " Nothing changed."
	}
}

// Trace is the trace id of the failure, for support ("" for none).
func (r ResultMsg) Trace() string {
	if r.Err == nil {
		return ""
	}
	return common.TraceOf(r.Err)
}

func lower(k Kind) string {
	switch k {
	case Enable:
		return "enable"
	case Disable:
		return "disable"
	default:
		return "delete"
	}
}

func (t Target) label() string { return common.TokenLabel(t.Name, t.ID) }

// QuitReadyMsg says that an action which held a quit (RequestQuit
// answered false while its call was out) has its answer: the root asks
// every page's RequestQuit again, with Shutdown as the first ask had it.
// Result is how the action ended, for a line printed after the program
// ends if the root wants one.
type QuitReadyMsg struct {
	Shutdown bool
	Result   ResultMsg
}

// ChangedMsg says a token changed away from the page that lists it (on
// the details page, or saved by the edit flow): a page showing it redraws
// it from Token, without a reload. The details page sends it when it is
// left after a change.
type ChangedMsg struct{ Token apiclient.APIToken }

// Classify says what an error from the API means for the change: nil is
// Done.
func Classify(err error) Outcome {
	switch {
	case err == nil:
		return Done
	case apiclient.IsNotFound(err):
		return NotFound
	}
	if _, ok := errors.AsType[*apiclient.InvalidRequestError](err); ok {
		return Failed // refused before anything was sent
	}
	if _, answered := errors.AsType[*apiclient.Error](err); answered {
		if apiclient.StatusCode(err) >= http.StatusInternalServerError {
			return Unknown // the server failed while handling it: it may have committed
		}
		return Failed
	}
	if notSent(err) {
		return Failed
	}
	// No answer: a timeout, or the connection dropped after the request
	// went out. The client words these as transport errors for every write
	// but a create, so anything else without an answer is unknown.
	return Unknown
}

// notSent reports errors that happen before a request is written: DNS and
// connection failures.
func notSent(err error) bool {
	if _, ok := errors.AsType[*net.DNSError](err); ok {
		return true
	}
	if op, ok := errors.AsType[*net.OpError](err); ok && op.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// Timeout bounds an action. It runs on its own context, not the program's:
// once sent, it is seen through, so its outcome is known or reported
// unknown, never cut off half-way.
const Timeout = time.Minute

type state int

const (
	asking state = iota
	running
	finished
)

// Model is one action, from its dialog to its result.
type Model struct {
	c      *common.Common
	api    API
	kind   Kind
	target Target
	dlg    dialog.Model
	state  state
	// leaving is set when a quit was asked for while the call was out;
	// shutdown when one of those asks was a shutdown.
	leaving, shutdown bool
}

// doneMsg carries the call's answer back; it becomes a ResultMsg.
type doneMsg struct {
	m   *Model
	tok *apiclient.APIToken
	err error
}

// New opens the dialog for kind on target.
func New(c *common.Common, api API, kind Kind, target Target) *Model {
	m := &Model{c: c, api: api, kind: kind, target: target}
	m.dlg = dialog.New(options(kind, target), styles(c.Theme))
	m.dlg.SetWidth(c.Width)
	return m
}

func styles(t *theme.Theme) theme.DialogStyles { return t.Dialog() }

func options(kind Kind, t Target) dialog.Options {
	name := t.label()
	o := dialog.Options{ID: lower(kind) + ":" + t.ID, Confirm: kind.String()}
	switch kind {
	case Enable:
		o.Title = "Enable this API token?"
		o.Body = name + " will be accepted again by the Marketplace API for the modules it was given."
	case Disable:
		o.Title = "Disable this API token?"
		o.Body = name + " will stop working: every call made with it is refused until it is enabled again. Anything that uses it breaks meanwhile."
		o.Danger = true
	default:
		o.Title = "Delete this API token?"
		o.Body = name + " will be deleted. This cannot be undone: every call made with it is refused from then on, and it cannot be enabled again."
		o.Danger = true
		o.TypeBack = []string{t.Name, t.ID}
	}
	return o
}

// Kind is the action.
func (m *Model) Kind() Kind { return m.kind }

// Target is the token the action is about.
func (m *Model) Target() Target { return m.target }

// Active reports whether the action still needs the page's messages: the
// dialog is open or the call is out.
func (m *Model) Active() bool { return m.state != finished }

// Running reports whether the call is out, its answer not yet known.
func (m *Model) Running() bool { return m.state == running }

// Capturing reports whether the dialog takes typed text (the Delete
// type-back), so single-letter global keys must reach it.
func (m *Model) Capturing() bool { return m.state == asking && m.dlg.Focus() == "input" }

// SetWidth follows the screen's width.
func (m *Model) SetWidth(w int) { m.dlg.SetWidth(w) }

// RequestQuit is asked when the person or a shutdown wants the program to
// end. While the call is out the answer is awaited (it is bounded by
// Timeout), so nothing half-done is reported as done: the first ask says
// no, a second one from the person lets go; a shutdown always waits. Once
// the answer is in, QuitReadyMsg asks the root to try again.
func (m *Model) RequestQuit(shutdown bool) bool {
	if m.state != running {
		return true
	}
	if m.leaving && !shutdown && !m.shutdown {
		return true // the person insists
	}
	m.leaving = true
	m.shutdown = m.shutdown || shutdown
	return false
}

// Leaving reports whether a quit was asked for while the call was out.
func (m *Model) Leaving() bool { return m.leaving }

// Update handles the dialog's keys and the call's answer. It returns the
// ResultMsg command when the action ends (then a QuitReadyMsg when a quit
// waited for it), and nil when the dialog is cancelled (Active turns
// false).
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case doneMsg:
		if msg.m != m || m.state != running {
			return nil
		}
		m.state = finished
		r := ResultMsg{Kind: m.kind, Target: m.target, Outcome: Classify(msg.err), Err: msg.err}
		if r.Outcome == Done {
			r.Token = msg.tok
		}
		result := func() tea.Msg { return r }
		if m.leaving {
			ready := QuitReadyMsg{Shutdown: m.shutdown, Result: r}
			return tea.Batch(result, func() tea.Msg { return ready })
		}
		return result
	case dialog.ResultMsg:
		if m.state != asking {
			return nil
		}
		if !msg.Confirmed {
			m.state = finished
			return nil
		}
		m.state = running
		return m.call()
	}
	if m.state != asking {
		return nil
	}
	var cmd tea.Cmd
	m.dlg, cmd = m.dlg.Update(msg)
	return cmd
}

// call sends the action on a context of its own (see Timeout).
func (m *Model) call() tea.Cmd {
	api, kind, id := m.api, m.kind, m.target.ID
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		var tok *apiclient.APIToken
		var err error
		switch kind {
		case Enable:
			tok, err = api.EnableAPIToken(ctx, id)
		case Disable:
			tok, err = api.DisableAPIToken(ctx, id)
		default:
			err = api.DeleteAPIToken(ctx, id)
		}
		return doneMsg{m: m, tok: tok, err: err}
	}
}

// View draws the dialog while it asks, and a box saying the call is out
// while it runs ("" once finished). Put it over the page with
// dialog.Overlay.
func (m *Model) View() string {
	switch m.state {
	case asking:
		return m.dlg.View()
	case running:
		st := m.c.Theme.Dialog()
		text := m.kind.doing() + " " + m.target.label() + "…"
		if m.leaving {
			text += "\nWaiting for the answer before quitting, so its outcome is known. Press ctrl+c again to quit without it (then check the token's state later)."
		}
		w := max(min(m.c.Width, 64)-4, 8)
		return st.Box.Width(w + 4).Render(st.Body.Width(w).Render(text))
	}
	return ""
}
