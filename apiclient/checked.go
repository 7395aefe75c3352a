package apiclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// CheckSkew is how far before the first attempt [Client.CreateAPITokenChecked]
// looks for a token its lost answers may have created: the server stamps
// audit.created.at with its own clock, which need not agree with ours.
const CheckSkew = 5 * time.Minute

// LostAnswerError says that a create went through — a token with the
// request's name was found for the account after an attempt whose outcome
// was unknown — but its answer, and with it the token's value, was lost. The
// value cannot be read again: disable the token and create a new one.
//
// It unwraps to Cause (an [*OutcomeUnknownError]), so
// errors.Is(err, [ErrOutcomeUnknown]) is true of it too: test for
// *LostAnswerError first.
type LostAnswerError struct {
	// Token is the token that was found, as the list returns it: without
	// its value.
	Token APIToken
	// Cause is the error of the attempt whose answer was lost.
	Cause error
}

func (e *LostAnswerError) Error() string {
	// The cause's own words ("outcome unknown, the request may have
	// reached the server") are settled by now: say what happened to it.
	cause := e.Cause
	var unknown *OutcomeUnknownError
	if errors.As(cause, &unknown) && unknown.Err != nil {
		cause = unknown.Err
	}
	if cause == nil {
		cause = errors.New("no answer")
	}
	return fmt.Sprintf("apiclient: create API token: the token was created (%s) but its answer was lost, and its value with it: %s",
		sanitize(e.Token.ID, 40), trimPrefix(cause))
}

// Unwrap returns Cause.
func (e *LostAnswerError) Unwrap() error { return e.Cause }

// CreateAPITokenChecked creates a token like [Client.CreateAPIToken], but
// never blindly sends it twice. It sends the create at most attempts times
// (at least once):
//
//   - after a 429 (nothing was created) it waits for Retry-After, or a
//     backoff when there is none, and sends again;
//   - after an [*OutcomeUnknownError] (timeout, connection lost, 5xx,
//     unreadable answer) it waits the same way — and, unless the API itself
//     answered 500 or 503, at least as long as an attempt may take (the
//     client's timeout), so that a request still being handled can finish —
//     then looks for a token of the account with exactly this name created
//     since [CheckSkew] before the first attempt
//     ([Client.FindRecentAPITokens]). A token found is returned as a
//     [*LostAnswerError]; only when none is found is the create sent again;
//   - when that check fails, the [*OutcomeUnknownError] is returned
//     unchanged: nobody knows whether the token exists, so nothing more is
//     sent;
//   - any other error (a 4xx, an invalid request, a connection refused) is
//     returned at once.
//
// Every wait is at most the maxWait of [WithRetry] (30 s by default, as is
// the timeout of [WithTimeout]): an interactive caller may want both
// shorter. When the attempts are used up the last error is returned (an
// [*OutcomeUnknownError] after its check found nothing, or the 429).
//
// The API takes no idempotency key, so this is the best a client can do: it
// cannot rule out a request that is committed even later, after the check;
// nor can it tell a token created by this call from one with the same name
// that someone else created meanwhile. Both are why a found token is
// reported, not used.
func (c *Client) CreateAPITokenChecked(ctx context.Context, req *CreateAPITokenRequest, attempts int) (*APIToken, error) {
	if ctx == nil {
		return nil, errors.New("apiclient: nil context")
	}
	attempts = max(attempts, 1)
	since := c.now().Add(-CheckSkew)
	for attempt := 1; ; attempt++ {
		tok, err := c.CreateAPIToken(ctx, req)
		if err == nil {
			return tok, nil
		}
		var unknown *OutcomeUnknownError
		isUnknown := errors.As(err, &unknown)
		var apiErr *Error
		rateLimited := !isUnknown && errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests
		if !isUnknown && !rateLimited {
			return nil, err
		}
		if rateLimited && attempt >= attempts {
			return nil, err
		}

		var retryAfter time.Duration
		status := 0
		if errors.As(err, &apiErr) { // the 429, or the 5xx inside the unknown outcome
			retryAfter, status = apiErr.RetryAfter, apiErr.StatusCode
		}
		wait := c.retryWait(attemptInfo{retryAfter: retryAfter}, attempt)
		if isUnknown && mayStillBeHandled(status, err) {
			wait = max(wait, c.settleWait())
		}
		if serr := c.sleep(ctx, wait); serr != nil {
			return nil, &waitError{method: http.MethodPost, path: tokensPath, ctxErr: serr, last: err}
		}
		if isUnknown {
			found, cerr := c.findCreated(ctx, req, since)
			switch {
			case cerr != nil:
				return nil, unknown
			case found != nil:
				return nil, &LostAnswerError{Token: *found, Cause: unknown}
			case attempt >= attempts:
				return nil, unknown
			}
		}
	}
}

// findCreated returns the newest token of the request's account with
// exactly its (trimmed) name created since since, or nil. The name is
// compared here as well as by the server's eq(): a server that matched
// loosely (case, white space) must not make another token look like ours.
func (c *Client) findCreated(ctx context.Context, req *CreateAPITokenRequest, since time.Time) (*APIToken, error) {
	account, name := strings.TrimSpace(req.AccountID), strings.TrimSpace(req.Name)
	toks, err := c.FindRecentAPITokens(ctx, account, name, since)
	if err != nil {
		return nil, err
	}
	for i := range toks {
		t := &toks[i]
		if t.Name != name || t.ID == "" {
			continue
		}
		if t.Account != nil && t.Account.ID != "" && t.Account.ID != account {
			continue
		}
		return t, nil
	}
	return nil, nil
}

// mayStillBeHandled reports whether a create that failed with err (status:
// that of its answer, 0 when none came) may still be in the hands of the
// API: after a timeout, a lost connection or a gateway's 502 or 504, the
// request may be queued or running behind the point that gave up on it. A
// 500 or 503 is the API's own answer, and an unreadable 2xx says the token
// exists: the API is done with the request either way.
func mayStillBeHandled(status int, err error) bool {
	switch {
	case status == http.StatusInternalServerError, status == http.StatusServiceUnavailable:
		return false
	case errors.Is(err, ErrMalformedResponse), errors.Is(err, ErrResponseTooLarge):
		return false
	}
	return true
}

// SettleWait is how long to wait, after a create failed with err, before
// looking for the token it may have created: as long as an attempt may
// take when the request may still be in the API's hands, else 0. The
// wizard, which checks on its own, uses it.
func (c *Client) SettleWait(err error) time.Duration {
	var unknown *OutcomeUnknownError
	if !errors.As(err, &unknown) {
		return 0
	}
	status := 0
	var apiErr *Error
	if errors.As(err, &apiErr) {
		status = apiErr.StatusCode
	}
	if !mayStillBeHandled(status, err) {
		return 0
	}
	return c.settleWait()
}

// settleWait is how long to let a create that may still be handled finish
// before looking for its token: as long again as an attempt may take (the
// client's timeout), at most maxWait. A check that runs while the first
// request is still being handled finds nothing, and the create is sent a
// second time.
func (c *Client) settleWait() time.Duration {
	if c.timeout <= 0 {
		return c.maxWait
	}
	return min(c.timeout, c.maxWait)
}
