package steps

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/theme"
	"github.com/softwareone/apitoken/ui/common"
)

type summaryKeys struct {
	Copy, Reveal, Details, Verify, Close key.Binding
}

func newSummaryKeys() summaryKeys {
	return summaryKeys{
		Copy:    key.NewBinding(key.WithKeys("c", "y"), key.WithHelp("c", "copy token")),
		Reveal:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reveal")),
		Details: key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "view details")),
		Verify:  key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "check it works")),
		// Not esc: one screen earlier esc meant "back", and here it must
		// never leave without the token.
		Close: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "close")),
	}
}

// maskRunes is how many bullets stand for the secret while it is hidden.
const maskRunes = 24

// SummaryStep shows the created token once, with copy and reveal.
type SummaryStep struct {
	data  *Data
	theme *theme.Theme
	act   Actions
	keys  summaryKeys

	revealed bool

	width, height int
}

// NewSummary builds the Summary step.
func NewSummary(c *common.Common, data *Data, act Actions) *SummaryStep {
	s := &SummaryStep{data: data, theme: c.Theme, act: act, keys: newSummaryKeys()}
	s.SetSize(80, 20)
	return s
}

// Enter implements Step.
func (s *SummaryStep) Enter(string) tea.Cmd { return nil }

// Capturing implements Step.
func (s *SummaryStep) Capturing() bool { return false }

// Revealed reports whether the token value is on screen.
func (s *SummaryStep) Revealed() bool { return s.revealed }

// SetSize implements Step.
func (s *SummaryStep) SetSize(w, h int) { s.width, s.height = w, h }

// Update implements Step.
func (s *SummaryStep) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		k := s.keys
		switch {
		case key.Matches(msg, k.Copy):
			return s.act.Copy()
		case key.Matches(msg, k.Reveal):
			s.revealed = !s.revealed
		case key.Matches(msg, k.Details):
			return s.act.Details()
		case key.Matches(msg, k.Verify):
			return s.act.Verify()
		case key.Matches(msg, k.Close):
			return s.act.Close()
		}
	}
	return nil
}

// tokenText is the value as drawn: the id part is not secret and helps
// tell tokens apart, the rest is hidden until revealed.
func (s *SummaryStep) tokenText() string {
	tok := s.data.Created
	if tok == nil {
		return ""
	}
	value := tok.Token.Reveal()
	if s.revealed {
		return textsafe.Line(value, 0)
	}
	prefix := "idt:" + tok.ID + ":"
	if !strings.HasPrefix(value, prefix) {
		prefix = ""
	}
	return textsafe.Line(prefix, 40) + strings.Repeat("•", maskRunes)
}

// tokenView draws the value with nothing around it (no border, no indent),
// so a mouse selection copies the token and only the token. It is one
// line where the window is wide enough; in a narrower one it is split at
// the window's edge and says so, since no terminal line can hold it.
func (s *SummaryStep) tokenView(w int) string {
	t := s.theme
	value := s.tokenText()
	style := t.Summary.TokenMasked
	if s.revealed {
		style = t.Summary.Token
	}
	if n := ansi.StringWidth(value); n > w {
		lines := strings.Split(ansi.Hardwrap(value, w, false), "\n")
		for i, l := range lines {
			lines[i] = style.Render(l)
		}
		note := fmt.Sprintf("The window is %d columns; the token is %d, so it spans %d lines: copy with c, or widen the window.", w, n, len(lines))
		return strings.Join(lines, "\n") + "\n" + t.Form.Hint.Render(ansi.Truncate(note, w, textsafe.Ellipsis))
	}
	return style.Render(value)
}

// View implements Step.
func (s *SummaryStep) View() string {
	t := s.theme
	tok := s.data.Created
	w := max(s.width, 20)
	if tok == nil {
		return t.Status.Error.Render("No token was created.")
	}
	var b strings.Builder
	b.WriteString(t.Summary.Success.Render("✓ Your token is created") + "\n\n")
	row := func(k, v string) {
		b.WriteString("  " + t.Overview.Key.Render(fmt.Sprintf("%-10s", k)) + t.Overview.Value.Render(ansi.Truncate(v, max(w-12, 8), textsafe.Ellipsis)) + "\n")
	}
	row("ID", textsafe.Line(tok.ID, 40))
	row("Name", textsafe.Line(tok.Name, 0))
	row("Status", textsafe.Line(tok.Status, 20))
	names := make([]string, 0, len(tok.Modules))
	for _, m := range tok.Modules {
		n := m.Name
		if n == "" {
			n = m.ID
		}
		names = append(names, textsafe.Line(n, 60))
	}
	row("Modules", strings.Join(names, ", "))
	if tok.Account != nil {
		row("Account", textsafe.Line(tok.Account.Name, 60)+" · "+textsafe.Line(tok.Account.ID, 20))
	}
	b.WriteString("\n")

	// The warning comes first, so no window the app accepts hides it.
	b.WriteString(t.Summary.Notice.Render(ansi.Truncate("⚠ Copy the token now: you will not see it again.", w, textsafe.Ellipsis)) + "\n")
	b.WriteString(s.tokenView(w) + "\n")
	b.WriteString(t.Form.Hint.Render(ansi.Truncate("It can take up to a minute before the token works everywhere.", w, textsafe.Ellipsis)) + "\n")
	if v := s.verifyView(w); v != "" {
		b.WriteString("\n" + v + "\n")
	}
	if s.data.CopyNote != "" {
		style := t.Summary.Copied
		if s.data.CopyErr {
			style = t.Status.Error
		}
		b.WriteString("\n" + style.Render(ansi.Truncate(s.data.CopyNote, w, textsafe.Ellipsis)))
	}
	return b.String()
}

// ShortHelp implements help.KeyMap.
func (s *SummaryStep) ShortHelp() []key.Binding {
	k := s.keys
	reveal := k.Reveal
	if s.revealed {
		reveal = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "hide"))
	}
	return []key.Binding{k.Copy, reveal, k.Details, k.Verify, k.Close}
}

// FullHelp implements help.KeyMap.
func (s *SummaryStep) FullHelp() [][]key.Binding {
	return [][]key.Binding{s.ShortHelp()}
}

// verifyView draws where Verify stands: a bar while the propagation is
// waited out, then whether the token works.
func (s *SummaryStep) verifyView(w int) string {
	t, v := s.theme, s.data.Verify
	switch v.State {
	case VerifyWaiting:
		label := fmt.Sprintf(" %3.0f%% waiting for the token to work everywhere", v.Progress*100)
		barW := max(min(w-ansi.StringWidth(label), 30), 5)
		full := int(v.Progress * float64(barW))
		full = max(min(full, barW), 0)
		bar := t.Summary.Success.Render(strings.Repeat("█", full)) + t.Form.Hint.Render(strings.Repeat("░", barW-full))
		return bar + t.Form.Hint.Render(ansi.Truncate(label, max(w-barW, 1), textsafe.Ellipsis))
	case VerifyChecking:
		return t.Form.Hint.Render(ansi.Truncate("Checking: the token reads itself…", w, textsafe.Ellipsis))
	case VerifyDone:
		style := t.Summary.Copied
		if !v.OK {
			style = t.Status.Error
		}
		return style.Render(ansi.Truncate(v.Text, w, textsafe.Ellipsis))
	}
	return ""
}
