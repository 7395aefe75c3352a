package console

import (
	"net"
	"testing"
	"time"
)

func TestRateLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := newRateLimiter(3) // 3 a minute: one every 20 s
	r.now = func() time.Time { return now }
	addr := func(s string) net.Addr { return &net.TCPAddr{IP: net.ParseIP(s), Port: 40000} }

	for i := range 3 {
		if !r.allow(addr("192.0.2.1")) {
			t.Fatalf("connection %d of the burst refused", i+1)
		}
	}
	if r.allow(addr("192.0.2.1")) {
		t.Fatal("a fourth connection at once was allowed")
	}
	if !r.allow(addr("192.0.2.2")) {
		t.Fatal("another address was limited too")
	}
	now = now.Add(19 * time.Second)
	if r.allow(addr("192.0.2.1")) {
		t.Fatal("allowed before a token was back")
	}
	now = now.Add(time.Second)
	if !r.allow(addr("192.0.2.1")) {
		t.Fatal("refused after a token was back")
	}

	// One IPv6 /64 is one source.
	for range 3 {
		r.allow(addr("2001:db8::1"))
	}
	if r.allow(addr("2001:db8::ffff")) {
		t.Fatal("another address of the same /64 was not limited")
	}
	if !r.allow(addr("2001:db8:0:1::1")) {
		t.Fatal("another /64 was limited")
	}
}

func TestRegistry(t *testing.T) {
	r := newRegistry(1)
	a, b := &session{}, &session{}
	if err := r.add(a); err != nil {
		t.Fatal(err)
	}
	if err := r.add(b); err != errFull {
		t.Fatalf("add over the limit: %v, want errFull", err)
	}
	if got := r.drain(); len(got) != 1 || got[0] != a {
		t.Fatalf("drain returned %v", got)
	}
	r.remove(a)
	if err := r.add(b); err != errDraining {
		t.Fatalf("add while draining: %v, want errDraining", err)
	}
	if err := r.wait(t.Context()); err != nil {
		t.Fatalf("wait on an empty registry: %v", err)
	}
}
