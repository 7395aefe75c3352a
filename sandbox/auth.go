package sandbox

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"regexp"
	"strings"
)

// caller is who a request acts as: the operator (every account) or a token
// created through the sandbox (its own account only).
type caller struct {
	operator  bool
	accountID string // scoped callers only
	by        identity
}

// canSee reports whether the caller may read or act on an account's data.
func (c *caller) canSee(accountID string) bool {
	return c.operator || c.accountID == accountID
}

var tokenValueRe = regexp.MustCompile(`^idt:(TKN-[0-9]{4}-[0-9]{4}):[A-Za-z0-9]{64}$`)

// authenticate resolves the bearer token. Token values are compared by
// their SHA-256 in constant time; the sandbox never keeps them in clear.
// A successful call with a created token updates its lastAccessAt, as the
// platform does.
func (s *Server) authenticate(r *http.Request) (*caller, bool) {
	headers := r.Header.Values("Authorization")
	if len(headers) != 1 {
		return nil, false
	}
	scheme, tok, ok := strings.Cut(headers[0], " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return nil, false
	}
	sum := sha256.Sum256([]byte(tok))
	if subtle.ConstantTimeCompare(sum[:], s.operator.hash[:]) == 1 {
		return &caller{operator: true, by: operatorIdentity}, true
	}
	m := tokenValueRe.FindStringSubmatch(tok)
	if m == nil {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[m[1]]
	if t == nil || t.status != tokenActive || subtle.ConstantTimeCompare(sum[:], t.hash[:]) != 1 {
		return nil, false
	}
	now := stamp(s.now())
	t.lastAccessAt = &now
	return &caller{accountID: t.accountID, by: identity{id: t.id, name: t.name}}, true
}
