// Package latecommit is the client side of a fault soak: an HTTP transport
// that gives up on some creates as a per-attempt timeout would, and lets the
// sandbox commit part of them late, and a fake clock (apiclient.Clock)
// whose settle wait is when such a late commit lands. Used by the soak
// tests of the client and of the wizard, so no test waits on real time.
package latecommit

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Header marks a create that the client gave up on and that the sandbox
// commits late; its value names the worker whose gate holds it.
const Header = "X-Soak-Late"

// Config is how a worker gives up.
type Config struct {
	// GiveUp is the share of creates given up on at once.
	GiveUp float64
	// NeverOneIn: one in NeverOneIn given-up creates never reaches the
	// server; the others are committed late.
	NeverOneIn int
	// Settle is the client's settle time: a wait at least this long lets
	// a pending late commit land first (the latest it can and still count).
	Settle time.Duration
}

// Worker is one client's transport and clock. It sends one create at a
// time, so it has at most one late commit pending. Only the worker's own
// goroutine draws from its source.
type Worker struct {
	id   int
	base http.RoundTripper
	rnd  *rand.Rand
	cfg  Config

	mu      sync.Mutex
	now     time.Time
	held    chan struct{} // closed to let the pending late commit land
	landed  chan struct{} // closed when it has
	pending bool

	lateCommits, neverHandled int
}

// New returns worker id, sending through base, its clock at start.
func New(id int, base http.RoundTripper, rnd *rand.Rand, start time.Time, cfg Config) *Worker {
	return &Worker{id: id, base: base, rnd: rnd, cfg: cfg, now: start}
}

// Hold is for the sandbox's fault func: a late commit (one carrying
// Header) waits until its worker's settle wait lets it land. It reports
// whether r was one.
func Hold(r *http.Request, workers []*Worker) bool {
	v := r.Header.Get(Header)
	if v == "" {
		return false
	}
	i, _ := strconv.Atoi(v)
	<-workers[i].gate()
	return true
}

func (w *Worker) gate() chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.held
}

// RoundTrip gives up on Config.GiveUp of the creates at once: some are held
// at the sandbox and committed during the settle wait, some never sent.
func (w *Worker) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodPost || w.rnd.Float64() >= w.cfg.GiveUp {
		return w.base.RoundTrip(r)
	}
	if w.rnd.IntN(w.cfg.NeverOneIn) == 0 {
		w.neverHandled++
		return nil, context.DeadlineExceeded
	}
	w.lateCommits++
	late := r.Clone(context.Background())
	late.Header.Set(Header, strconv.Itoa(w.id))
	w.Release() // one still held would land after its lookup: a client that looked too early shows a duplicate
	w.mu.Lock()
	w.held, w.landed, w.pending = make(chan struct{}), make(chan struct{}), true
	landed := w.landed
	w.mu.Unlock()
	go func() {
		defer close(landed)
		if resp, err := w.base.RoundTrip(late); err == nil {
			resp.Body.Close()
		}
	}()
	return nil, context.DeadlineExceeded
}

// Release lets a pending late commit land and waits until it has: at the
// end of a soak, a commit still held lands and counts.
func (w *Worker) Release() {
	w.mu.Lock()
	pending, held, landed := w.pending, w.held, w.landed
	w.pending = false
	w.mu.Unlock()
	if pending {
		close(held)
		<-landed
	}
}

// Now is the worker's fake clock.
func (w *Worker) Now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

// Sleep takes no time. A wait as long as the settle time lets a pending
// late commit land first.
func (w *Worker) Sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.now = w.now.Add(max(d, 0))
	settle := d >= w.cfg.Settle
	w.mu.Unlock()
	if settle {
		w.Release()
	}
	return ctx.Err()
}

// Counts are how many creates were committed late and never handled.
func (w *Worker) Counts() (late, never int) { return w.lateCommits, w.neverHandled }
