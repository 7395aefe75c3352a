package console

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/softwareone/apitoken/ui"
)

// Keys as a terminal sends them.
const (
	keyTab   = "\t"
	keyNext  = "\x0e" // ctrl+n
	keyEnter = "\r"
	keyCtrlC = "\x03"
)

// toSummary drives a fresh wizard from General to the Summary of a token
// with the first module.
func toSummary(t *testing.T, tm *term, name string) {
	t.Helper()
	tm.waitFor(0, "General", "Nightly")
	m := tm.mark()
	tm.send(name + keyTab + keyNext)
	tm.waitFor(m, "Agreements")
	m = tm.mark()
	tm.send(" " + keyEnter)
	tm.waitFor(m, "Review")
	m = tm.mark()
	tm.send(keyEnter)
	tm.waitFor(m, "created")
}

func TestCreateOverSSH(t *testing.T) {
	f := newFixture(t)
	c := f.mustDial(f.user)
	tm := openTerm(t, c, 100, 30)
	tm.waitFor(0, "General", opsAccount)

	// A resize reaches the wizard: too small a window gets a request for
	// a larger one, and the form comes back when it grows again.
	m := tm.mark()
	if err := tm.sess.WindowChange(10, 30); err != nil {
		t.Fatal(err)
	}
	tm.waitFor(m, "larger")
	m = tm.mark()
	if err := tm.sess.WindowChange(30, 100); err != nil {
		t.Fatal(err)
	}
	tm.waitFor(m, "Nightly")

	toSummary(t, tm, "ssh e2e")
	toks := f.waitTokens(1)
	tok := toks[0]
	if tok.Name != "ssh e2e" || tok.AccountID != opsAccount || !slices.Equal(tok.ModuleIDs, []string{"MOD-1003"}) {
		t.Fatalf("created %+v, want ssh e2e on %s with MOD-1003", tok, opsAccount)
	}
	values := f.created.all()
	if len(values) != 1 {
		t.Fatalf("recorded %d token values, want 1", len(values))
	}
	value := values[0]

	// c copies with OSC 52 into this session; enter then closes, once confirmed.
	tm.send("c")
	osc52 := ansi.SetSystemClipboard(value)
	deadline := time.Now().Add(wait)
	for !strings.Contains(tm.out.String(), osc52) {
		if time.Now().After(deadline) {
			t.Fatal("no OSC 52 copy of the token in the session's output")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// This terminal never confirms the copy: closing asks once more, then
	// Close lands on the API tokens page, on the new token.
	m = tm.mark()
	tm.send(keyEnter)
	tm.waitFor(m, "Close anyway?")
	m = tm.mark()
	tm.send("y")
	tm.waitFor(m, tok.ID, "ssh e2e")
	tm.send("q")
	if code := tm.exit(); code != 0 {
		t.Fatalf("exit status %d, want 0", code)
	}
	if screen := ansi.Strip(tm.out.String()); !strings.Contains(screen, "Created API token "+tok.ID+".") {
		t.Errorf("the farewell does not name %s:\n%s", tok.ID, screen)
	}

	fp := gossh.FingerprintSHA256(f.user.PublicKey())
	starts := f.waitEvent(evSessionStart, 1)
	created := f.waitEvent(evTokenCreated, 1)
	ends := f.waitEvent(evSessionEnd, 1)
	for _, r := range []record{starts[0], created[0], ends[0]} {
		if r.str("key") != fp || r.str("account") != opsAccount || r.str("key_comment") != "alice@laptop" ||
			!strings.HasPrefix(r.str("remote"), "127.0.0.1:") || r.str("user") != "alice" {
			t.Errorf("%s record = %v, want key %s, account %s, comment, remote and user", r.str("msg"), r, fp, opsAccount)
		}
	}
	if got := created[0].str("token_id"); got != tok.ID {
		t.Errorf("token created record names %q, want %q", got, tok.ID)
	}
	if ends[0].str("reason") != endQuit || !slices.Equal(anyStrings(ends[0]["tokens"]), []string{tok.ID}) {
		t.Errorf("session end = %v, want reason quit and tokens [%s]", ends[0], tok.ID)
	}

	// The token value never reaches the log, nor the screen; only the
	// OSC 52 copy carries it, base64-encoded, to its creator.
	assertAbsent(t, "audit log", f.log.String(), value, f.operator)
	rest := strings.ReplaceAll(tm.out.String(), osc52, "")
	assertAbsent(t, "session output", rest, value, f.operator,
		base64.StdEncoding.EncodeToString([]byte(value)), base64.StdEncoding.EncodeToString([]byte(f.operator)))
}

func TestKeyWithoutAccountUsesDefault(t *testing.T) {
	f := newFixture(t)
	bob := newSigner(t)
	f.writeKeys(keyLine(f.user, `account="`+opsAccount+`"`, "alice"), keyLine(bob, "", "bob"))
	tm := openTerm(t, f.mustDial(bob), 100, 30)
	tm.waitFor(0, defaultAccount)
	starts := f.waitEvent(evSessionStart, 1)
	if starts[0].str("account") != defaultAccount {
		t.Errorf("session start = %v, want account %s", starts[0], defaultAccount)
	}
	tm.send(keyCtrlC)
	if code := tm.exit(); code != 0 {
		t.Fatalf("exit status %d, want 0", code)
	}
}

func TestRefusesStrangersAndPasswords(t *testing.T) {
	f := newFixture(t)
	stranger := newSigner(t)
	if _, err := f.dial(stranger); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("a stranger's key: err = %v, want unable to authenticate", err)
	}
	refused := f.waitEvent(evAuthRefused, 1)
	if refused[0].str("method") != "publickey" || refused[0].str("key") != gossh.FingerprintSHA256(stranger.PublicKey()) {
		t.Errorf("refusal record = %v, want method publickey and the stranger's fingerprint", refused[0])
	}

	// Password and keyboard-interactive are not even offered, so a client
	// with only those gets no way in.
	answers := gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return []string{"x"}, nil })
	_, err := gossh.Dial("tcp", f.addr, f.clientConfig(gossh.Password("hunter2"), answers))
	if err == nil || !strings.Contains(err.Error(), "no supported methods remain") {
		t.Fatalf("password: err = %v, want no supported methods remain", err)
	}
	if n := len(f.events(evSessionStart)); n != 0 {
		t.Fatalf("%d sessions started, want none", n)
	}
	if strings.Contains(f.log.String(), "hunter2") {
		t.Error("the audit log holds the password")
	}
}

func TestRefusesSessionWithoutTerminal(t *testing.T) {
	f := newFixture(t)
	sess, err := f.mustDial(f.user).NewSession()
	if err != nil {
		t.Fatal(err)
	}
	tm := start(t, sess, "")
	if code := tm.exit(); code != 1 {
		t.Fatalf("exit status %d, want 1", code)
	}
	if got := tm.out.String(); got != msgNoTerminal+"\n" {
		t.Fatalf("output %q, want %q", got, msgNoTerminal+"\n")
	}
	if r := f.waitEvent(evSessionRefuse, 1)[0]; r.str("reason") != "no terminal" {
		t.Errorf("refusal record = %v, want reason no terminal", r)
	}
}

func TestSessionLimit(t *testing.T) {
	f := newFixture(t, func(c *Config, _ *fixture) { c.MaxSessions = 1 })
	first := openTerm(t, f.mustDial(f.user), 100, 30)
	first.waitFor(0, "General")

	second := openTerm(t, f.mustDial(f.user), 100, 30)
	if code := second.exit(); code != 1 {
		t.Fatalf("exit status %d, want 1", code)
	}
	if got := ansi.Strip(second.out.String()); !strings.Contains(got, "all 1 sessions are in use") {
		t.Fatalf("output %q, want the session limit message", got)
	}
	if r := f.waitEvent(evSessionRefuse, 1)[0]; r.str("reason") != "session limit reached" {
		t.Errorf("refusal record = %v", r)
	}

	// Once the first one quits there is room again.
	first.send(keyCtrlC)
	first.exit()
	third := openTerm(t, f.mustDial(f.user), 100, 30)
	third.waitFor(0, "General")
	third.send(keyCtrlC)
	third.exit()
}

func TestIdleTimeout(t *testing.T) {
	const idle = 15 * time.Minute
	clk := newFakeClock()
	f := newFixture(t, func(c *Config, _ *fixture) { c.IdleTimeout, c.timers = idle, clk })
	begin := clk.Now()
	tm := openTerm(t, f.mustDial(f.user), 100, 30)
	tm.waitFor(0, "General")
	clk.waitTimer(t, begin.Add(idle))

	// A key halfway keeps the session open past the timeout...
	clk.advance(idle / 2)
	m := tm.mark()
	tm.send("a")
	tm.waitFor(m, "a")
	clk.advance(idle / 2)
	// ...the watch waits for the rest of the timeout from that key...
	clk.waitTimer(t, begin.Add(idle+idle/2))
	if tm.ended() {
		t.Fatal("the session ended although the user typed within the timeout")
	}
	// ...and then silence ends it.
	clk.advance(idle / 2)
	if code := tm.exit(); code != 0 {
		t.Fatalf("exit status %d, want 0", code)
	}
	if got := ansi.Strip(tm.out.String()); !strings.Contains(got, "without input") {
		t.Errorf("no idle message in %q", got)
	}
	if r := f.waitEvent(evSessionEnd, 1)[0]; r.str("reason") != endIdle {
		t.Errorf("session end = %v, want reason %q", r, endIdle)
	}
}

func TestMaxSessionLengthGivesTimeToCopy(t *testing.T) {
	const length, grace = time.Hour, 2 * time.Minute
	clk := newFakeClock()
	f := newFixture(t, func(c *Config, _ *fixture) {
		c.MaxSessionLength, c.EndGrace, c.IdleTimeout, c.timers = length, grace, 2*length, clk
	})
	begin := clk.Now()
	tm := openTerm(t, f.mustDial(f.user), 100, 30)
	toSummary(t, tm, "long session")
	id := f.waitTokens(1)[0].ID
	clk.waitTimer(t, begin.Add(length))

	// At the limit the Summary stays, with a banner, for the grace period.
	m := tm.mark()
	clk.advance(length)
	tm.waitFor(m, "time limit")
	clk.waitTimer(t, begin.Add(length+grace))
	if tm.ended() {
		t.Fatal("the session ended without leaving time to copy the token")
	}
	clk.advance(grace)
	tm.exit()
	end := f.waitEvent(evSessionEnd, 1)[0]
	if end.str("reason") != endMaxLength || !slices.Equal(anyStrings(end["tokens"]), []string{id}) {
		t.Errorf("session end = %v, want reason %q and tokens [%s]", end, endMaxLength, id)
	}
	if got := ansi.Strip(tm.out.String()); !strings.Contains(got, "Created API token "+id) || !strings.Contains(got, "at most 1h0m0s") {
		t.Errorf("farewell missing in %q", got)
	}
}

func TestShutdownLetsSummaryFinish(t *testing.T) {
	f := newFixture(t)
	creator := openTerm(t, f.mustDial(f.user), 100, 30)
	toSummary(t, creator, "before shutdown")
	id := f.waitTokens(1)[0].ID
	browser := openTerm(t, f.mustDial(f.user), 100, 30)
	browser.waitFor(0, "General")

	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	m := creator.mark()
	done := make(chan error, 1)
	go func() { done <- f.srv.Shutdown(ctx) }()

	// Nothing to lose in General: that wizard ends at once.
	browser.exit()
	if got := ansi.Strip(browser.out.String()); !strings.Contains(got, "shutting down") {
		t.Errorf("no shutdown message in %q", got)
	}
	// The Summary asks its user to copy and close, and the server waits.
	creator.waitFor(m, "shutting")
	if _, err := f.dial(f.user); err == nil {
		t.Error("a new connection was accepted during the shutdown")
	}
	// Longer than Shutdown's polite wait for clients to hang up.
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned (%v) while a token was on screen", err)
	case <-time.After(1500 * time.Millisecond):
	}
	if creator.ended() {
		t.Fatal("the session showing a created token was closed")
	}
	m = creator.mark()
	// Over SSH the copy goes through the terminal (OSC 52), which cannot
	// confirm it: closing asks once more.
	creator.send("c")
	creator.waitFor(m, "Sent to the terminal")
	m = creator.mark()
	creator.send(keyEnter)
	creator.waitFor(m, "Close anyway?")
	creator.send("y")
	creator.exit()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Shutdown: %v", err)
		}
	case <-time.After(wait):
		t.Fatal("Shutdown did not return after the last session closed")
	}
	ends := f.events(evSessionEnd)
	if len(ends) != 2 {
		t.Fatalf("%d session end records, want 2", len(ends))
	}
	for _, r := range ends {
		if r.str("reason") != endShutdown {
			t.Errorf("session end = %v, want reason shutdown", r)
		}
	}
	if !slices.ContainsFunc(ends, func(r record) bool { return slices.Equal(anyStrings(r["tokens"]), []string{id}) }) {
		t.Errorf("no session end lists %s: %v", id, ends)
	}
}

func TestShutdownGraceExpires(t *testing.T) {
	f := newFixture(t)
	tm := openTerm(t, f.mustDial(f.user), 100, 30)
	toSummary(t, tm, "left open")
	id := f.waitTokens(1)[0].ID

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := f.srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown = %v, want the deadline", err)
	}
	tm.closed() // cut off: no exit status
	end := f.waitEvent(evSessionEnd, 1)[0]
	if !slices.Equal(anyStrings(end["tokens"]), []string{id}) {
		t.Errorf("session end = %v, want tokens [%s]", end, id)
	}
}

func TestDisconnectDuringCreateIsAudited(t *testing.T) {
	gate := &gatedAPI{sent: make(chan struct{}, 1), gate: make(chan struct{})}
	f := newFixture(t, withAPI(func(api ui.API) ui.API { gate.API = api; return gate }))
	c := f.mustDial(f.user)
	tm := openTerm(t, c, 100, 30)
	tm.waitFor(0, "General")
	m := tm.mark()
	tm.send("gone" + keyTab + keyNext)
	tm.waitFor(m, "Agreements")
	m = tm.mark()
	tm.send(" " + keyEnter)
	tm.waitFor(m, "Review")
	tm.send(keyEnter)
	select {
	case <-gate.sent:
	case <-time.After(wait):
		t.Fatal("the create was not sent")
	}
	c.Close() // the user goes away while the create is out
	f.waitGone()
	close(gate.gate)

	id := f.waitTokens(1)[0].ID
	if got := f.waitEvent(evTokenCreated, 1)[0].str("token_id"); got != id {
		t.Errorf("token created record names %q, want %q", got, id)
	}
	end := f.waitEvent(evSessionEnd, 1)[0]
	if end.str("reason") != endDisconnected || !slices.Equal(anyStrings(end["tokens"]), []string{id}) {
		t.Errorf("session end = %v, want reason disconnected and tokens [%s]", end, id)
	}
	for _, v := range f.created.all() {
		assertAbsent(t, "audit log", f.log.String(), v)
	}
}

func TestAuthorizedKeysReload(t *testing.T) {
	f := newFixture(t)
	alice := f.mustDial(f.user) // stays connected
	bob := newSigner(t)
	if _, err := f.dial(bob); err == nil {
		t.Fatal("bob got in before his key was added")
	}

	// Swap alice for bob, pinned to another account: no restart.
	f.writeKeys("# the vendor team", keyLine(bob, `account="`+vendorAccount+`"`, "bob"))
	tm := openTerm(t, f.mustDial(bob), 100, 30)
	tm.waitFor(0, vendorAccount)
	tm.send(keyCtrlC)
	tm.exit()
	if _, err := f.dial(f.user); err == nil {
		t.Fatal("alice got in after her key was removed")
	}
	// Her open connection cannot start a new session either.
	refused := openTerm(t, alice, 100, 30)
	if code := refused.exit(); code != 1 {
		t.Fatalf("exit status %d, want 1", code)
	}
	if got := ansi.Strip(refused.out.String()); !strings.Contains(got, "no longer authorized") {
		t.Fatalf("output %q, want the revocation message", got)
	}
}

func TestConnectionRateLimit(t *testing.T) {
	f := newFixture(t, func(c *Config, _ *fixture) { c.ConnRate = 2 })
	for range 2 {
		f.mustDial(f.user)
	}
	if _, err := f.dial(f.user); err == nil {
		t.Fatal("a third connection within the minute was accepted")
	}
	if r := f.waitEvent(evRateLimited, 1)[0]; !strings.HasPrefix(r.str("remote"), "127.0.0.1:") {
		t.Errorf("rate-limit record = %v", r)
	}
}

func TestNewChecksConfig(t *testing.T) {
	f := newFixture(t)
	base := f.srv.cfg
	for name, mutate := range map[string]func(*Config){
		"no host key":       func(c *Config) { c.HostKey = nil },
		"no keys file":      func(c *Config) { c.AuthorizedKeys = "" },
		"missing keys file": func(c *Config) { c.AuthorizedKeys = t.TempDir() + "/none" },
		"no API":            func(c *Config) { c.API = nil },
		"bad account":       func(c *Config) { c.DefaultAccount = "ACC-1" },
		"negative limit":    func(c *Config) { c.MaxSessions = -1 },
	} {
		cfg := base
		mutate(&cfg)
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

func assertAbsent(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("the %s holds a secret (%d characters)", where, len(s))
		}
	}
}

func anyStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func TestColoursFollowEachClient(t *testing.T) {
	f := newFixture(t)
	c := f.mustDial(f.user)

	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Setenv("COLORTERM", "truecolor"); err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	truecolor := start(t, sess, commandAdd)
	palette := openTerm(t, c, 100, 30) // xterm-256color, no COLORTERM
	truecolor.waitFor(0, "General")
	palette.waitFor(0, "General")

	if out := truecolor.out.String(); !strings.Contains(out, "38;2;") {
		t.Error("a truecolor terminal got no 24-bit colours")
	}
	if out := palette.out.String(); strings.Contains(out, "38;2;") || !strings.Contains(out, "38;5;") {
		t.Error("a 256-colour terminal did not get 256-colour sequences only")
	}
	truecolor.send(keyCtrlC)
	palette.send(keyCtrlC)
	truecolor.exit()
	palette.exit()
}
