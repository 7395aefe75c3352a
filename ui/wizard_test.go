package ui_test

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/sandbox"
	"github.com/softwareone/apitoken/steps"
	"github.com/softwareone/apitoken/ui"
)

// TestWizardSnapshots walks the whole flow at 100×30 and compares every
// step with its golden file (go test -run TestWizardSnapshots -update to
// regenerate, then review the diff).
func TestWizardSnapshots(t *testing.T) {
	h := newHarness(t)
	h.waitText("Contoso Ltd")
	h.snapshot("general_empty")

	h.press("ctrl+n")
	h.waitText("✗ enter a name")
	h.snapshot("general_name_required")

	h.typeText("Nightly billing export")
	h.press("tab")
	h.typeText("Used by the billing job.")
	h.waitText("24/1000")
	h.snapshot("general_filled")

	h.press("ctrl+n")
	h.waitText("0 of 8 selected")
	h.snapshot("modules")

	h.typeText("bil")
	h.press("space")
	h.waitText("1 of 8 selected")
	h.snapshot("modules_filtered")

	h.press("esc", "down", "down", "down", "space")
	h.waitText("2 of 8 selected")
	h.press("enter")
	h.waitText("Modules (2)")
	h.waitChecked("Nightly billing export") // a demo token has the name: the warning is on
	h.snapshot("overview")

	h.press("r")
	h.waitText(`"modules": [`)
	h.snapshot("overview_request")

	h.press("r", "enter")
	h.waitText("Your token is created")
	h.snapshot("summary_masked")

	h.press("r")
	h.waitFor("revealed token", func(s string) bool { return !strings.Contains(s, "••••") })
	h.snapshot("summary_revealed")

	h.press("c")
	h.waitText("Sent to the terminal (OSC 52)")
	h.press("v")
	h.waitFor("the details page, read again", func(s string) bool {
		return strings.Contains(s, "Audit trail") && !hasSpinner(s)
	})
	h.snapshot("details")
}

// TestWizardSnapshotsNarrow checks the smallest supported window: every
// step must fit 60×20 without wrapping or losing its buttons.
func TestWizardSnapshotsNarrow(t *testing.T) {
	h := newHarness(t, withSize(60, 20))
	h.waitText("ACC-1000-0001")
	h.snapshot("general")
	h.typeText("CI deploys")
	h.press("ctrl+n")
	h.waitText("0 of 8 selected")
	h.snapshot("modules")
	h.press("space", "enter")
	h.waitText("Modules (1)")
	h.waitChecked("CI deploys")
	h.snapshot("overview")
	h.press("enter")
	h.waitText("Your token is created")
	h.snapshot("summary")
}

func TestWizardModulesFetchFailure(t *testing.T) {
	h := newHarness(t, func(c *harnessConfig) {
		c.clientOpts = append(c.clientOpts, apiclient.WithRetry(0, 0))
		c.beforeStart = func(srv *sandbox.Server) {
			srv.InjectFault(sandbox.Fault{Method: "GET", Path: "/public/v1/accounts/modules", Status: 500})
		}
	})
	h.typeText("x")
	h.press("ctrl+n")
	h.waitText("Could not fetch the modules")
	h.snapshot("fetch_failed")

	h.srv.ClearFaults()
	h.press("ctrl+r")
	h.waitText("0 of 8 selected")
}

func TestWizardEmptyCatalogue(t *testing.T) {
	fx := sandbox.DemoFixture()
	// Point the wizard at the demo account that has no modules enabled.
	var empty string
	for _, a := range fx.Accounts {
		if len(a.Modules) == 0 {
			empty = a.ID
		}
	}
	if empty == "" {
		t.Fatal("the demo fixture has no account without modules")
	}
	fx.DefaultAccount = empty
	h := newHarness(t, func(c *harnessConfig) { c.fixture = fx })
	h.typeText("x")
	h.press("ctrl+n")
	h.waitText("No modules are enabled")
	h.snapshot("empty")
}

// TestWizardServerFieldError: a 400 naming a field sends the user back to
// that field with the server's message on it.
func TestWizardServerFieldError(t *testing.T) {
	h := newHarness(t)
	h.waitText("Contoso Ltd")
	h.srv.InjectFault(sandbox.Fault{
		Method: "POST", Path: "/public/v1/accounts/api-tokens", Status: 400, Times: 1,
		ContentType: "application/problem+json",
		Body: `{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.",` +
			`"status":400,"traceId":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00",` +
			`"errors":{"name":["A token named \"Nightly\" already exists for this account."]}}`,
	})
	h.toOverview("Nightly")
	h.press("enter")
	h.waitText("already exists")
	h.snapshot("name_rejected")
	if got := h.activeStep(); got != steps.General {
		t.Fatalf("active step = %v, want General", got)
	}
	// Fixing the name and going through again creates the token.
	h.typeText(" 2")
	h.press("ctrl+n")
	h.waitText("1 of 8 selected")
	h.press("enter")
	h.waitText("Modules (1)")
	h.press("enter")
	h.waitText("Your token is created")
	creates := h.srv.Creates()
	if len(creates) != 2 || creates[1].Name != "Nightly 2" || creates[1].TokenID == "" {
		t.Fatalf("creates = %+v, want a second, successful create named %q", creates, "Nightly 2")
	}
}

func (h *harness) activeStep() steps.ID {
	var id steps.ID
	h.inspect(func(m *ui.Model) { id = m.Active() })
	return id
}

// TestWizardSendsWhatWasEntered drives the keys through the whole flow,
// logo included, and checks the request the sandbox received — not only
// the screen.
func TestWizardSendsWhatWasEntered(t *testing.T) {
	logo := writePNG(t, 48, 32)
	h := newHarness(t)
	h.waitText("Contoso Ltd")
	h.press("shift+tab") // from the name up to the logo
	h.typeText(logo)
	h.press("tab")
	h.waitText("48×32 px")
	h.typeText("  Deploy bot  ")
	h.press("tab")
	h.typeText("Line one")
	h.press("ctrl+j") // enter would move on
	h.typeText("Line two")
	h.press("ctrl+n")
	h.waitText("0 of 8 selected")
	h.typeText("orders")
	h.press("space", "esc")
	h.typeText("spot")
	h.press("space", "esc")
	h.waitText("2 of 8 selected")

	// Back and forth keeps everything.
	h.press("esc")
	h.waitText("Line two")
	h.press("ctrl+n")
	h.waitText("2 of 8 selected")
	h.press("enter")
	h.waitText("Modules (2)")
	h.press("enter")
	h.waitText("Your token is created")

	creates := h.srv.Creates()
	if len(creates) != 1 {
		t.Fatalf("%d creates, want 1", len(creates))
	}
	got := creates[0]
	if got.Name != "Deploy bot" {
		t.Errorf("name = %q, want trimmed %q", got.Name, "Deploy bot")
	}
	if got.Description == nil || *got.Description != "Line one\nLine two" {
		t.Errorf("description = %v, want two lines", got.Description)
	}
	if !got.Multipart || got.IconContentType != "image/png" || got.IconBytes == 0 {
		t.Errorf("icon: multipart=%v type=%q bytes=%d, want a PNG upload", got.Multipart, got.IconContentType, got.IconBytes)
	}
	if want := []string{"MOD-1001", "MOD-1009"}; !slices.Equal(sorted(got.ModuleIDs), want) {
		t.Errorf("modules = %v, want %v", got.ModuleIDs, want)
	}
	if got.AccountID != h.srv.DefaultAccount() {
		t.Errorf("account = %q, want %q", got.AccountID, h.srv.DefaultAccount())
	}
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

func writePNG(t *testing.T, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{R: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "logo.png")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestWizardQuitBeforeAddSendsNothing: ctrl+c on any step before Add ends
// the program and no create reaches the API.
func TestWizardQuitBeforeAddSendsNothing(t *testing.T) {
	h := newHarness(t)
	h.waitText("Contoso Ltd")
	h.toOverview("abandoned")
	h.press("ctrl+c")
	h.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if n := len(h.srv.Creates()); n != 0 {
		t.Fatalf("%d creates sent, want none", n)
	}
}

// TestWizardCtrlCWhileCreatingShowsToken: ctrl+c and a shutdown request
// while the create is in flight do not end the wizard; the token is shown.
func TestWizardCtrlCWhileCreatingShowsToken(t *testing.T) {
	h := newHarness(t)
	h.waitText("Contoso Ltd")
	h.srv.InjectFault(sandbox.Fault{Method: "POST", Path: "/public/v1/accounts/api-tokens", Delay: 1500 * time.Millisecond, Times: 1})
	h.toOverview("slow")
	h.press("enter")
	h.waitText("Creating the token")
	h.press("ctrl+c")
	h.tm.Send(ui.ShutdownMsg{})
	h.tm.Send(tea.WindowSizeMsg{Width: 70, Height: 22}) // and a resize meanwhile
	h.waitText("quits after showing the outcome")
	h.waitText("Your token is created")
	// Not copied yet: the first quit asks, y confirms.
	h.press("q")
	h.waitText("Quit anyway?")
	h.press("y")
	h.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestWizardLostAnswerIsNotRetried: the connection drops after the
// sandbox stored the token. The wizard must not send the create again; it
// finds the token (its own credential made it, after the attempt
// started), says so, and replaces it only when asked.
func TestWizardLostAnswerIsNotRetried(t *testing.T) {
	h := newHarness(t, func(c *harnessConfig) { c.asToken = true })
	h.waitText("Contoso Ltd")
	h.srv.InjectFault(sandbox.Fault{Method: "POST", Path: "/public/v1/accounts/api-tokens", DropAfterCommit: true, Times: 1})
	h.toOverview("lost answer")
	h.press("enter")
	h.waitText("but its answer was lost")
	h.snapshot("found")
	if n := len(h.srv.StoredTokens()); n != 2 { // the credential and the lost one
		t.Fatalf("%d tokens stored, want 2", n)
	}
	h.press("a") // Add again is not offered here: nothing may be sent
	h.press("d")
	h.waitText("Your token is created")
	if n := len(h.srv.Creates()); n != 3 { // the credential, the lost one, the new one
		t.Fatalf("%d creates sent, want 3", n)
	}
	stored := h.srv.StoredTokens()
	if len(stored) != 3 || stored[1].Status != apiclient.TokenStatusDisabled || stored[2].Status != apiclient.TokenStatusActive {
		t.Fatalf("stored = %+v, want the lost token disabled and a new active one", stored)
	}
}

// TestWizardUncertainTokenIsNotOffered: when the client cannot tell that
// the token it found is this attempt's (here the credential is not a
// token, so its creator cannot be compared), the wizard shows it and never
// offers to disable it with one key, nor adds again.
func TestWizardUncertainTokenIsNotOffered(t *testing.T) {
	h := newHarness(t)
	h.waitText("Contoso Ltd")
	h.srv.InjectFault(sandbox.Fault{Method: "POST", Path: "/public/v1/accounts/api-tokens", DropAfterCommit: true, Times: 1})
	h.toOverview("lost answer")
	h.press("enter")
	screen := h.waitText("it may not be this one")
	if strings.Contains(screen, "Disable and add new") || strings.Contains(screen, "disable it, add new") {
		t.Errorf("an uncertain token is offered for a one-key disable:\n%s", screen)
	}
	h.press("d", "enter", "a")
	// c looks again: the same answer, and still nothing sent or disabled.
	h.press("c")
	h.waitText("it may not be this one")
	if n := len(h.srv.Creates()); n != 1 {
		t.Fatalf("%d creates sent, want 1", n)
	}
	if stored := h.srv.StoredTokens(); len(stored) != 1 || stored[0].Status != apiclient.TokenStatusActive {
		t.Fatalf("stored = %+v, want the one token, untouched", stored)
	}
}

// TestWizardResize: every step keeps within the window at any size from
// 60×20 up, and asks for more room below the minimum.
func TestWizardResize(t *testing.T) {
	h := newHarness(t)
	h.waitText("Contoso Ltd")
	check := func(step string) {
		t.Helper()
		for _, size := range [][2]int{{60, 20}, {61, 21}, {80, 24}, {100, 30}, {200, 50}} {
			h.tm.Send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			frame := h.view()
			lines := strings.Split(frame, "\n")
			if len(lines) > size[1] {
				t.Errorf("%s at %dx%d: %d lines", step, size[0], size[1], len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > size[0] {
					t.Errorf("%s at %dx%d: line %d is %d wide: %q", step, size[0], size[1], i, w, ansi.Strip(l))
				}
			}
		}
		h.tm.Send(tea.WindowSizeMsg{Width: 30, Height: 10})
		if s := ansi.Strip(h.view()); !strings.Contains(s, "larger") {
			t.Errorf("%s at 30x10: %q, want a request for a larger window", step, s)
		}
		h.tm.Send(tea.WindowSizeMsg{Width: 100, Height: 30})
	}
	check("general")
	h.typeText("resize")
	h.press("ctrl+n")
	h.waitText("selected")
	check("modules")
	h.press("space", "enter")
	h.waitText("Modules (1)")
	check("overview")
	h.press("enter")
	h.waitText("Your token is created")
	h.press("r")
	check("summary")
}

// TestWizardLateCommitIsFound: the create times out while the API is still
// handling it and commits a moment later. The wizard waits before it looks,
// so it finds the token instead of declaring that nothing was created (and
// inviting a duplicate).
func TestWizardLateCommitIsFound(t *testing.T) {
	h := newHarness(t, func(c *harnessConfig) {
		c.clientOpts = append(c.clientOpts, apiclient.WithTimeout(150*time.Millisecond))
		c.settledWhen = committed(2) // the settle wait outlasts the late commit
		c.asToken = true
	})
	h.waitText("Contoso Ltd")
	h.srv.InjectFault(sandbox.Fault{Method: "POST", Path: "/public/v1/accounts/api-tokens",
		Delay: 250 * time.Millisecond, DropAfterCommit: true, Times: 1})
	h.toOverview("late commit")
	h.press("enter")
	h.waitText("but its answer was lost")
	if n := len(h.srv.Creates()); n != 2 { // the credential, the late one
		t.Fatalf("%d creates sent, want 2", n)
	}
}

// TestWizardClipboardOnlyOnCopy: the token reaches the terminal's
// clipboard (OSC 52) when the user presses c, and not before.
func TestWizardClipboardOnlyOnCopy(t *testing.T) {
	h := newHarness(t)
	h.waitText("Contoso Ltd")
	h.toOverview("clipboard")
	h.press("enter")
	h.waitText("Your token is created")
	h.press("r")
	h.waitFor("revealed token", func(s string) bool { return !strings.Contains(s, "••••") })
	var tok string
	h.inspect(func(m *ui.Model) { tok = m.Data().Created.Token.Reveal() })
	before, err := io.ReadAll(h.tm.Output())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(before, []byte("\x1b]52;")) {
		t.Fatal("the clipboard was written before the user pressed c")
	}
	h.press("c")
	h.waitText("Sent to the terminal (OSC 52)")
	osc := []byte("\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(tok)))
	deadline := time.Now().Add(5 * time.Second)
	var after []byte
	for !bytes.Contains(after, osc) {
		if time.Now().After(deadline) {
			t.Fatalf("no OSC 52 copy of the token in the output after c")
		}
		more, _ := io.ReadAll(h.tm.Output())
		after = append(after, more...)
		time.Sleep(20 * time.Millisecond)
	}
}

// toOverview types a name on General, selects the first module and goes
// on to the Overview, once it knows whether the name is taken.
func (h *harness) toOverview(name string) {
	h.t.Helper()
	h.typeText(name)
	h.press("ctrl+n")
	h.waitText("0 of 8 selected")
	h.press("space", "enter")
	h.waitText("Modules (1)")
	var full string
	h.inspect(func(m *ui.Model) { full = strings.TrimSpace(m.Data().Name) })
	h.waitChecked(full)
}

// hasSpinner reports a spinner frame (braille) on screen: something is
// still loading.
func hasSpinner(s string) bool {
	for _, r := range s {
		if r >= 0x2800 && r <= 0x28ff {
			return true
		}
	}
	return false
}
