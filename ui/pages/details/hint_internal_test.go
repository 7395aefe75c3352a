package details

import (
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/ui/actions/acttest"
)

// TestValueHintFollowsTheKeyMap: the hint under a known value names the
// keys as bound, so a binding changed in the key map changes the hint.
func TestValueHintFollowsTheKeyMap(t *testing.T) {
	c, _ := acttest.NewCommon(100, 30, func() time.Time { return acttest.Now })
	tok := apiclient.APIToken{ID: "TKN-1000-1003", Name: "Order sync", Status: apiclient.TokenStatusActive}
	p := New(c, nil, tok, WithValue("idt:TKN-1000-1003:secret"))
	hint := func() string {
		for _, l := range strings.Split(ansi.Strip(p.View()), "\n") {
			if strings.Contains(l, "show/hide") {
				return strings.TrimSpace(l)
			}
		}
		t.Fatalf("no hint under the value:\n%s", ansi.Strip(p.View()))
		return ""
	}
	if got, want := hint(), "s show/hide · c copy · w check it works"; got != want {
		t.Fatalf("hint %q, want %q", got, want)
	}
	p.k.Show = key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "show/hide token"))
	p.k.Copy = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy token"))
	p.k.Verify = key.NewBinding(key.WithKeys("ctrl+k"), key.WithHelp("ctrl+k", "check it works"))
	if got, want := hint(), "S show/hide · y copy · ctrl+k check it works"; got != want {
		t.Fatalf("hint after rebinding %q, want %q", got, want)
	}
}
