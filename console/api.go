package console

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/ui"
)

// errOtherAccount is returned for a call about another account than the
// session's. The wizard never makes one; the check keeps it that way.
var errOtherAccount = errors.New("console: this session may only work on its own account")

// sessionAPI is the server's API client as one session sees it: pinned to
// the session's account, only able to disable tokens the session itself
// found, and counting creates in flight so the session waits for them before
// it ends (their ids must reach the audit log).
type sessionAPI struct {
	api     ui.API
	account string
	creates inflight

	mu    sync.Mutex
	found map[string]bool // ids FindRecentAPITokens returned
}

var _ ui.API = (*sessionAPI)(nil)

func newSessionAPI(api ui.API, account string) *sessionAPI {
	return &sessionAPI{api: api, account: account, found: map[string]bool{}}
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
	return a.api.CreateAPIToken(ctx, req)
}

// SettleWait implements ui.API.
func (a *sessionAPI) SettleWait(err error) time.Duration { return a.api.SettleWait(err) }

func (a *sessionAPI) FindRecentAPITokens(ctx context.Context, accountID, name string, since time.Time) ([]apiclient.APIToken, error) {
	if accountID != a.account {
		return nil, errOtherAccount
	}
	found, err := a.api.FindRecentAPITokens(ctx, accountID, name, since)
	a.mu.Lock()
	for _, t := range found {
		a.found[t.ID] = true
	}
	a.mu.Unlock()
	return found, err
}

func (a *sessionAPI) DisableAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error) {
	a.mu.Lock()
	ok := a.found[id]
	a.mu.Unlock()
	if !ok {
		return nil, errOtherAccount
	}
	return a.api.DisableAPIToken(ctx, id)
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
