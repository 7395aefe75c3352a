package apiclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"
)

func getErr(t *testing.T, h http.HandlerFunc) *Error {
	t.Helper()
	c, _ := newTestClient(t, h, WithRetry(0, 0))
	_, err := c.GetAPIToken(context.Background(), "TKN-1111-2222")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error, got %T %v", err, err)
	}
	return e
}

func TestProblemFull(t *testing.T) {
	e := getErr(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Trace-Id", "00-header-00")
		writeProblem(w, 400, `{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.",
 "status":400,"detail":"Look at the fields.","instance":"/public/v1/accounts/api-tokens",
 "traceId":"00-0123456789abcdef0123456789abcdef-0123456789abcdef-00","errors":{"name":["The name field is required."],"modules[0].id":["Unknown module.","Not enabled."]}}`)
	})
	p := e.Problem
	if p.Type != "https://tools.ietf.org/html/rfc9110#section-15.5.1" || p.Title != "One or more validation errors occurred." ||
		p.Status != 400 || p.Detail != "Look at the fields." || p.Instance != "/public/v1/accounts/api-tokens" ||
		p.TraceID != "00-0123456789abcdef0123456789abcdef-0123456789abcdef-00" {
		t.Errorf("problem: %+v", p)
	}
	fe := e.FieldErrors()
	if len(fe) != 2 || fe["name"][0] != "The name field is required." || len(fe["modules[0].id"]) != 2 {
		t.Errorf("field errors: %v", fe)
	}
	fe["name"][0] = "changed"
	if e.Problem.Errors["name"][0] == "changed" {
		t.Error("FieldErrors must return a copy")
	}
	if e.Method != "GET" || e.Path != "/public/v1/accounts/api-tokens/TKN-1111-2222" || e.StatusCode != 400 {
		t.Errorf("error: %+v", e)
	}
	msg := e.Error()
	for _, want := range []string{"GET /public/v1/accounts/api-tokens/TKN-1111-2222", "400", "One or more validation errors occurred.", "Look at the fields.", "name: The name field is required.", "modules[0].id: Unknown module. Not enabled.", "00-0123456789abcdef0123456789abcdef-0123456789abcdef-00"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Error() = %q, missing %q", msg, want)
		}
	}
	if !strings.Contains(e.Message(), "name: The name field is required.") {
		t.Errorf("Message: %q", e.Message())
	}
}

func TestProblemPartialAndOdd(t *testing.T) {
	e := getErr(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Trace-Id", "00-feedface-00")
		writeProblem(w, 404, `{"title":"Not Found","status":"four-oh-four","errors":{"a":"single","b":[1,"two"],"c":{"x":1}}, "extra":true}`)
	})
	if e.Problem.Title != "Not Found" || e.Problem.Status != 0 || e.Problem.TraceID != "00-feedface-00" {
		t.Errorf("problem: %+v", e.Problem)
	}
	if got := e.FieldErrors(); got["a"][0] != "single" || len(got["b"]) != 1 || got["b"][0] != "two" {
		t.Errorf("errors: %v", got)
	}
	if !IsNotFound(e) || StatusCode(e) != 404 {
		t.Error("IsNotFound / StatusCode")
	}
}

func TestProblemNotJSON(t *testing.T) {
	e := getErr(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("X-Trace-Id", "trace-from-header")
		w.WriteHeader(500)
		_, _ = w.Write([]byte("upstream connect error\x1b[31m or disconnect\r\nreset reason: overflow " + strings.Repeat("x", 5000)))
	})
	if e.Problem.Title != "" || e.Problem.TraceID != "trace-from-header" {
		t.Errorf("problem: %+v", e.Problem)
	}
	if !strings.HasPrefix(e.Excerpt, "upstream connect error or disconnect reset reason") || len([]rune(e.Excerpt)) > 121 {
		t.Errorf("excerpt: %q", e.Excerpt)
	}
	assertOneCleanLine(t, e.Error())
	if !strings.Contains(e.Message(), "trace-from-header") {
		t.Errorf("5xx message must quote the trace id: %q", e.Message())
	}
}

func TestProblemHTML(t *testing.T) {
	e := getErr(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		_, _ = w.Write([]byte("<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1><script>x</script></body></html>"))
	})
	if e.Excerpt != "502 Bad Gateway" {
		t.Errorf("excerpt: %q", e.Excerpt)
	}
	if strings.Contains(e.Error(), "<") {
		t.Errorf("HTML in error: %q", e.Error())
	}
}

func assertOneCleanLine(t *testing.T, s string) {
	t.Helper()
	for _, r := range s {
		if unicode.IsControl(r) || isBidiControl(r) {
			t.Fatalf("control character %U in %q", r, s)
		}
	}
}

func TestErrorSanitisesServerText(t *testing.T) {
	e := getErr(t, func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, 403, `{"title":"Forbidden\u001b]0;pwned\u0007","detail":"evil\u202etxt.exe\u009b31m\nnext line; your token is `+string(testToken)+`","traceId":"00-\u001b[2J-00","errors":{"na\u001bme":["m\u0000sg"]}}`)
	})
	for _, s := range []string{e.Error(), e.Message()} {
		assertOneCleanLine(t, s)
		if strings.Contains(s, "S3cr3t") {
			t.Errorf("echoed token not redacted: %q", s)
		}
		if !strings.Contains(s, "[REDACTED]") {
			t.Errorf("want [REDACTED] in %q", s)
		}
	}
}

func TestStatusMessages(t *testing.T) {
	cases := []struct {
		status int
		header map[string]string
		body   string
		want   []string
	}{
		{400, nil, `{"title":"Bad","errors":{"name":["Too long."]}}`, []string{"(400)", "name: Too long."}},
		{400, nil, `{"title":"Bad","detail":"Malformed RQL."}`, []string{"(400)", "Malformed RQL."}},
		{401, nil, `{"title":"Unauthorized","detail":"A valid bearer token is required."}`, []string{"The Marketplace API rejected the API token (401). Check MPT_API_TOKEN: it may be mistyped, expired or disabled."}},
		{403, nil, `{"title":"Forbidden","traceId":"T403"}`, []string{"(403)", "account type or module", "T403"}},
		{404, nil, `{"title":"Not Found"}`, []string{"(404)", "/public/v1/accounts/api-tokens/TKN-1111-2222", "Check the id"}},
		{405, nil, ``, []string{"(405)"}},
		{409, nil, `{"title":"Conflict","detail":"Revision mismatch."}`, []string{"(409)", "Revision mismatch."}},
		{413, nil, `{"title":"Payload Too Large"}`, []string{"(413)", "1 MiB"}},
		{415, nil, `{"title":"Unsupported Media Type"}`, []string{"(415)", "bug"}},
		{429, map[string]string{"Retry-After": "7"}, `{"title":"Too Many Requests"}`, []string{"rate limiting", "(429)", "retry after 7 s"}},
		{429, nil, `{"title":"Too Many Requests"}`, []string{"rate limiting", "(429)"}},
		{500, nil, `{"title":"Internal","traceId":"00-aa-bb-00"}`, []string{"platform had an error (500)", "quote trace id 00-aa-bb-00"}},
		{502, nil, ``, []string{"platform had an error (502)"}},
		{503, map[string]string{"Retry-After": "30"}, `{}`, []string{"(503)", "after 30 s"}},
		{504, map[string]string{"X-Trace-Id": "hdr-trace"}, `{}`, []string{"(504)", "hdr-trace"}},
		{418, nil, `{}`, []string{"418"}},
	}
	for _, tc := range cases {
		e := getErr(t, func(w http.ResponseWriter, r *http.Request) {
			for k, v := range tc.header {
				w.Header().Set(k, v)
			}
			writeProblem(w, tc.status, tc.body)
		})
		msg := e.Message()
		for _, want := range tc.want {
			if !strings.Contains(msg, want) {
				t.Errorf("%d: Message() = %q, missing %q", tc.status, msg, want)
			}
		}
		assertOneCleanLine(t, msg)
		assertOneCleanLine(t, e.Error())
		if !strings.Contains(e.Error(), http.StatusText(tc.status)) {
			t.Errorf("%d: Error() = %q", tc.status, e.Error())
		}
	}
}

func TestStatusCodeHelpers(t *testing.T) {
	if StatusCode(errors.New("x")) != 0 || IsNotFound(nil) || StatusCode(nil) != 0 {
		t.Error("non-API errors")
	}
	wrapped := &OutcomeUnknownError{Op: "create API token", Err: &Error{StatusCode: 502}}
	if StatusCode(wrapped) != 502 || !errors.Is(wrapped, ErrOutcomeUnknown) {
		t.Error("wrapped")
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"5":                             5 * time.Second,
		" 12 ":                          12 * time.Second,
		"-3":                            0,
		"soon":                          0,
		"Fri, 27 Nov 2026 10:00:09 GMT": 9 * time.Second,
		"Fri, 27 Nov 2026 09:00:00 GMT": 0,
		"99999999999":                   24 * time.Hour,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                  "plain",
		"a\x1b[31mred\x1b[0m":    "ared",
		"osc\x1b]52;c;AAAA\x07!": "osc!",
		"line1\r\nline2\tx":      "line1 line2 x",
		"bidi\u202eevil\u2066x":  "bidievilx",
		"c1\u009bx\u0085y":       "c1xy",
		"bad\xffutf8":            "bad\ufffdutf8",
		"  lead and trail  ":     "lead and trail",
		"nul\x00byte":            "nulbyte",
		"para\u2029graph":        "para graph",
		"zero\u200bwidth is ok?": "zero\u200bwidth is ok?",
	} {
		if got := sanitize(in, 0); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
	if got := sanitize(strings.Repeat("é", 50), 10); got != strings.Repeat("é", 9)+"…" {
		t.Errorf("cut: %q", got)
	}
}

// TestFieldErrorsAreBounded: a 400 naming hundreds of long fields still
// makes a bounded, one-line error.
func TestFieldErrorsAreBounded(t *testing.T) {
	errs := map[string][]string{}
	for i := range 200 {
		errs[fmt.Sprintf("field%03d", i)] = []string{strings.Repeat("m", 500)}
	}
	got := formatFieldErrors(errs)
	if n := len([]rune(got)); n > maxFieldErrorLen {
		t.Errorf("%d runes, want at most %d", n, maxFieldErrorLen)
	}
	if !strings.HasPrefix(got, "field000: ") {
		t.Errorf("fields not sorted: %.40q", got)
	}
	short := formatFieldErrors(map[string][]string{"a": {"x"}, "b": {"y"}, "c": {"z"}, "d": {"1"}, "e": {"2"},
		"f": {"3"}, "g": {"4"}, "h": {"5"}, "i": {"6"}, "j": {"7"}, "k": {"8"}, "l": {"9"}})
	if !strings.HasSuffix(short, "; and 2 more") {
		t.Errorf("got %q, want the fields past the tenth counted", short)
	}
}

// TestOpMessages: a 403, 404 or 409 of an operation on one token says what
// failed and what the person can do.
func TestOpMessages(t *testing.T) {
	for code, want := range map[int]string{
		403: "Could not delete API token TKN-1111-2222 (403): the API token in use may not do this. Use a token of the token's account",
		404: "Could not delete API token TKN-1111-2222 (404): no such token, it was deleted, or it belongs to an account this API token cannot see. Reload the list.",
		409: "Could not delete API token TKN-1111-2222 (409): the token is not in a state that allows it",
	} {
		e := &Error{Op: "delete API token TKN-1111-2222", Method: "DELETE", Path: "/x", StatusCode: code, Problem: ProblemDetails{TraceID: "abc"}}
		if msg := e.Message(); !strings.HasPrefix(msg, want) || !strings.Contains(msg, "abc") {
			t.Errorf("%d: %s", code, msg)
		}
		// Without an operation the general wording stays.
		e.Op = ""
		if strings.Contains(e.Message(), "Could not") {
			t.Errorf("%d without Op: %s", code, e.Message())
		}
	}
}

// TestHeadline: a 400 that names fields has a headline without them (the
// caller lists them); every other error's headline is its Message.
func TestHeadline(t *testing.T) {
	withFields := &Error{StatusCode: 400, Problem: ProblemDetails{Errors: map[string][]string{"name": {"Too long."}}}}
	if h := withFields.Headline(); h != "The Marketplace API refused the request (400). Fix these fields:" || !strings.Contains(withFields.Message(), h+" name: Too long.") {
		t.Errorf("headline %q of message %q", h, withFields.Message())
	}
	for _, e := range []*Error{
		{StatusCode: 400, Problem: ProblemDetails{Detail: "Bad."}},
		{StatusCode: 401},
		{StatusCode: 404, Path: "/x"},
	} {
		if e.Headline() != e.Message() {
			t.Errorf("%d: headline %q, message %q", e.StatusCode, e.Headline(), e.Message())
		}
	}
}
