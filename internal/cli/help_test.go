package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// TestHelpGolden pins the help of apitoken and of every command: run with
// -update after a deliberate change, and read the diff.
func TestHelpGolden(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"create", "--help"}, {"sandbox", "--help"}, {"serve", "--help"},
		{"version", "--help"}, {"completion", "--help"}, {"completion", "bash", "--help"}, {"help", "--help"},
	} {
		name := strings.ReplaceAll(strings.Join(args[:len(args)-1], "_"), " ", "_")
		if name == "" {
			name = "root"
		}
		t.Run(name, func(t *testing.T) {
			f, out, errOut := testFactory(nil)
			if code := Execute(t.Context(), f, args); code != ExitOK {
				t.Fatalf("%v: exit %d; stderr:\n%s", args, code, errOut)
			}
			if errOut.String() != "" {
				t.Errorf("help wrote to stderr: %q", errOut)
			}
			golden.RequireEqual(t, []byte(out.String()))
		})
	}
}

// TestHelpManners: what the help must say, whatever its layout.
func TestHelpManners(t *testing.T) {
	help := func(args ...string) string {
		t.Helper()
		f, out, errOut := testFactory(nil)
		if code := Execute(t.Context(), f, args); code != ExitOK {
			t.Fatalf("%v: exit %d; stderr:\n%s", args, code, errOut)
		}
		return out.String()
	}
	root := help("--help")
	for _, want := range []string{"MPT_API_TOKEN", "MPT_API_BASE_URL", "MPT_ACCOUNT_ID", "TERM=dumb", "130", "create", "sandbox", "serve", "apitoken create --account"} {
		if !strings.Contains(root, want) {
			t.Errorf("root help does not mention %q", want)
		}
	}
	if !strings.Contains(help("create", "--help"), "(default "+defaultSandboxListen+")") && !strings.Contains(help("sandbox", "--help"), defaultSandboxListen) {
		t.Errorf("sandbox help does not show the default listen address %s", defaultSandboxListen)
	}
	if got := help("help", "create"); got != help("create", "--help") {
		t.Errorf("help create differs from create --help")
	}
	// version --help is help, not the version.
	if got := help("version", "--help"); strings.Contains(got, "apitoken version 1.2.3-test") || !strings.Contains(got, "Print the version") {
		t.Errorf("version --help:\n%s", got)
	}
	if got := help("version"); got != "apitoken version 1.2.3-test\n" {
		t.Errorf("version = %q", got)
	}
	if got := help("--version"); got != "apitoken version 1.2.3-test\n" {
		t.Errorf("--version = %q", got)
	}
}

// TestUsageErrors: bad command lines exit 2 with a hint that names the
// right command.
func TestUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"crate"}, []string{`unknown command "crate"`, "Did you mean this?", "create", `Run "apitoken --help"`}},
		{[]string{"--nope"}, []string{"unknown flag: --nope", `Run "apitoken --help"`}},
		{[]string{"create", "--nope"}, []string{"unknown flag: --nope", `Run "apitoken create --help"`}},
		{[]string{"sandbox", "extra"}, []string{`unexpected argument "extra"`, `Run "apitoken sandbox --help"`}},
		{[]string{"help", "nope"}, []string{`unknown help topic "nope"`}},
		{[]string{"sandbox", "--token", "T"}, []string{"unknown flag: --token"}},
	} {
		f, out, errOut := testFactory(nil)
		code := Execute(t.Context(), f, tt.args)
		if code != ExitUsage {
			t.Errorf("%q: exit %d, want %d", tt.args, code, ExitUsage)
		}
		for _, w := range tt.want {
			if !strings.Contains(errOut.String(), w) {
				t.Errorf("%q: stderr %q does not say %q", tt.args, errOut, w)
			}
		}
		if tt.args[0] == "crate" && !strings.Contains(errOut.String(), "\n\nDid you mean this?\n  create\n") {
			t.Errorf("the suggestion is not on a line of its own: %q", errOut)
		}
		if strings.Contains(errOut.String(), "apitoken apitoken") {
			t.Errorf("%q: the hint repeats the program name: %q", tt.args, errOut)
		}
		if out.String() != "" {
			t.Errorf("%q: stdout %q, want nothing", tt.args, out)
		}
	}
}

// TestCompletionBash: the bash script that `apitoken completion bash`
// prints registers a completion for apitoken in a real bash, and that
// completion offers the commands and flags.
func TestCompletionBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal("bash is needed for this test")
	}
	// cobra's bash script builds on the bash-completion package, as
	// every distribution's bash does when completion is on.
	const bashCompletion = "/usr/share/bash-completion/bash_completion"
	if _, err := os.Stat(bashCompletion); err != nil {
		t.Fatalf("this test needs the bash-completion package (%s): %v", bashCompletion, err)
	}
	bin := binary(t)
	script, stderr, code := runBinary(t, nil, "completion", "bash")
	if code != 0 || !strings.Contains(script, "__start_apitoken") {
		t.Fatalf("completion bash: exit %d; stderr %q", code, stderr)
	}
	file := filepath.Join(t.TempDir(), "apitoken.bash")
	if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	// complete -p shows the registration; then the completion function is
	// run as bash would on "apitoken cr<TAB>" and "apitoken create --na<TAB>".
	probe := `source ` + bashCompletion + `
source "$1" || exit 9
# compopt works only under readline; called here by hand it would complain.
compopt() { :; }
complete -p apitoken || exit 8
try() { COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=(); __start_apitoken; echo "reply: ${COMPREPLY[*]}"; }
try apitoken cr
try apitoken create --na
try apitoken sandbox --status`
	cmd := exec.Command(bash, "--norc", "--noprofile", "-c", probe, "probe", file)
	cmd.Env = []string{"PATH=" + filepath.Dir(bin) + ":" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	got, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, got)
	}
	lines := strings.Split(strings.TrimSpace(string(got)), "\n")
	if len(lines) != 4 || !strings.Contains(lines[0], "__start_apitoken") || !strings.HasSuffix(lines[0], " apitoken") {
		t.Fatalf("complete -p and three replies expected:\n%s", got)
	}
	for i, want := range []string{"reply: create", "reply: --name", "reply: --status-rate"} {
		if strings.TrimSpace(lines[i+1]) != want {
			t.Errorf("completion %d: %q, want %q", i+1, lines[i+1], want)
		}
	}
}

// TestManPage: fang's hidden man command writes a roff page.
func TestManPage(t *testing.T) {
	page, stderr, code := runBinary(t, nil, "man")
	if code != 0 || !strings.Contains(page, ".TH") || !strings.Contains(page, "sandbox") {
		t.Fatalf("man: exit %d; stderr %q; page:\n%.400s", code, stderr, page)
	}
}
