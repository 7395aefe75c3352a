package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/softwareone/apitoken/sandbox"
)

const sandboxHelp = `Run the built-in Marketplace API sandbox as an HTTP server.

The sandbox enforces the same rules as the platform (validation, error bodies,
ids, the token value only on create) with its state in memory. Point apitoken,
or any Marketplace API client, at it with MPT_API_BASE_URL and MPT_API_TOKEN.

USAGE
  apitoken sandbox [flags]

FLAGS
  --listen ADDR     Address to listen on (default 127.0.0.1:8080)
  --fixtures FILE   Seed accounts and modules from a JSON fixture file
  --token TOKEN     Operator bearer token (default: a random one, printed)
  --latency D       Delay every answer by D, e.g. 150ms, to feel like a remote API
  --log             Log each request (method, path, status; never bodies or tokens)
`

func runSandbox(ctx context.Context, args []string, e *env) int {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	var listen, fixtures, token string
	var latency time.Duration
	var logRequests bool
	fs.StringVar(&listen, "listen", "127.0.0.1:8080", "")
	fs.StringVar(&fixtures, "fixtures", "", "")
	fs.StringVar(&token, "token", "", "")
	fs.DurationVar(&latency, "latency", 0, "")
	fs.BoolVar(&logRequests, "log", false, "")
	if done, code := parseFlags(fs, args, sandboxHelp, e); done {
		return code
	}
	opts := []sandbox.Option{sandbox.WithLatency(latency)}
	if fixtures != "" {
		fx, err := sandbox.LoadFixtureFile(fixtures)
		if err != nil {
			return fail(e, usagef("%v", err))
		}
		opts = append(opts, sandbox.WithFixture(fx))
	}
	if token != "" {
		opts = append(opts, sandbox.WithOperatorToken(token))
	}
	if logRequests {
		opts = append(opts, sandbox.WithLogger(slog.New(slog.NewTextHandler(e.stderr, nil))))
	}
	srv, err := sandbox.New(opts...)
	if err != nil {
		return fail(e, usagef("%v", err))
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fail(e, usagef("--listen: %v", err))
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ErrorLog: discardLog()}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(e.stdout, "Marketplace API sandbox listening on %s\n\n", base)
	fmt.Fprintf(e.stdout, "  export MPT_API_BASE_URL=%s\n  export MPT_API_TOKEN=%s\n\n", base, srv.OperatorToken())
	fmt.Fprintf(e.stdout, "Default account: %s. Press Ctrl+C to stop; all state is lost.\n", srv.DefaultAccount())

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
		return exitOK
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return exitOK
		}
		return fail(e, err)
	}
}
