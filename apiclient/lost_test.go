package apiclient

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/softwareone/apitoken/sandbox"
)

// as returns a copy of the env's client that authenticates with tok.
func (e *checkedEnv) as(tok Secret) *Client {
	c := *e.c
	c.token = tok
	return &c
}

// tokenClient creates a token of ACC-1000-0001 and returns a client that
// uses it as its credential.
func (e *checkedEnv) tokenClient(t *testing.T, name string) *Client {
	t.Helper()
	tok, err := e.c.CreateAPIToken(context.Background(), checkedRequest(name))
	if err != nil {
		t.Fatal(err)
	}
	return e.as(tok.Token)
}

// lostCreate sends a create whose answer the sandbox drops (after
// committing when commit is set) and returns its attempt.
func (e *checkedEnv) lostCreate(t *testing.T, c *Client, name string, commit bool) CreateAttempt {
	t.Helper()
	e.srv.InjectFault(sandbox.Fault{Method: "POST", Path: checkedTokensPath, DropAfterCommit: commit, DropBeforeHandling: !commit, Times: 1})
	_, err := c.CreateAPIToken(context.Background(), checkedRequest(name))
	var unknown *OutcomeUnknownError
	if !errors.As(err, &unknown) {
		t.Fatalf("want an unknown outcome, got %v", err)
	}
	return unknown.Attempt
}

func TestFindLostAPIToken(t *testing.T) {
	ctx := context.Background()
	t.Run("own token: found and certain", func(t *testing.T) {
		e := newCheckedEnv(t, WithTimeout(7*time.Second))
		alice := e.tokenClient(t, "alice")
		att := e.lostCreate(t, alice, "CI deploys", true)
		if att.CredentialTokenID == "" || att.Name != "CI deploys" || att.Started.IsZero() {
			t.Fatalf("attempt %+v", att)
		}
		res, err := alice.FindLostAPIToken(ctx, att, nil)
		if err != nil || res.State != LostFound || res.Token == nil || !res.Token.Token.IsZero() {
			t.Fatalf("%+v %v", res, err)
		}
		var stored []string
		for _, st := range e.srv.StoredTokens() {
			if st.Name == "CI deploys" {
				stored = append(stored, st.ID)
			}
		}
		if !slices.Equal(stored, []string{res.Token.ID}) {
			t.Errorf("found %s, stored %v", res.Token.ID, stored)
		}
		// It waited out the settle time (the timeout) on the injected clock.
		if w := e.waits.all(); !slices.Equal(w, []time.Duration{7 * time.Second}) {
			t.Errorf("waits %v, want [7s]", w)
		}
	})
	t.Run("someone else's token of the same name is never claimed", func(t *testing.T) {
		e := newCheckedEnv(t)
		alice, bob := e.tokenClient(t, "alice"), e.tokenClient(t, "bob")
		if _, err := bob.CreateAPIToken(ctx, checkedRequest("CI deploys")); err != nil {
			t.Fatal(err)
		}
		att := e.lostCreate(t, alice, "CI deploys", false)
		res, err := alice.FindLostAPIToken(ctx, att, nil)
		if err != nil || res.State != LostNotFoundYet || res.Token != nil || len(res.Candidates) != 0 {
			t.Fatalf("%+v %v", res, err)
		}
		if res.State.String() != "not found yet" {
			t.Errorf("wording %q claims more than is known", res.State)
		}
	})
	t.Run("excluded ids are skipped", func(t *testing.T) {
		e := newCheckedEnv(t)
		alice := e.tokenClient(t, "alice")
		att := e.lostCreate(t, alice, "CI deploys", true)
		first, err := alice.FindLostAPIToken(ctx, att, nil)
		if err != nil || first.State != LostFound {
			t.Fatalf("%+v %v", first, err)
		}
		res, err := alice.FindLostAPIToken(ctx, att, &FindLostOptions{Exclude: map[string]bool{first.Token.ID: true}})
		if err != nil || res.State != LostNotFoundYet {
			t.Errorf("%+v %v", res, err)
		}
	})
	t.Run("created before the attempt started", func(t *testing.T) {
		e := newCheckedEnv(t)
		alice := e.tokenClient(t, "alice")
		att := e.lostCreate(t, alice, "CI deploys", true)
		// An attempt that started well after the token was made (beyond
		// the skew allowance) cannot have made it.
		att.Started = time.Now().Add(CheckSkew + time.Hour)
		res, err := alice.FindLostAPIToken(ctx, att, nil)
		if err != nil || res.State != LostNotFoundYet {
			t.Errorf("%+v %v", res, err)
		}
	})
	t.Run("operator credential: uncertain", func(t *testing.T) {
		e := newCheckedEnv(t)
		att := e.lostCreate(t, e.c, "CI deploys", true)
		if att.CredentialTokenID != "" {
			t.Fatalf("the operator's credential has no token id: %+v", att)
		}
		res, err := e.c.FindLostAPIToken(ctx, att, nil)
		if err != nil || res.State != LostFoundUncertain || res.Token == nil || !strings.Contains(res.Reason, "not an API token") {
			t.Errorf("%+v %v", res, err)
		}
	})
	t.Run("two candidates: uncertain", func(t *testing.T) {
		e := newCheckedEnv(t)
		alice := e.tokenClient(t, "alice")
		if _, err := alice.CreateAPIToken(ctx, checkedRequest("CI deploys")); err != nil {
			t.Fatal(err)
		}
		att := e.lostCreate(t, alice, "CI deploys", true)
		att.Started = time.Now().Add(-time.Minute) // both are after it
		res, err := alice.FindLostAPIToken(ctx, att, nil)
		if err != nil || res.State != LostFoundUncertain || len(res.Candidates) != 2 {
			t.Errorf("%+v %v", res, err)
		}
	})
	t.Run("a name holding both quote kinds", func(t *testing.T) {
		e := newCheckedEnv(t)
		alice := e.tokenClient(t, "alice")
		name := `it's "CI"`
		if _, err := alice.CreateAPIToken(ctx, checkedRequest(`it's "CI" too`)); err != nil {
			t.Fatal(err)
		}
		att := e.lostCreate(t, alice, name, true)
		res, err := alice.FindLostAPIToken(ctx, att, nil)
		if err != nil || res.State != LostFound || res.Token.Name != name {
			t.Errorf("%+v %v", res, err)
		}
	})
	t.Run("the settle wait ends with the context", func(t *testing.T) {
		e := newCheckedEnv(t)
		att := CreateAttempt{AccountID: "ACC-1000-0001", Name: "x", Started: e.c.now(), SettleUntil: e.c.now().Add(time.Minute)}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		before := len(e.requests())
		if _, err := e.c.FindLostAPIToken(cctx, att, nil); !errors.Is(err, context.Canceled) {
			t.Errorf("err %v", err)
		}
		if len(e.requests()) != before {
			t.Error("looked although the context ended")
		}
	})
	t.Run("an incomplete attempt", func(t *testing.T) {
		e := newCheckedEnv(t)
		if _, err := e.c.FindLostAPIToken(ctx, CreateAttempt{Name: "x"}, nil); err == nil {
			t.Error("no error")
		}
	})
}

// TestCheckedLateCommitNoDuplicate: the API commits a create after the
// client gave up on it (its answer never comes), but within one request
// timeout. CreateAPITokenChecked waits out the settle time before looking,
// finds the token, and sends nothing more: no duplicate. The commit is
// held by a gate in the sandbox's fault hook and released from the
// client's (fake) settle sleep, so the order does not depend on speed.
func TestCheckedLateCommitNoDuplicate(t *testing.T) {
	e := newCheckedEnv(t, WithTimeout(30*time.Second))
	alice := e.tokenClient(t, "alice")
	gate, landed := make(chan struct{}), make(chan struct{})
	var gateOnce sync.Once
	var posts int
	e.srv.SetFaultFunc(func(r *http.Request) *sandbox.Fault {
		if r.Method != http.MethodPost {
			return nil
		}
		posts++ // one POST at a time: CreateAPITokenChecked is sequential
		if posts > 1 {
			return nil
		}
		<-gate // the commit lands when the test says so
		return &sandbox.Fault{DropAfterCommit: true}
	})
	// The client's transport gives up on the POST at once (its "timeout"),
	// while the request goes on to the sandbox.
	base := alice.httpClient.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc := *alice.httpClient
	hc.Transport = giveUpTransport{base: base, landed: landed, once: new(sync.Once)}
	alice.httpClient = &hc
	alice.sleep = func(ctx context.Context, d time.Duration) error {
		_ = e.waits.sleep(ctx, d)
		if d >= 30*time.Second { // the settle wait: the late commit lands now
			gateOnce.Do(func() { close(gate) })
			<-landed
		}
		return ctx.Err()
	}
	_, err := alice.CreateAPITokenChecked(context.Background(), checkedRequest("late"), 3)
	var lost *LostAnswerError
	if !errors.As(err, &lost) || !lost.Certain {
		t.Fatalf("got %v, want a certain *LostAnswerError", err)
	}
	if stored := e.wantStored(t, "late"); stored.ID != lost.Token.ID {
		t.Errorf("found %s, stored %s", lost.Token.ID, stored.ID)
	}
	if posts != 1 {
		t.Errorf("%d creates sent, want 1", posts)
	}
}

// giveUpTransport sends a POST on in the background and answers the client
// at once with a timeout, as if its per-attempt deadline had passed; landed
// is closed when the sandbox has finished with it.
type giveUpTransport struct {
	base   http.RoundTripper
	landed chan struct{}
	once   *sync.Once
}

func (g giveUpTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodPost {
		return g.base.RoundTrip(r)
	}
	bg := r.Clone(context.Background())
	go func() {
		defer g.once.Do(func() { close(g.landed) })
		if resp, err := g.base.RoundTrip(bg); err == nil {
			resp.Body.Close()
		}
	}()
	return nil, context.DeadlineExceeded
}
