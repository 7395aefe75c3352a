package cli

import (
	"strings"
	"testing"
)

// TestCreateTokenOnlyAndDescriptionFromStdin: --token-only prints the value
// alone on stdout; --description - reads stdin; both are checked before
// anything is sent.
func TestCreateTokenOnlyAndDescriptionFromStdin(t *testing.T) {
	api := newTestAPI(t)
	f, out, errOut := testFactory(api.env())
	f.IO.In = strings.NewReader("Deploys from CI.\n")
	code := Execute(t.Context(), f, []string{"create", "--name", "CI", "-m", "MOD-1001", "--description", "-", "--token-only"})
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if !sandboxValue.MatchString(out.String()) || strings.TrimSpace(out.String()) != sandboxValue.FindString(out.String()) {
		t.Fatalf("stdout %q, want the value alone", out)
	}
	if sandboxValue.MatchString(errOut.String()) {
		t.Fatal("the value reached stderr")
	}
	recs := api.srv.Creates()
	if len(recs) != 1 || recs[0].Description == nil || *recs[0].Description != "Deploys from CI." {
		t.Fatalf("creates %+v", recs)
	}

	for _, args := range [][]string{
		{"create", "--name", "CI", "-m", "MOD-1001", "--token-only", "--json"},
		{"create", "--name", "CI", "-m", "MOD-1001", "--description", "-", "--token-file", "-"},
	} {
		api := newTestAPI(t)
		f, out, errOut := testFactory(api.env())
		if code := Execute(t.Context(), f, args); code != ExitUsage || out.String() != "" || len(api.requests()) != 0 {
			t.Errorf("%v: exit %d, stdout %q, sent %v; stderr %s", args, code, out, api.requests(), errOut)
		}
	}
}
