package apiclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// CheckSkew is how far before an attempt started a token it may have
// created is still looked for: the server stamps audit.created.at with its
// own clock, which need not agree with ours.
const CheckSkew = 5 * time.Minute

// LostAnswerError says that a create most likely went through but its
// answer, and with it the token's value, was lost: a token this attempt
// could have created was found ([Client.FindLostAPIToken]). The value
// cannot be read again: disable the token and create a new one — but offer
// that only when Certain.
//
// It unwraps to Cause (an [*OutcomeUnknownError]), so
// errors.Is(err, [ErrOutcomeUnknown]) is true of it too: test for
// *LostAnswerError first.
type LostAnswerError struct {
	// Token is the token that was found, as the list returns it: without
	// its value.
	Token APIToken
	// Certain is true when the token was made by this client's credential
	// after the attempt started and is the only such token ([LostFound]).
	// When false, someone else may have made it: never disable it unasked.
	Certain bool
	// Reason says why the token is not certain to be this attempt's.
	Reason string
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
	if !e.Certain {
		return fmt.Sprintf("apiclient: create API token: the answer was lost; a token with this name (%s) was found, but it may not be this attempt's (%s): %s",
			sanitize(e.Token.ID, 40), sanitize(e.Reason, 200), trimPrefix(cause))
	}
	return fmt.Sprintf("apiclient: create API token: the token was created (%s) but its answer was lost, and its value with it: %s",
		sanitize(e.Token.ID, 40), trimPrefix(cause))
}

// Unwrap returns Cause.
func (e *LostAnswerError) Unwrap() error { return e.Cause }

// CreateAPITokenChecked creates a token like [Client.CreateAPIToken], but
// never blindly sends it twice. It sends the create at most attempts times
// (at least once), as a sequence of the lost-answer primitives:
//
//   - after a 429 (nothing was created) it waits for Retry-After, or a
//     backoff when there is none, and sends again;
//   - after an [*OutcomeUnknownError] it calls [Client.FindLostAPIToken]
//     (which waits out the settle time first). A token found is returned
//     as a [*LostAnswerError] (Certain or not); only when none is found
//     yet is the create sent again;
//   - when that look fails, the [*OutcomeUnknownError] is returned
//     unchanged: nobody knows whether the token exists, so nothing more is
//     sent;
//   - any other error (a 4xx, an invalid request, a connection refused) is
//     returned at once.
//
// When the attempts are used up the last error is returned (an
// [*OutcomeUnknownError] after its look found nothing yet, or the 429).
//
// The API takes no idempotency key, so this is the best a client can do: it
// cannot rule out a request committed even later than the settle time.
func (c *Client) CreateAPITokenChecked(ctx context.Context, req *CreateAPITokenRequest, attempts int) (*APIToken, error) {
	if ctx == nil {
		return nil, errors.New("apiclient: nil context")
	}
	attempts = max(attempts, 1)
	var first time.Time // the first attempt's start: a late commit of any attempt is ours
	for attempt := 1; ; attempt++ {
		tok, err := c.CreateAPIToken(ctx, req)
		if err == nil {
			return tok, nil
		}
		var unknown *OutcomeUnknownError
		var apiErr *Error
		hasAPIErr := errors.As(err, &apiErr)
		switch {
		case errors.As(err, &unknown):
			att := unknown.Attempt
			if first.IsZero() {
				first = att.Started
			}
			att.Started = first
			res, ferr := c.FindLostAPIToken(ctx, att, nil)
			switch {
			case ferr != nil && ctx.Err() != nil:
				return nil, &waitError{method: http.MethodPost, path: tokensPath, ctxErr: ctx.Err(), last: unknown}
			case ferr != nil:
				return nil, unknown
			case res.State != LostNotFoundYet:
				return nil, &LostAnswerError{Token: *res.Token, Certain: res.State == LostFound, Reason: res.Reason, Cause: unknown}
			case attempt >= attempts:
				return nil, unknown
			case !att.SettleUntil.IsZero():
				continue // the settle wait was longer than any backoff
			}
		case !hasAPIErr || apiErr.StatusCode != http.StatusTooManyRequests || attempt >= attempts:
			return nil, err
		}
		// A 429, or an answered 5xx or unreadable 2xx: honour Retry-After,
		// else back off, before sending again.
		var retryAfter time.Duration
		if hasAPIErr {
			retryAfter = apiErr.RetryAfter
		}
		wait := c.retryWait(attemptInfo{retryAfter: retryAfter}, attempt)
		if serr := c.sleep(ctx, wait); serr != nil {
			return nil, &waitError{method: http.MethodPost, path: tokensPath, ctxErr: serr, last: err}
		}
	}
}

// findLost implements FindLostAPIToken.
func (c *Client) findLost(ctx context.Context, att CreateAttempt, opts *FindLostOptions) (*LostResult, error) {
	if ctx == nil {
		return nil, errors.New("apiclient: nil context")
	}
	account, name := strings.TrimSpace(att.AccountID), strings.TrimSpace(att.Name)
	if account == "" || name == "" || att.Started.IsZero() {
		return nil, errors.New("apiclient: FindLostAPIToken: the attempt has no account, name or start time")
	}
	if d := att.SettleUntil.Sub(c.now()); d > 0 {
		if err := c.sleep(ctx, d); err != nil {
			return nil, fmt.Errorf("apiclient: looking for a lost token: %w while waiting for the create to settle", err)
		}
	}
	since := att.Started.Add(-CheckSkew)
	toks, _, err := list[APIToken](ctx, c, tokensPath, &ListOptions{
		Filter: strings.Join([]string{Eq("account.id", account), Eq("name", name), Ge("audit.created.at", RQLTime(since))}, "&"),
		Order:  "-audit.created.at",
		Limit:  MaxPageSize,
	})
	if err != nil {
		return nil, err
	}
	var candidates []APIToken
	unknownCreator := false
	for _, t := range toks {
		// Compared here as well as by the server: a server that matched
		// loosely (case, white space, the wider ilike) must not make
		// another token look like ours.
		if t.ID == "" || t.Name != name || (opts != nil && opts.Exclude[t.ID]) {
			continue
		}
		if t.Account != nil && t.Account.ID != "" && t.Account.ID != account {
			continue
		}
		created := createdAt(t)
		if created != nil && created.Before(since) {
			continue
		}
		by := createdBy(t)
		switch {
		case by != "" && att.CredentialTokenID != "" && by != att.CredentialTokenID:
			continue // someone else's
		case by == "" || att.CredentialTokenID == "" || created == nil:
			unknownCreator = true
		}
		candidates = append(candidates, t)
	}
	res := &LostResult{Candidates: candidates}
	switch {
	case len(candidates) == 0:
		res.State = LostNotFoundYet
		return res, nil
	case len(candidates) > 1:
		res.State, res.Reason = LostFoundUncertain, fmt.Sprintf("%d tokens with this name were created since the attempt started", len(candidates))
	case unknownCreator && att.CredentialTokenID == "":
		res.State, res.Reason = LostFoundUncertain, "the credential in use is not an API token, so who created the token cannot be compared"
	case unknownCreator:
		res.State, res.Reason = LostFoundUncertain, "the API did not say who created the token, or when"
	default:
		res.State = LostFound
	}
	res.Token = &res.Candidates[0]
	return res, nil
}

func createdAt(t APIToken) *time.Time {
	if t.Audit == nil || t.Audit.Created == nil {
		return nil
	}
	return t.Audit.Created.At
}

func createdBy(t APIToken) string {
	if t.Audit == nil || t.Audit.Created == nil || t.Audit.Created.By == nil {
		return ""
	}
	return t.Audit.Created.By.ID
}

// mayStillCommit reports whether a create that failed with err may still be
// in the hands of the API: after a timeout, a lost connection or a
// gateway's 502 or 504, the request may be queued or running behind the
// point that gave up on it. A 500 or 503 is the API's own answer, and an
// unreadable 2xx says the token exists: the API is done either way.
func (c *Client) mayStillCommit(err error) bool {
	var apiErr *Error
	if errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusInternalServerError || apiErr.StatusCode == http.StatusServiceUnavailable) {
		return false
	}
	return !errors.Is(err, ErrMalformedResponse) && !errors.Is(err, ErrResponseTooLarge)
}

// SettleWait is how long to wait, after a create failed with err, before
// looking for the token it may have created: [Client.SettleTime] when the
// request may still be in the API's hands, else 0.
//
// Superseded: [Client.FindLostAPIToken] waits by itself; this stays until
// no caller needs it.
func (c *Client) SettleWait(err error) time.Duration {
	var unknown *OutcomeUnknownError
	if !errors.As(err, &unknown) || !c.mayStillCommit(err) {
		return 0
	}
	return c.settleTime()
}

// settleTime is the one settle policy: a request the client gave up on may
// commit up to one request timeout later, so wait that long (the default
// timeout when the client has none).
func (c *Client) settleTime() time.Duration {
	if c.timeout <= 0 {
		return defaultTimeout
	}
	return c.timeout
}
