package rotate_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

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
	acttest.Send(p, acttest.Key("enter"))
	if p.Stage() != rotate.AskDisable {
		t.Fatalf("enter after the value: stage %v, want the question about the old token", p.Stage())
	}
}
