package ui_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/syncbuf"
	"github.com/softwareone/apitoken/sandbox"
	"github.com/softwareone/apitoken/ui"
	"github.com/softwareone/apitoken/ui/actions/acttest"
)

const accTokensPath = "/public/v1/accounts/api-tokens"

// runTokens runs the accessible API tokens flow over env with answers on
// stdin, and checks what every run must hold: plain text only.
func runTokens(t *testing.T, env *acttest.Env, api ui.AccessibleTokensAPI, answers ...string) (string, error) {
	t.Helper()
	if api == nil {
		api = env.Client
	}
	var out syncbuf.Buffer
	err := ui.RunAccessibleTokens(context.Background(), ui.AccessibleTokensOptions{
		API: api, AccountID: env.Srv.DefaultAccount(),
		In: strings.NewReader(strings.Join(answers, "\n") + "\n"), Out: &out,
		Clock: func() time.Time { return acttest.Now }, Sandbox: true,
	})
	text := out.String()
	plainText(t, text)
	return text, err
}

// plainText fails on any escape sequence, or control or bidi character
// but a line break: a screen reader would read them out, a terminal obey.
func plainText(t *testing.T, text string) {
	t.Helper()
	if strings.ContainsRune(text, 0x1b) {
		t.Fatalf("escape sequence in the accessible output:\n%q", text)
	}
	if r, at, bad := acttest.Leak(text); bad {
		t.Fatalf("%U got through at byte %d:\n%q", r, at, text)
	}
}

func mustContain(t *testing.T, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("output lacks %q:\n%s", w, text)
		}
	}
}

var rowID = regexp.MustCompile(`(?m)^\d+\. .*: (TKN-\d{4}-\d{4}), `)

// pages splits the output at each list heading, returning the ids listed
// under each.
func pages(text string) [][]string {
	var out [][]string
	for _, part := range strings.Split(text, "Reading the tokens…")[1:] {
		part, _, _ = strings.Cut(part, "Enter a number")
		var ids []string
		for _, m := range rowID.FindAllStringSubmatch(part, -1) {
			ids = append(ids, m[1])
		}
		out = append(out, ids)
	}
	return out
}

// TestAccessibleTokensListPagesAndFilters pages through the account's
// tokens, narrows them by name and by status and clears the filter.
func TestAccessibleTokensListPagesAndFilters(t *testing.T) {
	env := acttest.Sandbox(t, nil)
	text, err := runTokens(t, env, nil,
		"",      // enter alone: the next page
		"8",     // page 2 has 6 tokens and Previous: 8 is Filter by name
		"power", // name contains
		"4",     // 2 tokens: 4 is Filter by status
		"3",     // Disabled: none of them
		"1",     // nothing listed: 1 is Filter by name
		"-",     // clear it
		"7",     // 3 disabled tokens: 7 is Quit
	)
	if err != nil {
		t.Fatalf("err = %v\n%s", err, text)
	}
	mustContain(t, text,
		"API tokens of account ACC-1000-0001 (sandbox",
		"Tokens 1 to 10 of 16, newest first.",
		"Tokens 11 to 16 of 16, newest first.",
		"Tokens 1 to 2 of 2, newest first (name contains “power”).",
		"No token matches (name contains “power”, status Disabled).",
		"Tokens 1 to 3 of 3, newest first (status Disabled).",
		"1. ServiceNow connector: TKN-1000-1001, Active, 6 modules, created 1 d ago, never used",
		"Bye.",
	)
	got := pages(text)
	want := [][]string{
		{"TKN-1000-1001", "TKN-1000-1002", "TKN-1000-1003", "TKN-1000-1004", "TKN-1000-1005",
			"TKN-1000-1006", "TKN-1000-1007", "TKN-1000-1008", "TKN-1000-1009", "TKN-1000-1010"},
		{"TKN-1000-1011", "TKN-1000-1012", "TKN-1000-1013", "TKN-1000-1014", "TKN-1000-1015", "TKN-1000-1016"},
		{"TKN-1000-1002", "TKN-1000-1014"},
		nil,
		{"TKN-1000-1005", "TKN-1000-1010", "TKN-1000-1015"},
	}
	if !slices.EqualFunc(got, want, slices.Equal[[]string]) {
		t.Errorf("pages listed %v, want %v", got, want)
	}
	// The filters and pages are the server's, so they scale: one request
	// per page shown, narrowed by the query.
	var queries []string
	for _, r := range env.Rec.Requests() {
		if r.Method == http.MethodGet && r.Path == accTokensPath {
			queries = append(queries, r.Query)
		}
	}
	if len(queries) != 5 || !strings.Contains(queries[1], "offset=10") || !strings.Contains(queries[2], "ilike(name") ||
		!strings.Contains(queries[3], "Disabled") || strings.Contains(queries[4], "ilike") {
		t.Errorf("list requests:\n%s", strings.Join(queries, "\n"))
	}
	if w := env.Rec.Writes(); len(w) != 0 {
		t.Errorf("listing sent %v", w)
	}
}

// TestAccessibleTokensView reads one token out, tab by tab, and never its
// value, even one this process was given when it created the token.
func TestAccessibleTokensView(t *testing.T) {
	env := acttest.Sandbox(t, nil)
	mods, err := env.Client.ListEnabledModules(context.Background(), env.Srv.DefaultAccount())
	if err != nil {
		t.Fatal(err)
	}
	made, err := env.Client.CreateAPIToken(context.Background(), &apiclient.CreateAPITokenRequest{
		AccountID: env.Srv.DefaultAccount(), Name: "Fresh one", Description: "line one\nline two", ModuleIDs: []string{mods[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	text, err := runTokens(t, env, nil,
		"1", // the new token, newest first
		"1", // back to the list
		"2", // the next one
		"5", // quit
	)
	if err != nil {
		t.Fatalf("err = %v\n%s", err, text)
	}
	mustContain(t, text,
		"1. Fresh one: "+made.ID+", Active, module "+mods[0].Name+", created just now, never used",
		"API token “Fresh one” ("+made.ID+")",
		"  Description: line one\n    line two",
		"Token value: the platform shows it only once",
		"Modules: 1\n  "+mods[0].Name+" ("+mods[0].ID+")",
		"Audit trail, newest first\n  2026-11-27 10:00 UTC (just now): API token "+made.ID+" (Fresh one) created, by Sandbox Operator",
		"API token “ServiceNow connector” (TKN-1000-1001)",
		"  Created: 2026-11-25 18:00 UTC (1 d ago) by Rahul Mehta",
		"  Last access: never",
		"  Revision: 1",
		"  Status: Active",
		"  Account: Contoso Ltd (ACC-1000-0001)",
	)
	if tokenValue.MatchString(text) || strings.Contains(text, made.Token.Reveal()) {
		t.Errorf("a token value was printed:\n%s", text)
	}
}

// storedStatus is the token's status as the sandbox has it, or "gone".
func storedStatus(t *testing.T, e *acttest.Env, id string) string {
	t.Helper()
	tok, err := e.Client.GetAPIToken(context.Background(), id)
	if apiclient.IsNotFound(err) {
		return "gone"
	}
	if err != nil {
		t.Fatal(err)
	}
	return tok.Status
}

// TestAccessibleTokensDisable: the confirmation defaults to no; yes
// disables the token, the new state is read out and recorded.
func TestAccessibleTokensDisable(t *testing.T) {
	env := acttest.Sandbox(t, nil)
	text, err := runTokens(t, env, nil,
		"1", // ServiceNow connector, Active
		"2", // Disable it
		"",  // enter alone: no
		"2", // Disable it
		"y",
		"4", // read it again
		"5", // quit
	)
	if err != nil {
		t.Fatalf("err = %v\n%s", err, text)
	}
	const id = "TKN-1000-1001"
	if w := env.Rec.Writes(); !slices.Equal(w, []string{"POST " + accTokensPath + "/" + id + "/disable"}) {
		t.Fatalf("the sandbox received %v", w)
	}
	if st := storedStatus(t, env, id); st != apiclient.TokenStatusDisabled {
		t.Fatalf("stored status %s", st)
	}
	recs, _, err := env.Client.ListAuditRecords(context.Background(), id, nil)
	if err != nil || len(recs) == 0 || !strings.HasSuffix(recs[0].Event, ".disabled") {
		t.Fatalf("no audit record of the disable: %v %+v", err, recs)
	}
	mustContain(t, text,
		"will stop working: every call made with it is refused",
		"Disable this API token? [y/N]",
		"Nothing was sent.",
		"“ServiceNow connector” (TKN-1000-1001) is disabled: its calls are refused until it is enabled again.\nStatus: Disabled.",
		"  Status: Disabled",
		"2. Enable it",
		"(ServiceNow connector) disabled, by Sandbox Operator",
	)
	if i, j := strings.Index(text, "Nothing was sent."), strings.Index(text, "Disabling…"); i < 0 || j < i {
		t.Errorf("the default answer did not come first:\n%s", text)
	}
}

// TestAccessibleTokensDeleteTypeBack: a delete goes out only once the
// token's name or id is typed back exactly.
func TestAccessibleTokensDeleteTypeBack(t *testing.T) {
	const id = "TKN-1000-1002"
	t.Run("wrong then kept", func(t *testing.T) {
		env := acttest.Sandbox(t, nil)
		text, err := runTokens(t, env, nil, "2", "3", "Power BI", "", "5")
		if err != nil {
			t.Fatalf("err = %v\n%s", err, text)
		}
		mustContain(t, text, "cannot be undone", "That is neither its name nor its id. Nothing was deleted.", "Nothing was deleted.")
		if w := env.Rec.Writes(); len(w) != 0 {
			t.Fatalf("a wrong type-back sent %v", w)
		}
		if st := storedStatus(t, env, id); st != apiclient.TokenStatusActive {
			t.Fatalf("stored status %s", st)
		}
	})
	for name, back := range map[string]string{"name": "Power BI refresh", "id": id} {
		t.Run("wrong then "+name, func(t *testing.T) {
			env := acttest.Sandbox(t, nil)
			text, err := runTokens(t, env, nil, "2", "3", "power bi refresh", back, "15")
			if err != nil {
				t.Fatalf("err = %v\n%s", err, text)
			}
			if w := env.Rec.Writes(); !slices.Equal(w, []string{"DELETE " + accTokensPath + "/" + id}) {
				t.Fatalf("the sandbox received %v", w)
			}
			if st := storedStatus(t, env, id); st != "gone" {
				t.Fatalf("stored status %s", st)
			}
			mustContain(t, text, "That is neither", "“Power BI refresh” (TKN-1000-1002) is deleted.", "Tokens 1 to 10 of 15")
			if p := pages(text); len(p) != 2 || slices.Contains(p[1], id) || len(p[1]) != 10 {
				t.Errorf("the list after the delete: %v", p)
			}
		})
	}
}

// TestAccessibleTokensCtrlC: ctrl+c at any question ends the flow and
// sends nothing, whether typed as a byte into a raw terminal or given as
// the end of the program's context.
func TestAccessibleTokensCtrlC(t *testing.T) {
	for name, answers := range map[string]string{
		"at the list":          "\x03",
		"at the confirmation":  "1\n2\ny\x03\n",
		"while typing back":    "1\n3\nServiceNow conn\x03ector\n",
		"after a wrong answer": "1\n3\nnope\n\x03",
	} {
		t.Run(name, func(t *testing.T) {
			env := acttest.Sandbox(t, nil)
			var out syncbuf.Buffer
			err := ui.RunAccessibleTokens(context.Background(), ui.AccessibleTokensOptions{
				API: env.Client, AccountID: env.Srv.DefaultAccount(), In: strings.NewReader(answers), Out: &out})
			if !errors.Is(err, ui.ErrAborted) || !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want a cancel\n%s", err, out.String())
			}
			plainText(t, out.String())
			if !strings.HasSuffix(out.String(), "\nCancelled.\n") || len(env.Rec.Writes()) != 0 {
				t.Fatalf("sent %v; output:\n%s", env.Rec.Writes(), out.String())
			}
		})
	}
	t.Run("context", func(t *testing.T) {
		env := acttest.Sandbox(t, nil)
		pr, pw := io.Pipe()
		t.Cleanup(func() { pw.Close() })
		ctx, cancel := context.WithCancel(context.Background())
		var out syncbuf.Buffer
		done := make(chan error, 1)
		go func() {
			done <- ui.RunAccessibleTokens(ctx, ui.AccessibleTokensOptions{
				API: env.Client, AccountID: env.Srv.DefaultAccount(), In: pr, Out: &out})
		}()
		// Written once the flow has taken "1\n3\n": it is at the
		// type-back, or on its way there.
		if _, err := io.WriteString(pw, "1\n3\nTKN-1000-1001"); err != nil {
			t.Fatal(err)
		}
		cancel()
		if err := <-done; !errors.Is(err, ui.ErrAborted) || !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want an abort by cancel", err)
		}
		if !strings.Contains(out.String(), "Cancelled.") || len(env.Rec.Writes()) != 0 {
			t.Errorf("sent %v; output:\n%s", env.Rec.Writes(), out.String())
		}
	})
}

// TestAccessibleTokensEndOfInput: input ending at a menu ends the flow;
// ending at a question aborts it, and nothing is sent.
func TestAccessibleTokensEndOfInput(t *testing.T) {
	env := acttest.Sandbox(t, nil)
	text, err := runTokens(t, env, nil, "1")
	if err != nil || !strings.HasSuffix(text, "End of input.\n") {
		t.Fatalf("err = %v\n%s", err, text)
	}
	// A number out of range is refused, and input may end after it.
	text, err = runTokens(t, env, nil, "99")
	if err != nil || !strings.Contains(text, "Enter a number between 1 and 15.\n") {
		t.Fatalf("err = %v\n%s", err, text)
	}
	text, err = runTokens(t, env, nil, "1", "2")
	if !errors.Is(err, ui.ErrAborted) || errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v\n%s", err, text)
	}
	if w := env.Rec.Writes(); len(w) != 0 {
		t.Fatalf("sent %v", w)
	}
}

// vanishing deletes a token through the sandbox's API just before the
// flow's next call about it: someone else deleted it meanwhile.
type vanishing struct {
	ui.AccessibleTokensAPI
	client *apiclient.Client
	id     string
	onGet  bool
}

func (v *vanishing) vanish(t string) {
	if t == v.id {
		_ = v.client.DeleteAPIToken(context.Background(), t)
		v.id = ""
	}
}

func (v *vanishing) GetAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error) {
	if v.onGet {
		v.vanish(id)
	}
	return v.AccessibleTokensAPI.GetAPIToken(ctx, id)
}

func (v *vanishing) DisableAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error) {
	v.vanish(id)
	return v.AccessibleTokensAPI.DisableAPIToken(ctx, id)
}

// TestAccessibleTokensVanished: a token deleted meanwhile is reported as
// changed or deleted, nothing is claimed done, and the list is read again.
func TestAccessibleTokensVanished(t *testing.T) {
	const id = "TKN-1000-1001"
	t.Run("before it is read", func(t *testing.T) {
		env := acttest.Sandbox(t, nil)
		text, err := runTokens(t, env, &vanishing{AccessibleTokensAPI: env.Client, client: env.Client, id: id, onGet: true}, "1", "15")
		if err != nil {
			t.Fatalf("err = %v\n%s", err, text)
		}
		mustContain(t, text, id+" was not found: it was changed or deleted meanwhile. The list is read again.", "Tokens 1 to 10 of 15")
		if p := pages(text); len(p) != 2 || slices.Contains(p[1], id) {
			t.Errorf("the list after: %v", p)
		}
	})
	t.Run("before the disable", func(t *testing.T) {
		env := acttest.Sandbox(t, nil)
		text, err := runTokens(t, env, &vanishing{AccessibleTokensAPI: env.Client, client: env.Client, id: id}, "1", "2", "y", "15")
		if err != nil {
			t.Fatalf("err = %v\n%s", err, text)
		}
		mustContain(t, text, "“ServiceNow connector” ("+id+") was not found: it was changed or deleted meanwhile. Nothing was disabled. The list is read again.",
			"Tokens 1 to 10 of 15")
		if strings.Contains(text, "is disabled") {
			t.Errorf("a vanished token was reported disabled:\n%s", text)
		}
		if w := env.Rec.Writes(); !slices.Equal(w, []string{"DELETE " + accTokensPath + "/" + id, "POST " + accTokensPath + "/" + id + "/disable"}) {
			t.Errorf("the sandbox received %v", w)
		}
	})
}

// TestAccessibleTokensUnknownOutcome: a disable whose answer is lost is
// reported as unknown and not retried; reading the token again tells.
func TestAccessibleTokensUnknownOutcome(t *testing.T) {
	env := acttest.Sandbox(t, nil)
	env.SetFault(func(r *http.Request) *sandbox.Fault {
		if r.Method == http.MethodPost {
			return &sandbox.Fault{DropAfterCommit: true}
		}
		return nil
	})
	text, err := runTokens(t, env, nil, "1", "2", "y", "4", "5")
	if err != nil {
		t.Fatalf("err = %v\n%s", err, text)
	}
	if w := env.Rec.Writes(); len(w) != 1 {
		t.Fatalf("the disable was sent %d times: %v", len(w), w)
	}
	mustContain(t, text, "No answer to the disable of “ServiceNow connector” (TKN-1000-1001): it may or may not have happened. It was not retried",
		"  Status: Disabled")
	if strings.Contains(text, "is disabled:") {
		t.Errorf("an unknown outcome was reported done:\n%s", text)
	}
}

// TestAccessibleTokensHostile: names, descriptions, creators, module names
// and audit summaries with escape sequences, controls and bidi characters
// are read out inert, and a hostile-named token is deleted by its id.
func TestAccessibleTokensHostile(t *testing.T) {
	env := acttest.Sandbox(t, acttest.HostileFixture())
	var answers []string
	for i := 1; i <= 10; i++ {
		answers = append(answers, strconv.Itoa(i), "1") // each token of page 1, then back
	}
	answers = append(answers, "11") // page 2
	for i := 1; i <= 6; i++ {
		answers = append(answers, strconv.Itoa(i), "1")
	}
	answers = append(answers, "1", "3", "TKN-1000-1011", "10") // delete the first of page 2 by id; quit
	text, err := runTokens(t, env, nil, answers...)            // runTokens checks the output is plain
	if err != nil {
		t.Fatalf("err = %v\n%s", err, text)
	}
	if n := strings.Count(text, "\nGeneral\n"); n != 17 { // the deleted one twice
		t.Errorf("%d tokens read out, want 17", n)
	}
	mustContain(t, text, "gnp.exe bidi", "desc wiped", ") is deleted.")
	if w := env.Rec.Writes(); !slices.Equal(w, []string{"DELETE " + accTokensPath + "/TKN-1000-1011"}) {
		t.Errorf("the sandbox received %v", w)
	}
}

// TestAccessibleTokensHostileTypeBack: a name with bidi controls can be
// typed back as it was read out, since that is all a person can type.
func TestAccessibleTokensHostileTypeBack(t *testing.T) {
	env := acttest.Sandbox(t, acttest.HostileFixture())
	text, err := runTokens(t, env, nil, "2", "3", "isolate mark Power BI refresh", "15")
	if err != nil {
		t.Fatalf("err = %v\n%s", err, text)
	}
	if w := env.Rec.Writes(); !slices.Equal(w, []string{"DELETE " + accTokensPath + "/TKN-1000-1002"}) {
		t.Errorf("the sandbox received %v\n%s", w, text)
	}
}

// cancelling cancels the flow's context as its disable goes out: ctrl+c
// while a change is on its way.
type cancelling struct {
	ui.AccessibleTokensAPI
	cancel context.CancelFunc
}

func (c cancelling) DisableAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error) {
	c.cancel()
	return c.AccessibleTokensAPI.DisableAPIToken(ctx, id)
}

// TestAccessibleTokensCtrlCDuringChange: a change already sent is seen
// through and its outcome reported before the flow ends.
func TestAccessibleTokensCtrlCDuringChange(t *testing.T) {
	env := acttest.Sandbox(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncbuf.Buffer
	err := ui.RunAccessibleTokens(ctx, ui.AccessibleTokensOptions{
		API: cancelling{env.Client, cancel}, AccountID: env.Srv.DefaultAccount(),
		In: strings.NewReader("1\n2\ny\n5\n"), Out: &out})
	if !errors.Is(err, ui.ErrAborted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want a cancel\n%s", err, out.String())
	}
	if st := storedStatus(t, env, "TKN-1000-1001"); st != apiclient.TokenStatusDisabled {
		t.Fatalf("stored status %s", st)
	}
	text := out.String()
	if !strings.Contains(text, "is disabled: its calls are refused") || !strings.HasSuffix(text, "\nCancelled.\n") {
		t.Fatalf("the outcome was not reported before the cancel:\n%s", text)
	}
}

// TestAccessibleTokensReadFailure: a list that cannot be read says why
// and offers to read it again.
func TestAccessibleTokensReadFailure(t *testing.T) {
	env := acttest.Sandbox(t, nil)
	var failed atomic.Bool
	env.SetFault(func(r *http.Request) *sandbox.Fault {
		if r.Method == http.MethodGet && r.URL.Path == accTokensPath && !failed.Swap(true) {
			return &sandbox.Fault{Status: http.StatusForbidden} // not retried by the client
		}
		return nil
	})
	text, err := runTokens(t, env, nil, "", "15") // enter alone: read it again; then quit
	if err != nil {
		t.Fatalf("err = %v\n%s", err, text)
	}
	mustContain(t, text, "Could not read the tokens: The Marketplace API does not allow this (403)",
		"(enter alone: read the list again):\n1. Read the list again\n2. Quit\n", "Tokens 1 to 10 of 16")
}
