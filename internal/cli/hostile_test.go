package cli

// Hardening: a server may send any string as an account name, a module
// name or description. testdata/hostile.json (shared at the top of the
// module) is a sandbox catalogue made of such strings: escape sequences of
// every family, C0 and C1 controls, bidi controls, separators. These tests
// run the CLI on it and check that nothing of it reaches the terminal as
// anything but inert text.

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/softwareone/apitoken/internal/jsonflags"
	"github.com/softwareone/apitoken/sandbox"
)

const hostileFixture = "../../testdata/hostile.json"

func loadHostile(t *testing.T) *sandbox.Fixture {
	t.Helper()
	fx, err := sandbox.LoadFixtureFile(hostileFixture)
	if err != nil {
		t.Fatalf("loading %s: %v", hostileFixture, err)
	}
	return fx
}

func excerptAt(s string, i int) string {
	return s[max(i-20, 0):min(i+40, len(s))]
}

// cliProblems lists what makes CLI output unfit for a terminal: the CLI
// prints plain text, so no escape sequence at all, and no control
// character but LF.
func cliProblems(out string) []string {
	var probs []string
	for i, r := range out {
		if len(probs) == 10 {
			break
		}
		switch {
		case r == '\n':
		case r < 0x20 || r == 0x7f:
			probs = append(probs, fmt.Sprintf("C0 control %U at byte %d: %q", r, i, excerptAt(out, i)))
		case r >= 0x80 && r <= 0x9f:
			probs = append(probs, fmt.Sprintf("C1 control %U at byte %d: %q", r, i, excerptAt(out, i)))
		case r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			probs = append(probs, fmt.Sprintf("bidi control %U at byte %d: %q", r, i, excerptAt(out, i)))
		case r == 0x2028 || r == 0x2029:
			probs = append(probs, fmt.Sprintf("separator %U at byte %d: %q", r, i, excerptAt(out, i)))
		}
	}
	if !utf8.ValidString(out) {
		probs = append(probs, "invalid UTF-8")
	}
	return probs
}

// runHostileCLI runs `apitoken create` in-process on the hostile sandbox.
func runHostileCLI(t *testing.T, extra ...string) (code int, stdout, stderr string) {
	t.Helper()
	fx := loadHostile(t)
	args := []string{"create", "--sandbox", "--fixtures", hostileFixture, "--name", "x"}
	for _, id := range fx.Accounts[0].Modules {
		args = append(args, "--module", id)
	}
	args = append(args, extra...)
	f, out, errOut := testFactory(nil)
	code = Execute(t.Context(), f, args)
	return code, out.String(), errOut.String()
}

func TestHostileCLI(t *testing.T) {
	code, stdout, stderr := runHostileCLI(t)
	if code != ExitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	for name, out := range map[string]string{"stdout": stdout, "stderr": stderr} {
		if strings.Contains(out, "\x1b") {
			t.Errorf("%s holds an ESC: %q", name, out)
		}
		if p := cliProblems(out); len(p) > 0 {
			t.Errorf("%s is not plain text:\n  %s\n%q", name, strings.Join(p, "\n  "), out)
		}
	}
	// The hostile strings are there, made inert, not dropped.
	for _, want := range []string{"Created API token TKN-", "Hostile Corp", "Red alert CSI", "Clipboard writer OSC 52", "(MOD-0013)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout does not contain %q:\n%s", want, stdout)
		}
	}
}

// TestHostileCLIJSON: --json is for programs (jq): it must carry the
// server's strings exactly, and JSON escaping keeps C0 controls, ESC
// included, out of the raw output; DEL, C1 and bidi controls, which
// encoding/json writes raw, the CLI escapes itself.
func TestHostileCLIJSON(t *testing.T) {
	code, stdout, stderr := runHostileCLI(t, "--json")
	if code != ExitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	for i, r := range stdout {
		if r < 0x20 && r != '\n' {
			t.Fatalf("raw control %U at byte %d of the JSON output: %q", r, i, excerptAt(stdout, i))
		}
	}
	// The printed JSON escapes them too, so the whole output is inert:
	// none raw, though the decoded strings (checked below) carry them all.
	if raw := countUninert(stdout); raw != 0 {
		t.Errorf("the JSON output holds %d raw DEL, C1, bidi controls or separators, want 0", raw)
	}
	if p := cliProblems(stderr); len(p) > 0 {
		t.Errorf("stderr is not plain text: %v", p)
	}
	var tok struct {
		Account struct{ Name string } `json:"account"`
		Modules []struct{ ID, Name, Description string }
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(&tok); err != nil {
		t.Fatalf("stdout is not JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Errorf("more than one JSON value on stdout")
	}
	fx := loadHostile(t)
	if tok.Account.Name != fx.Accounts[0].Name {
		t.Errorf("account name %q, want %q", tok.Account.Name, fx.Accounts[0].Name)
	}
	want := map[string]sandbox.Module{}
	for _, m := range fx.Modules {
		want[m.ID] = m
	}
	if len(tok.Modules) != len(fx.Accounts[0].Modules) {
		t.Fatalf("%d modules, want %d", len(tok.Modules), len(fx.Accounts[0].Modules))
	}
	for _, m := range tok.Modules {
		if w := want[m.ID]; m.Name != w.Name || m.Description != w.Description {
			t.Errorf("%s: name/description changed on the way:\n got %q / %.80q\nwant %q / %.80q", m.ID, m.Name, m.Description, w.Name, w.Description)
		}
	}
	// The fixture does hold such runes in what is printed, so the zero
	// above is the escaping's doing.
	carried := countUninert(tok.Account.Name)
	for _, m := range tok.Modules {
		carried += countUninert(m.Name + m.Description)
	}
	if carried == 0 {
		t.Fatal("the printed strings hold no DEL, C1 or bidi control: the fixture no longer tests the escaping")
	}
}

// countUninert counts the runes that JSON may carry raw but a terminal
// acts on: DEL, C1 controls, bidi controls, line and paragraph separators.
func countUninert(s string) int {
	n := 0
	for _, r := range s {
		if jsonflags.Inert(string(r)) != string(r) {
			n++
		}
	}
	return n
}
