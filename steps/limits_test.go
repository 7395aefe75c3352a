package steps_test

import (
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/steps"
)

// TestSelectAllPastTheLimit: ctrl+a on 300 modules is refused when it is
// pressed, not at Add, and selects nothing.
func TestSelectAllPastTheLimit(t *testing.T) {
	data := steps.NewData("ACC-9000-0001", false)
	data.Catalog = steps.ModulesFrom(benchCatalog()[:300])
	s := steps.NewModules(testCommon(), data, noActions{})
	s.Update(steps.ModulesLoadedMsg{})
	s.SetSize(100, 25)
	s.Update(tea.KeyPressMsg{Code: 'a', Mod: tea.ModCtrl})
	if n := len(data.Selected); n != 0 {
		t.Errorf("%d modules selected, want none", n)
	}
	if v := s.View(); !strings.Contains(v, "at most 100") {
		t.Errorf("the limit is not reported:\n%s", v)
	}
	// One by one, the 101st is refused too.
	for range 101 {
		s.Update(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
		s.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	}
	if n := len(data.Selected); n != apiclient.MaxModules {
		t.Errorf("%d modules selected, want %d", n, apiclient.MaxModules)
	}
}

// TestInputIsCapped: a huge paste into the name or the description is
// cut a little past the API's limit (enough to show the error), so it
// costs nothing to handle.
func TestInputIsCapped(t *testing.T) {
	data := steps.NewData("ACC-9000-0001", false)
	s := steps.NewGeneral(testCommon(), data, noActions{})
	huge := strings.Repeat("x", 1<<20)
	s.Update(tea.PasteMsg{Content: huge})
	if n := utf8.RuneCountInString(data.Name); n > apiclient.MaxNameLength+50 || n <= apiclient.MaxNameLength {
		t.Errorf("name holds %d characters, want a little over %d", n, apiclient.MaxNameLength)
	}
	s.Update(tea.KeyPressMsg{Code: tea.KeyTab})
	s.Update(tea.PasteMsg{Content: huge})
	if n := utf8.RuneCountInString(data.Description); n > apiclient.MaxDescriptionLength+50 || n <= apiclient.MaxDescriptionLength {
		t.Errorf("description holds %d characters, want a little over %d", n, apiclient.MaxDescriptionLength)
	}
	if v := s.View(); !strings.Contains(v, "limit") {
		t.Errorf("the error is not shown:\n%s", v)
	}
}

// TestErrorsInWords: a create that could not reach the API says so in
// words, that nothing was created and what to do; the Go error sits on a
// line of its own below.
func TestErrorsInWords(t *testing.T) {
	data := steps.NewData("ACC-9000-0001", false)
	data.Name = "offline"
	s := steps.NewOverview(testCommon(), data, noActions{})
	s.SetSize(100, 30)
	dial := &url.Error{Op: "Post", URL: "http://127.0.0.1:1/public/v1/accounts/api-tokens",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}}
	data.Create.State, data.Create.Err, data.Create.Outcome = steps.CreateFailed, dial, "Nothing was created."
	s.Enter("")
	lines := strings.Split(ansi.Strip(s.View()), "\n")
	for i, l := range lines {
		if strings.Contains(l, "Could not connect to the Marketplace API") {
			if strings.Contains(l, "dial tcp") || !strings.Contains(strings.Join(lines[i:], " "), "Nothing was created.") ||
				!strings.Contains(strings.Join(lines[i+1:], " "), "connection refused") {
				t.Errorf("words, outcome and detail not as promised:\n%s", strings.Join(lines, "\n"))
			}
			return
		}
	}
	t.Errorf("no error in words:\n%s", strings.Join(lines, "\n"))
}

// TestOverviewHelpFollowsTheFocus: with Back focused, the help bar says
// what enter does now (goes back), not "add token".
func TestOverviewHelpFollowsTheFocus(t *testing.T) {
	data := steps.NewData("ACC-9000-0001", false)
	data.Name = "focus"
	s := steps.NewOverview(testCommon(), data, noActions{})
	s.SetSize(100, 30)
	s.Enter("")
	enterSays := func() string {
		for _, b := range s.ShortHelp() {
			if b.Help().Key == "enter" {
				return b.Help().Desc
			}
		}
		return ""
	}
	if got := enterSays(); got != "add token" {
		t.Fatalf("with Add focused, enter says %q", got)
	}
	s.Update(tea.KeyPressMsg{Code: tea.KeyLeft})
	if got := enterSays(); got != "back" {
		t.Errorf("with Back focused, enter says %q, want \"back\"", got)
	}
}

// TestNameTakenWarningFits: the warning that the name is taken, arriving
// after the Overview opened, takes its lines from the review: the step
// still fits the height it was given, buttons included.
func TestNameTakenWarningFits(t *testing.T) {
	data := steps.NewData("ACC-9000-0001", false)
	// A long name: the warning wraps to several lines.
	data.Name = "A name long enough for the warning to take more lines than the review keeps for it"
	data.Selected = map[string]bool{}
	s := steps.NewOverview(testCommon(), data, noActions{})
	s.SetSize(60, 15)
	s.Enter("")
	data.NameTaken = &apiclient.APIToken{ID: "TKN-1000-1003", Name: data.Name}
	s.Update(steps.NameCheckedMsg{})
	v := ansi.Strip(s.View())
	if n := lipgloss.Height(v); n > 15 || !strings.Contains(v, "already named") || !strings.Contains(v, "← Back") {
		t.Errorf("%d lines for 15, with the warning and the buttons:\n%s", n, v)
	}
}
