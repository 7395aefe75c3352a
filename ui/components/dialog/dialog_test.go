package dialog

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/softwareone/apitoken/theme"
)

var (
	enterK = tea.KeyPressMsg{Code: tea.KeyEnter}
	escK   = tea.KeyPressMsg{Code: tea.KeyEscape}
	rightK = tea.KeyPressMsg{Code: tea.KeyRight}
	leftK  = tea.KeyPressMsg{Code: tea.KeyLeft}
	tabK   = tea.KeyPressMsg{Code: tea.KeyTab}
	btabK  = tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
)

func ch(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Text: string(r)} }

func typed(s string) []tea.KeyPressMsg {
	var ks []tea.KeyPressMsg
	for _, r := range s {
		ks = append(ks, ch(r))
	}
	return ks
}

func disable() Model {
	return New(Options{
		ID: "disable TKN-1", Title: "Disable “Orders sync”?", Confirm: "Disable", Danger: true,
		Body: "Calls made with this token will be refused until it is enabled again. Nothing else changes.",
	}, theme.New(true).Dialog())
}

func del() Model {
	m := New(Options{
		ID: "delete TKN-1", Title: "Delete “Orders sync”?", Confirm: "Delete", Danger: true,
		Body:     "The token is deleted for good: integrations using it stop working. This cannot be undone.",
		TypeBack: []string{"Orders sync", "TKN-1"},
	}, theme.New(true).Dialog())
	m.SetWidth(100)
	return m
}

// run feeds keys and returns the model and the results sent.
func run(m Model, keys ...tea.KeyPressMsg) (Model, []ResultMsg) {
	var out []ResultMsg
	for _, k := range keys {
		var cmd tea.Cmd
		m, cmd = m.Update(k)
		if cmd == nil {
			continue
		}
		if r, ok := cmd().(ResultMsg); ok {
			out = append(out, r)
		}
	}
	return m, out
}

func TestAnswers(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys []tea.KeyPressMsg
		want string // "": no answer
	}{
		{"enter presses the safe default", []tea.KeyPressMsg{enterK}, "false"},
		{"right then enter", []tea.KeyPressMsg{rightK, enterK}, "true"},
		{"right left enter", []tea.KeyPressMsg{rightK, leftK, enterK}, "false"},
		{"tab then enter", []tea.KeyPressMsg{tabK, enterK}, "true"},
		{"esc", []tea.KeyPressMsg{rightK, escK}, "false"},
		{"y", []tea.KeyPressMsg{ch('y')}, "true"},
		{"n on the action", []tea.KeyPressMsg{rightK, ch('n')}, "false"},
		{"other keys do nothing", []tea.KeyPressMsg{ch('x'), rightK}, ""},
		{"one answer only", []tea.KeyPressMsg{ch('y'), ch('n'), enterK, escK}, "true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, rs := run(disable(), tc.keys...)
			got := ""
			if len(rs) > 1 {
				t.Fatalf("%d answers: %v", len(rs), rs)
			}
			if len(rs) == 1 {
				got = fmt.Sprint(rs[0].Confirmed)
				if rs[0].ID != "disable TKN-1" {
					t.Errorf("id %q", rs[0].ID)
				}
			}
			if got != tc.want || m.Done() != (tc.want != "") {
				t.Errorf("answer %q done %v, want %q", got, m.Done(), tc.want)
			}
		})
	}
}

func TestTypeBack(t *testing.T) {
	m := del()
	if m.Enabled() || m.Focus() != "input" {
		t.Fatalf("new: enabled %v, focus %s", m.Enabled(), m.Focus())
	}
	// y and enter go to the input, and an unmatched enter does nothing.
	m, rs := run(m, ch('y'), enterK, ch('n'))
	if len(rs) != 0 || m.Enabled() || m.input.Value() != "yn" {
		t.Fatalf("y/enter/n in the input: %v, enabled %v, value %q", rs, m.Enabled(), m.input.Value())
	}
	// Tab reaches Cancel, not the disabled Delete, then back to the input.
	m, _ = run(m, tabK)
	if m.Focus() != "Cancel" {
		t.Fatalf("tab: focus %s", m.Focus())
	}
	if m, _ = run(m, rightK); m.Focus() != "Cancel" {
		t.Fatalf("right reached the disabled Delete: %s", m.Focus())
	}
	if m, _ = run(m, ch('y')); m.Done() {
		t.Fatal("y confirmed a disabled Delete")
	}
	if m, _ = run(m, tabK); m.Focus() != "input" {
		t.Fatalf("tab from Cancel: focus %s", m.Focus())
	}
	m, _ = run(m, tea.KeyPressMsg{Code: tea.KeyBackspace}, tea.KeyPressMsg{Code: tea.KeyBackspace})
	m, _ = run(m, typed("Orders syn")...)
	if m.Enabled() {
		t.Fatal("enabled by a prefix of the name")
	}
	m, _ = run(m, ch('c'))
	if !m.Enabled() {
		t.Fatalf("not enabled by the name (typed %q)", m.input.Value())
	}
	m, rs = run(m, enterK)
	if len(rs) != 0 || m.Focus() != "Delete" {
		t.Fatalf("enter after the name: %v, focus %s", rs, m.Focus())
	}
	m, _ = run(m, btabK, btabK) // Delete → Cancel → input
	if m.Focus() != "input" {
		t.Fatalf("shift+tab twice: focus %s", m.Focus())
	}
	m, _ = run(m, tabK, tabK, enterK)
	if !m.Done() {
		t.Fatal("enter on Delete did not answer")
	}
	if _, rs = run(del(), append(typed("  TKN-1 "), enterK, enterK)...); len(rs) != 1 || !rs[0].Confirmed {
		t.Fatalf("the id with spaces around: %v", rs)
	}
	if _, rs = run(del(), append(typed("TKN-1"), enterK, escK)...); len(rs) != 1 || rs[0].Confirmed {
		t.Fatalf("esc on Delete: %v", rs)
	}
	if _, rs = run(del(), append(typed("orders sync"), enterK, enterK)...); len(rs) != 0 {
		t.Fatalf("a name in the wrong case confirmed: %v", rs)
	}
}

// TestPasteTypesBack: pasting the id into the input counts as typing it.
func TestPasteTypesBack(t *testing.T) {
	m, _ := del().Update(tea.PasteMsg{Content: "TKN-1"})
	if !m.Enabled() {
		t.Fatalf("paste did not enable Delete (value %q)", m.input.Value())
	}
	if m, _ = disable().Update(tea.PasteMsg{Content: "y"}); m.Done() {
		t.Error("a paste answered a dialog")
	}
}

func TestViewGolden(t *testing.T) {
	t.Run("disable_100", func(t *testing.T) {
		m := disable()
		m.SetWidth(100)
		golden.RequireEqual(t, ansi.Strip(m.View()))
	})
	t.Run("delete_typing_60", func(t *testing.T) {
		m := del()
		m.SetWidth(60)
		m, _ = run(m, typed("TKN")...)
		golden.RequireEqual(t, ansi.Strip(m.View()))
	})
	t.Run("delete_enabled_60", func(t *testing.T) {
		m := del()
		m.SetWidth(60)
		m, _ = run(m, append(typed("TKN-1"), enterK)...)
		golden.RequireEqual(t, ansi.Strip(m.View()))
	})
	t.Run("overlay_80x20", func(t *testing.T) {
		var page []string
		for i := 0; i < 18; i++ { // two lines short: Overlay fills the screen
			page = append(page, theme.New(true).Table().Cell.Render(strings.Repeat(fmt.Sprintf("row %02d ", i), 12)[:80]))
		}
		m := disable()
		m.SetWidth(50)
		v := Overlay(strings.Join(page, "\n"), m.View(), 80, 20)
		lines := strings.Split(v, "\n")
		if len(lines) != 20 {
			t.Errorf("%d lines", len(lines))
		}
		for i, l := range lines {
			if w := ansi.StringWidth(l); w != 80 && i < 18 {
				t.Errorf("line %d is %d wide", i, w)
			}
		}
		golden.RequireEqual(t, ansi.Strip(v))
	})
}

func TestTextIsInert(t *testing.T) {
	m := New(Options{
		Title: "Delete \x1b]0;pwned\x07“x”?", Body: "gone\x1b[2J\u202e for good", Confirm: "Delete\x1b[5m",
		TypeBack: []string{"name\x1b[31m", "   "},
	}, theme.New(false).Dialog())
	v := m.View()
	for _, bad := range []string{"\x1b]", "\x1b[2J", "\x1b[5m", "\u202e", "\x1b[31m"} {
		if strings.Contains(v, bad) {
			t.Errorf("view holds %q", bad)
		}
	}
	if p := ansi.Strip(v); !strings.Contains(p, "Type “name” to enable Delete") {
		t.Errorf("view:\n%s", p)
	}
	m, _ = run(m, append(typed("name"), enterK, enterK)...)
	if !m.Done() {
		t.Error("the cleaned name does not enable the action")
	}
}
