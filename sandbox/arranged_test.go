package sandbox

import (
	"strconv"
	"testing"
)

func TestListQueryKeyIgnoresPagingAndSelect(t *testing.T) {
	key := func(raw string) string {
		t.Helper()
		q, errs := parseListQuery(raw, moduleFields)
		if len(errs) > 0 {
			t.Fatalf("parse %q: %v", raw, errs)
		}
		return q.key
	}
	base := key("eq(settings.paid,true)&order=name")
	if got := key("eq(settings.paid,true)&order=name&limit=100&offset=300&select=accountTypes"); got != base {
		t.Errorf("paging or select changed the key: %q vs %q", got, base)
	}
	for _, raw := range []string{"eq(settings.paid,false)&order=name", "eq(settings.paid,true)&order=-name", "eq(settings.paid,true)", ""} {
		if key(raw) == base {
			t.Errorf("%q shares the key of a different listing", raw)
		}
	}
}

func TestArrangedCacheBuildsOncePerKeyAndStaysBounded(t *testing.T) {
	var c arrangedCache
	builds := 0
	build := func() []object { builds++; return []object{{}} }
	c.get("a", build)
	c.get("a", build)
	if builds != 1 {
		t.Fatalf("built %d times for one key, want 1", builds)
	}
	for i := range 3 * arrangedCacheSize {
		c.get(strconv.Itoa(i), build)
	}
	if n := len(c.items); n > arrangedCacheSize {
		t.Errorf("cache holds %d listings, bound is %d", n, arrangedCacheSize)
	}
}
