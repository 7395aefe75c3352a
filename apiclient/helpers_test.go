package apiclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

const testToken = Secret("idt:TKN-1111-2222:S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tABCD")

// waits records the waits between retries instead of sleeping.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

// waitsEpoch is the fake clock's start: each recorded wait moves it on.
var waitsEpoch = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

// now is waitsEpoch plus every wait so far.
func (w *waits) now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	t := waitsEpoch
	for _, d := range w.d {
		t = t.Add(max(d, 0))
	}
	return t
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// newTestClient starts handler in an httptest server and returns a client
// for it whose retries record their waits instead of sleeping.
func newTestClient(t *testing.T, handler http.Handler, opts ...Option) (*Client, *waits) {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	all := append([]Option{WithBaseURL(srv.URL), WithToken(testToken), WithHTTPClient(srv.Client())}, opts...)
	c, err := New(all...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	w := &waits{}
	c.sleep = w.sleep
	return c, w
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func writeProblem(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

const tokenJSON = `{"id":"TKN-4134-7330",
 "audit":{"created":{"at":"2026-11-27T10:00:00.000Z","by":{"id":"USR-0000-0001","name":"Sandbox Operator"}},
          "updated":{"at":"2026-11-27T10:00:00.000Z","by":{"id":"USR-0000-0001","name":"Sandbox Operator"}}},
 "name":"nightly export","icon":null,"revision":1,"status":"Active","description":null,"lastAccessAt":null,
 "token":"idt:TKN-4134-7330:abcdefghijABCDEFGHIJabcdefghijABCDEFGHIJabcdefghijABCDEFGHIJ0123",
 "account":{"id":"ACC-1234-5678","name":"Acme","icon":null,"revision":1,"type":"Client","status":"Active"},
 "modules":[{"id":"MOD-1001","name":"Catalog","revision":1,"description":"d","filters":null,
             "settings":{"configurable":true,"default":true,"paid":false,"type":[],"obsolete":false,
                         "eligibility":{"multi":true,"single":true}}}],
 "extensions":[]}`

func validRequest() *CreateAPITokenRequest {
	return &CreateAPITokenRequest{AccountID: "ACC-1234-5678", Name: "nightly export", ModuleIDs: []string{"MOD-1001"}}
}
