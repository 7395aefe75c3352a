package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/jsonflags"
)

// createAttempts is how many times create sends its request when no
// answer came back and no token with the name turned up.
const createAttempts = 3

// CreateOptions are the flags of apitoken create.
type CreateOptions struct {
	Factory     *Factory
	API         APIFlags
	Name        string
	Description string
	Icon        string
	Modules     []string
	Extensions  []string
	JSON        bool
	TokenOnly   bool
}

// NewCmdCreate builds apitoken create; runF replaces the run in tests.
func NewCmdCreate(f *Factory, runF func(*CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a token without the wizard",
		Long: fmt.Sprintf(`Create an API token without the wizard, for scripts.

The token value is printed once. It cannot be shown again: store it at once.
Without MPT_API_TOKEN the command runs on the built-in sandbox and says so.
A create whose answer is lost is looked up by name before it is sent again,
up to %d times in all.

%s`, createAttempts, exitCodesHelp),
		Example: `  apitoken create --account ACC-1000-0001 --name "CI deploys" -m MOD-1001 -m MOD-1004
  apitoken create --name nightly --module MOD-1001 --json | jq -r .token
  apitoken create --name nightly -m MOD-1001 --token-file ~/.config/apitoken/credential`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runCreate(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Name, "name", "n", "", fmt.Sprintf("Token name (required, up to %d characters)", apiclient.MaxNameLength))
	fl.StringArrayVarP(&opts.Modules, "module", "m", nil, "Module the token may use; repeat for more (at least one)")
	fl.StringVarP(&opts.Description, "description", "d", "", fmt.Sprintf("Description (optional, up to %d characters; \"-\" reads stdin)", apiclient.MaxDescriptionLength))
	fl.StringVar(&opts.Icon, "icon", "", fmt.Sprintf("Logo: PNG, JPEG, GIF or SVG up to %d MiB (optional)", apiclient.MaxIconBytes>>20))
	fl.StringArrayVar(&opts.Extensions, "extension", nil, "Extension to attach; repeat for more (optional)")
	fl.BoolVar(&opts.JSON, "json", false, "Print the created token as JSON (the API object)")
	fl.BoolVar(&opts.TokenOnly, "token-only", false, "Print only the token value on stdout, e.g. for MPT_API_TOKEN=$(apitoken create … --token-only)")
	opts.API.register(fl)
	return cmd
}

func runCreate(ctx context.Context, opts *CreateOptions) error {
	f := opts.Factory
	// Everything that can be checked here is checked before anything is
	// sent, or even before the sandbox starts.
	if opts.TokenOnly && opts.JSON {
		return usagef("--token-only and --json both choose the output: give one")
	}
	if opts.Description == "-" {
		if opts.API.TokenFile == "-" {
			return usagef("--description - and --token-file - both read stdin: put the credential in a file or MPT_API_TOKEN")
		}
		desc, err := readDescription(f.IO.In)
		if err != nil {
			return err
		}
		opts.Description = desc
	}
	req := &apiclient.CreateAPITokenRequest{
		AccountID:    opts.API.Account,
		Name:         strings.TrimSpace(opts.Name),
		Description:  strings.TrimSpace(opts.Description),
		ModuleIDs:    trimmed(opts.Modules),
		ExtensionIDs: trimmed(opts.Extensions),
	}
	if err := checkCreateFlags(req, opts.Icon); err != nil {
		return err
	}
	if opts.Icon != "" {
		data, _, err := apiclient.ReadIcon(opts.Icon)
		if err != nil {
			// The path as given: the error names only the file.
			return usagef("--icon %s: %v", opts.Icon, err)
		}
		req.Icon = data
	}

	conn, err := f.Connect(ctx, &opts.API, f.IO.ErrOut)
	if err != nil {
		return err
	}
	defer conn.Close()
	req.AccountID = conn.AccountID
	if err := req.Validate(); err != nil {
		return usagef("%v", err)
	}

	// A lost answer is looked up before anything is sent again, and the
	// create is resent only when no token with this name turned up.
	tok, err := conn.Client.CreateAPITokenChecked(ctx, req, createAttempts)
	if err != nil {
		return explainCreateFailure(f.IO.ErrOut, req, err)
	}
	if opts.TokenOnly {
		fmt.Fprintf(f.IO.ErrOut, "Created API token %s %q. Its value, on stdout, is shown only this once: store it now.\n", sanitizeLine(tok.ID), sanitizeLine(tok.Name))
		_, err := fmt.Fprintln(f.IO.Out, sanitizeLine(tok.Token.Reveal()))
		return err
	}
	return printCreated(f.IO, tok, opts.JSON)
}

// checkCreateFlags explains bad flags in the words of the flags, and
// writes the module ids as the platform does.
func checkCreateFlags(req *apiclient.CreateAPITokenRequest, icon string) error {
	if req.Name == "" {
		return usagef("--name is required")
	}
	if err := apiclient.CheckName(req.Name); err != nil {
		return usagef("--name: %v", err)
	}
	if err := apiclient.CheckDescription(req.Description); err != nil {
		return usagef("--description: %v", err)
	}
	if len(req.ModuleIDs) == 0 {
		return usagef("at least one --module is required (e.g. --module MOD-1001)")
	}
	ids, err := checkModuleFlags("module", req.ModuleIDs)
	if err != nil {
		return err
	}
	req.ModuleIDs = ids
	for _, id := range req.ExtensionIDs {
		if id == "" {
			return usagef("--extension needs an id")
		}
	}
	if strings.TrimSpace(icon) == "" && icon != "" {
		return usagef("--icon needs a file name")
	}
	return nil
}

// explainCreateFailure says what is known of a create that did not end
// with a token on screen.
func explainCreateFailure(w io.Writer, req *apiclient.CreateAPITokenRequest, err error) error {
	var lost *apiclient.LostAnswerError
	switch {
	case errors.As(err, &lost):
		fmt.Fprintf(w, "apitoken: the token was created (%s) but the API's answer was lost, and the token's value with it: it cannot be shown again.\n"+
			"Disable it in the portal (or with the API) and create a new one.\n", sanitizeLine(lost.Token.ID))
		return &exitError{code: ExitUnknown}
	case errors.Is(err, apiclient.ErrOutcomeUnknown):
		fmt.Fprintf(w, "apitoken: %s\n", sanitizeLine(err.Error()))
		fmt.Fprintf(w, "apitoken: it is not known whether the token was created. Look for a token named %q in the portal before running the command again.\n",
			sanitizeLine(req.Name))
		return &exitError{code: ExitUnknown}
	}
	return err
}

func printCreated(s IOStreams, tok *apiclient.APIToken, asJSON bool) error {
	if asJSON {
		var buf bytes.Buffer
		if err := apiclient.EncodeJSON(&buf, tok, true); err != nil {
			return err
		}
		if _, err := io.WriteString(s.Out, jsonflags.Inert(buf.String())); err != nil {
			return err
		}
		fmt.Fprintln(s.ErrOut, "apitoken: the token value is in this output only: store it now, it cannot be shown again.")
		return nil
	}
	account := ""
	if tok.Account != nil {
		account = fmt.Sprintf(" for %s (%s)", sanitizeLine(tok.Account.Name), sanitizeLine(tok.Account.ID))
	}
	fmt.Fprintf(s.Out, "Created API token %s %q (%s)%s.\n", sanitizeLine(tok.ID), sanitizeLine(tok.Name), sanitizeLine(tok.Status), account)
	mods := make([]string, len(tok.Modules))
	for i, m := range tok.Modules {
		mods[i] = fmt.Sprintf("%s (%s)", sanitizeLine(m.Name), sanitizeLine(m.ID))
	}
	fmt.Fprintf(s.Out, "Modules: %s\n\n%s\n\n", strings.Join(mods, ", "), sanitizeLine(tok.Token.Reveal()))
	fmt.Fprintln(s.ErrOut, "This is the only time the token is shown: store it now, e.g. in your secret manager.")
	fmt.Fprintln(s.ErrOut, "It can take up to a minute before the token works everywhere.")
	return nil
}
