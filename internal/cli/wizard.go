package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"sync"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/ui"
)

// DefaultGrace is how long a stop request (SIGTERM, SIGINT) lets an open
// wizard run so that its user can copy a token, the console's default too.
const DefaultGrace = 10 * time.Minute

// WizardOptions configure the wizard, the command without a name.
type WizardOptions struct {
	Factory    *Factory
	API        APIFlags
	Accessible bool
}

func newCmdWizard(f *Factory, runF func(*WizardOptions) error) *cobra.Command {
	opts := &WizardOptions{Factory: f}
	cmd := &cobra.Command{
		Use:     "apitoken",
		Short:   "Create API tokens for the SoftwareOne Marketplace Platform",
		Long:    rootLong,
		Example: rootExample,
		Args:    noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runWizard(c.Context(), opts)
		},
	}
	opts.API.register(cmd.Flags())
	cmd.Flags().BoolVar(&opts.Accessible, "accessible", false, "Plain prompts for screen readers instead of the full-screen wizard")
	return cmd
}

func runWizard(ctx context.Context, opts *WizardOptions) error {
	f := opts.Factory
	conn, accessible, err := connectInteractive(ctx, f, &opts.API, opts.Accessible, "the wizard needs a terminal; in scripts use \"apitoken create\" (see apitoken create --help)")
	if err != nil {
		return err
	}
	defer conn.Close()

	created := &createdRecord{}
	uiOpts := appOptions(f, conn, created)
	if accessible {
		f.Signals.wait()
		err := ui.RunAccessible(ctx, uiOpts, f.IO.In, f.IO.Out)
		switch {
		case errors.Is(err, ui.ErrAborted):
			return errCancelled
		case errors.Is(err, ui.ErrValueLost):
			// Created, its value lost: the prompts said so, and what to do.
			return &exitError{code: ExitUnknown}
		case err != nil:
			return err
		case len(created.tokens()) == 0:
			return errCancelled
		}
		return nil
	}

	return runApp(ctx, f, conn, uiOpts, created, false)
}

// warmWidths fills go-runewidth's 2 MB width table beside the start-up:
// Bubble Tea measures the first frame in wcwidth cells, and the first rune
// above U+02FF fills the table, about a millisecond that would otherwise
// delay that frame. The renderer waits for its first tick meanwhile.
func warmWidths() { go ansi.StringWidthWc("─") }

// relaxStartupGC keeps the garbage collector out of the first frame: start-up
// allocates a few megabytes once (the width table, the first screen), and a
// collection at the default goal lands right on that frame. The goal goes
// back to the default (or the user's GOGC) a moment later.
func relaxStartupGC(getenv func(string) string) {
	if getenv("GOGC") != "" {
		return
	}
	old := debug.SetGCPercent(400)
	time.AfterFunc(startupGCWindow, func() { debug.SetGCPercent(old) })
}

// startupGCWindow is how long the relaxed goal holds: well past the first
// frame, well before a person has typed much.
const startupGCWindow = 300 * time.Millisecond

// appOptions are the full-screen app's options for a connection; created
// records what the app creates. It is kept by the API the app is given
// (trackedAPI), not by ui.Options.OnCreated: every create of the app goes
// through that API (the wizard's, its Replace, a rotation's), but only the
// wizard calls OnCreated.
func appOptions(f *Factory, conn *Connection, created *createdRecord) ui.Options {
	uiOpts := ui.Options{
		API:       &trackedAPI{API: conn.Client, record: created},
		AccountID: conn.AccountID,
		Sandbox:   conn.Sandbox,
		AllowLogo: true,
	}
	if !conn.Sandbox {
		// The built-in sandbox has no address anyone could use: it is
		// reached through memory, and only by this process.
		uiOpts.BaseURL = conn.Client.BaseURL()
	}
	if f.Clipboard != nil {
		uiOpts.NativeClipboard = f.Clipboard(f.Getenv)
	}
	return uiOpts
}

// runApp runs the full-screen app until it ends, and says what became of
// the tokens it created (or, without one, why the sandbox did not start).
// Without a create, leaving is a cancel unless creating was not the point
// (the API tokens page).
func runApp(ctx context.Context, f *Factory, conn *Connection, uiOpts ui.Options, created *createdRecord, browsing bool) error {
	model := &lateApp{opts: uiOpts, ready: f.Signals.wait, record: created}
	teaOpts := []tea.ProgramOption{
		tea.WithInput(f.IO.In), tea.WithOutput(f.IO.Out),
		// The renderer flushes on a ticker: at 120 fps (Bubble Tea's
		// maximum) the first frame reaches the terminal up to 8 ms sooner.
		tea.WithFPS(120),
		// Signals are handled here, once: a request to stop never drops a
		// created token.
		tea.WithoutSignalHandler(),
	}
	if f.OutProfile != nil {
		teaOpts = append(teaOpts, tea.WithColorProfile(*f.OutProfile))
	}
	p := tea.NewProgram(model, teaOpts...)
	stopWatch := make(chan struct{})
	var hungUp bool
	var watched sync.WaitGroup
	watched.Go(func() {
		hungUp = superviseWizard(ctx, f.Signals, p, time.After, stopWatch)
	})
	_, runErr := p.Run()
	close(stopWatch)
	watched.Wait()
	// A create still in flight (the program was killed) is waited for, so
	// its token id is reported and no request outlives the process's word.
	created.wait()
	return endApp(f.IO.ErrOut, conn, created, appEnd{
		runErr: runErr, hungUp: hungUp, browsing: browsing,
		uncopied: model.uncopied(), summary: model.summaryID(),
	})
}

// appEnd is how the full-screen app ended.
type appEnd struct {
	runErr   error
	hungUp   bool // the terminal closed (SIGHUP)
	browsing bool // the API tokens page: leaving without a create is no cancel
	// uncopied: the wizard's token, if any, was not copied (lateApp.uncopied).
	uncopied bool
	// summary is the id of the token on the wizard's Summary ("" if none).
	summary string
}

// endApp says, once the app has ended and no create is in flight, what the
// run created, and returns how the command ends.
//
// Every token the run created is listed, one line each, in the order they
// were created: the wizard's (from the start or the list's Add) and the
// rotations'. Ids are not secret; the lines stay in the scrollback as a
// record. Edits, enables, disables and deletes are not listed: they hand
// out no new credential, each is said on screen as it is done and kept in
// the token's audit trail, and a longer list would bury the lines about new
// tokens, which someone may still have to store or revoke.
//
// The exit codes are the wizard's: without a create, a cancel (or the
// sandbox's failure, or an unknown outcome); a hangup while the wizard's
// own token had not been copied is "created, value lost". A rotation's
// new token does not count there: the old token stays active until its
// user confirms the new value is saved.
func endApp(w io.Writer, conn *Connection, created *createdRecord, end appEnd) error {
	if conn.Sandbox {
		fmt.Fprintln(w, sandboxUsedNotice)
	}
	toks := created.tokens()
	for _, t := range toks {
		if t.name == "" {
			fmt.Fprintf(w, "Created API token %s.\n", sanitizeLine(t.id))
			continue
		}
		fmt.Fprintf(w, "Created API token %s %q.\n", sanitizeLine(t.id), sanitizeLine(t.name))
	}
	none := len(toks) == 0
	switch {
	case end.runErr != nil && !errors.Is(end.runErr, tea.ErrProgramKilled):
		return end.runErr
	case none && conn.StartErr != nil && conn.StartErr() != nil:
		return conn.StartErr()
	case none && created.unknown():
		fmt.Fprintln(w, "apitoken: a create was in flight and its outcome is unknown: look for the token in the portal before trying again.")
		return &exitError{code: ExitUnknown}
	case none && end.browsing:
		return nil
	case none:
		return errCancelled
	case end.hungUp && created.byWizard() && end.uncopied:
		id := end.summary
		if id == "" {
			id = created.wizardPending() // answered after the program ended
		}
		if id == "" {
			fmt.Fprintln(w, "apitoken: the terminal closed before the token was copied: its value is lost. Disable the token in the portal and create a new one.")
		} else {
			fmt.Fprintf(w, "apitoken: the terminal closed before the token %s was copied: its value is lost. Disable it in the portal and create a new one.\n", sanitizeLine(id))
		}
		return &exitError{code: ExitUnknown}
	}
	return nil
}

// lateApp builds the app in Init rather than before the program starts:
// Bubble Tea calls Init once its renderer runs, and the renderer draws the
// first frame on its first tick, 8 ms later at 120 fps. Building the app
// (theme, pages, inputs: about a millisecond) inside that wait brings the
// first frame as much sooner. Bubble Tea calls Init before View and Update.
//
// Init also waits for the process's signal subscription (ready): the app
// sends nothing with an effect before it handles a key, and it handles
// none before Init returns.
//
// After every update it tells record whether the wizard has a request out,
// so that the creates sent meanwhile count as the wizard's.
type lateApp struct {
	opts   ui.Options
	ready  func()
	record *createdRecord // nil: nothing is told
	m      *ui.Model      // nil until Init
}

func (a *lateApp) Init() tea.Cmd {
	a.m = ui.New(a.opts)
	a.ready()
	return a.m.Init()
}

func (a *lateApp) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := a.m.Update(msg)
	if a.record != nil {
		// Before the commands run: a create the update sent reads it.
		d := a.m.Data()
		a.record.setWizardBusy(d != nil && d.Create.Busy())
	}
	return a, cmd
}

func (a *lateApp) View() tea.View { return a.m.View() }

// uncopied reports whether the wizard's token (if any) was not copied;
// false when the program ended before the app was built.
func (a *lateApp) uncopied() bool {
	return a.m != nil && a.m.Data() != nil && !a.m.Data().Copied
}

// summaryID is the id of the token on the wizard's Summary, "" when it
// shows none (or the program ended before the app was built).
func (a *lateApp) summaryID() string {
	if a.m == nil || a.m.Data() == nil || a.m.Data().Created == nil {
		return ""
	}
	return a.m.Data().Created.ID
}

// program is what the signal supervisor does to a running wizard.
type program interface {
	Send(tea.Msg)
	Kill()
}

// superviseWizard turns signals into the wizard's ends: SIGHUP (the
// terminal is gone, nobody can read or copy anything) ends it at once;
// SIGINT or SIGTERM asks it to finish (ui.ShutdownMsg) and ends it after
// DefaultGrace, or at once on a second signal. It returns whether the end
// was a hangup, once the program has stopped (stop closed).
func superviseWizard(ctx context.Context, sigs *Signals, p program, after func(time.Duration) <-chan time.Time, stop <-chan struct{}) (hungUp bool) {
	select {
	case <-stop:
		return false
	case <-ctx.Done():
	}
	if signalOf(ctx) == syscall.SIGHUP {
		p.Kill()
		<-stop
		return true
	}
	p.Send(ui.ShutdownMsg{Reason: "apitoken was asked to stop"})
	var later <-chan os.Signal
	if sigs != nil {
		later = sigs.Later
	}
	select {
	case <-stop:
		return false
	case s := <-later:
		p.Kill()
		<-stop
		return s == syscall.SIGHUP
	case <-after(DefaultGrace):
		p.Kill()
		<-stop
		return false
	}
}

// createdRecord keeps what the app created in the run, written from its
// commands (possibly after the program ended) and read once it has.
type createdRecord struct {
	mu       sync.Mutex
	toks     []createdToken // in the order they were created
	inFlight sync.WaitGroup
	lost     bool // the latest create ended with an unknown outcome

	// wizardBusy: the wizard has a request out, as the app said after its
	// latest update. A create sent meanwhile is the wizard's: it has one
	// request out at a time and cannot be left while it does, so no other
	// page sends one then.
	wizardBusy bool
	// wizardMade: a create of the wizard made a token (any wizard of the
	// run: the list's Add opens a new one).
	wizardMade bool
	// pending is the token made by a create of the wizard's current
	// request, "" if none (yet): once the program was killed, the Summary
	// never shows it.
	pending string
}

// createdToken is what the record keeps of a token: never its value.
type createdToken struct{ id, name string }

// ended records the answer to a create; byWizard: the wizard sent it.
func (r *createdRecord) ended(tok *apiclient.APIToken, err error, byWizard bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lost = errors.Is(err, apiclient.ErrOutcomeUnknown)
	if err != nil || tok == nil {
		return
	}
	r.toks = append(r.toks, createdToken{id: tok.ID, name: tok.Name})
	if byWizard {
		r.wizardMade = true
		r.pending = tok.ID
	}
}

// tokens are the tokens created so far, in order.
func (r *createdRecord) tokens() []createdToken {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.toks)
}

func (r *createdRecord) unknown() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lost
}

// setWizardBusy says whether the wizard has a request out; a new request
// forgets what the previous one made.
func (r *createdRecord) setWizardBusy(busy bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if busy && !r.wizardBusy {
		r.pending = ""
	}
	r.wizardBusy = busy
}

// byWizard reports whether a create of the wizard made a token.
func (r *createdRecord) byWizard() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.wizardMade
}

// wizardPending is the token the wizard's request made while it was still
// out when the app ended, "" if none.
func (r *createdRecord) wizardPending() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.wizardBusy {
		return ""
	}
	return r.pending
}

func (r *createdRecord) wait() { r.inFlight.Wait() }

// trackedAPI records every token the app creates, and counts creates in
// flight, so a killed app can wait for the answer of the one it sent.
type trackedAPI struct {
	ui.API
	record *createdRecord
}

func (t *trackedAPI) CreateAPIToken(ctx context.Context, req *apiclient.CreateAPITokenRequest) (*apiclient.APIToken, error) {
	t.record.inFlight.Add(1)
	defer t.record.inFlight.Done()
	t.record.mu.Lock()
	byWizard := t.record.wizardBusy
	t.record.mu.Unlock()
	tok, err := t.API.CreateAPIToken(ctx, req)
	// Recorded before the create counts as done: wait sees it.
	t.record.ended(tok, err, byWizard)
	return tok, err
}

func isTerminal(io IOStreams) bool {
	in, ok1 := io.In.(*os.File)
	out, ok2 := io.Out.(*os.File)
	return ok1 && ok2 && term.IsTerminal(in.Fd()) && term.IsTerminal(out.Fd())
}

// connectInteractive is the start of the full-screen commands: it picks the
// plain accessible prompts when asked or when the terminal is dumb, refuses
// the full screen without a terminal (noTerminal says what to use instead),
// and connects.
func connectInteractive(ctx context.Context, f *Factory, api *APIFlags, askedAccessible bool, noTerminal string) (*Connection, bool, error) {
	accessible := askedAccessible || f.Getenv("TERM") == "dumb"
	if !accessible && !isTerminal(f.IO) {
		return nil, false, usagef("%s", noTerminal)
	}
	if !accessible {
		relaxStartupGC(f.Getenv)
		warmWidths()
	}
	notes := f.IO.ErrOut
	if !accessible {
		// The full screen would cover the notice at once (its badge says
		// "sandbox" meanwhile); runApp leaves it in the scrollback at the end.
		notes = io.Discard
	}
	conn, err := f.Connect(ctx, api, notes)
	if err != nil {
		return nil, false, err
	}
	return conn, accessible, nil
}
