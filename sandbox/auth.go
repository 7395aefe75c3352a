package sandbox

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// caller is who a request acts as: the operator or a token of an
// Operations account (every account), or a token of a Client or Vendor
// account (its own account only).
type caller struct {
	operator  bool   // sees every account
	accountID string // the token's account; "" for the operator
	tokenID   string // the token that authenticated; "" for the operator
	by        identity
}

// canSee reports whether the caller may read or act on an account's data.
func (c *caller) canSee(accountID string) bool {
	return c.operator || c.accountID == accountID
}

const refusedCredential = "A valid bearer token is required."

// authenticate resolves the bearer token. Token values are compared by
// their SHA-256 in constant time; the sandbox never keeps them in clear.
// A successful call with a created token updates its lastAccessAt, as the
// platform does. A refusal comes with the detail to answer: a disabled
// token is told so (its holder knows the token exists, so nothing leaks);
// a deleted one is as unknown as a made-up value.
func (s *Server) authenticate(r *http.Request) (*caller, string) {
	headers := r.Header.Values("Authorization")
	if len(headers) != 1 {
		return nil, refusedCredential
	}
	scheme, tok, ok := strings.Cut(headers[0], " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return nil, refusedCredential
	}
	sum := sha256.Sum256([]byte(tok))
	if subtle.ConstantTimeCompare(sum[:], s.operator.hash[:]) == 1 {
		return &caller{operator: true, by: operatorIdentity}, ""
	}
	id, ok := tokenIDOfValue(tok)
	if !ok {
		return nil, refusedCredential
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[id]
	if t == nil || t.status == tokenDeleted || subtle.ConstantTimeCompare(sum[:], t.hash[:]) != 1 {
		return nil, refusedCredential
	}
	if t.status != tokenActive {
		return nil, "This API token is disabled: enable it to use it again."
	}
	now := stamp(s.now())
	t.lastAccessAt = &now
	ops := s.cat.accounts[t.accountID].Type == "Operations"
	return &caller{operator: ops, accountID: t.accountID, tokenID: t.id, by: identity{id: t.id, name: t.name}}, ""
}
