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

// ErrValueLost means the accessible flow added a token but its value was
// neither copied nor printed, and cannot be shown again. The flow has said
// so, and what to do with the token.
var ErrValueLost = errors.New("the token was created but its value was not shown")

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
	say("  Modules: %s", moduleNames(modules, req.ModuleIDs))
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
			id := textsafe.Line(res.Token.ID, 20)
			if opts.Sandbox {
				say("The token was created (%s) but its value was lost and cannot be shown again; it ends with this program.", id)
			} else {
				say("The token was created (%s) but its value was lost and cannot be shown again. `apitoken rotate %s` adds a new one with the same settings and disables it.", id, id)
			}
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
	if !deliverAccessible(ctx, opts, tok, w, r, say) {
		return fmt.Errorf("%w: %s", ErrValueLost, textsafe.Line(tok.ID, 20))
	}
	say("Store the token now: you will not see it again. It can take up to a minute before it works everywhere.")
	return nil
}

// deliverAccessible hands over a created token's value: to the system
// clipboard, or printed on request. The value is printed only on a "y": a
// line-based terminal keeps what it printed in its scrollback, where the
// value would outlive this session. The first "no" (the default) is asked
// again with its consequence, since the value cannot be shown later; a
// second one, end of input or ctrl+c leaves the token without its value,
// and the user is told what to do with it. It reports whether the value
// was handed over.
func deliverAccessible(ctx context.Context, opts Options, tok *apiclient.APIToken, w io.Writer, r *lineReader, say func(string, ...any)) bool {
	// An answer counts only when the input goes on: after the create
	// nothing is "not sent", so an end is no cancel but a lost value.
	answer := func(f accessibleField) (ended bool) {
		err := f.RunAccessible(w, r)
		return err != nil || ctx.Err() != nil || r.eof()
	}
	value := tok.Token.Reveal()
	ended := false
	if opts.NativeClipboard != nil {
		cp := true
		ended = answer(huh.NewConfirm().Title("Copy the token value to the system clipboard?").Value(&cp))
		if !ended && cp {
			err := opts.NativeClipboard(value)
			if err == nil {
				say("Copied to the system clipboard.")
				return true
			}
			// The value goes to the helper's input; should its error
			// echo it, it is not printed unasked.
			msg := strings.ReplaceAll(err.Error(), value, "[token value]")
			say("Could not copy to the clipboard: %s", textsafe.Line(msg, 200))
		}
	}
	show := false
	if !ended {
		ended = answer(huh.NewConfirm().Title("Print the token value here? It will stay in this terminal's scrollback until you clear it.").Value(&show))
	}
	if !ended && !show {
		ended = answer(huh.NewConfirm().Title("Without its value the token cannot be used, and the value cannot be shown again. Print it now?").Value(&show))
	}
	if !ended && show {
		say("Token value, shown this once: %s", textsafe.Line(value, 0))
		say("Clear the scrollback once you have stored it.")
		return true
	}
	id := textsafe.Line(tok.ID, 20)
	say("")
	say("The value of %s was not shown, and it cannot be shown again: the token cannot be used without it.", id)
	if opts.Sandbox {
		say("This is the built-in sandbox: the token ends with this program, so there is nothing to disable.")
		return false
	}
	say("To get a token you can use, run `apitoken rotate %s`: it adds a new token with the same settings, prints its value once and, when you say it is stored, disables this one.", id)
	say("If you do not need the token, disable it with `apitoken disable %s`.", id)
	return false
}

// moduleNames says the chosen modules as the portal's review does, by
// name, with the id a screen reader user may need to tell two apart.
func moduleNames(catalog []apiclient.Module, ids []string) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = textsafe.Line(id, 20)
		for _, m := range catalog {
			if m.ID == id {
				names[i] = textsafe.Line(m.Name, 80) + " (" + names[i] + ")"
				break
			}
		}
	}
	return strings.Join(names, ", ")
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
