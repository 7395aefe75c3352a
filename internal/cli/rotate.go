package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/softwareone/apitoken/apiclient"
)

// RotateOptions are the flags of apitoken rotate.
type RotateOptions struct {
	verb
	ID        string
	Yes       bool
	DeleteOld bool
}

// NewCmdRotate builds apitoken rotate; runF replaces the run in tests.
func NewCmdRotate(f *Factory, runF func(context.Context, *RotateOptions) error) *cobra.Command {
	opts := &RotateOptions{verb: newVerb(f)}
	cmd := &cobra.Command{
		Use:   "rotate ID",
		Short: "Replace an API token with a new one with the same settings",
		Long: `Replace an API token with a new one: same name, description, modules and
icon. The new value is printed once, alone on stdout. After you confirm it
is stored (or with --yes), the old token is disabled, or deleted with
--delete-old.

If a step fails, the command says which token exists and which is
active, and stops: nothing is left half-done silently. A create whose
answer is lost is looked up, never sent twice blindly.

Without a terminal and without --yes it refuses (exit 2) and sends nothing.

` + exitCodesHelp,
		Example: `  apitoken rotate TKN-1000-1001
  NEW=$(apitoken rotate TKN-1000-1001 --yes) && vault kv put secret/ci token="$NEW"
  apitoken rotate TKN-1000-1001 --yes --delete-old`,
		Args: exactlyOneID,
		RunE: func(c *cobra.Command, args []string) error {
			opts.ID = args[0]
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runRotate(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "Retire the old token without asking (the new value is only on stdout: capture it)")
	fl.BoolVar(&opts.DeleteOld, "delete-old", false, "Delete the old token instead of disabling it")
	opts.API.register(fl)
	cmd.ValidArgsFunction = completeTokenIDs(&opts.verb)
	return cmd
}

func runRotate(ctx context.Context, opts *RotateOptions) error {
	id, err := checkTokenID(opts.ID)
	if err != nil {
		return err
	}
	if err := opts.needConfirmation(opts.Yes, "rotate "+id); err != nil {
		return err
	}
	conn, err := opts.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	old, err := getToken(ctx, conn, id)
	if err != nil {
		return err
	}
	errOut := opts.Factory.IO.ErrOut
	account := conn.AccountID
	if old.Account != nil && old.Account.ID != "" {
		account = old.Account.ID
	}
	req := &apiclient.CreateAPITokenRequest{AccountID: account, Name: old.Name, Description: description(old)}
	for _, m := range old.Modules {
		req.ModuleIDs = append(req.ModuleIDs, m.ID)
	}
	for _, e := range old.Extensions {
		req.ExtensionIDs = append(req.ExtensionIDs, e.ID)
	}
	oldName := tokenName(old)

	// Step 1: the new token. The lost-answer rules of create apply.
	created, err := conn.Client.CreateAPITokenChecked(ctx, req, createAttempts)
	if err != nil {
		return explainRotateCreate(errOut, old, err)
	}
	newName := tokenName(created)

	// Step 2: the icon, by reference to the old token's. Cosmetic: a
	// failure is said, and the rotation goes on.
	if old.Icon != nil {
		upd := apiclient.UpdateRequestOf(created)
		upd.Icon = old.Icon
		if _, err := conn.Client.UpdateAPIToken(ctx, created.ID, upd); err != nil {
			fmt.Fprintf(errOut, "apitoken: warning: the icon was not copied to %s: %s\n", newName, sanitizeLine(apiMessage(err)))
		}
	}

	// Step 3: the value, once.
	fmt.Fprintf(errOut, "Created API token %s to replace %s. Its value, on stdout, is shown only this once:\n", newName, oldName)
	fmt.Fprintf(opts.Factory.IO.Out, "%s\n", sanitizeLine(created.Token.Reveal()))

	// Step 4: retire the old token once the new value is safe.
	retire, retired := "disable", "disabled"
	if opts.DeleteOld {
		retire, retired = "delete", "deleted"
	}
	if !opts.Yes {
		ok, err := opts.confirm(ctx, fmt.Sprintf("Have you stored the new value? Then %s the old token %s?", retire, oldName))
		if err != nil || !ok {
			fmt.Fprintf(errOut, "Both tokens are active: the new %s and the old %s. Retire the old one with `apitoken %s %s` once the new value is in use.\n",
				newName, oldName, retire, old.ID)
			return errNothingChangedAfterCreate
		}
	}
	if old.Status != apiclient.TokenStatusActive && !opts.DeleteOld {
		fmt.Fprintf(errOut, "Rotated: %s is active; the old %s was already %s.\n", newName, oldName, sanitizeLine(old.Status))
		return nil
	}
	if opts.DeleteOld {
		err = conn.Client.DeleteAPIToken(ctx, old.ID)
	} else {
		_, err = conn.Client.DisableAPIToken(ctx, old.ID)
	}
	if err != nil {
		return explainRetireFailure(ctx, conn, errOut, created, old, retire, err)
	}
	fmt.Fprintf(errOut, "Rotated: %s is active; the old %s is %s.\n", newName, oldName, retired)
	return nil
}

// errNothingChangedAfterCreate: the user kept the old token after the new
// one was made; both are reported active.
var errNothingChangedAfterCreate = &exitError{code: ExitCancel}

// explainRotateCreate says, when the create did not hand back a token,
// which tokens exist: the old one is untouched in every case.
func explainRotateCreate(w io.Writer, old *apiclient.APIToken, err error) error {
	oldName := tokenName(old)
	var lost *apiclient.LostAnswerError
	switch {
	case errors.As(err, &lost):
		certain := ""
		if !lost.Certain {
			certain = " (most likely: " + sanitizeLine(lost.Reason) + ")"
		}
		fmt.Fprintf(w, "apitoken: a new token %s was created%s but the API's answer, and its value with it, was lost.\n"+
			"apitoken: the old %s is unchanged and still %s. Disable %s (`apitoken disable %s`) and run rotate again.\n",
			sanitizeLine(lost.Token.ID), certain, oldName, sanitizeLine(old.Status), sanitizeLine(lost.Token.ID), sanitizeLine(lost.Token.ID))
		return &exitError{code: ExitUnknown}
	case errors.Is(err, apiclient.ErrOutcomeUnknown):
		fmt.Fprintf(w, "apitoken: it is not known whether a new token was created: %s\n"+
			"apitoken: the old %s is unchanged and still %s. Look for a second token named %q (`apitoken list`) before running rotate again.\n",
			sanitizeLine(apiMessage(err)), oldName, sanitizeLine(old.Status), sanitizeLine(old.Name))
		return &exitError{code: ExitUnknown}
	}
	return tokenFailure(err, "no new token was created, and the old %s is unchanged", oldName)
}

// explainRetireFailure reads the old token again so that what is reported
// is its state, not a guess.
func explainRetireFailure(ctx context.Context, conn *Connection, w io.Writer, created, old *apiclient.APIToken, retire string, cause error) error {
	newName, oldName := tokenName(created), tokenName(old)
	fmt.Fprintf(w, "apitoken: could not %s the old %s: %s\n", retire, oldName, sanitizeLine(apiMessage(cause)))
	now, err := conn.Client.GetAPIToken(context.WithoutCancel(ctx), old.ID)
	switch {
	case apiclient.IsNotFound(err):
		fmt.Fprintf(w, "apitoken: the new %s is active (its value is above). The old %s no longer exists.\n", newName, oldName)
		return &exitError{code: ExitError}
	case err != nil:
		fmt.Fprintf(w, "apitoken: the new %s is active (its value is above). The state of the old %s is unknown (reading it failed: %s): check it with `apitoken view %s`.\n",
			newName, oldName, sanitizeLine(apiMessage(err)), old.ID)
		return &exitError{code: ExitUnknown}
	}
	if (retire == "disable" && now.Status == apiclient.TokenStatusDisabled) || now.Status == apiclient.TokenStatusDeleted {
		// The change went through; only its answer was lost.
		fmt.Fprintf(w, "Rotated: %s is active; the old %s is %s.\n", newName, oldName, sanitizeLine(now.Status))
		return nil
	}
	fmt.Fprintf(w, "apitoken: the new %s is active (its value is above). The old %s is still %s. Run `apitoken %s %s` to finish.\n",
		newName, oldName, sanitizeLine(now.Status), retire, old.ID)
	return &exitError{code: ExitError}
}
