package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/softwareone/apitoken/apiclient"
)

const createHelp = `Create an API token without the wizard.

USAGE
  apitoken create --name NAME --module MOD-#### [--module …] [flags]

FLAGS
  --account ID         Account to create the token for (ACC-####-####)
  --name NAME          Token name (required, up to 100 characters)
  --module ID          Module the token may use; repeat for more (at least one)
  --description TEXT   Description (optional, up to 1000 characters)
  --icon FILE          Logo: PNG, JPEG, GIF or SVG up to 1 MiB (optional)
  --extension ID       Extension to attach; repeat for more (optional)
  --json               Print the created token as JSON (the API object)
  --base-url URL       Marketplace API base URL (overrides MPT_API_BASE_URL)
  --token-file PATH    Read the API credential from a file, "-" for stdin
  --sandbox            Use the built-in sandbox even if a credential is set
  --fixtures FILE      Seed the sandbox from a JSON fixture file

The token value is printed once. It cannot be shown again: store it at once.
Without MPT_API_TOKEN the command runs on the built-in sandbox and says so.

EXIT CODES
  0  created          2  bad input: nothing was sent
  1  not created      3  outcome unknown, or created but the answer was lost

EXAMPLES
  $ apitoken create --account ACC-1000-0001 --name "CI deploys" --module MOD-1001 --module MOD-1004
  $ apitoken create --name nightly --module MOD-1001 --json | jq -r .token
`

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error {
	*l = append(*l, strings.TrimSpace(v))
	return nil
}

func runCreate(ctx context.Context, args []string, e *env) int {
	fs := flag.NewFlagSet("create", flag.ContinueOnError)
	var api apiFlags
	api.register(fs)
	var name, description, icon string
	var modules, extensions stringList
	var asJSON bool
	fs.StringVar(&name, "name", "", "")
	fs.StringVar(&description, "description", "", "")
	fs.StringVar(&icon, "icon", "", "")
	fs.Var(&modules, "module", "")
	fs.Var(&extensions, "extension", "")
	fs.BoolVar(&asJSON, "json", false, "")
	if done, code := parseFlags(fs, args, createHelp, e); done {
		return code
	}

	// Everything that can be checked here is checked before anything is
	// sent, or even before the sandbox starts.
	req := &apiclient.CreateAPITokenRequest{
		AccountID:    api.account,
		Name:         strings.TrimSpace(name),
		Description:  strings.TrimSpace(description),
		ModuleIDs:    modules,
		ExtensionIDs: extensions,
	}
	if err := checkCreateFlags(req, icon); err != nil {
		return fail(e, err)
	}
	if icon != "" {
		data, _, err := apiclient.ReadIcon(icon)
		if err != nil {
			return fail(e, usagef("--icon: %v", err))
		}
		req.Icon = data
	}

	conn, err := connect(ctx, &api, e)
	if err != nil {
		return fail(e, err)
	}
	defer conn.close()
	req.AccountID = conn.accountID
	if err := req.Validate(); err != nil {
		return fail(e, usagef("%v", err))
	}

	// A lost answer is looked up before anything is sent again, and the
	// create is resent only when no token with this name turned up.
	tok, err := conn.client.CreateAPITokenChecked(ctx, req, 3)
	if err != nil {
		return failCreate(e, req, err)
	}
	return printCreated(tok, asJSON, e)
}

// checkCreateFlags explains bad flags in the words of the flags.
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
	for _, id := range req.ModuleIDs {
		if !apiclient.ValidModuleID(id) {
			return usagef("--module %q is not a module id: expected MOD-####", id)
		}
	}
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

// failCreate explains a create that did not end with a token on screen.
func failCreate(e *env, req *apiclient.CreateAPITokenRequest, err error) int {
	var lost *apiclient.LostAnswerError
	switch {
	case errors.As(err, &lost):
		fmt.Fprintf(e.stderr, "apitoken: the token was created (%s) but the API's answer was lost, and the token's value with it: it cannot be shown again.\n"+
			"Disable it in the portal (or with the API) and create a new one.\n", sanitizeLine(lost.Token.ID))
		return exitUnknown
	case errors.Is(err, apiclient.ErrOutcomeUnknown):
		fmt.Fprintf(e.stderr, "apitoken: %s\n", sanitizeLine(err.Error()))
		fmt.Fprintf(e.stderr, "apitoken: it is not known whether the token was created. Look for a token named %q in the portal before running the command again.\n",
			sanitizeLine(req.Name))
		return exitUnknown
	}
	return fail(e, err)
}

func printCreated(tok *apiclient.APIToken, asJSON bool, e *env) int {
	if asJSON {
		if err := apiclient.EncodeJSON(e.stdout, tok, true); err != nil {
			return fail(e, err)
		}
		fmt.Fprintln(e.stderr, "apitoken: the token value is in this output only: store it now, it cannot be shown again.")
		return exitOK
	}
	account := ""
	if tok.Account != nil {
		account = fmt.Sprintf(" for %s (%s)", sanitizeLine(tok.Account.Name), sanitizeLine(tok.Account.ID))
	}
	fmt.Fprintf(e.stdout, "Created API token %s %q (%s)%s.\n", sanitizeLine(tok.ID), sanitizeLine(tok.Name), sanitizeLine(tok.Status), account)
	mods := make([]string, len(tok.Modules))
	for i, m := range tok.Modules {
		mods[i] = fmt.Sprintf("%s (%s)", sanitizeLine(m.Name), sanitizeLine(m.ID))
	}
	fmt.Fprintf(e.stdout, "Modules: %s\n\n%s\n\n", strings.Join(mods, ", "), sanitizeLine(tok.Token.Reveal()))
	fmt.Fprintln(e.stderr, "This is the only time the token is shown: store it now, e.g. in your secret manager.")
	fmt.Fprintln(e.stderr, "It can take up to a minute before the token works everywhere.")
	return exitOK
}
