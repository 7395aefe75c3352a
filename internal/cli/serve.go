package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"
	gossh "golang.org/x/crypto/ssh"

	"github.com/softwareone/apitoken/console"
)

const defaultServeListen = "127.0.0.1:23234"

// ServeOptions are the flags of apitoken serve.
type ServeOptions struct {
	Factory        *Factory
	API            APIFlags
	Listen         string
	HostKey        string
	AuthorizedKeys string
	MaxSessions    int
	Rate           int
	Idle           time.Duration
	MaxLength      time.Duration
	Grace          time.Duration
}

// NewCmdServe builds apitoken serve; runF replaces the run in tests.
func NewCmdServe(f *Factory, runF func(*ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the wizard over SSH to a team",
		Long: `Serve the "Add API token" wizard over SSH, so colleagues can create tokens
from their own terminal without installing anything:  ssh -p 23234 HOST

Only public keys listed in an OpenSSH authorized_keys file get in (re-read
when it changes); passwords are refused. An entry may pin the account its
owner creates tokens for:

  account="ACC-1000-0001" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA… alice@example

Keys without it use the server's default account (--account, MPT_ACCOUNT_ID,
or the credential's only account). The server holds the API credentials
(MPT_API_TOKEN, MPT_API_BASE_URL, or the built-in sandbox when none is set);
SSH users never see them.

The audit log (JSON lines on stderr) records sessions with key fingerprint,
remote address and account, and the ids of tokens created; never a token
value or the API credential. A first SIGINT or SIGTERM stops new connections
and lets open sessions finish within --grace; a second one closes them at once.`,
		Example: `  apitoken serve --listen 0.0.0.0:23234 --authorized-keys ~/.ssh/authorized_keys
  MPT_API_TOKEN=… apitoken serve --authorized-keys /etc/apitoken/authorized_keys --account ACC-1000-0001`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runServe(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Listen, "listen", "l", defaultServeListen, "Address to listen on")
	fl.StringVar(&opts.HostKey, "host-key", "", "Host private key; an ed25519 key is created there (mode 0600) on first start\n(default $XDG_CONFIG_HOME/apitoken/ssh_host_ed25519_key)")
	fl.StringVar(&opts.AuthorizedKeys, "authorized-keys", "", "Who may connect, in OpenSSH authorized_keys format (required)")
	fl.IntVar(&opts.MaxSessions, "max-sessions", console.DefaultMaxSessions, "Sessions at once; more are refused")
	fl.DurationVar(&opts.Idle, "idle-timeout", console.DefaultIdleTimeout, "End a session after this long without input")
	fl.DurationVar(&opts.MaxLength, "max-session-length", console.DefaultMaxSessionLength, "End a session after this long")
	fl.DurationVar(&opts.Grace, "grace", DefaultGrace, "On SIGINT or SIGTERM, how long open sessions may take to finish, e.g. to copy a token")
	fl.IntVar(&opts.Rate, "rate", console.DefaultConnRate, "New connections a minute from one address")
	opts.API.register(fl)
	return cmd
}

func runServe(ctx context.Context, opts *ServeOptions) error {
	f := opts.Factory
	if err := opts.check(); err != nil {
		return err
	}
	if _, set := os.LookupEnv("GOGC"); !set {
		// Hundreds of sessions each hold a little live heap and make a
		// lot of short-lived garbage (frames, decoded pages): collecting
		// at 50% growth instead of 100% keeps the peak RSS per session
		// near 2 MB (measured 2.43 -> 1.96 MB with 500 sessions typing)
		// for a few percent more CPU. An operator's GOGC wins.
		debug.SetGCPercent(50)
	}
	if opts.HostKey == "" {
		path, err := defaultHostKeyPath(f)
		if err != nil {
			return err
		}
		opts.HostKey = path
	}
	signer, created, err := console.LoadOrCreateHostKey(opts.HostKey)
	if err != nil {
		return usagef("--host-key: %v", err)
	}

	// Connect's notes (the sandbox notice) are for the operator: on
	// stdout, since stderr carries only the audit log's JSON lines.
	conn, err := f.Connect(ctx, &opts.API, f.IO.Out)
	if err != nil {
		return err
	}
	defer conn.Close()

	logger := slog.New(slog.NewJSONHandler(f.IO.ErrOut, nil))
	srv, err := console.New(console.Config{
		HostKey:          signer,
		AuthorizedKeys:   opts.AuthorizedKeys,
		API:              conn.Client,
		DefaultAccount:   conn.AccountID,
		Sandbox:          conn.Sandbox,
		MaxSessions:      opts.MaxSessions,
		IdleTimeout:      opts.Idle,
		MaxSessionLength: opts.MaxLength,
		ConnRate:         opts.Rate,
		Logger:           logger,
	})
	if err != nil {
		return usagef("%v", err)
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return usagef("--listen: %v", err)
	}
	printServing(f, ln.Addr(), opts, signer, created, conn.AccountID)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		_ = srv.Close()
		return err
	case <-ctx.Done():
	}
	fmt.Fprintf(f.IO.Out, "Shutting down: no new connections; open sessions have up to %s to finish (signal again to close them now).\n", opts.Grace)
	if err := drain(srv, opts.Grace, f.Signals); err != nil {
		fmt.Fprintln(f.IO.Out, "Grace period over: closed the sessions still open.")
	}
	<-errc
	return nil
}

func (o *ServeOptions) check() error {
	switch {
	case o.AuthorizedKeys == "":
		return usagef("--authorized-keys is required: the OpenSSH authorized_keys file of who may connect")
	case o.MaxSessions < 1:
		return usagef("--max-sessions must be at least 1")
	case o.Rate < 1:
		return usagef("--rate must be at least 1 connection a minute")
	case o.Idle <= 0 || o.MaxLength <= 0:
		return usagef("--idle-timeout and --max-session-length must be positive durations, e.g. 15m")
	case o.Grace < 0:
		return usagef("--grace must not be negative")
	}
	return nil
}

// drain shuts the server down, waiting up to grace, or until a second
// signal says not to wait.
func drain(srv *console.Server, grace time.Duration, sigs *Signals) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if sigs != nil {
		go func() {
			select {
			case <-sigs.Later:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	return srv.Shutdown(ctx)
}

// defaultHostKeyPath is in the user's configuration directory, created
// private if need be.
func defaultHostKeyPath(f *Factory) (string, error) {
	dir := f.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home := f.Getenv("HOME")
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

func printServing(f *Factory, addr net.Addr, o *ServeOptions, signer gossh.Signer, created bool, account string) {
	state := "loaded from"
	if created {
		state = "created at"
	}
	port := ""
	if tcp, ok := addr.(*net.TCPAddr); ok {
		port = fmt.Sprintf("-p %d ", tcp.Port)
	}
	out := f.IO.Out
	fmt.Fprintf(out, "apitoken console listening on %s\n\n", addr)
	fmt.Fprintf(out, "  Host key         %s (%s %s)\n", gossh.FingerprintSHA256(signer.PublicKey()), state, o.HostKey)
	fmt.Fprintf(out, "  Authorized keys  %s\n", o.AuthorizedKeys)
	fmt.Fprintf(out, "  Default account  %s\n", account)
	fmt.Fprintf(out, "  Limits           %d sessions, %s idle, %s per session, %d connections/min per address\n\n",
		o.MaxSessions, o.Idle, o.MaxLength, o.Rate)
	fmt.Fprintf(out, "Connect with: ssh %sHOST\nAudit log: JSON lines on stderr. Ctrl+C or SIGTERM drains for up to %s.\n", port, o.Grace)
}
