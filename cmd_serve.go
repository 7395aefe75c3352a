package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	charmlog "charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/softwareone/apitoken/console"
)

const serveHelp = `Serve the "Add API token" wizard over SSH, so colleagues can create tokens
from their own terminal without installing anything:  ssh -p 23234 HOST

Only public keys listed in an OpenSSH authorized_keys file get in (re-read
when it changes); passwords are refused. An entry may pin the account its
owner creates tokens for:

  account="ACC-1000-0001" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA… alice@example

Keys without it use the server's default account (--account, MPT_ACCOUNT_ID,
or the credential's only account). The server holds the API credentials
(MPT_API_TOKEN, MPT_API_BASE_URL, or the built-in sandbox when none is set);
SSH users never see them.

USAGE
  apitoken serve --authorized-keys PATH [flags]

FLAGS
  --listen ADDR              Address to listen on (default 127.0.0.1:23234)
  --host-key PATH            Host private key; an ed25519 key is created there
                             (mode 0600) on first start
                             (default $XDG_CONFIG_HOME/apitoken/ssh_host_ed25519_key)
  --authorized-keys PATH     Who may connect, in OpenSSH authorized_keys format
  --max-sessions N           Sessions at once; more are refused (default 10)
  --idle-timeout D           End a session after D without input (default 15m)
  --max-session-length D     End a session after D (default 1h)
  --grace D                  On SIGINT or SIGTERM, how long open sessions may
                             take to finish, e.g. to copy a token (default 10m)
  --rate N                   New connections a minute from one address (default 20)
  --account ID               Default account (ACC-####-####)
  --base-url URL             Marketplace API base URL (overrides MPT_API_BASE_URL)
  --token-file PATH          Read the API credential from a file, "-" for stdin
  --sandbox                  Use the built-in sandbox even if a credential is set
  --fixtures FILE            Seed the sandbox from a JSON fixture file

The audit log (JSON lines on stderr) records sessions with key fingerprint,
remote address and account, and the ids of tokens created; never a token
value or the API credential. A first SIGINT or SIGTERM stops new connections
and lets open sessions finish; a second one closes them at once.
`

// serveFlags are the console's own flags.
type serveFlags struct {
	listen, hostKey, authorizedKeys string
	maxSessions, rate               int
	idle, maxLength, grace          time.Duration
}

func runServe(ctx context.Context, args []string, e *env) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var api apiFlags
	api.register(fs)
	var f serveFlags
	fs.StringVar(&f.listen, "listen", "127.0.0.1:23234", "")
	fs.StringVar(&f.hostKey, "host-key", "", "")
	fs.StringVar(&f.authorizedKeys, "authorized-keys", "", "")
	fs.IntVar(&f.maxSessions, "max-sessions", console.DefaultMaxSessions, "")
	fs.DurationVar(&f.idle, "idle-timeout", console.DefaultIdleTimeout, "")
	fs.DurationVar(&f.maxLength, "max-session-length", console.DefaultMaxSessionLength, "")
	fs.DurationVar(&f.grace, "grace", 10*time.Minute, "")
	fs.IntVar(&f.rate, "rate", console.DefaultConnRate, "")
	if done, code := parseFlags(fs, args, serveHelp, e); done {
		return code
	}
	if err := f.check(); err != nil {
		return fail(e, err)
	}
	if f.hostKey == "" {
		path, err := defaultHostKeyPath(e)
		if err != nil {
			return fail(e, err)
		}
		f.hostKey = path
	}
	signer, created, err := console.LoadOrCreateHostKey(f.hostKey)
	if err != nil {
		return fail(e, usagef("--host-key: %v", err))
	}

	// connect's notes (the sandbox notice) are for the operator: keep them
	// on stdout, since stderr carries only the audit log's JSON lines.
	ce := *e
	ce.stderr = e.stdout
	conn, err := connect(ctx, &api, &ce)
	if err != nil {
		return fail(e, err)
	}
	defer conn.close()

	logger := slog.New(slog.NewJSONHandler(e.stderr, nil))
	defer useLoggers(logger, e)()
	srv, err := console.New(console.Config{
		HostKey:          signer,
		AuthorizedKeys:   f.authorizedKeys,
		API:              conn.client,
		DefaultAccount:   conn.accountID,
		Sandbox:          conn.sandbox,
		MaxSessions:      f.maxSessions,
		IdleTimeout:      f.idle,
		MaxSessionLength: f.maxLength,
		ConnRate:         f.rate,
		Logger:           logger,
	})
	if err != nil {
		return fail(e, usagef("%v", err))
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return fail(e, usagef("--listen: %v", err))
	}
	printServing(e, ln.Addr(), f, signer, created, conn.accountID)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		_ = srv.Close()
		return fail(e, err)
	case <-ctx.Done():
	}
	fmt.Fprintf(e.stdout, "Shutting down: no new connections; open sessions have up to %s to finish (signal again to close them now).\n", f.grace)
	if err := drain(srv, f.grace); err != nil {
		fmt.Fprintln(e.stdout, "Grace period over: closed the sessions still open.")
	}
	<-errc
	return exitOK
}

func (f *serveFlags) check() error {
	switch {
	case f.authorizedKeys == "":
		return usagef("--authorized-keys is required: the OpenSSH authorized_keys file of who may connect")
	case f.maxSessions < 1:
		return usagef("--max-sessions must be at least 1")
	case f.rate < 1:
		return usagef("--rate must be at least 1 connection a minute")
	case f.idle <= 0 || f.maxLength <= 0:
		return usagef("--idle-timeout and --max-session-length must be positive durations, e.g. 15m")
	case f.grace < 0:
		return usagef("--grace must not be negative")
	}
	return nil
}

// drain shuts the server down, waiting up to grace, or until a second
// signal says not to wait.
func drain(srv *console.Server, grace time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		select {
		case <-sig:
			cancel()
		case <-ctx.Done():
		}
	}()
	return srv.Shutdown(ctx)
}

// useLoggers sends what the SSH libraries log (a panic in a session, say)
// to the audit stream as JSON too, and returns a func that undoes it.
func useLoggers(logger *slog.Logger, e *env) func() {
	prevSlog, prevCharm := slog.Default(), charmlog.Default()
	slog.SetDefault(logger)
	charmlog.SetDefault(charmlog.NewWithOptions(e.stderr, charmlog.Options{
		Formatter: charmlog.JSONFormatter, ReportTimestamp: true, TimeFormat: time.RFC3339Nano,
	}))
	return func() {
		slog.SetDefault(prevSlog)
		charmlog.SetDefault(prevCharm)
	}
}

// defaultHostKeyPath is in the user's configuration directory, created
// private if need be.
func defaultHostKeyPath(e *env) (string, error) {
	dir := e.getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home := e.getenv("HOME")
		if home == "" {
			return "", usagef("--host-key is required: neither XDG_CONFIG_HOME nor HOME is set")
		}
		dir = filepath.Join(home, ".config")
	}
	dir = filepath.Join(dir, "apitoken")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", usagef("--host-key: %v", err)
	}
	return filepath.Join(dir, "ssh_host_ed25519_key"), nil
}

func printServing(e *env, addr net.Addr, f serveFlags, signer gossh.Signer, created bool, account string) {
	state := "loaded from"
	if created {
		state = "created at"
	}
	port := ""
	if tcp, ok := addr.(*net.TCPAddr); ok {
		port = fmt.Sprintf("-p %d ", tcp.Port)
	}
	fmt.Fprintf(e.stdout, "apitoken console listening on %s\n\n", addr)
	fmt.Fprintf(e.stdout, "  Host key         %s (%s %s)\n", gossh.FingerprintSHA256(signer.PublicKey()), state, f.hostKey)
	fmt.Fprintf(e.stdout, "  Authorized keys  %s\n", f.authorizedKeys)
	fmt.Fprintf(e.stdout, "  Default account  %s\n", account)
	fmt.Fprintf(e.stdout, "  Limits           %d sessions, %s idle, %s per session, %d connections/min per address\n\n",
		f.maxSessions, f.idle, f.maxLength, f.rate)
	fmt.Fprintf(e.stdout, "Connect with: ssh %sHOST\nAudit log: JSON lines on stderr. Ctrl+C or SIGTERM drains for up to %s.\n", port, f.grace)
}
