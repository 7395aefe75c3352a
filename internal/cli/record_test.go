package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/ui"
)

// scriptedCreates answers creates from a script: each call takes the next
// answer. Only CreateAPIToken is implemented.
type scriptedCreates struct {
	ui.API
	answers []func() (*apiclient.APIToken, error)
	calls   int
}

func (s *scriptedCreates) CreateAPIToken(context.Context, *apiclient.CreateAPITokenRequest) (*apiclient.APIToken, error) {
	a := s.answers[s.calls]
	s.calls++
	return a()
}

func madeToken(id, name string) func() (*apiclient.APIToken, error) {
	return func() (*apiclient.APIToken, error) {
		return &apiclient.APIToken{ID: id, Name: name, Status: "Active", Token: apiclient.Secret("idt:" + id + ":value-of-" + id)}, nil
	}
}

func refused() (*apiclient.APIToken, error) { return nil, errors.New("403 forbidden") }

func outcomeUnknown() (*apiclient.APIToken, error) {
	return nil, &apiclient.OutcomeUnknownError{Op: "create API token", Err: errors.New("connection reset")}
}

func createTokens(t *testing.T, api *trackedAPI, n int) {
	t.Helper()
	for range n {
		_, _ = api.CreateAPIToken(t.Context(), &apiclient.CreateAPITokenRequest{Name: "x"})
	}
}

// TestRecordListsEveryCreatedToken: every token created in a run is
// listed at the end, one line each, in order, after the sandbox notice,
// with its name made safe and never its value; a refused create adds
// nothing.
func TestRecordListsEveryCreatedToken(t *testing.T) {
	hostile := "Evil\x1b]52;c;cHduZWQ=\x07 \x1b[2Jname"
	r := &createdRecord{}
	api := &trackedAPI{API: &scriptedCreates{answers: []func() (*apiclient.APIToken, error){
		madeToken("TKN-1000-0001", "First"),
		refused,
		madeToken("TKN-1000-0002", "First"), // a rotation of it keeps the name
		madeToken("TKN-1000-0003", hostile),
		madeToken("TKN-1000-0004", ""),
	}}, record: r}
	r.setWizardBusy(true)
	createTokens(t, api, 2)
	r.setWizardBusy(false)
	createTokens(t, api, 2)
	r.setWizardBusy(true)
	createTokens(t, api, 1)
	r.setWizardBusy(false)

	var out bytes.Buffer
	if err := endApp(&out, &Connection{Sandbox: true}, r, appEnd{}); err != nil {
		t.Fatalf("endApp: %v", err)
	}
	want := strings.Join([]string{
		sandboxUsedNotice,
		`Created API token TKN-1000-0001 "First".`,
		`Created API token TKN-1000-0002 "First".`,
		fmt.Sprintf("Created API token TKN-1000-0003 %q.", sanitizeLine(hostile)),
		`Created API token TKN-1000-0004.`,
	}, "\n") + "\n"
	if out.String() != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", out.String(), want)
	}
	if strings.ContainsRune(out.String(), 0x1b) || strings.ContainsRune(out.String(), 0x07) || strings.Contains(out.String(), "value-of") {
		t.Errorf("stderr holds control characters or a token value: %q", out.String())
	}
	// Off the sandbox, the lines are the same, without the notice.
	out.Reset()
	if err := endApp(&out, &Connection{}, r, appEnd{hungUp: true}); err != nil || out.String() != strings.TrimPrefix(want, sandboxUsedNotice+"\n") {
		t.Errorf("off the sandbox: %v, stderr:\n%s", err, out.String())
	}
}

// TestRecordExitCodes: the end of the app keeps the wizard's rules with
// several tokens: nothing created is a cancel (none on the API tokens
// page), an unknown outcome with nothing created is 3, and a hangup is 3
// only when a token of the wizard was created and the wizard's token was
// not copied; a rotation's token alone never makes it 3.
func TestRecordExitCodes(t *testing.T) {
	type step struct {
		wizard bool
		answer func() (*apiclient.APIToken, error)
	}
	wizard := func(a func() (*apiclient.APIToken, error)) step { return step{true, a} }
	rotation := func(a func() (*apiclient.APIToken, error)) step { return step{false, a} }
	for _, c := range []struct {
		name  string
		steps []step
		end   appEnd
		code  int    // 0: nil error
		says  string // on stderr, if set
	}{
		{name: "nothing", code: ExitCancel},
		{name: "nothing, browsing", end: appEnd{browsing: true}},
		{name: "refused", steps: []step{wizard(refused)}, code: ExitCancel},
		{name: "unknown", steps: []step{wizard(outcomeUnknown)}, code: ExitUnknown, says: "outcome is unknown"},
		{name: "unknown, browsing", steps: []step{rotation(outcomeUnknown)}, end: appEnd{browsing: true}, code: ExitUnknown, says: "outcome is unknown"},
		{name: "unknown, then created", steps: []step{wizard(outcomeUnknown), wizard(madeToken("TKN-1000-0001", "a"))}},
		{name: "wizard and rotation", steps: []step{wizard(madeToken("TKN-1000-0001", "a")), rotation(madeToken("TKN-1000-0002", "a"))}},
		{name: "rotation only", steps: []step{rotation(madeToken("TKN-1000-0002", "a"))}},
		{name: "hangup, wizard's copied", steps: []step{wizard(madeToken("TKN-1000-0001", "a"))},
			end: appEnd{hungUp: true, summary: "TKN-1000-0001"}},
		{name: "uncopied, no hangup", steps: []step{wizard(madeToken("TKN-1000-0001", "a"))},
			end: appEnd{uncopied: true, summary: "TKN-1000-0001"}},
		{name: "hangup, wizard's uncopied", steps: []step{wizard(madeToken("TKN-1000-0001", "a")), rotation(madeToken("TKN-1000-0002", "a"))},
			end: appEnd{hungUp: true, uncopied: true, summary: "TKN-1000-0001"}, code: ExitUnknown, says: "before the token TKN-1000-0001 was copied"},
		{name: "hangup, rotation's only", steps: []step{rotation(madeToken("TKN-1000-0002", "a"))},
			end: appEnd{hungUp: true, uncopied: true}},
		{name: "hangup, an earlier wizard's", steps: []step{wizard(madeToken("TKN-1000-0001", "a"))},
			end: appEnd{hungUp: true, uncopied: true}, code: ExitUnknown, says: "before the token was copied"},
		{name: "program error", steps: []step{wizard(madeToken("TKN-1000-0001", "a"))},
			end: appEnd{runErr: errors.New("broken terminal")}, code: ExitError},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := &createdRecord{}
			fake := &scriptedCreates{}
			api := &trackedAPI{API: fake, record: r}
			var made []string
			for _, s := range c.steps {
				fake.answers = append(fake.answers, s.answer)
				r.setWizardBusy(s.wizard)
				if tok, err := api.CreateAPIToken(t.Context(), &apiclient.CreateAPITokenRequest{Name: "a"}); err == nil {
					made = append(made, tok.ID)
				}
				r.setWizardBusy(false)
			}
			var out bytes.Buffer
			err := endApp(&out, &Connection{}, r, c.end)
			if code := exitCode(err); code != c.code {
				t.Errorf("exit %d (%v), want %d; stderr:\n%s", code, err, c.code, out.String())
			}
			for _, id := range made {
				if !strings.Contains(out.String(), "Created API token "+id+" ") {
					t.Errorf("stderr does not list %s:\n%s", id, out.String())
				}
			}
			if c.says != "" && !strings.Contains(out.String(), c.says) {
				t.Errorf("stderr does not say %q:\n%s", c.says, out.String())
			}
		})
	}
}

// gatedCreates holds every create until the test lets it go.
type gatedCreates struct {
	ui.API
	entered chan struct{} // one value per create, once it is held
	release chan struct{}
}

func (g *gatedCreates) CreateAPIToken(ctx context.Context, req *apiclient.CreateAPITokenRequest) (*apiclient.APIToken, error) {
	g.entered <- struct{}{}
	<-g.release
	return g.API.CreateAPIToken(ctx, req)
}

// TestRecordWaitsForCreateInFlight: a create whose answer comes after the
// program ended is waited for and listed; sent by the wizard during a
// hangup, its value was never shown, so the end is 3 and names it.
func TestRecordWaitsForCreateInFlight(t *testing.T) {
	for _, byWizard := range []bool{true, false} {
		r := &createdRecord{}
		gate := &gatedCreates{
			API:     &scriptedCreates{answers: []func() (*apiclient.APIToken, error){madeToken("TKN-1000-0009", "late")}},
			entered: make(chan struct{}, 1), release: make(chan struct{}),
		}
		api := &trackedAPI{API: gate, record: r}
		r.setWizardBusy(byWizard)
		go func() {
			_, _ = api.CreateAPIToken(context.Background(), &apiclient.CreateAPITokenRequest{Name: "late"})
		}()
		<-gate.entered
		// The program ends here: no update follows.
		waited := make(chan struct{})
		go func() { r.wait(); close(waited) }()
		select {
		case <-waited:
			t.Fatal("wait returned while a create was held")
		default:
		}
		close(gate.release)
		<-waited
		var out bytes.Buffer
		err := endApp(&out, &Connection{}, r, appEnd{hungUp: true, uncopied: true})
		if !strings.Contains(out.String(), `Created API token TKN-1000-0009 "late".`) {
			t.Errorf("wizard %v: stderr does not list the late token:\n%s", byWizard, out.String())
		}
		want := map[bool]int{true: ExitUnknown, false: ExitOK}[byWizard]
		if code := exitCode(err); code != want {
			t.Errorf("wizard %v: exit %d, want %d; stderr:\n%s", byWizard, code, want, out.String())
		}
		if byWizard && !strings.Contains(out.String(), "before the token TKN-1000-0009 was copied") {
			t.Errorf("the lost token is not named:\n%s", out.String())
		}
	}
}

// appLoop runs the app's model the way Bubble Tea does, but message by
// message on the test's goroutine: commands run on goroutines of their
// own and their messages queue up for it.
type appLoop struct {
	t    *testing.T
	a    *lateApp
	msgs chan tea.Msg
	done chan struct{}
}

func newAppLoop(t *testing.T, a *lateApp) *appLoop {
	l := &appLoop{t: t, a: a, msgs: make(chan tea.Msg), done: make(chan struct{})}
	t.Cleanup(func() { close(l.done) })
	l.run(a.Init())
	return l
}

func (l *appLoop) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		select {
		case l.msgs <- msg:
		case <-l.done:
		}
	}()
}

func (l *appLoop) deliver(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			l.run(c)
		}
	default:
		_, cmd := l.a.Update(msg)
		l.run(cmd)
	}
}

// until delivers queued messages until cond holds.
func (l *appLoop) until(what string, cond func() bool) {
	l.t.Helper()
	for !cond() {
		select {
		case msg := <-l.msgs:
			l.deliver(msg)
		case <-l.t.Context().Done():
			l.t.Fatalf("ended before %s", what)
		}
	}
}

// untilReceived delivers queued messages until c gives a value.
func (l *appLoop) untilReceived(what string, c <-chan struct{}) {
	l.t.Helper()
	for {
		select {
		case msg := <-l.msgs:
			l.deliver(msg)
		case <-c:
			return
		case <-l.t.Context().Done():
			l.t.Fatalf("ended before %s", what)
		}
	}
}

func (l *appLoop) keys(keys ...tea.KeyPressMsg) {
	for _, k := range keys {
		l.deliver(k)
	}
}

func typed(s string) []tea.KeyPressMsg {
	var out []tea.KeyPressMsg
	for _, r := range s {
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}

// TestWizardCreateInFlightAtHangupIsTheWizards drives the real app on the
// built-in sandbox to the wizard's create and holds it: the program is
// killed meanwhile (no update follows). The token the create makes is
// listed, counts as the wizard's, and the hangup ends with 3, naming it.
func TestWizardCreateInFlightAtHangupIsTheWizards(t *testing.T) {
	f, _, _ := testFactory(nil)
	conn, err := f.Connect(t.Context(), &APIFlags{}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := &createdRecord{}
	opts := appOptions(f, conn, r)
	gate := &gatedCreates{API: conn.Client, entered: make(chan struct{}, 1), release: make(chan struct{})}
	opts.API = &trackedAPI{API: gate, record: r}
	dark := true
	opts.DarkBackground = &dark
	opts.Tick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
	a := &lateApp{opts: opts, ready: func() {}, record: r}
	l := newAppLoop(t, a)
	l.deliver(tea.WindowSizeMsg{Width: 100, Height: 30})
	l.until("the modules are loaded", func() bool { return a.m.Data().Catalog != nil })
	l.keys(typed("in flight")...)
	l.keys(tea.KeyPressMsg{Code: 'n', Mod: tea.ModCtrl}, tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
	if len(a.m.Data().Selected) != 1 {
		t.Fatalf("selected %v, want one module", a.m.Data().Selected)
	}
	l.keys(tea.KeyPressMsg{Code: tea.KeyEnter}, tea.KeyPressMsg{Code: tea.KeyEnter})
	if !a.m.Data().Create.Busy() {
		t.Fatalf("no create was sent; create state %v", a.m.Data().Create.State)
	}
	l.untilReceived("the create is sent", gate.entered)
	// The program is killed here: no message is delivered from now on.
	close(gate.release)
	r.wait()

	toks := r.tokens()
	if len(toks) != 1 || toks[0].name != "in flight" {
		t.Fatalf("recorded %v, want the one token", toks)
	}
	var out bytes.Buffer
	err = endApp(&out, conn, r, appEnd{hungUp: true, uncopied: a.uncopied(), summary: a.summaryID()})
	if code := exitCode(err); code != ExitUnknown {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, ExitUnknown, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{sandboxUsedNotice, `Created API token ` + toks[0].id + ` "in flight".`}
	if len(lines) != 3 || !slices.Equal(lines[:2], want) || !strings.Contains(lines[2], "before the token "+toks[0].id+" was copied") {
		t.Errorf("stderr:\n%s", out.String())
	}
}
