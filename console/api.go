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

// errOtherAccount is returned for a call about another account than the
// session's. The wizard never makes one; the check keeps it that way.
var errOtherAccount = errors.New("console: this session may only work on its own account")

// errNotSure refuses a change to a token the session cannot tell is its
// own: another session's, or one of several a lookup found.
type errNotSure struct{ id, action string }

func (e *errNotSure) Error() string {
	return fmt.Sprintf("console: %s of %s refused: this session cannot tell that the token is the one it created", e.action, e.id)
}

// Token actions, as the audit log names them.
const (
	actionDisable = "disable"
	actionEnable  = "enable"
	actionDelete  = "delete"
)

// Outcomes of a token action, as the audit log names them.
const (
	outcomeOK      = "ok"
	outcomeFailed  = "failed"  // nothing changed
	outcomeUnknown = "unknown" // the answer was lost: it may have happened
	outcomeRefused = "refused" // not sent: the token is not known to be the session's
)

// sessionAPI is the server's API client as one session sees it: pinned to
// the session's account, counting creates in flight so the session waits
// for them before it ends (their ids must reach the audit log), auditing
// every change it makes to a token, and only able to change tokens the
// session knows are its own:
//
//   - tokens it created (their ids go to the server-wide record at once);
//   - the one token a lookup after a create of unknown outcome found under
//     that name, when it is the only one and no session reported it as
//     created. Tokens that any session reported are left out of every
//     lookup, so Alice's lost answer is never taken for Bob's token.
type sessionAPI struct {
	api     ui.API
	account string
	creates inflight
	// reported tells whether any session, this one included, reported id
	// as created or claimed it; elsewhere, whether another session did.
	reported, elsewhere func(id string) bool
	// report records id as this session's in the server-wide record.
	report func(id string)
	// audit records a token action and its outcome.
	audit func(action, id, name, outcome string, err error)

	mu   sync.Mutex
	lost map[string]bool   // names of creates whose outcome is unknown
	own  map[string]string // id → name of tokens known to be this session's
}

var _ ui.API = (*sessionAPI)(nil)

func newSessionAPI(api ui.API, account string) *sessionAPI {
	return &sessionAPI{
		api: api, account: account,
		reported: func(string) bool { return false }, elsewhere: func(string) bool { return false },
		report: func(string) {},
		audit:  func(string, string, string, string, error) {},
		lost:   map[string]bool{}, own: map[string]string{},
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
	a.creates.start()
	defer a.creates.done()
	tok, err := a.api.CreateAPIToken(ctx, req)
	switch {
	case err == nil && tok != nil:
		a.report(tok.ID)
		a.mu.Lock()
		a.own[tok.ID] = tok.Name
		delete(a.lost, req.Name)
		a.mu.Unlock()
	case errors.Is(err, apiclient.ErrOutcomeUnknown):
		a.mu.Lock()
		a.lost[req.Name] = true
		a.mu.Unlock()
	}
	return tok, err
}

// FindLostAPIToken looks for what a create of this session with an
// unknown outcome left behind, leaving out the tokens any session (this
// one too) reported as created: those are not the lost create's. Only a certain find becomes this session's (and so
// may be disabled from it); an uncertain one is shown, never claimed.
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
	a.mu.Lock()
	defer a.mu.Unlock()
	if res.State == apiclient.LostFound && res.Token != nil && a.lost[att.Name] {
		delete(a.lost, att.Name)
		a.own[res.Token.ID] = res.Token.Name
		a.report(res.Token.ID)
	}
	return res, nil
}

// mine is the name of a token known to be this session's.
func (a *sessionAPI) mine(id string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	name, ok := a.own[id]
	return name, ok
}

// change runs one audited action on a token of this session.
func (a *sessionAPI) change(action, id string, do func() error) error {
	name, ok := a.mine(id)
	// Another session may have reported it since this one claimed it.
	if !ok || a.elsewhere(id) {
		err := &errNotSure{id: id, action: action}
		a.audit(action, id, "", outcomeRefused, err)
		return err
	}
	err := do()
	outcome := outcomeOK
	switch {
	case errors.Is(err, apiclient.ErrOutcomeUnknown):
		outcome = outcomeUnknown
	case err != nil:
		outcome = outcomeFailed
	}
	a.audit(action, id, name, outcome, err)
	return err
}

func (a *sessionAPI) DisableAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error) {
	var tok *apiclient.APIToken
	err := a.change(actionDisable, id, func() (err error) {
		tok, err = a.api.DisableAPIToken(ctx, id)
		return err
	})
	return tok, err
}

// tokenEditor is what the console needs of an API client to enable and
// delete tokens; [*apiclient.Client] has it.
type tokenEditor interface {
	EnableAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error)
	DeleteAPIToken(ctx context.Context, id string) error
}

var errNoEditor = errors.New("console: the API client cannot enable or delete tokens")

// EnableAPIToken enables a token of this session, audited.
func (a *sessionAPI) EnableAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error) {
	ed, ok := a.api.(tokenEditor)
	if !ok {
		return nil, errNoEditor
	}
	var tok *apiclient.APIToken
	err := a.change(actionEnable, id, func() (err error) {
		tok, err = ed.EnableAPIToken(ctx, id)
		return err
	})
	return tok, err
}

// DeleteAPIToken deletes a token of this session, audited.
func (a *sessionAPI) DeleteAPIToken(ctx context.Context, id string) error {
	ed, ok := a.api.(tokenEditor)
	if !ok {
		return errNoEditor
	}
	return a.change(actionDelete, id, func() error { return ed.DeleteAPIToken(ctx, id) })
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
