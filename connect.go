package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/sandbox"
)

// apiFlags are the flags every command that talks to the API shares.
type apiFlags struct {
	account   string
	baseURL   string
	tokenFile string
	sandbox   bool
	fixtures  string
}

func (f *apiFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.account, "account", "", "")
	fs.StringVar(&f.baseURL, "base-url", "", "")
	fs.StringVar(&f.tokenFile, "token-file", "", "")
	fs.BoolVar(&f.sandbox, "sandbox", false, "")
	fs.StringVar(&f.fixtures, "fixtures", "", "")
}

// usageError is bad input: a clear message, exit code 2, nothing sent.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// connection is a ready client and the account to work on, possibly on an
// in-process sandbox.
type connection struct {
	client    *apiclient.Client
	accountID string
	sandbox   bool
	close     func()
}

// connect builds the client from flags and environment. Without a
// credential it starts the built-in sandbox on a loopback port, so the
// wizard and the CLI speak real HTTP to it exactly as to the platform.
func connect(ctx context.Context, f *apiFlags, e *env) (*connection, error) {
	if f.account != "" && !apiclient.ValidAccountID(f.account) {
		return nil, usagef("--account %q is not an account id: expected ACC-####-####", f.account)
	}
	cfg := apiclient.ConfigFromEnv(e.lookup)
	if f.baseURL != "" {
		cfg.BaseURL = f.baseURL
	}
	if f.tokenFile != "" {
		tok, err := readSecretFile(f.tokenFile, e.stdin)
		if err != nil {
			return nil, err
		}
		cfg.Token = tok
	}
	account := f.account
	if account == "" {
		account = strings.TrimSpace(e.getenv("MPT_ACCOUNT_ID"))
		if account != "" && !apiclient.ValidAccountID(account) {
			return nil, usagef("MPT_ACCOUNT_ID %q is not an account id: expected ACC-####-####", account)
		}
	}

	if f.sandbox || cfg.Token.IsZero() {
		return startSandbox(f, account, e)
	}
	if f.fixtures != "" {
		return nil, usagef("--fixtures applies to the sandbox only; add --sandbox or unset MPT_API_TOKEN")
	}
	client, err := apiclient.New(
		apiclient.WithBaseURL(cfg.BaseURL),
		apiclient.WithToken(cfg.Token),
		apiclient.WithUserAgent(apiclient.UserAgent(buildVersion())),
	)
	if err != nil {
		return nil, usagef("%v", err)
	}
	if account == "" {
		if account, err = soleAccount(ctx, client); err != nil {
			return nil, err
		}
	}
	return &connection{client: client, accountID: account, close: func() {}}, nil
}

// soleAccount picks the account when the credential sees exactly one.
func soleAccount(ctx context.Context, c *apiclient.Client) (string, error) {
	accounts, page, err := c.ListAccounts(ctx, &apiclient.ListOptions{Limit: 5, Order: "name"})
	if err != nil {
		return "", fmt.Errorf("finding the account for this credential: %w", err)
	}
	switch {
	case len(accounts) == 0:
		return "", errors.New("this credential sees no account; choose one with --account or MPT_ACCOUNT_ID")
	case len(accounts) == 1 && (page == nil || page.Total <= 1):
		return accounts[0].ID, nil
	}
	ids := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i] = a.ID
	}
	return "", usagef("this credential sees several accounts (%s…); choose one with --account or MPT_ACCOUNT_ID", strings.Join(ids, ", "))
}

func startSandbox(f *apiFlags, account string, e *env) (*connection, error) {
	opts := []sandbox.Option{}
	if f.fixtures != "" {
		fx, err := sandbox.LoadFixtureFile(f.fixtures)
		if err != nil {
			return nil, usagef("%v", err)
		}
		opts = append(opts, sandbox.WithFixture(fx))
	}
	srv, err := sandbox.New(opts...)
	if err != nil {
		return nil, err
	}
	base, stop, err := serveLoopback(srv)
	if err != nil {
		return nil, err
	}
	client, err := apiclient.New(
		apiclient.WithBaseURL(base),
		apiclient.WithToken(apiclient.Secret(srv.OperatorToken())),
		apiclient.WithUserAgent(apiclient.UserAgent(buildVersion())),
	)
	if err != nil {
		stop()
		return nil, err
	}
	if account == "" {
		account = srv.DefaultAccount()
	}
	fmt.Fprintln(e.stderr, "apitoken: no MPT_API_TOKEN set: using the built-in sandbox; nothing leaves this machine.")
	return &connection{client: client, accountID: account, sandbox: true, close: stop}, nil
}

// serveLoopback serves h on a free loopback port.
func serveLoopback(h http.Handler) (baseURL string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("starting the sandbox: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: discardLog()}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// readSecretFile reads a credential from a file or stdin ("-"), refusing
// anything but a small regular file.
func readSecretFile(path string, stdin io.Reader) (apiclient.Secret, error) {
	var r io.Reader = stdin
	if path != "-" {
		st, err := os.Stat(path)
		if err != nil {
			return "", usagef("--token-file: %v", err)
		}
		if !st.Mode().IsRegular() {
			return "", usagef("--token-file: %s is not a regular file", path)
		}
		file, err := os.Open(path)
		if err != nil {
			return "", usagef("--token-file: %v", err)
		}
		defer file.Close()
		r = file
	}
	b, err := io.ReadAll(io.LimitReader(r, 64<<10))
	if err != nil {
		return "", usagef("--token-file: %v", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", usagef("--token-file: %s is empty", path)
	}
	return apiclient.Secret(tok), nil
}

// parseFlags parses a command's flags; help prints the command's help.
// It returns done=true with the exit code when the command should stop.
func parseFlags(fs *flag.FlagSet, args []string, help string, e *env) (done bool, code int) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(e.stdout, help)
		return true, exitOK
	case err != nil:
		fmt.Fprintf(e.stderr, "apitoken: %v\nRun \"apitoken %s --help\" for usage.\n", err, fs.Name())
		return true, exitUsage
	case fs.NArg() > 0:
		fmt.Fprintf(e.stderr, "apitoken: unexpected argument %q\nRun \"apitoken %s --help\" for usage.\n", fs.Arg(0), fs.Name())
		return true, exitUsage
	}
	return false, exitOK
}

// fail prints an error and returns the exit code it calls for.
func fail(e *env, err error) int {
	var usage *usageError
	if errors.As(err, &usage) {
		fmt.Fprintf(e.stderr, "apitoken: %s\n", sanitizeLine(usage.msg))
		return exitUsage
	}
	var apiErr *apiclient.Error
	if errors.As(err, &apiErr) {
		fmt.Fprintf(e.stderr, "apitoken: %s\n", sanitizeLine(apiErr.Message()))
		if fields := apiErr.FieldErrors(); len(fields) > 0 {
			for _, field := range slices.Sorted(maps.Keys(fields)) {
				for _, m := range fields[field] {
					fmt.Fprintf(e.stderr, "  %s: %s\n", sanitizeLine(field), sanitizeLine(m))
				}
			}
		}
		if apiErr.Problem.TraceID != "" && !strings.Contains(apiErr.Message(), apiErr.Problem.TraceID) {
			fmt.Fprintf(e.stderr, "  trace id: %s\n", sanitizeLine(apiErr.Problem.TraceID))
		}
		return exitError
	}
	fmt.Fprintf(e.stderr, "apitoken: %s\n", sanitizeLine(err.Error()))
	return exitError
}
