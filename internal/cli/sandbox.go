package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/softwareone/apitoken/sandbox"
)

const (
	defaultSandboxListen = "127.0.0.1:8080"
	// sandboxTokenEnv names the variable that may hold the sandbox's
	// operator token: a credential stays off the command line.
	sandboxTokenEnv = "MPT_SANDBOX_TOKEN"
)

// SandboxOptions are the flags of apitoken sandbox.
type SandboxOptions struct {
	Factory         *Factory
	Listen          string
	Fixtures        string
	TokenFile       string
	Latency         time.Duration
	Log             bool
	FailRate        float64
	DropAfterCommit float64
	StatusRates     []string
	Seed            int64
}

// NewCmdSandbox builds apitoken sandbox; runF replaces the run in tests.
func NewCmdSandbox(f *Factory, runF func(*SandboxOptions) error) *cobra.Command {
	opts := &SandboxOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the built-in Marketplace API sandbox as a server",
		Long: `Run the built-in Marketplace API sandbox as an HTTP server.

The sandbox enforces the same rules as the platform (validation, error bodies,
ids, the token value only on create) with its state in memory. Point apitoken,
or any Marketplace API client, at it with the MPT_API_BASE_URL, MPT_API_TOKEN
and MPT_ACCOUNT_ID lines it prints.

The operator token is random unless given by --token-file or ` + sandboxTokenEnv + `;
it is never taken from the command line.

Faults for trying a client: --fail-rate answers a share of requests 500,
--status-rate STATUS:RATE answers a share with that status (repeatable),
--drop-after-commit handles a share in full and then drops the connection
(an unknown outcome). The rates are fractions from 0 to 1 and add up to 1 at
most; --seed repeats the same draws.`,
		Example: `  apitoken sandbox --listen 127.0.0.1:8080
  apitoken sandbox --latency 150ms --fail-rate 0.05 --status-rate 503:0.05 --status-rate 429:0.02
  apitoken sandbox --drop-after-commit 0.1 --seed 42 --log`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runSandbox(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Listen, "listen", "l", defaultSandboxListen, "Address to listen on")
	fl.StringVar(&opts.Fixtures, "fixtures", "", "Seed accounts and modules from a JSON fixture file")
	fl.StringVar(&opts.TokenFile, "token-file", "", "Read the operator token from a file, \"-\" for stdin (default: "+sandboxTokenEnv+", else random)")
	fl.DurationVar(&opts.Latency, "latency", 0, "Delay every answer, e.g. 150ms, to feel like a remote API")
	fl.BoolVar(&opts.Log, "log", false, "Log each request (method, path, status; never bodies or tokens)")
	fl.Float64Var(&opts.FailRate, "fail-rate", 0, "Share of requests answered 500 without being handled (0 to 1)")
	fl.Float64Var(&opts.DropAfterCommit, "drop-after-commit", 0, "Share of requests handled, then dropped without an answer (0 to 1)")
	fl.StringArrayVar(&opts.StatusRates, "status-rate", nil, "STATUS:RATE, e.g. 503:0.05: answer that share with that status; repeatable")
	fl.Int64Var(&opts.Seed, "seed", 0, "Seed for the fault draws, to repeat a run (default: random)")
	return cmd
}

func runSandbox(ctx context.Context, opts *SandboxOptions) error {
	f := opts.Factory
	sopts := []sandbox.Option{sandbox.WithLatency(opts.Latency)}
	if opts.Latency < 0 {
		return usagef("--latency must not be negative")
	}
	chaos := sandbox.Chaos{FailRate: opts.FailRate, DropAfterCommitRate: opts.DropAfterCommit, Seed: opts.Seed}
	for _, s := range opts.StatusRates {
		sr, err := sandbox.ParseStatusRate(s)
		if err != nil {
			return usagef("--status-rate: %v", err)
		}
		chaos.StatusRates = append(chaos.StatusRates, sr)
	}
	if chaos.FailRate != 0 || chaos.DropAfterCommitRate != 0 || len(chaos.StatusRates) > 0 {
		sopts = append(sopts, sandbox.WithChaos(chaos))
	}
	if opts.Fixtures != "" {
		fx, err := sandbox.LoadFixtureFile(opts.Fixtures)
		if err != nil {
			return usagef("%v", err)
		}
		sopts = append(sopts, sandbox.WithFixture(fx))
	}
	// How the printed export line refers to a token the user gave: by
	// where it is, never by its value.
	tokenRef := ""
	switch {
	case opts.TokenFile != "":
		tok, err := readSecretFile(opts.TokenFile, f.IO.In, f.IO.ErrOut)
		if err != nil {
			return err
		}
		sopts = append(sopts, sandbox.WithOperatorToken(tok.Reveal()))
		tokenRef = "(the token in " + sanitizeLine(opts.TokenFile) + ")"
		if opts.TokenFile != "-" {
			tokenRef = `"$(cat ` + shellQuote(opts.TokenFile) + `)"`
		}
	case strings.TrimSpace(f.Getenv(sandboxTokenEnv)) != "":
		sopts = append(sopts, sandbox.WithOperatorToken(strings.TrimSpace(f.Getenv(sandboxTokenEnv))))
		tokenRef = `"$` + sandboxTokenEnv + `"`
	}
	if opts.Log {
		sopts = append(sopts, sandbox.WithLogger(slog.New(slog.NewTextHandler(f.IO.ErrOut, nil))))
	}
	srv, err := sandbox.New(sopts...)
	if err != nil {
		return usagef("%v", err)
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return usagef("--listen: %v", err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ErrorLog: discardLog()}
	base := "http://" + ln.Addr().String()
	if tokenRef == "" {
		tokenRef = srv.OperatorToken()
	}
	out := f.IO.Out
	fmt.Fprintf(out, "Marketplace API sandbox listening on %s\n\n", base)
	fmt.Fprintf(out, "  export MPT_API_BASE_URL=%s\n  export MPT_API_TOKEN=%s\n  export MPT_ACCOUNT_ID=%s\n\n", base, tokenRef, srv.DefaultAccount())
	fmt.Fprintln(out, "Press Ctrl+C to stop; all state is lost.")

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
		return nil
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(sanitizeLine(s), "'", `'\''`) + "'"
}
