package ui_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/softwareone/apitoken/sandbox"
	"github.com/softwareone/apitoken/ui"
	"github.com/softwareone/apitoken/ui/pages/edit"
	"github.com/softwareone/apitoken/ui/pages/tokens"
)

// copied makes the system clipboard take the token, so the Summary's Close
// does not ask.
func copied(c *harnessConfig) { c.native = func(string) error { return nil } }

// createAndClose runs the wizard to the Summary, copies, and closes: the
// API tokens page is on screen with the new token selected.
func (h *harness) createAndClose(name string) string {
	h.t.Helper()
	h.waitText("ACC-1000-0001")
	h.toOverview(name)
	h.press("enter")
	h.waitText("Your token is created")
	h.press("c")
	h.waitText("Copied to the system clipboard")
	var id string
	h.inspect(func(m *ui.Model) { id = m.Data().Created.ID })
	h.press("enter")
	h.waitFor("the list with the new token", func(s string) bool {
		return strings.Contains(s, "● API tokens") && strings.Contains(s, id) && !hasSpinner(s)
	})
	return id
}

// cursorLine is the line of the screen the table's cursor is on.
func cursorLine(screen string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.HasPrefix(l, "❯ ") {
			return l
		}
	}
	return ""
}

func selectedID(h *harness) string {
	var id string
	h.inspect(func(m *ui.Model) {
		if l, ok := m.Top().(*tokens.Page); ok {
			if tok, ok := l.Selected(); ok {
				id = tok.ID
			}
		}
	})
	return id
}

// TestSummaryCloseToList: Close lands on the API tokens page with the new
// token selected; the wizard is gone from the stack, so q quits at once.
func TestSummaryCloseToList(t *testing.T) {
	for _, size := range [][2]int{{100, 30}, {60, 20}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			h := newHarness(t, copied, withSize(size[0], size[1]))
			id := h.createAndClose("Closed to the list")
			if got := selectedID(h); got != id {
				t.Errorf("selected %q, want the new token %q", got, id)
			}
			h.snapshot("list")
			h.press("q")
			h.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
		})
	}
}

// TestCloseUncopiedAsks: Close of a token not copied asks first, like
// quitting; any key but y stays on the Summary.
func TestCloseUncopiedAsks(t *testing.T) {
	h := newHarness(t)
	h.waitText("Contoso Ltd")
	h.toOverview("Not copied")
	h.press("enter")
	h.waitText("Your token is created")
	h.press("enter")
	h.waitText("Close anyway?")
	h.press("n")
	s := h.waitText("Your token is created")
	if strings.Contains(s, "Close anyway?") {
		t.Errorf("still asking after n:\n%s", s)
	}
	h.press("enter")
	h.waitText("Close anyway?")
	h.press("y")
	h.waitText("● API tokens")
}

// TestAddAgainFromList: from the list, a fresh wizard makes a second token
// in the same run; esc on its first step goes back.
func TestAddAgainFromList(t *testing.T) {
	h := newHarness(t, copied)
	first := h.createAndClose("First")
	h.press("a")
	s := h.waitText("● General")
	if strings.Contains(s, "First") {
		t.Errorf("the new wizard is not fresh:\n%s", s)
	}
	h.press("esc")
	h.waitText("● API tokens")
	h.press("a")
	h.waitText("● General")
	second := h.createAndClose("Second")
	if first == second || len(h.srv.Creates()) != 2 {
		t.Errorf("tokens %s, %s from %d creates", first, second, len(h.srv.Creates()))
	}
}

// TestEditSendsOnePUT: Edit from the list, pre-filled from a fresh read;
// the PUT carries the edited name and the modules as selected, and the
// list shows the new state.
func TestEditSendsOnePUT(t *testing.T) {
	log := &requestLog{}
	h := newHarness(t, copied, func(c *harnessConfig) { c.record = log })
	id := h.createAndClose("Before edit")
	h.openEdit("Before edit")
	h.snapshot("edit_general")
	h.typeText(" v2")
	h.press("ctrl+n")
	h.waitText("1 of 8 selected")
	h.snapshot("edit_modules")
	h.press("down", "space")
	h.waitText("2 of 8 selected")
	h.press("enter")
	h.waitFor("the list after the save", func(s string) bool {
		return strings.Contains(s, "● API tokens") && strings.Contains(s, "Before edit v2")
	})
	puts := log.matching(http.MethodPut, id)
	if len(puts) != 1 {
		t.Fatalf("%d PUTs, want 1", len(puts))
	}
	var body struct {
		Name    string `json:"name"`
		Modules []struct {
			ID string `json:"id"`
		} `json:"modules"`
	}
	if err := json.Unmarshal(puts[0].Body, &body); err != nil {
		t.Fatalf("PUT body %s: %v", puts[0].Body, err)
	}
	stored := storedToken(t, h.srv, id)
	if body.Name != "Before edit v2" || len(body.Modules) != 2 {
		t.Errorf("PUT body %s, want the new name and two modules", puts[0].Body)
	}
	if stored.Name != body.Name || len(stored.ModuleIDs) != 2 {
		t.Errorf("the sandbox holds %+v", stored)
	}
}

func storedToken(t *testing.T, srv *sandbox.Server, id string) sandbox.StoredToken {
	t.Helper()
	all := srv.StoredTokens()
	i := slices.IndexFunc(all, func(s sandbox.StoredToken) bool { return s.ID == id })
	if i < 0 {
		t.Fatalf("token %s not in the sandbox", id)
	}
	return all[i]
}

// TestEditServerFieldError: a 400 naming the name lands on General with
// the server's message; nothing is saved.
func TestEditServerFieldError(t *testing.T) {
	h := newHarness(t, copied)
	id := h.createAndClose("Field error")
	h.srv.InjectFault(sandbox.Fault{Method: http.MethodPut, Path: "/", Status: 400, ContentType: "application/problem+json",
		Body: `{"type":"about:blank","title":"Bad Request","status":400,"errors":{"name":["The server dislikes this name."]}}`, Times: 1})
	h.openEdit("Field error")
	h.press("ctrl+n")
	h.waitText("1 of 8 selected")
	h.press("enter")
	h.waitFor("the field error on General", func(s string) bool {
		return strings.Contains(s, "The server dislikes this name.") && strings.Contains(s, "● General")
	})
	var active int
	h.inspect(func(m *ui.Model) {
		if e, ok := m.Top().(*edit.Page); ok {
			active = int(e.Active())
		} else {
			active = -1
		}
	})
	if active != 0 {
		t.Errorf("on step %d of Edit, want General", active)
	}
	if got := storedToken(t, h.srv, id); got.Name != "Field error" {
		t.Errorf("the name changed to %q", got.Name)
	}
}

// TestEditUnknownIsNotResent: a save whose answer never came is reported
// as unknown, and enter does not send it again.
func TestEditUnknownIsNotResent(t *testing.T) {
	log := &requestLog{}
	h := newHarness(t, copied, func(c *harnessConfig) { c.record = log })
	id := h.createAndClose("Lost save")
	h.srv.InjectFault(sandbox.Fault{Method: http.MethodPut, Path: "/", DropAfterCommit: true, Times: 1})
	h.openEdit("Lost save")
	h.press("ctrl+n")
	h.waitText("1 of 8 selected")
	h.press("enter")
	h.waitText("may or may not have happened")
	h.press("enter")
	h.press("enter")
	h.waitText("Not resent")
	if n := len(log.matching(http.MethodPut, id)); n != 1 {
		t.Errorf("%d PUTs, want 1 (never resent)", n)
	}
}

// TestCtrlCDuringSave: ctrl+c while the PUT is out waits for its answer,
// says so, and then ends; the save was sent once and holds.
func TestCtrlCDuringSave(t *testing.T) {
	log := &requestLog{}
	hold := holdRequests(http.MethodPut)
	hold.arm()
	h := newHarness(t, copied, func(c *harnessConfig) {
		c.record = log
		c.gate = hold.gate
	})
	id := h.createAndClose("Held save")
	h.openEdit("Held save")
	h.typeText(" 2")
	h.press("ctrl+n")
	h.waitText("1 of 8 selected")
	h.press("enter")
	<-hold.held
	h.press("ctrl+c")
	h.waitText("Waiting for the answer to the save")
	close(hold.release)
	h.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	if n := len(log.matching(http.MethodPut, id)); n != 1 {
		t.Errorf("%d PUTs, want 1", n)
	}
	if got := storedToken(t, h.srv, id); got.Name != "Held save 2" {
		t.Errorf("stored name %q", got.Name)
	}
}

// TestVerifyOnSummary: Verify waits out the propagation (a fake clock
// moved by its timer), then the token reads itself, and the Summary says
// it works.
func TestVerifyOnSummary(t *testing.T) {
	log := &requestLog{}
	h := newHarness(t, copied, func(c *harnessConfig) { c.record = log; c.fakeClock = true })
	h.waitText("Contoso Ltd")
	h.toOverview("Verified")
	h.press("enter")
	h.waitText("Your token is created")
	var id string
	h.inspect(func(m *ui.Model) { id = m.Data().Created.ID })
	if n := len(log.matching(http.MethodGet, "/api-tokens/"+id)); n != 0 {
		t.Fatalf("%d reads of the token before Verify", n)
	}
	h.press("w")
	h.waitText("The token works")
	if n := len(log.matching(http.MethodGet, "/api-tokens/"+id)); n != 1 {
		t.Errorf("%d self-reads, want 1", n)
	}
}

// openEdit presses e on the list and waits for Edit's General, read and
// filled in.
func (h *harness) openEdit(name string) {
	h.t.Helper()
	h.press("e")
	h.waitFor("Edit's General, pre-filled", func(s string) bool {
		return strings.Contains(s, "Edit “"+name+"”") && strings.Contains(s, "● General") && !hasSpinner(s)
	})
}

// TestEditSnapshotsNarrow: Edit's steps fit the smallest window.
func TestEditSnapshotsNarrow(t *testing.T) {
	h := newHarness(t, copied, withSize(60, 20))
	h.createAndClose("Narrow edit")
	h.openEdit("Narrow edit")
	h.snapshot("edit_general")
	h.press("ctrl+n")
	h.waitText("1 of 8 selected")
	h.snapshot("edit_modules")
}

// openRotate closes a new token to the list, opens its details and
// Rotate, and waits for the question.
func (h *harness) openRotate(name string) (oldID string) {
	h.t.Helper()
	oldID = h.createAndClose(name)
	h.press("enter")
	h.waitFor("the details page, read", func(s string) bool {
		return strings.Contains(s, "Audit trail") && !hasSpinner(s)
	})
	h.press("R")
	h.waitFor("Rotate's question", func(s string) bool {
		return strings.Contains(s, "Rotate “"+name+"”") && strings.Contains(s, "enter rotate") && !hasSpinner(s)
	})
	return oldID
}

func tokensNamed(srv *sandbox.Server, name string) []sandbox.StoredToken {
	var out []sandbox.StoredToken
	for _, t := range srv.StoredTokens() {
		if t.Name == name {
			out = append(out, t)
		}
	}
	return out
}

// TestRotate: a new token with the same name and modules, its value shown
// once, the old one disabled only after the person says it is saved.
func TestRotate(t *testing.T) {
	h := newHarness(t, copied)
	oldID := h.openRotate("Rotated")
	h.press("enter")
	h.waitText("The new token is created")
	got := tokensNamed(h.srv, "Rotated")
	if len(got) != 2 {
		t.Fatalf("%d tokens named Rotated, want 2", len(got))
	}
	newTok := got[1]
	if !slices.Equal(newTok.ModuleIDs, got[0].ModuleIDs) || storedToken(t, h.srv, oldID).Status != "Active" {
		t.Fatalf("after the create: %+v", got)
	}
	// Neither copied nor revealed: the first enter only warns.
	h.press("enter")
	h.waitText("press enter again to continue without it")
	h.press("enter")
	h.waitText("now? Its calls are refused")
	if s := storedToken(t, h.srv, oldID).Status; s != "Active" {
		t.Fatalf("the old token is %s before the y", s)
	}
	h.press("y")
	h.waitText("Rotated: “Rotated” (" + newTok.ID + ") is active")
	if s := storedToken(t, h.srv, oldID).Status; s != "Disabled" {
		t.Errorf("the old token is %s", s)
	}
	if s := storedToken(t, h.srv, newTok.ID).Status; s != "Active" {
		t.Errorf("the new token is %s", s)
	}
	h.press("esc")
	// The list shows at once and is reloaded under the person's eyes (a
	// spinner only if that takes a while): wait for the reloaded rows.
	h.waitFor("the list, the new token selected", func(s string) bool {
		return strings.Contains(s, "● API tokens") && strings.Contains(cursorLine(s), newTok.ID)
	})
	if id := selectedID(h); id != newTok.ID {
		t.Errorf("selected %q, want %q", id, newTok.ID)
	}
}

// TestRotateCreateLost: the create's answer is lost and the token is found:
// it has no value to show, so the old one is left active and nothing is
// sent again.
func TestRotateCreateLost(t *testing.T) {
	log := &requestLog{}
	h := newHarness(t, copied, func(c *harnessConfig) { c.record = log; c.asToken = true })
	oldID := h.openRotate("Lost rotate")
	h.srv.InjectFault(sandbox.Fault{Method: http.MethodPost, Path: "/", DropAfterCommit: true, Times: 1})
	h.press("enter")
	s := h.waitText("is still active")
	if strings.Contains(s, "enter tries again") {
		t.Errorf("a create that may have happened is offered again:\n%s", s)
	}
	if n := len(tokensNamed(h.srv, "Lost rotate")); n != 2 {
		t.Errorf("%d tokens named Lost rotate, want 2 (one create, not resent)", n)
	}
	if s := storedToken(t, h.srv, oldID).Status; s != "Active" {
		t.Errorf("the old token is %s", s)
	}
	if n := len(log.matching(http.MethodPost, "/disable")); n != 0 {
		t.Errorf("%d disables sent", n)
	}
}

// TestRotateDisableFails: the disable is refused: both tokens are active,
// and the page says so.
func TestRotateDisableFails(t *testing.T) {
	h := newHarness(t, copied)
	oldID := h.openRotate("Stuck rotate")
	h.press("enter")
	h.waitText("The new token is created")
	h.srv.SetFaultFunc(func(r *http.Request) *sandbox.Fault {
		if strings.HasSuffix(r.URL.Path, "/disable") {
			return &sandbox.Fault{Status: http.StatusForbidden}
		}
		return nil
	})
	h.press("r", "enter")
	h.waitText("now? Its calls are refused")
	h.press("y")
	h.waitText("are active. y tries again")
	for _, tok := range tokensNamed(h.srv, "Stuck rotate") {
		if tok.Status != "Active" {
			t.Errorf("%s is %s", tok.ID, tok.Status)
		}
	}
	if s := storedToken(t, h.srv, oldID).Status; s != "Active" {
		t.Errorf("the old token is %s", s)
	}
}

// TestCtrlCDuringRotateCreate: ctrl+c while the new token is being
// created waits for it, shows its value, and asks before quitting; the
// old token stays active.
func TestCtrlCDuringRotateCreate(t *testing.T) {
	hold := holdRequests(http.MethodPost)
	h := newHarness(t, copied, func(c *harnessConfig) { c.gate = hold.gate })
	oldID := h.openRotate("Held rotate")
	hold.arm()
	h.press("enter")
	<-hold.held
	h.press("ctrl+c")
	h.waitText("Waiting for the answer")
	close(hold.release)
	h.waitText("The new token is created")
	h.waitText("Quit anyway?")
	if s := storedToken(t, h.srv, oldID).Status; s != "Active" {
		t.Errorf("the old token is %s", s)
	}
	h.press("y")
	h.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	if s := storedToken(t, h.srv, oldID).Status; s != "Active" {
		t.Errorf("after quitting the old token is %s", s)
	}
}

// TestTokensAreaSnapshots: `apitoken tokens` at 100×30: the list, each tab
// of the details page, Edit, and Rotate's question.
func TestTokensAreaSnapshots(t *testing.T) {
	h := newHarness(t, func(c *harnessConfig) { c.start = ui.StartTokens })
	settled := func(what, text string) {
		h.t.Helper()
		h.waitFor(what, func(s string) bool { return strings.Contains(s, text) && !hasSpinner(s) })
	}
	settled("the list", "TKN-1000-1001")
	h.snapshot("list")
	h.press("enter")
	settled("General", "Description")
	h.snapshot("details_general")
	h.press("tab")
	settled("Modules", "MOD-")
	h.snapshot("details_modules")
	h.press("tab")
	settled("Details", "Revision")
	h.snapshot("details_details")
	h.press("tab")
	settled("Audit trail", "Event")
	h.snapshot("details_audit")
	h.press("R")
	settled("Rotate", "enter rotate")
	h.snapshot("rotate")
	h.press("esc") // nothing was sent: back to the details
	settled("the details again", "R rotate")
	h.press("esc")
	settled("the list again", "● API tokens ")
	h.press("e")
	settled("Edit", "● General")
	h.snapshot("edit_general")
}

// TestShutdownDuringSave: a shutdown while the PUT is out waits for it;
// the program then ends, the save sent once and holding.
func TestShutdownDuringSave(t *testing.T) {
	log := &requestLog{}
	hold := holdRequests(http.MethodPut)
	hold.arm()
	h := newHarness(t, copied, func(c *harnessConfig) {
		c.record = log
		c.gate = hold.gate
	})
	id := h.createAndClose("Shut save")
	h.openEdit("Shut save")
	h.typeText(" 3")
	h.press("ctrl+n")
	h.waitText("1 of 8 selected")
	h.press("enter")
	<-hold.held
	h.tm.Send(ui.ShutdownMsg{Reason: "The console is shutting down"})
	h.waitText("Waiting for the answer to the save")
	close(hold.release)
	h.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	if n := len(log.matching(http.MethodPut, id)); n != 1 {
		t.Errorf("%d PUTs, want 1", n)
	}
	if got := storedToken(t, h.srv, id); got.Name != "Shut save 3" {
		t.Errorf("stored name %q", got.Name)
	}
}

// TestShutdownDuringRotate: a shutdown while the new token is being
// created waits for it and shows its value with the banner; the old one
// stays active, and no disable is sent.
func TestShutdownDuringRotate(t *testing.T) {
	log := &requestLog{}
	hold := holdRequests(http.MethodPost)
	h := newHarness(t, copied, func(c *harnessConfig) {
		c.record = log
		c.gate = hold.gate
	})
	oldID := h.openRotate("Shut rotate")
	hold.arm()
	h.press("enter")
	<-hold.held
	h.tm.Send(ui.ShutdownMsg{Reason: "The console is shutting down"})
	close(hold.release)
	h.waitText("The new token is created")
	h.waitText("copy the new token, then quit")
	if s := storedToken(t, h.srv, oldID).Status; s != "Active" {
		t.Errorf("the old token is %s", s)
	}
	if n := len(log.matching(http.MethodPost, "/disable")); n != 0 {
		t.Errorf("%d disables sent", n)
	}
	h.press("ctrl+c")
	h.waitText("Quit anyway?")
	h.press("y")
	h.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// TestQuitDuringVerify: Verify only reads, so quitting while it waits
// ends at once, and the token is as it was.
func TestQuitDuringVerify(t *testing.T) {
	log := &requestLog{}
	release := make(chan struct{})
	h := newHarness(t, copied, func(c *harnessConfig) {
		c.record = log
		c.fakeClock = true
		c.gate = func(r *http.Request) {
			if r.Method == http.MethodGet && r.Header.Get("Authorization") != "" && strings.Contains(r.URL.Path, "/api-tokens/TKN-") {
				<-release
			}
		}
	})
	defer close(release)
	h.waitText("Contoso Ltd")
	h.toOverview("Quit verify")
	h.press("enter")
	h.waitText("Your token is created")
	h.press("c")
	h.waitText("Copied to the system clipboard")
	h.press("w")
	h.waitText("Checking: the token reads itself")
	h.press("ctrl+c")
	h.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	log.mu.Lock()
	defer log.mu.Unlock()
	for _, r := range log.reqs {
		if r.Method != http.MethodGet && !strings.HasSuffix(r.Path, "/api-tokens") {
			t.Errorf("Verify sent %s %s", r.Method, r.Path)
		}
	}
}

// TestRotateSnapshots: every stage of Rotate a person sees, at the full
// and the minimum size: the question, the new value, the question about
// the old token, and the outcome.
func TestRotateSnapshots(t *testing.T) {
	for _, size := range []struct{ w, h int }{{100, 30}, {60, 20}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			h := newHarness(t, copied, withSize(size.w, size.h))
			h.openRotate("Snap rotate")
			h.snapshot("confirm")
			h.press("enter")
			h.waitText("The new token is created")
			h.snapshot("shown")
			h.press("r", "enter")
			h.waitText("Its calls are")
			h.snapshot("ask_disable")
			h.press("y")
			h.waitFor("the outcome", func(s string) bool { return strings.Contains(s, "is active") && !hasSpinner(s) })
			h.snapshot("finished")
		})
	}
}

// TestRotateKeyWaitsForTheDialog: R on the details page while its Disable
// dialog is open leaves the dialog on screen; once it is answered, R opens
// Rotate.
func TestRotateKeyWaitsForTheDialog(t *testing.T) {
	h := newHarness(t, func(c *harnessConfig) { c.start = ui.StartTokens })
	h.waitFor("the list", func(s string) bool { return strings.Contains(s, "TKN-1000-1001") && !hasSpinner(s) })
	h.press("enter")
	h.waitFor("the details", func(s string) bool { return strings.Contains(s, "Audit trail") && !hasSpinner(s) })
	h.press("t")
	h.waitText("Disable this API token?")
	h.press("R", "n")
	h.waitFor("the dialog answered", func(s string) bool { return !strings.Contains(s, "Disable this API token?") })
	if s := h.view(); strings.Contains(s, "● Rotate") {
		t.Fatalf("R opened Rotate over the dialog:\n%s", s)
	}
	h.press("R")
	h.waitText("enter rotate")
}
