package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/colorprofile"

	"github.com/spf13/pflag"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/pipenet"
	"github.com/softwareone/apitoken/sandbox"
)

// IOStreams are the streams a command reads and writes.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// Factory is what every command gets: the streams, the environment, the
// version, the signals, and the way from flags to a client.
type Factory struct {
	IO        IOStreams
	LookupEnv func(string) (string, bool)
	Version   string
	// Signals is nil when no signal reaches the command (tests in-process).
	Signals *Signals
	// Clipboard writes to the system clipboard; nil where there is none.
	Clipboard func(env func(string) string) func(string) error
	// OutProfile is IO.Out's colour profile when it is already known (lipgloss
	// detects the process's stdout as it loads); nil: the full-screen app
	// detects it. Detecting reads terminfo and, inside tmux, runs "tmux info".
	OutProfile *colorprofile.Profile
}

// Getenv reads a variable of the command's environment.
func (f *Factory) Getenv(key string) string {
	if f.LookupEnv == nil {
		return ""
	}
	v, _ := f.LookupEnv(key)
	return v
}

// APIFlags are the flags every command that talks to the API shares.
type APIFlags struct {
	Account      string
	BaseURL      string
	TokenFile    string
	Sandbox      bool
	Fixtures     string
	InsecureHTTP bool
}

func (a *APIFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&a.Account, "account", "", "Account to work on (ACC-####-####; overrides MPT_ACCOUNT_ID)")
	fs.StringVar(&a.BaseURL, "base-url", "", "Marketplace API base URL (overrides MPT_API_BASE_URL; default "+apiclient.DefaultBaseURL+")")
	fs.StringVar(&a.TokenFile, "token-file", "", "Read the API credential from a file, \"-\" for stdin (overrides MPT_API_TOKEN)")
	fs.BoolVar(&a.Sandbox, "sandbox", false, "Use the built-in sandbox even if a credential is set")
	fs.StringVar(&a.Fixtures, "fixtures", "", "Seed the built-in sandbox from a JSON fixture file")
	fs.BoolVar(&a.InsecureHTTP, "insecure-http", false, "Allow a plain http:// base URL that is not loopback (a test proxy):\nthe credential then crosses the network in clear text")
}

// Connection is a ready client and the account to work on, possibly on an
// in-process sandbox.
type Connection struct {
	Client    *apiclient.Client
	AccountID string
	Sandbox   bool
	Close     func()
	// StartErr, on the built-in sandbox, waits for it to be up and says
	// why it could not start (nil when it did); nil elsewhere.
	StartErr func() error
}

// Connect builds the client from flags and environment. Without a
// credential it starts the built-in sandbox in the process, and the wizard
// and the CLI speak real HTTP to it exactly as to the platform.
// notes gets what is said to the user on the way (the sandbox notice).
func (f *Factory) Connect(ctx context.Context, a *APIFlags, notes io.Writer) (*Connection, error) {
	cfg, account, err := f.resolve(a)
	if err != nil {
		return nil, err
	}
	if useSandbox(a, cfg) {
		seed, err := sandboxSeed(a)
		if err != nil {
			return nil, err
		}
		conn, err := f.startSandbox(seed, account)
		if err != nil {
			return nil, err
		}
		fmt.Fprintln(notes, sandboxNotice)
		return conn, nil
	}
	if a.Fixtures != "" {
		return nil, usagef("--fixtures applies to the sandbox only; add --sandbox or unset MPT_API_TOKEN")
	}
	if err := checkBaseURL(cfg.BaseURL, a.InsecureHTTP); err != nil {
		return nil, err
	}
	client, err := apiclient.New(
		apiclient.WithBaseURL(cfg.BaseURL),
		apiclient.WithToken(cfg.Token),
		apiclient.WithUserAgent(apiclient.UserAgent(f.Version)),
	)
	if err != nil {
		return nil, usagef("%v", err)
	}
	if account == "" {
		if account, err = soleAccount(ctx, client); err != nil {
			return nil, err
		}
	}
	return &Connection{Client: client, AccountID: account, Close: func() {}}, nil
}

// resolve reads the configuration from flags and environment: the
// client's, and the account to work on ("" when none was named).
func (f *Factory) resolve(a *APIFlags) (apiclient.Config, string, error) {
	account := canonicalID(a.Account)
	if account != "" && !apiclient.ValidAccountID(account) {
		return apiclient.Config{}, "", usagef("--account %q is not an account id: expected ACC-####-####", sanitizeLine(a.Account))
	}
	cfg := apiclient.ConfigFromEnv(f.lookup())
	if a.BaseURL != "" {
		cfg.BaseURL = a.BaseURL
	}
	if a.TokenFile != "" {
		tok, err := readSecretFile(a.TokenFile, f.IO.In, f.IO.ErrOut)
		if err != nil {
			return apiclient.Config{}, "", err
		}
		cfg.Token = tok
	}
	if account == "" {
		account = canonicalID(f.Getenv("MPT_ACCOUNT_ID"))
		if account != "" && !apiclient.ValidAccountID(account) {
			return apiclient.Config{}, "", usagef("MPT_ACCOUNT_ID %q is not an account id: expected ACC-####-####", sanitizeLine(strings.TrimSpace(f.Getenv("MPT_ACCOUNT_ID"))))
		}
	}
	return cfg, account, nil
}

// useSandbox reports whether the commands run on the built-in sandbox.
func useSandbox(a *APIFlags, cfg apiclient.Config) bool { return a.Sandbox || cfg.Token.IsZero() }

const sandboxNotice = "apitoken: no MPT_API_TOKEN set: using the built-in sandbox; nothing leaves this machine, and nothing is kept after this command (\"apitoken sandbox\" runs one that stays)."

// sandboxUsedNotice is the notice as the full-screen app leaves it when it
// ends.
const sandboxUsedNotice = "apitoken: no MPT_API_TOKEN set: the built-in sandbox was used; nothing left this machine, and its tokens are gone with it."

// seed is what the built-in sandbox starts from: a fixture and its
// default account. The fixture is made on the sandbox's goroutine, beside
// the start-up.
type seed struct {
	fixture        func() *sandbox.Fixture
	defaultAccount string
}

// sandboxSeed reads --fixtures at once, so that a bad file is a usage error
// before anything starts; the demo is built later.
func sandboxSeed(a *APIFlags) (seed, error) {
	if a.Fixtures == "" {
		return seed{fixture: sandbox.DemoFixture, defaultAccount: sandbox.DemoAccount}, nil
	}
	fx, err := sandbox.LoadFixtureFile(a.Fixtures)
	if err != nil {
		return seed{}, usagef("%v", err)
	}
	return seed{fixture: func() *sandbox.Fixture { return fx }, defaultAccount: fx.DefaultAccount}, nil
}

func (f *Factory) lookup() func(string) (string, bool) {
	if f.LookupEnv == nil {
		return func(string) (string, bool) { return "", false }
	}
	return f.LookupEnv
}

// checkBaseURL refuses to send the bearer credential in clear text: a
// plain http:// URL is accepted for a loopback host only, or with
// --insecure-http.
func checkBaseURL(raw string, insecure bool) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return usagef("the base URL %q is not a URL: %v", raw, err)
	}
	if !strings.EqualFold(u.Scheme, "http") || insecure || isLoopback(u.Hostname()) {
		return nil
	}
	return usagef("the base URL %s is plain http:// to %s, which would send the API credential in clear text; use https://, or --insecure-http for a test proxy you trust",
		u.Redacted(), u.Hostname())
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
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

// startSandbox starts the sandbox from seed inside the process and
// connects a client to it over in-memory pipes (pipenet): real HTTP, but no
// socket, so no other process on the machine can reach it and there is no
// port to open or to leave behind. account "" is the seed's default.
func (f *Factory) startSandbox(seed seed, account string) (*Connection, error) {
	// The client is built at once; making the fixture, seeding the sandbox
	// and serving it (about a millisecond) happen beside the first frame.
	// Requests sent meanwhile wait for Accept, not in our code.
	ln := pipenet.Listen()
	token := sandboxToken()
	client, err := apiclient.New(
		apiclient.WithBaseURL(sandboxBaseURL),
		apiclient.WithDialer(ln.DialContext),
		apiclient.WithToken(token),
		apiclient.WithUserAgent(apiclient.UserAgent(f.Version)),
	)
	if err != nil {
		ln.Close()
		return nil, err
	}
	if account == "" {
		account = seed.defaultAccount
	}
	var (
		ready    = make(chan struct{})
		startErr error
		hs       *http.Server
	)
	go func() {
		defer close(ready)
		srv, err := sandbox.New(sandbox.WithFixture(seed.fixture()), sandbox.WithOperatorToken(token.Reveal()))
		if err != nil {
			startErr = fmt.Errorf("starting the sandbox: %w", err)
			ln.Close() // the requests waiting fail at once
			return
		}
		hs = &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ErrorLog: discardLog()}
		go func() { _ = hs.Serve(ln) }()
	}()
	stop := func() {
		<-ready
		if hs != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_ = hs.Shutdown(ctx)
		}
	}
	started := func() error { <-ready; return startErr }
	return &Connection{Client: client, AccountID: account, Sandbox: true, Close: stop, StartErr: started}, nil
}

// sandboxBaseURL is the built-in sandbox's nominal address: the client's
// dialer carries every request to it in memory, whatever the host says.
const sandboxBaseURL = "http://sandbox.localhost"

// sandboxToken draws the built-in sandbox's operator token.
func sandboxToken() apiclient.Secret { return apiclient.Secret("sbx_" + rand.Text()) }

// maxSecretFile is the most a credential file may hold; a larger file is
// not a credential and is refused rather than cut.
const maxSecretFile = 64 << 10

// readSecretFile reads a credential from a file or stdin ("-"), refusing
// anything but a small regular file, and warns (as ssh does for keys)
// when others may read it.
func readSecretFile(path string, stdin io.Reader, warn io.Writer) (apiclient.Secret, error) {
	var r io.Reader = stdin
	if path != "-" {
		file, err := os.Open(path)
		if err != nil {
			return "", usagef("--token-file: %v", err)
		}
		defer file.Close()
		st, err := file.Stat()
		if err != nil {
			return "", usagef("--token-file: %v", err)
		}
		if !st.Mode().IsRegular() {
			return "", usagef("--token-file: %s is not a regular file", path)
		}
		if st.Size() > maxSecretFile {
			return "", usagef("--token-file: %s is %d bytes, more than a credential (at most %d)", path, st.Size(), maxSecretFile)
		}
		if perm := st.Mode().Perm(); perm&0o077 != 0 {
			fmt.Fprintf(warn, "apitoken: warning: %s can be read by group or others (mode %04o): keep the credential in a file only you can read (chmod 600 %s)\n",
				sanitizeLine(path), perm, sanitizeLine(path))
		}
		r = file
	}
	b, err := io.ReadAll(io.LimitReader(r, maxSecretFile+1))
	if err != nil {
		return "", usagef("--token-file: %v", err)
	}
	if len(b) > maxSecretFile {
		return "", usagef("--token-file: %s holds more than %d bytes, more than a credential", path, maxSecretFile)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", usagef("--token-file: %s is empty", path)
	}
	return apiclient.Secret(tok), nil
}

// discardLog silences net/http's own error log: its lines carry nothing a
// user can act on and would draw over the wizard.
func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }
