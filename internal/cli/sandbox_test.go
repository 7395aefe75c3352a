package cli

import (
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/softwareone/apitoken/internal/syncbuf"
)

// TestSandboxExportsWork: the three lines `apitoken sandbox` prints are
// enough for `apitoken create`, with no other flag.
func TestSandboxExportsWork(t *testing.T) {
	base, token, account, _ := standaloneSandboxEnv(t, nil)
	if !strings.HasPrefix(account, "ACC-") {
		t.Fatalf("printed account %q", account)
	}
	env := map[string]string{"MPT_API_BASE_URL": base, "MPT_API_TOKEN": token, "MPT_ACCOUNT_ID": account}
	stdout, stderr, code := runBinary(t, env, "create", "--name", "from the exports", "-m", "MOD-1001")
	if code != ExitOK || !strings.Contains(stdout, "("+account+")") {
		t.Fatalf("create with the printed exports: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

// TestSandboxTokenNotInArgvOrOutput: a chosen operator token comes from
// MPT_SANDBOX_TOKEN or --token-file, works, and is never printed.
func TestSandboxTokenNotInArgvOrOutput(t *testing.T) {
	const chosen = "sandbox-operator-chosen-0123456789"
	file := filepath.Join(t.TempDir(), "operator")
	if err := os.WriteFile(file, []byte(chosen+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, run := range map[string]func() (string, string, string, *syncbuf.Buffer){
		"environment": func() (string, string, string, *syncbuf.Buffer) {
			return standaloneSandboxEnv(t, []string{sandboxTokenEnv + "=" + chosen})
		},
		"file": func() (string, string, string, *syncbuf.Buffer) {
			return standaloneSandboxEnv(t, nil, "--token-file", file)
		},
	} {
		base, printed, account, log := run()
		if strings.Contains(printed, chosen) || strings.Contains(log.String(), chosen) {
			t.Errorf("%s: the chosen token is printed: %q", name, printed)
		}
		if !strings.Contains(printed, "$") {
			t.Errorf("%s: the export line %q does not refer to where the token is", name, printed)
		}
		env := map[string]string{"MPT_API_BASE_URL": base, "MPT_API_TOKEN": chosen, "MPT_ACCOUNT_ID": account}
		if _, stderr, code := runBinary(t, env, "create", "--name", "chosen "+name, "-m", "MOD-1001"); code != ExitOK {
			t.Errorf("%s: create with the chosen token: exit %d: %s", name, code, stderr)
		}
	}
}

// TestSandboxChaosFlags: the fault flags reach the sandbox. A refused
// create exits 1; a 500 answers every request; a dropped answer is a
// connection closed without a response. (What a client makes of a dropped
// answer, with its settle wait, is the client's and the sandbox's tests'.)
func TestSandboxChaosFlags(t *testing.T) {
	base, token, account, _ := standaloneSandboxEnv(t, nil, "--status-rate", "403:1")
	env := map[string]string{"MPT_API_BASE_URL": base, "MPT_API_TOKEN": token, "MPT_ACCOUNT_ID": account}
	if _, stderr, code := runBinary(t, env, "create", "--name", "chaos", "-m", "MOD-1001"); code != ExitError || !strings.Contains(stderr, "403") {
		t.Errorf("--status-rate 403:1: create exit %d, want %d; stderr:\n%s", code, ExitError, stderr)
	}

	base, token, _, _ = standaloneSandboxEnv(t, nil, "--fail-rate", "1")
	if status := rawGet(t, base, token); status != "500" {
		t.Errorf("--fail-rate 1: GET answered %s, want 500", status)
	}
	base, token, _, _ = standaloneSandboxEnv(t, nil, "--drop-after-commit", "1", "--seed", "7")
	if status := rawGet(t, base, token); status != "dropped" {
		t.Errorf("--drop-after-commit 1: GET answered %s, want a dropped connection", status)
	}
	base, token, _, _ = standaloneSandboxEnv(t, nil)
	if status := rawGet(t, base, token); status != "200" {
		t.Errorf("no fault flags: GET answered %s, want 200", status)
	}
}

// rawGet lists tokens once, without retries: the status, or "dropped".
func rawGet(t *testing.T, base, token string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/public/v1/accounts/api-tokens?limit=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "reset") {
			return "dropped"
		}
		t.Fatalf("GET: %v", err)
	}
	defer resp.Body.Close()
	return strconv.Itoa(resp.StatusCode)
}

func TestSandboxBadFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--fail-rate", "2"}, "rates must be from 0 to 1"},
		{[]string{"--fail-rate", "0.6", "--drop-after-commit", "0.6"}, "add up to more than 1"},
		{[]string{"--status-rate", "200:0.1"}, "--status-rate"},
		{[]string{"--status-rate", "503"}, "STATUS:RATE"},
		{[]string{"--latency", "-1s"}, "--latency"},
		{[]string{"--fail-rate", "x"}, "invalid argument"},
	} {
		f, out, errOut := testFactory(nil)
		code := Execute(t.Context(), f, append([]string{"sandbox", "--listen", "127.0.0.1:0"}, tt.args...))
		if code != ExitUsage || !strings.Contains(errOut.String(), tt.want) || out.String() != "" {
			t.Errorf("sandbox %q: exit %d, stdout %q, stderr %q; want %d saying %q", tt.args, code, out, errOut, ExitUsage, tt.want)
		}
	}
}
