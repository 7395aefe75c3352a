package apiclient

import (
	"context"
	"errors"
	"time"
)

// Clock is the time a [Client] reads and waits on. Tests inject a fake with
// [WithClock] so that settle waits and retry backoffs take no real time.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx ends (then it returns ctx.Err()).
	Sleep(ctx context.Context, d time.Duration) error
}

// WithClock sets the clock the client reads (audit windows, Retry-After
// dates) and waits on (retry backoff, the settle wait of
// [Client.FindLostAPIToken]). The default is the real clock.
func WithClock(clk Clock) Option {
	return func(c *Client) error {
		if clk == nil {
			return errors.New("apiclient: WithClock: nil Clock")
		}
		c.now = clk.Now
		c.sleep = clk.Sleep
		return nil
	}
}

// CreateAttempt describes one create whose outcome is unknown: what was asked
// for, who asked, and when. An [*OutcomeUnknownError] from
// [Client.CreateAPIToken] carries it; pass it to [Client.FindLostAPIToken].
type CreateAttempt struct {
	AccountID string
	Name      string // trimmed, as sent
	// Started is the client's clock just before the request was sent.
	Started time.Time
	// SettleUntil is the client's clock from which a request still in the
	// API's hands can no longer commit: the moment the client gave up plus
	// the settle time (see [Client.SettleTime]). Zero: the API already
	// answered (a 500, a 503, an unreadable 2xx), there is nothing to wait
	// for.
	SettleUntil time.Time
	// CredentialTokenID is the id of the token the request was sent with
	// (from a value "idt:TKN-…:secret"), or "" when the credential is not a
	// token whose id can be read (an operator's or user's credential).
	CredentialTokenID string
}

// FindLostOptions narrows [Client.FindLostAPIToken]; it may be nil.
type FindLostOptions struct {
	// Exclude holds ids of tokens that are known not to be this attempt's:
	// ones other sessions on the same account already reported as theirs.
	Exclude map[string]bool
}

// LostState is what a look for a lost create concluded.
type LostState int

const (
	// LostNotFoundYet: no token this attempt could have created was found.
	// It is "not found yet", never "not created": the API takes no
	// idempotency key, so a commit even later than the settle time cannot
	// be ruled out.
	LostNotFoundYet LostState = iota
	// LostFound: exactly one token matches, and it was made by this
	// client's credential after the attempt started: it is this attempt's
	// token. Its value is lost; disabling it is safe to offer.
	LostFound
	// LostFoundUncertain: a token that may be this attempt's was found but
	// the client cannot be sure (the credential's identity is unknown, the
	// creator is not given, or several tokens match). Show it, never offer
	// a one-key disable of it.
	LostFoundUncertain
)

// String names the state for logs and tests.
func (s LostState) String() string {
	switch s {
	case LostFound:
		return "found"
	case LostFoundUncertain:
		return "found (uncertain)"
	default:
		return "not found yet"
	}
}

// LostResult is the answer of [Client.FindLostAPIToken].
type LostResult struct {
	State LostState
	// Token is the token found (State LostFound), or the newest candidate
	// (LostFoundUncertain); nil when not found. It has no value.
	Token *APIToken
	// Candidates are every token that may be the attempt's, newest first
	// (one when LostFound).
	Candidates []APIToken
	// Reason says, in words for a person, why a found token is uncertain.
	Reason string
}

// SettleTime is how long after giving up on a create a request may still
// commit: the per-attempt timeout of [WithTimeout] (a request queued behind
// a gateway may take as long again), or 30 s when the client has none.
// Every caller that looks for a lost token waits this long, through
// [Client.FindLostAPIToken].
func (c *Client) SettleTime() time.Duration {
	return c.settleTime()
}

// FindLostAPIToken looks for the token that a create with an unknown
// outcome (att, usually from [*OutcomeUnknownError].Attempt) may have left
// behind. It first waits, on the client's clock, until att.SettleUntil (ctx
// ends the wait), then lists the account's tokens with exactly att.Name.
// It only claims a token that this attempt could have created:
//
//   - created at or after att.Started minus [CheckSkew] (the server stamps
//     audit.created.at with its own clock);
//   - created by the same credential (audit.created.by.id equals
//     att.CredentialTokenID); when either is unknown the result is
//     [LostFoundUncertain];
//   - not in opts.Exclude.
//
// An error means the look itself failed: nothing is known. After "not
// found yet" a caller may look again later with the same att (the wait is
// not repeated). A caller that sent the create again keeps the first
// attempt's Started, so that a late commit of either is found (two found
// are then uncertain).
func (c *Client) FindLostAPIToken(ctx context.Context, att CreateAttempt, opts *FindLostOptions) (*LostResult, error) {
	return c.findLost(ctx, att, opts)
}
