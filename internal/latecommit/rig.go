package latecommit

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/sandbox"
)

// Rig is a soak's setting: the demo sandbox served over HTTP, and one
// client per worker whose transport and clock are the worker's and whose
// credential is an API token of its own, so that what a lookup after a
// lost answer finds is certain to be that worker's.
type Rig struct {
	Srv     *sandbox.Server
	Workers []*Worker
	Clients []*apiclient.Client
}

// NewRig sets up n workers. Worker i draws from a source seeded (i, seed),
// its clock starts at start, and its client times out and retries as a
// client with cfg.Settle would. The sandbox is closed with the test.
func NewRig(t testing.TB, n int, seed uint64, start time.Time, cfg Config) *Rig {
	t.Helper()
	srv, err := sandbox.New(sandbox.WithFixture(sandbox.DemoFixture()))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	hc := ts.Client()
	if tr, ok := hc.Transport.(*http.Transport); ok {
		tr.MaxIdleConnsPerHost = 2 * n
	}
	operator, err := apiclient.New(apiclient.WithBaseURL(ts.URL), apiclient.WithToken(apiclient.Secret(srv.OperatorToken())), apiclient.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	r := &Rig{Srv: srv}
	for i := range n {
		cred, err := operator.CreateAPIToken(context.Background(), &apiclient.CreateAPITokenRequest{
			AccountID: srv.DefaultAccount(), Name: fmt.Sprintf("worker %d", i), ModuleIDs: []string{"MOD-1001"},
		})
		if err != nil {
			t.Fatal(err)
		}
		w := New(i, hc.Transport, rand.New(rand.NewPCG(uint64(i), seed)), start, cfg)
		c, err := apiclient.New(
			apiclient.WithBaseURL(ts.URL),
			apiclient.WithToken(cred.Token),
			apiclient.WithHTTPClient(&http.Client{Transport: w}),
			apiclient.WithTimeout(cfg.Settle),
			apiclient.WithRetry(5, time.Second),
			apiclient.WithClock(w),
		)
		if err != nil {
			t.Fatal(err)
		}
		r.Workers = append(r.Workers, w)
		r.Clients = append(r.Clients, c)
	}
	return r
}
