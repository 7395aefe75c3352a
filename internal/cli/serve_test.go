package cli

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/softwareone/apitoken/internal/syncbuf"
)

func TestServeUsage(t *testing.T) {
	keys := filepath.Join(t.TempDir(), "authorized_keys")
	if err := os.WriteFile(keys, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	hostKey := filepath.Join(t.TempDir(), "host_key")
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--help"}, ExitOK, `account="ACC-1000-0001"`},
		{[]string{}, ExitUsage, "--authorized-keys is required"},
		{[]string{"--authorized-keys", keys, "--max-sessions", "0"}, ExitUsage, "--max-sessions"},
		{[]string{"--authorized-keys", keys, "--idle-timeout", "0s"}, ExitUsage, "--idle-timeout"},
		{[]string{"--authorized-keys", keys, "--rate", "0"}, ExitUsage, "--rate"},
		{[]string{"--authorized-keys", keys + ".missing", "--host-key", hostKey, "--sandbox"}, ExitUsage, "authorized_keys.missing"},
		{[]string{"--authorized-keys", keys, "--host-key", hostKey, "--sandbox", "--listen", "nowhere"}, ExitUsage, "--listen"},
	}
	for _, tt := range tests {
		f, out, errOut := testFactory(nil)
		code := Execute(t.Context(), f, append([]string{"serve"}, tt.args...))
		if code != tt.code || !strings.Contains(out.String()+errOut.String(), tt.want) {
			t.Errorf("serve %q: exit %d, output %q; want exit %d and %q", tt.args, code, out.String()+errOut.String(), tt.code, tt.want)
		}
	}
}

func TestServeStartsAndDrains(t *testing.T) {
	dir := t.TempDir()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	user, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	keys := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(keys, gossh.MarshalAuthorizedKey(user.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	// No --host-key: it goes to the configuration directory.
	f, out, errOut := testFactory(map[string]string{"XDG_CONFIG_HOME": dir})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	code := make(chan int, 1)
	go func() {
		code <- Execute(ctx, f, []string{"serve", "--listen", "127.0.0.1:0", "--authorized-keys", keys})
	}()

	listening := regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`)
	var addr string
	for deadline := time.Now().Add(15 * time.Second); addr == ""; {
		if m := listening.FindStringSubmatch(out.String()); m != nil {
			addr = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("not listening; stdout %q, stderr %q", out.String(), errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	hostKeyPath := filepath.Join(dir, "apitoken", "ssh_host_ed25519_key")
	if st, err := os.Stat(hostKeyPath); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("host key at %s: %v, %v; want a 0600 file", hostKeyPath, st, err)
	}

	var hostKey gossh.PublicKey
	client, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User: "ops", Auth: []gossh.AuthMethod{gossh.PublicKeys(user)}, Timeout: 15 * time.Second,
		HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error { hostKey = k; return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if fp := gossh.FingerprintSHA256(hostKey); !strings.Contains(out.String(), fp) {
		t.Errorf("stdout does not print the host key %s:\n%s", fp, out.String())
	}
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	screen := &syncbuf.Buffer{}
	sess.Stdout, sess.Stderr = screen, screen
	if err := sess.RequestPty("xterm", 30, 100, nil); err != nil {
		t.Fatal(err)
	}
	stdin, _ := sess.StdinPipe()
	defer stdin.Close()
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(15 * time.Second); !strings.Contains(ansi.Strip(screen.String()), "SANDBOX"); {
		if time.Now().After(deadline) {
			t.Fatalf("no wizard on screen: %q", ansi.Strip(screen.String()))
		}
		time.Sleep(20 * time.Millisecond)
	}

	// SIGINT/SIGTERM cancel the command's context: the wizard in General
	// ends at once and the command returns.
	cancel()
	ended := make(chan error, 1)
	go func() { ended <- sess.Wait() }()
	select {
	case err := <-ended:
		if err != nil {
			t.Errorf("session: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the session did not end on shutdown")
	}
	select {
	case c := <-code:
		if c != ExitOK {
			t.Fatalf("exit %d; stderr %q", c, errOut.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not return after its context was cancelled")
	}
	if !strings.Contains(ansi.Strip(screen.String()), "shutting down") {
		t.Errorf("no shutdown message on screen: %q", ansi.Strip(screen.String()))
	}

	// stderr is the audit log: JSON lines only, none with the credential.
	var events []string
	for _, line := range strings.Split(strings.TrimSpace(errOut.String()), "\n") {
		var r struct{ Msg string }
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("stderr line is not JSON: %q", line)
		}
		events = append(events, r.Msg)
	}
	if want := []string{"listening", "session start", "shutdown", "session end"}; strings.Join(events, ",") != strings.Join(want, ",") {
		t.Errorf("audit events %q, want %q", events, want)
	}
	if !strings.Contains(out.String(), "built-in sandbox") {
		t.Errorf("stdout does not say the sandbox is used: %q", out.String())
	}
}
