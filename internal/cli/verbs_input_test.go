package cli

import (
	"strings"
	"testing"
)

// TestVerbBadInput runs each verb through Execute, the way main does, with
// the Factory reaching the sandbox from the environment: bad input exits
// with its documented status, says what to do, and sends nothing it
// should not.
func TestVerbBadInput(t *testing.T) {
	cases := []struct {
		args []string
		code int
		// sent are the requests allowed ("GET" for reads only, "" none).
		sent string
		says string
	}{
		{[]string{"list", "--json", "id,bogus"}, ExitUsage, "", `unknown JSON field "bogus"; the fields are: id, name,`},
		{[]string{"list", "--jq", ".[]"}, ExitUsage, "", "--jq needs --json"},
		{[]string{"list", "--status", "Gone"}, ExitUsage, "", "expected Active or Disabled"},
		{[]string{"list", "--unused-for", "90x"}, ExitUsage, "", "e.g. 90d, 36h, 90m"},
		{[]string{"list", "--module", "Orders"}, ExitUsage, "", "is not a module id"},
		{[]string{"list", "--limit", "0"}, ExitUsage, "", "--limit 0"},
		{[]string{"list", "--bogus"}, ExitUsage, "", "unknown flag: --bogus"},
		{[]string{"view"}, ExitUsage, "", "give the id of an API token"},
		{[]string{"view", "tkn-1"}, ExitUsage, "", `"tkn-1" is not an API token id`},
		{[]string{"view", "TKN-9999-9999"}, ExitError, "GET", "no API token TKN-9999-9999"},
		{[]string{"disable", "TKN-2000-1001", "--yes"}, ExitError, "GET", "belongs to account ACC-2000-0001, not to ACC-1000-0001 (the account in use): add --account ACC-2000-0001"},
		{[]string{"view", "TKN-1000-1002", "--json", "token"}, ExitUsage, "", `unknown JSON field "token"`},
		{[]string{"edit", "TKN-1000-1002"}, ExitUsage, "", "nothing to change"},
		{[]string{"edit", "TKN-1000-1002", "--module", "MOD-1", "--name", "x"}, ExitUsage, "", `--module "MOD-1" is not a module id`},
		{[]string{"edit", "TKN-1000-1002", "--module", "MOD-1001", "--add-module", "MOD-1002"}, ExitUsage, "", "--module replaces the modules"},
		{[]string{"edit", "TKN-1000-1002", "--remove-module", "MOD-1012"}, ExitUsage, "GET", "does not have it"},
		{[]string{"edit", "TKN-9999-9999", "--name", "x"}, ExitError, "GET", "no API token TKN-9999-9999"},
		{[]string{"edit", "bad", "--name", "x"}, ExitUsage, "", `"bad" is not an API token id`},
		{[]string{"enable", "TKN-1000-1005"}, ExitUsage, "", "add --yes"},
		{[]string{"disable", "TKN-1000-1002"}, ExitUsage, "", "there is no terminal to ask on: add --yes"},
		{[]string{"delete", "TKN-1000-1002"}, ExitUsage, "", "add --yes"},
		{[]string{"delete", "TKN-9999-9999", "--yes"}, ExitError, "GET", "no API token TKN-9999-9999"},
		{[]string{"delete", "TKN-1000-1002", "TKN-1000-1003", "--yes"}, ExitUsage, "", "one API token id at a time"},
		{[]string{"disable", "--unused-for", "90d"}, ExitUsage, "", "add --yes"},
		{[]string{"disable", "TKN-1000-1002", "--unused-for", "90d"}, ExitUsage, "", "not both"},
		{[]string{"disable", "TKN-1000-1002", "--dry-run", "--yes"}, ExitUsage, "", "--dry-run goes with --unused-for"},
		{[]string{"enable", "--account", "ACC-1", "TKN-1000-1005", "--yes"}, ExitUsage, "", "is not an account id"},
		{[]string{"rotate", "TKN-1000-1002"}, ExitUsage, "", "add --yes"},
		{[]string{"rotate", "TKN-9999-9999", "--yes"}, ExitError, "GET", "no API token TKN-9999-9999"},
		{[]string{"rotate", "x", "--yes"}, ExitUsage, "", "is not an API token id"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			api := newTestAPI(t)
			f, out, errOut := testFactory(api.env())
			code := Execute(t.Context(), f, tc.args)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.code, errOut)
			}
			if !strings.Contains(errOut.String(), tc.says) {
				t.Errorf("stderr %q does not say %q", errOut, tc.says)
			}
			if out.String() != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			reqs := api.requests()
			switch tc.sent {
			case "":
				if len(reqs) != 0 {
					t.Errorf("sent %v, want nothing", reqs)
				}
			case "GET":
				if w := api.writes(); len(w) != 0 || len(reqs) == 0 {
					t.Errorf("sent %v, want reads only", reqs)
				}
			}
		})
	}
}
