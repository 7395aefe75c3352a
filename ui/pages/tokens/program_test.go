package tokens_test

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/softwareone/apitoken/ui/actions/acttest"
	"github.com/softwareone/apitoken/ui/pages/tokens"
)

// shell runs a page as a program, as the root would: every message to
// the page, its body as the view.
type shell struct {
	p    *tokens.Page
	seen chan string
}

type peek struct{}

func (s shell) Init() tea.Cmd { return s.p.Init() }

func (s shell) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(peek); ok {
		s.seen <- ansi.Strip(s.p.View())
		return s, nil
	}
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "ctrl+c" {
		return s, tea.Quit
	}
	return s, s.p.Update(msg)
}

func (s shell) View() tea.View { return tea.NewView(s.p.View()) }

// TestAsAProgram runs the page with real timers (the spinner, the
// debounce): the list loads, and a filter typed at the keyboard narrows
// it.
func TestAsAProgram(t *testing.T) {
	env := acttest.Sandbox(t, nil)
	c, _ := acttest.NewCommon(100, 30, func() time.Time { return acttest.Now })
	p := tokens.New(c, env.Client, tokens.WithAccount(env.Srv.DefaultAccount()))
	p.SetSize(100, 30)
	sh := shell{p: p, seen: make(chan string)}
	tm := teatest.NewTestModel(t, sh, teatest.WithInitialTermSize(100, 30))
	screen := func() string {
		tm.Send(peek{})
		select {
		case s := <-sh.seen:
			return s
		case <-time.After(10 * time.Second):
			t.Fatal("the program does not answer")
			return ""
		}
	}
	waitFor := func(what string, cond func(string) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for s := screen(); !cond(s); s = screen() {
			if time.Now().After(deadline) {
				t.Fatalf("no %s:\n%s", what, s)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor("list", func(s string) bool { return strings.Contains(s, "1 of 16") })
	tm.Send(acttest.Key("/"))
	tm.Type("bridge")
	waitFor("filtered list", func(s string) bool { return strings.Contains(s, "1 of 2") && strings.Contains(s, "Helpdesk bridge 2") })
	tm.Send(acttest.Key("ctrl+c"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}
