package sandbox

import "sync"

// arrangedCacheSize bounds the cache: a client pages through one or two
// listings at a time, and a caller sending ever new queries must not make
// the server grow.
const arrangedCacheSize = 32

// arrangedCache keeps the filtered and ordered items of recent queries over
// a collection that does not change, so each page of a listing is a slice
// rather than a fresh filter and sort of the whole collection. Callers must
// treat the returned slices as read-only.
type arrangedCache struct {
	mu    sync.Mutex
	items map[string][]object
}

// get returns the items for key, computing them with build on a miss.
// build runs outside the lock: two concurrent misses may both build, which
// costs time but not correctness, since build is deterministic.
func (c *arrangedCache) get(key string, build func() []object) []object {
	c.mu.Lock()
	items, ok := c.items[key]
	c.mu.Unlock()
	if ok {
		return items
	}
	items = build()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil || len(c.items) >= arrangedCacheSize {
		// Dropping everything keeps the bound without tracking recency.
		c.items = make(map[string][]object, arrangedCacheSize)
	}
	c.items[key] = items
	return items
}
