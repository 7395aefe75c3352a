package console

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/syncbuf"
	"github.com/softwareone/apitoken/sandbox"
	"github.com/softwareone/apitoken/ui"
)

// Accounts of the sandbox's demo catalogue.
const (
	defaultAccount = "ACC-1000-0001" // Contoso Ltd, the sandbox default
	opsAccount     = "ACC-3000-0001" // SoftwareOne Operations
	vendorAccount  = "ACC-2000-0001" // Fabrikam Software Inc.
)

// wait bounds every wait in these tests, so none can hang.
const wait = 15 * time.Second

// fixture is a console on a loopback port, backed by an in-process sandbox.
type fixture struct {
	t        *testing.T
	srv      *Server
	addr     string
	hostKey  gossh.PublicKey
	sandbox  *sandbox.Server
	operator string // the server's API credential
	log      *syncbuf.Buffer
	created  *valueRecorder
	keysPath string
	user     gossh.Signer // authorized, pinned to opsAccount
	served   chan error
}

type fixtureOption func(*Config, *fixture)

// withAPI wraps the API the console gets.
func withAPI(wrap func(ui.API) ui.API) fixtureOption {
	return func(c *Config, _ *fixture) { c.API = wrap(c.API) }
}

func newFixture(t *testing.T, opts ...fixtureOption) *fixture {
	t.Helper()
	f := &fixture{t: t, log: &syncbuf.Buffer{}, created: &valueRecorder{base: http.DefaultTransport}, served: make(chan error, 1)}

	sb, err := sandbox.New(sandbox.WithClock(func() time.Time { return time.Now().UTC() }))
	if err != nil {
		t.Fatal(err)
	}
	f.sandbox, f.operator = sb, sb.OperatorToken()
	ts := httptest.NewServer(sb)
	t.Cleanup(ts.Close)
	client, err := apiclient.New(
		apiclient.WithBaseURL(ts.URL),
		apiclient.WithToken(apiclient.Secret(sb.OperatorToken())),
		apiclient.WithHTTPClient(&http.Client{Transport: f.created}),
	)
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	host, _, err := LoadOrCreateHostKey(filepath.Join(dir, "host_key"))
	if err != nil {
		t.Fatal(err)
	}
	f.hostKey = host.PublicKey()
	f.user = newSigner(t)
	f.keysPath = filepath.Join(dir, "authorized_keys")
	f.writeKeys(keyLine(f.user, `account="`+opsAccount+`"`, "alice@laptop"))

	cfg := Config{
		HostKey:        host,
		AuthorizedKeys: f.keysPath,
		API:            client,
		DefaultAccount: defaultAccount,
		Sandbox:        true,
		Logger:         slog.New(slog.NewJSONHandler(f.log, nil)),
	}
	for _, o := range opts {
		o(&cfg, f)
	}
	f.srv, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.addr = ln.Addr().String()
	go func() { f.served <- f.srv.Serve(ln) }()
	t.Cleanup(f.stop)
	return f
}

// stop shuts the server down and checks that Serve returned.
func (f *fixture) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = f.srv.Shutdown(ctx)
	select {
	case err := <-f.served:
		if !errors.Is(err, ErrServerClosed) {
			f.t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	case <-time.After(wait):
		f.t.Error("Serve did not return after Shutdown")
	}
	if n := f.srv.reg.len(); n != 0 {
		f.t.Errorf("%d sessions still registered after shutdown", n)
	}
}

func (f *fixture) writeKeys(lines ...string) {
	f.t.Helper()
	if err := os.WriteFile(f.keysPath, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		f.t.Fatal(err)
	}
}

func newSigner(t *testing.T) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// keyLine is an authorized_keys line for s.
func keyLine(s gossh.Signer, options, comment string) string {
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey()))) + " " + comment
	if options != "" {
		line = options + " " + line
	}
	return line
}

func (f *fixture) clientConfig(auth ...gossh.AuthMethod) *gossh.ClientConfig {
	return &gossh.ClientConfig{
		User:            "alice",
		Auth:            auth,
		HostKeyCallback: gossh.FixedHostKey(f.hostKey),
		Timeout:         wait,
	}
}

func (f *fixture) dial(s gossh.Signer) (*gossh.Client, error) {
	return gossh.Dial("tcp", f.addr, f.clientConfig(gossh.PublicKeys(s)))
}

func (f *fixture) mustDial(s gossh.Signer) *gossh.Client {
	f.t.Helper()
	c, err := f.dial(s)
	if err != nil {
		f.t.Fatalf("dial: %v", err)
	}
	f.t.Cleanup(func() { c.Close() })
	return c
}

// waitTokens polls the sandbox until it holds n tokens.
func (f *fixture) waitTokens(n int) []sandbox.StoredToken {
	f.t.Helper()
	deadline := time.Now().Add(wait)
	for {
		toks := f.sandbox.StoredTokens()
		if len(toks) >= n {
			return toks
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("the sandbox holds %d tokens, want %d", len(toks), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitGone waits until the server has seen every session's client go.
func (f *fixture) waitGone() {
	f.t.Helper()
	f.srv.reg.mu.Lock()
	var gone []<-chan struct{}
	for ss := range f.srv.reg.sessions {
		gone = append(gone, ss.gone)
	}
	f.srv.reg.mu.Unlock()
	for _, g := range gone {
		select {
		case <-g:
		case <-time.After(wait):
			f.t.Fatal("the server did not notice the client had gone")
		}
	}
}

// record is one audit log line.
type record map[string]any

func (r record) str(k string) string { s, _ := r[k].(string); return s }

// records parses the audit log.
func (f *fixture) records() []record {
	f.t.Helper()
	var out []record
	for _, line := range strings.Split(strings.TrimSpace(f.log.String()), "\n") {
		if line == "" {
			continue
		}
		var r record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			f.t.Fatalf("audit line is not JSON: %q: %v", line, err)
		}
		out = append(out, r)
	}
	return out
}

// events returns the audit records with msg event.
func (f *fixture) events(event string) []record {
	var out []record
	for _, r := range f.records() {
		if r.str("msg") == event {
			out = append(out, r)
		}
	}
	return out
}

// waitEvent polls the audit log until it holds n records of event.
func (f *fixture) waitEvent(event string, n int) []record {
	f.t.Helper()
	deadline := time.Now().Add(wait)
	for {
		if rs := f.events(event); len(rs) >= n {
			return rs
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("audit log has %d %q records, want %d:\n%s", len(f.events(event)), event, n, f.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// term is an interactive session, as a terminal would open it.
type term struct {
	t     *testing.T
	sess  *gossh.Session
	stdin io.WriteCloser
	out   *syncbuf.Buffer // stdout and stderr, raw
	done  chan error
}

// openTerm opens a session with a w×h terminal on the wizard (`ssh host
// add`).
func openTerm(t *testing.T, c *gossh.Client, w, h int) *term {
	t.Helper()
	return openCommand(t, c, w, h, commandAdd)
}

// openList opens a session with a w×h terminal on the API tokens page
// (`ssh host`).
func openList(t *testing.T, c *gossh.Client, w, h int) *term {
	t.Helper()
	return openCommand(t, c, w, h, "")
}

func openCommand(t *testing.T, c *gossh.Client, w, h int, cmd string) *term {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	return start(t, sess, cmd)
}

// start runs cmd in sess ("" for the default session).
func start(t *testing.T, sess *gossh.Session, cmd string) *term {
	t.Helper()
	tm := &term{t: t, sess: sess, out: &syncbuf.Buffer{}, done: make(chan error, 1)}
	var err error
	if tm.stdin, err = sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	sess.Stdout, sess.Stderr = tm.out, tm.out
	run := sess.Shell
	if cmd != "" {
		run = func() error { return sess.Start(cmd) }
	}
	if err := run(); err != nil {
		t.Fatal(err)
	}
	go func() { tm.done <- sess.Wait() }()
	t.Cleanup(func() { sess.Close() })
	return tm
}

func (tm *term) send(keys string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.stdin, keys); err != nil {
		tm.t.Fatalf("send %q: %v", keys, err)
	}
}

// mark is the position in the output after which waitFor looks.
func (tm *term) mark() int { return tm.out.Len() }

// waitFor waits until each word appears on screen after mark. Words are
// short: the renderer redraws only changed cells, so a phrase may be split.
func (tm *term) waitFor(mark int, words ...string) {
	tm.t.Helper()
	deadline := time.Now().Add(wait)
	for {
		screen := ansi.Strip(tm.out.From(mark))
		missing := ""
		for _, w := range words {
			if !strings.Contains(screen, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("%q not on screen; screen so far:\n%s", missing, screen)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// exit waits for the session to end and returns its exit status.
func (tm *term) exit() int {
	tm.t.Helper()
	select {
	case err := <-tm.done:
		var exit *gossh.ExitError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &exit):
			return exit.ExitStatus()
		}
		tm.t.Fatalf("session ended without an exit status: %v", err)
	case <-time.After(wait):
		tm.t.Fatalf("session did not end; screen:\n%s", ansi.Strip(tm.out.String()))
	}
	return -1
}

// closed waits for the session to end, with or without an exit status.
func (tm *term) closed() {
	tm.t.Helper()
	select {
	case <-tm.done:
	case <-time.After(wait):
		tm.t.Fatal("session was not closed")
	}
}

// ended reports whether the session has ended, without waiting.
func (tm *term) ended() bool {
	select {
	case err := <-tm.done:
		tm.done <- err
		return true
	default:
		return false
	}
}

// valueRecorder is the API client's transport: it notes the token value of
// every create answer, so tests can check that it leaks nowhere.
type valueRecorder struct {
	base http.RoundTripper

	mu     sync.Mutex
	values []string
}

func (r *valueRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil || req.Method != http.MethodPost || resp.StatusCode != http.StatusCreated {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var created struct {
		Token string `json:"token"`
	}
	if json.Unmarshal(body, &created) == nil && created.Token != "" {
		r.mu.Lock()
		r.values = append(r.values, created.Token)
		r.mu.Unlock()
	}
	return resp, nil
}

func (r *valueRecorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.values...)
}

// gatedAPI holds every create until the test opens the gate.
type gatedAPI struct {
	ui.API
	sent chan struct{} // receives when a create reaches the gate
	gate chan struct{}
}

func (g *gatedAPI) CreateAPIToken(ctx context.Context, req *apiclient.CreateAPITokenRequest) (*apiclient.APIToken, error) {
	g.sent <- struct{}{}
	<-g.gate
	// The wizard's context outlives the session on purpose; so does this.
	return g.API.CreateAPIToken(context.WithoutCancel(ctx), req)
}
