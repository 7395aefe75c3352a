package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/softwareone/apitoken/apiclient"
)

// StateOptions are the flags of apitoken enable, disable and delete.
type StateOptions struct {
	verb
	Action string // "enable", "disable" or "delete"
	ID     string
	Yes    bool
	// UnusedFor and DryRun: disable only, for the stale tokens.
	UnusedFor string
	DryRun    bool
}

type stateAction struct {
	name, done, short, long, example string
	status                           string // the status the action ends in
	call                             func(ctx context.Context, c *apiclient.Client, id string) error
}

var stateActions = map[string]stateAction{
	"enable": {
		name: "enable", done: "Enabled", status: apiclient.TokenStatusActive,
		short: "Enable a disabled API token",
		long: `Enable a disabled API token: it authenticates again.

On a terminal the command asks first; --yes skips the question. Without a
terminal and without --yes it refuses (exit 2) and sends nothing.`,
		example: `  apitoken enable TKN-1000-1001
  apitoken enable TKN-1000-1001 --yes`,
		call: func(ctx context.Context, c *apiclient.Client, id string) error {
			_, err := c.EnableAPIToken(ctx, id)
			return err
		},
	},
	"disable": {
		name: "disable", done: "Disabled", status: apiclient.TokenStatusDisabled,
		short: "Disable an API token, or every token unused for a while",
		long: `Disable an API token: it stops authenticating until enabled again.

With --unused-for instead of an id, the active tokens not used for that
long (or never used and created before it) are listed, and disabled after
one question; --dry-run only lists them.

On a terminal the command asks first; --yes skips the question. Without a
terminal and without --yes it refuses (exit 2) and sends nothing.`,
		example: `  apitoken disable TKN-1000-1001
  apitoken disable --unused-for 90d --dry-run
  apitoken disable --unused-for 180d --yes`,
		call: func(ctx context.Context, c *apiclient.Client, id string) error {
			_, err := c.DisableAPIToken(ctx, id)
			return err
		},
	},
	"delete": {
		name: "delete", done: "Deleted", status: apiclient.TokenStatusDeleted,
		short: "Delete an API token for good",
		long: `Delete an API token: it stops authenticating at once, for good.

On a terminal the command asks for the token's name or id to be typed
back; --yes skips the question. Without a terminal and without --yes it
refuses (exit 2) and sends nothing.`,
		example: `  apitoken delete TKN-1000-1001
  apitoken delete TKN-1000-1001 --yes`,
		call: func(ctx context.Context, c *apiclient.Client, id string) error {
			return c.DeleteAPIToken(ctx, id)
		},
	},
}

// NewCmdEnable builds apitoken enable; runF replaces the run in tests.
func NewCmdEnable(f *Factory, runF func(context.Context, *StateOptions) error) *cobra.Command {
	return newCmdState(f, "enable", runF)
}

// NewCmdDisable builds apitoken disable; runF replaces the run in tests.
func NewCmdDisable(f *Factory, runF func(context.Context, *StateOptions) error) *cobra.Command {
	return newCmdState(f, "disable", runF)
}

// NewCmdDelete builds apitoken delete; runF replaces the run in tests.
func NewCmdDelete(f *Factory, runF func(context.Context, *StateOptions) error) *cobra.Command {
	return newCmdState(f, "delete", runF)
}

func newCmdState(f *Factory, action string, runF func(context.Context, *StateOptions) error) *cobra.Command {
	a := stateActions[action]
	opts := &StateOptions{verb: newVerb(f), Action: action}
	args := exactlyOneID
	use := action + " ID"
	if action == "disable" {
		use = "disable [ID]"
		args = func(c *cobra.Command, args []string) error {
			if opts.UnusedFor != "" {
				if len(args) > 0 {
					return usagef("give an id or --unused-for, not both")
				}
				return nil
			}
			return exactlyOneID(c, args)
		}
	}
	cmd := &cobra.Command{
		Use:     use,
		Short:   a.short,
		Long:    a.long + "\n\n" + exitCodesHelp,
		Example: a.example,
		Args:    args,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				opts.ID = args[0]
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runState(c.Context(), opts)
		},
	}
	if action == "delete" {
		cmd.Aliases = []string{"rm"}
	}
	fl := cmd.Flags()
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "Do it without asking")
	if action == "disable" {
		fl.StringVar(&opts.UnusedFor, "unused-for", "", "Disable the active tokens not used for this long (e.g. 90d, 36h)")
		fl.BoolVar(&opts.DryRun, "dry-run", false, "With --unused-for: list the tokens, change nothing")
	}
	opts.API.register(fl)
	cmd.ValidArgsFunction = completeTokenIDs(&opts.verb)
	return cmd
}

func runState(ctx context.Context, opts *StateOptions) error {
	a := stateActions[opts.Action]
	if opts.DryRun && opts.UnusedFor == "" {
		return usagef("--dry-run goes with --unused-for")
	}
	if opts.UnusedFor != "" {
		return runDisableStale(ctx, opts)
	}
	id, err := checkTokenID(opts.ID)
	if err != nil {
		return err
	}
	if err := opts.needConfirmation(opts.Yes, fmt.Sprintf("%s %s", a.name, id)); err != nil {
		return err
	}
	conn, tok, err := opts.connectToken(ctx, id)
	if err != nil {
		return err
	}
	defer conn.Close()
	errOut := opts.Factory.IO.ErrOut
	if tok.Status == a.status {
		fmt.Fprintf(errOut, "API token %s is already %s: nothing was sent.\n", tokenName(tok), a.status)
		return nil
	}
	if !opts.Yes {
		ok, err := opts.confirmState(ctx, a, tok)
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintf(errOut, "API token %s was left as it is (%s).\n", tokenName(tok), sanitizeLine(tok.Status))
			return errNothingChanged
		}
	}
	if err := a.call(ctx, conn.Client, id); err != nil {
		return tokenFailure(err, "could not %s API token %s; `apitoken view %s` shows its state", a.name, tokenName(tok), id)
	}
	fmt.Fprintf(opts.Factory.IO.Out, "%s API token %s.\n", a.done, tokenName(tok))
	return nil
}

func (opts *StateOptions) confirmState(ctx context.Context, a stateAction, tok *apiclient.APIToken) (bool, error) {
	if a.name != "delete" {
		return opts.confirm(ctx, fmt.Sprintf("%s API token %s?", capitalize(a.name), tokenName(tok)))
	}
	answer, err := opts.ask(ctx, fmt.Sprintf("Deleting API token %s cannot be undone.\nType its name or id to delete it: ", tokenName(tok)))
	if err != nil {
		return false, err
	}
	return answer != "" && (answer == tok.ID || answer == tok.Name), nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// runDisableStale disables, after one question, the active tokens unused
// for --unused-for.
func runDisableStale(ctx context.Context, opts *StateOptions) error {
	now := opts.Now()
	lf, err := checkListFlags(apiclient.TokenStatusActive, nil, opts.UnusedFor, now)
	if err != nil {
		return err
	}
	what := "disable --unused-for " + opts.UnusedFor
	if !opts.DryRun {
		if err := opts.needConfirmation(opts.Yes, what); err != nil {
			return err
		}
	}
	conn, err := opts.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	toks, _, err := lf.fetch(ctx, conn, 0)
	if err != nil {
		return err
	}
	io := opts.Factory.IO
	if len(toks) == 0 {
		fmt.Fprintf(io.ErrOut, "No active API token of %s has gone unused for %s: nothing to disable.\n", conn.AccountID, sanitizeLine(opts.UnusedFor))
		return nil
	}
	tty := opts.outIsTTY()
	fmt.Fprintf(io.ErrOut, "%d active API tokens of %s unused for %s:\n", len(toks), conn.AccountID, sanitizeLine(opts.UnusedFor))
	if err := printTokenTable(io.Out, toks, now, tty, streamWidth(io.Out), opts.color()); err != nil {
		return err
	}
	if opts.DryRun {
		fmt.Fprintln(io.ErrOut, "Dry run: nothing was changed.")
		return nil
	}
	if !opts.Yes {
		ok, err := opts.confirm(ctx, fmt.Sprintf("Disable these %d API tokens?", len(toks)))
		if err != nil {
			return err
		}
		if !ok {
			return errNothingChanged
		}
	}
	var failed []error
	worst := ExitOK
	done := 0
	for i := range toks {
		t := &toks[i]
		if _, err := conn.Client.DisableAPIToken(ctx, t.ID); err != nil {
			failed = append(failed, fmt.Errorf("%s: %s", tokenName(t), apiMessage(err)))
			worst = max(worst, exitCode(err))
			if ctx.Err() != nil {
				break
			}
			continue
		}
		done++
		fmt.Fprintf(io.Out, "Disabled API token %s.\n", tokenName(t))
	}
	if len(failed) == 0 {
		return nil
	}
	for _, e := range failed {
		fmt.Fprintf(io.ErrOut, "apitoken: could not disable %s\n", sanitizeLine(e.Error()))
	}
	if rest := len(toks) - done - len(failed); rest > 0 {
		fmt.Fprintf(io.ErrOut, "apitoken: stopped: %d tokens were not tried.\n", rest)
	}
	fmt.Fprintf(io.ErrOut, "apitoken: %d of %d disabled; run the command again to retry the rest.\n", done, len(toks))
	return &exitError{code: worst}
}
