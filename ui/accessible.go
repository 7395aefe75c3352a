package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"charm.land/huh/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/ui/common"
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
	r := &lineReader{r: in}
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
	ask := func(f interface {
		RunAccessible(io.Writer, io.Reader) error
	}) error {
		if err := f.RunAccessible(w, r); err != nil {
			return err
		}
		if r.eof() {
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
			icon, _, err := apiclient.ReadIcon(common.ExpandHome(strings.TrimSpace(p)))
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
		if err := ask(huh.NewMultiSelect[string]().Title("Modules the token may use. Enter a number to select or unselect it, 0 when done.").
			Options(options...).Value(&req.ModuleIDs)); err != nil {
			return err
		}
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
	say("Token value, shown this once: %s", textsafe.Line(tok.Token.Reveal(), 0))
	say("Copy the token now: you will not see it again. It can take up to a minute before it works everywhere.")
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
// prompts when input is piped. It also remembers end of input, which huh
// cannot report.
type lineReader struct {
	r    io.Reader
	done bool
}

func (l *lineReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, err := l.r.Read(p[:1])
	if err == io.EOF || (err != nil && n == 0) {
		l.done = true
	}
	return n, err
}

func (l *lineReader) eof() bool { return l.done }
