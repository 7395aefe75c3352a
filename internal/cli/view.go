package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/jsonflags"
	"github.com/softwareone/apitoken/internal/textsafe"
)

// viewAuditRecords is how many audit records view shows.
const viewAuditRecords = 5

// ViewOptions are the flags of apitoken view.
type ViewOptions struct {
	verb
	ID       string
	Exporter *jsonflags.Exporter
}

// NewCmdView builds apitoken view; runF replaces the run in tests.
func NewCmdView(f *Factory, runF func(context.Context, *ViewOptions) error) *cobra.Command {
	opts := &ViewOptions{verb: newVerb(f)}
	cmd := &cobra.Command{
		Use:   "view ID",
		Short: "Show an API token's details",
		Long: `Show an API token's details: general, modules, details and the latest
records of its audit trail. Its value is never shown again after create.

Piped, each line is "field:<TAB>value" with RFC 3339 times.

` + exitCodesHelp,
		Example: `  apitoken view TKN-1000-1001
  apitoken view TKN-1000-1001 --json status,lastAccessAt --jq .status`,
		Args: exactlyOneID,
		RunE: func(c *cobra.Command, args []string) error {
			opts.ID = args[0]
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runView(c.Context(), opts)
		},
	}
	opts.Exporter = jsonflags.Add(cmd, append(append([]string{}, tokenFields...), "auditRecords"))
	opts.API.register(cmd.Flags())
	cmd.ValidArgsFunction = completeTokenIDs(&opts.verb)
	return cmd
}

// exactlyOneID is the argument rule of the verbs on one token.
func exactlyOneID(c *cobra.Command, args []string) error {
	switch {
	case len(args) == 0:
		return usagef("give the id of an API token, e.g. %s TKN-1000-1001 (`apitoken list` shows the ids)", c.CommandPath())
	case len(args) > 1:
		return usagef("one API token id at a time; got %d arguments", len(args))
	}
	return nil
}

func runView(ctx context.Context, opts *ViewOptions) error {
	if err := opts.Exporter.Validate(); err != nil {
		return jsonUsage(err)
	}
	id, err := checkTokenID(opts.ID)
	if err != nil {
		return err
	}
	conn, tok, err := opts.connectToken(ctx, id)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The trail is read only when it is shown.
	var records []apiclient.AuditRecord
	wantRecords := !opts.Exporter.Enabled() || contains(opts.Exporter.Fields(), "auditRecords")
	if wantRecords {
		records, _, err = conn.Client.ListAuditRecords(ctx, id, &apiclient.ListOptions{Limit: viewAuditRecords})
		if err != nil {
			return tokenFailure(err, "reading the audit trail of API token %s", id)
		}
	}
	out, tty := opts.Factory.IO.Out, opts.outIsTTY()
	if opts.Exporter.Enabled() {
		data := tokenData(tok)
		recs := []any{}
		for _, r := range records {
			recs = append(recs, recordData(r))
		}
		data["auditRecords"] = recs
		return opts.Exporter.Write(ctx, out, opts.Exporter.Pick(data), tty)
	}
	now := opts.Now()
	if !tty {
		return printViewPlain(out, tok, records)
	}
	return printViewTTY(out, tok, records, now, opts.color())
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func recordData(r apiclient.AuditRecord) map[string]any {
	m := map[string]any{"id": r.ID, "event": r.Event, "summary": r.Summary, "timestamp": nil, "actor": nil}
	if r.Timestamp != nil {
		m["timestamp"] = r.Timestamp.UTC().Format(time.RFC3339)
	}
	if r.Actor != nil {
		m["actor"] = map[string]any{"id": r.Actor.ID, "name": r.Actor.Name}
	}
	return m
}

func eventBy(e *apiclient.AuditEvent) (*time.Time, string) {
	if e == nil {
		return nil, ""
	}
	by := ""
	if e.By != nil {
		by = e.By.Name
		if by == "" {
			by = e.By.ID
		}
	}
	return e.At, sanitizeLine(by)
}

func events(t *apiclient.APIToken) (created, updated *apiclient.AuditEvent) {
	if t.Audit == nil {
		return nil, nil
	}
	return t.Audit.Created, t.Audit.Updated
}

func accountLabel(t *apiclient.APIToken) string {
	if t.Account == nil {
		return ""
	}
	if t.Account.Name == "" {
		return sanitizeLine(t.Account.ID)
	}
	return fmt.Sprintf("%s (%s)", sanitizeLine(t.Account.Name), sanitizeLine(t.Account.ID))
}

func description(t *apiclient.APIToken) string {
	if t.Description == nil {
		return ""
	}
	return *t.Description
}

func printViewPlain(w io.Writer, t *apiclient.APIToken, records []apiclient.AuditRecord) error {
	var b strings.Builder
	line := func(k, v string) { fmt.Fprintf(&b, "%s:\t%s\n", k, v) }
	line("id", sanitizeLine(t.ID))
	line("name", sanitizeLine(t.Name))
	line("status", sanitizeLine(t.Status))
	if t.Account != nil {
		line("account", sanitizeLine(t.Account.ID))
	}
	line("description", sanitizeLine(description(t)))
	line("modules", moduleList(t, false))
	c, u := events(t)
	at, by := eventBy(c)
	line("created", when(at, time.Time{}, false, ""))
	line("createdBy", by)
	at, by = eventBy(u)
	line("updated", when(at, time.Time{}, false, ""))
	line("updatedBy", by)
	line("lastUsed", when(t.LastAccessAt, time.Time{}, false, "never"))
	for _, r := range records {
		actor := ""
		if r.Actor != nil {
			actor = r.Actor.Name
		}
		fmt.Fprintf(&b, "audit:\t%s\t%s\t%s\n", when(r.Timestamp, time.Time{}, false, ""), sanitizeLine(recordText(r)), sanitizeLine(actor))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func recordText(r apiclient.AuditRecord) string {
	if r.Summary != "" {
		return r.Summary
	}
	return r.Event
}

func printViewTTY(w io.Writer, t *apiclient.APIToken, records []apiclient.AuditRecord, now time.Time, color bool) error {
	var b strings.Builder
	title := func(s string) {
		if color {
			s = "\x1b[1m" + s + "\x1b[0m"
		}
		b.WriteString("\n" + s + "\n")
	}
	row := func(k, v string) { fmt.Fprintf(&b, "  %-12s %s\n", k, v) }
	name := sanitizeLine(t.Name)
	if color {
		name = "\x1b[1m" + name + "\x1b[0m"
	}
	status := sanitizeLine(t.Status)
	if c := statusColor(color, t.Status); c != nil {
		status = c(status)
	}
	fmt.Fprintf(&b, "%s %s\n%s · %s\n", name, sanitizeLine(t.ID), status, accountLabel(t))

	title("General")
	desc := textsafe.Text(description(t), 0)
	if desc == "" {
		desc = "(none)"
	}
	row("Description", strings.ReplaceAll(desc, "\n", "\n"+strings.Repeat(" ", 15)))
	row("Icon", map[bool]string{true: "set", false: "none"}[t.Icon != nil])

	title(fmt.Sprintf("Modules (%d)", len(t.Modules)))
	for _, m := range t.Modules {
		fmt.Fprintf(&b, "  %s  %s\n", sanitizeLine(m.ID), sanitizeLine(m.Name))
	}

	title("Details")
	c, u := events(t)
	at, by := eventBy(c)
	row("Created", joinBy(when(at, now, true, "unknown"), by))
	if u != nil {
		at, by = eventBy(u)
		row("Updated", joinBy(when(at, now, true, "unknown"), by))
	}
	row("Last used", when(t.LastAccessAt, now, true, "never"))

	if len(records) > 0 {
		title("Audit trail (latest)")
		for _, r := range records {
			actor := ""
			if r.Actor != nil {
				actor = r.Actor.Name
			}
			fmt.Fprintf(&b, "  %-16s %s\n", when(r.Timestamp, now, true, ""), joinBy(sanitizeLine(recordText(r)), sanitizeLine(actor)))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func joinBy(s, by string) string {
	if by == "" {
		return s
	}
	return s + " by " + by
}
