package console_test

// BenchmarkSessionHeap measures the heap a console session holds on the
// API tokens page (`ssh host`, the first page of the list drawn) and in
// the wizard (`ssh host add`, on the Modules step): sessions are opened in-process, over
// loopback SSH, against the sandbox, and the live heap (after GC) is
// compared before and after. The clients run in the same process, so the
// figure is an upper bound: it includes each x/crypto/ssh client's share.
//
//	go test -run '^$' -bench SessionHeap ./console
//	APITOKEN_BENCH_SESSIONS=100 go test -run '^$' -bench SessionHeap -benchtime=3x ./console
//	APITOKEN_BENCH_HEAPPROFILE=heap.prof go test -run '^$' -bench 'SessionHeap/tokens' -benchtime=1x ./console
//
// It reports heap-B/session and never asserts a size or a time.

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/console"
	"github.com/softwareone/apitoken/sandbox"
)

// benchWait bounds every wait of the benchmark.
const benchWait = 30 * time.Second

type benchConsole struct {
	addr    string
	hostKey gossh.PublicKey
	user    gossh.Signer
}

// startBenchConsole runs a console for up to maxSessions sessions on a
// loopback port, on the demo sandbox; everything stops with the benchmark.
func startBenchConsole(b *testing.B, maxSessions int) *benchConsole {
	b.Helper()
	sb, err := sandbox.New()
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(sb)
	b.Cleanup(ts.Close)
	client, err := apiclient.New(apiclient.WithBaseURL(ts.URL), apiclient.WithToken(apiclient.Secret(sb.OperatorToken())),
		apiclient.WithHTTPClient(ts.Client()))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	host, _, err := console.LoadOrCreateHostKey(filepath.Join(dir, "host_key"))
	if err != nil {
		b.Fatal(err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	user, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		b.Fatal(err)
	}
	keys := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(keys, gossh.MarshalAuthorizedKey(user.PublicKey()), 0o600); err != nil {
		b.Fatal(err)
	}
	srv, err := console.New(console.Config{
		HostKey:        host,
		AuthorizedKeys: keys,
		API:            client,
		DefaultAccount: sb.DefaultAccount(),
		Sandbox:        true,
		MaxSessions:    maxSessions,
		ConnRate:       maxSessions + 10,
		// Every session connects at once, from one address.
		MaxUnauthenticated:          maxSessions + 10,
		MaxUnauthenticatedPerSource: maxSessions + 10,
		Logger:                      slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), benchWait)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-served
	})
	return &benchConsole{addr: ln.Addr().String(), hostKey: host.PublicKey(), user: user}
}

// benchTerm is an SSH session with a pty, as a user's terminal.
type benchTerm struct {
	client *gossh.Client
	sess   *gossh.Session
	stdin  io.WriteCloser
	done   chan struct{}

	mu  sync.Mutex
	out strings.Builder
}

// open starts a session running command ("" for the default session).
func (c *benchConsole) open(command string) (*benchTerm, error) {
	client, err := gossh.Dial("tcp", c.addr, &gossh.ClientConfig{
		User:            "bench",
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(c.user)},
		HostKeyCallback: gossh.FixedHostKey(c.hostKey),
		Timeout:         benchWait,
	})
	if err != nil {
		return nil, err
	}
	t := &benchTerm{client: client, done: make(chan struct{})}
	if t.sess, err = client.NewSession(); err != nil {
		_ = client.Close()
		return nil, err
	}
	if err := t.sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{gossh.ECHO: 0}); err != nil {
		t.close()
		return nil, err
	}
	if t.stdin, err = t.sess.StdinPipe(); err != nil {
		t.close()
		return nil, err
	}
	stdout, err := t.sess.StdoutPipe()
	if err != nil {
		t.close()
		return nil, err
	}
	go func() {
		defer close(t.done)
		buf := make([]byte, 8<<10)
		for {
			n, err := stdout.Read(buf)
			t.mu.Lock()
			t.out.Write(buf[:n])
			t.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	start := t.sess.Shell
	if command != "" {
		start = func() error { return t.sess.Start(command) }
	}
	if err := start(); err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

// waitFor waits until the screen shows text.
func (t *benchTerm) waitFor(text string) error {
	deadline := time.Now().Add(benchWait)
	for {
		t.mu.Lock()
		seen := strings.Contains(ansi.Strip(t.out.String()), text)
		t.mu.Unlock()
		switch {
		case seen:
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("no %q on the screen within %s", text, benchWait)
		}
		select {
		case <-t.done:
			return errors.New("the session ended before showing " + strconv.Quote(text))
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// toModules types a name and goes to the Modules step.
func (t *benchTerm) toModules(name string) error {
	if err := t.waitFor("General"); err != nil {
		return err
	}
	if _, err := io.WriteString(t.stdin, name+"\x0e"); err != nil { // ctrl+n
		return err
	}
	if err := t.waitFor("selected"); err != nil {
		return err
	}
	t.forget()
	return nil
}

// toList waits for the first rows of the API tokens page.
func (t *benchTerm) toList(string) error {
	if err := t.waitFor("TKN-"); err != nil {
		return err
	}
	t.forget()
	return nil
}

// forget drops what was drawn, to keep the client's memory out of the
// figure.
func (t *benchTerm) forget() {
	t.mu.Lock()
	t.out.Reset()
	t.mu.Unlock()
}

// close quits (nothing was added) and waits for the session.
func (t *benchTerm) close() {
	if t.stdin != nil {
		_, _ = io.WriteString(t.stdin, "\x03")
		select {
		case <-t.done:
		case <-time.After(benchWait):
		}
	}
	if t.sess != nil {
		_ = t.sess.Close()
	}
	_ = t.client.Close()
}

// memFigures are what a session costs besides its share of the heap.
type memFigures struct {
	heap, stacks uint64
	goroutines   int
}

func liveMem() memFigures {
	var ms runtime.MemStats
	for range 2 {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return memFigures{heap: ms.HeapAlloc, stacks: ms.StackInuse, goroutines: runtime.NumGoroutine()}
}

// writeHeapProfile writes the heap profile, with every session open, to
// the file APITOKEN_BENCH_HEAPPROFILE names: `go tool pprof
// -sample_index=inuse_space` then shows where a session's memory goes
// (-memprofile would be taken after the sessions closed), and the
// goroutines by stack in the same path with .goroutines.txt added.
func writeHeapProfile(b *testing.B) {
	path := os.Getenv("APITOKEN_BENCH_HEAPPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		b.Fatal(err)
	}
	// And the goroutines, grouped by stack, beside it.
	g, err := os.Create(path + ".goroutines.txt")
	if err != nil {
		b.Fatal(err)
	}
	defer g.Close()
	if err := pprof.Lookup("goroutine").WriteTo(g, 1); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkSessionHeap(b *testing.B) {
	b.Run("tokens", func(b *testing.B) { benchSessionHeap(b, "", (*benchTerm).toList) })
	b.Run("wizard", func(b *testing.B) { benchSessionHeap(b, "add", (*benchTerm).toModules) })
}

// benchSessionHeap opens sessions running command and brings each to
// where ready says.
func benchSessionHeap(b *testing.B, command string, ready func(*benchTerm, string) error) {
	n := 20
	if v, err := strconv.Atoi(os.Getenv("APITOKEN_BENCH_SESSIONS")); err == nil && v > 0 {
		n = v
	}
	c := startBenchConsole(b, n+5)
	// One session first, so what every session shares (the API client's
	// connections, the sandbox's caches) is in the baseline.
	warm, err := c.open(command)
	if err != nil {
		b.Fatal(err)
	}
	if err := ready(warm, "warm-up"); err != nil {
		b.Fatal(err)
	}
	defer warm.close()

	var perSession, stacks, goroutines float64
	for b.Loop() {
		before := liveMem()
		terms := make([]*benchTerm, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range terms {
			wg.Go(func() {
				t, err := c.open(command)
				if err == nil {
					terms[i], err = t, ready(t, "bench "+strconv.Itoa(i))
				}
				errs[i] = err
			})
		}
		wg.Wait()
		after := liveMem()
		writeHeapProfile(b)
		for _, t := range terms {
			if t != nil {
				wg.Go(t.close)
			}
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			b.Fatal(err)
		}
		perSession = float64(after.heap-min(before.heap, after.heap)) / float64(n)
		stacks = float64(after.stacks-min(before.stacks, after.stacks)) / float64(n)
		goroutines = float64(after.goroutines-before.goroutines) / float64(n)
	}
	b.ReportMetric(perSession, "heap-B/session")
	// Stacks are not in the heap figure but are in the server's RSS; the
	// clients' goroutines are counted too.
	b.ReportMetric(stacks, "stack-B/session")
	b.ReportMetric(goroutines, "goroutines/session")
	b.ReportMetric(float64(n), "sessions")
}
