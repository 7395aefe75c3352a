package apiclient_test

// Module fetch benchmarks: ListEnabledModules for a 10 000-module account
// against the sandbox over loopback HTTP, with no added latency (the
// transfer) and with 20 ms added to every request by the sandbox's fault
// hook, next to a single GET (the round trip). Run them with
//
//	go test -run '^$' -bench ListEnabledModules -benchmem ./apiclient
//
// The "round-trips" metric is the time per fetch divided by the measured
// round trip: fetching the pages concurrently once the total is known
// makes it about 2 plus the transfer. No time is asserted; bench/run
// compares the figures with the target.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/sandbox"
)

const benchModules = 10_000

// benchClient serves a 10 000-module sandbox on loopback, with latency
// added to every request, and returns a client for it and its account.
func benchClient(b *testing.B, latency time.Duration) (*apiclient.Client, string) {
	b.Helper()
	srv, err := sandbox.New(sandbox.WithFixture(sandbox.GenerateFixture(benchModules)))
	if err != nil {
		b.Fatal(err)
	}
	if latency > 0 {
		srv.SetFaultFunc(func(*http.Request) *sandbox.Fault { return &sandbox.Fault{Delay: latency} })
	}
	ts := httptest.NewServer(srv)
	b.Cleanup(ts.Close)
	// The client's own transport (not ts.Client()), as the wizard uses it.
	c, err := apiclient.New(apiclient.WithBaseURL(ts.URL), apiclient.WithToken(apiclient.Secret(srv.OperatorToken())))
	if err != nil {
		b.Fatal(err)
	}
	return c, srv.DefaultAccount()
}

// roundTrip is the median of a few GETs of the account.
func roundTrip(b *testing.B, c *apiclient.Client, account string) time.Duration {
	b.Helper()
	var ds []time.Duration
	for range 7 {
		start := time.Now()
		if _, err := c.GetAccount(context.Background(), account); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}

func benchFetch(b *testing.B, latency time.Duration) {
	c, account := benchClient(b, latency)
	rtt := roundTrip(b, c, account)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		mods, err := c.ListEnabledModules(context.Background(), account)
		if err != nil {
			b.Fatal(err)
		}
		if len(mods) != benchModules {
			b.Fatalf("got %d modules, want %d", len(mods), benchModules)
		}
	}
	perOp := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(rtt.Microseconds())/1000, "rtt-ms")
	b.ReportMetric(float64(perOp)/float64(rtt), "round-trips")
}

// BenchmarkListEnabledModules10k fetches the account's modules: the
// account and the first page at once, then the 99 other pages (the
// platform caps a page at 100) at once.
func BenchmarkListEnabledModules10k(b *testing.B) {
	b.Run("latency=0", func(b *testing.B) { benchFetch(b, 0) })
	b.Run("latency=20ms", func(b *testing.B) { benchFetch(b, 20*time.Millisecond) })
}

// BenchmarkGetAccount is the single round trip the fetch is compared with.
func BenchmarkGetAccount(b *testing.B) {
	for _, latency := range []time.Duration{0, 20 * time.Millisecond} {
		b.Run("latency="+latency.String(), func(b *testing.B) {
			c, account := benchClient(b, latency)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.GetAccount(context.Background(), account); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeTokenPage decodes a list page of 50 tokens, as the API
// tokens page does for every filter query.
func BenchmarkDecodeTokenPage(b *testing.B) {
	one := `{"id":"TKN-1000-1001","name":"Nightly billing export","description":"Used by the billing job.",` +
		`"status":"Active","account":{"id":"ACC-1000-0001","name":"Contoso Ltd"},"icon":null,"revision":3,` +
		`"modules":[{"id":"MOD-1001","name":"Orders"},{"id":"MOD-1005","name":"Billing"}],` +
		`"audit":{"created":{"at":"2026-11-25T18:00:00.000Z","by":{"id":"USR-1000-0001","name":"Rahul Mehta"}}},` +
		`"lastAccessAt":"2026-11-27T08:00:00.000Z"}`
	page := []byte(`{"data":[` + strings.Repeat(one+",", 49) + one + `],"$meta":{"pagination":{"offset":0,"limit":50,"total":50}}}`)
	b.ReportAllocs()
	for b.Loop() {
		var out struct {
			Data []apiclient.APIToken `json:"data"`
		}
		if err := json.Unmarshal(page, &out); err != nil || len(out.Data) != 50 {
			b.Fatal(err)
		}
	}
}
