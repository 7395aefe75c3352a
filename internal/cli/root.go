// Package cli is apitoken's command line: one file per command, each with
// an Options struct, a NewCmdX constructor and a runX function, a Factory
// that turns flags and environment into a client, and the one mapping from
// errors to exit codes.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"charm.land/lipgloss/v2"

	"charm.land/fang/v2"
	"github.com/spf13/cobra"

	"github.com/softwareone/apitoken/apiclient"
)

const rootLong = `Create API tokens for the SoftwareOne Marketplace Platform.

Without a command, apitoken opens the "Add API token" wizard (full screen;
plain prompts with --accessible or where TERM=dumb). The credential is never
taken from the command line: it comes from MPT_API_TOKEN or --token-file.

Environment:
  MPT_API_BASE_URL  API base URL (default ` + apiclient.DefaultBaseURL + `)
  MPT_API_TOKEN     API credential. Without one, apitoken runs on the built-in sandbox.
  MPT_ACCOUNT_ID    Default account
  NO_COLOR          Draw without colours
  TERM=dumb         Plain prompts instead of the full-screen wizard

` + exitCodesHelp

const rootExample = `  # Open the wizard
  apitoken

  # Create a token from a script
  apitoken create --account ACC-1000-0001 --name "CI deploys" --module MOD-1001

  # Run the API sandbox, or serve the wizard over SSH
  apitoken sandbox --listen 127.0.0.1:8080
  apitoken serve --listen 127.0.0.1:23234 --authorized-keys ~/.ssh/authorized_keys`

// NewCmdRoot builds the command tree.
func NewCmdRoot(f *Factory) *cobra.Command {
	root := newCmdWizard(f, nil)
	root.AddCommand(
		NewCmdCreate(f, nil),
		NewCmdList(f, nil),
		NewCmdView(f, nil),
		NewCmdEdit(f, nil),
		NewCmdEnable(f, nil),
		NewCmdDisable(f, nil),
		NewCmdDelete(f, nil),
		NewCmdRotate(f, nil),
		NewCmdTokens(f, nil),
		NewCmdSandbox(f, nil),
		NewCmdServe(f, nil),
		NewCmdVersion(f),
	)
	root.SuggestionsMinimumDistance = 2
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{msg: err.Error(), command: c.CommandPath()}
	})
	// help and completion take what cobra gives them; our commands refuse
	// stray arguments as usage errors.
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Args:  cobra.ArbitraryArgs,
		ValidArgsFunction: func(c *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var names []cobra.Completion
			for _, sub := range c.Root().Commands() {
				if sub.IsAvailableCommand() {
					names = append(names, sub.Name())
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			cmd, _, err := c.Root().Find(args)
			if cmd == nil || err != nil || (len(args) > 0 && cmd == c.Root()) {
				return usagef("unknown help topic %q", strings.Join(args, " "))
			}
			// As cobra's own help command: the flags cobra adds lazily.
			cmd.InitDefaultHelpFlag()
			cmd.InitDefaultVersionFlag()
			return cmd.Help()
		},
	})
	markUsage(root)
	return root
}

// markUsage makes every usage error of a command name the command, so the
// hint says "Run "apitoken create --help"" (and never "apitoken apitoken").
func markUsage(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			err := run(cmd, args)
			nameCommand(err, cmd.CommandPath())
			return err
		}
	}
	if args := c.Args; args != nil {
		c.Args = func(cmd *cobra.Command, a []string) error {
			if err := args(cmd, a); err != nil {
				return &usageError{msg: err.Error(), command: cmd.CommandPath()}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		markUsage(sub)
	}
}

// nameCommand names the command in a usage error that names none.
func nameCommand(err error, path string) {
	var usage *usageError
	if errors.As(err, &usage) && usage.command == "" {
		usage.command = path
	}
}

// noArgs refuses arguments, suggesting a command for a typo at the root.
func noArgs(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if c.HasAvailableSubCommands() {
		msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
		if s := c.SuggestionsFor(args[0]); len(s) > 0 {
			msg += "\n\nDid you mean this?\n  " + strings.Join(s, "\n  ")
		}
		return &usageError{msg: msg, command: c.CommandPath()}
	}
	return &usageError{msg: fmt.Sprintf("unexpected argument %q", args[0]), command: c.CommandPath()}
}

// Execute runs the command line args and returns the exit status.
func Execute(ctx context.Context, f *Factory, args []string) int {
	if len(args) == 0 {
		// A bare "apitoken" opens the wizard, and nothing is left to parse:
		// building the command tree and running it through cobra and fang
		// would come before the first frame (half a millisecond) for nothing.
		// The outcome is the same as the root command's: its run, its
		// error message, its exit code.
		err := runWizard(ctx, &WizardOptions{Factory: f})
		nameCommand(err, "apitoken")
		printError(f.IO.ErrOut, err)
		return exitCode(err)
	}
	root := NewCmdRoot(f)
	root.SetArgs(args)
	f.Signals.wait()
	err := fang.Execute(ctx, root,
		fang.WithVersion(f.Version),
		fang.WithErrorHandler(func(w io.Writer, _ fang.Styles, err error) { printError(w, err) }),
	)
	return exitCode(err)
}

// Main is the program: harden the process, subscribe to signals once, run.
func Main(version string) int {
	hardenProcess()
	ctx, sigs, stop := NotifySignals(context.Background())
	defer stop()
	// lipgloss detected stdout's profile from this environment as it
	// loaded: the app reuses it rather than detecting again.
	profile := lipgloss.Writer.Profile
	f := &Factory{
		IO:         IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr},
		LookupEnv:  os.LookupEnv,
		Version:    version,
		Signals:    sigs,
		Clipboard:  nativeClipboard,
		OutProfile: &profile,
	}
	return Execute(ctx, f, os.Args[1:])
}

// canonicalID is an id as the platform writes it: ids are a prefix of
// capitals and digits (TKN-1000-1001), so "tkn-1000-1001" means the same.
func canonicalID(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// canonicalIDs is canonicalID of each value of a repeatable flag.
func canonicalIDs(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = canonicalID(v)
	}
	return out
}

// checkModuleFlags checks a repeatable module flag's values and returns
// them as the platform writes them; a bad one is quoted as typed.
func checkModuleFlags(flag string, ids []string) ([]string, error) {
	out := canonicalIDs(ids)
	for i, id := range out {
		if !apiclient.ValidModuleID(id) {
			return nil, usagef("--%s %q is not a module id: expected MOD-####", flag, sanitizeLine(strings.TrimSpace(ids[i])))
		}
	}
	return out, nil
}

// stringsFlag reads a repeatable flag's values, trimmed.
func trimmed(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = strings.TrimSpace(v)
	}
	return out
}
