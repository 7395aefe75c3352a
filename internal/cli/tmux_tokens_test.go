package cli

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/softwareone/apitoken/apiclient"
)

// TestTokensAreaInRealTerminal drives the built binary in tmux through the
// API tokens area: create a token, Close to the list, find it by filter,
// edit its modules, disable it, read its audit trail, delete it. After
// each step the sandbox is asked what it now holds.
func TestTokensAreaInRealTerminal(t *testing.T) {
	base, operator, _ := standaloneSandbox(t)
	api, err := apiclient.New(apiclient.WithBaseURL(base), apiclient.WithToken(apiclient.Secret(operator)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s := newTmux(t, 100, 30, []string{"HOME=" + t.TempDir(), "TERM=xterm-256color",
		"MPT_API_BASE_URL=" + base, "MPT_API_TOKEN=" + operator, "MPT_ACCOUNT_ID=ACC-1000-0001"}, binary(t))

	// Create, copy (unconfirmed under tmux), Close: the list, the new
	// token selected.
	id := s.createAndClose("tmux area token")

	// Find it by filter.
	s.send("/")
	s.typeText("tmux area")
	s.waitFor("1 of 1")
	s.send("Enter")

	// Edit its modules: add the second one, save.
	s.send("e")
	s.waitFor("Edit “tmux area token”")
	s.waitFor("Required.")
	s.send("C-n")
	s.waitFor("1 of 8 selected")
	s.send("Down", "Space")
	s.waitFor("2 of 8 selected")
	s.send("Enter")
	s.waitFor("● API tokens")
	tok, err := api.GetAPIToken(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok.Modules) != 2 {
		t.Fatalf("after the edit the token has %d modules, want 2", len(tok.Modules))
	}

	// Disable it from the list.
	s.send("t")
	s.waitFor("Disable")
	s.send("Tab", "Enter")
	s.waitFor("is disabled")
	if tok, err = api.GetAPIToken(ctx, id); err != nil || tok.Status != apiclient.TokenStatusDisabled {
		t.Fatalf("after Disable: %v, %+v", err, tok)
	}

	// Its audit trail on the details page.
	s.send("Enter")
	s.waitFor("Audit trail")
	s.send("Tab", "Tab", "Tab")
	screen := s.waitFor("disabled")
	if !strings.Contains(strings.ToLower(screen), "updated") && !strings.Contains(strings.ToLower(screen), "created") {
		t.Errorf("the audit trail shows no update or create:\n%s", screen)
	}

	// Delete it from the details page: the name typed back.
	s.send("x")
	s.waitFor("cannot be undone")
	s.typeText("tmux area token")
	s.send("Enter") // the typed name matches: the focus moves to Delete
	s.send("Enter")
	s.waitFor("is deleted")
	if _, err := api.GetAPIToken(ctx, id); !apiclient.IsNotFound(err) {
		t.Errorf("after Delete the token reads: %v", err)
	}
	all, err := api.ListAllAPITokens(ctx, "ACC-1000-0001", nil)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(all, func(t apiclient.APIToken) bool { return t.ID == id }) {
		t.Errorf("%s is still listed", id)
	}
	s.send("q")
	s.waitFor("EXITED 0")
}

// TestEveryCreatedTokenIsRecorded drives the built binary in tmux through
// a run that creates three tokens: the first wizard's, a second from the
// list's Add, and a rotation's. When the app ends, stderr lists each of
// them, in that order, after the sandbox notice: id and name, no value.
func TestEveryCreatedTokenIsRecorded(t *testing.T) {
	stderrFile := filepath.Join(t.TempDir(), "stderr")
	s := newTmux(t, 100, 30, []string{"HOME=" + t.TempDir(), "TERM=xterm-256color", "MPT_API_TOKEN="},
		binary(t)+" 2>"+stderrFile)
	first := s.createAndClose("record one")
	s.send("a")
	second := s.createAndClose("record two")

	// Rotate the second (the list selects it after Close).
	s.send("Enter")
	s.waitFor("Audit trail")
	s.send("R")
	s.waitFor("A new token is created with the same name")
	s.send("Enter")
	screen := s.waitFor("The new token is created")
	m := regexp.MustCompile(`The new token is created: “record two” \((TKN-\d{4}-\d{4})\)`).FindStringSubmatch(screen)
	if m == nil {
		t.Fatalf("no new token id on the rotation's page:\n%s", screen)
	}
	rotated := m[1]
	s.send("r", "Enter")
	s.waitFor("now?")
	s.send("y")
	s.waitFor("Rotated:")
	s.send("q")
	s.waitFor("EXITED 0")

	data, err := os.ReadFile(stderrFile)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	want := sandboxUsedNotice + "\n" +
		"Created API token " + first + ` "record one".` + "\n" +
		"Created API token " + second + ` "record two".` + "\n" +
		"Created API token " + rotated + ` "record two".` + "\n"
	if text != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", text, want)
	}
}

// createToSummary adds a token named name in the wizard on screen (one
// module) and returns its id from the Summary.
func (s *tmuxSession) createToSummary(name string) string {
	s.t.Helper()
	s.waitFor("API token name")
	s.typeText(name)
	s.send("C-n")
	s.waitFor("0 of 8 selected")
	s.send("Space", "Enter")
	s.waitFor("Modules (1)")
	s.send("Enter")
	screen := s.waitFor("Your token is created")
	id := regexp.MustCompile(`TKN-\d{4}-\d{4}`).FindString(screen)
	if id == "" {
		s.t.Fatalf("no token id on the Summary:\n%s", screen)
	}
	return id
}

// createAndClose adds a token as createToSummary does, copies it
// (unconfirmed under tmux, so Close asks) and closes it to the list, which
// selects it; it returns the token's id.
func (s *tmuxSession) createAndClose(name string) string {
	s.t.Helper()
	id := s.createToSummary(name)
	s.send("c", "Enter")
	s.waitFor("Close anyway?")
	s.send("y")
	s.waitFor("● API tokens")
	s.waitFor(id)
	return id
}
