package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/softwareone/apitoken/internal/syncbuf"
)

// The tests in this file run the built binary, as a user would.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds apitoken once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "apitoken-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "apitoken")
		cmd := exec.Command("go", "build", "-o", binPath, "github.com/softwareone/apitoken")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = &buildError{out: string(out), err: err}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + e.out }

func TestMain(m *testing.M) {
	// fang sizes help to the terminal; goldens need one width.
	os.Setenv("__FANG_TEST_WIDTH", "100")
	code := m.Run()
	if binPath != "" {
		_ = os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

var (
	tokenValue = regexp.MustCompile(`idt:TKN-\d{4}-\d{4}:[A-Za-z0-9]{64}`)
	tokenID    = regexp.MustCompile(`^TKN-\d{4}-\d{4}$`)
)

// standaloneSandbox runs `apitoken sandbox` on a free loopback port and
// returns the base URL and operator token it printed.
func standaloneSandbox(t *testing.T, args ...string) (baseURL, token string, log *syncbuf.Buffer) {
	t.Helper()
	baseURL, token, _, log = standaloneSandboxEnv(t, nil, args...)
	return baseURL, token, log
}

// standaloneSandboxEnv is standaloneSandbox with extra variables, and
// returns the account it printed too.
func standaloneSandboxEnv(t *testing.T, env []string, args ...string) (baseURL, token, printedAccount string, log *syncbuf.Buffer) {
	t.Helper()
	baseURL, token, printedAccount, log, _ = stoppableSandbox(t, env, args...)
	return baseURL, token, printedAccount, log
}

// stoppableSandbox is standaloneSandboxEnv with a func that stops the
// sandbox and waits for it.
func stoppableSandbox(t *testing.T, env []string, args ...string) (baseURL, token, printedAccount string, log *syncbuf.Buffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, binary(t), append([]string{"sandbox", "--listen", "127.0.0.1:0"}, args...)...)
	// Stopped as a user would (Ctrl+C): the server finishes the requests
	// it has, so its log is whole once Wait returns.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.Env = append([]string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	log = &syncbuf.Buffer{}
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var stopOnce sync.Once
	stop = func() {
		stopOnce.Do(func() {
			cancel()
			_ = cmd.Wait()
		})
	}
	t.Cleanup(stop)
	printed := &syncbuf.Buffer{}
	lines := bufio.NewScanner(io.TeeReader(stdout, printed))
	deadline := time.AfterFunc(10*time.Second, cancel)
	defer deadline.Stop()
	for lines.Scan() {
		line := strings.TrimSpace(lines.Text())
		if v, ok := strings.CutPrefix(line, "export MPT_API_BASE_URL="); ok {
			baseURL = v
		}
		if v, ok := strings.CutPrefix(line, "export MPT_API_TOKEN="); ok {
			token = v
		}
		if v, ok := strings.CutPrefix(line, "export MPT_ACCOUNT_ID="); ok {
			printedAccount = v
		}
		if baseURL != "" && token != "" && printedAccount != "" {
			go func() { _, _ = io.Copy(printed, stdout) }()
			return baseURL, token, printedAccount, log, stop
		}
	}
	t.Fatalf("the sandbox did not print its base URL, token and account; it printed:\n%s\nstderr:\n%s", printed, log)
	return "", "", "", nil, nil
}

// runBinary runs apitoken with the given environment and returns its
// outputs and exit code.
func runBinary(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t), args...)
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code = 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

func apiGet(t *testing.T, baseURL, token, path string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, baseURL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, body
}

// TestBinaryCreateAgainstSandbox: `apitoken sandbox` on a loopback port,
// then `apitoken create` against it through MPT_API_BASE_URL and
// MPT_API_TOKEN, as two processes talking HTTP.
func TestBinaryCreateAgainstSandbox(t *testing.T) {
	base, operator, _ := standaloneSandbox(t)
	env := map[string]string{"MPT_API_BASE_URL": base, "MPT_API_TOKEN": operator}

	stdout, stderr, code := runBinary(t, env, "create", "--account", "ACC-1000-0001",
		"--name", "CI deploys", "--description", "Deploys from CI", "--module", "MOD-1001", "--module", "MOD-1004", "--json")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if strings.Contains(stderr, "sandbox") && strings.Contains(stderr, "built-in") {
		t.Errorf("with a credential set the command must not use the built-in sandbox; stderr:\n%s", stderr)
	}
	var tok map[string]any
	if err := json.Unmarshal([]byte(stdout), &tok); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, stdout)
	}
	id, _ := tok["id"].(string)
	if !tokenID.MatchString(id) {
		t.Fatalf("id = %q", id)
	}
	if tok["revision"] != float64(1) || tok["status"] != "Active" || tok["name"] != "CI deploys" || tok["description"] != "Deploys from CI" {
		t.Errorf("created token = %v", tok)
	}
	value, _ := tok["token"].(string)
	if !tokenValue.MatchString(value) || !strings.HasPrefix(value, "idt:"+id+":") {
		t.Errorf("token value %q is not idt:%s:<64 letters and digits>", value, id)
	}
	account, _ := tok["account"].(map[string]any)
	if account["id"] != "ACC-1000-0001" || account["name"] == "" || account["type"] != "Client" {
		t.Errorf("account = %v", account)
	}
	modules, _ := tok["modules"].([]any)
	if len(modules) != 2 {
		t.Fatalf("modules = %v", modules)
	}
	for _, m := range modules {
		if mm, _ := m.(map[string]any); mm["name"] == "" || mm["id"] == "" {
			t.Errorf("module ref not expanded: %v", m)
		}
	}
	if strings.Contains(stderr, value) {
		t.Error("the token value is on stderr")
	}

	// A GET afterwards never carries the value.
	status, got := apiGet(t, base, operator, "/public/v1/accounts/api-tokens/"+id)
	if status != http.StatusOK || got["id"] != id {
		t.Fatalf("GET: %d %v", status, got)
	}
	if _, ok := got["token"]; ok {
		t.Errorf("GET after create carries the token: %v", got)
	}

	// Plain output: the id and the value once, the warning on stderr.
	stdout, stderr, code = runBinary(t, env, "create", "--account", "ACC-1000-0001", "--name", "plain", "--module", "MOD-1001")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	values := tokenValue.FindAllString(stdout, -1)
	if len(values) != 1 || !strings.Contains(stdout, "Created API token TKN-") {
		t.Errorf("plain output must show the id and the value once:\n%s", stdout)
	}
	if !strings.Contains(stderr, "only time the token is shown") {
		t.Errorf("no warning that the token is shown once; stderr:\n%s", stderr)
	}
}

// TestBinaryBadInput: bad input exits 2 with a clear message and sends
// nothing.
func TestBinaryBadInput(t *testing.T) {
	base, operator, _ := standaloneSandbox(t)
	env := map[string]string{"MPT_API_BASE_URL": base, "MPT_API_TOKEN": operator}
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.png")
	if err := os.WriteFile(text, []byte("not an image at all"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.png")
	if err := os.WriteFile(big, bytes.Repeat([]byte{0x89}, 2<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	total := func() any {
		_, list := apiGet(t, base, operator, "/public/v1/accounts/api-tokens?limit=0")
		meta, _ := list["$meta"].(map[string]any)
		page, _ := meta["pagination"].(map[string]any)
		return page["total"]
	}
	before := total()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no name", []string{"--module", "MOD-1001"}, "--name is required"},
		{"blank name", []string{"--name", "   ", "--module", "MOD-1001"}, "--name is required"},
		{"long name", []string{"--name", strings.Repeat("n", 10000), "--module", "MOD-1001"}, "--name"},
		{"control characters", []string{"--name", "evil\x1b[2Jname", "--module", "MOD-1001"}, "--name"},
		{"no module", []string{"--name", "x"}, "at least one --module"},
		{"bad module", []string{"--name", "x", "--module", "orders"}, `--module "orders" is not a module id`},
		{"bad account", []string{"--name", "x", "--module", "MOD-1001", "--account", "ACC-12"}, `--account "ACC-12" is not an account id`},
		{"missing icon", []string{"--name", "x", "--module", "MOD-1001", "--icon", filepath.Join(dir, "nope.png")}, "--icon"},
		{"icon is a directory", []string{"--name", "x", "--module", "MOD-1001", "--icon", dir}, "--icon"},
		{"icon is not an image", []string{"--name", "x", "--module", "MOD-1001", "--icon", text}, "is not a PNG, JPEG, GIF or SVG image"},
		{"icon error names the path as given", []string{"--name", "x", "--module", "MOD-1001", "--icon", text}, "--icon " + text + ":"},
		{"icon too big", []string{"--name", "x", "--module", "MOD-1001", "--icon", big}, "the limit is"},
		{"unknown flag", []string{"--nme", "x"}, "unknown flag: --nme"},
		{"single-dash long flag", []string{"-account", "ACC-1000-0001"}, "unknown shorthand flag"},
		{"flag without a value", []string{"--name"}, "flag needs an argument"},
		{"stray argument", []string{"--name", "x", "--module", "MOD-1001", "extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runBinary(t, env, append([]string{"create", "--account", "ACC-1000-0001"}, tt.args...)...)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, ExitUsage, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr = %q, want it to say %q", stderr, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if strings.ContainsRune(stderr, 0x1b) {
				t.Errorf("stderr carries an escape sequence: %q", stderr)
			}
		})
	}
	// Nothing reached the API.
	if after := total(); after != before || before == nil {
		t.Fatalf("tokens were created by bad input: %v before, %v after", before, after)
	}
}

// TestBinaryTokenNeverInLogs: neither the created token nor the API
// credential appears in the sandbox's request log or in the output of a
// failing create; the created value is only where the user asked for it.
func TestBinaryTokenNeverInLogs(t *testing.T) {
	base, operator, _, serverLog, stopSandbox := stoppableSandbox(t, nil, "--log")
	env := map[string]string{"MPT_API_BASE_URL": base, "MPT_API_TOKEN": operator}
	stdout, stderr, code := runBinary(t, env, "create", "--account", "ACC-1000-0001", "--name", "first", "--module", "MOD-1001")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	created := tokenValue.FindString(stdout)
	if created == "" {
		t.Fatalf("no token in output:\n%s", stdout)
	}

	// The new token is a credential scoped to its own account: creating for
	// another account with it fails with 403, and that failure must not
	// echo the credential.
	scoped := map[string]string{"MPT_API_BASE_URL": base, "MPT_API_TOKEN": created}
	out2, err2, code := runBinary(t, scoped, "create", "--account", "ACC-2000-0001", "--name", "second", "--module", "MOD-1001")
	if code != ExitError {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitError, err2)
	}
	if !strings.Contains(err2, "403") {
		t.Errorf("failing create should explain the 403; stderr:\n%s", err2)
	}
	// And a create that fails validation on the server side, with the
	// operator credential.
	out3, err3, code := runBinary(t, env, "create", "--account", "ACC-1000-0002", "--name", "third", "--module", "MOD-1001")
	if code != ExitError || !strings.Contains(err3, "modules[0].id") {
		t.Errorf("exit %d; stderr:\n%s\nwant a 400 naming modules[0].id", code, err3)
	}

	stopSandbox() // its log is whole once it has exited
	for name, text := range map[string]string{
		"create stderr": stderr, "403 stdout": out2, "403 stderr": err2,
		"400 stdout": out3, "400 stderr": err3, "sandbox log": serverLog.String(),
	} {
		if strings.Contains(text, created) || strings.Contains(text, created[strings.LastIndexByte(created, ':')+1:]) {
			t.Errorf("%s contains the created token", name)
		}
		if strings.Contains(text, operator) {
			t.Errorf("%s contains the API credential", name)
		}
	}
	if !strings.Contains(serverLog.String(), "/public/v1/accounts/api-tokens") {
		t.Errorf("the sandbox log has no request lines, so this test checks nothing:\n%s", serverLog)
	}
}

// TestBinaryHelpAndVersion: --help and --version like gh's.
func TestBinaryHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"-h"}} {
		stdout, _, code := runBinary(t, nil, args...)
		if code != 0 || !strings.Contains(stdout, "USAGE") || !strings.Contains(stdout, "COMMANDS") {
			t.Errorf("%v: exit %d\n%s", args, code, stdout)
		}
	}
	for _, cmd := range []string{"create", "sandbox", "serve"} {
		stdout, _, code := runBinary(t, nil, cmd, "--help")
		if code != 0 || !strings.Contains(stdout, "USAGE") || !strings.Contains(stdout, "apitoken "+cmd) {
			t.Errorf("%s --help: exit %d\n%s", cmd, code, stdout)
		}
	}
	for _, args := range [][]string{{"--version"}, {"version"}} {
		stdout, _, code := runBinary(t, nil, args...)
		if code != 0 || !strings.HasPrefix(stdout, "apitoken version ") {
			t.Errorf("%v: exit %d %q", args, code, stdout)
		}
	}
	_, stderr, code := runBinary(t, nil)
	if code != ExitUsage || !strings.Contains(stderr, "needs a terminal") {
		t.Errorf("wizard without a terminal: exit %d %q", code, stderr)
	}
}
