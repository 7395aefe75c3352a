package cli

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/spf13/cobra"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/syncbuf"
	"github.com/softwareone/apitoken/sandbox"
)

// testNow is the clock of every verb test: a few days after the demo
// fixture's newest token.
var testNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// fakeClock is the time of the sandbox and of the client: Sleep moves it on
// at once, so settle waits and backoffs take no real time.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return nil
}

// fakeTerm is an output stream that says it is a terminal of a width, as
// gh's iostreams fake a TTY in tests.
type fakeTerm struct {
	syncbuf.Buffer
	width int
}

func (*fakeTerm) IsTerminal() bool     { return true }
func (t *fakeTerm) TerminalWidth() int { return t.width }

// ttyInput is a stdin that says it is a terminal.
type ttyInput struct{ *strings.Reader }

func (ttyInput) IsTerminal() bool { return true }

// testAPI is a sandbox behind a recorder of every request it received.
type testAPI struct {
	srv   *sandbox.Server
	url   string
	clock *fakeClock
	mu    sync.Mutex
	reqs  []string
}

func newTestAPI(t *testing.T) *testAPI {
	t.Helper()
	api := &testAPI{clock: &fakeClock{now: testNow}}
	srv, err := sandbox.New(
		sandbox.WithClock(api.clock.Now),
		sandbox.WithIDSource(rand.NewChaCha8([32]byte{1})),
		sandbox.WithSecretSource(rand.NewChaCha8([32]byte{2})),
	)
	if err != nil {
		t.Fatal(err)
	}
	api.srv = srv
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		api.mu.Lock()
		api.reqs = append(api.reqs, r.Method+" "+r.URL.Path)
		api.mu.Unlock()
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	api.url = hs.URL
	return api
}

// requests are the requests received so far, as "METHOD path".
func (a *testAPI) requests() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.reqs...)
}

// writes are the requests that could change something.
func (a *testAPI) writes() []string {
	var out []string
	for _, r := range a.requests() {
		if !strings.HasPrefix(r, "GET ") {
			out = append(out, r)
		}
	}
	return out
}

// status reads a token's status as the API has it now, after the faults
// are cleared (a deleted token is not found: "Deleted").
func (a *testAPI) status(t *testing.T, id string) string {
	t.Helper()
	a.srv.ClearFaults()
	tok, err := a.connection(t).Client.GetAPIToken(t.Context(), id)
	if apiclient.IsNotFound(err) {
		return "Deleted"
	}
	if err != nil {
		t.Fatal(err)
	}
	return tok.Status
}

// all lists every token of the default account.
func (a *testAPI) all(t *testing.T) []apiclient.APIToken {
	t.Helper()
	toks, err := a.connection(t).Client.ListAllAPITokens(t.Context(), a.srv.DefaultAccount(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return toks
}

func (a *testAPI) connection(t *testing.T) *Connection {
	t.Helper()
	c, err := apiclient.New(apiclient.WithBaseURL(a.url), apiclient.WithToken(apiclient.Secret(a.srv.OperatorToken())),
		apiclient.WithClock(a.clock))
	if err != nil {
		t.Fatal(err)
	}
	return &Connection{Client: c, AccountID: a.srv.DefaultAccount(), Close: func() {}}
}

// env is what a command needs to reach the test API through the Factory.
func (a *testAPI) env() map[string]string {
	return map[string]string{"MPT_API_BASE_URL": a.url, "MPT_API_TOKEN": a.srv.OperatorToken(), "MPT_ACCOUNT_ID": a.srv.DefaultAccount()}
}

type result struct {
	out, errOut string
	code        int
}

type runSpec struct {
	tty   bool   // stdout, stderr and stdin are terminals
	stdin string // what is typed or piped
	env   map[string]string
}

// runVerb runs one verb in-process on the test API, with the test clock.
func runVerb(t *testing.T, api *testAPI, spec runSpec, args ...string) result {
	t.Helper()
	env := map[string]string{}
	for k, v := range spec.env {
		env[k] = v
	}
	f, out, errOut := testFactory(env)
	var tout, terr *fakeTerm
	if spec.tty {
		tout, terr = &fakeTerm{width: 100}, &fakeTerm{width: 100}
		f.IO = IOStreams{In: ttyInput{strings.NewReader(spec.stdin)}, Out: tout, ErrOut: terr}
	} else {
		f.IO.In = strings.NewReader(spec.stdin)
	}
	setup := func(v *verb) {
		v.Now = func() time.Time { return testNow }
		v.Connect = func(context.Context) (*Connection, error) { return api.connection(t), nil }
	}
	cmd := verbCommand(f, args[0], setup)
	markUsage(cmd)
	cmd.SetArgs(args[1:])
	cmd.SetIn(f.IO.In)
	cmd.SetOut(f.IO.Out)
	cmd.SetErr(f.IO.ErrOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.ExecuteContext(t.Context())
	printError(f.IO.ErrOut, err)
	r := result{code: exitCode(err)}
	if spec.tty {
		r.out, r.errOut = tout.String(), terr.String()
	} else {
		r.out, r.errOut = out.String(), errOut.String()
	}
	return r
}

func verbCommand(f *Factory, name string, setup func(*verb)) *cobra.Command {
	switch name {
	case "list":
		return NewCmdList(f, func(ctx context.Context, o *ListOptions) error { setup(&o.verb); return runList(ctx, o) })
	case "view":
		return NewCmdView(f, func(ctx context.Context, o *ViewOptions) error { setup(&o.verb); return runView(ctx, o) })
	case "edit":
		return NewCmdEdit(f, func(ctx context.Context, o *EditOptions) error { setup(&o.verb); return runEdit(ctx, o) })
	case "enable", "disable", "delete":
		return newCmdState(f, name, func(ctx context.Context, o *StateOptions) error { setup(&o.verb); return runState(ctx, o) })
	case "rotate":
		return NewCmdRotate(f, func(ctx context.Context, o *RotateOptions) error { setup(&o.verb); return runRotate(ctx, o) })
	}
	panic("no verb " + name)
}

var sandboxValue = regexp.MustCompile(`idt:TKN-\d{4}-\d{4}:[A-Za-z0-9]{64}`)

// transcript is what a golden holds; a token value is replaced after its
// place has been checked by the test.
func (r result) transcript() string {
	return fmt.Sprintf("-- stdout --\n%s-- stderr --\n%s-- exit %d --\n",
		sandboxValue.ReplaceAllString(r.out, "<token value>"), sandboxValue.ReplaceAllString(r.errOut, "<token value>"), r.code)
}

// TestVerbGolden pins every verb's output on a terminal and piped, plain
// and --json/--jq.
func TestVerbGolden(t *testing.T) {
	cases := []struct {
		name string
		spec runSpec
		args []string
		code int
	}{
		{"list_tty", runSpec{tty: true}, []string{"list", "--limit", "8"}, ExitOK},
		{"list_tty_nocolor_narrow", runSpec{tty: true, env: map[string]string{"NO_COLOR": "1"}}, []string{"list", "--limit", "4", "--status", "active"}, ExitOK},
		{"list_piped", runSpec{}, []string{"list", "--limit", "8"}, ExitOK},
		{"list_json_piped", runSpec{}, []string{"list", "--limit", "2", "--json", "id,name,status,lastAccessAt"}, ExitOK},
		{"list_json_tty", runSpec{tty: true}, []string{"list", "--limit", "2", "--json", "id,modules"}, ExitOK},
		{"list_jq", runSpec{}, []string{"list", "--limit", "100", "--json", "id,lastAccessAt", "--jq", ".[] | select(.lastAccessAt == null) | .id"}, ExitOK},
		{"list_module_piped", runSpec{}, []string{"list", "--module", "MOD-1009", "--status", "Disabled"}, ExitOK},
		{"list_unused_tty", runSpec{tty: true, env: map[string]string{"NO_COLOR": "1"}}, []string{"list", "--unused-for", "90d"}, ExitOK},
		{"list_unused_piped", runSpec{}, []string{"list", "--unused-for", "2160h"}, ExitOK},
		{"view_tty", runSpec{tty: true}, []string{"view", "TKN-1000-1002"}, ExitOK},
		{"view_piped", runSpec{}, []string{"view", "TKN-1000-1002"}, ExitOK},
		{"view_json_tty", runSpec{tty: true}, []string{"view", "TKN-1000-1002", "--json", "id,name,description,account,auditRecords"}, ExitOK},
		{"view_jq", runSpec{}, []string{"view", "TKN-1000-1002", "--json", "modules", "--jq", ".modules[].name"}, ExitOK},
		{"edit_piped", runSpec{}, []string{"edit", "TKN-1000-1002", "--name", "Power BI refresh (old)", "--add-module", "MOD-1005", "--remove-module", "MOD-1007"}, ExitOK},
		{"edit_description_stdin_tty", runSpec{tty: true, stdin: "Refreshes the finance dashboards.\n"}, []string{"edit", "TKN-1000-1002", "--description", "-"}, ExitOK},
		{"edit_nothing_to_change", runSpec{}, []string{"edit", "TKN-1000-1002", "--name", "Power BI refresh"}, ExitOK},
		{"enable_tty_yes", runSpec{tty: true, stdin: "y\n"}, []string{"enable", "TKN-1000-1005"}, ExitOK},
		{"enable_piped_yes", runSpec{}, []string{"enable", "TKN-1000-1005", "--yes"}, ExitOK},
		{"disable_tty_no", runSpec{tty: true, stdin: "n\n"}, []string{"disable", "TKN-1000-1002"}, ExitCancel},
		{"disable_piped_yes", runSpec{}, []string{"disable", "TKN-1000-1002", "--yes"}, ExitOK},
		{"disable_already", runSpec{}, []string{"disable", "TKN-1000-1005", "--yes"}, ExitOK},
		{"delete_tty_typed", runSpec{tty: true, stdin: "Power BI refresh\n"}, []string{"delete", "TKN-1000-1002"}, ExitOK},
		{"delete_tty_mistyped", runSpec{tty: true, stdin: "Power BI\n"}, []string{"delete", "TKN-1000-1002"}, ExitCancel},
		{"delete_piped_yes", runSpec{}, []string{"delete", "TKN-1000-1002", "--yes"}, ExitOK},
		{"disable_unused_dry_run_tty", runSpec{tty: true, env: map[string]string{"NO_COLOR": "1"}}, []string{"disable", "--unused-for", "90d", "--dry-run"}, ExitOK},
		{"disable_unused_piped_yes", runSpec{}, []string{"disable", "--unused-for", "90d", "--yes"}, ExitOK},
		{"rotate_tty", runSpec{tty: true, stdin: "y\n", env: map[string]string{"NO_COLOR": "1"}}, []string{"rotate", "TKN-1000-1002"}, ExitOK},
		{"rotate_piped_yes_delete_old", runSpec{}, []string{"rotate", "TKN-1000-1002", "--yes", "--delete-old"}, ExitOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api := newTestAPI(t)
			r := runVerb(t, api, tc.spec, tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, tc.code, r.transcript())
			}
			// The value appears only in a rotation's stdout.
			if sandboxValue.MatchString(r.errOut) || (tc.args[0] != "rotate" && sandboxValue.MatchString(r.out)) {
				t.Errorf("a token value was printed where it was not asked for:\n%s", r.transcript())
			}
			if tc.args[0] == "rotate" && len(sandboxValue.FindAllString(r.out, -1)) != 1 {
				t.Errorf("rotate must print the new value exactly once on stdout:\n%s", r.transcript())
			}
			golden.RequireEqual(t, []byte(r.transcript()))
		})
	}
}

// TestListUnknownScope: a mistyped account or module is said as such, not
// as an empty list; an existing account with no tokens is still an empty
// success.
func TestListUnknownScope(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"list", "--account", "ACC-9999-9999"}, ExitError, "no account ACC-9999-9999 among those this credential can see"},
		{[]string{"list", "--module", "MOD-9999"}, ExitUsage, "--module MOD-9999: there is no such module"},
		{[]string{"disable", "--unused-for", "1d", "--account", "ACC-9999-9999", "--yes"}, ExitError, "no account ACC-9999-9999"},
		{[]string{"list", "--account", "ACC-1000-0002"}, ExitOK, ""},
		{[]string{"list", "--module", "MOD-1012"}, ExitOK, ""},
	} {
		f, out, errOut := testFactory(nil)
		code := Execute(t.Context(), f, c.args)
		if code != c.code || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("%q: exit %d, want %d; stderr %q, want it to say %q", c.args, code, c.code, errOut, c.want)
		}
		if c.code == ExitOK && out.String() != "" {
			t.Errorf("%q: stdout %q, want nothing", c.args, out)
		}
	}
}

// TestIDsInAnyCase: ids typed in lower case mean the platform's ids.
func TestIDsInAnyCase(t *testing.T) {
	for _, args := range [][]string{
		{"view", "tkn-1000-1001"},
		{"list", "--account", "acc-1000-0001", "--module", "mod-1001"},
		{"create", "--name", "Lower case", "--module", "mod-1001", "--token-only"},
	} {
		f, out, errOut := testFactory(nil)
		if code := Execute(t.Context(), f, args); code != ExitOK || out.String() == "" {
			t.Errorf("%q: exit %d; stdout %q; stderr %q", args, code, out, errOut)
		}
	}
}

// TestFieldErrorsOnce: a 400 that names fields lists each once, a line
// each, under the sentence that introduces them.
func TestFieldErrorsOnce(t *testing.T) {
	f, _, errOut := testFactory(nil)
	if code := Execute(t.Context(), f, []string{"create", "--name", "x", "--module", "MOD-9999"}); code == ExitOK {
		t.Fatalf("a create with an unknown module succeeded")
	}
	s := errOut.String()
	if strings.Count(s, "Module MOD-9999 was not found") != 1 || !strings.Contains(s, "Fix these fields:\n  modules[0].id: Module MOD-9999 was not found.") {
		t.Errorf("stderr %q", s)
	}
}
