package rotate_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/sandbox"
	"github.com/softwareone/apitoken/ui/actions/acttest"
	"github.com/softwareone/apitoken/ui/pages/rotate"
)

// withIcon creates a token with an uploaded icon.
func withIcon(t *testing.T, env *acttest.Env) *apiclient.APIToken {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewNRGBA(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	mods, err := env.Client.ListEnabledModules(ctx, env.Srv.DefaultAccount())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := env.Client.CreateAPIToken(ctx, &apiclient.CreateAPITokenRequest{AccountID: env.Srv.DefaultAccount(),
		Name: "Iconic", Description: "Has a logo.", ModuleIDs: []string{mods[0].ID},
		Icon: &apiclient.Icon{Filename: "logo.png", ContentType: "image/png", Data: b.Bytes()}})
	if err != nil {
		t.Fatal(err)
	}
	if tok.Icon == nil {
		t.Fatal("the sandbox kept no icon")
	}
	return tok
}

// rotateOnce opens Rotate on old and starts it, answering every command.
func rotateOnce(t *testing.T, env *acttest.Env, old *apiclient.APIToken) (*rotate.Page, []string) {
	t.Helper()
	c, _ := acttest.NewCommon(100, 30, func() time.Time { return acttest.Now })
	p := rotate.New(c, env.Client, *old)
	p.SetSize(100, 30)
	acttest.Drive(p, p.Init())
	before := len(env.Rec.Writes())
	acttest.Send(p, acttest.Key("enter"))
	return p, env.Rec.Writes()[before:]
}

// TestRotateCopiesTheIcon: the new token gets the old one's icon, by a PUT
// after the create, while its value is on screen.
func TestRotateCopiesTheIcon(t *testing.T) {
	env := acttest.Sandbox(t, nil)
	old := withIcon(t, env)
	p, writes := rotateOnce(t, env, old)
	if len(writes) != 2 || !strings.HasPrefix(writes[0], "POST ") || !strings.HasPrefix(writes[1], "PUT ") {
		t.Fatalf("the sandbox received %v, want the create and one PUT", writes)
	}
	if p.Stage() != rotate.Shown || !strings.Contains(ansi.Strip(p.View()), "The new token is created") {
		t.Fatalf("stage %v:\n%s", p.Stage(), ansi.Strip(p.View()))
	}
	id := writes[1][strings.LastIndex(writes[1], "/")+1:]
	nw, err := env.Client.GetAPIToken(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if nw.Icon == nil || *nw.Icon != *old.Icon || nw.Name != old.Name || *nw.Description != *old.Description {
		t.Fatalf("the new token: icon %v name %q, want icon %q name %q", nw.Icon, nw.Name, *old.Icon, old.Name)
	}
}

// TestRotateIconFailureIsSaid: a refused PUT of the icon is said beside the
// value, and the rotation goes on to the old token.
func TestRotateIconFailureIsSaid(t *testing.T) {
	env := acttest.Sandbox(t, nil)
	old := withIcon(t, env)
	env.SetFault(func(r *http.Request) *sandbox.Fault {
		if r.Method == http.MethodPut {
			return &sandbox.Fault{Status: http.StatusServiceUnavailable}
		}
		return nil
	})
	p, writes := rotateOnce(t, env, old)
	puts := 0
	for _, w := range writes {
		if strings.HasPrefix(w, "PUT ") {
			puts++
		}
	}
	if s := ansi.Strip(p.View()); !strings.Contains(s, "The icon was not copied") || !strings.Contains(s, "The new token is created") {
		t.Fatalf("after a refused icon PUT:\n%s", s)
	}
	if puts < 1 {
		t.Fatalf("no PUT was sent: %v", writes)
	}
	acttest.Send(p, acttest.Key("r"), acttest.Key("enter"))
	if p.Stage() != rotate.AskDisable {
		t.Fatalf("enter after the value: stage %v, want the question about the old token", p.Stage())
	}
}

// shownAt opens Rotate at w×h on a new token without an icon and starts
// it: the new value is on screen, neither copied nor revealed.
func shownAt(t *testing.T, w, h int) (*rotate.Page, *acttest.Env) {
	t.Helper()
	env := acttest.Sandbox(t, nil)
	ctx := context.Background()
	mods, err := env.Client.ListEnabledModules(ctx, env.Srv.DefaultAccount())
	if err != nil {
		t.Fatal(err)
	}
	old, err := env.Client.CreateAPIToken(ctx, &apiclient.CreateAPITokenRequest{AccountID: env.Srv.DefaultAccount(),
		Name: "Nightly sync", Description: "Copies the orders.", ModuleIDs: []string{mods[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := acttest.NewCommon(w, h, func() time.Time { return acttest.Now })
	p := rotate.New(c, env.Client, *old)
	p.SetSize(w, h)
	acttest.Drive(p, p.Init())
	acttest.Send(p, acttest.Key("enter"))
	if p.Stage() != rotate.Shown {
		t.Fatalf("after the create: stage %v, want the value\n%s", p.Stage(), ansi.Strip(p.View()))
	}
	return p, env
}

func shown(t *testing.T) (*rotate.Page, *acttest.Env) { t.Helper(); return shownAt(t, 100, 30) }

// screen is the page's body, its status line and its keys, as text.
func screen(p *rotate.Page) string {
	s := ansi.Strip(p.View())
	if st := p.Status(); st != "" {
		s += "\n── status ──\n" + ansi.Strip(st)
	}
	var keys []string
	for _, k := range p.ShortHelp() {
		keys = append(keys, k.Help().Key+" "+k.Help().Desc)
	}
	return s + "\n── keys ──\n" + strings.Join(keys, " · ")
}

const (
	unsavedWarning = "You have not copied or shown the new token's value yet"
	notConfirmed   = "Copy not confirmed"
	anyway         = "enter continue anyway"
	savedHelp      = "enter I saved it: disable the old one"
)

// noDisable fails if the old token was disabled.
func noDisable(t *testing.T, env *acttest.Env) {
	t.Helper()
	for _, w := range env.Rec.Writes() {
		if strings.HasSuffix(w, "/disable") {
			t.Fatalf("a disable was sent: %v", env.Rec.Writes())
		}
	}
}

// copyValue presses c and returns the value it wrote to the clipboard,
// checking that the terminal is then asked to read it back.
func copyValue(t *testing.T, p *rotate.Page) string {
	t.Helper()
	msgs := acttest.Send(p, acttest.Key("c"))
	if len(msgs) != 1 || reflect.TypeOf(msgs[0]).Kind() != reflect.Slice {
		t.Fatalf("c sent %#v, want the clipboard write and read, in order", msgs)
	}
	seq := reflect.ValueOf(msgs[0])
	if seq.Len() != 2 {
		t.Fatalf("c sent %d commands, want the clipboard write and read", seq.Len())
	}
	write := seq.Index(0).Interface().(tea.Cmd)()
	read := seq.Index(1).Interface().(tea.Cmd)()
	value := fmt.Sprint(write)
	if !reflect.DeepEqual(write, tea.SetClipboard(value)()) || !strings.HasPrefix(value, "idt:TKN-") {
		t.Fatalf("c wrote %#v, want the OSC 52 write of the new value", write)
	}
	if !reflect.DeepEqual(read, tea.ReadClipboard()) {
		t.Fatalf("after the write c sent %#v, want the clipboard read", read)
	}
	return value
}

// TestSavedWithoutTheValueWarns: enter ("I saved it") while the new value
// was neither copied nor revealed warns in place and stays on the value;
// the keys say what a second enter does, and it goes on to the question
// about the old token. Nothing is disabled meanwhile.
func TestSavedWithoutTheValueWarns(t *testing.T) {
	p, env := shown(t)
	if s := screen(p); strings.Contains(s, unsavedWarning) || !strings.Contains(s, savedHelp) {
		t.Fatalf("before enter:\n%s", s)
	}
	acttest.Send(p, acttest.Key("enter"))
	s := screen(p)
	if p.Stage() != rotate.Shown {
		t.Fatalf("one enter without the value: stage %v, want the value still shown\n%s", p.Stage(), s)
	}
	if !strings.Contains(s, unsavedWarning) || !strings.Contains(s, "press enter again to continue without it") {
		t.Fatalf("one enter without the value: no warning\n%s", s)
	}
	if !strings.Contains(s, anyway) || strings.Contains(s, savedHelp) {
		t.Fatalf("the keys under the warning:\n%s", s)
	}
	if !strings.Contains(s, "idt:TKN-") {
		t.Fatalf("the value is no longer on screen:\n%s", s)
	}
	noDisable(t, env)
	acttest.Send(p, acttest.Key("enter"))
	if p.Stage() != rotate.AskDisable {
		t.Fatalf("second enter: stage %v, want the question about the old token\n%s", p.Stage(), screen(p))
	}
	if s := screen(p); strings.Contains(s, unsavedWarning) || !strings.Contains(s, "y disable the old token") {
		t.Fatalf("the question about the old token:\n%s", s)
	}
	noDisable(t, env)
}

// TestSavedAfterRevealGoesOn: once the value was revealed (even if hidden
// again), one enter goes on, without a warning; so does a warned enter
// followed by r.
func TestSavedAfterRevealGoesOn(t *testing.T) {
	for _, keys := range []string{"r", "rr", "er"} {
		t.Run(keys, func(t *testing.T) {
			p, _ := shown(t)
			for _, k := range keys {
				name := string(k)
				if k == 'e' {
					name = "enter"
				}
				acttest.Send(p, acttest.Key(name))
			}
			if s := screen(p); strings.Contains(s, unsavedWarning) || !strings.Contains(s, savedHelp) {
				t.Fatalf("after %q:\n%s", keys, s)
			}
			acttest.Send(p, acttest.Key("enter"))
			if p.Stage() != rotate.AskDisable {
				t.Fatalf("enter after %q: stage %v, want the question about the old token\n%s", keys, p.Stage(), screen(p))
			}
		})
	}
}

// TestSavedAfterConfirmedCopyGoesOn: c writes the value with OSC 52 and
// asks the terminal to read it back; once the terminal answers with the
// value, one enter goes on.
func TestSavedAfterConfirmedCopyGoesOn(t *testing.T) {
	p, _ := shown(t)
	value := copyValue(t, p)
	acttest.Send(p, tea.ClipboardMsg{Content: value, Selection: 'c'})
	if s := screen(p); !strings.Contains(s, "the terminal confirmed it holds the new token") {
		t.Fatalf("after the terminal read the value back:\n%s", s)
	}
	acttest.Send(p, acttest.Key("enter"))
	if p.Stage() != rotate.AskDisable {
		t.Fatalf("enter after a confirmed copy: stage %v, want the question about the old token\n%s", p.Stage(), screen(p))
	}
}

// TestUnconfirmedCopyWarns: a copy the terminal never confirmed, or
// answered with something else, is not counted: enter warns that the copy
// is not confirmed, and a second enter goes on.
func TestUnconfirmedCopyWarns(t *testing.T) {
	p, env := shown(t)
	value := copyValue(t, p)
	acttest.Send(p, tea.ClipboardMsg{Content: value + "x", Selection: 'c'})
	if s := screen(p); strings.Contains(s, "confirmed it holds") || !strings.Contains(s, "may ignore it: paste to check") {
		t.Fatalf("after a read-back of something else:\n%s", s)
	}
	acttest.Send(p, acttest.Key("enter"))
	s := screen(p)
	if p.Stage() != rotate.Shown || !strings.Contains(s, notConfirmed) || !strings.Contains(s, anyway) {
		t.Fatalf("enter after an unconfirmed copy: stage %v\n%s", p.Stage(), s)
	}
	noDisable(t, env)
	acttest.Send(p, acttest.Key("enter"))
	if p.Stage() != rotate.AskDisable {
		t.Fatalf("second enter: stage %v, want the question about the old token", p.Stage())
	}
}

// TestWarnedThenConfirmedCopyGoesOn: the warning goes once the terminal
// confirms a copy made under it; one enter then goes on.
func TestWarnedThenConfirmedCopyGoesOn(t *testing.T) {
	p, _ := shown(t)
	acttest.Send(p, acttest.Key("enter"))
	value := copyValue(t, p)
	if s := screen(p); !strings.Contains(s, notConfirmed) {
		t.Fatalf("c under the warning, not yet confirmed:\n%s", s)
	}
	acttest.Send(p, tea.ClipboardMsg{Content: value, Selection: 'c'})
	if s := screen(p); strings.Contains(s, notConfirmed) || strings.Contains(s, unsavedWarning) || !strings.Contains(s, savedHelp) {
		t.Fatalf("after the terminal confirmed the copy:\n%s", s)
	}
	acttest.Send(p, acttest.Key("enter"))
	if p.Stage() != rotate.AskDisable {
		t.Fatalf("enter after a confirmed copy: stage %v", p.Stage())
	}
}

// TestUnsavedWarningSnapshots: the warning at the full and the minimum
// size, before and after an unconfirmed copy.
func TestUnsavedWarningSnapshots(t *testing.T) {
	for _, size := range []struct{ w, h int }{{100, 30}, {60, 20}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			p, _ := shownAt(t, size.w, size.h)
			acttest.Send(p, acttest.Key("enter"))
			t.Run("not_copied", func(t *testing.T) { golden.RequireEqual(t, screen(p)) })
			acttest.Send(p, acttest.Key("c"))
			t.Run("copy_not_confirmed", func(t *testing.T) { golden.RequireEqual(t, screen(p)) })
		})
	}
}
