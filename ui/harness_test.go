package ui_test

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/sandbox"
	"github.com/softwareone/apitoken/ui"
	"github.com/softwareone/apitoken/ui/actions/acttest"
)

// fixedNow is the clock of every snapshot test: nothing in a golden file may
// depend on when or where it was made.
var fixedNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// seeded is a deterministic stand-in for crypto/rand, so token ids and
// secrets in golden files are the same on every run.
func seeded(seed byte) *rand.ChaCha8 {
	return rand.NewChaCha8([32]byte{seed})
}

type harnessConfig struct {
	width, height int
	fixture       *sandbox.Fixture
	allowLogo     bool
	clientOpts    []apiclient.Option
	onCreated     func(*apiclient.APIToken)
	// beforeStart runs after the sandbox exists and before the wizard
	// starts fetching from it.
	beforeStart func(*sandbox.Server)
	// settledWhen, if set, is what the client's waits (retry backoff, the
	// settle wait before looking for a lost token) wait for, instead of
	// returning at once.
	settledWhen func(*sandbox.Server) bool
	// asToken makes the wizard's credential an API token of the account
	// (created first, so it is stored token 0) instead of the operator's:
	// then the client can tell which tokens its credential created.
	asToken bool
	native  func(string) error
	// pick starts on the account picker, over these accounts.
	pick []apiclient.Account
	// start is the first page.
	start ui.Start
	// record, if set, gets every request the sandbox receives (its body
	// read and put back), before the sandbox handles it.
	record *requestLog
	// gate, if set, is called before the sandbox handles each request and
	// may block it (a save held while the test presses ctrl+c).
	gate func(*http.Request)
	// fakeClock moves the app's clock by a timer's duration when the
	// timer is one of a second or more (Verify's), answering at once;
	// shorter timers (spinners, debounce) stay real and leave the clock.
	fakeClock bool
}

func mintCredential(t *testing.T, baseURL string, srv *sandbox.Server) apiclient.Secret {
	t.Helper()
	op, err := apiclient.New(apiclient.WithBaseURL(baseURL), apiclient.WithToken(apiclient.Secret(srv.OperatorToken())))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	mods, err := op.ListEnabledModules(ctx, srv.DefaultAccount())
	if err != nil || len(mods) == 0 {
		t.Fatalf("modules: %v", err)
	}
	tok, err := op.CreateAPIToken(ctx, &apiclient.CreateAPITokenRequest{
		AccountID: srv.DefaultAccount(), Name: "wizard credential", ModuleIDs: []string{mods[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	return tok.Token
}

func (c *harnessConfig) settled(srv *sandbox.Server) func() bool {
	if c.settledWhen == nil {
		return nil
	}
	return func() bool { return c.settledWhen(srv) }
}

// testClock is the client's clock in tests: it reads fixedNow, and a wait
// takes no time, or lasts until settled holds. Tests never depend on how
// fast the machine is.
type testClock struct{ settled func() bool }

func (testClock) Now() time.Time { return fixedNow }

func (c testClock) Sleep(ctx context.Context, _ time.Duration) error {
	for c.settled != nil && !c.settled() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
	return ctx.Err()
}

// committed holds once the sandbox stored n tokens.
func committed(n int) func(*sandbox.Server) bool {
	return func(srv *sandbox.Server) bool { return len(srv.StoredTokens()) >= n }
}

// harness runs the real wizard in a teatest program against the sandbox
// over real HTTP.
type harness struct {
	t   *testing.T
	tm  *teatest.TestModel
	srv *sandbox.Server
	m   *ui.Model
}

func newHarness(t *testing.T, opts ...func(*harnessConfig)) *harness {
	t.Helper()
	cfg := harnessConfig{width: 100, height: 30, allowLogo: true}
	for _, o := range opts {
		o(&cfg)
	}
	sbOpts := []sandbox.Option{
		sandbox.WithClock(func() time.Time { return fixedNow }),
		sandbox.WithIDSource(seeded(1)),
		sandbox.WithSecretSource(seeded(2)),
		sandbox.WithOperatorToken("sbx_test_operator"),
	}
	if cfg.fixture != nil {
		sbOpts = append(sbOpts, sandbox.WithFixture(cfg.fixture))
	}
	srv, err := sandbox.New(sbOpts...)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.beforeStart != nil {
		cfg.beforeStart(srv)
	}
	var handler http.Handler = srv
	if cfg.record != nil || cfg.gate != nil {
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if cfg.record != nil {
				cfg.record.add(r)
			}
			if cfg.gate != nil {
				cfg.gate(r)
			}
			srv.ServeHTTP(w, r)
		})
	}
	ts := httptest.NewServer(handler)
	t.Cleanup(ts.Close)
	cred := apiclient.Secret(srv.OperatorToken())
	if cfg.asToken {
		cred = mintCredential(t, ts.URL, srv)
	}
	client, err := apiclient.New(append([]apiclient.Option{
		apiclient.WithBaseURL(ts.URL),
		apiclient.WithToken(cred),
		// Short waits between retries, and before looking for a token
		// whose answer was lost: the sandbox commits at once.
		apiclient.WithRetry(3, 200*time.Millisecond),
		apiclient.WithClock(testClock{settled: cfg.settled(srv)}),
	}, cfg.clientOpts...)...)
	if err != nil {
		t.Fatal(err)
	}
	dark := true
	accountID := srv.DefaultAccount()
	if len(cfg.pick) > 0 {
		accountID = "" // the user picks
	}
	var offset atomic.Int64
	clock := func() time.Time { return fixedNow.Add(time.Duration(offset.Load())) }
	var tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
	if cfg.fakeClock {
		tick = func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
			if d < time.Second {
				return tea.Tick(d, fn)
			}
			return func() tea.Msg { offset.Add(int64(d)); return fn(clock()) }
		}
	}
	m := ui.New(ui.Options{
		Start:           cfg.start,
		Tick:            tick,
		API:             client,
		AccountID:       accountID,
		Accounts:        cfg.pick,
		Sandbox:         true,
		AllowLogo:       cfg.allowLogo,
		Clock:           clock,
		DarkBackground:  &dark,
		OnCreated:       cfg.onCreated,
		NativeClipboard: cfg.native,
	})
	tm := teatest.NewTestModel(t, probe{m},
		teatest.WithInitialTermSize(cfg.width, cfg.height),
		teatest.WithProgramOptions(
			tea.WithColorProfile(colorprofile.ANSI256),
			tea.WithEnvironment([]string{"TERM=xterm-256color"}),
		))
	h := &harness{t: t, tm: tm, srv: srv, m: m}
	t.Cleanup(func() {
		_ = tm.Quit()
		tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	})
	return h
}

// probe wraps the wizard so a test can read its state from inside the
// program's own goroutine, where reading it is safe.
type probe struct{ m *ui.Model }

type inspectMsg struct {
	fn   func(*ui.Model)
	done chan struct{}
}

func (p probe) Init() tea.Cmd { return p.m.Init() }

func (p probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if in, ok := msg.(inspectMsg); ok {
		in.fn(p.m)
		close(in.done)
		return p, nil
	}
	_, cmd := p.m.Update(msg)
	return p, cmd
}

func (p probe) View() tea.View { return p.m.View() }

// inspect runs fn on the model inside the program.
func (h *harness) inspect(fn func(*ui.Model)) {
	h.t.Helper()
	done := make(chan struct{})
	h.tm.Send(inspectMsg{fn: fn, done: done})
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		h.t.Fatal("the program did not answer")
	}
}

// view is the current frame as text.
func (h *harness) view() string {
	var v string
	h.inspect(func(m *ui.Model) { v = m.View().Content })
	return v
}

// waitFor polls the frame until cond holds.
func (h *harness) waitFor(what string, cond func(screen string) bool) string {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		screen := ansi.Strip(h.view())
		if cond(screen) {
			return screen
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s; screen:\n%s", what, screen)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (h *harness) waitText(s string) string {
	h.t.Helper()
	return h.waitFor(strings.Join(strings.Fields(s), " "), func(screen string) bool { return strings.Contains(screen, s) })
}

// traceID matches W3C trace ids: the sandbox draws them as requests arrive,
// and concurrent requests arrive in any order.
var traceID = regexp.MustCompile(`00-[0-9a-f]{32}-[0-9a-f]{16}-00`)

// snapshot compares the frame, as text, with testdata/<test>/<name>.golden.
func (h *harness) snapshot(name string) {
	h.t.Helper()
	screen := traceID.ReplaceAllString(ansi.Strip(h.view()), "00-<trace id>-00")
	h.t.Run(name, func(t *testing.T) { golden.RequireEqual(t, screen) })
}

func (h *harness) typeText(s string) { h.tm.Type(s) }

func (h *harness) press(keys ...string) {
	for _, k := range keys {
		h.tm.Send(acttest.Key(k))
	}
}

// requestHold holds the requests of one method, once armed, until the test
// lets them go (closes release): a call caught out while keys are pressed.
// held gets a signal as each one arrives.
type requestHold struct {
	method  string
	armed   atomic.Bool
	held    chan struct{}
	release chan struct{}
}

func holdRequests(method string) *requestHold {
	return &requestHold{method: method, held: make(chan struct{}, 1), release: make(chan struct{})}
}

// arm starts holding: requests before pass at once.
func (h *requestHold) arm() { h.armed.Store(true) }

// gate is the harness's gate (harnessConfig.gate).
func (h *requestHold) gate(r *http.Request) {
	if h.armed.Load() && r.Method == h.method {
		h.held <- struct{}{}
		<-h.release
	}
}

func withSize(w, h int) func(*harnessConfig) {
	return func(c *harnessConfig) { c.width, c.height = w, h }
}

// requestLog is what the sandbox received, in order.
type requestLog struct {
	mu   sync.Mutex
	reqs []loggedRequest
}

type loggedRequest struct {
	Method, Path string
	Body         []byte
}

func (l *requestLog) add(r *http.Request) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = append(l.reqs, loggedRequest{Method: r.Method, Path: r.URL.Path, Body: body})
}

// matching returns the requests with this method whose path contains part.
func (l *requestLog) matching(method, part string) []loggedRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []loggedRequest
	for _, r := range l.reqs {
		if r.Method == method && strings.Contains(r.Path, part) {
			out = append(out, r)
		}
	}
	return out
}
