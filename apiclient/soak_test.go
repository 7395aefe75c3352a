package apiclient_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/sandbox"
)

// soakTimeout is the client's per-attempt timeout in the soak test; a
// delay fault of twice that is "past the timeout".
const soakTimeout = 100 * time.Millisecond

// soakFaults draws the faults of the soak test from a seeded source. The
// sandbox calls it concurrently, hence the lock; which request gets which
// fault depends on scheduling, the mix does not.
type soakFaults struct {
	mu     sync.Mutex
	rnd    *rand.Rand
	counts map[string]int
}

func (s *soakFaults) next(r *http.Request) *sandbox.Fault {
	if !strings.HasPrefix(r.URL.Path, "/public/v1/accounts/api-tokens") {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var f sandbox.Fault
	var kind string
	retryAfter := time.Duration(s.rnd.IntN(2)) * time.Second // 0 (no header) or 1 s
	switch r.Method {
	case http.MethodPost:
		if s.rnd.Float64() >= 0.30 {
			return nil
		}
		switch n := s.rnd.IntN(8); n {
		case 0:
			kind, f = "POST drop after commit", sandbox.Fault{DropAfterCommit: true}
		case 1:
			kind, f = "POST drop before handling", sandbox.Fault{DropBeforeHandling: true}
		case 2:
			// The sandbox's model of a request that never took effect:
			// the delay ends when the client goes away (at its timeout),
			// and then nothing is handled. A real server might instead
			// commit after the client gave up; no client can rule that
			// out, which is why CreateAPITokenChecked waits before its
			// check and reports rather than uses what it finds.
			kind, f = "POST delay past the timeout", sandbox.Fault{Delay: 2 * soakTimeout}
		case 3, 4, 5, 6:
			status := []int{500, 502, 503, 504}[n-3]
			kind, f = fmt.Sprintf("POST %d", status), sandbox.Fault{Status: status, RetryAfter: retryAfter}
		default:
			kind, f = "POST 429", sandbox.Fault{Status: http.StatusTooManyRequests, RetryAfter: retryAfter}
		}
	case http.MethodGet:
		// Only faults a read retries: with WithRetry(5, …) a check then
		// practically never fails, so every lost answer is found and the
		// counts below can be exact.
		if s.rnd.Float64() >= 0.04 {
			return nil
		}
		switch n := s.rnd.IntN(6); n {
		case 0:
			kind, f = "GET drop before handling", sandbox.Fault{DropBeforeHandling: true}
		case 1:
			kind, f = "GET delay past the timeout", sandbox.Fault{Delay: 2 * soakTimeout}
		case 2, 3, 4:
			status := []int{502, 503, 504}[n-2]
			kind, f = fmt.Sprintf("GET %d", status), sandbox.Fault{Status: status, RetryAfter: retryAfter}
		default:
			kind, f = "GET 429", sandbox.Fault{Status: http.StatusTooManyRequests, RetryAfter: retryAfter}
		}
	default:
		return nil
	}
	s.counts[kind]++
	return &f
}

type soakResult struct {
	name    string
	token   *apiclient.APIToken
	lostID  string // the token of a *LostAnswerError
	unknown bool   // an *OutcomeUnknownError was the last word
	err     error
}

// TestSoakCreateChecked sends 1 000 creates (unique names) through
// CreateAPITokenChecked while ~30 % of creates and a few % of reads fail in
// every way the sandbox can fail, and checks that no name ever got two
// tokens and that the client's account of what was created is exactly what
// the sandbox stored.
func TestSoakCreateChecked(t *testing.T) {
	creates := 1000
	if testing.Short() {
		creates = 200
	}
	const workers = 8

	srv, err := sandbox.New(sandbox.WithFixture(sandbox.DemoFixture()))
	if err != nil {
		t.Fatal(err)
	}
	faults := &soakFaults{rnd: rand.New(rand.NewPCG(20261127, 1)), counts: map[string]int{}}
	srv.SetFaultFunc(faults.next)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	hc := ts.Client()
	if tr, ok := hc.Transport.(*http.Transport); ok {
		tr.MaxIdleConnsPerHost = 2 * workers
	}
	client, err := apiclient.New(
		apiclient.WithBaseURL(ts.URL),
		apiclient.WithToken(apiclient.Secret(srv.OperatorToken())),
		apiclient.WithHTTPClient(hc),
		apiclient.WithTimeout(soakTimeout),
		// Short waits: Retry-After (up to 1 s) and backoff are cut to the
		// timeout, which is also how long a check waits for a request that
		// timed out to finish (see CreateAPITokenChecked).
		apiclient.WithRetry(5, soakTimeout),
	)
	if err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	names := make(chan string)
	results := make(chan soakResult, creates)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for name := range names {
				// Bounded: even a pathological run cannot hang the test.
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				tok, err := client.CreateAPITokenChecked(ctx, &apiclient.CreateAPITokenRequest{
					AccountID: "ACC-1000-0001", Name: name, ModuleIDs: []string{"MOD-1001"},
				}, 3)
				cancel()
				res := soakResult{name: name, token: tok, err: err}
				var lost *apiclient.LostAnswerError
				switch {
				case errors.As(err, &lost):
					res.lostID = lost.Token.ID
				case errors.Is(err, apiclient.ErrOutcomeUnknown):
					res.unknown = true
				}
				results <- res
			}
		})
	}
	for i := range creates {
		names <- fmt.Sprintf("soak %04d", i)
	}
	close(names)
	wg.Wait()
	close(results)
	elapsed := time.Since(start)

	stored := map[string][]sandbox.StoredToken{}
	all := srv.StoredTokens()
	for _, st := range all {
		stored[st.Name] = append(stored[st.Name], st)
	}
	for name, sts := range stored {
		if len(sts) > 1 {
			t.Errorf("%q has %d stored tokens: %+v", name, len(sts), sts)
			for _, c := range srv.Creates() {
				if c.Name == name {
					t.Logf("  create request %q: status %d, token %q", c.Name, c.Status, c.TokenID)
				}
			}
		}
	}

	var succeeded, lost, unknown, failed int
	failures := map[string]int{}
	seen := map[string]bool{}
	for res := range results {
		seen[res.name] = true
		sts := stored[res.name]
		if len(sts) > 1 {
			t.Logf("  %q: the client's result: token %v, error %v", res.name, res.token, res.err)
		}
		switch {
		case res.err == nil:
			succeeded++
			if len(sts) != 1 || sts[0].ID != res.token.ID || sts[0].Status != apiclient.TokenStatusActive || res.token.Token.IsZero() {
				t.Errorf("%q: success %s (value set: %v), stored %+v", res.name, res.token.ID, !res.token.Token.IsZero(), sts)
			}
		case res.lostID != "":
			lost++
			if len(sts) != 1 || sts[0].ID != res.lostID {
				t.Errorf("%q: lost answer of %s, stored %+v", res.name, res.lostID, sts)
			}
		case res.unknown:
			unknown++
			// Every check succeeded (reads are retried past their
			// faults), so an unknown outcome means: the last check found
			// nothing, and nothing may be stored.
			if len(sts) != 0 {
				t.Errorf("%q: outcome unknown (%v), but stored %+v", res.name, res.err, sts)
			}
		default:
			failed++
			failures[fmt.Sprintf("%d", apiclient.StatusCode(res.err))]++
			if len(sts) != 0 {
				t.Errorf("%q: failed (%v), but stored %+v", res.name, res.err, sts)
			}
		}
	}
	if len(seen) != creates {
		t.Fatalf("%d results, want %d", len(seen), creates)
	}
	for name := range stored {
		if !seen[name] {
			t.Errorf("stored a token named %q that nobody asked for", name)
		}
	}
	if len(all) != succeeded+lost {
		t.Errorf("%d tokens stored, but the client reported %d created (%d succeeded + %d lost answers)", len(all), succeeded+lost, succeeded, lost)
	}

	sent := srv.Creates()
	t.Logf("%d creates in %s with %d workers: %d succeeded, %d lost answers, %d outcome unknown, %d failed %v; %d tokens stored; %d create requests reached the sandbox",
		creates, elapsed.Round(time.Millisecond), workers, succeeded, lost, unknown, failed, failures, len(all), len(sent))
	faults.mu.Lock()
	t.Logf("faults injected: %v", faults.counts)
	injected := faults.counts["POST drop after commit"]
	faults.mu.Unlock()
	// The test must have exercised what it is about.
	// Every drop after commit is a lost answer; a create that timed out
	// while the sandbox was still handling it can add more.
	if lost < injected {
		t.Errorf("%d drops after commit but only %d lost answers reported", injected, lost)
	}
	if injected == 0 || lost == 0 || len(sent) <= creates {
		t.Errorf("the soak did not exercise lost answers and resends: %d drops after commit, %d lost, %d sent", injected, lost, len(sent))
	}
}
