package console

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"charm.land/ssh"
	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/softwareone/apitoken/internal/syncbuf"
)

// liveHeap is the heap in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestHugeTerminalIsClamped asks for a 10000×10000 terminal, which once
// made the server allocate ~25 GB and die, then keeps resizing: the heap
// grows by what one session at MaxColumns×MaxRows costs, and another
// session keeps working throughout.
func TestHugeTerminalIsClamped(t *testing.T) {
	f := newFixture(t)
	other := openTerm(t, f.mustDial(f.user), 100, 30)
	other.waitFor(0, "General")
	before := liveHeap()

	huge := openTerm(t, f.mustDial(f.user), 10000, 10000)
	huge.waitFor(0, "General", opsAccount)
	for i := range 20 {
		if err := huge.sess.WindowChange(10000-i, 10000+i); err != nil {
			t.Fatal(err)
		}
	}
	m := huge.mark()
	huge.send("big")
	huge.waitFor(m, "big")
	grown := int64(liveHeap()) - int64(before)
	t.Logf("heap grew by %d MB with a %d×%d session", grown>>20, MaxColumns, MaxRows)
	// 500×200 costs about 22 MB; unclamped, 1000×1000 cost 239 MB.
	const bound = 64 << 20
	if grown > bound {
		t.Errorf("the heap grew by %d MB for one huge terminal, want under %d MB", grown>>20, bound>>20)
	}

	m = other.mark()
	other.send("Q")
	other.waitFor(m, "Q")
	huge.send(keyCtrlC)
	other.send(keyCtrlC)
	huge.exit()
	other.exit()
}

// TestEnvRequestsAreCapped sends thousands of 32 KiB env requests: past
// the first few they are refused, the server keeps none of them, and the
// session still opens with what was set first.
func TestEnvRequestsAreCapped(t *testing.T) {
	f := newFixture(t)
	sess, err := f.mustDial(f.user).NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Setenv("COLORTERM", "truecolor"); err != nil {
		t.Fatalf("the first env request was refused: %v", err)
	}
	before := liveHeap()
	big := strings.Repeat("x", 32<<10)
	accepted := 1
	for i := range 3000 {
		if sess.Setenv(fmt.Sprintf("V%d", i), big) == nil {
			accepted++
		}
	}
	grown := int64(liveHeap()) - int64(before)
	t.Logf("%d env requests accepted; heap grew by %d MB", accepted, grown>>20)
	if accepted > maxEnvVars {
		t.Errorf("%d env requests accepted, want at most %d", accepted, maxEnvVars)
	}
	// Unbounded, the 3000 values held 94 MB.
	const bound = 16 << 20
	if grown > bound {
		t.Errorf("the heap grew by %d MB, want under %d MB", grown>>20, bound>>20)
	}

	if err := sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	tm := start(t, sess, commandAdd)
	tm.waitFor(0, "General")
	if !strings.Contains(tm.out.String(), "38;2;") {
		t.Error("COLORTERM, set before the flood, did not reach the wizard")
	}
	tm.send(keyCtrlC)
	tm.exit()
}

// TestForwardingIsRefused: the console never forwards an agent, X11 or
// ports, so it answers no to each request for it.
func TestForwardingIsRefused(t *testing.T) {
	f := newFixture(t)
	c := f.mustDial(f.user)
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	for _, r := range []struct {
		typ     string
		payload []byte
	}{
		{reqAgent, nil},
		{reqX11, gossh.Marshal(struct {
			Single        bool
			Proto, Cookie string
			Screen        uint32
		}{false, "MIT-MAGIC-COOKIE-1", "00", 0})},
	} {
		ok, err := sess.SendRequest(r.typ, true, r.payload)
		if err != nil || ok {
			t.Errorf("%s: ok=%v err=%v, want a refusal", r.typ, ok, err)
		}
	}
	ok, _, err := c.SendRequest("tcpip-forward", true, gossh.Marshal(struct {
		Addr string
		Port uint32
	}{"127.0.0.1", 0}))
	if err != nil || ok {
		t.Errorf("tcpip-forward: ok=%v err=%v, want a refusal", ok, err)
	}
	if conn, err := c.Dial("tcp", f.addr); err == nil {
		conn.Close()
		t.Error("a direct-tcpip channel was opened")
	}
}

// TestRSASHA1IsRefused: an RSA key may sign with SHA-2, never with SHA-1
// (ssh-rsa).
func TestRSASHA1IsRefused(t *testing.T) {
	f := newFixture(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(key)
	if err != nil {
		t.Fatal(err)
	}
	f.writeKeys(keyLine(s, "", "rsa"))
	for _, tt := range []struct {
		algo string
		ok   bool
	}{
		{gossh.KeyAlgoRSA, false},
		{gossh.KeyAlgoRSASHA256, true},
		{gossh.KeyAlgoRSASHA512, true},
	} {
		only, err := gossh.NewSignerWithAlgorithms(s.(gossh.AlgorithmSigner), []string{tt.algo})
		if err != nil {
			t.Fatal(err)
		}
		c, err := f.dial(only)
		if c != nil {
			c.Close()
		}
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v, want accepted %v", tt.algo, err, tt.ok)
		}
	}
}

// TestOnlyServedCommands: no command and `add` open the wizard; anything
// else is refused with one line and exit status 1, and audited.
func TestOnlyServedCommands(t *testing.T) {
	f := newFixture(t)
	c := f.mustDial(f.user)
	exec := func(cmd string) *term {
		t.Helper()
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		if err := sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{}); err != nil {
			t.Fatal(err)
		}
		tm := &term{t: t, sess: sess, out: &syncbuf.Buffer{}, done: make(chan error, 1)}
		if tm.stdin, err = sess.StdinPipe(); err != nil {
			t.Fatal(err)
		}
		sess.Stdout, sess.Stderr = tm.out, tm.out
		if err := sess.Start(cmd); err != nil {
			t.Fatal(err)
		}
		go func() { tm.done <- sess.Wait() }()
		t.Cleanup(func() { sess.Close() })
		return tm
	}

	add := exec("add")
	add.waitFor(0, "General", opsAccount)
	add.send(keyCtrlC)
	if code := add.exit(); code != 0 {
		t.Errorf("add: exit status %d, want 0", code)
	}
	for _, cmd := range []string{"anything", "bash -c id", "add extra", `"unterminated`} {
		tm := exec(cmd)
		if code := tm.exit(); code != 1 {
			t.Errorf("%q: exit status %d, want 1", cmd, code)
		}
		out := strings.TrimRight(ansi.Strip(tm.out.String()), "\r\n")
		if strings.Contains(out, "General") || strings.Count(out, "\n") != 0 || out == "" {
			t.Errorf("%q: output %q, want one line of refusal", cmd, out)
		}
	}
	refused := f.waitEvent(evSessionRefuse, 4)
	for _, r := range refused {
		if !strings.HasPrefix(r.str("reason"), "command not served") {
			t.Errorf("refusal record = %v", r)
		}
	}
	if n := len(f.events(evSessionStart)); n != 1 {
		t.Errorf("%d sessions started, want 1 (add)", n)
	}
}

// TestPanicInSessionIsRecovered: a panic in a session's handler is
// recovered and audited instead of ending the server with every session.
func TestPanicInSessionIsRecovered(t *testing.T) {
	f := newFixture(t)
	// Every method of a nil embedded Session panics.
	f.srv.ssh.Handler(struct{ ssh.Session }{})
	if r := f.waitEvent(evPanic, 1)[0]; !strings.Contains(r.str("detail"), "nil pointer") {
		t.Errorf("panic record = %v", r)
	}
	// The server goes on serving.
	tm := openTerm(t, f.mustDial(f.user), 100, 30)
	tm.waitFor(0, "General")
	tm.send(keyCtrlC)
	tm.exit()
}
