package apiclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ProblemDetails is an RFC 7807 problem document as the Marketplace API sends
// it (ASP.NET flavour: traceId and, for validation failures, errors). Every
// field is optional. Strings are sanitised when parsed (no control or bidi
// characters, bounded length): they come from the server and are untrusted.
type ProblemDetails struct {
	Type     string `json:"type,omitempty"`
	Title    string `json:"title,omitempty"`
	Status   int    `json:"status,omitempty"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// TraceID is the body's traceId, or else the X-Trace-Id header.
	TraceID string `json:"traceId,omitempty"`
	// Errors maps a field path (name, account.id, modules[0].id, $, rql, …)
	// to what is wrong with it.
	Errors map[string][]string `json:"errors,omitempty"`
}

// Error is an answer of the API with a status code other than 2xx.
type Error struct {
	// Op names what was attempted on which object, e.g. "update API token
	// TKN-1234-5678", when the client knows; Message words 403, 404 and
	// 409 for it.
	Op         string
	Method     string // HTTP method of the request
	Path       string // URL path of the request, without the query
	StatusCode int
	// Problem is the problem document of the answer; fields the server did
	// not send are empty. TraceID falls back to the X-Trace-Id header.
	Problem ProblemDetails
	// RetryAfter is the Retry-After header of the answer (0 when absent).
	RetryAfter time.Duration
	// Header is the header of the answer.
	Header http.Header
	// Excerpt is a short, sanitised start of a body that was not a problem
	// document (a proxy's text page, for instance); empty otherwise.
	Excerpt string
}

// Error returns one line: method, path, status, title, detail, field errors
// and trace id. It has no control characters.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("apiclient: ")
	if e.Method != "" {
		b.WriteString(e.Method)
		b.WriteByte(' ')
	}
	b.WriteString(sanitize(e.Path, 200))
	fmt.Fprintf(&b, ": %d", e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	title := sanitize(e.Problem.Title, maxServerText)
	if title != "" && title != http.StatusText(e.StatusCode) {
		b.WriteString(": " + title)
	}
	if d := sanitize(e.Problem.Detail, maxServerText); d != "" {
		b.WriteString(": " + d)
	}
	if f := formatFieldErrors(e.Problem.Errors); f != "" {
		b.WriteString(" (" + f + ")")
	}
	if x := sanitize(e.Excerpt, 120); x != "" {
		fmt.Fprintf(&b, ": %q", x)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter.Round(time.Second))
	}
	if id := sanitize(e.Problem.TraceID, 100); id != "" {
		b.WriteString(" [traceId " + id + "]")
	}
	return b.String()
}

// Bounds on field errors in one message: a hostile or broken server must
// not make an error line unbounded.
const (
	maxFieldsShown   = 10
	maxFieldErrorLen = 2000
)

// formatFieldErrors renders field errors as "a: m1, m2; b: m3", sorted by
// field, sanitised, at most maxFieldsShown fields and maxFieldErrorLen runes.
func formatFieldErrors(errs map[string][]string) string {
	if len(errs) == 0 {
		return ""
	}
	fields := slices.Sorted(maps.Keys(errs))
	more := 0
	if len(fields) > maxFieldsShown {
		fields, more = fields[:maxFieldsShown], len(fields)-maxFieldsShown
	}
	parts := make([]string, 0, len(fields)+1)
	for _, field := range fields {
		msgs := make([]string, 0, len(errs[field]))
		for _, m := range errs[field] {
			if m = sanitize(m, maxServerText); m != "" {
				msgs = append(msgs, m)
			}
		}
		if len(msgs) == 0 {
			msgs = append(msgs, "invalid")
		}
		parts = append(parts, sanitize(field, 100)+": "+strings.Join(msgs, " "))
	}
	if more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", more))
	}
	return sanitize(strings.Join(parts, "; "), maxFieldErrorLen)
}

// FieldErrors returns the problem's field errors (field path → messages), or
// nil when there are none. The map is a copy.
func (e *Error) FieldErrors() map[string][]string {
	if len(e.Problem.Errors) == 0 {
		return nil
	}
	out := make(map[string][]string, len(e.Problem.Errors))
	for k, v := range e.Problem.Errors {
		out[k] = slices.Clone(v)
	}
	return out
}

// fieldsHeadline introduces the fields a 400 names.
const fieldsHeadline = "The Marketplace API refused the request (400). Fix these fields:"

// Headline is Message without the fields a 400 names, for a caller that
// lists FieldErrors itself, a line each.
func (e *Error) Headline() string {
	if e.StatusCode == http.StatusBadRequest && formatFieldErrors(e.Problem.Errors) != "" {
		return fieldsHeadline
	}
	return e.Message()
}

// Message returns one actionable sentence or two for a person, chosen by the
// status code.
func (e *Error) Message() string {
	code := e.StatusCode
	detail := sanitize(e.Problem.Detail, maxServerText)
	if detail == "" {
		detail = sanitize(e.Problem.Title, maxServerText)
	}
	withDetail := func(s string) string {
		if detail != "" && detail != http.StatusText(code) {
			return s + " The server said: " + strings.TrimSuffix(detail, ".") + "."
		}
		return s
	}
	trace := ""
	if id := sanitize(e.Problem.TraceID, 100); id != "" {
		trace = " Trace id: " + id + "."
	}
	switch {
	case code == http.StatusBadRequest:
		if f := formatFieldErrors(e.Problem.Errors); f != "" {
			return fieldsHeadline + " " + f
		}
		return withDetail("The Marketplace API refused the request as invalid (400).")
	case code == http.StatusUnauthorized:
		return "The Marketplace API rejected the API token (401). Check MPT_API_TOKEN: it may be mistyped, expired or disabled."
	case e.Op != "" && (code == http.StatusForbidden || code == http.StatusNotFound || code == http.StatusConflict):
		return withDetail(opMessage(e.Op, code)) + trace
	case code == http.StatusForbidden:
		return withDetail("The Marketplace API does not allow this (403): the API token's account may not act on this account, or the operation is not allowed for this account type or module.") + trace
	case code == http.StatusNotFound:
		return withDetail(fmt.Sprintf("The Marketplace API found nothing at %s (404). Check the id, and that the API token's account can see it.", sanitize(e.Path, 200)))
	case code == http.StatusMethodNotAllowed:
		return withDetail(fmt.Sprintf("The Marketplace API does not support %s %s (405); apitoken may be out of date.", e.Method, sanitize(e.Path, 200))) + trace
	case code == http.StatusConflict:
		return withDetail("The request conflicts with the current state of the object (409): it may have been changed or created meanwhile. Reload it and try again.") + trace
	case code == http.StatusRequestEntityTooLarge:
		return withDetail(fmt.Sprintf("The request is too large for the Marketplace API (413): the icon may be at most %s and the token details at most %s.", FormatSize(MaxIconBytes), FormatSize(64<<10)))
	case code == http.StatusUnsupportedMediaType:
		return withDetail("The Marketplace API does not accept the request's content type (415). This is a bug in apitoken: please report it.") + trace
	case code == http.StatusTooManyRequests:
		if e.RetryAfter > 0 {
			return fmt.Sprintf("The Marketplace API is rate limiting requests (429); retry after %s.", formatSeconds(e.RetryAfter))
		}
		return "The Marketplace API is rate limiting requests (429); wait a moment and retry."
	case code >= 500:
		s := fmt.Sprintf("The Marketplace platform had an error (%d). Try again in a few minutes.", code)
		if e.RetryAfter > 0 {
			s = fmt.Sprintf("The Marketplace platform had an error (%d). Try again after %s.", code, formatSeconds(e.RetryAfter))
		}
		if trace != "" {
			s += " If it persists, quote trace id " + sanitize(e.Problem.TraceID, 100) + " to SoftwareOne support."
		}
		return withDetail(s)
	default:
		return withDetail(fmt.Sprintf("The Marketplace API answered %d %s.", code, http.StatusText(code))) + trace
	}
}

// formatSeconds renders a wait as "N s" (whole seconds, at least 1).
func formatSeconds(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(s, 1), 10) + " s"
}

// IsNotFound reports whether err is (or wraps) an [*Error] with status 404.
func IsNotFound(err error) bool { return StatusCode(err) == http.StatusNotFound }

// StatusCode returns the status code of the [*Error] in err's chain, or 0
// when there is none (a transport error, a validation error, …).
func StatusCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// ErrOutcomeUnknown is matched (with errors.Is) by every
// [*OutcomeUnknownError].
var ErrOutcomeUnknown = errors.New("outcome unknown")

// ErrMalformedResponse is wrapped by the errors about a 2xx answer that could
// not be read: not JSON, truncated, empty, or with wrong types.
var ErrMalformedResponse = errors.New("malformed response")

// ErrResponseTooLarge is wrapped when an answer exceeds the body cap.
var ErrResponseTooLarge = errors.New("response too large")

// OutcomeUnknownError says that a write (a create) may or may not have taken
// effect: the request may have reached the server, but no answer saying what
// happened came back (timeout, connection lost after the request was sent,
// 5xx, unreadable 2xx). Do not blindly retry: look first (for tokens, with
// [Client.FindRecentAPITokens]).
type OutcomeUnknownError struct {
	Op  string // what was attempted, e.g. "create API token"
	Err error  // the underlying error (an [*Error] for a 5xx)
	// Attempt says what was sent, by whom and when, for
	// [Client.FindLostAPIToken]; set by [Client.CreateAPIToken].
	Attempt CreateAttempt
}

func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("apiclient: %s: outcome unknown, the request may have reached the server: %s", e.Op, trimPrefix(e.Err))
}

// Unwrap returns the underlying error.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrOutcomeUnknown) true.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// InvalidRequestError is returned, before anything is sent, by a request that
// fails the client-side checks. Fields uses the server's field paths (name,
// description, account.id, modules, modules[i].id, extensions[i].id, icon).
type InvalidRequestError struct {
	Fields map[string]string
}

func (e *InvalidRequestError) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
		parts = append(parts, k+": "+e.Fields[k])
	}
	return "apiclient: invalid request: " + strings.Join(parts, "; ")
}

// parseProblem reads a problem document tolerantly: any field may be absent
// or of an unexpected type (then it is ignored). ok is false when the body is
// not a JSON object at all.
func parseProblem(body []byte, contentType string, secrets ...Secret) (p ProblemDetails, ok bool) {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && strings.Contains(mt, "html") {
		return p, false
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return p, false
	}
	str := func(key string) string {
		var s string
		if v, found := raw[key]; found && json.Unmarshal(v, &s) == nil {
			return sanitize(redactIn(s, secrets...), maxServerText)
		}
		return ""
	}
	p.Type = str("type")
	p.Title = str("title")
	p.Detail = str("detail")
	p.Instance = str("instance")
	p.TraceID = str("traceId")
	if v, found := raw["status"]; found {
		var n int
		if json.Unmarshal(v, &n) == nil {
			p.Status = n
		}
	}
	if v, found := raw["errors"]; found {
		var m map[string]json.RawMessage
		if json.Unmarshal(v, &m) == nil {
			for field, rv := range m {
				var msgs []string
				var list []json.RawMessage
				var one string
				switch {
				case json.Unmarshal(rv, &one) == nil:
					msgs = []string{one}
				case json.Unmarshal(rv, &list) == nil:
					for _, item := range list {
						var s string
						if json.Unmarshal(item, &s) == nil {
							msgs = append(msgs, s)
						}
					}
				}
				for i := range msgs {
					msgs[i] = sanitize(redactIn(msgs[i], secrets...), maxServerText)
				}
				if p.Errors == nil {
					p.Errors = make(map[string][]string)
				}
				field = sanitize(field, 200)
				p.Errors[field] = append(p.Errors[field], msgs...)
			}
		}
	}
	return p, true
}

// opMessage says, for an operation on one token, what a 403, 404 or 409
// means and what the person can do.
func opMessage(op string, code int) string {
	op = sanitize(op, 100)
	switch code {
	case http.StatusForbidden:
		return fmt.Sprintf("Could not %s (403): the API token in use may not do this. Use a token of the token's account, or of an Operations account, with the accounts module.", op)
	case http.StatusNotFound:
		return fmt.Sprintf("Could not %s (404): no such token, it was deleted, or it belongs to an account this API token cannot see. Reload the list.", op)
	default:
		return fmt.Sprintf("Could not %s (409): the token is not in a state that allows it (it may already be so, or was changed meanwhile). Reload it and try again.", op)
	}
}
