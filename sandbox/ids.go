package sandbox

import (
	"encoding/hex"
	"fmt"
	"io"
	"sync"
)

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randSource serialises reads from a caller-supplied reader: a deterministic
// reader such as ChaCha8 is not safe for concurrent use.
type randSource struct {
	mu sync.Mutex
	r  io.Reader
}

func (s *randSource) read(p []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := io.ReadFull(s.r, p); err != nil {
		return fmt.Errorf("sandbox: reading randomness: %w", err)
	}
	return nil
}

// pick returns n characters of set drawn uniformly: bytes at or above the
// largest multiple of len(set) are rejected rather than folded, which would
// bias the first characters.
func (s *randSource) pick(n int, set string) (string, error) {
	limit := 256 - 256%len(set)
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+4)
	for len(out) < n {
		if err := s.read(buf); err != nil {
			return "", err
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, set[int(b)%len(set)])
			}
		}
	}
	return string(out), nil
}

func (s *randSource) digits(n int) (string, error) { return s.pick(n, "0123456789") }

func (s *randSource) alnum(n int) (string, error) { return s.pick(n, alnum) }

func (s *randSource) hex(nbytes int) (string, error) {
	b := make([]byte, nbytes)
	if err := s.read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// traceID returns a W3C traceparent-shaped id, "00-<32 hex>-<16 hex>-00",
// as ASP.NET puts in ProblemDetails.traceId.
func (s *randSource) traceID() (string, error) {
	trace, err := s.hex(16)
	if err != nil {
		return "", err
	}
	span, err := s.hex(8)
	if err != nil {
		return "", err
	}
	return "00-" + trace + "-" + span + "-00", nil
}
