package tokens_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/softwareone/apitoken/sandbox"
	"github.com/softwareone/apitoken/ui/actions"
	"github.com/softwareone/apitoken/ui/actions/acttest"
)

const tokensPath = "/public/v1/accounts/api-tokens/"

func (f *fixture) status(id string) string {
	tok, err := f.env.Client.GetAPIToken(context.Background(), id)
	if err != nil {
		return err.Error()
	}
	return tok.Status
}

func TestDisableThenEnable(t *testing.T) {
	f := newFixture(t, 100, 30, nil).start()
	id := f.rowIDs()[0]
	f.send("t", "enter") // the dialog starts on Cancel
	if w := f.env.Rec.Writes(); len(w) != 0 {
		t.Fatalf("enter on the default answer sent %v", w)
	}
	f.send("t", "y")
	if w := f.env.Rec.Writes(); !slices.Equal(w, []string{"POST " + tokensPath + id + "/disable"}) {
		t.Fatalf("the sandbox received %v", w)
	}
	if st := f.status(id); st != "Disabled" {
		t.Fatalf("stored status %s", st)
	}
	s := f.screen()
	if !strings.Contains(s, "is disabled: its calls are refused") || !strings.Contains(s, "TKN-1000-1001  ○ Disabled") {
		t.Fatalf("the confirmation or the new state is missing:\n%s", s)
	}
	f.snapshot(t, "disabled")
	f.send("t", "right", "enter")
	if w := f.env.Rec.Writes(); len(w) != 2 || w[1] != "POST "+tokensPath+id+"/enable" {
		t.Fatalf("the sandbox received %v", w)
	}
	if st := f.status(id); st != "Active" || !strings.Contains(f.screen(), "is enabled") {
		t.Fatalf("stored status %s; screen:\n%s", st, f.screen())
	}
}

func TestDeleteNeedsTheNameTypedBack(t *testing.T) {
	f := newFixture(t, 100, 30, nil).start()
	f.send("down")
	ids := f.rowIDs()
	id := ids[1]
	f.send("x", "y", "enter", "tab", "tab", "enter")
	if w := f.env.Rec.Writes(); len(w) != 0 {
		t.Fatalf("delete went out before the name was typed: %v", w)
	}
	f.send("esc", "x")
	acttest.Send(f.page, acttest.Keys("Power BI refresh")...)
	f.send("enter", "enter")
	if w := f.env.Rec.Writes(); !slices.Equal(w, []string{"DELETE " + tokensPath + id}) {
		t.Fatalf("the sandbox received %v", w)
	}
	if st := f.status(id); !strings.Contains(st, "404") && !strings.Contains(st, "not found") {
		t.Fatalf("the token is still there: %s", st)
	}
	got := f.rowIDs()
	if slices.Contains(got, id) || len(got) != len(ids)-1 {
		t.Fatalf("rows after delete %v", got)
	}
	if !strings.Contains(f.screen(), "“Power BI refresh” (TKN-1000-1002) is deleted.") {
		t.Fatalf("no confirmation:\n%s", f.screen())
	}
	f.snapshot(t, "deleted")
}

func TestVanishedTokenIsReportedAndTheListRefreshed(t *testing.T) {
	for _, kind := range []string{"t", "x", "t60"} {
		t.Run(kind, func(t *testing.T) {
			w, h := 100, 30
			if kind == "t60" {
				kind, w, h = "t", 60, 20
			}
			f := newFixture(t, w, h, nil).start()
			id := f.rowIDs()[0]
			// Someone else deletes it while the list is on screen.
			if err := f.env.Client.DeleteAPIToken(context.Background(), id); err != nil {
				t.Fatal(err)
			}
			lists := len(f.env.Rec.Requests())
			f.send(kind)
			if kind == "x" {
				acttest.Send(f.page, acttest.Keys(id)...)
				f.send("enter", "enter")
			} else {
				f.send("y")
			}
			s := f.screen()
			if !strings.Contains(s, "was not found: it was changed or deleted meanwhile") || strings.Contains(s, "is disabled") || strings.Contains(s, "is deleted") {
				t.Fatalf("404 not reported as such:\n%s", s)
			}
			refreshed := false
			for _, r := range f.env.Rec.Requests()[lists:] {
				refreshed = refreshed || (r.Method == http.MethodGet && r.Path == strings.TrimSuffix(tokensPath, "/"))
			}
			if !refreshed || slices.Contains(f.rowIDs(), id) {
				t.Fatalf("the list was not refreshed (rows %v)", f.rowIDs())
			}
			if kind == "t" {
				f.snapshot(t, "not-found")
			}
		})
	}
}

func TestUnknownOutcomeIsNotRetriedNorReportedDone(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault sandbox.Fault
	}{
		{"dropped after commit", sandbox.Fault{Method: http.MethodPost, DropAfterCommit: true}},
		{"server error", sandbox.Fault{Method: http.MethodPost, Status: http.StatusBadGateway}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 100, 30, nil).start()
			id := f.rowIDs()[0]
			fault := tc.fault
			f.env.SetFault(func(r *http.Request) *sandbox.Fault {
				if r.Method == fault.Method {
					return &fault
				}
				return nil
			})
			f.send("t", "y")
			if w := f.env.Rec.Writes(); len(w) != 1 {
				t.Fatalf("the disable was sent %d times: %v", len(w), w)
			}
			s := f.screen()
			if !strings.Contains(s, "may or may not have happened") || !strings.Contains(s, "refresh (r)") || strings.Contains(s, "is disabled") {
				t.Fatalf("an unknown outcome must be reported as unknown:\n%s", s)
			}
			if !strings.Contains(s, "● Active") || strings.Contains(s, "TKN-1000-1001  ○") {
				t.Fatalf("the row must keep its last known state:\n%s", s)
			}
			f.env.SetFault(nil)
			f.send("r")
			want := "Active"
			if tc.fault.DropAfterCommit {
				want = "Disabled"
			}
			if st := f.status(id); st != want {
				t.Fatalf("stored %s, want %s", st, want)
			}
			if !strings.Contains(f.screen(), map[string]string{"Active": "● Active", "Disabled": "○ Disabled"}[want]) {
				t.Fatalf("refresh does not show the real state:\n%s", f.screen())
			}
			if tc.fault.DropAfterCommit {
				f.env.SetFault(func(*http.Request) *sandbox.Fault { return nil })
			}
		})
	}
}

func TestRefusedActionSaysNothingChanged(t *testing.T) {
	f := newFixture(t, 100, 30, nil).start()
	f.env.SetFault(func(r *http.Request) *sandbox.Fault {
		if r.Method == http.MethodPost {
			return &sandbox.Fault{Status: http.StatusBadRequest}
		}
		return nil
	})
	f.send("t", "y")
	s := f.screen()
	if !strings.Contains(s, "Could not disable") || !strings.Contains(s, "Nothing changed.") || !strings.Contains(s, "trace id 00-") {
		t.Fatalf("a refusal must say nothing changed, with the trace id:\n%s", s)
	}
}

// Ctrl+C while the call is out: the page holds the quit until the answer
// is known, and never says done before it is.
func TestQuitDuringAction(t *testing.T) {
	for _, shutdown := range []bool{false, true} {
		f := newFixture(t, 100, 30, nil).start()
		id := f.rowIDs()[0]
		// Confirm, but hold the call's command instead of running it.
		f.page.Update(acttest.Key("t"))
		answer := f.page.Update(acttest.Key("y"))
		call := f.page.Update(answer())
		if call == nil {
			t.Fatal("confirming sent nothing")
		}
		if f.page.RequestQuit(shutdown) {
			t.Fatalf("shutdown=%v: quit allowed with the disable out", shutdown)
		}
		s := f.screen()
		if !strings.Contains(s, "Disabling") || !strings.Contains(s, "Waiting for the answer") || strings.Contains(s, "is disabled") {
			t.Fatalf("screen while waiting:\n%s", s)
		}
		if shutdown {
			// A shutdown waits for the answer: asking again does not let go.
			if f.page.RequestQuit(true) {
				t.Fatal("a second shutdown ask let go with the disable out")
			}
		} else if !f.page.RequestQuit(false) {
			t.Fatal("a second ctrl+c must let the person go")
		}
		if w := f.env.Rec.Writes(); len(w) != 0 {
			t.Fatalf("sent before the held command ran: %v", w)
		}
		msgs := acttest.Drive(f.page, call)
		var res actions.ResultMsg
		for _, m := range msgs {
			if r, ok := m.(actions.ResultMsg); ok {
				res = r
			}
		}
		if res.Outcome != actions.Done || res.Kind != actions.Disable {
			t.Fatalf("result %+v", res)
		}
		ready := slices.ContainsFunc(msgs, func(m tea.Msg) bool {
			q, ok := m.(actions.QuitReadyMsg)
			return ok && q.Shutdown == shutdown && q.Result.Outcome == actions.Done
		})
		if !ready {
			t.Fatalf("no QuitReadyMsg{Shutdown: %v} after the answer: %v", shutdown, msgs)
		}
		if !f.page.RequestQuit(shutdown) {
			t.Fatal("the answer is in: quitting must be allowed")
		}
		if st := f.status(id); st != "Disabled" {
			t.Fatalf("stored %s", st)
		}
	}
}

func TestChangedElsewhereRedrawsTheRow(t *testing.T) {
	f := newFixture(t, 100, 30, nil).start()
	id := f.rowIDs()[2]
	tok, err := f.env.Client.DisableAPIToken(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	lists := len(f.env.Rec.Requests())
	f.send(actions.ChangedMsg{Token: *tok})
	if !strings.Contains(f.screen(), id+"  ○ Disabled") || len(f.env.Rec.Requests()) != lists {
		t.Fatalf("the row is not redrawn in place:\n%s", f.screen())
	}
}
