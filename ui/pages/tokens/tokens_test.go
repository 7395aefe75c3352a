package tokens_test

import (
	"context"
	"fmt"
	"net/http"
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
	"github.com/softwareone/apitoken/theme"
	"github.com/softwareone/apitoken/ui/actions/acttest"
	"github.com/softwareone/apitoken/ui/common"
	"github.com/softwareone/apitoken/ui/pages/tokens"
)

type fixture struct {
	env    *acttest.Env
	page   *tokens.Page
	ticker *acttest.Ticker
	nav    *acttest.Nav
}

func newFixture(t testing.TB, w, h int, f *sandbox.Fixture, opts ...tokens.Option) *fixture {
	t.Helper()
	env := acttest.Sandbox(t, f)
	c, nav := acttest.NewCommon(w, h, func() time.Time { return acttest.Now })
	tk := &acttest.Ticker{}
	opts = append([]tokens.Option{tokens.WithAccount(env.Srv.DefaultAccount()), tokens.WithTicker(tk.Tick)}, opts...)
	p := tokens.New(c, env.Client, opts...)
	p.SetSize(w, h)
	return &fixture{env: env, page: p, ticker: tk, nav: nav}
}

func (f *fixture) start() *fixture {
	acttest.Drive(f.page, f.page.Init())
	return f
}

func (f *fixture) send(msgs ...any) {
	for _, m := range msgs {
		switch m := m.(type) {
		case string:
			acttest.Send(f.page, acttest.Key(m))
		default:
			acttest.Send(f.page, m)
		}
	}
}

// typeText types s and lets the debounce timer fire.
func (f *fixture) typeText(s string) {
	acttest.Send(f.page, acttest.Keys(s)...)
	acttest.Send(f.page, f.ticker.Fire(acttest.Now)...)
}

// screen is the page and its status line, as text.
func (f *fixture) screen() string {
	s := ansi.Strip(f.page.View())
	if st := f.page.Status(); st != "" {
		s += "\n── status ──\n" + ansi.Strip(st)
	}
	return traceID.ReplaceAllString(s, "00-<trace id>-00")
}

// traceID matches the sandbox's W3C trace ids, which differ per request.
var traceID = regexp.MustCompile(`00-[0-9a-f]{32}-[0-9a-f]{16}-00`)

func (f *fixture) snapshot(t *testing.T, name string) {
	t.Helper()
	t.Run(name, func(t *testing.T) { golden.RequireEqual(t, f.screen()) })
}

func (f *fixture) rowIDs() []string {
	var ids []string
	for _, l := range strings.Split(ansi.Strip(f.page.View()), "\n") {
		if i := strings.Index(l, "TKN-"); i >= 0 {
			ids = append(ids, l[i:i+13])
		}
	}
	return ids
}

var sizes = []struct{ w, h int }{{100, 30}, {60, 20}}

func TestSnapshots(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			f := newFixture(t, sz.w, sz.h, nil)
			f.page.Init() // the commands are not run: still loading
			f.snapshot(t, "loading")
			f.start()
			f.snapshot(t, "list")
			f.send("down", "down")
			f.snapshot(t, "cursor")
			f.send("t")
			f.snapshot(t, "disable-dialog")
			f.send("esc", "x")
			f.snapshot(t, "delete-dialog")
			f.send("esc", "o")
			f.snapshot(t, "sort-name")
			f.send("o")
			f.snapshot(t, "sort-last-access")
			f.send("o", "f", "f")
			f.snapshot(t, "status-disabled")
			f.send("down", "t")
			f.snapshot(t, "enable-dialog")
			f.send("esc", "f")
			f.snapshot(t, "stale")
			f.send("f", "/")
			f.typeText("renewals")
			f.snapshot(t, "filter")
			f.send("esc", "/")
			f.typeText("zzz")
			f.snapshot(t, "filter-empty")
		})
	}
}

func TestEmptyAccount(t *testing.T) {
	fx := sandbox.DemoFixture()
	fx.Tokens = nil
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			f := newFixture(t, sz.w, sz.h, fx).start()
			if !strings.Contains(f.screen(), "Press a to add one") {
				t.Fatalf("the empty account does not say how to add a token:\n%s", f.screen())
			}
			f.snapshot(t, "empty")
			msgs := acttest.Send(f.page, acttest.Key("a"))
			if !slices.ContainsFunc(msgs, func(m tea.Msg) bool { _, ok := m.(tokens.AddMsg); return ok }) {
				t.Fatalf("a sent %v, want AddMsg", msgs)
			}
		})
	}
}

func TestLoadError(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			f := newFixture(t, sz.w, sz.h, nil)
			f.env.SetFault(func(r *http.Request) *sandbox.Fault {
				if r.Method == http.MethodGet {
					return &sandbox.Fault{Status: http.StatusBadRequest}
				}
				return nil
			})
			f.start()
			s := f.screen()
			for _, want := range []string{"Could not load the API tokens", "Nothing changed", "r to try again", "trace id 00-"} {
				if !strings.Contains(s, want) {
					t.Fatalf("the error screen lacks %q:\n%s", want, s)
				}
			}
			f.snapshot(t, "error")
			f.env.SetFault(nil)
			f.send("r")
			if strings.Contains(f.screen(), "Could not load") || len(f.rowIDs()) == 0 {
				t.Fatalf("refresh did not recover:\n%s", f.screen())
			}
		})
	}
}

func TestNewestFirstAndColumns(t *testing.T) {
	f := newFixture(t, 140, 30, nil).start()
	want := fixtureNewestFirst(f.env.Srv.DefaultAccount())
	got := f.rowIDs()
	if len(got) == 0 || len(got) > len(want) || !slices.Equal(got, want[:len(got)]) {
		t.Fatalf("rows %v, want newest first %v", got, want)
	}
	s := f.screen()
	for _, col := range []string{"Name", "ID", "Status", "Modules", "Last access", "Created", "Created by"} {
		if !strings.Contains(s, col) {
			t.Fatalf("no %q column:\n%s", col, s)
		}
	}
	if !strings.Contains(s, "never") || !strings.Contains(s, "○ Disabled") {
		t.Fatalf("expected a never-used and a disabled token in the first screen:\n%s", s)
	}
}

// fixtureNewestFirst is the ids of the demo fixture's tokens of account,
// newest first: worked out from the fixture, not from the server.
func fixtureNewestFirst(account string) []string {
	var st []sandbox.Token
	for _, t := range sandbox.DemoFixture().Tokens {
		if t.Account == account {
			st = append(st, t)
		}
	}
	slices.SortStableFunc(st, func(a, b sandbox.Token) int { return b.CreatedAt.Compare(a.CreatedAt) })
	ids := make([]string, len(st))
	for i, t := range st {
		ids[i] = t.ID
	}
	return ids
}

func TestPagesFetchedAsTheCursorNearsTheEnd(t *testing.T) {
	f := newFixture(t, 100, 30, nil, tokens.WithAccount(""), tokens.WithPageSize(10)).start()
	lists := func() []int {
		var offs []int
		for _, r := range f.env.Rec.Requests() {
			if r.Path == "/public/v1/accounts/api-tokens" {
				var off int
				for _, kv := range strings.Split(r.Query, "&") {
					if v, ok := strings.CutPrefix(kv, "offset="); ok {
						fmt.Sscan(v, &off)
					}
				}
				offs = append(offs, off)
			}
		}
		return offs
	}
	if got := lists(); !slices.Equal(got, []int{0}) {
		t.Fatalf("the first screen asked for %v, want one page", got)
	}
	for range 10 {
		f.send("end")
	}
	if got := lists(); !slices.Equal(got, []int{0, 10, 20, 30}) {
		t.Fatalf("pages asked for %v", got)
	}
	if !strings.Contains(f.screen(), "36 of 36") {
		t.Fatalf("all 36 tokens should be loaded:\n%s", f.screen())
	}
}

func TestFilterDebouncedAndStaleAnswersDropped(t *testing.T) {
	f := newFixture(t, 100, 30, nil).start()
	f.send("/")
	before := len(f.env.Rec.Requests())
	acttest.Send(f.page, acttest.Keys("sync")...)
	if n := len(f.env.Rec.Requests()); n != before {
		t.Fatalf("typing sent %d requests before the debounce", n-before)
	}
	acttest.Send(f.page, f.ticker.Fire(acttest.Now)...)
	reqs := f.env.Rec.Requests()[before:]
	if len(reqs) != 1 || !strings.Contains(reqs[0].Query, "ilike(name") || !strings.Contains(reqs[0].Query, "sync") {
		t.Fatalf("after the debounce: %v, want one ilike query", reqs)
	}
	for _, id := range f.rowIDs() {
		tok, err := f.env.Client.GetAPIToken(context.Background(), id)
		if err != nil || !strings.Contains(strings.ToLower(tok.Name), "sync") {
			t.Fatalf("row %s does not match the filter (%v)", id, err)
		}
	}

	// An older query's answer arriving last is dropped.
	acttest.Send(f.page, acttest.Key("backspace"), acttest.Key("backspace"), acttest.Key("backspace"), acttest.Key("backspace"))
	var old []tea.Cmd
	for _, m := range f.ticker.Fire(acttest.Now) {
		if cmd := f.page.Update(m); cmd != nil {
			old = append(old, cmd)
		}
	}
	if len(old) == 0 {
		t.Fatal("clearing the filter sent no query")
	}
	f.typeText("bot")
	want := f.rowIDs()
	if len(want) == 0 {
		t.Fatalf("no token matches bot:\n%s", f.screen())
	}
	for _, c := range old {
		acttest.Drive(f.page, c)
	}
	if got := f.rowIDs(); !slices.Equal(got, want) {
		t.Fatalf("the unfiltered answer, arriving late, replaced the rows: %v, want %v", got, want)
	}
}

func TestStaleFilterKeepsTokensUnusedForNDays(t *testing.T) {
	f := newFixture(t, 100, 40, nil, tokens.WithStaleDays(30)).start()
	f.send("f", "f", "f")
	got := f.rowIDs()
	cut := acttest.Now.AddDate(0, 0, -30)
	var want []string
	for _, id := range fixtureNewestFirst(f.env.Srv.DefaultAccount()) {
		for _, tk := range sandbox.DemoFixture().Tokens {
			if tk.ID != id {
				continue
			}
			if (tk.LastAccessAt != nil && tk.LastAccessAt.Before(cut)) || (tk.LastAccessAt == nil && tk.CreatedAt.Before(cut)) {
				want = append(want, id)
			}
		}
	}
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Fatalf("stale rows %v, want %v", got, want)
	}
	if !strings.Contains(f.screen(), "unused 30+ days") {
		t.Fatalf("the filter is not shown:\n%s", f.screen())
	}
}

func TestSelectIDLandsOnATokenLoadedLater(t *testing.T) {
	f := newFixture(t, 100, 30, nil).start()
	ids := fixtureNewestFirst(f.env.Srv.DefaultAccount())
	f.page.SelectID(ids[5])
	if tok, _ := f.page.Selected(); tok.ID != ids[5] {
		t.Fatalf("selected %s, want %s", tok.ID, ids[5])
	}
	// A token created after the list was read: selected once a refresh
	// brings it.
	mods, err := f.env.Client.ListEnabledModules(context.Background(), f.env.Srv.DefaultAccount())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := f.env.Client.CreateAPIToken(context.Background(), &apiclient.CreateAPITokenRequest{
		AccountID: f.env.Srv.DefaultAccount(), Name: "Fresh one", ModuleIDs: []string{mods[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	f.page.SelectID(tok.ID)
	acttest.Drive(f.page, f.page.Refresh())
	if sel, _ := f.page.Selected(); sel.ID != tok.ID {
		t.Fatalf("after the refresh %s is selected, want the new %s", sel.ID, tok.ID)
	}
	msgs := acttest.Send(f.page, acttest.Key("enter"))
	if len(msgs) != 1 || msgs[0].(tokens.ViewMsg).Token.ID != tok.ID {
		t.Fatalf("enter sent %v, want ViewMsg for %s", msgs, tok.ID)
	}
	msgs = acttest.Send(f.page, acttest.Key("e"))
	if len(msgs) != 1 || msgs[0].(tokens.EditMsg).Token.ID != tok.ID {
		t.Fatalf("e sent %v, want EditMsg for %s", msgs, tok.ID)
	}
}

func TestHostileFixtureOnlySGR(t *testing.T) {
	for _, sz := range sizes {
		f := newFixture(t, sz.w, sz.h, acttest.HostileFixture(), tokens.WithAccount("")).start()
		check := func(what string) {
			t.Helper()
			acttest.OnlySGR(t, what, f.page.View())
			acttest.OnlySGR(t, what+" status", f.page.Status())
		}
		check("list")
		for range 40 {
			f.send("down")
		}
		check("scrolled")
		f.send("t")
		check("toggle dialog")
		f.send("esc", "x")
		check("delete dialog")
		f.send("esc", "o")
		check("sorted")
	}
}

func TestNextPageFailureKeepsTheRows(t *testing.T) {
	f := newFixture(t, 100, 30, nil, tokens.WithPageSize(10)).start()
	f.env.SetFault(func(r *http.Request) *sandbox.Fault {
		if strings.Contains(r.URL.RawQuery, "offset=10") {
			return &sandbox.Fault{Status: http.StatusBadRequest}
		}
		return nil
	})
	f.send("end")
	s := f.screen()
	if len(f.rowIDs()) != 10 || !strings.Contains(s, "Could not load more API tokens") || !strings.Contains(s, "the tokens shown are kept") || !strings.Contains(s, "10 of 10+") {
		t.Fatalf("a failed next page must keep the loaded rows and say so:\n%s", s)
	}
	f.env.SetFault(nil)
	f.send("r", "end", "end")
	if s := f.screen(); strings.Contains(s, "Could not") || !strings.Contains(s, "16 of 16") {
		t.Fatalf("refresh did not recover:\n%s", s)
	}
}

func TestHelp(t *testing.T) {
	f := newFixture(t, 100, 30, nil).start()
	var short, full []string
	for _, b := range f.page.ShortHelp() {
		short = append(short, b.Help().Key+" "+b.Help().Desc)
	}
	for _, g := range f.page.FullHelp() {
		for _, b := range g {
			full = append(full, b.Help().Key+" "+b.Help().Desc)
		}
	}
	for _, want := range []string{"enter details", "a add", "/ filter by name/id", "t enable/disable", "x delete"} {
		if !slices.Contains(short, want) {
			t.Errorf("short help %v lacks %q", short, want)
		}
	}
	for _, want := range []string{"e edit", "f status filter", "o sort", "r refresh", "↓/j down"} {
		if !slices.Contains(full, want) {
			t.Errorf("full help %v lacks %q", full, want)
		}
	}
	f.send("/")
	if h := f.page.ShortHelp(); len(h) != 1 || h[0].Help().Desc != "done filtering" || !f.page.Capturing() {
		t.Errorf("while typing the help is %v", h)
	}
}

// TestSpinnerWaitsBeforeTurning: a query arms the spinner's first frame
// well after the animation's own rate, so an answer that comes quickly
// costs no redraw for the spinner; once it turns, it turns at its rate.
func TestSpinnerWaitsBeforeTurning(t *testing.T) {
	env := acttest.Sandbox(t, sandbox.GenerateFixture(3))
	c, _ := acttest.NewCommon(100, 30, func() time.Time { return acttest.Now })
	var ds []time.Duration
	var fns []func(time.Time) tea.Msg
	tick := func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		ds, fns = append(ds, d), append(fns, fn)
		return nil
	}
	p := tokens.New(c, env.Client, tokens.WithAccount(env.Srv.DefaultAccount()), tokens.WithTicker(tick))
	p.SetSize(100, 30)
	_ = p.Init() // the fetch is not run: the page stays loading
	if len(ds) != 1 || ds[0] < 200*time.Millisecond {
		t.Fatalf("first spinner timer: %v, want one of at least 200ms", ds)
	}
	p.Update(fns[0](acttest.Now))
	if len(ds) != 2 || ds[1] >= 200*time.Millisecond {
		t.Fatalf("after the first frame the spinner timers are %v, want the animation's rate", ds)
	}
}

// TestQuickAnswerRedrawsOnce: a reload that is answered before the
// spinner's delay leaves the screen as it was until the answer (over SSH
// every changed frame is a redraw of the whole screen); one that takes
// longer shows the spinner, which goes with the answer, and the chain of
// ticks of a finished load changes nothing.
func TestQuickAnswerRedrawsOnce(t *testing.T) {
	env := acttest.Sandbox(t, bigFixture(30))
	c, _ := acttest.NewCommon(100, 30, func() time.Time { return acttest.Now })
	var fns []func(time.Time) tea.Msg
	tick := func(_ time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		fns = append(fns, fn)
		return nil
	}
	p := tokens.New(c, env.Client, tokens.WithAccount(env.Srv.DefaultAccount()), tokens.WithTicker(tick))
	p.SetSize(100, 30)
	acttest.Drive(p, p.Init())
	loaded := p.View()
	if !strings.Contains(loaded, "TKN-") {
		t.Fatalf("the list did not load:\n%s", ansi.Strip(loaded))
	}
	firstLine := func(s string) string { return strings.SplitN(s, "\n", 2)[0] }

	// Quick: the answer comes before the spinner's first tick.
	fns = nil
	fetch := p.Update(acttest.Key("r"))
	if got := p.View(); got != loaded {
		t.Fatalf("a reload changed the screen before its answer:\n%s", ansi.Strip(got))
	}
	acttest.Drive(p, fetch)
	for _, fn := range fns { // the spinner's delay ends after the answer
		if cmd := p.Update(fn(acttest.Now)); cmd != nil {
			t.Fatal("the spinner of a finished load asked for another tick")
		}
	}
	if got := p.View(); got != loaded {
		t.Fatalf("after the answer the screen is not the list as it was:\n%s", ansi.Strip(got))
	}

	// Slow: the spinner shows once its delay is over, and goes with the answer.
	fns = nil
	fetch = p.Update(acttest.Key("r"))
	if len(fns) != 1 {
		t.Fatalf("a reload armed %d spinner timers, want 1", len(fns))
	}
	p.Update(fns[0](acttest.Now))
	spinning := firstLine(ansi.Strip(p.View()))
	if spinning == firstLine(ansi.Strip(loaded)) {
		t.Fatalf("a load past the spinner's delay shows no spinner: %q", spinning)
	}
	acttest.Drive(p, fetch)
	if got := firstLine(ansi.Strip(p.View())); got != firstLine(ansi.Strip(loaded)) {
		t.Fatalf("the spinner stayed after the answer: %q", got)
	}
}

// TestNewQueryAsksForAScreenAndAHalf: a query's first page is sized to the
// screen, not to the page size (each filter keystroke's answer is decoded),
// and coming within a screen of its end asks for a full next page.
func TestNewQueryAsksForAScreenAndAHalf(t *testing.T) {
	f := newFixture(t, 100, 30, bigFixture(300)).start()
	limit := regexp.MustCompile(`limit=(\d+)`)
	limits := func() []string {
		var out []string
		for _, r := range f.env.Rec.Requests() {
			if m := limit.FindStringSubmatch(r.Query); m != nil {
				out = append(out, m[1])
			}
		}
		return out
	}
	// 30 lines: a body of 25 rows.
	if got := limits(); !slices.Equal(got, []string{"37"}) {
		t.Fatalf("first page limits %v, want [37]", got)
	}
	if v := f.page.View(); !strings.Contains(v, "1 of 37+") {
		t.Fatalf("the first screen is not full or not marked as more:\n%s", v)
	}
	for range 11 {
		acttest.Drive(f.page, f.page.Update(acttest.Key("down")))
	}
	if got := limits(); len(got) != 1 {
		t.Fatalf("more than a screen from the end, limits %v, want only the first", got)
	}
	acttest.Drive(f.page, f.page.Update(acttest.Key("down")))
	if got := limits(); !slices.Equal(got, []string{"37", "50"}) {
		t.Fatalf("within a screen of the end limits %v, want [37 50]", got)
	}
}

// TestNewQueryCancelsTheOldOnesFetch: a fetch still to run when a new
// query starts (another filter, status or sort) is cancelled, so it is
// neither sent nor decoded; the new query's answer is drawn.
func TestNewQueryCancelsTheOldOnesFetch(t *testing.T) {
	f := newFixture(t, 100, 30, sandbox.GenerateFixture(3))
	first := f.page.Init()
	second := f.page.Update(acttest.Key("f")) // status: active, a new query
	var msgs []tea.Msg
	run := func(cmd tea.Cmd) {
		if cmd == nil {
			return
		}
		switch m := cmd().(type) {
		case tea.BatchMsg:
			for _, c := range m {
				if c != nil {
					msgs = append(msgs, c())
				}
			}
		default:
			msgs = append(msgs, m)
		}
	}
	run(first)
	if n := len(f.env.Rec.Requests()); n != 0 {
		t.Fatalf("the old query's fetch sent %d requests, want none", n)
	}
	run(second)
	if n := len(f.env.Rec.Requests()); n != 1 {
		t.Fatalf("the new query sent %d requests, want 1", n)
	}
	acttest.Send(f.page, msgs...)
	if v := ansi.Strip(f.page.View()); !strings.Contains(v, "status: active") || strings.Contains(v, "Could not") || strings.Contains(f.page.Status(), "Could not") {
		t.Fatalf("after both answers:\n%s\n%s", v, f.page.Status())
	}
}

// TestThemeChangeRedrawsThePage: a new theme (the terminal answered with
// a light background) reaches the header, drawn once per theme, and the
// rows, which are kept with the selection.
func TestThemeChangeRedrawsThePage(t *testing.T) {
	env := acttest.Sandbox(t, nil)
	c, _ := acttest.NewCommon(100, 30, func() time.Time { return acttest.Now })
	p := tokens.New(c, env.Client, tokens.WithAccount(env.Srv.DefaultAccount()))
	acttest.Drive(p, p.Init())
	acttest.Send(p, acttest.Key("down"))
	sel, _ := p.Selected()
	dark, darkView := p.Header(), p.View()
	c.Theme = theme.New(false)
	acttest.Send(p, common.ThemeChangedMsg{})
	if got, want := p.Header(), c.Theme.Header.StepActive.Render("● API tokens"); got != want || got == dark {
		t.Fatalf("header after the change %q, want %q", got, want)
	}
	if v := p.View(); v == darkView || !strings.Contains(ansi.Strip(v), sel.ID) {
		t.Fatalf("the page is not drawn again in the new theme:\n%s", ansi.Strip(v))
	}
	if now, _ := p.Selected(); now.ID != sel.ID {
		t.Fatalf("selected %s after the change, want %s", now.ID, sel.ID)
	}
}

// TestFilterMatchesIDs: the filter finds a token by a part of its id as
// well as of its name.
func TestFilterMatchesIDs(t *testing.T) {
	f := newFixture(t, 100, 30, nil).start()
	all := f.rowIDs()
	if len(all) < 2 {
		t.Fatalf("too few tokens to filter: %v", all)
	}
	want := all[len(all)-1]
	part := want[len(want)-4:] // the id's last digits
	f.send("/")
	f.typeText(part)
	got := f.rowIDs()
	if !slices.Contains(got, want) {
		t.Fatalf("filtering on %q: rows %v, want %s among them\n%s", part, got, want, f.screen())
	}
	for _, id := range got {
		tok, err := f.env.Client.GetAPIToken(context.Background(), id)
		if err != nil || !(strings.Contains(tok.ID, part) || strings.Contains(strings.ToLower(tok.Name), part)) {
			t.Errorf("row %s matches neither by id nor by name (%v)", id, err)
		}
	}
}
