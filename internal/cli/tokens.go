package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/softwareone/apitoken/ui"
)

// TokensOptions configure the tokens command: the API tokens page.
type TokensOptions struct {
	Factory    *Factory
	API        APIFlags
	Accessible bool
}

// NewCmdTokens opens the API tokens page, the full-screen app's list.
func NewCmdTokens(f *Factory, runF func(*TokensOptions) error) *cobra.Command {
	opts := &TokensOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "tokens",
		Short: "Browse and manage the account's API tokens (full screen)",
		Long: `Open the API tokens page: the account's tokens, newest first, filtered as
you type, with their details, audit trail, Edit, Enable/Disable, Delete and
Add (the wizard). On the sandbox by default, like every command.`,
		Example: `  # Browse the sandbox's demo tokens
  apitoken tokens

  # Manage the tokens of an account on the platform
  MPT_API_TOKEN=… apitoken tokens --account ACC-1234-5678`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runTokens(c.Context(), opts)
		},
	}
	opts.API.register(cmd.Flags())
	cmd.Flags().BoolVar(&opts.Accessible, "accessible", false, "Line-by-line prompts for screen readers instead of the full-screen page")
	return cmd
}

func runTokens(ctx context.Context, opts *TokensOptions) error {
	f := opts.Factory
	conn, accessible, err := connectInteractive(ctx, f, &opts.API, opts.Accessible, "the API tokens page needs a terminal; in scripts use \"apitoken list\" (see apitoken list --help)")
	if err != nil {
		return err
	}
	defer conn.Close()
	if accessible {
		err := ui.RunAccessibleTokens(ctx, ui.AccessibleTokensOptions{
			API: conn.Client, AccountID: conn.AccountID, Sandbox: conn.Sandbox,
			In: f.IO.In, Out: f.IO.Out,
		})
		if errors.Is(err, ui.ErrAborted) {
			return errCancelled
		}
		return err
	}
	created := &createdRecord{}
	uiOpts := appOptions(f, conn, created)
	uiOpts.Start = ui.StartTokens
	return runApp(ctx, f, conn, uiOpts, created, true)
}
