package sandbox

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func (e *env) createRequest(name string) request {
	b, _ := json.Marshal(createBody(contoso, name, "MOD-1001"))
	return request{method: "POST", path: createPath, token: testOperator, contentType: "application/json", body: b}
}

func TestFaultStatusWithRetryAfter(t *testing.T) {
	for _, tt := range []struct {
		status     int
		retryAfter time.Duration
		want       string
	}{
		{503, 1500 * time.Millisecond, "2"},
		{429, 3 * time.Second, "3"},
		{429, 10 * time.Millisecond, "1"},
		{500, 3 * time.Second, ""}, // only 429 and 503 carry it
	} {
		e := newEnv(t)
		e.s.InjectFault(Fault{Method: "POST", Path: createPath, Status: tt.status, RetryAfter: tt.retryAfter, Times: 1})
		res := e.send(e.createRequest("retry me"))
		p := res.problem(t, tt.status)
		if got := res.header.Get("Retry-After"); got != tt.want {
			t.Errorf("%d: Retry-After = %q, want %q", tt.status, got, tt.want)
		}
		if p.Detail != "Injected fault." {
			t.Errorf("detail = %q", p.Detail)
		}
		if n := len(e.s.StoredTokens()); n != 0 {
			t.Errorf("%d: %d tokens stored by a faulted request", tt.status, n)
		}
		// Times: 1 — the retry goes through.
		e.send(e.createRequest("retry me")).want(t, http.StatusCreated)
		recs := e.s.Creates()
		if len(recs) != 2 || recs[0].Status != tt.status || recs[0].Name != "retry me" || recs[0].TokenID != "" ||
			recs[1].Status != 201 || recs[1].TokenID == "" {
			t.Errorf("Creates = %+v", recs)
		}
	}
}

func TestFaultRawBodies(t *testing.T) {
	e := newEnv(t)
	e.s.InjectFault(Fault{Path: "/public/v1/accounts/modules", Status: 502, Body: "<html><body>Bad gateway</body></html>", ContentType: "text/html", Times: 1})
	e.s.InjectFault(Fault{Path: "/public/v1/accounts/modules", Status: 200, Body: `{"data":[{"id":"MOD-1`, ContentType: "application/json", Times: 1})
	e.s.InjectFault(Fault{Path: "/public/v1/accounts/modules", Status: 200, Times: 1})

	res := e.get("/public/v1/accounts/modules")
	if res.status != 502 || string(res.body) != "<html><body>Bad gateway</body></html>" || res.header.Get("Content-Type") != "text/html" {
		t.Errorf("html fault: %d %q %q", res.status, res.header.Get("Content-Type"), res.body)
	}
	if !traceIDRe.MatchString(res.header.Get("X-Trace-Id")) {
		t.Errorf("X-Trace-Id = %q on a fault", res.header.Get("X-Trace-Id"))
	}
	res = e.get("/public/v1/accounts/modules")
	if res.status != 200 || string(res.body) != `{"data":[{"id":"MOD-1` {
		t.Errorf("truncated fault: %d %q", res.status, res.body)
	}
	res = e.get("/public/v1/accounts/modules")
	if res.status != 200 || len(res.body) != 0 {
		t.Errorf("empty fault: %d %q", res.status, res.body)
	}
	list(t, e.get("/public/v1/accounts/modules")) // faults used up
}

func TestFaultMatching(t *testing.T) {
	e := newEnv(t)
	e.s.InjectFault(Fault{Method: "get", Path: "/public/v1/accounts/modules", Status: 503})
	e.send(e.createRequest("unaffected")).want(t, http.StatusCreated)
	e.get("/public/v1/accounts/accounts").want(t, http.StatusOK)
	for range 3 { // Times 0: every matching request
		e.get("/public/v1/accounts/modules/MOD-1001").problem(t, http.StatusServiceUnavailable)
	}
	e.s.ClearFaults()
	e.get("/public/v1/accounts/modules/MOD-1001").want(t, http.StatusOK)

	// The first matching fault with uses left applies.
	e.s.InjectFault(Fault{Status: 500, Times: 1})
	e.s.InjectFault(Fault{Status: 504, Times: 2})
	got := []int{e.get("/x").status, e.get("/x").status, e.get("/x").status, e.get("/x").status}
	if got[0] != 500 || got[1] != 504 || got[2] != 504 || got[3] != 404 {
		t.Errorf("statuses = %v, want [500 504 504 404]", got)
	}
}

func TestFaultFunc(t *testing.T) {
	e := newEnv(t)
	var n atomic.Int32
	e.s.SetFaultFunc(func(r *http.Request) *Fault {
		if n.Add(1)%2 == 0 {
			return &Fault{Status: http.StatusBadGateway}
		}
		return nil
	})
	e.s.InjectFault(Fault{Status: 418, Times: 1}) // queued faults come first
	var statuses []int
	for range 5 {
		statuses = append(statuses, e.get("/public/v1/accounts/accounts").status)
	}
	if join(intsToStrings(statuses)) != "418,200,502,200,502" {
		t.Errorf("statuses = %v", statuses)
	}
	e.s.SetFaultFunc(nil)
	e.get("/public/v1/accounts/accounts").want(t, http.StatusOK)
}

func intsToStrings(xs []int) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strconv.Itoa(x)
	}
	return out
}

func TestFaultDelay(t *testing.T) {
	e := newEnv(t)
	e.s.InjectFault(Fault{Path: createPath, Delay: 150 * time.Millisecond, Times: 1})
	start := time.Now()
	e.send(e.createRequest("slow")).want(t, http.StatusCreated)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("answered after %v, want at least 150ms", d)
	}
}

func TestFaultDelayStopsWhenTheClientGoesAway(t *testing.T) {
	e := newEnv(t)
	e.s.InjectFault(Fault{Path: createPath, Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	r := e.createRequest("abandoned")
	req, _ := http.NewRequestWithContext(ctx, r.method, e.ts.URL+r.path, strings.NewReader(string(r.body)))
	req.Header.Set("Authorization", "Bearer "+testOperator)
	req.Header.Set("Content-Type", "application/json")
	if _, err := e.ts.Client().Do(req); err == nil {
		t.Fatal("request answered despite an hour's delay")
	}
	// Close waits for handlers: it returns quickly only if the sleep ended.
	start := time.Now()
	e.ts.Close()
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("server took %v to close: the handler kept sleeping", d)
	}
	if n := len(e.s.StoredTokens()); n != 0 {
		t.Errorf("%d tokens stored by an abandoned request", n)
	}
	if recs := e.s.Creates(); len(recs) != 1 || recs[0].Status != 0 || recs[0].Name != "abandoned" {
		t.Errorf("Creates = %+v", recs)
	}
}

func TestFaultDropAfterCommit(t *testing.T) {
	e := newEnv(t)
	e.s.InjectFault(Fault{Method: "POST", Path: createPath, DropAfterCommit: true, Times: 1})
	if res, err := e.try(e.createRequest("ghost")); err == nil {
		t.Fatalf("client got an answer: %d %s", res.status, res.body)
	}
	stored := e.s.StoredTokens()
	if len(stored) != 1 || stored[0].Name != "ghost" || stored[0].Status != "Active" {
		t.Fatalf("StoredTokens = %+v, want the committed token", stored)
	}
	recs := e.s.Creates()
	if len(recs) != 1 || recs[0].Status != 201 || recs[0].TokenID != stored[0].ID {
		t.Errorf("Creates = %+v", recs)
	}
	// The token is really there: a list finds it.
	items, _, _, _ := list(t, e.get(createPath+"?"+rq(`eq(name,"ghost")`)))
	if join(ids(items)) != stored[0].ID {
		t.Errorf("list = %v", ids(items))
	}
}

func TestFaultDropAfterCommitSurvivesAnImpatientClient(t *testing.T) {
	e := newEnv(t)
	e.s.InjectFault(Fault{Path: createPath, Delay: 300 * time.Millisecond, DropAfterCommit: true, Times: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r := e.createRequest("committed anyway")
	req, _ := http.NewRequestWithContext(ctx, r.method, e.ts.URL+r.path, strings.NewReader(string(r.body)))
	req.Header.Set("Authorization", "Bearer "+testOperator)
	req.Header.Set("Content-Type", "application/json")
	if _, err := e.ts.Client().Do(req); err == nil {
		t.Fatal("client got an answer")
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(e.s.StoredTokens()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if stored := e.s.StoredTokens(); len(stored) != 1 || stored[0].Name != "committed anyway" {
		t.Errorf("StoredTokens = %+v", stored)
	}
}

func TestFaultDropBeforeHandling(t *testing.T) {
	e := newEnv(t)
	e.s.InjectFault(Fault{Method: "POST", Path: createPath, DropBeforeHandling: true, Times: 1})
	if res, err := e.try(e.createRequest("never")); err == nil {
		t.Fatalf("client got an answer: %d", res.status)
	}
	if n := len(e.s.StoredTokens()); n != 0 {
		t.Errorf("%d tokens stored", n)
	}
	recs := e.s.Creates()
	if len(recs) != 1 || recs[0].Status != 0 || recs[0].Name != "never" || recs[0].TokenID != "" {
		t.Errorf("Creates = %+v", recs)
	}
	e.send(e.createRequest("next")).want(t, http.StatusCreated)
}

func TestDropWithoutHijackerAborts(t *testing.T) {
	s, err := New(WithOperatorToken(testOperator))
	if err != nil {
		t.Fatal(err)
	}
	s.InjectFault(Fault{DropBeforeHandling: true})
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler", v)
		}
	}()
	s.ServeHTTP(&recorder{h: http.Header{}}, mustRequest(t, "GET", "/public/v1/accounts/accounts"))
	t.Error("ServeHTTP returned normally")
}

type recorder struct {
	h      http.Header
	status int
	body   strings.Builder
}

func (r *recorder) Header() http.Header         { return r.h }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(code int)        { r.status = code }

func mustRequest(t *testing.T, method, path string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, "http://sandbox"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Authorization", "Bearer "+testOperator)
	return r
}

func TestLatency(t *testing.T) {
	e := newEnv(t, WithLatency(40*time.Millisecond))
	start := time.Now()
	e.get("/public/v1/accounts/accounts").want(t, http.StatusOK)
	if d := time.Since(start); d < 40*time.Millisecond {
		t.Errorf("answered after %v, want at least 40ms", d)
	}
}
