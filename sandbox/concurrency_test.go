package sandbox

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
)

func TestParallelCreates(t *testing.T) {
	e := newEnv(t)
	const n = 200
	var wg sync.WaitGroup
	idsCh := make(chan string, n)
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := e.try(e.createRequest(fmt.Sprintf("parallel %d", i%7))) // duplicate names are allowed
			if err != nil {
				errs <- err
				return
			}
			if res.status != http.StatusCreated {
				errs <- fmt.Errorf("status %d: %s", res.status, res.body)
				return
			}
			var o struct{ ID string }
			if err := jsonUnmarshal(res.body, &o); err != nil {
				errs <- err
				return
			}
			idsCh <- o.ID
		}()
		// Readers and writers of existing tokens run alongside.
		if i%10 == 0 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if res, err := e.try(request{method: "GET", path: createPath + "?limit=1000", token: testOperator}); err != nil || res.status != 200 {
					errs <- fmt.Errorf("list: %v %d", err, res.status)
				}
				for _, tok := range e.s.StoredTokens() {
					e.try(request{method: "POST", path: createPath + "/" + tok.ID + "/disable", token: testOperator})
					break
				}
			}()
		}
	}
	wg.Wait()
	close(idsCh)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	seen := map[string]bool{}
	for id := range idsCh {
		if !tokenIDShape.MatchString(id) || seen[id] {
			t.Errorf("bad or duplicate id %q", id)
		}
		seen[id] = true
	}
	if len(seen) != n || len(e.s.StoredTokens()) != n || len(e.s.Creates()) != n {
		t.Errorf("ids %d, stored %d, records %d; want %d each", len(seen), len(e.s.StoredTokens()), len(e.s.Creates()), n)
	}
	names := map[string]int{}
	for _, tok := range e.s.StoredTokens() {
		names[tok.Name]++
	}
	if names["parallel 0"] != 29 {
		t.Errorf("%d tokens named %q, want 29", names["parallel 0"], "parallel 0")
	}
}

// A stuck id source cannot hang the server: after a bounded number of
// collisions the create fails with a 500.
func TestIDCollisionsAreBounded(t *testing.T) {
	e := newEnv(t, WithIDSource(zeros{}))
	first := e.post(createPath, testOperator, createBody(contoso, "a", "MOD-1001"))
	first.want(t, http.StatusCreated)
	if id := first.object(t)["id"]; id != "TKN-0000-0000" {
		t.Errorf("id = %v", id)
	}
	e.post(createPath, testOperator, createBody(contoso, "b", "MOD-1001")).problem(t, http.StatusInternalServerError)
	if n := len(e.s.StoredTokens()); n != 1 {
		t.Errorf("%d tokens stored", n)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
