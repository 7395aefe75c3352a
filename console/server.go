package console

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/recover"
	gossh "golang.org/x/crypto/ssh"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/ui"
)

// Defaults for the zero values of [Config].
const (
	DefaultMaxSessions      = 10
	DefaultIdleTimeout      = 15 * time.Minute
	DefaultMaxSessionLength = time.Hour
	DefaultEndGrace         = 2 * time.Minute
	DefaultConnRate         = 20
)

// Bounds on connections that have not authenticated yet, so silent ones
// cannot hold the server's file descriptors and lock valid users out.
const (
	// handshakeTimeout bounds the unauthenticated part of a connection:
	// key exchange and authentication take a client well under a second.
	handshakeTimeout = 10 * time.Second
	// DefaultMaxUnauthenticated and DefaultMaxUnauthenticatedPerSource:
	// room for a few hundred users connecting within seconds, far from a
	// 1024 file-descriptor limit.
	DefaultMaxUnauthenticated          = 256
	DefaultMaxUnauthenticatedPerSource = 16
)

// publicKeyAlgorithms are the signature algorithms a client may
// authenticate with: ssh-rsa (RSA with SHA-1) is left out, as OpenSSH
// does since 8.8; RSA keys sign with rsa-sha2-256 or -512 instead.
var publicKeyAlgorithms = []string{
	gossh.KeyAlgoED25519, gossh.KeyAlgoSKED25519,
	gossh.KeyAlgoECDSA256, gossh.KeyAlgoECDSA384, gossh.KeyAlgoECDSA521, gossh.KeyAlgoSKECDSA256,
	gossh.KeyAlgoRSASHA256, gossh.KeyAlgoRSASHA512,
}

// ErrServerClosed is returned by [Server.Serve] after [Server.Shutdown] or
// [Server.Close].
var ErrServerClosed = errors.New("console: server closed")

// Config configures a [Server]. HostKey, AuthorizedKeys, API and
// DefaultAccount are required; zero limits take the defaults.
type Config struct {
	// HostKey is the server's private host key ([LoadOrCreateHostKey]).
	HostKey gossh.Signer
	// AuthorizedKeys is the path of an OpenSSH authorized_keys file: the
	// public keys that may connect, each optionally pinned to an account
	// with account="ACC-####-####". It is re-read when it changes.
	AuthorizedKeys string
	// API is the Marketplace API client with the server's credentials.
	API ui.API
	// DefaultAccount is the account of keys without an account option.
	DefaultAccount string
	// Sandbox badges the wizard SANDBOX.
	Sandbox bool

	// MaxSessions is how many sessions may run at once; more are refused
	// with a message.
	MaxSessions int
	// IdleTimeout ends a session after this long without input.
	IdleTimeout time.Duration
	// MaxSessionLength ends a session after this long.
	MaxSessionLength time.Duration
	// EndGrace is how long a session ended by a limit keeps showing a
	// created token for the user to copy before it is closed.
	EndGrace time.Duration
	// ConnRate is how many new connections one source address may open a
	// minute (in a burst, or spread out).
	ConnRate int
	// MaxUnauthenticated is how many connections may be in their
	// handshake (not yet authenticated) at once; when all are taken, the
	// oldest is closed to make room, so silent connections cannot lock
	// valid users out. MaxUnauthenticatedPerSource is how many of them one
	// source address (an IPv6 /64) may hold; more are closed at once.
	MaxUnauthenticated          int
	MaxUnauthenticatedPerSource int

	// Logger receives the audit log. Default slog.Default().
	Logger *slog.Logger
	// Clock is the wizard's time source. Default time.Now.
	Clock func() time.Time

	// Test hooks; zero means the default.
	timers           clock         // the session limits' time source
	handshakeTimeout time.Duration // handshakeTimeout
}

func (c *Config) check() error {
	switch {
	case c.HostKey == nil:
		return errors.New("console: no host key")
	case c.AuthorizedKeys == "":
		return errors.New("console: no authorized_keys file")
	case c.API == nil:
		return errors.New("console: no API client")
	case !apiclient.ValidAccountID(c.DefaultAccount):
		return fmt.Errorf("console: default account %q is not an account id (ACC-####-####)", c.DefaultAccount)
	case c.MaxSessions < 0 || c.IdleTimeout < 0 || c.MaxSessionLength < 0 || c.EndGrace < 0 || c.ConnRate < 0 ||
		c.MaxUnauthenticated < 0 || c.MaxUnauthenticatedPerSource < 0:
		return errors.New("console: negative limit")
	}
	return nil
}

func (c *Config) setDefaults() {
	if c.MaxSessions == 0 {
		c.MaxSessions = DefaultMaxSessions
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.MaxSessionLength == 0 {
		c.MaxSessionLength = DefaultMaxSessionLength
	}
	if c.EndGrace == 0 {
		c.EndGrace = DefaultEndGrace
	}
	if c.ConnRate == 0 {
		c.ConnRate = DefaultConnRate
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.timers == nil {
		c.timers = realClock{}
	}
	if c.handshakeTimeout == 0 {
		c.handshakeTimeout = handshakeTimeout
	}
	if c.MaxUnauthenticated == 0 {
		c.MaxUnauthenticated = DefaultMaxUnauthenticated
	}
	if c.MaxUnauthenticatedPerSource == 0 {
		c.MaxUnauthenticatedPerSource = DefaultMaxUnauthenticatedPerSource
	}
}

// Server is the SSH console.
type Server struct {
	cfg   Config
	ssh   *ssh.Server
	keys  *keyring
	audit audit
	rate  *rateLimiter
	pre   *preAuth
	reg   *registry
	// reports is every token id a session reported as created, so that a
	// lookup for a lost answer in one session never claims another's.
	reports *tokenReports
	ids     atomic.Uint64

	mu     sync.Mutex
	ln     net.Listener
	closed bool
}

// New checks cfg, reads the authorized_keys file and builds the server.
func New(cfg Config) (*Server, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	keys, err := newKeyring(cfg.AuthorizedKeys, cfg.Logger)
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	s := &Server{
		cfg:   cfg,
		keys:  keys,
		audit: audit{log: cfg.Logger},
		rate:  newRateLimiter(cfg.ConnRate),
		pre:   newPreAuth(cfg.MaxUnauthenticated, cfg.MaxUnauthenticatedPerSource),
		reg:   newRegistry(cfg.MaxSessions),

		reports: newTokenReports(),
	}
	s.ssh, err = wish.NewServer(
		func(srv *ssh.Server) error {
			srv.AddHostKey(cfg.HostKey)
			return nil
		},
		wish.WithVersion("apitoken"),
		// Public keys only. With no password or keyboard-interactive
		// handler those methods are not offered, so they always fail;
		// with no handler at all wish would let everyone in.
		wish.WithPublicKeyAuth(s.authorize),
		func(srv *ssh.Server) error {
			srv.ServerConfigCallback = func(ctx ssh.Context) *gossh.ServerConfig {
				return &gossh.ServerConfig{
					PublicKeyAuthAlgorithms: publicKeyAlgorithms,
					AuthLogCallback: func(conn gossh.ConnMetadata, method string, err error) {
						s.authLog(ctx, conn, method, err)
					},
				}
			}
			srv.ConnCallback = s.admitConn
			srv.HandshakeTimeout = cfg.handshakeTimeout
			// Sessions only: no port forwarding (direct-tcpip) and, with
			// no global request handlers, no tcpip-forward either.
			srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": sessionChannel}
			srv.RequestHandlers = map[string]ssh.RequestHandler{}
			// Backstops for connections that never open a session; the
			// sessions' own limits act first.
			srv.IdleTimeout = cfg.IdleTimeout + cfg.EndGrace + time.Minute
			srv.MaxTimeout = cfg.MaxSessionLength + cfg.EndGrace + time.Minute
			return nil
		},
		wish.WithMiddleware(
			// wish runs the first middleware innermost: a panic anywhere
			// in a session is recovered and logged, and only the commands
			// the console serves reach the wizard.
			s.admit,
			s.commands,
			recover.MiddlewareWithLogger(panicLogger{cfg.Logger}),
		),
	)
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	return s, nil
}

// authorize lets in the keys of the authorized_keys file.
func (s *Server) authorize(ctx ssh.Context, key ssh.PublicKey) bool {
	if _, ok := s.keys.lookup(key); ok {
		return true
	}
	s.audit.authRefused(ctx.RemoteAddr(), ctx.User(), "publickey", gossh.FingerprintSHA256(key))
	return false
}

// authLog records attempts with the methods that are never accepted;
// refused keys are recorded, with their fingerprint, by authorize. A
// success (the signature checked) ends the connection's unauthenticated
// part.
func (s *Server) authLog(ctx ssh.Context, conn gossh.ConnMetadata, method string, err error) {
	if err == nil {
		if c, ok := ctx.Value(preAuthKey).(*preAuthConn); ok {
			c.authenticated()
		}
		return
	}
	if method != "none" && method != "publickey" {
		s.audit.authRefused(conn.RemoteAddr(), conn.User(), method, "")
	}
}

// preAuthKey holds a connection's *preAuthConn in its context.
var preAuthKey = &struct{ name string }{"console pre-auth connection"}

// admitConn applies the connection rate limit and the bounds on
// unauthenticated connections before the handshake, so a flood costs no
// key exchange.
func (s *Server) admitConn(ctx ssh.Context, conn net.Conn) net.Conn {
	if !s.rate.allow(conn.RemoteAddr()) {
		s.audit.rateLimited(conn.RemoteAddr())
		return nil
	}
	c := s.pre.admit(conn)
	if c == nil {
		s.audit.preAuthLimited(conn.RemoteAddr())
		return nil
	}
	ctx.SetValue(preAuthKey, c)
	return c
}

// Serve accepts connections on ln until Shutdown or Close; it then returns
// ErrServerClosed. Call it once.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ln.Close()
		return ErrServerClosed
	}
	s.ln = ln
	s.mu.Unlock()
	s.audit.listening(ln.Addr(), gossh.FingerprintSHA256(s.cfg.HostKey.PublicKey()), s.keys.count())
	err := s.ssh.Serve(ln)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrServerClosed
	}
	return err
}

// Shutdown stops accepting connections and sessions, asks every wizard to
// end, and waits until they have or ctx is done. A wizard ends at once
// unless a create is in flight (it waits for the outcome) or a created
// token is on screen (it asks the user to copy it and close), so no token
// is lost to a shutdown that leaves them time. Then it closes what is left
// and waits for creates still in flight so their ids reach the audit log.
// It returns ctx's error when sessions had to be closed.
func (s *Server) Shutdown(ctx context.Context) error {
	open := s.reg.drain()
	s.closeListener()
	s.audit.shutdown(len(open))
	for _, ss := range open {
		ss.end(endShutdown)
	}
	err := s.reg.wait(ctx)
	if err == nil {
		// Let clients hang up on their own after their session's exit
		// status, rather than see the connection cut.
		polite, cancel := context.WithTimeout(ctx, time.Second)
		_ = s.ssh.Shutdown(polite)
		cancel()
	}
	_ = s.ssh.Close()
	wait, cancel := context.WithTimeout(context.Background(), createWait+forceClose)
	defer cancel()
	_ = s.reg.wait(wait)
	return err
}

// Close closes the listener and every connection at once.
func (s *Server) Close() error {
	s.reg.drain()
	s.closeListener()
	return s.ssh.Close()
}

func (s *Server) closeListener() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.ln != nil {
		_ = s.ln.Close()
	}
}
