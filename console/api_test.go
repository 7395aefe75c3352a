package console

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/syncbuf"
	"github.com/softwareone/apitoken/ui"
)

// otherAccount is an account no session in these tests is pinned to.
const otherAccount = "ACC-2000-0001"

// fakeAPI keeps tokens in memory, seeing every account as an Operations
// credential does; a create can be told to lose its answer after it
// committed. It records every call it receives.
type fakeAPI struct {
	ui.API // not called

	mu       sync.Mutex
	tokens   []apiclient.APIToken // oldest first
	loseNext bool
	seen     []string // "get ID", "list ACC", "disable ID", …
}

func (f *fakeAPI) note(call, arg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seen = append(f.seen, call+" "+arg)
}

// add stores a token of account, as another client made it.
func (f *fakeAPI) add(account, name string) apiclient.APIToken {
	f.mu.Lock()
	defer f.mu.Unlock()
	tok := apiclient.APIToken{ID: fmt.Sprintf("TKN-0000-%04d", len(f.tokens)+1), Name: name, Account: &apiclient.AccountRef{ID: account}}
	f.tokens = append(f.tokens, tok)
	return tok
}

func (f *fakeAPI) CreateAPIToken(_ context.Context, req *apiclient.CreateAPITokenRequest) (*apiclient.APIToken, error) {
	tok := f.add(req.AccountID, req.Name)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.loseNext {
		f.loseNext = false
		return nil, &apiclient.OutcomeUnknownError{Op: "create API token", Err: errors.New("connection reset")}
	}
	return &tok, nil
}

// FindLostAPIToken finds the tokens of the attempt's name that are not
// excluded: one is a certain find, more are uncertain.
func (f *fakeAPI) FindLostAPIToken(_ context.Context, att apiclient.CreateAttempt, opts *apiclient.FindLostOptions) (*apiclient.LostResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	res := &apiclient.LostResult{}
	for _, t := range slices.Backward(f.tokens) {
		if t.Name == att.Name && t.Account.ID == att.AccountID && (opts == nil || opts.Exclude == nil || !opts.Exclude(t.ID)) {
			res.Candidates = append(res.Candidates, t)
		}
	}
	switch len(res.Candidates) {
	case 0:
	case 1:
		res.State, res.Token = apiclient.LostFound, &res.Candidates[0]
	default:
		res.State, res.Token = apiclient.LostFoundUncertain, &res.Candidates[0]
	}
	return res, nil
}

func (f *fakeAPI) token(id string) (*apiclient.APIToken, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range f.tokens {
		if t.ID == id {
			return &t, nil
		}
	}
	return nil, &apiclient.Error{StatusCode: 404}
}

func (f *fakeAPI) GetAPIToken(_ context.Context, id string) (*apiclient.APIToken, error) {
	f.note("get", id)
	return f.token(id)
}

// ListAPITokens ignores the account asked for when told to, as a server
// that drops a filter would.
func (f *fakeAPI) ListAPITokens(_ context.Context, accountID string, _ *apiclient.ListAPITokensOptions) ([]apiclient.APIToken, *apiclient.Pagination, error) {
	f.note("list", accountID)
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.tokens), &apiclient.Pagination{Total: len(f.tokens)}, nil
}

func (f *fakeAPI) ListAuditRecords(_ context.Context, id string, _ *apiclient.ListOptions) ([]apiclient.AuditRecord, *apiclient.Pagination, error) {
	f.note("trail", id)
	return []apiclient.AuditRecord{{ID: "AUD-1", Object: &apiclient.AuditRecordObject{ID: id}}}, &apiclient.Pagination{Total: 1}, nil
}

func (f *fakeAPI) VerifyAPIToken(_ context.Context, value apiclient.Secret) (*apiclient.APIToken, error) {
	id, _ := apiclient.TokenIDOf(value)
	f.note("verify", id)
	return f.token(id)
}

func (f *fakeAPI) UpdateAPIToken(_ context.Context, id string, _ *apiclient.UpdateAPITokenRequest) (*apiclient.APIToken, error) {
	f.note(actionUpdate, id)
	return f.token(id)
}

func (f *fakeAPI) DisableAPIToken(_ context.Context, id string) (*apiclient.APIToken, error) {
	f.note(actionDisable, id)
	return f.token(id)
}

func (f *fakeAPI) EnableAPIToken(_ context.Context, id string) (*apiclient.APIToken, error) {
	f.note(actionEnable, id)
	return f.token(id)
}

func (f *fakeAPI) DeleteAPIToken(_ context.Context, id string) error {
	f.note(actionDelete, id)
	_, err := f.token(id)
	return err
}

// calls are the calls the API received, reads included.
func (f *fakeAPI) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.seen)
}

// changes are the calls that change a token.
func (f *fakeAPI) changes() []string {
	return slices.DeleteFunc(f.calls(), func(c string) bool {
		verb, _, _ := strings.Cut(c, " ")
		return !slices.Contains([]string{actionUpdate, actionEnable, actionDisable, actionDelete}, verb)
	})
}

// auditEntry is one tokenAction call.
type auditEntry struct{ action, id, name, outcome string }

// sessions builds n sessions on one account of one server, wired as the
// server wires them; entries reads back their token-change audit records.
func sessions(t *testing.T, api ui.API, n int) ([]*sessionAPI, func() []auditEntry) {
	log := &syncbuf.Buffer{}
	srv := &Server{reports: newTokenReports(), audit: audit{log: slog.New(slog.NewJSONHandler(log, nil))}}
	var out []*sessionAPI
	for i := range n {
		ss := &session{id: uint64(i + 1), account: defaultAccount, remote: &net.TCPAddr{}, api: newSessionAPI(api, defaultAccount)}
		srv.wireAPI(ss)
		out = append(out, ss.api)
	}
	f := &fixture{t: t, log: log}
	return out, func() []auditEntry {
		var es []auditEntry
		for _, r := range f.events(evTokenAction) {
			if r.str("account") != defaultAccount {
				t.Errorf("audit record without the account: %v", r)
			}
			es = append(es, auditEntry{r.str("action"), r.str("token_id"), r.str("token_name"), r.str("outcome")})
		}
		return es
	}
}

func create(t *testing.T, a *sessionAPI, name string) (*apiclient.APIToken, error) {
	t.Helper()
	return a.CreateAPIToken(t.Context(), &apiclient.CreateAPITokenRequest{AccountID: defaultAccount, Name: name})
}

func find(t *testing.T, a *sessionAPI, name string) (apiclient.LostState, []string) {
	t.Helper()
	res, err := a.FindLostAPIToken(t.Context(), apiclient.CreateAttempt{AccountID: defaultAccount, Name: name}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tok := range res.Candidates {
		ids = append(ids, tok.ID)
	}
	return res.State, ids
}

// TestPinnedAccountNeverReachesAnother: a session pinned to one account,
// on a credential that sees every account, never sees or changes a token
// of another: the list leaves it out, a read by id and every change by id
// are refused and audited, and no change reaches the API.
func TestPinnedAccountNeverReachesAnother(t *testing.T) {
	api := &fakeAPI{}
	mine := api.add(defaultAccount, "ours")
	theirs := api.add(otherAccount, "theirs")
	s, audit := sessions(t, api, 1)
	a, ctx := s[0], t.Context()

	toks, _, err := a.ListAPITokens(ctx, defaultAccount, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(toks) != 1 || toks[0].ID != mine.ID {
		t.Errorf("list = %v, want only %s: the answer held another account's token", toks, mine.ID)
	}
	if _, _, err := a.ListAPITokens(ctx, otherAccount, nil); !errors.Is(err, errOtherAccount) {
		t.Errorf("list of %s: %v, want refused", otherAccount, err)
	}
	if _, _, err := a.ListAPITokens(ctx, "", nil); !errors.Is(err, errOtherAccount) {
		t.Errorf("list of every account: %v, want refused", err)
	}

	refused := map[string]func() error{
		actionGet: func() error { tok, err := a.GetAPIToken(ctx, theirs.ID); return refusedWith(tok, err) },
		actionTrail: func() error {
			recs, _, err := a.ListAuditRecords(ctx, theirs.ID, nil)
			if recs != nil {
				return fmt.Errorf("records %v", recs)
			}
			return err
		},
		actionVerify: func() error {
			tok, err := a.VerifyAPIToken(ctx, apiclient.Secret("idt:"+theirs.ID+":s3cret"))
			return refusedWith(tok, err)
		},
		actionUpdate: func() error {
			tok, err := a.UpdateAPIToken(ctx, theirs.ID, &apiclient.UpdateAPITokenRequest{Name: "x", ModuleIDs: []string{"MOD-1"}})
			return refusedWith(tok, err)
		},
		actionEnable:  func() error { tok, err := a.EnableAPIToken(ctx, theirs.ID); return refusedWith(tok, err) },
		actionDisable: func() error { tok, err := a.DisableAPIToken(ctx, theirs.ID); return refusedWith(tok, err) },
		actionDelete:  func() error { return a.DeleteAPIToken(ctx, theirs.ID) },
	}
	for _, action := range slices.Sorted(func(yield func(string) bool) {
		for k := range refused {
			if !yield(k) {
				return
			}
		}
	}) {
		if err := refused[action](); !errors.Is(err, errOtherAccount) {
			t.Errorf("%s of %s: %v, want refused as another account's", action, theirs.ID, err)
		}
	}

	if c := api.changes(); len(c) != 0 {
		t.Errorf("changes sent to the API: %v", c)
	}
	for _, c := range api.calls() {
		if c == "verify "+theirs.ID || c == "trail "+theirs.ID || c == "list "+otherAccount || c == "list " {
			t.Errorf("the API received %q", c)
		}
	}
	got := audit()
	want := []auditEntry{{actionList, "", "", outcomeRefused}, {actionList, "", "", outcomeRefused}}
	for _, action := range []string{actionTrail, actionDelete, actionDisable, actionEnable, actionGet, actionUpdate, actionVerify} {
		want = append(want, auditEntry{action, theirs.ID, "", outcomeRefused})
	}
	if !slices.Equal(got, want) {
		t.Errorf("audit =\n%v\nwant\n%v", got, want)
	}
}

// refusedWith is err, or an error when a token came back with it.
func refusedWith(tok *apiclient.APIToken, err error) error {
	if tok != nil {
		return fmt.Errorf("returned %s with %v", tok.ID, err)
	}
	return err
}

// TestAdminChangesAnyTokenOfTheAccount: a session may update, disable,
// enable and delete every token of its account, not only those it created,
// each audited with id and name; a failed one is audited as failed.
func TestAdminChangesAnyTokenOfTheAccount(t *testing.T) {
	api := &fakeAPI{}
	portal := api.add(defaultAccount, "made in the portal")
	s, audit := sessions(t, api, 2)
	bobs, err := create(t, s[1], "Bob's")
	if err != nil {
		t.Fatal(err)
	}
	a, ctx := s[0], t.Context()
	if _, err := a.UpdateAPIToken(ctx, portal.ID, &apiclient.UpdateAPITokenRequest{Name: "renamed", ModuleIDs: []string{"MOD-1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DisableAPIToken(ctx, bobs.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.EnableAPIToken(ctx, bobs.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteAPIToken(ctx, portal.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteAPIToken(ctx, "TKN-9999-9999"); err == nil {
		t.Error("deleting a token that does not exist succeeded")
	}
	if tok, err := a.GetAPIToken(ctx, bobs.ID); err != nil || tok.ID != bobs.ID {
		t.Errorf("get = %v, %v", tok, err)
	}
	if recs, _, err := a.ListAuditRecords(ctx, bobs.ID, nil); err != nil || len(recs) != 1 {
		t.Errorf("audit trail = %v, %v", recs, err)
	}

	wantChanges := []string{"update " + portal.ID, "disable " + bobs.ID, "enable " + bobs.ID, "delete " + portal.ID}
	if c := api.changes(); !slices.Equal(c, wantChanges) {
		t.Errorf("changes = %v, want %v", c, wantChanges)
	}
	want := []auditEntry{
		{actionUpdate, portal.ID, "made in the portal", outcomeOK},
		{actionDisable, bobs.ID, "Bob's", outcomeOK},
		{actionEnable, bobs.ID, "Bob's", outcomeOK},
		{actionDelete, portal.ID, "made in the portal", outcomeOK},
		{actionDelete, "TKN-9999-9999", "", outcomeFailed},
	}
	if !slices.Equal(audit(), want) {
		t.Errorf("audit =\n%v\nwant\n%v", audit(), want)
	}
}

// TestLostAnswerNeverClaimsAnotherSessionsToken is the two-user case: Bob
// creates "CI deploys", Alice's create of the same name loses its answer.
// Her lookup never offers Bob's token.
func TestLostAnswerNeverClaimsAnotherSessionsToken(t *testing.T) {
	api := &fakeAPI{}
	s, _ := sessions(t, api, 2)
	bob, alice := s[0], s[1]

	bobs, err := create(t, bob, "CI deploys")
	if err != nil {
		t.Fatal(err)
	}
	// Alice's create never reached the API: only Bob's token exists.
	if state, got := find(t, alice, "CI deploys"); len(got) != 0 || state != apiclient.LostNotFoundYet {
		t.Fatalf("Alice's lookup found %v (%v): Bob's token, reported by his session", got, state)
	}

	// Her create committed, and its answer was lost.
	api.loseNext = true
	if _, err := create(t, alice, "CI deploys"); !errors.Is(err, apiclient.ErrOutcomeUnknown) {
		t.Fatalf("create: %v, want a lost answer", err)
	}
	state, got := find(t, alice, "CI deploys")
	if state != apiclient.LostFound || len(got) != 1 || got[0] == bobs.ID {
		t.Fatalf("Alice's lookup found %v (%v), want only her own token", got, state)
	}
	// A certain find may be disabled at once (the wizard's Replace).
	if _, err := alice.DisableAPIToken(t.Context(), got[0]); err != nil {
		t.Fatalf("disabling the token her lost create left: %v", err)
	}
	// Bob's lookup of the same name no longer offers Alice's claimed one.
	if _, ids := find(t, bob, "CI deploys"); len(ids) != 0 {
		t.Errorf("Bob's lookup found %v", ids)
	}
}

// TestUncertainFindIsNeverDisabledWithOneKey: two sessions lose the answers
// of two creates of one name; neither can tell which token is its own, so
// neither may disable one straight after the lookup, and nothing is sent.
// Once the user has been shown the token again (the list, or its details),
// disabling it is an administrator's choice like any other.
func TestUncertainFindIsNeverDisabledWithOneKey(t *testing.T) {
	api := &fakeAPI{}
	s, audit := sessions(t, api, 2)
	for _, a := range s {
		api.loseNext = true
		if _, err := create(t, a, "nightly"); !errors.Is(err, apiclient.ErrOutcomeUnknown) {
			t.Fatal(err)
		}
	}
	var ids []string
	for i, a := range s {
		var state apiclient.LostState
		state, ids = find(t, a, "nightly")
		if state != apiclient.LostFoundUncertain || len(ids) != 2 {
			t.Fatalf("session %d found %v (%v), want both tokens, uncertain", i+1, ids, state)
		}
		for _, id := range ids {
			var unsure *errNotSure
			if _, err := a.DisableAPIToken(t.Context(), id); !errors.As(err, &unsure) {
				t.Errorf("session %d: disable of %s, one of two it cannot tell apart: %v", i+1, id, err)
			}
		}
	}
	if c := api.changes(); len(c) != 0 {
		t.Errorf("the API saw %v, want no change", c)
	}
	for _, e := range audit() {
		if e.outcome != outcomeRefused || e.name != "nightly" {
			t.Errorf("audit %v, want every attempt refused, with the name", e)
		}
	}
	if len(audit()) != 4 {
		t.Errorf("%d audit entries, want 4 refusals", len(audit()))
	}

	// Shown on the details page, then disabled from its dialog.
	if _, err := s[0].GetAPIToken(t.Context(), ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := s[0].DisableAPIToken(t.Context(), ids[0]); err != nil {
		t.Errorf("disable after the details page: %v", err)
	}
	// Shown on the list.
	if _, _, err := s[1].ListAPITokens(t.Context(), defaultAccount, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s[1].DisableAPIToken(t.Context(), ids[1]); err != nil {
		t.Errorf("disable after the list: %v", err)
	}
	if c := api.changes(); !slices.Equal(c, []string{"disable " + ids[0], "disable " + ids[1]}) {
		t.Errorf("changes = %v", c)
	}
}

// TestLostLookupShowsNothingOfAnotherAccount: a lookup whose answer names
// a token of another account (a server that dropped the filter) shows it
// neither as found nor as a candidate.
func TestLostLookupShowsNothingOfAnotherAccount(t *testing.T) {
	api := &strayLookup{fakeAPI: &fakeAPI{}}
	api.stray = api.add(otherAccount, "nightly")
	s, _ := sessions(t, api, 1)
	state, ids := find(t, s[0], "nightly")
	if state != apiclient.LostNotFoundYet || len(ids) != 0 {
		t.Errorf("lookup = %v %v, want nothing found", state, ids)
	}
}

// strayLookup answers every lookup with a token of another account.
type strayLookup struct {
	*fakeAPI
	stray apiclient.APIToken
}

func (s *strayLookup) FindLostAPIToken(context.Context, apiclient.CreateAttempt, *apiclient.FindLostOptions) (*apiclient.LostResult, error) {
	return &apiclient.LostResult{State: apiclient.LostFound, Token: &s.stray, Candidates: []apiclient.APIToken{s.stray}}, nil
}
