// Package syncbuf is a bytes.Buffer that one goroutine may write while
// others read it: a program's output read by the test or the tool that
// watches it.
package syncbuf

import (
	"bytes"
	"sync"
)

// Buffer is safe for concurrent use. The zero value is empty and ready.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String is everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Len is how many bytes were written so far.
func (b *Buffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Len()
}

// From is what was written from byte i on ("" when i is past the end).
func (b *Buffer) From(i int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.b.Bytes()[min(max(i, 0), b.b.Len()):])
}
