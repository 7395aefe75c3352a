// Package acttest is test support for the API tokens pages and their
// actions: a sandbox over real HTTP with a fixed clock and seeded ids, a
// record of the requests it received, a fake ticker, a fake page stack, a
// synchronous command driver and the "nothing but SGR" check. Only tests
// import it.
package acttest

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/sandbox"
	"github.com/softwareone/apitoken/theme"
	"github.com/softwareone/apitoken/ui/common"
)

// Now is the clock of every test: 2026-11-27 10:00 UTC, an hour after the
// demo fixture's newest token.
var Now = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// Clock is a settable fake clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now reads it.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves it on.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// clientClock is the client's clock: fixed, and waits take no time.
type clientClock struct{}

func (clientClock) Now() time.Time { return Now }
func (clientClock) Sleep(ctx context.Context, _ time.Duration) error {
	return ctx.Err()
}

// Request is one request the sandbox received.
type Request struct{ Method, Path, Query string }

// Recorder holds the requests received, in order.
type Recorder struct {
	mu   sync.Mutex
	reqs []Request
}

// Requests returns them.
func (r *Recorder) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.reqs...)
}

// Writes returns the requests other than GETs, as "METHOD path".
func (r *Recorder) Writes() []string {
	var out []string
	for _, q := range r.Requests() {
		if q.Method != http.MethodGet {
			out = append(out, q.Method+" "+q.Path)
		}
	}
	return out
}

// Env is a sandbox and a client of it.
type Env struct {
	Srv    *sandbox.Server
	Client *apiclient.Client
	URL    string
	Rec    *Recorder
	// Fault, when set, is asked for each request after it is recorded.
	mu    sync.Mutex
	fault func(*http.Request) *sandbox.Fault
}

// SetFault sets what the sandbox does wrong (nil: nothing).
func (e *Env) SetFault(f func(*http.Request) *sandbox.Fault) {
	e.mu.Lock()
	e.fault = f
	e.mu.Unlock()
}

// Sandbox starts a sandbox with f (the demo fixture when nil), extra
// options, and an operator client of it.
func Sandbox(t testing.TB, f *sandbox.Fixture, opts ...sandbox.Option) *Env {
	t.Helper()
	all := []sandbox.Option{
		sandbox.WithClock(func() time.Time { return Now }),
		sandbox.WithIDSource(rand.NewChaCha8([32]byte{1})),
		sandbox.WithSecretSource(rand.NewChaCha8([32]byte{2})),
		sandbox.WithOperatorToken("sbx_test_operator"),
	}
	if f != nil {
		all = append(all, sandbox.WithFixture(f))
	}
	srv, err := sandbox.New(append(all, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{Srv: srv, Rec: &Recorder{}}
	srv.SetFaultFunc(func(r *http.Request) *sandbox.Fault {
		e.Rec.mu.Lock()
		e.Rec.reqs = append(e.Rec.reqs, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery})
		e.Rec.mu.Unlock()
		e.mu.Lock()
		fn := e.fault
		e.mu.Unlock()
		if fn != nil {
			return fn(r)
		}
		return nil
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	e.URL = ts.URL
	e.Client, err = apiclient.New(apiclient.WithBaseURL(ts.URL), apiclient.WithToken(apiclient.Secret(srv.OperatorToken())),
		apiclient.WithRetry(1, time.Millisecond), apiclient.WithClock(clientClock{}))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// Nav is a fake page stack.
type Nav struct {
	Pushed []common.Page
	Pops   int
}

// Push records p.
func (n *Nav) Push(p common.Page) tea.Cmd { n.Pushed = append(n.Pushed, p); return nil }

// Pop records a pop.
func (n *Nav) Pop() { n.Pops++ }

// NewCommon is a Common of w×h cells with a dark theme, the clock and a
// fake Nav.
func NewCommon(w, h int, clock func() time.Time) (*common.Common, *Nav) {
	nav := &Nav{}
	return &common.Common{
		Width: w, Height: h, Theme: theme.New(true), Keys: common.NewKeyMap(),
		Clock: clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Nav: nav,
	}, nav
}

// Ticker is a fake tea.Tick: it keeps the timers until Fire.
type Ticker struct {
	mu      sync.Mutex
	pending []pending
}

type pending struct {
	d  time.Duration
	fn func(time.Time) tea.Msg
}

// Tick records a timer; the command it returns is nil.
func (t *Ticker) Tick(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	t.mu.Lock()
	t.pending = append(t.pending, pending{d, fn})
	t.mu.Unlock()
	return nil
}

// Pending is how many timers wait.
func (t *Ticker) Pending() int { t.mu.Lock(); defer t.mu.Unlock(); return len(t.pending) }

// Fire ends every waiting timer (at now) and returns their messages.
func (t *Ticker) Fire(now time.Time) []tea.Msg {
	t.mu.Lock()
	ps := t.pending
	t.pending = nil
	t.mu.Unlock()
	out := make([]tea.Msg, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.fn(now))
	}
	return out
}

// Updater is a page.
type Updater interface{ Update(tea.Msg) tea.Cmd }

// Drive runs cmd and every command that follows from it, handing each
// message to u, and returns the messages seen (batches unpacked). Timers
// from a fake Ticker do not run.
func Drive(u Updater, cmd tea.Cmd) []tea.Msg {
	var seen []tea.Msg
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch m := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, m...)
		default:
			seen = append(seen, m)
			queue = append(queue, u.Update(m))
		}
	}
	return seen
}

// Send hands msg to u and drives what follows.
func Send(u Updater, msgs ...tea.Msg) []tea.Msg {
	var seen []tea.Msg
	for _, m := range msgs {
		seen = append(seen, Drive(u, u.Update(m))...)
	}
	return seen
}

// Key builds a key press the way the terminal reader would.
func Key(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	}
	if rest, ok := strings.CutPrefix(k, "ctrl+"); ok {
		return tea.KeyPressMsg{Code: rune(rest[0]), Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// Keys turns each rune of s into a key press.
func Keys(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		out = append(out, Key(string(r)))
	}
	return out
}

var sgr = regexp.MustCompile("\x1b\\[[0-9;:]*m")

// OnlySGR fails unless s holds no escape sequence but colours and
// attributes (SGR), and no control or bidi character but line breaks.
func OnlySGR(t testing.TB, what, s string) {
	t.Helper()
	if r, at, ok := Leak(s); ok {
		t.Fatalf("%s: %U got through at byte %d of %q", what, r, at, s)
	}
}

// Leak finds the first escape, control or bidi character in s that is not
// part of an SGR sequence or a line break.
func Leak(s string) (r rune, at int, found bool) {
	rest := sgr.ReplaceAllString(s, "")
	for i, r := range rest {
		bad := (r < 0x20 && r != '\n') || (r >= 0x7f && r <= 0x9f) ||
			(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
		if bad {
			return r, i, true
		}
	}
	return 0, 0, false
}

// Hostile are names and descriptions a hostile server might send: a
// screen clear, an OSC 52 clipboard write, a hyperlink, a bidi override,
// a title change, C1 controls, a bell.
var Hostile = []string{
	"\x1b[2J\x1b[Hwiped",
	"\x1b]52;c;ZWNobyBwd25lZA==\x07clip",
	"\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
	"\u202egnp.exe\u202c bidi",
	"\x1b]0;title\x07tt",
	"c1 \u009b31m\u0085 ctl\a",
	"tab\there\r\nnewline",
}

// HostileNames are token names a hostile server might store: the
// sandbox, like the platform, refuses control characters in a token's
// name, but not bidi or other format characters.
var HostileNames = []string{
	"\u202egnp.exe\u202c bidi",
	"\u2066isolate\u2069 \u200fmark",
	"zero\u200bwidth\ufeff bom",
}

// HostileFixture is the demo fixture with every token's description and
// creator, every module's name and description made hostile (escape
// sequences, C0 and C1 controls), the names bidi-laden, and some tokens
// given a single module so its name is drawn in the list.
func HostileFixture() *sandbox.Fixture {
	f := sandbox.DemoFixture()
	for i := range f.Tokens {
		h := Hostile[i%len(Hostile)]
		f.Tokens[i].Name = HostileNames[i%len(HostileNames)] + " " + f.Tokens[i].Name
		f.Tokens[i].Description = "desc " + h
		f.Tokens[i].CreatedBy = h
		if i%3 == 0 {
			f.Tokens[i].Modules = f.Tokens[i].Modules[:1]
		}
	}
	for i := range f.Modules {
		f.Modules[i].Name = Hostile[i%len(Hostile)] + " " + f.Modules[i].Name
		f.Modules[i].Description = Hostile[(i+1)%len(Hostile)]
	}
	return f
}
