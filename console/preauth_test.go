package console

import (
	"errors"
	"net"
	"testing"
	"time"
)

// silent opens a TCP connection from the loopback address from and sends
// nothing, as a stalled handshake would.
func (f *fixture) silent(from string) net.Conn {
	f.t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: wait}
	c, err := d.Dial("tcp", f.addr)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { c.Close() })
	return c
}

// waitPreAuth polls until n connections are waiting to authenticate.
func (f *fixture) waitPreAuth(n int) {
	f.t.Helper()
	deadline := time.Now().Add(wait)
	for f.srv.pre.len() != n {
		if time.Now().After(deadline) {
			f.t.Fatalf("%d connections waiting to authenticate, want %d", f.srv.pre.len(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// closedByServer reports whether the server closed c: a read returns EOF
// (or a reset) rather than the server's version line.
func closedByServer(t *testing.T, c net.Conn) bool {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 256)
	for {
		_, err := c.Read(buf)
		var ne net.Error
		switch {
		case err == nil:
			continue // the version line; read on
		case errors.As(err, &ne) && ne.Timeout():
			return false
		default:
			return !errors.Is(err, net.ErrClosed) // EOF or a reset
		}
	}
}

// TestSilentConnectionsCannotLockOut fills the bound on unauthenticated
// connections with silent ones from several addresses: a valid user still
// gets in, by taking the place of the oldest, and no address holds more
// than its share.
func TestSilentConnectionsCannotLockOut(t *testing.T) {
	f := newFixture(t, func(c *Config, _ *fixture) {
		c.MaxUnauthenticated, c.MaxUnauthenticatedPerSource = 4, 2
		// Longer than any wait here: only the bounds close a connection.
		c.handshakeTimeout = time.Hour
	})
	var conns []net.Conn
	for _, from := range []string{"127.0.0.2", "127.0.0.2", "127.0.0.3", "127.0.0.3"} {
		conns = append(conns, f.silent(from))
		f.waitPreAuth(len(conns))
	}
	// A third from one address is closed at once; the others stay.
	if extra := f.silent("127.0.0.2"); !closedByServer(t, extra) {
		t.Fatal("a third silent connection from one address was kept")
	}
	if r := f.waitEvent(evPreAuthLimit, 1)[0]; r.str("remote")[:10] != "127.0.0.2:" {
		t.Errorf("refusal record = %v", r)
	}
	f.waitPreAuth(4)

	// The valid user gets in; the oldest silent connection made room.
	c := f.mustDial(f.user)
	tm := openTerm(t, c, 100, 30)
	tm.waitFor(0, "General")
	if !closedByServer(t, conns[0]) {
		t.Error("the oldest silent connection was not closed for the valid user")
	}
	// Authenticated, the user no longer counts: three silent ones are left.
	f.waitPreAuth(3)
	tm.send(keyCtrlC)
	tm.exit()
}

// TestHandshakeDeadline: a connection that does not authenticate within
// the handshake deadline is closed and no longer counted.
func TestHandshakeDeadline(t *testing.T) {
	f := newFixture(t, func(c *Config, _ *fixture) { c.handshakeTimeout = 50 * time.Millisecond })
	if f.srv.ssh.HandshakeTimeout != 50*time.Millisecond {
		t.Fatalf("handshake timeout %s, want the configured one", f.srv.ssh.HandshakeTimeout)
	}
	s := f.silent("127.0.0.1")
	if !closedByServer(t, s) {
		t.Fatal("a silent connection outlived the handshake deadline")
	}
	f.waitPreAuth(0)
	if handshakeTimeout > 10*time.Second {
		t.Errorf("the default handshake deadline is %s, want at most 10s", handshakeTimeout)
	}
}
