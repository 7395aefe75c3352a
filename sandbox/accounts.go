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

// getAccount answers GET /accounts/accounts/{id}. A scoped caller asking
// for another account gets 403 whether or not it exists.
func (s *Server) getAccount(x *exchange, id string) {
	q, ok := parseQuery(x, accountFields)
	if !ok {
		return
	}
	if !x.who.canSee(id) {
		x.fail(http.StatusForbidden, "This token may only read its own account.")
		return
	}
	a := s.cat.accounts[id]
	if a == nil {
		x.fail(http.StatusNotFound, fmt.Sprintf("Account %s was not found.", id))
		return
	}
	x.json(http.StatusOK, q.shape(a.full))
}
