package details_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/sandbox"
	"github.com/softwareone/apitoken/ui/actions"
	"github.com/softwareone/apitoken/ui/actions/acttest"
	"github.com/softwareone/apitoken/ui/pages/details"
)

const (
	tokensPath = "/public/v1/accounts/api-tokens/"
	baseURL    = "https://api.platform.softwareone.com"
	demoID     = "TKN-1000-1003"
)

type fixture struct {
	env    *acttest.Env
	page   *details.Page
	ticker *acttest.Ticker
	nav    *acttest.Nav
	clock  *acttest.Clock
	value  apiclient.Secret // of the token created for the page
}

type setup struct {
	w, h    int
	fx      *sandbox.Fixture
	opts    []details.Option
	created bool // the page is for a token created now, its value known
	sbOpts  []sandbox.Option
}

func newFixture(t testing.TB, s setup, tok apiclient.APIToken) *fixture {
	t.Helper()
	if s.w == 0 {
		s.w, s.h = 100, 30
	}
	env := acttest.Sandbox(t, s.fx, s.sbOpts...)
	clock := acttest.NewClock(acttest.Now)
	c, nav := acttest.NewCommon(s.w, s.h, clock.Now)
	tk := &acttest.Ticker{}
	opts := append([]details.Option{details.WithTicker(tk.Tick), details.WithBaseURL(baseURL)}, s.opts...)
	if s.created {
		tok = create(t, env, "Fresh integration")
		opts = append(opts, details.WithValue(tok.Token))
	}
	p := details.New(c, env.Client, tok, opts...)
	p.SetSize(s.w, s.h)
	return &fixture{env: env, page: p, ticker: tk, nav: nav, clock: clock, value: tok.Token}
}

func create(t testing.TB, env *acttest.Env, name string) apiclient.APIToken {
	t.Helper()
	ctx := context.Background()
	mods, err := env.Client.ListEnabledModules(ctx, env.Srv.DefaultAccount())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := env.Client.CreateAPIToken(ctx, &apiclient.CreateAPITokenRequest{AccountID: env.Srv.DefaultAccount(),
		Name: name, Description: "Pushes incidents to the helpdesk.", ModuleIDs: []string{mods[0].ID, mods[1].ID}})
	if err != nil {
		t.Fatal(err)
	}
	return *tok
}

func (f *fixture) start() *fixture {
	acttest.Drive(f.page, f.page.Init())
	return f
}

func (f *fixture) send(keys ...string) []tea.Msg {
	var msgs []tea.Msg
	for _, k := range keys {
		msgs = append(msgs, acttest.Send(f.page, acttest.Key(k))...)
	}
	return msgs
}

var traceID = regexp.MustCompile(`00-[0-9a-f]{32}-[0-9a-f]{16}-00`)

func (f *fixture) screen() string {
	s := ansi.Strip(f.page.View())
	if st := f.page.Status(); st != "" {
		s += "\n── status ──\n" + ansi.Strip(st)
	}
	return traceID.ReplaceAllString(s, "00-<trace id>-00")
}

func (f *fixture) snapshot(t *testing.T, name string) {
	t.Helper()
	t.Run(name, func(t *testing.T) { golden.RequireEqual(t, f.screen()) })
}

var sizes = []struct{ w, h int }{{100, 30}, {60, 20}}

func TestSnapshots(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			f := newFixture(t, setup{w: sz.w, h: sz.h}, apiclient.APIToken{ID: demoID})
			f.page.Init()
			f.snapshot(t, "loading")
			f.start()
			f.snapshot(t, "general")
			f.send("2")
			f.snapshot(t, "modules")
			f.send("3")
			f.snapshot(t, "details")
			f.send("4")
			f.snapshot(t, "audit")
			f.send("1", "t")
			f.snapshot(t, "disable-dialog")
			f.send("esc", "x")
			f.snapshot(t, "delete-dialog")
		})
	}
}

func TestCreatedToken(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			f := newFixture(t, setup{w: sz.w, h: sz.h, created: true}, apiclient.APIToken{}).start()
			if s := f.screen(); !strings.Contains(s, f.page.Token().ID+":"+strings.Repeat("•", 12)) || strings.Contains(s, f.value.Reveal()) {
				t.Fatalf("the value is not masked:\n%s", s)
			}
			f.snapshot(t, "general")
		})
	}
}

func TestShowHideCopy(t *testing.T) {
	f := newFixture(t, setup{created: true}, apiclient.APIToken{}).start()
	env, value, tok := f.env, f.value, f.page.Token()
	if value.IsZero() {
		t.Fatal("no value")
	}
	if strings.Contains(f.page.View(), value.Reveal()) {
		t.Fatal("the value is drawn before show")
	}
	f.send("s")
	if !strings.Contains(ansi.Strip(f.page.View()), value.Reveal()) {
		t.Fatalf("show does not draw the value:\n%s", f.screen())
	}
	f.send("s")
	if strings.Contains(f.page.View(), value.Reveal()) {
		t.Fatal("hide leaves the value on screen")
	}
	msgs := f.send("c")
	if len(msgs) != 1 || !reflect.DeepEqual(msgs[0], tea.SetClipboard(value.Reveal())()) {
		t.Fatalf("copy sent %#v, want the OSC 52 clipboard write of the value", msgs)
	}
	if s := f.screen(); !strings.Contains(s, "Sent the token to the terminal's clipboard") || strings.Contains(s, "Copied") {
		t.Fatalf("copy claims more than sending to the terminal:\n%s", s)
	}
	msgs = f.send("u")
	if len(msgs) != 1 || !reflect.DeepEqual(msgs[0], tea.SetClipboard(baseURL)()) {
		t.Fatalf("copy URL sent %#v", msgs)
	}
	// Without the value: no copy, no show, and the page says why.
	c2, _ := acttest.NewCommon(100, 30, f.clock.Now)
	p := details.New(c2, env.Client, tok, details.WithTicker(f.ticker.Tick))
	p.SetSize(100, 30)
	acttest.Drive(p, p.Init())
	if msgs := acttest.Send(p, acttest.Key("c"), acttest.Key("s"), acttest.Key("w")); len(msgs) != 0 {
		t.Fatalf("keys of an unknown value did something: %v", msgs)
	}
	if !strings.Contains(ansi.Strip(p.View()), "shows a token's value only once") {
		t.Fatalf("no word on the value:\n%s", ansi.Strip(p.View()))
	}
}

func TestVerifyWaitsOutPropagation(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			f := newFixture(t, setup{w: sz.w, h: sz.h, created: true}, apiclient.APIToken{}).start()
			id := f.page.Token().ID
			self := func() int {
				n := 0
				for _, r := range f.env.Rec.Requests() {
					if r.Method == http.MethodGet && r.Path == tokensPath+id {
						n++
					}
				}
				return n
			}
			before := self()
			f.send("w")
			f.snapshot(t, "waiting-start")
			f.clock.Advance(30 * time.Second)
			acttest.Send(f.page, f.ticker.Fire(f.clock.Now())...)
			f.snapshot(t, "waiting-half")
			if self() != before {
				t.Fatal("verified before the propagation time was over")
			}
			f.clock.Advance(30 * time.Second)
			acttest.Send(f.page, f.ticker.Fire(f.clock.Now())...)
			if self() != before+1 {
				t.Fatalf("the token read itself %d times, want once", self()-before)
			}
			if !strings.Contains(f.screen(), "It works") {
				t.Fatalf("no verdict:\n%s", f.screen())
			}
			f.snapshot(t, "works")
		})
	}
}

func TestVerifyADisabledToken(t *testing.T) {
	f := newFixture(t, setup{created: true}, apiclient.APIToken{}).start()
	if _, err := f.env.Client.DisableAPIToken(context.Background(), f.page.Token().ID); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(2 * time.Minute) // long after the create: no wait
	f.send("w")
	if s := f.screen(); !strings.Contains(s, "The API refused the token") || strings.Contains(s, "It works") {
		t.Fatalf("a disabled token must be reported as refused:\n%s", s)
	}
	if f.ticker.Pending() != 0 {
		for _, m := range f.ticker.Fire(f.clock.Now()) {
			if fmt.Sprintf("%T", m) == "details.verifyTickMsg" {
				t.Fatal("an old token waited for propagation")
			}
		}
	}
}

func TestNotFoundAndError(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			f := newFixture(t, setup{w: sz.w, h: sz.h}, apiclient.APIToken{ID: "TKN-9999-9999"}).start()
			if !strings.Contains(f.screen(), "no longer exists") {
				t.Fatalf("404:\n%s", f.screen())
			}
			f.snapshot(t, "not-found")
			if msgs := f.send("e", "t", "x"); len(msgs) != 0 {
				t.Fatalf("actions on a vanished token: %v", msgs)
			}

			g := newFixture(t, setup{w: sz.w, h: sz.h}, apiclient.APIToken{ID: demoID})
			g.env.SetFault(func(r *http.Request) *sandbox.Fault {
				return &sandbox.Fault{Method: http.MethodGet, Status: http.StatusBadRequest}
			})
			g.start()
			if s := g.screen(); !strings.Contains(s, "Could not read the token") || !strings.Contains(s, "Nothing changed") || !strings.Contains(s, "trace id") {
				t.Fatalf("error:\n%s", s)
			}
			g.snapshot(t, "error")
		})
	}
}

func TestActions(t *testing.T) {
	f := newFixture(t, setup{}, apiclient.APIToken{ID: demoID}).start()
	msgs := f.send("e")
	if len(msgs) != 1 || msgs[0].(details.EditMsg).Token.ID != demoID {
		t.Fatalf("edit sent %v", msgs)
	}
	f.send("t", "y")
	if w := f.env.Rec.Writes(); !slices.Equal(w, []string{"POST " + tokensPath + demoID + "/disable"}) {
		t.Fatalf("the sandbox received %v", w)
	}
	if s := f.screen(); !strings.Contains(s, "○ Disabled") || !strings.Contains(s, "is disabled") {
		t.Fatalf("after disable:\n%s", s)
	}
	f.snapshot(t, "disabled")
	f.send("t", "y")
	if w := f.env.Rec.Writes(); len(w) != 2 || w[1] != "POST "+tokensPath+demoID+"/enable" || !strings.Contains(f.screen(), "● Active") {
		t.Fatalf("enable: %v\n%s", w, f.screen())
	}
	f.send("x")
	acttest.Send(f.page, acttest.Keys(demoID)...)
	msgs = f.send("enter", "enter")
	if w := f.env.Rec.Writes(); len(w) != 3 || w[2] != "DELETE "+tokensPath+demoID {
		t.Fatalf("delete: %v", w)
	}
	if f.nav.Pops != 1 {
		t.Fatalf("the page popped %d times after the delete, want once", f.nav.Pops)
	}
	resent := 0
	for _, m := range msgs {
		if r, ok := m.(actions.ResultMsg); ok && r.Kind == actions.Delete && r.Outcome == actions.Done {
			resent++
		}
	}
	if resent != 2 { // the action's own, and the one re-sent for the list
		t.Fatalf("the delete's result came %d times, want 2", resent)
	}
	f.send("esc")
	if f.nav.Pops != 2 {
		t.Fatal("esc does not go back")
	}
}

func TestLeavingAfterAChangeTellsThePageUnderneath(t *testing.T) {
	f := newFixture(t, setup{}, apiclient.APIToken{ID: demoID}).start()
	if msgs := f.send("esc"); len(msgs) != 0 || f.nav.Pops != 1 {
		t.Fatalf("esc without a change sent %v", msgs)
	}
	f.send("t", "y")
	msgs := f.send("esc")
	if len(msgs) != 1 || msgs[0].(actions.ChangedMsg).Token.Status != "Disabled" || f.nav.Pops != 2 {
		t.Fatalf("esc after a disable sent %v", msgs)
	}
}

func TestAuditTrailPaged(t *testing.T) {
	// The sandbox's clock moves a minute at each reading, so each record
	// has its own time.
	serverClock := acttest.NewClock(acttest.Now)
	tickingNow := func() time.Time { serverClock.Advance(time.Minute); return serverClock.Now() }
	f := newFixture(t, setup{opts: []details.Option{details.WithPageSize(2)}, created: true,
		sbOpts: []sandbox.Option{sandbox.WithClock(tickingNow)}}, apiclient.APIToken{})
	id := f.page.Token().ID
	ctx := context.Background()
	for i := range 4 {
		tok, err := f.env.Client.GetAPIToken(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		ids := []string{}
		for _, m := range tok.Modules {
			ids = append(ids, m.ID)
		}
		if _, err := f.env.Client.UpdateAPIToken(ctx, id, &apiclient.UpdateAPITokenRequest{Name: fmt.Sprintf("Renamed %d", i), ModuleIDs: ids}); err != nil {
			t.Fatal(err)
		}
	}
	f.start()
	f.send("4")
	audits := func() []string {
		var q []string
		for _, r := range f.env.Rec.Requests() {
			if strings.HasPrefix(r.Path, "/public/v1/audit/records") {
				q = append(q, r.Query)
			}
		}
		return q
	}
	if n := len(audits()); n != 1 {
		t.Fatalf("%d audit reads for the first screen", n)
	}
	for range 5 {
		f.send("end")
	}
	if n := len(audits()); n != 3 {
		t.Fatalf("%d audit reads after scrolling to the end of 5 records by 2, want 3: %v", n, audits())
	}
	s := f.screen()
	if !strings.Contains(s, "5 of 5") || !strings.Contains(s, "updated") || !strings.Contains(s, "created") {
		t.Fatalf("audit trail:\n%s", s)
	}
	// Newest first: the create is last.
	if strings.Index(s, "created") < strings.Index(s, "updated") {
		t.Fatalf("not newest first:\n%s", s)
	}
}

func TestHostileFixtureOnlySGR(t *testing.T) {
	for _, sz := range sizes {
		f := newFixture(t, setup{w: sz.w, h: sz.h, fx: acttest.HostileFixture()}, apiclient.APIToken{ID: "TKN-1000-1001"}).start()
		check := func(what string) {
			t.Helper()
			acttest.OnlySGR(t, what, f.page.View())
			acttest.OnlySGR(t, what+" status", f.page.Status())
			acttest.OnlySGR(t, what+" header", f.page.Header())
		}
		if !strings.Contains(ansi.Strip(f.page.View()), "desc") {
			t.Fatalf("the hostile token did not load:\n%s", f.screen())
		}
		check("general")
		for _, k := range []string{"2", "3", "4"} {
			f.send(k)
			check("tab " + k)
		}
		f.send("1", "t")
		check("toggle dialog")
		f.send("esc", "x")
		check("delete dialog")
	}
}

func TestVanishedMeanwhileAndQuitDuringAction(t *testing.T) {
	f := newFixture(t, setup{}, apiclient.APIToken{ID: demoID}).start()
	// Hold the disable's call; a quit waits for it.
	f.page.Update(acttest.Key("t"))
	call := f.page.Update(f.page.Update(acttest.Key("y"))())
	if f.page.RequestQuit(true) {
		t.Fatal("shutdown allowed with the disable out")
	}
	if s := f.screen(); !strings.Contains(s, "Disabling") || strings.Contains(s, "is disabled") {
		t.Fatalf("while waiting:\n%s", s)
	}
	// Someone deletes the token before the call reaches the server.
	if err := f.env.Client.DeleteAPIToken(context.Background(), demoID); err != nil {
		t.Fatal(err)
	}
	acttest.Drive(f.page, call)
	if !f.page.RequestQuit(true) {
		t.Fatal("the answer is in: quitting must be allowed")
	}
	s := f.screen()
	if !strings.Contains(s, "was not found") || !strings.Contains(s, "no longer exists") || strings.Contains(s, "is disabled") {
		t.Fatalf("a 404 must be reported and the page refreshed:\n%s", s)
	}
	f.snapshot(t, "vanished")
}

func TestAuditTrailError(t *testing.T) {
	f := newFixture(t, setup{}, apiclient.APIToken{ID: demoID}).start()
	f.env.SetFault(func(r *http.Request) *sandbox.Fault {
		if strings.HasPrefix(r.URL.Path, "/public/v1/audit/") {
			return &sandbox.Fault{Status: http.StatusBadRequest}
		}
		return nil
	})
	f.send("4")
	if s := f.screen(); !strings.Contains(s, "Could not read the audit trail") || !strings.Contains(s, "trace id") {
		t.Fatalf("audit error:\n%s", s)
	}
	f.env.SetFault(nil)
	f.send("r")
	if s := f.screen(); strings.Contains(s, "Could not") || !strings.Contains(s, "created") {
		t.Fatalf("refresh did not recover:\n%s", s)
	}
}

func TestHelp(t *testing.T) {
	keys := func(p *details.Page) []string {
		var out []string
		for _, g := range p.FullHelp() {
			for _, b := range g {
				out = append(out, b.Help().Key+" "+b.Help().Desc)
			}
		}
		return out
	}
	f := newFixture(t, setup{created: true}, apiclient.APIToken{}).start()
	for _, want := range []string{"e edit", "t enable/disable", "x delete", "s show/hide token", "c copy token", "w check it works", "u copy API URL", "esc back"} {
		if !slices.Contains(keys(f.page), want) {
			t.Errorf("full help %v lacks %q", keys(f.page), want)
		}
	}
	g := newFixture(t, setup{}, apiclient.APIToken{ID: demoID}).start()
	if k := keys(g.page); slices.Contains(k, "w check it works") || slices.Contains(k, "c copy token") {
		t.Errorf("help offers what an unknown value cannot do: %v", k)
	}
}

// TestRotateKeyNotTakenByAnOpenDialog: R asks for Rotate, but not while
// a dialog is open (its keys are the dialog's, as every other key of the
// page).
func TestRotateKeyNotTakenByAnOpenDialog(t *testing.T) {
	f := newFixture(t, setup{}, apiclient.APIToken{ID: demoID}).start()
	msgs := f.send("R")
	if len(msgs) != 1 || msgs[0].(details.RotateMsg).Token.ID != demoID {
		t.Fatalf("R sent %v", msgs)
	}
	f.send("t") // the Disable dialog
	if !strings.Contains(f.screen(), "Disable") {
		t.Fatalf("no dialog:\n%s", f.screen())
	}
	for _, m := range f.send("R") {
		if _, ok := m.(details.RotateMsg); ok {
			t.Fatal("R opened Rotate over the open dialog")
		}
	}
	if w := f.env.Rec.Writes(); len(w) != 0 {
		t.Fatalf("the sandbox received %v", w)
	}
}

// TestAuditTrailSelectedInFull: the selected record's summary, cut in its
// column, is shown in full under the table, and follows the cursor.
func TestAuditTrailSelectedInFull(t *testing.T) {
	// A minute between the sandbox's readings: the records have their own
	// times, newest (the update) first.
	serverClock := acttest.NewClock(acttest.Now)
	tickingNow := func() time.Time { serverClock.Advance(time.Minute); return serverClock.Now() }
	f := newFixture(t, setup{w: 60, h: 20, created: true, sbOpts: []sandbox.Option{sandbox.WithClock(tickingNow)}}, apiclient.APIToken{})
	id := f.page.Token().ID
	long := "A name long enough for the summary column not to hold it"
	tok, err := f.env.Client.GetAPIToken(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var mods []string
	for _, m := range tok.Modules {
		mods = append(mods, m.ID)
	}
	if _, err := f.env.Client.UpdateAPIToken(context.Background(), id, &apiclient.UpdateAPITokenRequest{Name: long, ModuleIDs: mods}); err != nil {
		t.Fatal(err)
	}
	f.start()
	f.send("4")
	flat := func() string { return strings.Join(strings.Fields(f.screen()), " ") }
	if s := flat(); !strings.Contains(s, "updated") || !strings.Contains(s, "not to hold it) updated") {
		t.Fatalf("the newest record's summary is not shown in full:\n%s", f.screen())
	}
	f.send("down") // the create, under the update
	if s := flat(); !strings.Contains(s, "(Fresh integration) created") {
		t.Fatalf("the detail does not follow the cursor:\n%s", f.screen())
	}
}
