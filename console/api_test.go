package console

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sync"
	"testing"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/ui"
)

// fakeAPI keeps tokens in memory; a create can be told to lose its answer
// after it committed.
type fakeAPI struct {
	ui.API // not called

	mu       sync.Mutex
	tokens   []apiclient.APIToken // oldest first
	loseNext bool
	changed  []string // "disable ID", "enable ID", "delete ID"
}

func (f *fakeAPI) CreateAPIToken(_ context.Context, req *apiclient.CreateAPITokenRequest) (*apiclient.APIToken, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	tok := apiclient.APIToken{ID: fmt.Sprintf("TKN-0000-%04d", len(f.tokens)+1), Name: req.Name}
	f.tokens = append(f.tokens, tok)
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
		if t.Name == att.Name && (opts == nil || opts.Exclude == nil || !opts.Exclude(t.ID)) {
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

func (f *fakeAPI) note(action, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.changed = append(f.changed, action+" "+id)
}

func (f *fakeAPI) DisableAPIToken(_ context.Context, id string) (*apiclient.APIToken, error) {
	f.note(actionDisable, id)
	return &apiclient.APIToken{ID: id}, nil
}

func (f *fakeAPI) EnableAPIToken(_ context.Context, id string) (*apiclient.APIToken, error) {
	f.note(actionEnable, id)
	return &apiclient.APIToken{ID: id}, nil
}

func (f *fakeAPI) DeleteAPIToken(_ context.Context, id string) error {
	f.note(actionDelete, id)
	return nil
}

func (f *fakeAPI) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.changed)
}

// auditEntry is one tokenAction call.
type auditEntry struct{ action, id, name, outcome string }

// sessions builds n sessions on one account of one server, wired as the
// server wires them; entries reads back their token-change audit records.
func sessions(t *testing.T, api ui.API, n int) ([]*sessionAPI, func() []auditEntry) {
	log := &syncBuffer{}
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

func find(t *testing.T, a *sessionAPI, name string) []string {
	t.Helper()
	res, err := a.FindLostAPIToken(t.Context(), apiclient.CreateAttempt{AccountID: defaultAccount, Name: name}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tok := range res.Candidates {
		ids = append(ids, tok.ID)
	}
	return ids
}

// TestLostAnswerNeverClaimsAnotherSessionsToken is the two-user case: Bob
// creates "CI deploys", Alice's create of the same name loses its answer.
// Her lookup never offers Bob's token, and one key cannot disable it.
func TestLostAnswerNeverClaimsAnotherSessionsToken(t *testing.T) {
	api := &fakeAPI{}
	s, audit := sessions(t, api, 2)
	bob, alice := s[0], s[1]

	bobs, err := create(t, bob, "CI deploys")
	if err != nil {
		t.Fatal(err)
	}
	// Alice's create never reached the API: only Bob's token exists.
	api.mu.Lock()
	api.tokens = api.tokens[:1]
	api.mu.Unlock()
	if got := find(t, alice, "CI deploys"); len(got) != 0 {
		t.Fatalf("Alice's lookup found %v: Bob's token, reported by his session", got)
	}
	if _, err := alice.DisableAPIToken(t.Context(), bobs.ID); err == nil {
		t.Fatal("Alice's session disabled Bob's token")
	}

	// Her create committed, and its answer was lost.
	api.loseNext = true
	if _, err := create(t, alice, "CI deploys"); !errors.Is(err, apiclient.ErrOutcomeUnknown) {
		t.Fatalf("create: %v, want a lost answer", err)
	}
	got := find(t, alice, "CI deploys")
	if len(got) != 1 || got[0] == bobs.ID {
		t.Fatalf("Alice's lookup found %v, want only her own token", got)
	}
	if _, err := alice.DisableAPIToken(t.Context(), got[0]); err != nil {
		t.Fatalf("disabling the token her lost create left: %v", err)
	}
	// Bob's lookup of the same name no longer offers Alice's claimed one.
	if ids := find(t, bob, "CI deploys"); len(ids) != 0 {
		t.Errorf("Bob's lookup found %v", ids)
	}

	if calls := api.calls(); !slices.Equal(calls, []string{"disable " + got[0]}) {
		t.Errorf("the API saw %v, want only the disable of Alice's token", calls)
	}
	want := []auditEntry{
		{actionDisable, bobs.ID, "", outcomeRefused},
		{actionDisable, got[0], "CI deploys", outcomeOK},
	}
	if !slices.Equal(audit(), want) {
		t.Errorf("audit = %v, want %v", audit(), want)
	}
}

// TestAmbiguousLookupDisablesNothing: two sessions lose the answers of two
// creates of one name; neither can tell which token is its own, so
// neither may disable one, and nothing is sent.
func TestAmbiguousLookupDisablesNothing(t *testing.T) {
	api := &fakeAPI{}
	s, audit := sessions(t, api, 2)
	for _, a := range s {
		api.loseNext = true
		if _, err := create(t, a, "nightly"); !errors.Is(err, apiclient.ErrOutcomeUnknown) {
			t.Fatal(err)
		}
	}
	for i, a := range s {
		ids := find(t, a, "nightly")
		if len(ids) != 2 {
			t.Fatalf("session %d found %v, want both tokens", i+1, ids)
		}
		for _, id := range ids {
			if _, err := a.DisableAPIToken(t.Context(), id); err == nil {
				t.Errorf("session %d disabled %s, one of two it cannot tell apart", i+1, id)
			}
		}
	}
	// Nor without a lost create at all.
	if _, err := s[0].DisableAPIToken(t.Context(), "TKN-0000-0001"); err == nil {
		t.Error("a token never found was disabled")
	}
	if calls := api.calls(); len(calls) != 0 {
		t.Errorf("the API saw %v, want nothing", calls)
	}
	for _, e := range audit() {
		if e.outcome != outcomeRefused {
			t.Errorf("audit %v, want every attempt refused", e)
		}
	}
	if len(audit()) != 5 {
		t.Errorf("%d audit entries, want 5 refusals", len(audit()))
	}
}

// TestTokenChangesAreAudited: enable and delete of the session's own token
// are sent and audited with id and name; another's are refused.
func TestTokenChangesAreAudited(t *testing.T) {
	api := &fakeAPI{}
	s, audit := sessions(t, api, 2)
	mine, err := create(t, s[0], "mine")
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := create(t, s[1], "theirs")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s[0].EnableAPIToken(t.Context(), mine.ID); err != nil {
		t.Fatal(err)
	}
	if err := s[0].DeleteAPIToken(t.Context(), mine.ID); err != nil {
		t.Fatal(err)
	}
	if err := s[0].DeleteAPIToken(t.Context(), theirs.ID); err == nil {
		t.Error("deleted another session's token")
	}
	want := []auditEntry{
		{actionEnable, mine.ID, "mine", outcomeOK},
		{actionDelete, mine.ID, "mine", outcomeOK},
		{actionDelete, theirs.ID, "", outcomeRefused},
	}
	if !slices.Equal(audit(), want) {
		t.Errorf("audit = %v, want %v", audit(), want)
	}
}
