package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/softwareone/apitoken/apiclient"
)

// EditOptions are the flags of apitoken edit.
type EditOptions struct {
	verb
	ID            string
	Name          *string
	Description   *string
	AddModules    []string
	RemoveModules []string
	SetModules    []string
}

// NewCmdEdit builds apitoken edit; runF replaces the run in tests.
func NewCmdEdit(f *Factory, runF func(context.Context, *EditOptions) error) *cobra.Command {
	opts := &EditOptions{verb: newVerb(f)}
	var name, desc string
	cmd := &cobra.Command{
		Use:   "edit ID",
		Short: "Change an API token's name, description or modules",
		Long: `Change an API token's name, description or modules with one update.

Only what the flags name changes; the rest, the icon included, is kept.
--module replaces the modules; --add-module and --remove-module change
them. Nothing is sent when nothing would change. "--description -" reads
the description from stdin.

` + exitCodesHelp,
		Example: `  apitoken edit TKN-1000-1001 --name "Nightly export (old)"
  apitoken edit TKN-1000-1001 --add-module MOD-1005 --remove-module MOD-1002
  git log -1 --format=%s | apitoken edit TKN-1000-1001 --description -`,
		Args: exactlyOneID,
		RunE: func(c *cobra.Command, args []string) error {
			opts.ID = args[0]
			if c.Flags().Changed("name") {
				opts.Name = &name
			}
			if c.Flags().Changed("description") {
				opts.Description = &desc
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runEdit(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&name, "name", "n", "", "New name")
	fl.StringVarP(&desc, "description", "d", "", `New description ("" clears it, "-" reads stdin)`)
	fl.StringArrayVar(&opts.AddModules, "add-module", nil, "Add a module; repeat for more")
	fl.StringArrayVar(&opts.RemoveModules, "remove-module", nil, "Remove a module; repeat for more")
	fl.StringArrayVarP(&opts.SetModules, "module", "m", nil, "Replace the modules with these; repeat for more")
	opts.API.register(fl)
	cmd.ValidArgsFunction = completeTokenIDs(&opts.verb)
	for _, flag := range []string{"add-module", "module"} {
		_ = cmd.RegisterFlagCompletionFunc(flag, completeModuleIDs(&opts.verb))
	}
	// Removing completes from everything enabled too: the token's own
	// modules are a subset.
	_ = cmd.RegisterFlagCompletionFunc("remove-module", completeModuleIDs(&opts.verb))
	return cmd
}

// readDescription reads "--description -" from stdin.
func readDescription(in io.Reader) (string, error) {
	limit := int64(apiclient.MaxDescriptionLength*4 + 2)
	b, err := io.ReadAll(io.LimitReader(in, limit+1))
	if err != nil {
		return "", usagef("--description -: reading stdin: %v", err)
	}
	if int64(len(b)) > limit {
		return "", usagef("--description -: stdin holds more than a description (at most %d characters)", apiclient.MaxDescriptionLength)
	}
	return strings.TrimSpace(string(b)), nil
}

func runEdit(ctx context.Context, opts *EditOptions) error {
	id, err := checkTokenID(opts.ID)
	if err != nil {
		return err
	}
	if opts.Name == nil && opts.Description == nil && len(opts.AddModules)+len(opts.RemoveModules)+len(opts.SetModules) == 0 {
		return usagef("nothing to change: give --name, --description, --module, --add-module or --remove-module")
	}
	if len(opts.SetModules) > 0 && len(opts.AddModules)+len(opts.RemoveModules) > 0 {
		return usagef("--module replaces the modules: use it without --add-module and --remove-module")
	}
	var name, desc string
	if opts.Name != nil {
		name = strings.TrimSpace(*opts.Name)
		if err := apiclient.CheckName(name); err != nil {
			return usagef("--name: %v", err)
		}
	}
	if opts.Description != nil {
		desc = strings.TrimSpace(*opts.Description)
		if *opts.Description == "-" {
			if desc, err = readDescription(opts.Factory.IO.In); err != nil {
				return err
			}
		}
		if err := apiclient.CheckDescription(desc); err != nil {
			return usagef("--description: %v", err)
		}
	}
	add, err := checkModuleFlags("add-module", opts.AddModules)
	if err != nil {
		return err
	}
	remove, err := checkModuleFlags("remove-module", opts.RemoveModules)
	if err != nil {
		return err
	}
	set, err := checkModuleFlags("module", opts.SetModules)
	if err != nil {
		return err
	}

	conn, tok, err := opts.connectToken(ctx, id)
	if err != nil {
		return err
	}
	defer conn.Close()
	req := apiclient.UpdateRequestOf(tok)
	before := slices.Clone(req.ModuleIDs)
	if opts.Name != nil {
		req.Name = name
	}
	if opts.Description != nil {
		req.Description = desc
	}
	switch {
	case len(set) > 0:
		req.ModuleIDs = dedupe(set)
	default:
		for _, m := range add {
			if !slices.Contains(req.ModuleIDs, m) {
				req.ModuleIDs = append(req.ModuleIDs, m)
			}
		}
		for _, m := range remove {
			if !slices.Contains(before, m) {
				return usagef("--remove-module %s: %s does not have it (it has %s); nothing was changed", m, tokenName(tok), strings.Join(before, ", "))
			}
		}
		req.ModuleIDs = slices.DeleteFunc(req.ModuleIDs, func(m string) bool { return slices.Contains(remove, m) })
	}
	if len(req.ModuleIDs) == 0 {
		return usagef("%s would have no module left: a token needs at least one; nothing was changed", tokenName(tok))
	}
	changes := describeChanges(tok, req, before)
	out := opts.Factory.IO.Out
	if len(changes) == 0 {
		fmt.Fprintf(opts.Factory.IO.ErrOut, "API token %s already is so: nothing was sent.\n", tokenName(tok))
		return nil
	}
	updated, err := conn.Client.UpdateAPIToken(ctx, id, req)
	if err != nil {
		return tokenFailure(err, "updating API token %s (nothing was changed unless stated otherwise; `apitoken view %s` shows it as it is)", tokenName(tok), id)
	}
	fmt.Fprintf(out, "Updated API token %s:\n", tokenName(updated))
	for _, c := range changes {
		fmt.Fprintf(out, "  %s\n", c)
	}
	return nil
}

func dedupe(ids []string) []string {
	var out []string
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func describeChanges(tok *apiclient.APIToken, req *apiclient.UpdateAPITokenRequest, before []string) []string {
	var out []string
	if req.Name != tok.Name {
		out = append(out, fmt.Sprintf("name: %q → %q", sanitizeLine(tok.Name), sanitizeLine(req.Name)))
	}
	if req.Description != description(tok) {
		out = append(out, fmt.Sprintf("description: %q → %q", sanitizeLine(description(tok)), sanitizeLine(req.Description)))
	}
	var added, removed []string
	for _, m := range req.ModuleIDs {
		if !slices.Contains(before, m) {
			added = append(added, "+"+m)
		}
	}
	for _, m := range before {
		if !slices.Contains(req.ModuleIDs, m) {
			removed = append(removed, "-"+m)
		}
	}
	if len(added)+len(removed) > 0 {
		out = append(out, "modules: "+strings.Join(append(added, removed...), " "))
	}
	return out
}
