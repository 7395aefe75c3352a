package console

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/ui"
)

// errOtherAccount refuses a call about another account than the session's,
// or about a token of another account. Nothing of that account is sent on
// or shown: the server's credential may see every account (an Operations
// one), so the pin is the console's to enforce.
var errOtherAccount = errors.New("console: this session may only work on its own account")

// errNotSure refuses a disable of a token a lookup after a lost answer
// found but could not tell was the session's: it is never disabled with
// one key, only once the user has been shown it again (list or details).
type errNotSure struct{ id, action string }

func (e *errNotSure) Error() string {
	return fmt.Sprintf("console: %s of %s refused: it may not be the token this session created; open it from the list first", e.action, e.id)
}

// Token actions, as the audit log names them.
const (
	actionUpdate  = "update"
	actionDisable = "disable"
	actionEnable  = "enable"
	actionDelete  = "delete"
	// Reads are audited only when refused.
	actionList   = "list"
	actionGet    = "get"
	actionTrail  = "audit trail"
	actionVerify = "verify"
)

// Outcomes of a token action, as the audit log names them.
const (
	outcomeOK      = "ok"
	outcomeFailed  = "failed"  // nothing changed
	outcomeUnknown = "unknown" // the answer was lost: it may have happened
	outcomeRefused = "refused" // not sent: another account's, or not known to be the session's
)

// sessionAPI is the server's API client as one session sees it: an
// administrator of the session's account and of no other. It
//
//   - refuses every call about another account, and every call by id
//     about a token of another account: it reads the token first with
//     the server's credential and compares its account; lists are asked
//     for the pinned account only and filtered by it again;
//   - audits every update, enable, disable and delete, with its outcome;
//   - counts creates and changes in flight, so the session waits for them
//     before it ends (their outcome must reach the audit log);
//   - keeps the lost-answer rule: after a create whose answer was lost,
//     a lookup leaves out the tokens any session reported as created, so
//     Alice's lost answer is never taken for Bob's token; only a certain
//     find is claimed, and an uncertain one is never disabled before the
//     user has been shown it again.
type sessionAPI struct {
	api     ui.API
	account string
	calls   inflight
	// reported tells whether any session, this one included, reported id
	// as created or claimed it.
	reported func(id string) bool
	// report records id as this session's in the server-wide record.
	report func(id string)
	// audit records a token action and its outcome.
	audit func(action, id, name, outcome string, err error)

	mu        sync.Mutex
	lost      map[string]bool // names of creates whose outcome is unknown
	uncertain map[string]bool // ids an uncertain lookup found, not shown since
}

var _ ui.API = (*sessionAPI)(nil)

func newSessionAPI(api ui.API, account string) *sessionAPI {
	return &sessionAPI{
		api: api, account: account,
		reported: func(string) bool { return false },
		report:   func(string) {},
		audit:    func(string, string, string, string, error) {},
	}
}

func (a *sessionAPI) GetAccount(ctx context.Context, id string, selectFields ...string) (*apiclient.Account, error) {
	if id != a.account {
		return nil, errOtherAccount
	}
	return a.api.GetAccount(ctx, id, selectFields...)
}

func (a *sessionAPI) ListEnabledModules(ctx context.Context, accountID string) ([]apiclient.Module, error) {
	if accountID != a.account {
		return nil, errOtherAccount
	}
	return a.api.ListEnabledModules(ctx, accountID)
}

func (a *sessionAPI) CreateAPIToken(ctx context.Context, req *apiclient.CreateAPITokenRequest) (*apiclient.APIToken, error) {
	if req == nil || req.AccountID != a.account {
		return nil, errOtherAccount
	}
	a.calls.start()
	defer a.calls.done()
	tok, err := a.api.CreateAPIToken(ctx, req)
	switch {
	case err == nil && tok != nil:
		a.report(tok.ID)
		a.mu.Lock()
		delete(a.lost, req.Name)
		a.mu.Unlock()
	case errors.Is(err, apiclient.ErrOutcomeUnknown):
		a.mu.Lock()
		if a.lost == nil {
			a.lost = map[string]bool{}
		}
		a.lost[req.Name] = true
		a.mu.Unlock()
	}
	return tok, err
}

// FindLostAPIToken looks for what a create of this session with an
// unknown outcome left behind, leaving out the tokens any session (this
// one too) reported as created: those are not the lost create's. A
// certain find becomes this session's; an uncertain one is shown, never
// claimed, and may not be disabled until the user has seen it again.
func (a *sessionAPI) FindLostAPIToken(ctx context.Context, att apiclient.CreateAttempt, opts *apiclient.FindLostOptions) (*apiclient.LostResult, error) {
	if att.AccountID != a.account {
		return nil, errOtherAccount
	}
	o := apiclient.FindLostOptions{}
	if opts != nil {
		o = *opts
	}
	caller := o.Exclude
	o.Exclude = func(id string) bool {
		return a.reported(id) || (caller != nil && caller(id))
	}
	res, err := a.api.FindLostAPIToken(ctx, att, &o)
	if err != nil || res == nil {
		return res, err
	}
	// The lookup lists the pinned account; what it found elsewhere is not
	// shown.
	res.Candidates = slices.DeleteFunc(res.Candidates, func(t apiclient.APIToken) bool { return !a.inAccount(&t) })
	if res.Token != nil && !a.inAccount(res.Token) {
		return &apiclient.LostResult{State: apiclient.LostNotFoundYet}, nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case res.State == apiclient.LostFound && res.Token != nil && a.lost[att.Name]:
		delete(a.lost, att.Name)
		a.report(res.Token.ID)
	case res.State == apiclient.LostFoundUncertain:
		if a.uncertain == nil {
			a.uncertain = map[string]bool{}
		}
		for _, t := range res.Candidates {
			a.uncertain[t.ID] = true
		}
		if res.Token != nil {
			a.uncertain[res.Token.ID] = true
		}
	}
	return res, nil
}

// inAccount tells whether a token the API returned is of the pinned
// account; one whose account is not given is not known to be.
func (a *sessionAPI) inAccount(t *apiclient.APIToken) bool {
	return t != nil && t.Account != nil && t.Account.ID == a.account
}

// shown notes that the user has been shown these tokens since a lookup
// found them uncertain: a disable of one is a choice made looking at it.
func (a *sessionAPI) shown(toks ...apiclient.APIToken) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, t := range toks {
		delete(a.uncertain, t.ID)
	}
}

func (a *sessionAPI) ListAPITokens(ctx context.Context, accountID string, opts *apiclient.ListAPITokensOptions) ([]apiclient.APIToken, *apiclient.Pagination, error) {
	if accountID != a.account {
		a.audit(actionList, "", "", outcomeRefused, errOtherAccount)
		return nil, nil, errOtherAccount
	}
	toks, page, err := a.api.ListAPITokens(ctx, accountID, opts)
	if err != nil {
		return nil, nil, err
	}
	// The query asked for this account only; a token of another one in
	// the answer is dropped, not shown.
	toks = slices.DeleteFunc(toks, func(t apiclient.APIToken) bool { return !a.inAccount(&t) })
	a.shown(toks...)
	return toks, page, nil
}

// own reads a token with the server's credential and returns it when it is
// of the session's account; otherwise it audits the refusal of action and
// returns errOtherAccount. Nothing but the read is sent.
func (a *sessionAPI) own(ctx context.Context, action, id string) (*apiclient.APIToken, error) {
	tok, err := a.api.GetAPIToken(ctx, id)
	if err != nil {
		if action != actionGet && action != actionTrail {
			a.audit(action, id, "", outcomeFailed, err)
		}
		return nil, err
	}
	if !a.inAccount(tok) {
		a.audit(action, id, "", outcomeRefused, errOtherAccount)
		return nil, errOtherAccount
	}
	return tok, nil
}

func (a *sessionAPI) GetAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error) {
	tok, err := a.own(ctx, actionGet, id)
	if err != nil {
		return nil, err
	}
	a.shown(*tok)
	return tok, nil
}

// ListAuditRecords reads the audit trail of a token of the session's
// account.
func (a *sessionAPI) ListAuditRecords(ctx context.Context, objectID string, opts *apiclient.ListOptions) ([]apiclient.AuditRecord, *apiclient.Pagination, error) {
	if _, err := a.own(ctx, actionTrail, objectID); err != nil {
		return nil, nil, err
	}
	return a.api.ListAuditRecords(ctx, objectID, opts)
}

// VerifyAPIToken checks a value only when the token it names is of the
// session's account: a value of another account's token is not sent.
func (a *sessionAPI) VerifyAPIToken(ctx context.Context, value apiclient.Secret) (*apiclient.APIToken, error) {
	id, ok := apiclient.TokenIDOf(value)
	if !ok {
		return a.api.VerifyAPIToken(ctx, value) // refused by the client, with its message
	}
	if _, err := a.own(ctx, actionVerify, id); err != nil {
		return nil, err
	}
	tok, err := a.api.VerifyAPIToken(ctx, value)
	if err == nil && !a.inAccount(tok) {
		return nil, errOtherAccount
	}
	return tok, err
}

// change runs one audited action on a token of this session's account:
// it reads the token, refuses it unless it is of the account, then sends
// do and records the outcome.
func (a *sessionAPI) change(ctx context.Context, action, id string, do func() error) error {
	a.calls.start()
	defer a.calls.done()
	tok, err := a.own(ctx, action, id)
	if err != nil {
		return err
	}
	if action == actionDisable {
		a.mu.Lock()
		unsure := a.uncertain[id]
		a.mu.Unlock()
		if unsure {
			err := &errNotSure{id: id, action: action}
			a.audit(action, id, tok.Name, outcomeRefused, err)
			return err
		}
	}
	err = do()
	outcome := outcomeOK
	switch {
	case errors.Is(err, apiclient.ErrOutcomeUnknown):
		outcome = outcomeUnknown
	case err != nil:
		outcome = outcomeFailed
	}
	a.audit(action, id, tok.Name, outcome, err)
	return err
}

func (a *sessionAPI) UpdateAPIToken(ctx context.Context, id string, req *apiclient.UpdateAPITokenRequest) (*apiclient.APIToken, error) {
	var tok *apiclient.APIToken
	err := a.change(ctx, actionUpdate, id, func() (err error) {
		tok, err = a.api.UpdateAPIToken(ctx, id, req)
		return err
	})
	return tok, err
}

func (a *sessionAPI) DisableAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error) {
	var tok *apiclient.APIToken
	err := a.change(ctx, actionDisable, id, func() (err error) {
		tok, err = a.api.DisableAPIToken(ctx, id)
		return err
	})
	return tok, err
}

func (a *sessionAPI) EnableAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error) {
	var tok *apiclient.APIToken
	err := a.change(ctx, actionEnable, id, func() (err error) {
		tok, err = a.api.EnableAPIToken(ctx, id)
		return err
	})
	return tok, err
}

func (a *sessionAPI) DeleteAPIToken(ctx context.Context, id string) error {
	return a.change(ctx, actionDelete, id, func() error { return a.api.DeleteAPIToken(ctx, id) })
}

// inflight counts calls in progress. Unlike a sync.WaitGroup it may be
// waited on while a new call starts: the wizard's command goroutine can
// start a create just as the session ends.
type inflight struct {
	mu   sync.Mutex
	n    int
	zero chan struct{} // closed when n drops to 0
}

func (f *inflight) start() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == 0 {
		f.zero = make(chan struct{})
	}
	f.n++
}

func (f *inflight) done() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n--
	if f.n == 0 {
		close(f.zero)
	}
}

// wait waits until nothing is in progress, at most d; it reports whether
// that happened.
func (f *inflight) wait(d time.Duration) bool {
	f.mu.Lock()
	n, zero := f.n, f.zero
	f.mu.Unlock()
	if n == 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-zero:
		return true
	case <-t.C:
		return false
	}
}

// maxReports bounds the server-wide record of reported tokens; the oldest
// go first. A lookup only looks minutes back, far fewer creates than this.
const maxReports = 10000

// tokenReports is the server-wide record of the token ids sessions
// reported as created (or claimed after a lost answer), per account.
type tokenReports struct {
	mu    sync.Mutex
	by    map[string]map[string][]uint64 // account → id → sessions
	order []reportKey                    // oldest first
}

type reportKey struct{ account, id string }

func newTokenReports() *tokenReports {
	return &tokenReports{by: map[string]map[string][]uint64{}}
}

func (r *tokenReports) add(account, id string, session uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := r.by[account]
	if ids == nil {
		ids = map[string][]uint64{}
		r.by[account] = ids
	}
	if slices.Contains(ids[id], session) {
		return
	}
	if len(ids[id]) == 0 {
		r.order = append(r.order, reportKey{account, id})
	}
	ids[id] = append(ids[id], session)
	for len(r.order) > maxReports {
		old := r.order[0]
		r.order = r.order[1:]
		delete(r.by[old.account], old.id)
		if len(r.by[old.account]) == 0 {
			delete(r.by, old.account)
		}
	}
}

// reported tells whether a session other than except (0: any session)
// reported id on account.
func (r *tokenReports) reported(account, id string, except uint64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.by[account][id] {
		if s != except {
			return true
		}
	}
	return false
}
