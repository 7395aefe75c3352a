package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"charm.land/huh/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/pathinput"
	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/ui/pages/wizard"
)

// ErrAborted means the user left the accessible flow (end of input)
// before adding a token.
var ErrAborted = errors.New("aborted before adding a token")

// RunAccessible runs the wizard as plain prompts, one question a line, for
// screen readers: huh's accessible mode for the fields, the same checks and
// the same create rules as the full-screen wizard. Nothing is redrawn and
// no colour or cursor sequence is written.
func RunAccessible(ctx context.Context, opts Options, in io.Reader, out io.Writer) error {
	opts.setDefaults()
	w := &colorprofile.Writer{Forward: out, Profile: colorprofile.NoTTY}
	r := newLineReader(ctx, in)
	defer r.stop()
	say := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }

	title := "Add API token"
	if opts.Sandbox {
		title += " (sandbox: nothing leaves this machine)"
	}
	say("%s", title)
	say("Fetching the account and its modules…")
	account, modules, err := loadAccessible(ctx, opts)
	if err != nil {
		return err
	}
	say("Account: %s (%s)", textsafe.Line(account.Name, 80), opts.AccountID)
	if len(modules) == 0 {
		say("No modules are enabled for this account. A token needs at least one: ask SoftwareOne to enable modules for it.")
		return nil
	}
	say("")

	req := &apiclient.CreateAPITokenRequest{AccountID: opts.AccountID}
	ask := func(f accessibleField) error {
		err := f.RunAccessible(w, r)
		switch {
		case ctx.Err() != nil || errors.Is(err, context.Canceled): // ctrl+c, or the program is ending
			say("")
			say("Cancelled. Nothing was sent.")
			return fmt.Errorf("%w: %w", ErrAborted, ctx.Err())
		case err != nil:
			return err
		case r.eof():
			return ErrAborted
		}
		return nil
	}

	// General.
	if err := ask(huh.NewInput().Title("API token name (required, up to 100 characters):").
		Value(&req.Name).Validate(apiclient.CheckName)); err != nil {
		return err
	}
	req.Name = strings.TrimSpace(req.Name)
	if err := ask(huh.NewInput().Title("Description (optional, press enter to skip):").
		Value(&req.Description).Validate(apiclient.CheckDescription)); err != nil {
		return err
	}
	req.Description = strings.TrimSpace(req.Description)
	if opts.AllowLogo {
		var path string
		if err := ask(huh.NewInput().Title("Logo file (optional: PNG, JPEG, GIF or SVG up to 1 MiB; enter to skip):").
			Value(&path).Validate(func(p string) error {
			if strings.TrimSpace(p) == "" {
				return nil
			}
			// What a terminal pastes when a file is dropped, as on General.
			path, err := pathinput.Parse(p, os.UserHomeDir)
			if err != nil {
				return err
			}
			icon, _, err := apiclient.ReadIcon(path)
			req.Icon = icon
			return err
		})); err != nil {
			return err
		}
	}

	// Modules. The validation runs here rather than in the field: on end
	// of input huh re-asks a failing multi-select forever.
	options := make([]huh.Option[string], len(modules))
	for i, m := range modules {
		label := textsafe.Line(m.Name, 80) + " (" + m.ID + ")"
		if d := textsafe.Line(m.Description, 120); d != "" {
			label += ": " + d
		}
		options[i] = huh.NewOption(label, m.ID)
	}
	for len(req.ModuleIDs) == 0 {
		ids, err := pickModules(ask, say, options)
		if err != nil {
			return err
		}
		req.ModuleIDs = ids
		if len(req.ModuleIDs) == 0 {
			say("Select at least one module.")
		}
	}

	// Overview.
	say("")
	say("Overview")
	say("  Name: %s", textsafe.Line(req.Name, 0))
	say("  Description: %s", cmp.Or(textsafe.Line(req.Description, 0), "none"))
	if req.Icon != nil {
		say("  Logo: %s", textsafe.Line(req.Icon.Filename, 80))
	}
	say("  Modules: %s", strings.Join(req.ModuleIDs, ", "))
	add := true
	if err := ask(huh.NewConfirm().Title("Add this token?").Value(&add)); err != nil {
		return err
	}
	if !add {
		say("Nothing was sent.")
		return ErrAborted
	}

	say("Creating the token…")
	tok, err := opts.API.CreateAPIToken(context.WithoutCancel(ctx), req)
	if unknown, ok := errors.AsType[*apiclient.OutcomeUnknownError](err); ok {
		say("The API did not answer. Checking whether the token was created (this can take a while: the request may still be handled)…")
		att := unknown.Attempt
		res, cerr := wizard.FindLost(opts.API, att, max(att.SettleUntil.Sub(opts.Clock()), 0))
		name := textsafe.Line(req.Name, 0)
		switch {
		case cerr != nil:
			say("Could not check. Look for a token named %q in the portal before trying again.", name)
		case res.State == apiclient.LostFound:
			say("The token was created (%s) but its value was lost and cannot be shown again. Disable it in the portal and add a new one.", textsafe.Line(res.Token.ID, 20))
		case res.State == apiclient.LostFoundUncertain:
			say("A token named %q was created (%s), but it may not be this one: %s. Check it in the portal before disabling anything or adding again.",
				name, textsafe.Line(res.Token.ID, 20), textsafe.Line(res.Reason, 200))
		default:
			say("No token named %q was found yet. It may still appear: look in the portal before adding it again.", name)
		}
		return err
	}
	if err != nil {
		return err
	}
	if opts.OnCreated != nil {
		opts.OnCreated(tok)
	}
	say("")
	say("Your token is created: %s, status %s.", textsafe.Line(tok.ID, 20), textsafe.Line(tok.Status, 20))
	shown := false
	if opts.NativeClipboard != nil {
		cp := true
		if ask(huh.NewConfirm().Title("Copy the token value to the system clipboard?").Value(&cp)) == nil && cp {
			if err := opts.NativeClipboard(tok.Token.Reveal()); err == nil {
				say("Copied to the system clipboard.")
				shown = true
			} else {
				say("Could not copy to the clipboard: %s", textsafe.Line(err.Error(), 200))
			}
		}
	}
	// Printed only on request: a line-based terminal keeps what it printed
	// in its scrollback, where the value would outlive this session.
	if !shown {
		show := false
		if ask(huh.NewConfirm().Title("Print the token value here? It will stay in this terminal's scrollback until you clear it.").Value(&show)) == nil && show {
			say("Token value, shown this once: %s", textsafe.Line(tok.Token.Reveal(), 0))
			say("Clear the scrollback once you have stored it.")
			shown = true
		}
	}
	if !shown {
		say("The token value was not shown, and cannot be shown again. If you need it, disable this token in the portal and add a new one.")
		return nil
	}
	say("Store the token now: you will not see it again. It can take up to a minute before it works everywhere.")
	return nil
}

func loadAccessible(ctx context.Context, opts Options) (*apiclient.Account, []apiclient.Module, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var (
		wg      sync.WaitGroup
		account *apiclient.Account
		aerr    error
	)
	wg.Go(func() { account, aerr = opts.API.GetAccount(ctx, opts.AccountID) })
	modules, merr := opts.API.ListEnabledModules(ctx, opts.AccountID)
	wg.Wait()
	if aerr != nil {
		return nil, nil, aerr
	}
	return account, modules, merr
}

// lineReader hands huh one byte per read: huh makes a new buffered scanner
// for every prompt, which would otherwise swallow the answers to the next
// prompts when input is piped. It remembers end of input, which huh cannot
// report, and ends a read when ctx ends (ctrl+c), which a blocked read of
// the terminal would not.
type lineReader struct {
	ctx   context.Context
	bytes chan readResult
	done  bool
	quit  chan struct{}
}

type readResult struct {
	b   byte
	n   int
	err error
}

func newLineReader(ctx context.Context, r io.Reader) *lineReader {
	l := &lineReader{ctx: ctx, bytes: make(chan readResult), quit: make(chan struct{})}
	go func() {
		var p [1]byte
		for {
			n, err := r.Read(p[:])
			if n == 0 && err == nil {
				continue
			}
			select {
			case l.bytes <- readResult{p[0], n, err}:
			case <-l.quit:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return l
}

// stop lets the reading goroutine end at its next byte.
func (l *lineReader) stop() { close(l.quit) }

func (l *lineReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if l.done {
		return 0, io.EOF
	}
	select {
	case <-l.ctx.Done():
		l.done = true
		return 0, l.ctx.Err()
	case res := <-l.bytes:
		if res.n == 0 && res.err != nil {
			l.done = true
			if res.err == io.EOF {
				return 0, io.EOF
			}
			return 0, res.err
		}
		if res.b == 0x03 { // ctrl+c typed into a raw terminal
			l.done = true
			return 0, context.Canceled
		}
		p[0] = res.b
		return 1, nil
	}
}

func (l *lineReader) eof() bool { return l.done }

// pickModules asks for modules by number, one toggle an answer, 0 (or
// nothing) when done; see askNumber for why not huh's MultiSelect.
func pickModules(ask func(accessibleField) error, say func(string, ...any), options []huh.Option[string]) ([]string, error) {
	selected := make([]bool, len(options))
	for {
		say("Modules the token may use. Enter a number to select or unselect it, 0 when done.")
		for i, o := range options {
			mark := " "
			if selected[i] {
				mark = "✓"
			}
			say("%d. %s %s", i+1, mark, o.Key)
		}
		say("0.   Confirm selection")
		n, ok, err := askNumber(ask, 0, len(options))
		if err != nil {
			return nil, err
		}
		if !ok || n == 0 {
			var ids []string
			for i, on := range selected {
				if on {
					ids = append(ids, options[i].Value)
				}
			}
			return ids, nil
		}
		selected[n-1] = !selected[n-1]
	}
}
