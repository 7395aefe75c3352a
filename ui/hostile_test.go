package ui_test

// Hardening: a server may send any string as an account name, a module
// name or description. testdata/hostile.json is a sandbox catalogue made of
// such strings (escape sequences of every family, C0 and C1 controls, bidi
// controls, separators, a 10 000-character name). These tests drive the
// wizard and the CLI with it and check that nothing of it reaches the
// terminal as anything but inert text.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/sandbox"
	"github.com/softwareone/apitoken/steps"
	"github.com/softwareone/apitoken/ui"
)

const hostileFixture = "../testdata/hostile.json"

func loadHostile(t *testing.T) *sandbox.Fixture {
	t.Helper()
	fx, err := sandbox.LoadFixtureFile(hostileFixture)
	if err != nil {
		t.Fatalf("loading %s: %v", hostileFixture, err)
	}
	return fx
}

// TestHostileFixtureCoversEverything keeps the fixture honest: each kind
// of hostile string the tests below are about is in it.
func TestHostileFixtureCoversEverything(t *testing.T) {
	fx := loadHostile(t)
	var all strings.Builder
	var longest int
	for _, a := range fx.Accounts {
		all.WriteString(a.Name)
	}
	for _, m := range fx.Modules {
		all.WriteString(m.Name + m.Description)
		longest = max(longest, utf8.RuneCountInString(m.Name))
	}
	for _, e := range fx.Extensions {
		all.WriteString(e.Name)
	}
	text := all.String()
	for what, s := range map[string]string{
		"clear screen": "\x1b[2J", "cursor move": "\x1b[10A", "SGR colour": "\x1b[31;1m",
		"OSC 52": "\x1b]52;c;aGVsbG8=\a", "OSC 8": "\x1b]8;;", "OSC 0": "\x1b]0;", "DCS": "\x1bP", "APC": "\x1b_",
		"PM": "\x1b^", "SOS": "\x1bX", "BEL": "\a", "BS": "\b", "CR": "\r", "LF": "\n", "TAB": "\t", "NUL": "\x00",
		"C1 CSI": "\u009b", "C1 OSC": "\u009d", "NEL": "\u0085", "RLO": "\u202e", "LRI": "\u2066", "RLI": "\u2067",
		"FSI": "\u2068", "PDI": "\u2069", "LINE SEPARATOR": "\u2028", "lone surrogate": "\ufffd",
		"escaped backslash": `\u001b[31m`,
	} {
		if !strings.Contains(text, s) {
			t.Errorf("the fixture has no %s (%q)", what, s)
		}
	}
	if longest != 10_000 {
		t.Errorf("the longest module name is %d characters, want 10 000", longest)
	}
	if !strings.Contains(fx.Accounts[0].Name, "\x1b") || fx.DefaultAccount != fx.Accounts[0].ID {
		t.Errorf("the default account's name is not hostile: %q", fx.Accounts[0].Name)
	}
}

// frameProblems lists what is wrong with a frame as the model renders it
// (View().Content, before any stripping): every ESC must start an SGR
// sequence (styling), and no other control character (LF aside), C1
// control, bidi control or separator may appear; no line may be wider
// than the window nor the frame taller.
func frameProblems(frame string, width, height int) []string {
	var out []string
	bad := func(format string, args ...any) {
		if len(out) < 10 {
			out = append(out, fmt.Sprintf(format, args...))
		}
	}
	if !utf8.ValidString(frame) {
		bad("invalid UTF-8")
	}
	for i := 0; i < len(frame); {
		r, size := utf8.DecodeRuneInString(frame[i:])
		switch {
		case r == 0x1b:
			n := sgrLen(frame[i:])
			if n == 0 {
				bad("escape sequence other than SGR at byte %d: %q", i, excerptAt(frame, i))
				n = 1
			}
			i += n
			continue
		case r == '\n':
		case textsafe.Unsafe(r):
			bad("unsafe rune %U at byte %d: %q", r, i, excerptAt(frame, i))
		}
		i += size
	}
	lines := strings.Split(frame, "\n")
	if len(lines) > height {
		bad("%d lines in a window %d high", len(lines), height)
	}
	for n, l := range lines {
		if w := ansi.StringWidth(l); w > width {
			bad("line %d is %d wide in a window %d wide: %q", n, w, width, ansi.Strip(l))
		}
	}
	return out
}

// TestHostileFrameCheck: the frame check finds what it is meant to find, so
// a passing TestHostileWizard means something.
func TestHostileFrameCheck(t *testing.T) {
	for _, tt := range []struct {
		frame string
		ok    bool
	}{
		{"plain\n\x1b[1;38;2;157;140;255mstyled\x1b[m \x1b[4:3munderlined\x1b[0m", true},
		{"界界 wide but fits", true},
		{"\x1b[2J", false}, {"\x1b[10A", false}, {"\x1b[?25l", false}, {"\x1b[6n", false}, {"\x1b[31", false},
		{"\x1b]52;c;aGVsbG8=\a", false}, {"\x1b]8;;https://x\x1b\\", false}, {"\x1bP1$r\x1b\\", false},
		{"\x1b_G\x1b\\", false}, {"\x1b^p\x1b\\", false}, {"\x1bXs\x1b\\", false}, {"\x1bc", false}, {"\x1b", false},
		{"a\ab", false}, {"a\bb", false}, {"a\x00b", false}, {"a\rb", false}, {"a\tb", false}, {"a\x7fb", false},
		{"\u009b31m", false}, {"\u009d0;t\u009c", false}, {"\u0085", false},
		{"\u202e", false}, {"\u2066x\u2069", false}, {"\u200f", false}, {"\u2028", false},
		{"\xff", false},
		{strings.Repeat("x", 21), false}, {strings.Repeat("界", 11), false}, {strings.Repeat("\n", 5), false},
	} {
		got := frameProblems(tt.frame, 20, 5)
		if (len(got) == 0) != tt.ok {
			t.Errorf("frameProblems(%q) = %q, want ok=%v", tt.frame, got, tt.ok)
		}
	}
	if p := cliProblems("Created API token TKN-1 \"x\".\nModules: a (MOD-1)\n"); len(p) != 0 {
		t.Errorf("cliProblems on plain text: %q", p)
	}
	for _, s := range []string{"\x1b[1m", "\a", "\r", "\u009b", "\u202e", "\u2028", "\x7f", "\xfe"} {
		if len(cliProblems(s)) == 0 {
			t.Errorf("cliProblems(%q) found nothing", s)
		}
	}
}

// sgrLen is the length of the SGR sequence (ESC [ params m) at the start
// of s, or 0 when s does not start with one.
func sgrLen(s string) int {
	if len(s) < 3 || s[0] != 0x1b || s[1] != '[' {
		return 0
	}
	for i := 2; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == ';', c == ':':
		case c == 'm':
			return i + 1
		default:
			return 0
		}
	}
	return 0
}

func excerptAt(s string, i int) string {
	return s[max(i-20, 0):min(i+40, len(s))]
}

// hostileWizard drives the wizard over the hostile catalogue and checks
// every frame it sees.
type hostileWizard struct {
	*harness
	width, height int
	frames        int
}

// check validates the current frame; what names the moment for the report.
func (h *hostileWizard) check(what string) string {
	h.t.Helper()
	frame := h.view()
	h.frames++
	if problems := frameProblems(frame, h.width, h.height); len(problems) > 0 {
		h.t.Errorf("%s at %dx%d: the frame is not inert:\n  %s\nframe (%%q):\n%q", what, h.width, h.height, strings.Join(problems, "\n  "), frame)
	}
	return ansi.Strip(frame)
}

// waitFor polls like harness.waitFor, checking every frame it sees.
func (h *hostileWizard) waitFor(what, text string) string {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		screen := h.check("waiting for " + what)
		if strings.Contains(screen, text) {
			return screen
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s (%q); screen:\n%s", what, text, screen)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitCreates waits until the sandbox has received n creates, checking
// frames meanwhile.
func (h *hostileWizard) waitCreates(n int) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(h.srv.Creates()) < n {
		h.check(fmt.Sprintf("waiting for create %d", n))
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for create %d; the sandbox has %d", n, len(h.srv.Creates()))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// press sends keys one at a time and checks the frame after each.
func (h *hostileWizard) press(what string, keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.harness.press(k)
		h.check(what + ", after " + k)
	}
}

func TestHostileWizard(t *testing.T) {
	for _, size := range [][2]int{{100, 30}, {60, 20}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			fx := loadHostile(t)
			h := &hostileWizard{
				harness: newHarness(t, withSize(size[0], size[1]), func(c *harnessConfig) { c.fixture = fx }),
				width:   size[0], height: size[1],
			}
			n := len(fx.Accounts[0].Modules)
			selected := func(k int) string { return fmt.Sprintf("%d of %d selected", k, n) }

			// General: the account name is in the header when there is
			// room for it, else its id.
			if size[0] >= 100 {
				h.waitFor("the account", "Hostile Corp")
			} else {
				h.waitFor("the account", "ACC-6666-0001")
			}
			h.typeText("x")
			h.check("General, name typed")

			// Modules: every row, the cursor on each in turn.
			h.press("General", "ctrl+n")
			h.waitFor("the modules", selected(0))
			for i := range n {
				h.press(fmt.Sprintf("Modules, row %d", i+1), "down")
			}
			h.press("Modules, back up", "up", "up", "up")
			// Filtering: a match, a miss, hostile text pasted, cleared.
			h.typeText("clip")
			h.waitFor("the filter", "Clipboard")
			h.typeText("zzz")
			h.waitFor("no match", "No module matches")
			h.press("Modules, filter", "esc")
			h.tm.Send(tea.PasteMsg{Content: "\x1b]52;c;aGVsbG8=\a\u202e\u009b2J"})
			h.check("Modules, hostile paste")
			h.press("Modules, filter", "esc")
			h.typeText("e")
			h.check("Modules, filter e")
			h.press("Modules, filter", "esc")
			h.press("Modules", "ctrl+a")
			h.waitFor("all selected", selected(n))
			for range n {
				h.press("Modules, all selected", "down")
			}

			// Overview with every module, then the request view.
			h.press("Modules", "enter")
			h.waitFor("the overview", fmt.Sprintf("Modules (%d)", n))
			h.press("Overview", "down", "down", "down")
			h.press("Overview", "r")
			h.waitFor("the request", `"modules": [`)
			h.press("Request", "down", "down", "down")
			h.press("Overview", "r")

			// Summary: the created token as the server answered it, with
			// the hostile module and account names in it.
			h.press("Overview", "enter")
			h.waitFor("the summary", "Your token is created")
			h.press("Summary", "r")
			h.press("Summary", "v")
			h.waitFor("the details", "Audit trail")
			for range 40 {
				h.press("Details", "down")
			}
			h.press("Details", "esc")
			h.check("Summary again")

			// The tokens area over the same account: the list, Edit's
			// steps with every hostile module, the details tabs, Rotate.
			h.press("Summary", "enter")
			h.waitFor("close without copy", "Close anyway?")
			h.press("Summary", "y")
			h.waitFor("the list", "TKN-5205-7441  ● Active")
			h.press("List", "e")
			h.waitFor("Edit", "Edit “x”")
			h.waitFor("Edit read", "Required.")
			h.press("Edit General", "ctrl+n")
			h.waitFor("Edit Modules", selected(n))
			for range n {
				h.press("Edit Modules", "down")
			}
			h.press("Edit Modules", "esc")
			h.press("Edit General", "esc")
			h.waitFor("the list again", "TKN-5205-7441  ● Active")
			h.press("List", "enter")
			h.waitFor("the details page", "Audit trail")
			for range 3 {
				h.press("Details tabs", "tab")
			}
			h.press("Details", "R")
			h.waitFor("Rotate", "enter rotate")
			h.press("Rotate", "esc")
			h.check("Details again")
			if h.frames < 100 {
				t.Errorf("only %d frames checked", h.frames)
			}
			stored := h.srv.StoredTokens()
			if len(stored) != 1 || len(stored[0].ModuleIDs) != n {
				t.Errorf("stored = %+v, want one token with all %d modules", stored, n)
			}
		})
	}
}

// hostileProblem is a problem document made of hostile strings, the
// recognisable words in capitals so a test can wait for them.
func hostileProblem(status int, fields map[string]string) string {
	p := map[string]any{
		"type":     "\x1b]8;;https://evil.example/\x1b\\about:blank\x1b]8;;\x1b\\",
		"title":    "\x1b]0;TITLE\aPROBLEM TITLE\u202e\u009b2J",
		"status":   status,
		"detail":   "\x1b[2J\x1b[HDETAIL\r\n\x1b]52;c;aGVsbG8=\a\u2066rtl\u2069\x00\b",
		"instance": "\x1bP1$r\x1b\\/public/v1",
		"traceId":  "00-\x1b[5mTRACE\u0085\u2028-00",
	}
	if len(fields) > 0 {
		errs := map[string][]string{}
		for k, v := range fields {
			errs[k] = []string{v, "\x1b_APC\x1b\\second\u009d0;x\u009c"}
		}
		p["errors"] = errs
	}
	b, err := json.Marshal(p)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestHostileWizardServerErrors: problem documents and error pages made of
// hostile strings, on every path where the wizard shows what the server
// said: a failed module fetch, field errors on a create (routed to the
// General and Modules steps), a 503 and a 502 HTML page on a create.
func TestHostileWizardServerErrors(t *testing.T) {
	const tokens, modules = "/public/v1/accounts/api-tokens", "/public/v1/accounts/modules"
	fx := loadHostile(t)
	h := &hostileWizard{
		harness: newHarness(t, func(c *harnessConfig) {
			c.fixture = fx
			c.clientOpts = append(c.clientOpts, apiclient.WithRetry(0, 0))
			c.beforeStart = func(srv *sandbox.Server) {
				srv.InjectFault(sandbox.Fault{Method: "GET", Path: modules, Status: 500, Times: 1,
					ContentType: "application/problem+json", Body: hostileProblem(500, nil)})
			}
		}),
		width: 100, height: 30,
	}
	n := len(fx.Accounts[0].Modules)
	h.waitFor("the account", "Hostile Corp")
	h.typeText("x")
	h.press("General", "ctrl+n")
	h.waitFor("the fetch failure", "Could not fetch the modules")
	h.waitFor("the server's detail", "DETAIL")
	h.press("Modules", "ctrl+r")
	h.waitFor("the modules", fmt.Sprintf("0 of %d selected", n))
	h.press("Modules", "space", "enter")
	h.waitFor("the overview", "Modules (1)")

	// Field errors: the wizard takes the user to the name, with the
	// server's message under it. That message is wiped by the next message
	// that reaches the focused field (a cursor blink: see the report), so
	// the test waits for the step, not for the text; the frames seen on
	// the way are checked all the same.
	h.srv.InjectFault(sandbox.Fault{Method: "POST", Path: tokens, Status: 400, Times: 1, ContentType: "application/problem+json",
		Body: hostileProblem(400, map[string]string{
			"name":           "\x1b]52;c;aGVsbG8=\aNAME REJECTED\u202e\x1b[2J\r\n",
			"modules[0].id":  "\u009b31mMODULE REJECTED\x1bPdcs\x1b\\",
			"\x1b[2Junknown": "\x1b]0;x\aFIELD",
		})})
	h.press("Overview", "enter")
	deadline := time.Now().Add(10 * time.Second)
	for h.activeStep() != steps.General {
		h.check("waiting for General")
		if time.Now().After(deadline) {
			t.Fatal("the wizard did not go back to General after the name was refused")
		}
		time.Sleep(5 * time.Millisecond)
	}
	h.check("General, name refused")
	h.press("General", "ctrl+n")
	h.waitFor("the module's error", "MODULE REJECTED")
	h.press("Modules", "enter")
	h.waitFor("the overview", "Modules (1)")

	// A refusal the wizard words itself (one line, cut at the window's
	// width: the server's detail and trace id are past the cut at 100
	// columns).
	h.srv.InjectFault(sandbox.Fault{Method: "POST", Path: tokens, Status: 409, Times: 1, ContentType: "application/problem+json",
		Body: hostileProblem(409, nil)})
	h.press("Overview", "enter")
	h.waitFor("the 409", "(409)")
	// A 503 and a gateway's HTML page: outcome unknown, checked, nothing
	// found.
	h.srv.InjectFault(sandbox.Fault{Method: "POST", Path: tokens, Status: 503, Times: 1, ContentType: "application/problem+json",
		Body: hostileProblem(503, nil)})
	h.press("Overview", "enter")
	h.waitFor("the check after the 503", "no token with this name was found")
	h.srv.InjectFault(sandbox.Fault{Method: "POST", Path: tokens, Status: 502, Times: 1, ContentType: "text/html",
		Body: "<html><head><title>\x1b]52;c;aGVsbG8=\aGATEWAY\u202e\x1b[2J</title></head><body>\x1bP</body></html>"})
	h.press("Overview", "enter")
	// The screen already says "no token with this name was found" (after the 503), and
	// enter reaches the wizard as a command, later: wait for the create
	// to reach the sandbox before waiting for the text.
	h.waitCreates(4)
	h.waitFor("the check after the 502", "no token with this name was found")
	h.press("Overview", "enter")
	h.waitFor("the summary", "Your token is created")
	if got := len(h.srv.StoredTokens()); got != 1 {
		t.Errorf("%d tokens stored, want 1", got)
	}
}

// cliProblems lists what makes CLI output unfit for a terminal: the CLI
// prints plain text, so no escape sequence at all, and no control
// character but LF.
func cliProblems(out string) []string {
	var probs []string
	for i, r := range out {
		if len(probs) == 10 {
			break
		}
		if r != '\n' && (r == 0x1b || textsafe.Unsafe(r)) {
			probs = append(probs, fmt.Sprintf("unsafe rune %U at byte %d: %q", r, i, excerptAt(out, i)))
		}
	}
	if !utf8.ValidString(out) {
		probs = append(probs, "invalid UTF-8")
	}
	return probs
}

// TestHostileAccessible: the screen-reader flow (plain prompts) prints the
// same server strings; it must print them inert too.
func TestHostileAccessible(t *testing.T) {
	fx := loadHostile(t)
	srv, client := accessibleSandbox(t, sandbox.WithFixture(fx))
	var out bytes.Buffer
	// Name, no description, no logo, modules 1 and 13, done, add, show the value.
	err := ui.RunAccessible(context.Background(), ui.Options{API: client, AccountID: srv.DefaultAccount()},
		strings.NewReader("x\n\n\n1\n13\n0\ny\ny\n"), &out)
	if err != nil {
		t.Fatalf("err = %v; out:\n%s", err, out.String())
	}
	if p := cliProblems(out.String()); len(p) > 0 {
		t.Errorf("output is not plain text:\n  %s\n%q", strings.Join(p, "\n  "), out.String())
	}
	for _, want := range []string{"Account: Hostile Corp", "Red alert CSI (MOD-0001)", "Clipboard writer OSC 52 (MOD-0002)", "Your token is created"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output does not contain %q:\n%s", want, out.String())
		}
	}
}
