package pipenet

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestHTTPOverPipes: an http.Server on the listener answers an
// http.Client whose transport dials it, over several requests on one
// kept-alive connection and on parallel ones.
func TestHTTPOverPipes(t *testing.T) {
	ln := Listen()
	var conns int
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			_, _ = io.WriteString(w, r.Method+" "+r.URL.Path+" "+string(body))
		}),
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				conns++ // ConnState runs on the server's accept loop for StateNew
			}
		},
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	client := &http.Client{Transport: &http.Transport{DialContext: ln.DialContext}}
	for i, c := range []struct{ method, path, body string }{
		{"GET", "/a", ""}, {"POST", "/b", "hello"}, {"GET", "/c", ""},
	} {
		req, err := http.NewRequest(c.method, "http://pipe"+c.path, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := c.method + " " + c.path + " " + c.body; string(got) != want {
			t.Errorf("request %d: %q, want %q", i, got, want)
		}
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve: %v", err)
	}
	if conns != 1 {
		t.Errorf("%d connections for three sequential requests, want 1 (kept alive)", conns)
	}
}

// TestClosed: after Close, Accept and dials fail with net.ErrClosed, so a
// server's loop ends and a client's request fails at once.
func TestClosed(t *testing.T) {
	ln := Listen()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ln.Close(); err != nil { // twice is harmless
		t.Fatal(err)
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: %v", err)
	}
	if _, err := ln.DialContext(context.Background(), "tcp", "x"); !errors.Is(err, net.ErrClosed) {
		t.Errorf("dial after Close: %v", err)
	}
}

// TestDialCancelled: a dial nobody accepts ends with its context.
func TestDialCancelled(t *testing.T) {
	ln := Listen()
	defer ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ln.DialContext(ctx, "tcp", "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled dial: %v", err)
	}
}

// TestAddr: the listener and its connections say they are pipes, not a
// network address someone could reach.
func TestAddr(t *testing.T) {
	ln := Listen()
	defer ln.Close()
	if a := ln.Addr(); a.Network() != "pipe" || a.String() != "pipe" {
		t.Errorf("Addr: %s %s", a.Network(), a.String())
	}
}
