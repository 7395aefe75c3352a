package console

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// rateLimiter is a token bucket per source address: burst connections at
// once, then one every interval. IPv6 addresses share a bucket per /64,
// since one host usually owns the whole prefix.
type rateLimiter struct {
	burst    float64
	interval time.Duration
	now      func() time.Time

	mu      sync.Mutex
	buckets map[netip.Prefix]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// maxBuckets bounds the limiter's memory under a flood from many addresses.
const maxBuckets = 10000

// newRateLimiter allows perMinute new connections a minute from one source,
// all of them at once if they come in a burst.
func newRateLimiter(perMinute int) *rateLimiter {
	return &rateLimiter{
		burst:    float64(perMinute),
		interval: time.Minute / time.Duration(perMinute),
		now:      time.Now,
		buckets:  map[netip.Prefix]*bucket{},
	}
}

func (r *rateLimiter) allow(addr net.Addr) bool {
	key, ok := sourcePrefix(addr)
	if !ok {
		return true // not TCP (a test pipe): nothing to key on
	}
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.buckets[key]
	if b == nil {
		if len(r.buckets) >= maxBuckets {
			r.pruneLocked(now)
		}
		b = &bucket{tokens: r.burst, at: now}
		r.buckets[key] = b
	}
	b.tokens = min(r.burst, b.tokens+float64(now.Sub(b.at))/float64(r.interval))
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// pruneLocked forgets the sources whose bucket has refilled, which are the
// same as new ones; if that is not enough it forgets everyone rather than
// grow without bound.
func (r *rateLimiter) pruneLocked(now time.Time) {
	full := time.Duration(r.burst) * r.interval
	for k, b := range r.buckets {
		if now.Sub(b.at) >= full {
			delete(r.buckets, k)
		}
	}
	if len(r.buckets) >= maxBuckets {
		clear(r.buckets)
	}
}

func sourcePrefix(addr net.Addr) (netip.Prefix, bool) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return netip.Prefix{}, false
	}
	ip, ok := netip.AddrFromSlice(tcp.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ip = ip.Unmap()
	bits := 32
	if ip.Is6() {
		bits = 64
	}
	p, err := ip.Prefix(bits)
	return p, err == nil
}

var (
	errFull     = errors.New("full")
	errDraining = errors.New("draining")
)

// registry holds the running sessions: it enforces the session limit and
// lets a shutdown reach every session and wait for them.
type registry struct {
	max int

	mu       sync.Mutex
	sessions map[*session]struct{}
	draining bool
	empty    chan struct{} // closed when the last session ends while draining
}

func newRegistry(maxSessions int) *registry {
	return &registry{max: maxSessions, sessions: map[*session]struct{}{}}
}

func (r *registry) add(s *session) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.draining:
		return errDraining
	case len(r.sessions) >= r.max:
		return errFull
	}
	r.sessions[s] = struct{}{}
	return nil
}

func (r *registry) remove(s *session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.sessions, s)
	if r.draining && len(r.sessions) == 0 {
		closeOnce(r.empty)
	}
}

func (r *registry) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sessions)
}

// drain refuses new sessions from now on and returns the running ones.
func (r *registry) drain() []*session {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.draining {
		r.draining = true
		r.empty = make(chan struct{})
		if len(r.sessions) == 0 {
			close(r.empty)
		}
	}
	out := make([]*session, 0, len(r.sessions))
	for s := range r.sessions {
		out = append(out, s)
	}
	return out
}

// wait waits, after drain, until every session has ended or ctx is done.
func (r *registry) wait(ctx context.Context) error {
	r.mu.Lock()
	empty := r.empty
	r.mu.Unlock()
	select {
	case <-empty:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func closeOnce(c chan struct{}) {
	select {
	case <-c:
	default:
		close(c)
	}
}

// preAuth bounds the connections that have not authenticated yet: at most
// perSource from one source address (IPv6: one /64), at most max in all.
// When all max are taken, the oldest is closed to make room: a flood of
// silent connections then only shortens how long each one waits, and a
// valid user, who authenticates in a moment, still gets in.
type preAuth struct {
	max, perSource int

	mu      sync.Mutex
	order   []*preAuthConn // oldest first
	sources map[netip.Prefix]int
}

func newPreAuth(maxConns, perSource int) *preAuth {
	return &preAuth{max: maxConns, perSource: perSource, sources: map[netip.Prefix]int{}}
}

// admit registers conn as unauthenticated; it returns nil when its source
// already holds perSource of them.
func (p *preAuth) admit(conn net.Conn) *preAuthConn {
	key, _ := sourcePrefix(conn.RemoteAddr()) // not TCP (a test pipe): one shared source
	p.mu.Lock()
	if p.sources[key] >= p.perSource {
		p.mu.Unlock()
		return nil
	}
	var evicted *preAuthConn
	if len(p.order) >= p.max {
		evicted = p.order[0]
		p.removeLocked(evicted)
	}
	c := &preAuthConn{Conn: conn, p: p, source: key}
	p.order = append(p.order, c)
	p.sources[key]++
	p.mu.Unlock()
	if evicted != nil {
		_ = evicted.Conn.Close()
	}
	return c
}

// len is how many connections are waiting to authenticate.
func (p *preAuth) len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.order)
}

// release forgets c; it reports whether c was still counted.
func (p *preAuth) release(c *preAuthConn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.removeLocked(c)
}

func (p *preAuth) removeLocked(c *preAuthConn) bool {
	i := slices.Index(p.order, c)
	if i < 0 {
		return false
	}
	p.order = slices.Delete(p.order, i, i+1)
	if p.sources[c.source]--; p.sources[c.source] <= 0 {
		delete(p.sources, c.source)
	}
	return true
}

// preAuthConn is a connection counted by preAuth until it authenticates or
// closes.
type preAuthConn struct {
	net.Conn
	p      *preAuth
	source netip.Prefix
}

// authenticated stops counting the connection.
func (c *preAuthConn) authenticated() { c.p.release(c) }

func (c *preAuthConn) Close() error {
	c.p.release(c)
	return c.Conn.Close()
}
