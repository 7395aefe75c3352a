package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/jsonflags"
	"github.com/softwareone/apitoken/internal/tableprinter"
)

// ListOptions are the flags of apitoken list.
type ListOptions struct {
	verb
	Status    string
	Modules   []string
	UnusedFor string
	Limit     int
	Exporter  *jsonflags.Exporter
}

// listDefaultLimit is how many tokens list shows unless told, as gh's 30.
const listDefaultLimit = 30

// NewCmdList builds apitoken list; runF replaces the run in tests.
func NewCmdList(f *Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{verb: newVerb(f)}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the API tokens of an account",
		Long: `List the API tokens of an account, newest first.

On a terminal the list is a table with relative times; piped, it is one
tab-separated line per token (id, name, status, modules, last used,
created) with RFC 3339 times, "never" for a token never used.

--unused-for keeps the stale tokens: last used longer ago than that, or
never used and created before it.

` + exitCodesHelp,
		Example: `  apitoken list
  apitoken list --status Active --module MOD-1001
  apitoken list --unused-for 90d
  apitoken list --json id,name,lastAccessAt --jq '.[] | select(.lastAccessAt == null) | .id'`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runList(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Status, "status", "s", "", "Keep tokens in this status: Active or Disabled")
	fl.StringArrayVarP(&opts.Modules, "module", "m", nil, "Keep tokens with this module; repeat to require several")
	fl.StringVar(&opts.UnusedFor, "unused-for", "", "Keep tokens not used for this long (e.g. 90d, 36h, 90m)")
	fl.IntVarP(&opts.Limit, "limit", "L", listDefaultLimit, "Show at most this many tokens")
	opts.Exporter = jsonflags.Add(cmd, tokenFields)
	opts.API.register(fl)
	_ = cmd.RegisterFlagCompletionFunc("status", cobra.FixedCompletions([]cobra.Completion{apiclient.TokenStatusActive, apiclient.TokenStatusDisabled}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("module", completeModuleIDs(&opts.verb))
	return cmd
}

// listFilter is what list and disable --unused-for check before sending.
type listFilter struct {
	status  string
	modules []string
	cutoff  time.Time // zero: no --unused-for
}

func checkListFlags(status string, modules []string, unusedFor string, now time.Time) (listFilter, error) {
	lf := listFilter{}
	switch strings.ToLower(strings.TrimSpace(status)) {
	case "":
	case "active":
		lf.status = apiclient.TokenStatusActive
	case "disabled":
		lf.status = apiclient.TokenStatusDisabled
	default:
		return lf, usagef("--status %q: expected Active or Disabled", sanitizeLine(status))
	}
	mods, err := checkModuleFlags("module", modules)
	if err != nil {
		return lf, err
	}
	lf.modules = mods
	if unusedFor != "" {
		d, err := parseAge(unusedFor)
		if err != nil {
			return lf, err
		}
		lf.cutoff = now.Add(-d)
	}
	return lf, nil
}

// fetch reads the tokens the filter keeps, at most limit (0: all), and
// how many it keeps in all.
func (lf listFilter) fetch(ctx context.Context, conn *Connection, limit int) ([]apiclient.APIToken, int, error) {
	o := &apiclient.ListAPITokensOptions{Status: lf.status}
	var terms []string
	for _, m := range lf.modules {
		terms = append(terms, apiclient.Eq("modules.id", m))
	}
	o.Filter = apiclient.And(terms...)
	var toks []apiclient.APIToken
	var err error
	total := -1
	if lf.cutoff.IsZero() && limit > 0 && limit <= apiclient.MaxPageSize {
		o.Limit = limit
		var page *apiclient.Pagination
		toks, page, err = conn.Client.ListAPITokens(ctx, conn.AccountID, o)
		if page != nil {
			total = page.Total
		}
	} else {
		// Staleness is judged here (never used is "no lastAccessAt",
		// which RQL cannot say), so every page is read.
		toks, err = conn.Client.ListAllAPITokens(ctx, conn.AccountID, o)
	}
	if err != nil {
		return nil, 0, tokenFailure(err, "listing the API tokens of %s", conn.AccountID)
	}
	if !lf.cutoff.IsZero() {
		toks = slices.DeleteFunc(toks, func(t apiclient.APIToken) bool { return !stale(&t, lf.cutoff) })
	}
	if total < len(toks) { // every page was read
		total = len(toks)
	}
	if limit > 0 && len(toks) > limit {
		toks = toks[:limit]
	}
	if len(toks) == 0 {
		return nil, 0, lf.checkScope(ctx, conn)
	}
	return toks, total, nil
}

// checkScope tells an empty answer from a mistyped filter: the account
// and the modules asked for must exist, or the command says so rather
// than "No API tokens match". Asked only when nothing matched; a check
// that fails for another reason leaves the empty answer as it is.
func (lf listFilter) checkScope(ctx context.Context, conn *Connection) error {
	if _, err := conn.Client.GetAccount(ctx, conn.AccountID, "id"); apiclient.IsNotFound(err) {
		return &exitError{code: ExitError, err: fmt.Errorf("no account %s among those this credential can see", conn.AccountID)}
	}
	for _, m := range lf.modules {
		mods, _, err := conn.Client.ListModules(ctx, &apiclient.ListOptions{Filter: apiclient.Eq("id", m), Limit: 1})
		if err == nil && len(mods) == 0 {
			return usagef("--module %s: there is no such module", m)
		}
	}
	return nil
}

func runList(ctx context.Context, opts *ListOptions) error {
	if err := opts.Exporter.Validate(); err != nil {
		return jsonUsage(err)
	}
	if opts.Limit < 1 {
		return usagef("--limit %d: expected at least 1", opts.Limit)
	}
	now := opts.Now()
	lf, err := checkListFlags(opts.Status, opts.Modules, opts.UnusedFor, now)
	if err != nil {
		return err
	}
	conn, err := opts.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	toks, total, err := lf.fetch(ctx, conn, opts.Limit)
	if err != nil {
		return err
	}
	io := opts.Factory.IO
	tty := opts.outIsTTY()
	if opts.Exporter.Enabled() {
		items := make([]any, len(toks))
		for i := range toks {
			items[i] = opts.Exporter.Pick(tokenData(&toks[i]))
		}
		return opts.Exporter.Write(ctx, io.Out, items, tty)
	}
	if len(toks) == 0 {
		// As gh: an empty list is said on stderr, and is still success.
		if streamIsTerminal(io.ErrOut) || tty {
			fmt.Fprintf(io.ErrOut, "No API tokens match in %s.\n", conn.AccountID)
		}
		return nil
	}
	if tty {
		if total > len(toks) { // as gh: "Showing 2 of 16", so that --limit is no surprise
			fmt.Fprintf(io.Out, "\nShowing %d of %d API tokens of %s\n\n", len(toks), total, conn.AccountID)
		} else {
			fmt.Fprintf(io.Out, "\nShowing %d API tokens of %s\n\n", len(toks), conn.AccountID)
		}
	}
	return printTokenTable(io.Out, toks, now, tty, streamWidth(io.Out), opts.color())
}

func printTokenTable(w interface{ Write([]byte) (int, error) }, toks []apiclient.APIToken, now time.Time, tty bool, width int, color bool) error {
	tp := tableprinter.New(w, tty, width)
	tp.Color = color
	tp.Header("ID", "Name", "Status", "Modules", "Last used", "Created")
	for i := range toks {
		t := &toks[i]
		tp.AddField(tableprinter.Field{Text: sanitizeLine(t.ID), NoTruncate: true})
		tp.AddField(tableprinter.Field{Text: sanitizeLine(t.Name)})
		tp.AddField(tableprinter.Field{Text: sanitizeLine(t.Status), Color: statusColor(color, t.Status), NoTruncate: true})
		tp.AddField(tableprinter.Field{Text: moduleList(t, tty)})
		tp.AddField(tableprinter.Field{Text: when(t.LastAccessAt, now, tty, "never"), Color: dim(color), NoTruncate: true})
		tp.AddField(tableprinter.Field{Text: when(createdAt(t), now, tty, ""), Color: dim(color), NoTruncate: true})
		tp.EndRow()
	}
	return tp.Render()
}

// moduleList is the modules of a token: names on a terminal, ids piped
// (comma-separated, for a script to split).
func moduleList(t *apiclient.APIToken, tty bool) string {
	parts := make([]string, len(t.Modules))
	for i, m := range t.Modules {
		parts[i] = m.ID
		if tty && m.Name != "" {
			parts[i] = m.Name
		}
	}
	if tty {
		return sanitizeLine(strings.Join(parts, ", "))
	}
	return sanitizeLine(strings.Join(parts, ","))
}
