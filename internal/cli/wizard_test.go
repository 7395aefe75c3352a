package cli

import (
	"context"
	"os"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/ui"
)

func runAccessible(t *testing.T, vars map[string]string, answers string, args ...string) (int, string, string) {
	t.Helper()
	f, out, errOut := testFactory(vars)
	f.IO.In = strings.NewReader(answers)
	code := Execute(t.Context(), f, args)
	return code, out.String(), errOut.String()
}

// TestAccessibleExitCodes: "n" at the confirmation and input that ends
// early are cancels (130, nothing sent); an added token is 0 once its
// value is printed, which is done only when asked for; an added token
// whose value was not shown (two noes, or input that ends) is 3, created
// but the value lost.
func TestAccessibleExitCodes(t *testing.T) {
	code, out, errOut := runAccessible(t, nil, "Reports\n\n\n1\n0\nn\n", "--accessible")
	if code != ExitCancel || !strings.Contains(out, "Nothing was sent.") {
		t.Errorf("answer n: exit %d, want %d; stdout:\n%s\nstderr:\n%s", code, ExitCancel, out, errOut)
	}
	if !strings.Contains(errOut, "cancelled: nothing was created") {
		t.Errorf("answer n: stderr does not say it was cancelled: %q", errOut)
	}
	if code, out, _ := runAccessible(t, nil, "Half done\n", "--accessible"); code != ExitCancel || strings.Contains(out, "Your token is created") {
		t.Errorf("end of input: exit %d, want %d; stdout:\n%s", code, ExitCancel, out)
	}
	if code, out, errOut := runAccessible(t, nil, "Reports\n\n\n1\n0\ny\n", "--accessible"); code != ExitUnknown || tokenValue.MatchString(out) {
		t.Errorf("added, input ends at the value: exit %d, want %d and no value; stdout:\n%s\nstderr:\n%s", code, ExitUnknown, out, errOut)
	}
	if code, out, errOut := runAccessible(t, nil, "Reports\n\n\n1\n0\ny\n\n\n", "--accessible"); code != ExitUnknown || tokenValue.MatchString(out) {
		t.Errorf("added, value declined twice: exit %d, want %d and no value; stdout:\n%s\nstderr:\n%s", code, ExitUnknown, out, errOut)
	}
	if code, out, errOut := runAccessible(t, nil, "Reports\n\n\n1\n0\ny\n\ny\n", "--accessible"); code != ExitOK || len(tokenValue.FindAllString(out, -1)) != 1 {
		t.Errorf("added, value asked for the second time: exit %d, want 0 and the value once; stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if code, out, errOut := runAccessible(t, nil, "Reports\n\n\n1\n0\ny\ny\n", "--accessible"); code != ExitOK || len(tokenValue.FindAllString(out, -1)) != 1 {
		t.Errorf("added, value asked for: exit %d, want 0 and the value once; stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

// TestAccessibleValueLostAdvice: against an API (not the built-in
// sandbox), a value declined twice exits 3 and names the commands that
// replace or disable the token; the rotate it names works as said: a new
// token with the value, the old one disabled.
func TestAccessibleValueLostAdvice(t *testing.T) {
	api := newTestAPI(t)
	code, out, errOut := runAccessible(t, api.env(), "Reports\n\n\n1\n0\ny\n\n\n", "--accessible")
	if code != ExitUnknown || tokenValue.MatchString(out) || tokenValue.MatchString(errOut) {
		t.Fatalf("exit %d, want %d and no value; stdout:\n%s\nstderr:\n%s", code, ExitUnknown, out, errOut)
	}
	m := regexp.MustCompile("run `apitoken (rotate (TKN-\\d{4}-\\d{4}))`").FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "`apitoken disable "+m[2]+"`") {
		t.Fatalf("stdout does not name rotate and disable for the token:\n%s", out)
	}
	r := runVerb(t, api, runSpec{}, append(strings.Fields(m[1]), "--yes")...)
	if r.code != ExitOK || !tokenValue.MatchString(r.out) {
		t.Fatalf("%s --yes: exit %d; stdout:\n%s\nstderr:\n%s", m[1], r.code, r.out, r.errOut)
	}
	if got := api.status(t, m[2]); got != apiclient.TokenStatusDisabled {
		t.Errorf("after the rotate %s is %s, want Disabled", m[2], got)
	}
}

// TestTermDumbIsAccessible: where TERM=dumb the full-screen wizard cannot
// draw, so the plain prompts run without --accessible (stdin here is no
// terminal: the full-screen wizard would refuse to start).
func TestTermDumbIsAccessible(t *testing.T) {
	code, out, errOut := runAccessible(t, map[string]string{"TERM": "dumb"}, "Reports\n\n\n1\n0\nn\n")
	if code != ExitCancel || !strings.Contains(out, "Add API token (sandbox") {
		t.Fatalf("TERM=dumb: exit %d; stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if strings.ContainsRune(out, 0x1b) {
		t.Errorf("TERM=dumb output carries escape sequences: %q", out)
	}
	if code, _, errOut := runAccessible(t, map[string]string{"TERM": "xterm-256color"}, ""); code != ExitUsage || !strings.Contains(errOut, "needs a terminal") {
		t.Errorf("TERM=xterm without a terminal: exit %d, stderr %q", code, errOut)
	}
}

// fakeProgram records what the supervisor does; Kill ends the program.
type fakeProgram struct {
	mu     sync.Mutex
	sent   []tea.Msg
	killed int
	stop   chan struct{}
	once   sync.Once
	sentC  chan struct{} // one value per Send
}

func (p *fakeProgram) Send(m tea.Msg) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent = append(p.sent, m)
	p.sentC <- struct{}{}
}

func (p *fakeProgram) Kill() {
	p.mu.Lock()
	p.killed++
	p.mu.Unlock()
	p.end()
}

func (p *fakeProgram) end() { p.once.Do(func() { close(p.stop) }) }

// TestSuperviseWizard: SIGHUP ends the wizard at once; SIGTERM asks it to
// finish, and ends it after the grace or on a second signal; a wizard that
// ends by itself is left alone.
func TestSuperviseWizard(t *testing.T) {
	type result struct {
		hungUp bool
		prog   *fakeProgram
		grace  []time.Duration
	}
	run := func(first os.Signal, then func(p *fakeProgram, later chan os.Signal, grace chan time.Time)) result {
		p := &fakeProgram{stop: make(chan struct{}), sentC: make(chan struct{}, 4)}
		later := make(chan os.Signal, 1)
		graceC := make(chan time.Time, 1)
		var mu sync.Mutex
		var asked []time.Duration
		after := func(d time.Duration) <-chan time.Time {
			mu.Lock()
			defer mu.Unlock()
			asked = append(asked, d)
			return graceC
		}
		ctx, cancel := context.WithCancelCause(t.Context())
		defer cancel(nil)
		if first != nil {
			cancel(SignalError{Signal: first})
		}
		done := make(chan bool, 1)
		go func() { done <- superviseWizard(ctx, &Signals{Later: later}, p, after, p.stop) }()
		then(p, later, graceC)
		hungUp := <-done
		mu.Lock()
		defer mu.Unlock()
		return result{hungUp, p, asked}
	}
	shutdownSent := func(p *fakeProgram) bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return len(p.sent) == 1 && p.sent[0] == ui.ShutdownMsg{Reason: "apitoken was asked to stop"}
	}

	// SIGHUP: killed at once, no grace asked.
	r := run(syscall.SIGHUP, func(*fakeProgram, chan os.Signal, chan time.Time) {})
	if !r.hungUp || r.prog.killed != 1 || len(r.prog.sent) != 0 || len(r.grace) != 0 {
		t.Errorf("SIGHUP: hungUp %v, killed %d, sent %v, grace %v", r.hungUp, r.prog.killed, r.prog.sent, r.grace)
	}
	// SIGTERM, then the user closes the wizard within the grace.
	r = run(syscall.SIGTERM, func(p *fakeProgram, _ chan os.Signal, _ chan time.Time) {
		<-p.sentC
		p.end()
	})
	if r.hungUp || r.prog.killed != 0 || !shutdownSent(r.prog) {
		t.Errorf("SIGTERM then close: hungUp %v, killed %d, sent %v", r.hungUp, r.prog.killed, r.prog.sent)
	}
	// SIGTERM, then the grace runs out.
	r = run(syscall.SIGTERM, func(p *fakeProgram, _ chan os.Signal, grace chan time.Time) {
		<-p.sentC
		grace <- time.Time{}
	})
	if r.prog.killed != 1 || len(r.grace) != 1 || r.grace[0] != DefaultGrace {
		t.Errorf("SIGTERM then grace: killed %d, grace asked %v, want [%s]", r.prog.killed, r.grace, DefaultGrace)
	}
	// SIGINT, then a second signal.
	r = run(os.Interrupt, func(p *fakeProgram, later chan os.Signal, _ chan time.Time) {
		<-p.sentC
		later <- syscall.SIGTERM
	})
	if r.prog.killed != 1 || r.hungUp {
		t.Errorf("second signal: killed %d, hungUp %v", r.prog.killed, r.hungUp)
	}
	// No signal: the wizard ends by itself.
	r = run(nil, func(p *fakeProgram, _ chan os.Signal, _ chan time.Time) { p.end() })
	if r.prog.killed != 0 || len(r.prog.sent) != 0 {
		t.Errorf("no signal: killed %d, sent %v", r.prog.killed, r.prog.sent)
	}
}

// TestBareRunIsTheRootCommand: a bare "apitoken" skips the command tree,
// and must end exactly as the root command run through cobra does: the
// same output, error text (naming "apitoken --help") and exit code.
func TestBareRunIsTheRootCommand(t *testing.T) {
	for _, c := range []struct {
		name    string
		vars    map[string]string
		answers string
	}{
		{"no terminal", map[string]string{"TERM": "xterm-256color"}, ""},
		{"plain prompts, cancelled", map[string]string{"TERM": "dumb"}, "Reports\n\n\n1\n0\nn\n"},
		{"plain prompts, input ends", map[string]string{"TERM": "dumb"}, "Half"},
	} {
		t.Run(c.name, func(t *testing.T) {
			bareCode, bareOut, bareErr := runAccessible(t, c.vars, c.answers)
			code, out, errOut := runAccessible(t, c.vars, c.answers, "--accessible=false")
			if bareCode != code || bareOut != out || bareErr != errOut {
				t.Errorf("bare run: exit %d\nstdout %q\nstderr %q\nroot command: exit %d\nstdout %q\nstderr %q",
					bareCode, bareOut, bareErr, code, out, errOut)
			}
			if c.answers == "" && !strings.Contains(bareErr, `Run "apitoken --help" for usage.`) {
				t.Errorf("the usage error does not name the command: %q", bareErr)
			}
		})
	}
}
