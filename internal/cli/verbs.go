package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/jsonflags"
)

// The scripting verbs (list, view, edit, enable, disable, delete, rotate)
// share what is in this file: how they see the terminal, the clock, the
// connection, confirmations, and how a failure names the token.

// ttyStream is a stream that says itself whether it is a terminal: tests
// pass one to see the terminal form of a command's output without a pty.
type ttyStream interface{ IsTerminal() bool }

// widthStream is a terminal stream that knows its width.
type widthStream interface{ TerminalWidth() int }

func streamIsTerminal(s any) bool {
	if t, ok := s.(ttyStream); ok {
		return t.IsTerminal()
	}
	if f, ok := s.(*os.File); ok {
		return term.IsTerminal(f.Fd())
	}
	return false
}

// defaultWidth is the width of a terminal that does not say.
const defaultWidth = 80

func streamWidth(s any) int {
	if t, ok := s.(widthStream); ok {
		return t.TerminalWidth()
	}
	if f, ok := s.(*os.File); ok {
		if w, _, err := term.GetSize(f.Fd()); err == nil && w > 0 {
			return w
		}
	}
	return defaultWidth
}

// verb is what every scripting verb carries besides its own flags.
type verb struct {
	Factory *Factory
	API     APIFlags
	// Now is the clock of relative times and of --unused-for.
	Now func() time.Time
	// Connect replaces Factory.Connect (tests give a client on a fake clock).
	Connect func(ctx context.Context) (*Connection, error)
}

func newVerb(f *Factory) verb { return verb{Factory: f, Now: time.Now} }

func (v *verb) connect(ctx context.Context) (*Connection, error) {
	if v.Connect != nil {
		return v.Connect(ctx)
	}
	return v.Factory.Connect(ctx, &v.API, v.Factory.IO.ErrOut)
}

func (v *verb) outIsTTY() bool { return streamIsTerminal(v.Factory.IO.Out) }

// interactive: both ends are a terminal, so a question can be asked.
func (v *verb) interactive() bool {
	return streamIsTerminal(v.Factory.IO.In) && streamIsTerminal(v.Factory.IO.ErrOut)
}

func (v *verb) color() bool {
	_, noColor := v.Factory.lookup()("NO_COLOR")
	return v.outIsTTY() && !noColor && v.Factory.Getenv("TERM") != "dumb"
}

// needConfirmation refuses, before anything is sent, a change that would
// ask on a terminal but has no terminal to ask on.
func (v *verb) needConfirmation(yes bool, what string) error {
	if yes || v.interactive() {
		return nil
	}
	return usagef("%s needs confirmation, and there is no terminal to ask on: add --yes to do it without asking", what)
}

// ask prints a question on stderr and reads one line of the answer.
// End of input is a no. A signal (ctx) ends the wait: the read is left to
// finish on its own, as the process is about to end.
func (v *verb) ask(ctx context.Context, prompt string) (string, error) {
	fmt.Fprint(v.Factory.IO.ErrOut, prompt)
	type answer struct {
		line string
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		line, err := readLine(v.Factory.IO.In)
		got <- answer{line, err}
	}()
	var line string
	var err error
	select {
	case a := <-got:
		line, err = a.line, a.err
	case <-ctx.Done():
		fmt.Fprintln(v.Factory.IO.ErrOut)
		return "", errNothingChanged
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	if errors.Is(err, io.EOF) && line == "" {
		fmt.Fprintln(v.Factory.IO.ErrOut)
	}
	return strings.TrimSpace(line), nil
}

// readLine reads up to a newline one byte at a time: a buffered reader
// would swallow what a later question is answered with.
func readLine(r io.Reader) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for b.Len() < 4096 {
		n, err := r.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				return b.String(), nil
			}
			b.WriteByte(buf[0])
		}
		if err != nil {
			return b.String(), err
		}
	}
	return b.String(), nil
}

// confirm asks a yes/no question, no by default.
func (v *verb) confirm(ctx context.Context, prompt string) (bool, error) {
	a, err := v.ask(ctx, prompt+" [y/N] ")
	if err != nil {
		return false, err
	}
	a = strings.ToLower(a)
	return a == "y" || a == "yes", nil
}

// errNothingChanged is a confirmation the user declined.
var errNothingChanged = &exitError{code: ExitCancel, err: errors.New("cancelled: nothing was changed")}

// checkTokenID refuses a malformed id before anything is sent.
func checkTokenID(typed string) (string, error) {
	id := canonicalID(typed)
	if !apiclient.ValidTokenID(id) {
		return "", usagef("%q is not an API token id: expected TKN-####-####; `apitoken list` shows the ids", sanitizeLine(strings.TrimSpace(typed)))
	}
	return id, nil
}

// apiMessage is an API error in words, without the client's prefix.
func apiMessage(err error) string {
	var apiErr *apiclient.Error
	if errors.As(err, &apiErr) {
		return apiErr.Message()
	}
	return strings.TrimPrefix(err.Error(), "apiclient: ")
}

// tokenFailure names the token and what to do; the exit code is the one of
// the error (3 for an unknown outcome, else 1).
func tokenFailure(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var usage *usageError
	if errors.As(err, &usage) {
		return err
	}
	msg := fmt.Sprintf(format, args...) + ": " + apiMessage(err)
	if errors.Is(err, context.Canceled) {
		return &exitError{code: ExitCancel, err: errors.New(msg)}
	}
	return &exitError{code: exitCode(err), err: errors.New(msg)}
}

// connectToken connects and reads the token the command acts on; the
// connection is the caller's to close, and is closed here when reading fails.
func (v *verb) connectToken(ctx context.Context, id string) (*Connection, *apiclient.APIToken, error) {
	conn, err := v.connect(ctx)
	if err != nil {
		return nil, nil, err
	}
	tok, err := getToken(ctx, conn, id)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	return conn, tok, nil
}

// getToken reads a token; a 404 says which id and where to look.
func getToken(ctx context.Context, conn *Connection, id string) (*apiclient.APIToken, error) {
	tok, err := conn.Client.GetAPIToken(ctx, id)
	if apiclient.IsNotFound(err) {
		return nil, &exitError{code: ExitError, err: fmt.Errorf("no API token %s in the accounts this credential can see (it may have been deleted); `apitoken list --account %s` shows the tokens", id, conn.AccountID)}
	}
	if err != nil {
		return nil, tokenFailure(err, "reading API token %s", id)
	}
	// An operator's credential sees every account: acting on a token of
	// another account than the one in use is refused, not done by surprise.
	if tok.Account != nil && tok.Account.ID != "" && conn.AccountID != "" && tok.Account.ID != conn.AccountID {
		return nil, &exitError{code: ExitError, err: fmt.Errorf("API token %s belongs to account %s, not to %s (the account in use): add --account %s",
			id, sanitizeLine(tok.Account.ID), conn.AccountID, sanitizeLine(tok.Account.ID))}
	}
	return tok, nil
}

// parseAge reads --unused-for: a whole number of days (90d), or hours and
// minutes as Go writes them (36h, 90m, 1h30m).
func parseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	var err error
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var days int
		days, err = strconv.Atoi(n)
		d = time.Duration(days) * 24 * time.Hour
		if days > 100*365 {
			err = errors.New("too long")
		}
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d <= 0 {
		return 0, usagef("--unused-for %q is not a duration: use days, hours or minutes, e.g. 90d, 36h, 90m", sanitizeLine(s))
	}
	return d, nil
}

// stale reports whether a token has gone unused since cutoff: last used
// before it, or never used and created before it.
func stale(t *apiclient.APIToken, cutoff time.Time) bool {
	if t.LastAccessAt != nil {
		return t.LastAccessAt.Before(cutoff)
	}
	c := createdAt(t)
	return c != nil && c.Before(cutoff)
}

func createdAt(t *apiclient.APIToken) *time.Time {
	if t.Audit == nil || t.Audit.Created == nil {
		return nil
	}
	return t.Audit.Created.At
}

// tokenFields are the --json fields of a token, in the API's words.
var tokenFields = []string{"id", "name", "description", "status", "account", "modules", "extensions",
	"icon", "createdAt", "createdBy", "updatedAt", "updatedBy", "lastAccessAt", "revision"}

// tokenData is a token as --json prints it; never its value.
func tokenData(t *apiclient.APIToken) map[string]any {
	m := map[string]any{"id": t.ID, "name": t.Name, "status": t.Status, "revision": t.Revision,
		"description": "", "icon": nil, "account": nil, "createdAt": nil, "createdBy": nil,
		"updatedAt": nil, "updatedBy": nil, "lastAccessAt": nil}
	if t.Description != nil {
		m["description"] = *t.Description
	}
	if t.Icon != nil {
		m["icon"] = *t.Icon
	}
	if t.Account != nil {
		m["account"] = map[string]any{"id": t.Account.ID, "name": t.Account.Name}
	}
	mods := []any{}
	for _, mod := range t.Modules {
		mods = append(mods, map[string]any{"id": mod.ID, "name": mod.Name})
	}
	m["modules"] = mods
	exts := []any{}
	for _, e := range t.Extensions {
		exts = append(exts, map[string]any{"id": e.ID, "name": e.Name})
	}
	m["extensions"] = exts
	if t.Audit != nil {
		setEvent(m, "created", t.Audit.Created)
		setEvent(m, "updated", t.Audit.Updated)
	}
	if t.LastAccessAt != nil {
		m["lastAccessAt"] = t.LastAccessAt.UTC().Format(time.RFC3339)
	}
	return m
}

func setEvent(m map[string]any, name string, e *apiclient.AuditEvent) {
	if e == nil {
		return
	}
	if e.At != nil {
		m[name+"At"] = e.At.UTC().Format(time.RFC3339)
	}
	if e.By != nil {
		m[name+"By"] = map[string]any{"id": e.By.ID, "name": e.By.Name}
	}
}

// jsonUsage turns a --json/--jq flag error into a usage error.
func jsonUsage(err error) error {
	var fe *jsonflags.FieldError
	if errors.As(err, &fe) {
		return usagef("%s", fe.Msg)
	}
	return err
}

// when is a time as a person reads it on a terminal (relative) or a script
// reads it (RFC 3339, UTC).
func when(t *time.Time, now time.Time, tty bool, never string) string {
	if t == nil {
		return never
	}
	if !tty {
		return t.UTC().Format(time.RFC3339)
	}
	return humanize.RelTime(*t, now, "ago", "from now")
}

// statusColor draws a status as gh draws states: green active, grey the rest.
func statusColor(on bool, status string) func(string) string {
	if !on {
		return nil
	}
	if status == apiclient.TokenStatusActive {
		return func(s string) string { return "\x1b[32m" + s + "\x1b[0m" }
	}
	return func(s string) string { return "\x1b[90m" + s + "\x1b[0m" }
}

func dim(on bool) func(string) string {
	if !on {
		return nil
	}
	return func(s string) string { return "\x1b[90m" + s + "\x1b[0m" }
}

// tokenName is a token's id and name for a message.
func tokenName(t *apiclient.APIToken) string {
	return fmt.Sprintf("%s %q", t.ID, sanitizeLine(t.Name))
}

// completeTokenIDs completes token ids (with their names as descriptions)
// from the API, for the account the command line names.
func completeTokenIDs(v *verb) cobra.CompletionFunc {
	list := completeFromAccount(v, func(ctx context.Context, conn *Connection) ([]cobra.Completion, error) {
		toks, _, err := conn.Client.ListAPITokens(ctx, conn.AccountID, &apiclient.ListAPITokensOptions{Limit: apiclient.MaxPageSize, Order: "name"})
		if err != nil {
			return nil, err
		}
		out := make([]cobra.Completion, 0, len(toks))
		for _, t := range toks {
			out = append(out, cobra.CompletionWithDesc(t.ID, sanitizeLine(t.Name)))
		}
		return out, nil
	})
	return func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return list(c, args, toComplete)
	}
}

// completeModuleIDs completes the modules enabled for the account.
func completeModuleIDs(v *verb) cobra.CompletionFunc {
	return completeFromAccount(v, func(ctx context.Context, conn *Connection) ([]cobra.Completion, error) {
		mods, err := conn.Client.ListEnabledModules(ctx, conn.AccountID)
		if err != nil {
			return nil, err
		}
		out := make([]cobra.Completion, 0, len(mods))
		for _, m := range mods {
			out = append(out, cobra.CompletionWithDesc(m.ID, sanitizeLine(m.Name)))
		}
		return out, nil
	})
}

// completeFromAccount wraps a lister of the account's items as a completion:
// any failure ends completion quietly, since the shell has nowhere to show it.
func completeFromAccount(v *verb, list func(context.Context, *Connection) ([]cobra.Completion, error)) cobra.CompletionFunc {
	return func(c *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		ctx := c.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		conn, err := v.quietConnect(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		defer conn.Close()
		out, err := list(ctx, conn)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// quietConnect connects without the sandbox notice: completion output is
// read by the shell, and its stderr is the user's prompt line.
func (v *verb) quietConnect(ctx context.Context) (*Connection, error) {
	if v.Connect != nil {
		return v.Connect(ctx)
	}
	f := *v.Factory
	f.IO.ErrOut = io.Discard
	return f.Connect(ctx, &v.API, io.Discard)
}
