package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	tea "charm.land/bubbletea/v2"
	"github.com/atotto/clipboard"
	"github.com/charmbracelet/x/term"

	"github.com/softwareone/apitoken/ui"
)

func runWizard(ctx context.Context, args []string, e *env) int {
	fs := flag.NewFlagSet("apitoken", flag.ContinueOnError)
	var api apiFlags
	api.register(fs)
	var accessible, showVersion bool
	fs.BoolVar(&accessible, "accessible", false, "")
	fs.BoolVar(&showVersion, "version", false, "")
	if done, code := parseFlags(fs, args, rootHelp, e); done {
		return code
	}
	if showVersion {
		fmt.Fprintf(e.stdout, "apitoken version %s\n", buildVersion())
		return exitOK
	}
	if !accessible && !isTerminal(e) {
		return fail(e, usagef("the wizard needs a terminal; in scripts use \"apitoken create\" (see apitoken create --help)"))
	}

	conn, err := connect(ctx, &api, e)
	if err != nil {
		return fail(e, err)
	}
	defer conn.close()

	opts := ui.Options{
		API:             conn.client,
		AccountID:       conn.accountID,
		Sandbox:         conn.sandbox,
		AllowLogo:       true,
		NativeClipboard: nativeClipboard(e),
	}
	if accessible {
		err := ui.RunAccessible(ctx, opts, e.stdin, e.stdout)
		if err != nil && !errors.Is(err, ui.ErrAborted) {
			return fail(e, err)
		}
		return exitOK
	}

	model := ui.New(opts)
	p := tea.NewProgram(model,
		tea.WithInput(e.stdin), tea.WithOutput(e.stdout),
		// The renderer flushes on a ticker: at 120 fps (Bubble Tea's
		// maximum) the first frame reaches the terminal up to 8 ms sooner.
		tea.WithFPS(120),
		// Signals become a request to end that never drops a created
		// token: the wizard waits for an answer in flight and shows it.
		tea.WithoutSignalHandler())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sig)
	go func() {
		for range sig {
			p.Send(ui.ShutdownMsg{Reason: "apitoken was asked to stop"})
		}
	}()
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return fail(e, err)
	}
	if tok := model.Data().Created; tok != nil {
		// The id is not secret; leave it in the scrollback as a record.
		fmt.Fprintf(e.stderr, "Created API token %s.\n", sanitizeLine(tok.ID))
	}
	return exitOK
}

func isTerminal(e *env) bool {
	in, ok1 := e.stdin.(*os.File)
	out, ok2 := e.stdout.(*os.File)
	return ok1 && ok2 && term.IsTerminal(in.Fd()) && term.IsTerminal(out.Fd())
}

// nativeClipboard is the system clipboard where there is a desktop session
// to own one; OSC 52 covers the rest (SSH, tmux, headless machines).
func nativeClipboard(e *env) func(string) error {
	if e.getenv("DISPLAY") == "" && e.getenv("WAYLAND_DISPLAY") == "" && e.getenv("TERM_PROGRAM") != "Apple_Terminal" && e.getenv("TERM_PROGRAM") != "iTerm.app" {
		return nil
	}
	if clipboard.Unsupported {
		return nil
	}
	return clipboard.WriteAll
}
