package ui_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/syncbuf"
	"github.com/softwareone/apitoken/sandbox"
	"github.com/softwareone/apitoken/steps"
	"github.com/softwareone/apitoken/ui"
)

// TestEnterLeavesDescription: as in huh, enter moves on from the
// description (its last field: Next), and ctrl+j adds a line.
func TestEnterLeavesDescription(t *testing.T) {
	h := newHarness(t)
	h.waitText("Contoso Ltd")
	h.typeText("Deploy bot")
	h.press("tab")
	h.typeText("one")
	h.press("ctrl+j")
	h.typeText("two")
	h.press("enter")
	h.waitText("0 of 8 selected")
	var desc string
	h.inspect(func(m *ui.Model) { desc = m.Data().Description })
	if desc != "one\ntwo" {
		t.Errorf("description %q, want two lines", desc)
	}
}

// TestEscOnSummaryStays: esc on the Summary never ends the app (one screen
// earlier it meant "back").
func TestEscOnSummaryStays(t *testing.T) {
	h := newHarness(t)
	h.waitText("Contoso Ltd")
	h.toOverview("esc")
	h.press("enter")
	h.waitText("Your token is created")
	h.press("v")
	h.waitText("Audit trail") // the details page
	h.press("esc")            // back from the details
	h.waitText("Your token is created")
	h.press("esc")
	h.press("r") // the program still takes keys after esc
	h.waitFor("the revealed token", func(s string) bool {
		return tokenValue.MatchString(strings.ReplaceAll(s, "\n", "")) || strings.Contains(s, "r hide")
	})
	if s := h.waitText("Your token is created"); strings.Contains(s, "Quit anyway") {
		t.Errorf("esc asked to quit:\n%s", s)
	}
}

// TestTooSmallSaysTheTruth: the size the message states is the size that
// is needed.
func TestTooSmallSaysTheTruth(t *testing.T) {
	h := newHarness(t)
	h.waitText("Contoso Ltd")
	for _, size := range [][2]int{{59, 30}, {100, 19}} {
		h.tm.Send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		if s := ansi.Strip(h.view()); !strings.Contains(s, "at least 60×20") {
			t.Errorf("at %dx%d: %q, want the 60×20 minimum", size[0], size[1], s)
		}
	}
	h.tm.Send(tea.WindowSizeMsg{Width: 60, Height: 20})
	if s := ansi.Strip(h.view()); strings.Contains(s, "larger window") || !strings.Contains(s, "Next") {
		t.Errorf("at 60x20 the General step is not drawn whole:\n%s", s)
	}
}

// TestRetryReloadsAccount: a retry after a failed load reloads the account
// too, and its error goes.
func TestRetryReloadsAccount(t *testing.T) {
	h := newHarness(t, func(c *harnessConfig) {
		c.clientOpts = append(c.clientOpts, apiclient.WithRetry(0, 0))
		c.beforeStart = func(srv *sandbox.Server) {
			srv.InjectFault(sandbox.Fault{Method: "GET", Path: "/public/v1/accounts/modules", Status: 500})
			srv.InjectFault(sandbox.Fault{Method: "GET", Path: "/public/v1/accounts/accounts/", Status: 500})
		}
	})
	h.typeText("x")
	h.press("ctrl+n")
	h.waitText("Could not fetch the modules")
	h.waitText("Could not load account")
	h.srv.ClearFaults()
	h.press("ctrl+r")
	h.waitText("0 of 8 selected")
	s := h.waitFor("the account", func(s string) bool { return strings.Contains(s, "Contoso Ltd") })
	if strings.Contains(s, "Could not load account") {
		t.Errorf("the account error outlived the retry:\n%s", s)
	}
	var active steps.ID
	h.inspect(func(m *ui.Model) { active = m.Active() })
	if active != steps.Modules {
		t.Errorf("on step %v, want Modules", active)
	}
}

// TestCopyClaimsOnlyWhatIsKnown: OSC 52 may be ignored without a word, so
// after c the app says the token was sent, keeps asking before it quits,
// and lets go once the terminal reads the token back.
func TestCopyClaimsOnlyWhatIsKnown(t *testing.T) {
	h := newHarness(t)
	h.waitText("Contoso Ltd")
	h.toOverview("copy")
	h.press("enter")
	h.waitText("Your token is created")
	h.press("c")
	s := h.waitText("Sent to the terminal (OSC 52)")
	if strings.Contains(s, "Copied") {
		t.Errorf("a copy nobody confirmed is claimed:\n%s", s)
	}
	h.press("enter")
	h.waitText("Copy not confirmed")
	h.press("n") // stay
	var tok string
	h.inspect(func(m *ui.Model) { tok = m.Data().Created.Token.Reveal() })
	h.tm.Send(tea.ClipboardMsg{Content: "something else", Selection: 'c'})
	h.press("enter")
	h.waitText("Close anyway?")
	h.press("n")
	h.tm.Send(tea.ClipboardMsg{Content: tok, Selection: 'c'})
	h.waitText("the terminal confirmed")
	h.press("enter") // Close: to the API tokens page, without asking
	h.waitText("● API tokens")
	h.press("q")
	h.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestCopyNativeConfirms: where the system clipboard took the token, the
// copy is known and quitting does not ask.
func TestCopyNativeConfirms(t *testing.T) {
	var got syncbuf.Buffer
	h := newHarness(t, func(c *harnessConfig) {
		c.native = func(s string) error { _, err := got.Write([]byte(s)); return err }
	})
	h.waitText("Contoso Ltd")
	h.toOverview("native")
	h.press("enter")
	h.waitText("Your token is created")
	h.press("c")
	h.waitText("Copied to the system clipboard")
	if !tokenValue.MatchString(got.String()) {
		t.Errorf("the system clipboard got %q", got.String())
	}
	h.press("enter")
	h.waitText("● API tokens")
	h.press("q")
	h.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestAccountPicker: a credential that sees several accounts gets a list
// to pick from; the token is added to the account picked.
func TestAccountPicker(t *testing.T) {
	fx := sandbox.DemoFixture()
	var accs []apiclient.Account
	for _, a := range fx.Accounts {
		if len(a.Modules) > 0 {
			accs = append(accs, apiclient.Account{ID: a.ID, Name: a.Name, Type: a.Type})
		}
	}
	if len(accs) < 2 {
		t.Fatal("the demo fixture has fewer than two accounts with modules")
	}
	want := accs[1]
	h := newHarness(t, func(c *harnessConfig) { c.fixture = fx; c.pick = accs })
	h.waitText("Choose an account")
	h.waitText(want.Name)
	h.press("down", "enter")
	h.waitFor("the wizard on the picked account", func(s string) bool {
		return strings.Contains(s, "● General") && strings.Contains(s, want.ID)
	})
	h.typeText("picked")
	h.press("ctrl+n")
	h.waitText("0 of")
	h.press("space", "enter")
	h.waitText("Modules (1)")
	h.press("enter")
	h.waitText("Your token is created")
	creates := h.srv.Creates()
	if len(creates) != 1 || creates[0].AccountID != want.ID {
		t.Fatalf("creates = %+v, want one on %s", creates, want.ID)
	}
}

// TestOverviewButtons: the button row takes the focus with ←/→ and tab,
// and enter presses the focused button.
func TestOverviewButtons(t *testing.T) {
	h := newHarness(t)
	h.waitText("Contoso Ltd")
	h.toOverview("buttons")
	h.press("left", "enter") // ← Back
	h.waitText("1 of 8 selected")
	h.press("enter")
	h.waitText("Modules (1)")
	h.press("tab", "tab", "enter") // back on Add
	h.waitText("Your token is created")
}

// TestFoundTokenButtons: where the action disables a token, Back has the
// focus; the disable is pressed only after moving to it.
func TestFoundTokenButtons(t *testing.T) {
	h := newHarness(t, func(c *harnessConfig) { c.asToken = true })
	h.waitText("Contoso Ltd")
	h.srv.InjectFault(sandbox.Fault{Method: "POST", Path: "/public/v1/accounts/api-tokens", DropAfterCommit: true, Times: 1})
	h.toOverview("found")
	h.press("enter")
	h.waitText("but its answer was lost")
	h.press("right", "enter")
	h.waitText("Your token is created")
	if stored := h.srv.StoredTokens(); len(stored) != 3 || stored[1].Status != apiclient.TokenStatusDisabled {
		t.Fatalf("stored = %+v, want the lost token disabled and a new one", stored)
	}
}

// TestHelpOnEveryStep: ? (or f1 in a text field) opens the full help on
// every step, and the short bar collapses to whole items plus "more keys"
// instead of being cut mid-word.
func TestHelpOnEveryStep(t *testing.T) {
	h := newHarness(t, withSize(60, 20))
	h.waitText("● General")
	lastLine := func() string {
		lines := strings.Split(ansi.Strip(h.view()), "\n")
		return strings.TrimSpace(lines[len(lines)-1])
	}
	// The short bar is one line of items joined by •; the full help is
	// columns.
	full := func(step, key string) {
		t.Helper()
		if l := lastLine(); strings.Contains(l, "…") || !strings.Contains(l, "more keys") || !strings.Contains(l, "•") {
			t.Errorf("%s: help bar %q", step, l)
		}
		h.press(key)
		if l := lastLine(); strings.Contains(l, "•") {
			t.Errorf("%s: no full help after %s: %q", step, key, l)
		}
		h.press(key) // and closes it
		if l := lastLine(); !strings.Contains(l, "•") {
			t.Errorf("%s: the full help stayed after a second %s: %q", step, key, l)
		}
	}
	full("general", "f1")
	h.typeText("help")
	h.press("ctrl+n")
	h.waitText("0 of 8 selected")
	full("modules", "?")
	if s := ansi.Strip(h.view()); strings.Contains(s, "Filter ?") {
		t.Errorf("? went into the filter:\n%s", s)
	}
	h.press("space", "enter")
	h.waitText("Modules (1)")
	full("overview", "?")
	h.press("enter")
	h.waitText("Your token is created")
	full("summary", "?")
}

// TestRevealedTokenSelectable: revealed, the value is drawn with nothing
// around it: on one line where the window is wider than the token, split
// at the edge with a note in a narrower one, and the warning shows at
// every accepted size.
func TestRevealedTokenSelectable(t *testing.T) {
	h := newHarness(t)
	h.waitText("Contoso Ltd")
	h.toOverview("select")
	h.press("enter")
	h.waitText("Your token is created")
	h.press("r")
	h.waitText("r hide")
	var tok string
	h.inspect(func(m *ui.Model) { tok = m.Data().Created.Token.Reveal() })
	for _, size := range [][2]int{{100, 30}, {90, 24}, {80, 24}, {60, 20}} {
		h.tm.Send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		s := ansi.Strip(h.view())
		if !strings.Contains(s, "Copy the token now") {
			t.Errorf("%dx%d: no warning:\n%s", size[0], size[1], s)
		}
		if strings.Contains(s, "│") {
			t.Errorf("%dx%d: a border around the token:\n%s", size[0], size[1], s)
		}
		if size[0] > len(tok) {
			found := false
			for _, l := range strings.Split(s, "\n") {
				if strings.TrimRight(l, " ") == tok {
					found = true
				}
			}
			if !found {
				t.Errorf("%dx%d: the token is not alone on one line:\n%s", size[0], size[1], s)
			}
			continue
		}
		if joined := strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), "\n", ""); !strings.Contains(joined, tok) {
			t.Errorf("%dx%d: the token is not whole:\n%s", size[0], size[1], s)
		}
		if !strings.Contains(s, "spans") {
			t.Errorf("%dx%d: a split token is not said to be split:\n%s", size[0], size[1], s)
		}
	}
}

// TestAccountPickerSnapshots: the picker a credential that sees several
// accounts starts on, at the full and the minimum size.
func TestAccountPickerSnapshots(t *testing.T) {
	fx := sandbox.DemoFixture()
	var accs []apiclient.Account
	for _, a := range fx.Accounts {
		accs = append(accs, apiclient.Account{ID: a.ID, Name: a.Name, Type: a.Type})
	}
	for _, size := range []struct{ w, h int }{{100, 30}, {60, 20}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			h := newHarness(t, withSize(size.w, size.h), func(c *harnessConfig) { c.fixture = fx; c.pick = accs })
			h.waitText(accs[len(accs)-1].ID)
			h.snapshot("picker")
		})
	}
}
