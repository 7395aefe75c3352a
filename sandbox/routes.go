package sandbox

import (
	"net/http"
	"sort"
	"strings"
)

const (
	apiPrefix  = "/public/v1/accounts/"
	tokensPath = "/public/v1/accounts/api-tokens"
	iconPrefix = "/v1/accounts/api-tokens/" // where the icon paths the API hands out live
)

// route is what a path resolves to: a handler per method.
type route struct {
	methods map[string]func(*exchange)
	create  bool // the create endpoint, whose requests are recorded
}

func (rt *route) allow() string {
	ms := make([]string, 0, len(rt.methods))
	for m := range rt.methods {
		ms = append(ms, m)
	}
	sort.Strings(ms)
	return strings.Join(ms, ", ")
}

// route resolves a path. Routing comes before authentication, as in ASP.NET:
// an unknown path is a 404 and a wrong method a 405 whoever asks.
func (s *Server) route(path string) *route {
	rest, ok := strings.CutPrefix(path, apiPrefix)
	iconOnly := false
	if !ok {
		// Icons are handed out as /v1/accounts/api-tokens/{id}/icon.png.
		if rest, ok = strings.CutPrefix(path, iconPrefix); !ok {
			return nil
		}
		rest, iconOnly = "api-tokens/"+rest, true
	}
	rest = strings.TrimSuffix(rest, "/") // ASP.NET ignores one trailing slash
	seg := strings.Split(rest, "/")
	for _, p := range seg {
		if p == "" {
			return nil
		}
	}
	get := func(h func(*exchange)) *route {
		return &route{methods: map[string]func(*exchange){http.MethodGet: h}}
	}
	if iconOnly && !(len(seg) == 3 && isIconName(seg[2])) {
		return nil
	}
	switch seg[0] {
	case "api-tokens":
		switch {
		case len(seg) == 1:
			return &route{methods: map[string]func(*exchange){
				http.MethodGet:  s.listTokens,
				http.MethodPost: s.createToken,
			}, create: true}
		case len(seg) == 2:
			id := seg[1]
			return &route{methods: map[string]func(*exchange){
				http.MethodGet:    func(x *exchange) { s.getToken(x, id) },
				http.MethodDelete: func(x *exchange) { s.deleteToken(x, id) },
			}}
		case len(seg) == 3 && (seg[2] == "disable" || seg[2] == "enable"):
			id, status := seg[1], tokenActive
			if seg[2] == "disable" {
				status = tokenDisabled
			}
			return &route{methods: map[string]func(*exchange){
				http.MethodPost: func(x *exchange) { s.setTokenStatus(x, id, status) },
			}}
		case len(seg) == 3 && isIconName(seg[2]):
			id, name := seg[1], seg[2]
			return get(func(x *exchange) { s.getTokenIcon(x, id, name) })
		}
	case "modules":
		switch len(seg) {
		case 1:
			return get(s.listModules)
		case 2:
			id := seg[1]
			return get(func(x *exchange) { s.getModule(x, id) })
		}
	case "accounts":
		switch len(seg) {
		case 1:
			return get(s.listAccounts)
		case 2:
			id := seg[1]
			return get(func(x *exchange) { s.getAccount(x, id) })
		}
	}
	return nil
}

func isIconName(s string) bool {
	switch s {
	case "icon.png", "icon.jpg", "icon.gif", "icon.svg":
		return true
	}
	return false
}

func isCreate(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.TrimSuffix(r.URL.Path, "/") == tokensPath
}
