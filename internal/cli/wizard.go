package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
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
		case created.get() == nil:
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
// records what the app creates.
func appOptions(f *Factory, conn *Connection, created *createdRecord) ui.Options {
	uiOpts := ui.Options{
		API:       &trackedAPI{API: conn.Client, record: created},
		AccountID: conn.AccountID,
		Sandbox:   conn.Sandbox,
		AllowLogo: true,
		OnCreated: created.set,
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
// the tokens it created (or, without one, why the sandbox did not start). Without a create, leaving is a cancel unless
// creating was not the point (the API tokens page).
func runApp(ctx context.Context, f *Factory, conn *Connection, uiOpts ui.Options, created *createdRecord, browsing bool) error {
	model := &lateApp{opts: uiOpts, ready: f.Signals.wait}
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
	if conn.Sandbox {
		fmt.Fprintln(f.IO.ErrOut, sandboxUsedNotice)
	}
	tok := created.get()
	if tok != nil {
		// The id is not secret; leave it in the scrollback as a record.
		fmt.Fprintf(f.IO.ErrOut, "Created API token %s.\n", sanitizeLine(tok.ID))
	}
	switch {
	case runErr != nil && !errors.Is(runErr, tea.ErrProgramKilled):
		return runErr
	case tok == nil && conn.StartErr != nil && conn.StartErr() != nil:
		return conn.StartErr()
	case tok == nil && created.unknown():
		fmt.Fprintln(f.IO.ErrOut, "apitoken: a create was in flight and its outcome is unknown: look for the token in the portal before trying again.")
		return &exitError{code: ExitUnknown}
	case tok == nil && browsing:
		return nil
	case tok == nil:
		return errCancelled
	case hungUp && model.uncopied():
		fmt.Fprintln(f.IO.ErrOut, "apitoken: the terminal closed before the token was copied: its value is lost. Disable the token in the portal and create a new one.")
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
type lateApp struct {
	opts  ui.Options
	ready func()
	m     *ui.Model // nil until Init
}

func (a *lateApp) Init() tea.Cmd {
	a.m = ui.New(a.opts)
	a.ready()
	return a.m.Init()
}

func (a *lateApp) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := a.m.Update(msg)
	return a, cmd
}

func (a *lateApp) View() tea.View { return a.m.View() }

// uncopied reports whether the wizard's token (if any) was not copied;
// false when the program ended before the app was built.
func (a *lateApp) uncopied() bool {
	return a.m != nil && a.m.Data() != nil && !a.m.Data().Copied
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

// createdRecord keeps what the wizard created, written from its commands
// (possibly after the program ended) and read once it has.
type createdRecord struct {
	mu       sync.Mutex
	tok      *apiclient.APIToken
	inFlight sync.WaitGroup
	lost     bool // a create ended with an unknown outcome and nothing found
}

func (r *createdRecord) set(t *apiclient.APIToken) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tok = t
}

func (r *createdRecord) get() *apiclient.APIToken {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tok
}

func (r *createdRecord) unknown() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lost
}

func (r *createdRecord) wait() { r.inFlight.Wait() }

// trackedAPI counts creates in flight, so a killed wizard can wait for the
// answer of the one it sent.
type trackedAPI struct {
	ui.API
	record *createdRecord
}

func (t *trackedAPI) CreateAPIToken(ctx context.Context, req *apiclient.CreateAPITokenRequest) (*apiclient.APIToken, error) {
	t.record.inFlight.Add(1)
	defer t.record.inFlight.Done()
	tok, err := t.API.CreateAPIToken(ctx, req)
	t.record.mu.Lock()
	t.record.lost = errors.Is(err, apiclient.ErrOutcomeUnknown)
	t.record.mu.Unlock()
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
