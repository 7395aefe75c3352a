package sandbox

import (
	"io"
	"log/slog"
	"time"
)

// config collects what the options set; New fills in the defaults.
type config struct {
	fixture       *Fixture
	operatorToken string
	operatorSet   bool
	now           func() time.Time
	ids           io.Reader
	secrets       io.Reader
	latency       time.Duration
	logger        *slog.Logger
	chaos         *Chaos
}

// Option configures a [Server].
type Option func(*config)

// WithFixture serves f instead of [DemoFixture]. New validates it and keeps
// its own copy, so later changes to f do not reach the server.
func WithFixture(f *Fixture) Option {
	return func(c *config) { c.fixture = f }
}

// WithOperatorToken sets the operator's bearer token. By default New draws
// "sbx_" followed by 40 random letters and digits.
func WithOperatorToken(tok string) Option {
	return func(c *config) { c.operatorToken, c.operatorSet = tok, true }
}

// WithClock sets where audit times come from (default [time.Now]). Times are
// stored in UTC at millisecond precision.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithIDSource sets the randomness behind token ids (TKN-####-####) and
// trace ids (default crypto/rand). Pass a seeded reader, such as a
// math/rand/v2 ChaCha8, to get the same ids for the same request sequence.
func WithIDSource(r io.Reader) Option {
	return func(c *config) {
		if r != nil {
			c.ids = r
		}
	}
}

// WithSecretSource sets the randomness behind the 64-character secret of a
// token value (default crypto/rand).
func WithSecretSource(r io.Reader) Option {
	return func(c *config) {
		if r != nil {
			c.secrets = r
		}
	}
}

// WithLatency adds d to every request, to make a local sandbox feel like a
// remote API. The wait ends early when the client goes away.
func WithLatency(d time.Duration) Option {
	return func(c *config) { c.latency = max(d, 0) }
}

// WithLogger sets the access log. Each request logs its method, path,
// status, duration and trace id; never headers, bodies, query strings or
// token values.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}
