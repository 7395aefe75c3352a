package tokens_test

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/ui/actions"
	"github.com/softwareone/apitoken/ui/actions/acttest"
)

const deleted = "“Power BI refresh” (TKN-1000-1002) is deleted."

// status is the page's status line as text.
func (f *fixture) statusLine() string { return ansi.Strip(f.page.Status()) }

// deleteSecond deletes "Power BI refresh", the second row, from the list.
func (f *fixture) deleteSecond(t *testing.T) {
	t.Helper()
	f.send("down", "x")
	acttest.Send(f.page, acttest.Keys("Power BI refresh")...)
	f.send("enter", "enter")
	if got := f.statusLine(); got != deleted {
		t.Fatalf("status after the delete %q, want %q", got, deleted)
	}
}

func (f *fixture) token(t *testing.T, id string) apiclient.APIToken {
	t.Helper()
	tok, err := f.env.Client.GetAPIToken(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return *tok
}

// Every outcome replaces the one before on the status line, whichever
// page it happened on.
func TestNewestOutcomeReplacesTheStatus(t *testing.T) {
	f := newFixture(t, 100, 30, nil).start()
	f.deleteSecond(t)

	// An edit's save, reported by the root: the row and the line.
	tok := f.token(t, "TKN-1000-1003")
	tok.Name = "Order sync v2"
	f.page.Saved(tok)
	if got, want := f.statusLine(), "“Order sync v2” (TKN-1000-1003) is saved."; got != want {
		t.Fatalf("after the save %q, want %q", got, want)
	}
	if !strings.Contains(f.screen(), "Order sync v2  ") {
		t.Fatalf("the saved row is not redrawn:\n%s", f.screen())
	}

	// A Disable on the details page, handed over by the root.
	dis, err := f.env.Client.DisableAPIToken(context.Background(), "TKN-1000-1004")
	if err != nil {
		t.Fatal(err)
	}
	f.send(actions.ResultMsg{Kind: actions.Disable, Outcome: actions.Done, Token: dis,
		Target: actions.Target{ID: dis.ID, Name: dis.Name, Status: apiclient.TokenStatusActive}})
	if got, want := f.statusLine(), "“Helpdesk bridge” (TKN-1000-1004) is disabled: its calls are refused until it is enabled again."; got != want {
		t.Fatalf("after the disable %q, want %q", got, want)
	}

	// A rotation: the name is the listed one when only the id is known.
	f.page.Rotated(apiclient.APIToken{ID: "TKN-1000-1003"}, "TKN-2000-0001")
	if got, want := f.statusLine(), "“Order sync v2” (TKN-1000-1003) has a new token: TKN-2000-0001."; got != want {
		t.Fatalf("after the rotation %q, want %q", got, want)
	}
	f.page.Rotated(apiclient.APIToken{ID: "TKN-1000-1006", Name: "Terraform pipeline"}, "")
	if got, want := f.statusLine(), "“Terraform pipeline” (TKN-1000-1006) is still active; its rotation did not finish and a new token may exist."; got != want {
		t.Fatalf("after a rotation left unfinished %q, want %q", got, want)
	}

	// A create, and an Enable here.
	f.page.Created(apiclient.APIToken{ID: "TKN-2000-0002", Name: "Fresh"})
	if got, want := f.statusLine(), "“Fresh” (TKN-2000-0002) is created."; got != want {
		t.Fatalf("after the create %q, want %q", got, want)
	}
	f.send("down", "t", "y") // Helpdesk bridge, disabled above
	if got, want := f.statusLine(), "“Helpdesk bridge” (TKN-1000-1004) is enabled: its calls are accepted again."; got != want {
		t.Fatalf("after the enable %q, want %q", got, want)
	}
}

// A create is reported at the wizard's Close, after what was done to the
// new token from its details page meanwhile: that outcome is newer and
// stays.
func TestCreatedKeepsANewerOutcomeOfTheSameToken(t *testing.T) {
	f := newFixture(t, 100, 30, nil).start()
	f.send(actions.ResultMsg{Kind: actions.Delete, Outcome: actions.Done,
		Target: actions.Target{ID: "TKN-2000-0002", Name: "Fresh"}})
	f.page.Created(apiclient.APIToken{ID: "TKN-2000-0002", Name: "Fresh"})
	if got, want := f.statusLine(), "“Fresh” (TKN-2000-0002) is deleted."; got != want {
		t.Fatalf("status %q, want %q", got, want)
	}
	f.page.Created(apiclient.APIToken{ID: "TKN-2000-0003", Name: "Other"})
	if got, want := f.statusLine(), "“Other” (TKN-2000-0003) is created."; got != want {
		t.Fatalf("status %q, want %q", got, want)
	}
}

// Leaving the list for another page, or starting an action, clears the
// status: it never outlives the person moving on.
func TestLeavingTheListClearsTheStatus(t *testing.T) {
	for _, k := range []string{"enter", "e", "a", "t", "x", "r"} {
		t.Run(k, func(t *testing.T) {
			f := newFixture(t, 100, 30, nil).start()
			f.deleteSecond(t)
			// The page's answer (a message for the root, a dialog, a
			// reload) is not followed: only the status matters here.
			f.page.Update(acttest.Key(k))
			if got := f.statusLine(); got != "" {
				t.Fatalf("status after %s %q, want none", k, got)
			}
		})
	}
	// Moving within the list leaves it: it is still the latest outcome.
	f := newFixture(t, 100, 30, nil).start()
	f.deleteSecond(t)
	f.send("down", "o", "f")
	if got := f.statusLine(); got != deleted {
		t.Fatalf("status after moving and sorting %q, want %q", got, deleted)
	}
}

// Names from the server reach the status line only made safe.
func TestReportedNamesAreSanitised(t *testing.T) {
	f := newFixture(t, 100, 30, nil).start()
	for _, name := range append(append([]string{}, acttest.Hostile...), acttest.HostileNames...) {
		id := "TKN-\x1b[2J1000-1003"
		f.page.Saved(apiclient.APIToken{ID: id, Name: name})
		acttest.OnlySGR(t, "saved", f.page.Status())
		f.page.Created(apiclient.APIToken{ID: id + "x", Name: name})
		acttest.OnlySGR(t, "created", f.page.Status())
		f.page.Rotated(apiclient.APIToken{ID: id, Name: name}, "\x1b]52;c;eA==\x07TKN")
		acttest.OnlySGR(t, "rotated", f.page.Status())
		f.page.Rotated(apiclient.APIToken{ID: id, Name: name}, "")
		acttest.OnlySGR(t, "rotation unfinished", f.page.Status())
	}
}
