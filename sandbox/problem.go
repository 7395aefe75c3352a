package sandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
)

const (
	contentTypeJSON    = "application/json; charset=utf-8"
	contentTypeProblem = "application/problem+json; charset=utf-8"
	validationTitle    = "One or more validation errors occurred."
)

// problem is an RFC 7807 body in the ASP.NET flavour: traceId always,
// errors only for validation failures.
type problem struct {
	Type     string              `json:"type"`
	Title    string              `json:"title"`
	Status   int                 `json:"status"`
	Detail   string              `json:"detail,omitempty"`
	Instance string              `json:"instance,omitempty"`
	TraceID  string              `json:"traceId"`
	Errors   map[string][]string `json:"errors,omitempty"`
}

// problemKind gives the type URI and title ASP.NET uses for a status.
func problemKind(status int) (typ, title string) {
	const rfc = "https://tools.ietf.org/html/rfc9110#section-"
	switch status {
	case http.StatusBadRequest:
		return rfc + "15.5.1", "Bad Request"
	case http.StatusUnauthorized:
		return rfc + "15.5.2", "Unauthorized"
	case http.StatusForbidden:
		return rfc + "15.5.4", "Forbidden"
	case http.StatusNotFound:
		return rfc + "15.5.5", "Not Found"
	case http.StatusMethodNotAllowed:
		return rfc + "15.5.6", "Method Not Allowed"
	case http.StatusConflict:
		return rfc + "15.5.10", "Conflict"
	case http.StatusRequestEntityTooLarge:
		return rfc + "15.5.14", "Content Too Large"
	case http.StatusUnsupportedMediaType:
		return rfc + "15.5.16", "Unsupported Media Type"
	case http.StatusTooManyRequests:
		return "https://tools.ietf.org/html/rfc6585#section-4", "Too Many Requests"
	case http.StatusInternalServerError:
		return rfc + "15.6.1", "An error occurred while processing your request."
	case http.StatusBadGateway:
		return rfc + "15.6.3", "Bad Gateway"
	case http.StatusServiceUnavailable:
		return rfc + "15.6.4", "Service Unavailable"
	case http.StatusGatewayTimeout:
		return rfc + "15.6.5", "Gateway Timeout"
	}
	title = http.StatusText(status)
	if title == "" {
		title = "Status " + strconv.Itoa(status)
	}
	if status >= 500 {
		return rfc + "15.6", title
	}
	return rfc + "15.5", title
}

// fieldErrors maps a JSON path to its messages, like ASP.NET's ModelState.
type fieldErrors map[string][]string

func (e fieldErrors) add(path, msg string) {
	for _, m := range e[path] {
		if m == msg {
			return
		}
	}
	e[path] = append(e[path], msg)
}

// jsonAppender is a value that encodes itself without reflection.
type jsonAppender interface {
	appendJSON(b []byte) []byte
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var body []byte
	var err error
	if a, ok := v.(jsonAppender); ok {
		body = a.appendJSON(nil)
	} else {
		body, err = json.Marshal(v)
	}
	if err != nil {
		// Only a bug gets here: every value we write is plain data.
		http.Error(w, "sandbox: encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeProblem(w http.ResponseWriter, p problem) {
	if p.Type == "" {
		p.Type, p.Title = problemKind(p.Status)
	}
	body, err := json.Marshal(p)
	if err != nil {
		http.Error(w, "sandbox: encoding problem: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentTypeProblem)
	w.WriteHeader(p.Status)
	_, _ = w.Write(body)
}
