package cli

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// TestVerbHelpGolden pins the help of each scripting verb.
func TestVerbHelpGolden(t *testing.T) {
	for _, verb := range []string{"list", "view", "edit", "enable", "disable", "delete", "rotate"} {
		t.Run(verb, func(t *testing.T) {
			f, out, errOut := testFactory(nil)
			if code := Execute(t.Context(), f, []string{verb, "--help"}); code != ExitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, errOut)
			}
			if !strings.Contains(out.String(), "--account") || !strings.Contains(out.String(), "130") {
				t.Errorf("%s help does not show --account and the exit codes", verb)
			}
			golden.RequireEqual(t, []byte(out.String()))
		})
	}
}

// TestVerbCompletion: token ids and module ids complete from the API.
func TestVerbCompletion(t *testing.T) {
	complete := func(t *testing.T, api *testAPI, args ...string) string {
		t.Helper()
		f, out, errOut := testFactory(api.env())
		if code := Execute(t.Context(), f, append([]string{"__complete"}, args...)); code != ExitOK {
			t.Fatalf("exit %d; stderr:\n%s", code, errOut)
		}
		return out.String()
	}
	api := newTestAPI(t)
	for _, verb := range []string{"view", "edit", "enable", "disable", "delete", "rotate"} {
		got := complete(t, api, verb, "")
		if !strings.Contains(got, "TKN-1000-1002\tPower BI refresh\n") || !strings.HasSuffix(got, ":4\n") {
			t.Errorf("%s: token ids not completed:\n%s", verb, got)
		}
	}
	got := complete(t, api, "list", "--module", "")
	if !strings.Contains(got, "MOD-1009\tSpotlight\n") || strings.Contains(got, "MOD-1012") {
		t.Errorf("module ids of the account not completed:\n%s", got)
	}
	if got := complete(t, api, "list", "--json", "id,"); !strings.Contains(got, "id,name\n") {
		t.Errorf("--json fields not completed:\n%s", got)
	}
	// A second id is not completed: the verbs take one.
	if got := complete(t, api, "view", "TKN-1000-1002", ""); strings.Contains(got, "TKN-") {
		t.Errorf("completed a second id:\n%s", got)
	}
	if w := api.writes(); len(w) != 0 {
		t.Errorf("completion sent %v", w)
	}
}
