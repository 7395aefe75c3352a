package apiclient

// Tests of CreateAPITokenChecked against the sandbox, over real HTTP. They
// live inside the package so the waits between attempts can be recorded
// instead of slept (Client.sleep); the sandbox does not import apiclient,
// so there is no cycle.

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/softwareone/apitoken/sandbox"
)

const checkedTokensPath = "/public/v1/accounts/api-tokens"

// checkedEnv is a sandbox behind httptest, a client whose waits are
// recorded, and the log of the requests that reached the sandbox.
type checkedEnv struct {
	srv   *sandbox.Server
	c     *Client
	waits *waits

	mu   sync.Mutex
	reqs []string // "POST /public/v1/accounts/api-tokens", "GET …" (no query)
}

func newCheckedEnv(t *testing.T, opts ...Option) *checkedEnv {
	t.Helper()
	srv, err := sandbox.New(sandbox.WithFixture(sandbox.DemoFixture()))
	if err != nil {
		t.Fatal(err)
	}
	e := &checkedEnv{srv: srv}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.reqs = append(e.reqs, r.Method+" "+r.URL.Path)
		e.mu.Unlock()
		srv.ServeHTTP(w, r)
	})
	all := append([]Option{WithToken(Secret(srv.OperatorToken()))}, opts...)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	all = append([]Option{WithBaseURL(ts.URL), WithHTTPClient(ts.Client())}, all...)
	c, err := New(all...)
	if err != nil {
		t.Fatal(err)
	}
	e.waits = &waits{}
	c.sleep, c.now = e.waits.sleep, e.waits.now
	e.c = c
	return e
}

func (e *checkedEnv) requests() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.reqs)
}

const (
	reqPost = "POST " + checkedTokensPath
	reqList = "GET " + checkedTokensPath
)

func checkedRequest(name string) *CreateAPITokenRequest {
	return &CreateAPITokenRequest{AccountID: "ACC-1000-0001", Name: name, ModuleIDs: []string{"MOD-1001"}}
}

// wantStored checks that exactly one token with this name is stored, Active,
// and returns it.
func (e *checkedEnv) wantStored(t *testing.T, name string) sandbox.StoredToken {
	t.Helper()
	var got []sandbox.StoredToken
	for _, st := range e.srv.StoredTokens() {
		if st.Name == name {
			got = append(got, st)
		}
	}
	if len(got) != 1 || got[0].Status != TokenStatusActive {
		t.Fatalf("stored tokens named %q: %+v, want exactly one Active", name, got)
	}
	return got[0]
}

func TestCheckedDropAfterCommitIsLostAnswer(t *testing.T) {
	e := newCheckedEnv(t)
	e.srv.InjectFault(sandbox.Fault{Method: "POST", Path: checkedTokensPath, DropAfterCommit: true, Times: 1})
	tok, err := e.c.CreateAPITokenChecked(context.Background(), checkedRequest("lost"), 3)
	var lost *LostAnswerError
	if !errors.As(err, &lost) || tok != nil {
		t.Fatalf("got %v, %T %v; want a *LostAnswerError", tok, err, err)
	}
	stored := e.wantStored(t, "lost")
	if lost.Token.ID != stored.ID || lost.Token.Name != "lost" || !lost.Token.Token.IsZero() {
		t.Errorf("LostAnswerError.Token = %+v, want the stored %s without a value", lost.Token, stored.ID)
	}
	var unknown *OutcomeUnknownError
	if !errors.As(lost.Cause, &unknown) || !errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("Cause = %T %v, want the *OutcomeUnknownError", lost.Cause, lost.Cause)
	}
	if want := []string{reqPost, reqList}; !slices.Equal(e.requests(), want) {
		t.Errorf("requests = %q, want %q", e.requests(), want)
	}
	if msg := err.Error(); !strings.Contains(msg, stored.ID) || !strings.Contains(msg, "answer was lost") || strings.Contains(msg, "outcome unknown") {
		t.Errorf("Error() = %q", msg)
	}
}

func TestCheckedDropBeforeHandlingIsRetried(t *testing.T) {
	e := newCheckedEnv(t, WithTimeout(5*time.Second))
	e.srv.InjectFault(sandbox.Fault{Method: "POST", Path: checkedTokensPath, DropBeforeHandling: true, Times: 1})
	tok, err := e.c.CreateAPITokenChecked(context.Background(), checkedRequest("dropped"), 3)
	if err != nil {
		t.Fatalf("CreateAPITokenChecked: %v", err)
	}
	if stored := e.wantStored(t, "dropped"); tok.ID != stored.ID || tok.Token.IsZero() {
		t.Errorf("token %s (value set: %v), stored %s", tok.ID, !tok.Token.IsZero(), stored.ID)
	}
	if want := []string{reqPost, reqList, reqPost}; !slices.Equal(e.requests(), want) {
		t.Errorf("requests = %q, want %q", e.requests(), want)
	}
	creates := e.srv.Creates()
	if len(creates) != 2 || creates[0].Status != 0 || creates[1].Status != http.StatusCreated {
		t.Errorf("creates = %+v", creates)
	}
	// No answer at all: the request might still be running, so the check
	// waits as long as an attempt may take.
	if got := e.waits.all(); !slices.Equal(got, []time.Duration{5 * time.Second}) {
		t.Errorf("waits = %v, want [5s] (the timeout)", got)
	}
}

func TestCheckedSettleWait(t *testing.T) {
	for _, tt := range []struct {
		name  string
		opts  []Option
		fault sandbox.Fault
		want  time.Duration
	}{
		// A gateway gave up; the API behind it may still be at work.
		{"504", []Option{WithTimeout(3 * time.Second)}, sandbox.Fault{Status: 504}, 3 * time.Second},
		// One policy: the whole timeout, whatever maxWait says.
		{"502 not capped by maxWait", []Option{WithTimeout(time.Minute), WithRetry(0, 4*time.Second)}, sandbox.Fault{Status: 502}, time.Minute},
		{"no timeout: the default timeout", []Option{WithTimeout(0), WithRetry(0, 7*time.Second)}, sandbox.Fault{DropBeforeHandling: true}, defaultTimeout},
		// The API's own 503: Retry-After, not the timeout.
		{"503", []Option{WithTimeout(9 * time.Second)}, sandbox.Fault{Status: 503, RetryAfter: time.Second}, time.Second},
		// A 201 nobody can read: the token exists, no need to let it settle
		// (the backoff of a first retry is 250 to 500 ms).
		{"unreadable 201", []Option{WithTimeout(9 * time.Second)}, sandbox.Fault{Status: 201, Body: `{"id":`, ContentType: "application/json"}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newCheckedEnv(t, tt.opts...)
			tt.fault.Method, tt.fault.Path, tt.fault.Times = "POST", checkedTokensPath, 1
			e.srv.InjectFault(tt.fault)
			if _, err := e.c.CreateAPITokenChecked(context.Background(), checkedRequest("settle"), 2); err != nil {
				t.Fatalf("CreateAPITokenChecked: %v", err)
			}
			got := e.waits.all()
			if tt.want == 0 {
				if len(got) != 1 || got[0] < defaultBackoff/2 || got[0] > defaultBackoff {
					t.Errorf("waits = %v, want one backoff of 250 to 500 ms", got)
				}
				return
			}
			if !slices.Equal(got, []time.Duration{tt.want}) {
				t.Errorf("waits = %v, want [%s]", got, tt.want)
			}
		})
	}
}

func TestChecked503IsCheckedThenRetried(t *testing.T) {
	e := newCheckedEnv(t)
	e.srv.InjectFault(sandbox.Fault{Method: "POST", Path: checkedTokensPath, Status: 503, RetryAfter: 2 * time.Second, Times: 1})
	tok, err := e.c.CreateAPITokenChecked(context.Background(), checkedRequest("unavailable"), 3)
	if err != nil {
		t.Fatalf("CreateAPITokenChecked: %v", err)
	}
	if stored := e.wantStored(t, "unavailable"); tok.ID != stored.ID {
		t.Errorf("token %s, stored %s", tok.ID, stored.ID)
	}
	if want := []string{reqPost, reqList, reqPost}; !slices.Equal(e.requests(), want) {
		t.Errorf("requests = %q, want %q", e.requests(), want)
	}
	// The 503's Retry-After is honoured before the check and the resend.
	if got := e.waits.all(); !slices.Equal(got, []time.Duration{2 * time.Second}) {
		t.Errorf("waits = %v, want [2s]", got)
	}
}

func TestChecked429WaitsRetryAfter(t *testing.T) {
	e := newCheckedEnv(t)
	e.srv.InjectFault(sandbox.Fault{Method: "POST", Path: checkedTokensPath, Status: 429, RetryAfter: time.Second, Times: 2})
	tok, err := e.c.CreateAPITokenChecked(context.Background(), checkedRequest("limited"), 3)
	if err != nil {
		t.Fatalf("CreateAPITokenChecked: %v", err)
	}
	e.wantStored(t, "limited")
	if tok.Token.IsZero() {
		t.Error("no token value")
	}
	// Nothing was created by a 429: no check between the sends.
	if want := []string{reqPost, reqPost, reqPost}; !slices.Equal(e.requests(), want) {
		t.Errorf("requests = %q, want %q", e.requests(), want)
	}
	if got := e.waits.all(); !slices.Equal(got, []time.Duration{time.Second, time.Second}) {
		t.Errorf("waits = %v, want [1s 1s]", got)
	}
}

func TestChecked429RetryAfterIsCapped(t *testing.T) {
	e := newCheckedEnv(t, WithRetry(3, 250*time.Millisecond))
	e.srv.InjectFault(sandbox.Fault{Method: "POST", Path: checkedTokensPath, Status: 429, RetryAfter: time.Hour, Times: 1})
	if _, err := e.c.CreateAPITokenChecked(context.Background(), checkedRequest("capped"), 3); err != nil {
		t.Fatalf("CreateAPITokenChecked: %v", err)
	}
	if got := e.waits.all(); !slices.Equal(got, []time.Duration{250 * time.Millisecond}) {
		t.Errorf("waits = %v, want the Retry-After cut to maxWait", got)
	}
}

func TestCheckedCheckFailingReturnsOutcomeUnknown(t *testing.T) {
	e := newCheckedEnv(t)
	e.srv.InjectFault(sandbox.Fault{Method: "POST", Path: checkedTokensPath, Status: 503, Times: 1})
	// A 500 is not retried by a read either: the check fails at once.
	e.srv.InjectFault(sandbox.Fault{Method: "GET", Path: checkedTokensPath, Status: 500})
	tok, err := e.c.CreateAPITokenChecked(context.Background(), checkedRequest("unchecked"), 3)
	if tok != nil {
		t.Fatalf("token %+v", tok)
	}
	// Unchanged: the *OutcomeUnknownError itself, not wrapped.
	unknown, ok := err.(*OutcomeUnknownError)
	if !ok || StatusCode(unknown.Err) != 503 {
		t.Fatalf("err = %T %v, want the create's *OutcomeUnknownError (503)", err, err)
	}
	if n := len(e.srv.Creates()); n != 1 {
		t.Errorf("%d creates sent, want exactly 1", n)
	}
	if want := []string{reqPost, reqList}; !slices.Equal(e.requests(), want) {
		t.Errorf("requests = %q, want %q", e.requests(), want)
	}
}

func TestCheckedDelayPastTimeoutIsCheckedThenRetried(t *testing.T) {
	e := newCheckedEnv(t, WithTimeout(2*time.Second))
	// The sandbox's model: a request whose client left during the delay
	// never takes effect. The delay outlasts any test run: only the
	// client's timeout ends it.
	e.srv.InjectFault(sandbox.Fault{Method: "POST", Path: checkedTokensPath, Delay: time.Hour, Times: 1})
	tok, err := e.c.CreateAPITokenChecked(context.Background(), checkedRequest("slow"), 3)
	if err != nil {
		t.Fatalf("CreateAPITokenChecked: %v", err)
	}
	// The look came after a settle wait of one timeout, on the fake clock.
	if w := e.waits.all(); !slices.Equal(w, []time.Duration{2 * time.Second}) {
		t.Errorf("waits %v, want [2s]", w)
	}
	if stored := e.wantStored(t, "slow"); tok.ID != stored.ID {
		t.Errorf("token %s, stored %s", tok.ID, stored.ID)
	}
	if want := []string{reqPost, reqList, reqPost}; !slices.Equal(e.requests(), want) {
		t.Errorf("requests = %q, want %q", e.requests(), want)
	}
}

func TestCheckedAttemptsAreBounded(t *testing.T) {
	for _, tt := range []struct {
		name     string
		fault    sandbox.Fault
		attempts int
		want     []string
	}{
		{"503", sandbox.Fault{Status: 503}, 3, []string{reqPost, reqList, reqPost, reqList, reqPost, reqList}},
		{"429", sandbox.Fault{Status: 429, RetryAfter: time.Second}, 3, []string{reqPost, reqPost, reqPost}},
		{"zero attempts is one", sandbox.Fault{Status: 502}, 0, []string{reqPost, reqList}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newCheckedEnv(t)
			tt.fault.Method, tt.fault.Path = "POST", checkedTokensPath
			e.srv.InjectFault(tt.fault)
			_, err := e.c.CreateAPITokenChecked(context.Background(), checkedRequest("never"), tt.attempts)
			if StatusCode(err) != tt.fault.Status {
				t.Errorf("err = %v, want status %d", err, tt.fault.Status)
			}
			if wantUnknown := tt.fault.Status >= 500; errors.Is(err, ErrOutcomeUnknown) != wantUnknown {
				t.Errorf("err = %v, outcome unknown should be %v", err, wantUnknown)
			}
			if got := e.requests(); !slices.Equal(got, tt.want) {
				t.Errorf("requests = %q, want %q", got, tt.want)
			}
			if n := len(e.srv.StoredTokens()); n != 0 {
				t.Errorf("%d tokens stored", n)
			}
		})
	}
}

func TestCheckedOtherErrorsAreNotRetried(t *testing.T) {
	e := newCheckedEnv(t)
	e.srv.InjectFault(sandbox.Fault{Method: "POST", Path: checkedTokensPath, Status: 409, Times: 1})
	if _, err := e.c.CreateAPITokenChecked(context.Background(), checkedRequest("conflict"), 3); StatusCode(err) != 409 {
		t.Errorf("err = %v, want the 409", err)
	}
	var invalid *InvalidRequestError
	if _, err := e.c.CreateAPITokenChecked(context.Background(), checkedRequest(" "), 3); !errors.As(err, &invalid) {
		t.Errorf("err = %v, want an *InvalidRequestError", err)
	}
	if _, err := e.c.CreateAPITokenChecked(context.Background(), nil, 3); err == nil {
		t.Error("nil request: no error")
	}
	if want := []string{reqPost}; !slices.Equal(e.requests(), want) {
		t.Errorf("requests = %q, want %q", e.requests(), want)
	}
	if len(e.waits.all()) != 0 {
		t.Errorf("waited %v", e.waits.all())
	}
}

func TestCheckedContextEndsTheWait(t *testing.T) {
	e := newCheckedEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	e.c.sleep = func(context.Context, time.Duration) error { cancel(); return context.Canceled }
	e.srv.InjectFault(sandbox.Fault{Method: "POST", Path: checkedTokensPath, Status: 502, Times: 1})
	_, err := e.c.CreateAPITokenChecked(ctx, checkedRequest("cancelled"), 3)
	// Still unknown (no check ran) and visibly cancelled.
	if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, context.Canceled) || StatusCode(err) != 502 {
		t.Errorf("err = %v", err)
	}
	if want := []string{reqPost}; !slices.Equal(e.requests(), want) {
		t.Errorf("requests = %q, want %q", e.requests(), want)
	}
}

// TestCheckedNameMatchIsExact: a server whose eq() matched loosely must not
// make another token pass for the lost one.
func TestCheckedNameMatchIsExact(t *testing.T) {
	var mu sync.Mutex
	var reqs []string
	posts := 0
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		reqs = append(reqs, r.Method+" "+r.URL.Path)
		first := r.Method == http.MethodPost && posts == 0
		if r.Method == http.MethodPost {
			posts++
		}
		mu.Unlock()
		switch r.Method {
		case http.MethodPost:
			if first {
				writeProblem(w, http.StatusBadGateway, `{"title":"Bad Gateway","status":502}`)
				return
			}
			writeJSON(w, http.StatusCreated, tokenJSON)
		case http.MethodGet:
			writeJSON(w, http.StatusOK, `{"data":[
				{"id":"TKN-0000-0001","name":"Nightly Export","status":"Active","revision":1,"modules":[]},
				{"id":"TKN-0000-0002","name":"nightly export","status":"Active","revision":1,"modules":[],"account":{"id":"ACC-9999-9999"}}],
				"$meta":{"pagination":{"offset":0,"limit":100,"total":2}}}`)
		}
	})
	c, _ := newTestClient(t, h)
	tok, err := c.CreateAPITokenChecked(context.Background(), validRequest(), 3)
	if err != nil || tok.ID != "TKN-4134-7330" {
		t.Fatalf("got %+v, %v; want the second create's token", tok, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{reqPost, reqList, reqPost}; !slices.Equal(reqs, want) {
		t.Errorf("requests = %q, want %q", reqs, want)
	}
}

// TestCheckedLooksBackFromTheFirstAttempt: the check's lower bound is the
// first attempt's start less CheckSkew, however many attempts came before.
func TestCheckedLooksBackFromTheFirstAttempt(t *testing.T) {
	var mu sync.Mutex
	var queries []string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			mu.Lock()
			queries = append(queries, r.URL.RawQuery)
			mu.Unlock()
			writeJSON(w, http.StatusOK, `{"data":[],"$meta":{"pagination":{"offset":0,"limit":100,"total":0}}}`)
			return
		}
		writeProblem(w, http.StatusServiceUnavailable, `{"status":503}`)
	})
	c, _ := newTestClient(t, h)
	first := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	now := first
	c.now = func() time.Time { t := now; now = now.Add(time.Hour); return t }
	if _, err := c.CreateAPITokenChecked(context.Background(), validRequest(), 2); !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("err = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(queries) != 2 {
		t.Fatalf("%d checks, want 2", len(queries))
	}
	want := `ge(audit.created.at,"2026-11-27T09:55:00.000Z")`
	for _, q := range queries {
		raw, err := url.PathUnescape(q)
		if err != nil || !strings.Contains(raw, want) {
			t.Errorf("query %q (%v) does not contain %s", raw, err, want)
		}
	}
}
