package cli

import (
	"strings"
	"testing"
)

// TestTokensAccessible: --accessible (or TERM=dumb) runs the API tokens
// area as plain prompts: it lists the sandbox's tokens, and input ending
// at a menu is a normal end. Without either, a non-terminal is refused.
func TestTokensAccessible(t *testing.T) {
	for _, c := range []struct {
		name string
		vars map[string]string
		args []string
	}{
		{"flag", nil, []string{"tokens", "--accessible"}},
		{"TERM=dumb", map[string]string{"TERM": "dumb"}, []string{"tokens"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runAccessible(t, c.vars, "", c.args...)
			if code != ExitOK || !strings.Contains(out, "API tokens of account") || !strings.Contains(out, "TKN-") {
				t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			if strings.ContainsRune(out, 0x1b) {
				t.Errorf("the plain form writes escape sequences: %q", out)
			}
		})
	}
	code, _, errOut := runAccessible(t, map[string]string{"TERM": "xterm-256color"}, "", "tokens")
	if code != ExitUsage || !strings.Contains(errOut, "needs a terminal") {
		t.Errorf("no terminal: exit %d, stderr %q", code, errOut)
	}
}
