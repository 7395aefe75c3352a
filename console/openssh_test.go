package console

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/pem"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// TestOpenSSHClient runs the real ssh client in a tmux pane through an
// administrator's round: `ssh host add` creates a token, Close lands on
// the API tokens page, a filter finds the token, its dialog disables it,
// its audit trail shows the disable, and its dialog deletes it. Each change
// is in the console's audit log and in the scrollback the session leaves.
func TestOpenSSHClient(t *testing.T) {
	sshBin, tmuxBin := needTool(t, "ssh"), needTool(t, "tmux")
	f := newFixture(t)

	// A throwaway key pair, in the format ssh reads.
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "throwaway")
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	f.writeKeys(keyLine(signer, `account="`+opsAccount+`"`, "openssh"))

	host, port, _ := net.SplitHostPort(f.addr)
	sshCmd := strings.Join([]string{
		quote(sshBin), "-tt", "-F", "/dev/null", "-p", port, "-i", quote(keyPath),
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
		"-o", "LogLevel=ERROR", "alice@" + host, commandAdd,
	}, " ")

	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	socket := "apitoken-test-" + hex.EncodeToString(suffix)
	tmux := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, tmuxBin, append([]string{"-L", socket, "-f", "/dev/null"}, args...)...)
		cmd.Env = append(os.Environ(), "TERM=xterm-256color", "TMUX=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = exec.CommandContext(ctx, tmuxBin, "-L", socket, "kill-server").Run()
	})
	// The shell stays a while after ssh exits, to show its exit status and
	// keep what it printed last on screen (tmux's remain-on-exit blanks a
	// pane that used the alternate screen). Cleanup kills it.
	tmux("new-session", "-d", "-s", "t", "-x", "100", "-y", "30",
		sshCmd+`; echo "ssh exited $?"; sleep 60`)

	screen := func() string { return tmux("capture-pane", "-p", "-t", "t") }
	waitScreen := func(phrases ...string) {
		t.Helper()
		deadline := time.Now().Add(wait)
		for {
			s := screen()
			missing := ""
			for _, p := range phrases {
				if !strings.Contains(s, p) {
					missing = p
					break
				}
			}
			if missing == "" {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%q not on screen:\n%s", missing, s)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	keys := func(k ...string) { t.Helper(); tmux(append([]string{"send-keys", "-t", "t"}, k...)...) }

	waitScreen("API token name", "SoftwareOne Operations", opsAccount, "SANDBOX")
	keys("-l", "from openssh")
	keys("Tab")
	keys("C-n")
	waitScreen("Agreements", "0 of 9 selected")
	keys("Space")
	waitScreen("1 of 9 selected")
	keys("Enter")
	waitScreen("Review the token", "from openssh")
	keys("Enter")
	waitScreen("Your token is created", "Copy the token now")

	tok := f.waitTokens(1)[0]
	if tok.Name != "from openssh" || tok.AccountID != opsAccount {
		t.Fatalf("created %+v, want from openssh on %s", tok, opsAccount)
	}
	keys("Enter") // not copied: the wizard asks first
	waitScreen("Close anyway?")
	keys("y")
	waitScreen(tok.ID, "from openssh", "Helpdesk bridge") // the list, the new token among the demo's

	keys("/")
	keys("-l", "from openssh")
	keys("Enter")
	// "1 of 1" ends its line (tmux trims the spaces after it), unlike
	// "1 of 11" before the filtered page is in.
	waitScreen(tok.ID, "1 of 1\n")
	if strings.Contains(screen(), "Helpdesk bridge") {
		t.Errorf("the filter left other tokens:\n%s", screen())
	}

	keys("t")
	waitScreen("Disable this API token?")
	keys("y")
	f.waitStatus(tok.ID, "Disabled")
	waitScreen("Disabled")

	keys("Enter") // the details page
	waitScreen("Audit trail", tok.ID)
	keys("Tab", "Tab", "Tab")
	waitScreen("disabled", "created")
	keys("Escape")
	waitScreen("1 of 1\n")

	keys("x")
	waitScreen("Delete this API token?")
	keys("-l", tok.ID)
	keys("Enter")
	keys("Enter")
	deadline := time.Now().Add(wait)
	for f.status(tok.ID) != "" {
		if time.Now().After(deadline) {
			t.Fatalf("%s is still %q after the delete", tok.ID, f.status(tok.ID))
		}
		time.Sleep(20 * time.Millisecond)
	}
	keys("q")
	waitScreen("Created API token "+tok.ID+".", "Disabled API token "+tok.ID+" (from openssh).",
		"Deleted API token "+tok.ID+" (from openssh).", "ssh exited 0")

	fp := gossh.FingerprintSHA256(signer.PublicKey())
	var changes []string
	for _, r := range f.events(evTokenAction) {
		if r.str("key") != fp || r.str("account") != opsAccount || r.str("token_name") != "from openssh" {
			t.Errorf("token change record = %v", r)
		}
		changes = append(changes, r.str("action")+" "+r.str("token_id")+" "+r.str("outcome"))
	}
	if want := []string{"disable " + tok.ID + " ok", "delete " + tok.ID + " ok"}; !slices.Equal(changes, want) {
		t.Errorf("token changes audited: %q, want %q", changes, want)
	}
	end := f.waitEvent(evSessionEnd, 1)[0]
	if end.str("reason") != endQuit || end.str("key") != fp {
		t.Errorf("session end = %v", end)
	}
	for _, v := range f.created.all() {
		assertAbsent(t, "audit log", f.log.String(), v)
		assertAbsent(t, "screen", screen(), v)
	}
}

// needTool finds a program the OpenSSH test runs. Without it the test is
// skipped on a developer's machine, and fails under CI (CI=true), where a
// skip would pass unnoticed.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed, and CI=true: the OpenSSH client test must run in CI", name)
		}
		t.Skipf("%s is not installed: skipping the OpenSSH client test", name)
	}
	return p
}

// quote makes s one word for the shell tmux runs the command with.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
