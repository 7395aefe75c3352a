package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/sandbox"
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
	accessible := opts.Accessible || f.Getenv("TERM") == "dumb"
	if !accessible && !isTerminal(f.IO) {
		return usagef("the wizard needs a terminal; in scripts use \"apitoken create\" (see apitoken create --help)")
	}
	if !accessible {
		// Bubble Tea measures the first frame in wcwidth cells, and the first
		// rune above U+02FF makes go-runewidth fill a 2 MB table, about a
		// millisecond that would delay that frame. Fill it now, beside the
		// start-up, while the renderer waits for its first tick.
		go ansi.StringWidthWc("─")
	}
	conn, err := connectWizard(ctx, f, &opts.API, f.IO.ErrOut)
	if err != nil {
		return err
	}
	defer conn.close()

	created := &createdRecord{}
	uiOpts := ui.Options{
		API:       &trackedAPI{API: conn.api, record: created},
		AccountID: conn.accountID,
		Sandbox:   conn.sandbox,
		AllowLogo: true,
		OnCreated: created.set,
	}
	if f.Clipboard != nil {
		uiOpts.NativeClipboard = f.Clipboard(f.Getenv)
	}
	if accessible {
		err := ui.RunAccessible(ctx, uiOpts, f.IO.In, f.IO.Out)
		switch {
		case errors.Is(err, ui.ErrAborted):
			return errCancelled
		case err != nil:
			return err
		case created.get() == nil:
			return errCancelled
		}
		return nil
	}

	model := ui.New(uiOpts)
	p := tea.NewProgram(model,
		tea.WithInput(f.IO.In), tea.WithOutput(f.IO.Out),
		// The renderer flushes on a ticker: at 120 fps (Bubble Tea's
		// maximum) the first frame reaches the terminal up to 8 ms sooner.
		tea.WithFPS(120),
		// Signals are handled here, once: a request to stop never drops a
		// created token.
		tea.WithoutSignalHandler())
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
	tok := created.get()
	if tok != nil {
		// The id is not secret; leave it in the scrollback as a record.
		fmt.Fprintf(f.IO.ErrOut, "Created API token %s.\n", sanitizeLine(tok.ID))
	}
	switch {
	case runErr != nil && !errors.Is(runErr, tea.ErrProgramKilled):
		return runErr
	case tok == nil && conn.startErr() != nil:
		return conn.startErr()
	case tok == nil && created.unknown():
		fmt.Fprintln(f.IO.ErrOut, "apitoken: a create was in flight and its outcome is unknown: look for the token in the portal before trying again.")
		return &exitError{code: ExitUnknown}
	case tok == nil:
		return errCancelled
	case hungUp && !model.Data().Copied:
		fmt.Fprintln(f.IO.ErrOut, "apitoken: the terminal closed before the token was copied: its value is lost. Disable the token in the portal and create a new one.")
		return &exitError{code: ExitUnknown}
	}
	return nil
}

// wizardConn is the wizard's connection: the API, the account, whether it
// is the sandbox.
type wizardConn struct {
	api       ui.API
	accountID string
	sandbox   bool
	late      *lateAPI // the sandbox being started, or nil
	closeConn func()
}

// connectWizard connects as Factory.Connect does, except on the built-in
// sandbox with its demo catalogue: there the account is known at once
// (flags, environment or the demo's default), and the sandbox starts beside
// the wizard's first frame rather than before it (seeding it and serving it
// on loopback cost about a millisecond); the wizard's first calls wait for
// it instead. A credential file or a fixture file is read first, as
// Connect does, so its errors come before the wizard opens.
func connectWizard(ctx context.Context, f *Factory, a *APIFlags, notes io.Writer) (*wizardConn, error) {
	if a.TokenFile == "" && a.Fixtures == "" {
		cfg, account, err := f.resolve(a)
		if err != nil {
			return nil, err
		}
		if useSandbox(a, cfg) {
			fx := sandbox.DemoFixture()
			if account == "" {
				account = fx.DefaultAccount
			}
			late := &lateAPI{ready: make(chan struct{})}
			go func() {
				defer close(late.ready)
				conn, err := f.startSandbox(fx, account)
				if err != nil {
					late.err = err
					return
				}
				late.api, late.closeConn = conn.Client, conn.Close
			}()
			fmt.Fprintln(notes, sandboxNotice)
			return &wizardConn{api: late, accountID: account, sandbox: true, late: late, closeConn: late.close}, nil
		}
	}
	conn, err := f.Connect(ctx, a, notes)
	if err != nil {
		return nil, err
	}
	return &wizardConn{api: conn.Client, accountID: conn.AccountID, sandbox: conn.Sandbox, closeConn: conn.Close}, nil
}

func (c *wizardConn) close() { c.closeConn() }

// startErr is why the sandbox could not start, once it is known; nil for
// a connection made before the wizard opened.
func (c *wizardConn) startErr() error {
	if c.late == nil {
		return nil
	}
	<-c.late.ready
	return c.late.err
}

// lateAPI is an API whose connection is still being made: each call waits
// for it, or for the call's context.
type lateAPI struct {
	ready     chan struct{} // closed once api or err is set
	api       ui.API
	err       error
	closeConn func()
}

func (l *lateAPI) get(ctx context.Context) (ui.API, error) {
	select {
	case <-l.ready:
		return l.api, l.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// close ends the connection once it is made.
func (l *lateAPI) close() {
	<-l.ready
	if l.closeConn != nil {
		l.closeConn()
	}
}

func (l *lateAPI) GetAccount(ctx context.Context, id string, selectFields ...string) (*apiclient.Account, error) {
	api, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return api.GetAccount(ctx, id, selectFields...)
}

func (l *lateAPI) ListEnabledModules(ctx context.Context, accountID string) ([]apiclient.Module, error) {
	api, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return api.ListEnabledModules(ctx, accountID)
}

func (l *lateAPI) CreateAPIToken(ctx context.Context, req *apiclient.CreateAPITokenRequest) (*apiclient.APIToken, error) {
	api, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return api.CreateAPIToken(ctx, req)
}

func (l *lateAPI) FindLostAPIToken(ctx context.Context, att apiclient.CreateAttempt, opts *apiclient.FindLostOptions) (*apiclient.LostResult, error) {
	api, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return api.FindLostAPIToken(ctx, att, opts)
}

func (l *lateAPI) DisableAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error) {
	api, err := l.get(ctx)
	if err != nil {
		return nil, err
	}
	return api.DisableAPIToken(ctx, id)
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
