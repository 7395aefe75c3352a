package console

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/sandbox"
	"github.com/softwareone/apitoken/ui"
)

// listTarget picks an active demo token of account (the sandbox starts
// with the demo's tokens) whose name no other token of the account
// contains, so a filter on it leaves that row alone.
func listTarget(t *testing.T, account string) sandbox.Token {
	t.Helper()
	var mine []sandbox.Token
	for _, tok := range sandbox.DemoFixture().Tokens {
		if tok.Account == account {
			mine = append(mine, tok)
		}
	}
	for _, tok := range mine {
		if tok.Status != apiclient.TokenStatusActive {
			continue
		}
		alone := !slices.ContainsFunc(mine, func(o sandbox.Token) bool {
			return o.ID != tok.ID && strings.Contains(strings.ToLower(o.Name), strings.ToLower(tok.Name))
		})
		if alone {
			return tok
		}
	}
	t.Fatalf("the demo has no active token of %s with a name of its own", account)
	return sandbox.Token{}
}

// status is the status of token id as the API now has it ("" when it
// cannot be read).
func (f *fixture) status(id string) string {
	tok, err := f.srv.cfg.API.GetAPIToken(context.Background(), id)
	if err != nil {
		return ""
	}
	return tok.Status
}

// waitStatus polls the API until token id has status.
func (f *fixture) waitStatus(id, status string) {
	f.t.Helper()
	deadline := time.Now().Add(wait)
	for f.status(id) != status {
		if time.Now().After(deadline) {
			f.t.Fatalf("%s is %q, want %q", id, f.status(id), status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTokensPageOverSSH: `ssh host` opens the API tokens page of the key's
// account; the user filters it, disables a token through its dialog, and
// the audit log records the change with the key, the account, the id and
// the name. No token of another account is ever drawn.
func TestTokensPageOverSSH(t *testing.T) {
	f := newFixture(t)
	target := listTarget(t, opsAccount)
	tm := openList(t, f.mustDial(f.user), 100, 30)
	tm.waitFor(0, opsAccount, "TKN-3000-")

	m := tm.mark()
	tm.send("/" + target.Name + keyEnter)
	tm.waitFor(m, target.ID)
	m = tm.mark()
	tm.send("t")
	tm.waitFor(m, "Disable", "API", "token?")
	m = tm.mark()
	tm.send("y")
	f.waitStatus(target.ID, apiclient.TokenStatusDisabled)
	tm.waitFor(m, "disabled")

	rec := f.waitEvent(evTokenAction, 1)[0]
	want := map[string]string{
		"action": actionDisable, "token_id": target.ID, "token_name": target.Name, "outcome": outcomeOK,
		"account": opsAccount, "key": gossh.FingerprintSHA256(f.user.PublicKey()),
	}
	for k, v := range want {
		if rec.str(k) != v {
			t.Errorf("audit %s = %q, want %q (%v)", k, rec.str(k), v, rec)
		}
	}
	tm.send(keyCtrlC)
	if code := tm.exit(); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	screen := ansi.Strip(tm.out.String())
	if line := "Disabled API token " + target.ID + " (" + target.Name + ")."; !strings.Contains(screen, line) {
		t.Errorf("no %q left in the scrollback", line)
	}
	for _, other := range []string{"TKN-1000-", "TKN-2000-"} {
		if strings.Contains(screen, other) {
			t.Errorf("a token of another account (%s…) was drawn", other)
		}
	}
}

// gatedChanges holds every disable until the test opens the gate.
type gatedChanges struct {
	ui.API
	sent chan struct{}
	gate chan struct{}
}

func (g *gatedChanges) DisableAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error) {
	g.sent <- struct{}{}
	<-g.gate
	return g.API.DisableAPIToken(context.WithoutCancel(ctx), id)
}

// TestShutdownWaitsForAnAction: a disable in flight when the server is
// told to shut down is waited for; its outcome is drawn and audited before
// the session ends.
func TestShutdownWaitsForAnAction(t *testing.T) {
	g := &gatedChanges{sent: make(chan struct{}, 1), gate: make(chan struct{})}
	f := newFixture(t, withAPI(func(api ui.API) ui.API { g.API = api; return g }))
	target := listTarget(t, opsAccount)
	tm := openList(t, f.mustDial(f.user), 100, 30)
	tm.waitFor(0, "TKN-3000-")
	m := tm.mark()
	tm.send("/" + target.Name + keyEnter)
	tm.waitFor(m, target.ID)
	m = tm.mark()
	tm.send("t")
	tm.waitFor(m, "Disable", "token?")
	tm.send("y")
	<-g.sent

	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		done <- f.srv.Shutdown(ctx)
	}()
	f.waitEvent(evShutdown, 1)
	if n := len(f.events(evSessionEnd)); n != 0 {
		t.Fatal("the session ended with its disable out")
	}
	m = tm.mark()
	close(g.gate)
	// The program quits once the answer is in; the outcome is left in the
	// scrollback, after the last frame.
	tm.waitFor(m, "Disabled API token "+target.ID+" ("+target.Name+").")
	if code := tm.exit(); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if got := f.status(target.ID); got != apiclient.TokenStatusDisabled {
		t.Errorf("%s is %q, want disabled", target.ID, got)
	}
	// The change is in the audit log, before the session's end.
	var order []string
	for _, r := range f.records() {
		if r.str("msg") == evTokenAction || r.str("msg") == evSessionEnd {
			order = append(order, r.str("msg")+" "+r.str("outcome")+r.str("reason"))
		}
	}
	if want := []string{evTokenAction + " " + outcomeOK, evSessionEnd + " " + endShutdown}; !slices.Equal(order, want) {
		t.Errorf("audit order %q, want %q", order, want)
	}
}
