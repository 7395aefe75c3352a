package sandbox

import (
	"context"
	"net/http"
	"path"
	"slices"
	"strings"
)

const (
	apiPrefix   = "/public/v1/accounts/"
	tokensPath  = "/public/v1/accounts/api-tokens"
	auditPath   = "/public/v1/audit/records"
	iconPrefix  = "/v1/accounts/api-tokens/" // where the icon paths the API hands out live
	publicIcons = "/public" + iconPrefix
)

var iconNames = []string{"icon.png", "icon.jpg", "icon.gif", "icon.svg"}

// exchangeKey carries the exchange from dispatch through the ServeMux to
// the route's handler, which needs the request the mux filled path values in.
type exchangeKey struct{}

// routes builds the router. Routing comes before authentication, as in
// ASP.NET: an unknown path is a 404 and a wrong method a 405 whoever asks.
func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	handle := func(pattern string, create bool, h func(*exchange)) {
		m.HandleFunc(pattern, func(_ http.ResponseWriter, r *http.Request) {
			x := r.Context().Value(exchangeKey{}).(*exchange)
			x.r = r
			s.authorised(x, create, h)
		})
	}
	id := func(h func(*exchange, string)) func(*exchange) {
		return func(x *exchange) { h(x, x.r.PathValue("id")) }
	}
	handle("GET "+tokensPath, false, s.listTokens)
	handle("POST "+tokensPath, true, s.createToken)
	handle("GET "+tokensPath+"/{id}", false, id(s.getToken))
	handle("PUT "+tokensPath+"/{id}", false, id(s.updateToken))
	handle("DELETE "+tokensPath+"/{id}", false, id(s.deleteToken))
	handle("POST "+tokensPath+"/{id}/enable", false, id(s.enableToken))
	handle("POST "+tokensPath+"/{id}/disable", false, id(s.disableToken))
	for _, name := range iconNames {
		icon := id(func(x *exchange, id string) { s.getTokenIcon(x, id, name) })
		// Icons are handed out as /v1/accounts/api-tokens/{id}/icon.png.
		handle("GET "+publicIcons+"{id}/"+name, false, icon)
		handle("GET "+iconPrefix+"{id}/"+name, false, icon)
	}
	handle("GET /public/v1/accounts/modules", false, s.listModules)
	handle("GET /public/v1/accounts/modules/{id}", false, id(s.getModule))
	handle("GET /public/v1/accounts/accounts", false, s.listAccounts)
	handle("GET /public/v1/accounts/accounts/{id}", false, id(s.getAccount))
	handle("GET "+auditPath, false, s.listAuditRecords)
	handle("GET "+auditPath+"/{id}", false, id(s.getAuditRecord))
	return m
}

// dispatch routes one request. The mux's own 404 and 405 answers are plain
// text; they are turned into ProblemDetails here, keeping its Allow header.
func (s *Server) dispatch(x *exchange) {
	r := trimSlash(x.r)
	if path.Clean(r.URL.Path) != r.URL.Path {
		// An empty or dot segment: the mux would redirect to the cleaned
		// path, which ASP.NET does not.
		x.fail(http.StatusNotFound, "No resource matches this path.")
		return
	}
	probe := r
	if r.Method == http.MethodHead {
		// The mux serves HEAD with GET's handler; the API does not.
		probe = r.Clone(r.Context())
		probe.Method = "OPTIONS" // a method no route has, to learn Allow
	}
	h, pattern := s.mux.Handler(probe)
	if pattern == "" {
		dw := &discardWriter{header: http.Header{}}
		h.ServeHTTP(dw, probe)
		if dw.status == http.StatusMethodNotAllowed {
			allow := strings.Split(dw.header.Get("Allow"), ", ")
			allow = slices.DeleteFunc(allow, func(m string) bool { return m == http.MethodHead })
			x.w.Header().Set("Allow", strings.Join(allow, ", "))
			x.fail(http.StatusMethodNotAllowed, "This resource does not support the "+r.Method+" method.")
			return
		}
		x.fail(http.StatusNotFound, "No resource matches this path.")
		return
	}
	s.mux.ServeHTTP(x.w, r.WithContext(context.WithValue(r.Context(), exchangeKey{}, x)))
}

// trimSlash drops one trailing slash, which ASP.NET ignores.
func trimSlash(r *http.Request) *http.Request {
	p := r.URL.Path
	if len(p) < 2 || !strings.HasSuffix(p, "/") || strings.HasSuffix(p, "//") {
		return r
	}
	r2 := *r
	u := *r.URL
	u.Path, u.RawPath = strings.TrimSuffix(p, "/"), ""
	r2.URL = &u
	return &r2
}

// authorised authenticates the caller, then runs h.
func (s *Server) authorised(x *exchange, create bool, h func(*exchange)) {
	who, refusal := s.authenticate(x.r)
	if who == nil {
		x.w.Header().Set("WWW-Authenticate", "Bearer")
		x.fail(http.StatusUnauthorized, refusal)
		if create {
			// The body of an unauthenticated request is never read.
			s.record(CreateRecord{Status: http.StatusUnauthorized, Multipart: isMultipart(x.r)})
		}
		return
	}
	x.who = who
	h(x)
}

func isIconName(s string) bool {
	for _, n := range iconNames {
		if s == n {
			return true
		}
	}
	return false
}

func isCreate(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.TrimSuffix(r.URL.Path, "/") == tokensPath
}
