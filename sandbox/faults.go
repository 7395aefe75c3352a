package sandbox

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Fault makes the server misbehave for matching requests, to test how a
// client copes with a flaky network or platform. When several actions are
// set, Delay comes first, then DropBeforeHandling, Status, DropAfterCommit.
type Fault struct {
	Method string // "" matches any method
	Path   string // path prefix; "" matches any path
	// Delay is slept before anything else. It ends early when the client
	// goes away, and then nothing is handled — unless DropAfterCommit is
	// set, which still commits.
	Delay time.Duration
	// Status, when non-zero, is answered instead of handling the request
	// (nothing is committed), with a ProblemDetails body.
	Status int
	// RetryAfter, with Status 429 or 503, sets Retry-After in whole seconds
	// (rounded up).
	RetryAfter time.Duration
	// Body, with Status, is sent as is instead of a ProblemDetails body, to
	// emulate an HTML error page, truncated JSON, …, with ContentType. A
	// Status below 400 with neither sends an empty body (an "empty 200").
	Body        string
	ContentType string
	// DropAfterCommit handles the request fully (a token is stored), then
	// closes the connection without answering.
	DropAfterCommit bool
	// DropBeforeHandling closes the connection without handling the request.
	DropBeforeHandling bool
	// Times is how many matching requests the fault applies to; 0 means all.
	Times int
}

func (f *Fault) matches(r *http.Request) bool {
	return (f.Method == "" || strings.EqualFold(f.Method, r.Method)) &&
		strings.HasPrefix(r.URL.Path, f.Path)
}

// faultQueue holds injected faults; it has its own lock so a slow fault
// func never holds up the token store.
type faultQueue struct {
	mu    sync.Mutex
	queue []*queuedFault
	fn    func(*http.Request) *Fault
}

type queuedFault struct {
	Fault
	left int // uses left when Times > 0
}

// InjectFault queues f. A request gets the first queued fault that matches
// and has uses left.
func (s *Server) InjectFault(f Fault) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.queue = append(s.faults.queue, &queuedFault{Fault: f, left: f.Times})
}

// SetFaultFunc sets a function consulted for requests no queued fault
// matches, e.g. to inject random faults in a soak test. It may be called
// concurrently; nil (the default) means no fault.
func (s *Server) SetFaultFunc(fn func(r *http.Request) *Fault) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.fn = fn
}

// ClearFaults removes the queued faults and the fault func.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.queue, s.faults.fn = nil, nil
}

func (q *faultQueue) match(r *http.Request) *Fault {
	q.mu.Lock()
	for i, f := range q.queue {
		if !f.matches(r) {
			continue
		}
		if f.Times > 0 {
			f.left--
			if f.left <= 0 {
				q.queue = append(q.queue[:i:i], q.queue[i+1:]...)
			}
		}
		q.mu.Unlock()
		out := f.Fault
		return &out
	}
	fn := q.fn
	q.mu.Unlock()
	if fn == nil {
		return nil
	}
	return fn(r)
}

// applyFault acts out f. It reports whether the request is finished; false
// means the fault was only a delay and the request is handled as usual.
func (s *Server) applyFault(x *exchange, f *Fault) bool {
	if f.Delay > 0 || f.DropAfterCommit {
		// Read the body first: the client may be gone once the delay ends
		// and DropAfterCommit must still commit; and net/http only notices
		// a client going away once the body has been read.
		prefetchBody(x.r)
	}
	if f.DropAfterCommit {
		x.r = x.r.Clone(context.WithoutCancel(x.r.Context()))
	}
	r := x.r
	if !sleep(r.Context(), f.Delay) {
		s.abandoned(r) // the client went away during the delay
		return true
	}
	if f.DropBeforeHandling || f.Status != 0 || f.DropAfterCommit {
		markFaulted(r)
	}
	switch {
	case f.DropBeforeHandling:
		return s.drop(x, 0)
	case f.Status != 0:
		if isCreate(r) {
			s.recordFaulted(r, f.Status)
		}
		h := x.w.Header()
		if secs := retryAfterSeconds(f); secs > 0 {
			h.Set("Retry-After", strconv.Itoa(secs))
		}
		if f.Body != "" || f.ContentType != "" || f.Status < 400 {
			if f.ContentType != "" {
				h.Set("Content-Type", f.ContentType)
			}
			x.w.WriteHeader(f.Status)
			_, _ = io.WriteString(x.w, f.Body)
			return true
		}
		x.fail(f.Status, "Injected fault.")
		return true
	case f.DropAfterCommit:
		dw := &discardWriter{header: http.Header{}}
		s.dispatch(&exchange{w: dw, r: r, trace: x.trace})
		return s.drop(x, -1)
	}
	return false
}

// drop closes the connection without an answer. record is the status to
// record for a create request (0), or -1 when the handler recorded it.
func (s *Server) drop(x *exchange, record int) bool {
	if record >= 0 && isCreate(x.r) {
		s.recordFaulted(x.r, record)
	}
	if sw, ok := x.w.(*statusWriter); ok {
		sw.dropped = true
	}
	conn, _, err := http.NewResponseController(x.w).Hijack()
	if err != nil {
		// HTTP/2 or a recorder: abort the response the standard way.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
	return true
}

func retryAfterSeconds(f *Fault) int {
	if (f.Status != http.StatusTooManyRequests && f.Status != http.StatusServiceUnavailable) || f.RetryAfter <= 0 {
		return 0
	}
	return int((f.RetryAfter + time.Second - 1) / time.Second)
}

// prefetchBody reads the body into memory, up to one byte past the largest
// body any endpoint takes; a longer one keeps its tail unread (and gets a
// 413 from the handler).
func prefetchBody(r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		return
	}
	head, err := io.ReadAll(io.LimitReader(r.Body, maxMultipartBody+1))
	rest := io.Reader(r.Body)
	if err != nil {
		rest = errReader{err}
	}
	r.Body = readCloser{io.MultiReader(bytes.NewReader(head), rest), r.Body}
}

type readCloser struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// sleep waits for d or until ctx is done; it reports whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// discardWriter swallows an answer the client will never get.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(code int)        { w.status = code }

// faultMarkKey, in a request's context, holds an *atomic.Bool the server
// sets when it answers with an injected fault. The package's tests use it
// to tell those answers, which break the contract on purpose (HTML,
// truncated JSON, an empty 200), from the server's own.
type faultMarkKey struct{}

func markFaulted(r *http.Request) {
	if b, ok := r.Context().Value(faultMarkKey{}).(*atomic.Bool); ok {
		b.Store(true)
	}
}
