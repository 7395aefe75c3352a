package sandbox

import (
	"encoding/hex"
	"fmt"
	"io"
	"strings"
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

// The shapes of ids are checked by hand rather than with package regexp:
// compiled at package init, the patterns cost every start of the binary
// (the wizard's too) about a quarter of a millisecond before main.

// validAccountID reports whether s is ACC-####-####.
func validAccountID(s string) bool { return idShape(s, "ACC-", 4, 4) }

// validModuleID reports whether s is MOD-####.
func validModuleID(s string) bool { return idShape(s, "MOD-", 4) }

// validTokenID reports whether s is TKN-####-####.
func validTokenID(s string) bool { return idShape(s, "TKN-", 4, 4) }

// validExtensionID reports whether s is 1 to 64 of [A-Za-z0-9._-] starting
// with a letter or digit.
func validExtensionID(s string) bool {
	if len(s) == 0 || len(s) > 64 || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// tokenIDOfValue returns the id inside a token value shaped
// idt:TKN-####-####:<64 letters or digits>.
func tokenIDOfValue(v string) (string, bool) {
	const idLen, secretLen = len("TKN-0000-0000"), 64
	rest, ok := strings.CutPrefix(v, "idt:")
	if !ok || len(rest) != idLen+1+secretLen || rest[idLen] != ':' || !validTokenID(rest[:idLen]) {
		return "", false
	}
	for i := idLen + 1; i < len(rest); i++ {
		if !isAlnum(rest[i]) {
			return "", false
		}
	}
	return rest[:idLen], true
}

// idShape reports whether s is prefix then groups of ASCII digits of the
// given lengths, joined by '-'.
func idShape(s, prefix string, groups ...int) bool {
	s, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return false
	}
	for i, n := range groups {
		if i > 0 {
			if s == "" || s[0] != '-' {
				return false
			}
			s = s[1:]
		}
		if len(s) < n {
			return false
		}
		for j := range n {
			if s[j] < '0' || s[j] > '9' {
				return false
			}
		}
		s = s[n:]
	}
	return s == ""
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}
