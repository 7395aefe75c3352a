package cli

import (
	"regexp"
	"strings"
	"testing"
)

// TestBinaryVerbs runs every verb of the built binary against `apitoken
// sandbox`, bad input first: each exits with its documented status, and
// the sandbox's request log shows exactly the writes the good runs made.
func TestBinaryVerbs(t *testing.T) {
	base, operator, _, log, stop := stoppableSandbox(t, nil, "--log")
	env := map[string]string{"MPT_API_BASE_URL": base, "MPT_API_TOKEN": operator, "MPT_ACCOUNT_ID": "ACC-1000-0001"}
	run := func(code int, args ...string) (string, string) {
		t.Helper()
		stdout, stderr, got := runBinary(t, env, args...)
		if got != code {
			t.Fatalf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, got, code, stdout, stderr)
		}
		if tokenValue.MatchString(stderr) {
			t.Fatalf("%v: a token value on stderr", args)
		}
		return stdout, stderr
	}

	// Bad input: nothing is written.
	run(ExitUsage, "list", "--json", "id,bogus")
	run(ExitUsage, "view", "nope")
	if _, stderr := run(ExitError, "view", "TKN-9999-9999"); !strings.Contains(stderr, "no API token TKN-9999-9999") {
		t.Errorf("unknown id: %s", stderr)
	}
	for _, verb := range []string{"enable", "disable", "delete", "rotate"} {
		if _, stderr := run(ExitUsage, verb, "TKN-1000-1002"); !strings.Contains(stderr, "add --yes") {
			t.Errorf("%s without --yes: %s", verb, stderr)
		}
	}
	run(ExitUsage, "disable", "--unused-for", "90d")
	run(ExitUsage, "edit", "TKN-1000-1002")
	run(ExitError, "edit", "TKN-9999-9999", "--name", "x")

	// Good runs.
	if out, _ := run(ExitOK, "list", "--limit", "3"); strings.Count(out, "\n") != 3 || strings.Count(out, "\t") != 15 {
		t.Errorf("piped list is not 3 tab-separated lines of 6 fields:\n%s", out)
	}
	run(ExitOK, "edit", "TKN-1000-1002", "--name", "Power BI refresh (v2)")
	run(ExitOK, "disable", "TKN-1000-1002", "--yes")
	run(ExitOK, "enable", "TKN-1000-1002", "--yes")
	value, _ := run(ExitOK, "rotate", "TKN-1000-1002", "--yes")
	if !tokenValue.MatchString(value) || strings.TrimSpace(value) != tokenValue.FindString(value) {
		t.Fatalf("rotate stdout %q, want the value alone", value)
	}
	run(ExitOK, "delete", "TKN-1000-1003", "--yes")
	run(ExitError, "view", "TKN-1000-1003")
	out, _ := run(ExitOK, "list", "--limit", "100", "--json", "id,name,status", "--jq", `.[] | select(.name == "Power BI refresh (v2)") | "\(.id) \(.status)"`)
	if lines := strings.Fields(out); len(lines) != 4 || !strings.Contains(out, "TKN-1000-1002 Disabled") || strings.Count(out, "Active") != 1 {
		t.Errorf("after the rotation: %q, want the old token disabled and one new active", out)
	}

	stop()
	writes := regexp.MustCompile(`method=(POST|PUT|DELETE) path=(\S+)`).FindAllStringSubmatch(log.String(), -1)
	var got []string
	for _, w := range writes {
		got = append(got, w[1]+" "+strings.TrimPrefix(w[2], tokensURL))
	}
	want := "PUT /TKN-1000-1002,POST /TKN-1000-1002/disable,POST /TKN-1000-1002/enable,POST ,POST /TKN-1000-1002/disable,DELETE /TKN-1000-1003"
	if strings.Join(got, ",") != want {
		t.Errorf("writes\n%s\nwant\n%s\nlog:\n%s", strings.Join(got, ","), want, log)
	}
}
