package apiclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// catalogueServer fakes the account and module endpoints.
type catalogueServer struct {
	modules    []Module
	account    Account
	serverMax  int           // largest page the server answers with
	latency    time.Duration // added to every answer
	barrier    int           // page requests (offset > 0) wait until this many are in flight
	requests   atomic.Int32
	pages      atomic.Int32
	inFlight   atomic.Int32
	maxFlight  atomic.Int32
	mu         sync.Mutex
	arrived    chan struct{} // closed when barrier requests are in flight
	firstSeen  chan struct{} // closed when the first page was asked for
	sawOverlap atomic.Bool   // the account request saw the first page request
	accountErr int
	queries    []string
}

func newCatalogue(n int, accountTypesOf func(i int) []string) *catalogueServer {
	s := &catalogueServer{serverMax: MaxPageSize, arrived: make(chan struct{}), firstSeen: make(chan struct{})}
	for i := range n {
		s.modules = append(s.modules, Module{
			ID:           fmt.Sprintf("MOD-%04d", i),
			Name:         fmt.Sprintf("Module %05d", n-i), // name order differs from id order
			AccountTypes: accountTypesOf(i),
		})
	}
	slices.SortFunc(s.modules, func(a, b Module) int { return strings.Compare(a.Name, b.Name) })
	return s
}

func (s *catalogueServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	cur := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for {
		m := s.maxFlight.Load()
		if cur <= m || s.maxFlight.CompareAndSwap(m, cur) {
			break
		}
	}
	if s.latency > 0 {
		time.Sleep(s.latency)
	}
	raw, _ := url.PathUnescape(r.URL.RawQuery)
	s.mu.Lock()
	s.queries = append(s.queries, r.URL.Path+"?"+raw)
	s.mu.Unlock()
	switch {
	case strings.HasPrefix(r.URL.Path, "/public/v1/accounts/accounts/"):
		// Held until the first page has come too: a client that asked for
		// them one after the other hangs here and fails by its deadline.
		select {
		case <-s.firstSeen:
			s.sawOverlap.Store(true)
		case <-r.Context().Done():
			return
		}
		if s.accountErr != 0 {
			writeProblem(w, s.accountErr, `{"title":"nope"}`)
			return
		}
		if raw != "select=modules" {
			writeProblem(w, 400, `{"title":"bad select"}`)
			return
		}
		b, _ := json.Marshal(s.account)
		if s.account.Modules != nil && len(s.account.Modules) == 0 {
			b = append(b[:len(b)-1], []byte(`,"modules":[]}`)...)
		}
		writeJSON(w, 200, string(b))
	case r.URL.Path == "/public/v1/accounts/modules":
		q := parseRQLParams(raw)
		if q["select"] != "accountTypes" || q["order"] != "name" {
			writeProblem(w, 400, `{"title":"bad query"}`)
			return
		}
		limit, _ := strconv.Atoi(q["limit"])
		offset, _ := strconv.Atoi(q["offset"])
		limit = min(max(limit, 1), s.serverMax)
		if offset == 0 {
			s.mu.Lock()
			select {
			case <-s.firstSeen:
			default:
				close(s.firstSeen)
			}
			s.mu.Unlock()
		} else if s.barrier > 0 {
			if int(s.pages.Add(1)) == s.barrier {
				close(s.arrived)
			}
			// No timer: a client that sent the pages in waves never fills
			// the barrier, and fails by its context's deadline.
			select {
			case <-s.arrived:
			case <-r.Context().Done():
				return
			}
		}
		end := min(offset+limit, len(s.modules))
		page := s.modules[min(offset, end):end]
		b, _ := json.Marshal(map[string]any{"data": page, "$meta": map[string]any{"pagination": Pagination{Offset: offset, Limit: limit, Total: len(s.modules)}}})
		writeJSON(w, 200, string(b))
	default:
		writeProblem(w, 404, `{}`)
	}
}

func parseRQLParams(raw string) map[string]string {
	out := map[string]string{}
	for _, term := range strings.Split(raw, "&") {
		if k, v, ok := strings.Cut(term, "="); ok {
			out[k] = v
		}
	}
	return out
}

func TestListEnabledModulesByAccountType(t *testing.T) {
	s := newCatalogue(2500, func(i int) []string {
		if i%2 == 0 {
			return []string{"Client", "Vendor"}
		}
		return []string{"Operations"}
	})
	s.account = Account{ID: "ACC-1234-5678", Name: "Acme", Type: "Client"} // no modules field
	s.serverMax = 50                                                       // the server answers with smaller pages than asked
	s.barrier = 49                                                         // 2500/50 - 1 remaining pages
	c, _ := newTestClient(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang fails
	defer cancel()
	mods, err := c.ListEnabledModules(ctx, "ACC-1234-5678")
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) != 1250 {
		t.Fatalf("got %d modules", len(mods))
	}
	for _, m := range mods {
		if !slices.Contains(m.AccountTypes, "Client") {
			t.Fatalf("%s is not for clients", m.ID)
		}
	}
	if !slices.IsSortedFunc(mods, func(a, b Module) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("not sorted by name")
	}
	if got := s.requests.Load(); got != 1+50 {
		t.Errorf("requests %d, want 1 account + 50 pages", got)
	}
	if s.maxFlight.Load() < 49 {
		t.Errorf("remaining pages not fetched concurrently: max in flight %d", s.maxFlight.Load())
	}
	if !s.sawOverlap.Load() {
		t.Error("the account and the first page were not asked for at the same time")
	}
	// Offsets follow the server's page size.
	var offsets []string
	for _, q := range s.queries {
		if i := strings.Index(q, "offset="); i >= 0 {
			offsets = append(offsets, q[i+len("offset="):])
		}
		if strings.Contains(q, "/modules?") && !strings.Contains(q, "limit=100&") && !strings.HasSuffix(q, "limit=100") && !strings.Contains(q, "limit=50") {
			t.Errorf("query %s", q)
		}
	}
	slices.SortFunc(offsets, func(a, b string) int { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x - y })
	var want []string
	for off := 50; off < 2500; off += 50 {
		want = append(want, strconv.Itoa(off))
	}
	if strings.Join(offsets, ",") != strings.Join(want, ",") {
		t.Errorf("offsets %v", offsets)
	}
}

func TestListEnabledModulesByAccountModules(t *testing.T) {
	s := newCatalogue(30, func(int) []string { return []string{"Client"} })
	s.account = Account{ID: "ACC-1234-5678", Type: "Client", Modules: []ModuleRef{
		{ID: "MOD-0003", Name: "ignored, catalogue wins"}, {ID: "MOD-0001"}, {ID: "MOD-9999", Name: "Aardvark"},
	}}
	c, _ := newTestClient(t, s)
	mods, err := c.ListEnabledModules(context.Background(), "ACC-1234-5678")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range mods {
		ids = append(ids, m.ID+"="+m.Name)
	}
	// Sorted by name: "Aardvark" (from the account only), then Module 00027 (MOD-0003), Module 00029 (MOD-0001).
	if strings.Join(ids, ",") != "MOD-9999=Aardvark,MOD-0003=Module 00027,MOD-0001=Module 00029" {
		t.Errorf("got %v", ids)
	}
	// An account whose modules list is empty (not absent) has none.
	s2 := newCatalogue(5, func(int) []string { return []string{"Client"} })
	s2.account = Account{ID: "ACC-1234-5678", Type: "Client", Modules: []ModuleRef{}}
	c2, _ := newTestClient(t, s2)
	mods, err = c2.ListEnabledModules(context.Background(), "ACC-1234-5678")
	if err != nil || mods == nil || len(mods) != 0 {
		t.Errorf("empty modules: %v %v", mods, err)
	}
}

// TestListEnabledModulesPagesConcurrently: 10 000 modules at the platform's
// cap of 100 per page take two round trips whatever the machine's speed:
// the account and the first page together, then the 99 other pages all in
// flight at once (the barrier holds each until all 99 have arrived, so a
// fetch that sent them in waves would hang, not pass slowly).
func TestListEnabledModulesPagesConcurrently(t *testing.T) {
	s := newCatalogue(10000, func(int) []string { return []string{"Client"} })
	s.account = Account{ID: "ACC-1234-5678", Type: "Client"}
	s.barrier = 99
	c, _ := newTestClient(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang fails, never a slow run
	defer cancel()
	mods, err := c.ListEnabledModules(ctx, "ACC-1234-5678")
	if err != nil || len(mods) != 10000 {
		t.Fatalf("%d modules, %v", len(mods), err)
	}
	if s.requests.Load() != 1+100 {
		t.Errorf("requests %d, want 1 account + 100 pages", s.requests.Load())
	}
	if s.maxFlight.Load() < 99 {
		t.Errorf("max in flight %d, want 99: the pages after the first form one round trip", s.maxFlight.Load())
	}
	if !s.sawOverlap.Load() {
		t.Error("the account and the first page were not one round trip")
	}
	for _, q := range s.queries {
		if strings.Contains(q, "/modules?") && !strings.Contains(q, "limit=100") {
			t.Errorf("query %s does not ask for the cap of 100", q)
		}
	}
}

// TestListEnabledModulesBoundedConcurrency: 150 pages after the first
// never have more than pageFetchers requests in flight; the barrier holds
// the first pageFetchers until all of them are in flight, so the bound is
// also reached, whatever the machine's speed.
func TestListEnabledModulesBoundedConcurrency(t *testing.T) {
	s := newCatalogue(302, func(int) []string { return []string{"Client"} })
	s.account = Account{ID: "ACC-1234-5678", Type: "Client"}
	s.serverMax = 2 // 151 pages
	s.barrier = pageFetchers
	c, _ := newTestClient(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang fails
	defer cancel()
	mods, err := c.ListEnabledModules(ctx, "ACC-1234-5678")
	if err != nil || len(mods) != 302 {
		t.Fatalf("%d modules, %v", len(mods), err)
	}
	// The account's request may still be in flight beside the pages.
	if m := s.maxFlight.Load(); m > pageFetchers+1 || m < pageFetchers {
		t.Errorf("max in flight %d, want %d (+1 for the account)", m, pageFetchers)
	}
}

func TestListEnabledModulesErrors(t *testing.T) {
	s := newCatalogue(10, func(int) []string { return []string{"Client"} })
	s.accountErr = 404
	c, _ := newTestClient(t, s)
	_, err := c.ListEnabledModules(context.Background(), "ACC-1234-5678")
	if !IsNotFound(err) {
		t.Errorf("want the account's 404, got %v", err)
	}
	s2 := newCatalogue(10, func(int) []string { return []string{"Client"} })
	s2.account = Account{ID: "ACC-1234-5678"} // neither modules nor type
	c2, _ := newTestClient(t, s2)
	if _, err := c2.ListEnabledModules(context.Background(), "ACC-1234-5678"); err == nil {
		t.Error("want an error without type or modules")
	}
	if _, err := c2.ListEnabledModules(context.Background(), " "); err == nil {
		t.Error("empty account id")
	}
}
