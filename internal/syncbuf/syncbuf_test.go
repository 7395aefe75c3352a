package syncbuf

import (
	"strings"
	"sync"
	"testing"
)

// TestConcurrentWritesAndReads: writers and readers at once (run with
// -race) lose nothing, and From cuts where asked.
func TestConcurrentWritesAndReads(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				_, _ = b.Write([]byte("ab"))
				_ = b.String()
			}
		})
	}
	wg.Wait()
	if b.Len() != 800 || strings.Count(b.String(), "ab") != 400 {
		t.Fatalf("len %d, %d pairs", b.Len(), strings.Count(b.String(), "ab"))
	}
	if got := b.From(796); got != "abab" {
		t.Fatalf("From(796) = %q", got)
	}
	if got := b.From(900); got != "" {
		t.Fatalf("From past the end = %q", got)
	}
}
