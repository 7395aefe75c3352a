// Package pipenet is a network inside the process: a listener whose
// connections are dialled by a function call and carried by [net.Pipe].
// An HTTP server and client speak real HTTP over it, with no socket, no
// port, and nothing another process could reach.
package pipenet

import (
	"context"
	"net"
	"sync"
)

// Listener accepts the connections dialled with its DialContext. The zero
// value is not usable; call Listen.
type Listener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

// Listen returns an open listener.
func Listen() *Listener {
	return &Listener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

// Addr is the address every pipenet listener and connection reports.
type Addr struct{}

// Network is "pipe".
func (Addr) Network() string { return "pipe" }

// String is "pipe".
func (Addr) String() string { return "pipe" }

// Accept waits for the next dialled connection.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

// Close stops Accept and refuses later dials; connections already made
// stay open until either end closes them.
func (l *Listener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

// Addr is the listener's address.
func (l *Listener) Addr() net.Addr { return Addr{} }

// DialContext connects to the listener, whatever network and address it
// is given; it waits for Accept, the listener's close or ctx.
func (l *Listener) DialContext(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.closed:
		client.Close()
		server.Close()
		return nil, &net.OpError{Op: "dial", Net: "pipe", Addr: Addr{}, Err: net.ErrClosed}
	case <-ctx.Done():
		client.Close()
		server.Close()
		return nil, &net.OpError{Op: "dial", Net: "pipe", Addr: Addr{}, Err: ctx.Err()}
	}
}
