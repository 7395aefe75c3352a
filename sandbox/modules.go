package sandbox

import (
	"fmt"
	"net/http"
)

// listModules answers GET /accounts/modules?<rql>. The catalogue is the
// same for every caller; accountTypes shows only with select=accountTypes.
func (s *Server) listModules(x *exchange) {
	q, ok := parseQuery(x, moduleFields)
	if !ok {
		return
	}
	// The catalogue never changes, so the pages of one listing (a client
	// fetches them all at once) filter and sort it once between them.
	items := s.cat.arranged.get(q.key, func() []object {
		all := make([]object, len(s.cat.moduleList))
		for i, m := range s.cat.moduleList {
			all[i] = m.full
		}
		return q.arrange(all)
	})
	x.json(http.StatusOK, q.slice(items))
}

func (s *Server) getModule(x *exchange, id string) {
	q, ok := parseQuery(x, moduleFields)
	if !ok {
		return
	}
	m := s.cat.modules[id]
	if m == nil {
		x.fail(http.StatusNotFound, fmt.Sprintf("Module %s was not found.", id))
		return
	}
	x.json(http.StatusOK, q.shape(m.full))
}
