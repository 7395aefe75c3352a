package sandbox

import (
	"fmt"
	"net/http"
)

// listAccounts answers GET /accounts/accounts?<rql>: every account for the
// operator, its own for a scoped caller. modules shows only with
// select=modules.
func (s *Server) listAccounts(x *exchange) {
	q, ok := parseQuery(x, accountFields)
	if !ok {
		return
	}
	items := make([]object, 0, len(s.cat.accountList))
	for _, a := range s.cat.accountList {
		if x.who.canSee(a.ID) {
			items = append(items, a.full)
		}
	}
	x.json(http.StatusOK, q.page(items))
}

// getAccount answers GET /accounts/accounts/{id}. An unknown id is a 404;
// so is, for a Client or Vendor caller, another account's id, whether or
// not it exists: the operation documents only 404, and answering 403 for
// the ones that exist would let any token probe which accounts exist.
func (s *Server) getAccount(x *exchange, id string) {
	q, ok := parseQuery(x, accountFields)
	if !ok {
		return
	}
	a := s.cat.accounts[id]
	if a == nil || !x.who.canSee(id) {
		x.fail(http.StatusNotFound, fmt.Sprintf("Account %s was not found.", id))
		return
	}
	x.json(http.StatusOK, q.shape(a.full))
}
