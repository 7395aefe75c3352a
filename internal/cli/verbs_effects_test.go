package cli

import (
	"bytes"
	"context"
	"image"
	pngpkg "image/png"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/sandbox"
)

const tokensURL = "/public/v1/accounts/api-tokens"

// TestVerbEffects checks what each verb changed in the sandbox, and that it
// sent nothing more.
func TestVerbEffects(t *testing.T) {
	t.Run("edit sends one PUT with the change", func(t *testing.T) {
		api := newTestAPI(t)
		r := runVerb(t, api, runSpec{}, "edit", "TKN-1000-1002", "--name", "PBI", "--add-module", "MOD-1005", "--remove-module", "MOD-1007")
		if r.code != ExitOK {
			t.Fatal(r.transcript())
		}
		if w := api.writes(); !slices.Equal(w, []string{"PUT " + tokensURL + "/TKN-1000-1002"}) {
			t.Fatalf("writes %v", w)
		}
		for _, s := range api.srv.StoredTokens() {
			if s.ID == "TKN-1000-1002" {
				if s.Name != "PBI" || !slices.Contains(s.ModuleIDs, "MOD-1005") || slices.Contains(s.ModuleIDs, "MOD-1007") {
					t.Fatalf("stored %+v", s)
				}
			}
		}
	})
	t.Run("edit without a change sends nothing", func(t *testing.T) {
		api := newTestAPI(t)
		r := runVerb(t, api, runSpec{}, "edit", "TKN-1000-1002", "--add-module", "MOD-1001")
		if r.code != ExitOK || len(api.writes()) != 0 {
			t.Fatalf("writes %v\n%s", api.writes(), r.transcript())
		}
	})
	t.Run("edit removing every module is refused", func(t *testing.T) {
		api := newTestAPI(t)
		r := runVerb(t, api, runSpec{}, "edit", "TKN-1000-1002", "--module", "MOD-1001", "--add-module", "MOD-1002")
		if r.code != ExitUsage || len(api.requests()) != 0 {
			t.Fatalf("requests %v\n%s", api.requests(), r.transcript())
		}
	})
	for _, tc := range []struct {
		name, stdin string
		args        []string
		status      string
		writes      int
	}{
		{"disable --yes", "", []string{"disable", "TKN-1000-1002", "--yes"}, "Disabled", 1},
		{"disable answered no", "n\n", []string{"disable", "TKN-1000-1002"}, "Active", 0},
		{"disable at end of input", "", []string{"disable", "TKN-1000-1002"}, "Active", 0},
		{"enable answered yes", "yes\n", []string{"enable", "TKN-1000-1005"}, "Active", 1},
		{"delete typed back the id", "TKN-1000-1002\n", []string{"delete", "TKN-1000-1002"}, "Deleted", 1},
		{"delete mistyped", "TKN-1000-1003\n", []string{"delete", "TKN-1000-1002"}, "Active", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := newTestAPI(t)
			r := runVerb(t, api, runSpec{tty: true, stdin: tc.stdin}, tc.args...)
			if got := len(api.writes()); got != tc.writes {
				t.Fatalf("%d writes %v, want %d\n%s", got, api.writes(), tc.writes, r.transcript())
			}
			if got := api.status(t, tc.args[1]); got != tc.status {
				t.Fatalf("status %s, want %s\n%s", got, tc.status, r.transcript())
			}
			if want := map[bool]int{true: ExitOK, false: ExitCancel}[tc.writes > 0]; r.code != want {
				t.Fatalf("exit %d, want %d", r.code, want)
			}
		})
	}
	t.Run("disable --unused-for disables exactly the stale active tokens", func(t *testing.T) {
		api := newTestAPI(t)
		before := api.all(t)
		r := runVerb(t, api, runSpec{}, "disable", "--unused-for", "90d", "--yes")
		if r.code != ExitOK {
			t.Fatal(r.transcript())
		}
		want := []string{"TKN-1000-1009", "TKN-1000-1011", "TKN-1000-1012", "TKN-1000-1013", "TKN-1000-1014"}
		var writes []string
		for _, id := range want {
			writes = append(writes, "POST "+tokensURL+"/"+id+"/disable")
		}
		if got := api.writes(); !slices.Equal(got, writes) {
			t.Fatalf("writes %v, want %v", got, writes)
		}
		for _, b := range before {
			now := api.status(t, b.ID)
			if slices.Contains(want, b.ID) {
				if now != "Disabled" {
					t.Errorf("%s is %s, want Disabled", b.ID, now)
				}
			} else if now != b.Status {
				t.Errorf("%s changed from %s to %s", b.ID, b.Status, now)
			}
		}
	})
	t.Run("disable --unused-for --dry-run and a no change nothing", func(t *testing.T) {
		api := newTestAPI(t)
		if r := runVerb(t, api, runSpec{}, "disable", "--unused-for", "90d", "--dry-run"); r.code != ExitOK {
			t.Fatal(r.transcript())
		}
		if r := runVerb(t, api, runSpec{tty: true, stdin: "n\n"}, "disable", "--unused-for", "90d"); r.code != ExitCancel {
			t.Fatal(r.transcript())
		}
		if w := api.writes(); len(w) != 0 {
			t.Fatalf("writes %v", w)
		}
	})
	t.Run("disable --unused-for reports a failure by token", func(t *testing.T) {
		api := newTestAPI(t)
		api.srv.InjectFault(sandbox.Fault{Method: http.MethodPost, Path: tokensURL + "/TKN-1000-1012/disable", Status: http.StatusForbidden})
		r := runVerb(t, api, runSpec{}, "disable", "--unused-for", "90d", "--yes")
		if r.code != ExitError || !strings.Contains(r.errOut, `could not disable TKN-1000-1012 "Nightly billing export"`) || !strings.Contains(r.errOut, "4 of 5 disabled") {
			t.Fatal(r.transcript())
		}
		if api.status(t, "TKN-1000-1012") != "Active" || api.status(t, "TKN-1000-1014") != "Disabled" {
			t.Fatal("the other tokens must be disabled, the failing one left active")
		}
	})
}

// rotation is one rotation run with the state of both tokens after it.
type rotation struct {
	r        result
	old      string
	newID    string // "" when no new token exists
	newState string
	creates  int
}

func rotate(t *testing.T, api *testAPI, args ...string) rotation {
	t.Helper()
	before := len(api.srv.StoredTokens())
	r := runVerb(t, api, runSpec{}, append([]string{"rotate", "TKN-1000-1002", "--yes"}, args...)...)
	rot := rotation{r: r, old: api.status(t, "TKN-1000-1002"), creates: len(api.srv.Creates())}
	stored := api.srv.StoredTokens()
	if n := len(stored) - before; n > 1 {
		t.Fatalf("rotation made %d tokens: a create was repeated\n%s", n, r.transcript())
	} else if n == 1 {
		rot.newID, rot.newState = stored[len(stored)-1].ID, stored[len(stored)-1].Status
	}
	// The value is on stdout only when the new token is usable by it.
	if got := len(sandboxValue.FindAllString(r.out, -1)); got > 1 || sandboxValue.MatchString(r.errOut) {
		t.Fatalf("the value was printed %d times or on stderr\n%s", got, r.transcript())
	}
	return rot
}

// TestRotateFaults injects a fault at each step of a rotation and checks
// that what the command reported is the state the sandbox ends in.
func TestRotateFaults(t *testing.T) {
	create := sandbox.Fault{Method: http.MethodPost, Path: tokensURL}
	disable := sandbox.Fault{Method: http.MethodPost, Path: tokensURL + "/TKN-1000-1002/disable"}
	exact := func(f sandbox.Fault, mod func(*sandbox.Fault)) sandbox.Fault { mod(&f); return f }

	t.Run("create answer lost", func(t *testing.T) {
		api := newTestAPI(t)
		// Only the create itself: its path has nothing after the collection.
		api.srv.SetFaultFunc(func(r *http.Request) *sandbox.Fault {
			if r.Method == http.MethodPost && r.URL.Path == tokensURL {
				return &sandbox.Fault{DropAfterCommit: true}
			}
			return nil
		})
		rot := rotate(t, api)
		if rot.r.code != ExitUnknown || rot.creates != 1 || rot.newID == "" {
			t.Fatalf("exit %d, %d creates, new %q\n%s", rot.r.code, rot.creates, rot.newID, rot.r.transcript())
		}
		if rot.old != "Active" || rot.newState != "Active" || sandboxValue.MatchString(rot.r.out) {
			t.Fatalf("old %s, new %s", rot.old, rot.newState)
		}
		for _, want := range []string{"a new token " + rot.newID + " was created", "TKN-1000-1002 \"Power BI refresh\" is unchanged and still Active", "apitoken disable " + rot.newID} {
			if !strings.Contains(rot.r.errOut, want) {
				t.Errorf("stderr lacks %q\n%s", want, rot.r.transcript())
			}
		}
	})
	t.Run("create fails without an answer every time", func(t *testing.T) {
		api := newTestAPI(t)
		api.srv.SetFaultFunc(func(r *http.Request) *sandbox.Fault {
			if r.Method == http.MethodPost && r.URL.Path == tokensURL {
				return &sandbox.Fault{DropBeforeHandling: true}
			}
			return nil
		})
		rot := rotate(t, api)
		if rot.r.code != ExitUnknown || rot.newID != "" || rot.old != "Active" {
			t.Fatalf("exit %d, new %q, old %s\n%s", rot.r.code, rot.newID, rot.old, rot.r.transcript())
		}
		if !strings.Contains(rot.r.errOut, "not known whether a new token was created") || !strings.Contains(rot.r.errOut, "still Active") {
			t.Fatal(rot.r.transcript())
		}
		for _, w := range api.writes() {
			if strings.HasSuffix(w, "/disable") || strings.HasPrefix(w, "DELETE") {
				t.Fatalf("the old token was touched: %v", api.writes())
			}
		}
	})
	t.Run("create refused", func(t *testing.T) {
		api := newTestAPI(t)
		api.srv.InjectFault(exact(create, func(f *sandbox.Fault) { f.Status = http.StatusForbidden; f.Times = 1 }))
		rot := rotate(t, api)
		if rot.r.code != ExitError || rot.newID != "" || rot.old != "Active" || !strings.Contains(rot.r.errOut, "no new token was created, and the old") {
			t.Fatal(rot.r.transcript())
		}
	})
	t.Run("disable fails", func(t *testing.T) {
		api := newTestAPI(t)
		api.srv.InjectFault(exact(disable, func(f *sandbox.Fault) { f.Status = http.StatusInternalServerError }))
		rot := rotate(t, api)
		if rot.r.code != ExitError || rot.newState != "Active" || rot.old != "Active" {
			t.Fatalf("exit %d, new %s, old %s\n%s", rot.r.code, rot.newState, rot.old, rot.r.transcript())
		}
		if !strings.Contains(rot.r.errOut, "the new "+rot.newID) || !strings.Contains(rot.r.errOut, "is still Active. Run `apitoken disable TKN-1000-1002`") {
			t.Fatal(rot.r.transcript())
		}
		if len(sandboxValue.FindAllString(rot.r.out, -1)) != 1 {
			t.Fatal("the new value must have been shown before the disable")
		}
	})
	t.Run("disable answer lost after it went through", func(t *testing.T) {
		api := newTestAPI(t)
		api.srv.InjectFault(exact(disable, func(f *sandbox.Fault) { f.DropAfterCommit = true }))
		rot := rotate(t, api)
		if rot.r.code != ExitOK || rot.newState != "Active" || rot.old != "Disabled" || !strings.Contains(rot.r.errOut, "Rotated:") {
			t.Fatalf("exit %d, new %s, old %s\n%s", rot.r.code, rot.newState, rot.old, rot.r.transcript())
		}
	})
	t.Run("disable fails and the old token cannot be read", func(t *testing.T) {
		api := newTestAPI(t)
		var disabling atomic.Bool
		api.srv.SetFaultFunc(func(r *http.Request) *sandbox.Fault {
			switch {
			case r.Method == http.MethodPost && r.URL.Path == disable.Path:
				disabling.Store(true)
				return &sandbox.Fault{Status: http.StatusBadGateway}
			case disabling.Load() && r.Method == http.MethodGet && r.URL.Path == tokensURL+"/TKN-1000-1002":
				return &sandbox.Fault{Status: http.StatusServiceUnavailable}
			}
			return nil
		})
		rot := rotate(t, api)
		if rot.r.code != ExitUnknown || rot.newState != "Active" || rot.old != "Active" || !strings.Contains(rot.r.errOut, "state of the old TKN-1000-1002 \"Power BI refresh\" is unknown") {
			t.Fatalf("exit %d, new %s, old %s\n%s", rot.r.code, rot.newState, rot.old, rot.r.transcript())
		}
	})
	t.Run("delete-old fails", func(t *testing.T) {
		api := newTestAPI(t)
		api.srv.InjectFault(sandbox.Fault{Method: http.MethodDelete, Path: tokensURL + "/TKN-1000-1002", Status: http.StatusConflict})
		rot := rotate(t, api, "--delete-old")
		if rot.r.code != ExitError || rot.newState != "Active" || rot.old != "Active" || !strings.Contains(rot.r.errOut, "apitoken delete TKN-1000-1002") {
			t.Fatalf("exit %d, new %s, old %s\n%s", rot.r.code, rot.newState, rot.old, rot.r.transcript())
		}
	})
	t.Run("declined after the create keeps both and says so", func(t *testing.T) {
		api := newTestAPI(t)
		r := runVerb(t, api, runSpec{tty: true, stdin: "n\n"}, "rotate", "TKN-1000-1002")
		if r.code != ExitCancel || api.status(t, "TKN-1000-1002") != "Active" || !strings.Contains(r.errOut, "Both tokens are active") {
			t.Fatal(r.transcript())
		}
	})
}

// promptTerm is a terminal that says when a question was asked.
type promptTerm struct {
	fakeTerm
	once  sync.Once
	asked chan struct{}
}

func (p *promptTerm) Write(b []byte) (int, error) {
	n, err := p.fakeTerm.Write(b)
	if strings.Contains(p.String(), "[y/N]") {
		p.once.Do(func() { close(p.asked) })
	}
	return n, err
}

// TestSignalDuringQuestion: a signal while a question waits for an answer
// ends the command as cancelled, with nothing changed.
func TestSignalDuringQuestion(t *testing.T) {
	api := newTestAPI(t)
	f, _, _ := testFactory(nil)
	in, typed := io.Pipe()
	defer typed.Close()
	errOut := &promptTerm{fakeTerm: fakeTerm{width: 80}, asked: make(chan struct{})}
	f.IO = IOStreams{In: ttyPipe{in}, Out: &fakeTerm{width: 80}, ErrOut: errOut}
	ctx, cancel := context.WithCancel(t.Context())
	go func() { <-errOut.asked; cancel() }()
	cmd := verbCommand(f, "disable", func(v *verb) {
		v.Connect = func(context.Context) (*Connection, error) { return api.connection(t), nil }
	})
	cmd.SetArgs([]string{"TKN-1000-1002"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.ExecuteContext(ctx)
	if code := exitCode(err); code != ExitCancel {
		t.Fatalf("exit %d (%v), want %d", code, err, ExitCancel)
	}
	if w := api.writes(); len(w) != 0 || api.status(t, "TKN-1000-1002") != "Active" {
		t.Fatalf("writes %v", w)
	}
}

type ttyPipe struct{ *io.PipeReader }

func (ttyPipe) IsTerminal() bool { return true }

// TestRotateKeepsSettings: the new token has the old one's name,
// description, modules and icon.
func TestRotateKeepsSettings(t *testing.T) {
	api := newTestAPI(t)
	var png bytes.Buffer
	if err := pngpkg.Encode(&png, image.NewRGBA(image.Rect(0, 0, 64, 64))); err != nil {
		t.Fatal(err)
	}
	client := api.connection(t).Client
	old, err := client.CreateAPIToken(t.Context(), &apiclient.CreateAPITokenRequest{
		AccountID: api.srv.DefaultAccount(), Name: "With icon", Description: "Kept.", ModuleIDs: []string{"MOD-1001", "MOD-1004"},
		Icon: &apiclient.Icon{Filename: "logo.png", ContentType: "image/png", Data: png.Bytes()},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := runVerb(t, api, runSpec{}, "rotate", old.ID, "--yes")
	if r.code != ExitOK || strings.Contains(r.errOut, "warning") {
		t.Fatal(r.transcript())
	}
	stored := api.srv.StoredTokens()
	newID := stored[len(stored)-1].ID
	tok, err := client.GetAPIToken(t.Context(), newID)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Name != "With icon" || description(tok) != "Kept." || len(tok.Modules) != 2 || tok.Icon == nil || tok.Status != "Active" {
		t.Fatalf("new token %+v", tok)
	}
	if api.status(t, old.ID) != "Disabled" {
		t.Fatal("the old token is not disabled")
	}
}
