package apiclient_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/latecommit"
	"github.com/softwareone/apitoken/sandbox"
)

// soakSettle is the clients' request timeout, and so their settle time. No
// request ever waits for it: every wait goes through a fake clock.
const soakSettle = 30 * time.Second

// soakFaults draws the faults of the soak test from a seeded source. The
// sandbox calls it concurrently, hence the lock; which request gets which
// fault depends on scheduling, the mix does not.
type soakFaults struct {
	mu      sync.Mutex
	rnd     *rand.Rand
	counts  map[string]int
	workers []*latecommit.Worker
}

func (s *soakFaults) next(r *http.Request) *sandbox.Fault {
	if !strings.HasPrefix(r.URL.Path, "/public/v1/accounts/api-tokens") {
		return nil
	}
	if latecommit.Hold(r, s.workers) {
		return nil // a late commit, handled in full once its client is in its settle wait
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var f sandbox.Fault
	var kind string
	retryAfter := time.Duration(s.rnd.IntN(2)) * time.Second // 0 (no header) or 1 s
	switch r.Method {
	case http.MethodPost:
		if s.rnd.Float64() >= 0.25 {
			return nil
		}
		switch n := s.rnd.IntN(7); n {
		case 0:
			kind, f = "POST drop after commit", sandbox.Fault{DropAfterCommit: true}
		case 1:
			kind, f = "POST drop before handling", sandbox.Fault{DropBeforeHandling: true}
		case 2, 3, 4, 5:
			status := []int{500, 502, 503, 504}[n-2]
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
		switch n := s.rnd.IntN(5); n {
		case 0:
			kind, f = "GET drop before handling", sandbox.Fault{DropBeforeHandling: true}
		case 1, 2, 3:
			status := []int{502, 503, 504}[n-1]
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
	certain bool   // the *LostAnswerError was certain
	unknown bool   // an *OutcomeUnknownError was the last word
	err     error
}

// TestSoakCreateChecked sends 1 000 creates (unique names) through
// CreateAPITokenChecked while ~25 % of creates and a few % of reads fail in
// every way the sandbox can fail, and ~10 % of creates are given up on by
// the client, half of them committed late (after the client gave up,
// within the settle time). It checks that no name ever got two tokens and
// that the client's account of what was created is exactly what the
// sandbox stored. Every wait is on a fake clock and every late commit is
// ordered by a gate, so nothing depends on the machine's speed.
func TestSoakCreateChecked(t *testing.T) {
	creates := 1000
	if testing.Short() {
		creates = 200
	}
	const workers = 8

	rig := latecommit.NewRig(t, workers, 2, time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC),
		latecommit.Config{GiveUp: 0.10, NeverOneIn: 2, Settle: soakSettle})
	srv, clients := rig.Srv, rig.Clients
	faults := &soakFaults{rnd: rand.New(rand.NewPCG(20261127, 1)), counts: map[string]int{}, workers: rig.Workers}
	srv.SetFaultFunc(faults.next)

	start := time.Now()
	names := make(chan string)
	results := make(chan soakResult, creates)
	var wg sync.WaitGroup
	for i := range workers {
		client := clients[i]
		wg.Go(func() {
			for name := range names {
				// Bounded: even a pathological run cannot hang the test.
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				tok, err := client.CreateAPITokenChecked(ctx, &apiclient.CreateAPITokenRequest{
					AccountID: "ACC-1000-0001", Name: name, ModuleIDs: []string{"MOD-1001"},
				}, 3)
				cancel()
				res := soakResult{name: name, token: tok, err: err}
				var lost *apiclient.LostAnswerError
				switch {
				case errors.As(err, &lost):
					res.lostID = lost.Token.ID
					res.certain = lost.Certain
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
	for _, w := range faults.workers {
		w.Release() // commits held past every lookup land now, and count
	}
	elapsed := time.Since(start)

	stored := map[string][]sandbox.StoredToken{}
	var all []sandbox.StoredToken
	for _, st := range srv.StoredTokens() {
		if strings.HasPrefix(st.Name, "soak ") { // not the workers' own
			all = append(all, st)
			stored[st.Name] = append(stored[st.Name], st)
		}
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
			if len(sts) != 1 || sts[0].ID != res.lostID || !res.certain {
				t.Errorf("%q: lost answer of %s (certain: %v), stored %+v", res.name, res.lostID, res.certain, sts)
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

	var sent []sandbox.CreateRecord
	for _, c := range srv.Creates() {
		if strings.HasPrefix(c.Name, "soak ") {
			sent = append(sent, c)
		}
	}
	t.Logf("%d creates in %s with %d workers: %d succeeded, %d lost answers, %d outcome unknown, %d failed %v; %d tokens stored; %d create requests reached the sandbox",
		creates, elapsed.Round(time.Millisecond), workers, succeeded, lost, unknown, failed, failures, len(all), len(sent))
	faults.mu.Lock()
	injected := faults.counts["POST drop after commit"]
	late, never := 0, 0
	for _, w := range faults.workers {
		l, n := w.Counts()
		late, never = late+l, never+n
	}
	t.Logf("faults injected: %v; %d late commits, %d creates given up and never handled", faults.counts, late, never)
	faults.mu.Unlock()
	// The test must have exercised what it is about. Every drop after
	// commit and every late commit is a lost answer.
	if lost != injected+late {
		t.Errorf("%d drops after commit and %d late commits, but %d lost answers reported", injected, late, lost)
	}
	if injected == 0 || late == 0 || never == 0 || len(sent) <= creates {
		t.Errorf("the soak did not exercise lost answers and resends: %d drops after commit, %d late commits, %d never handled, %d sent", injected, late, never, len(sent))
	}
}
