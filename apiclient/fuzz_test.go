package apiclient_test

// Fuzz targets for what the client takes from outside: the 201 answer of a
// create, error answers, and the user's input to a create. Seeds are below
// (f.Add) and in testdata/fuzz/<FuzzName>/. Run one with, e.g.,
//
//	go test -run '^$' -fuzz '^FuzzDecodeAPIToken$' -fuzztime 60s ./apiclient/

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/softwareone/apitoken/apiclient"
)

// cannedServer answers every request with the response set last. A fuzz
// worker runs its inputs one at a time; call serialises them even if the
// target is ever run in parallel.
type cannedServer struct {
	callMu sync.Mutex // held for a whole input

	mu   sync.Mutex // guards resp, read by the handler's goroutine
	resp cannedResponse

	client *apiclient.Client
}

type cannedResponse struct {
	status                  int
	contentType, retryAfter string
	body                    []byte
}

func newCannedServer(f *testing.F) *cannedServer {
	f.Helper()
	cs := &cannedServer{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		cs.mu.Lock()
		resp := cs.resp
		cs.mu.Unlock()
		if resp.contentType != "" {
			w.Header().Set("Content-Type", resp.contentType)
		}
		if resp.retryAfter != "" {
			w.Header().Set("Retry-After", resp.retryAfter)
		}
		w.WriteHeader(resp.status)
		_, _ = w.Write(resp.body)
	}))
	f.Cleanup(ts.Close)
	c, err := apiclient.New(
		apiclient.WithBaseURL(ts.URL),
		apiclient.WithToken("fuzz-token-0123456789"),
		apiclient.WithHTTPClient(ts.Client()),
		apiclient.WithRetry(0, 0), // one request per input
	)
	if err != nil {
		f.Fatal(err)
	}
	cs.client = c
	return cs
}

// call runs fn with the server answering resp.
func (cs *cannedServer) call(resp cannedResponse, fn func(*apiclient.Client)) {
	cs.callMu.Lock()
	defer cs.callMu.Unlock()
	cs.mu.Lock()
	cs.resp = resp
	cs.mu.Unlock()
	fn(cs.client)
}

// unsafeRune returns the first rune of s that must not reach a terminal
// as is: a C0 or C1 control (ESC, CR, LF, BEL, … included), DEL, a bidi
// control, a line or paragraph separator, or invalid UTF-8.
func unsafeRune(s string) (rune, bool) {
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return r, true
			}
		case unicode.IsControl(r), isBidi(r), r == '\u2028', r == '\u2029':
			return r, true
		}
	}
	return 0, false
}

func isBidi(r rune) bool {
	return r == '\u061c' || r == '\u200e' || r == '\u200f' ||
		(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// FuzzDecodeAPIToken: whatever a server answers to a create with 201, the
// client neither panics nor returns a token without an id, and its error
// is clean text.
func FuzzDecodeAPIToken(f *testing.F) {
	for _, s := range []string{
		`{"id":"TKN-4134-7330","name":"nightly export","revision":1,"status":"Active","token":"idt:TKN-4134-7330:abc","modules":[{"id":"MOD-1001","name":"Orders"}],"extensions":[]}`,
		`{"id":"TKN-4134-7330","audit":{"created":{"at":"2026-11-27T10:00:00.000Z","by":{"id":"USR-0000-0001"}}},"lastAccessAt":null,"description":null,"icon":null}`,
		`{}`, `{"id":""}`, `{"id":null}`, `{"id":5}`, `{"id":"x","revision":"1"}`, `{"id":"x","revision":1e999}`,
		`{"id":"x","audit":{"created":{"at":"yesterday"}}}`, `{"id":"x","modules":{}}`, `{"id":"x","token":5}`,
		`null`, `[]`, `"TKN"`, `0`, ``, ` `, `{"id":"TKN-1`, `{"id":"TKN-1"}}`, `{"id":"TKN-1"} {"id":"TKN-2"}`,
		`<html><title>Sign in</title></html>`, `<html><title>` + "\x1b]52;c;aGVsbG8=\x07" + `</title>`,
		`{"id":"\u001b[2J\u202e"}`, "{\"id\":\"\x1b[2J\"}", "\xef\xbb\xbf{\"id\":\"x\"}", "{\"id\":\"\xff\xfe\"}",
		`{"id":"x","name":"` + strings.Repeat("é", 300) + `"}`, `{"\u0069d":"escaped key"}`, `{"ID":"case"}`,
	} {
		f.Add([]byte(s))
	}
	cs := newCannedServer(f)
	req := &apiclient.CreateAPITokenRequest{AccountID: "ACC-1234-5678", Name: "fuzz", ModuleIDs: []string{"MOD-1001"}}
	f.Fuzz(func(t *testing.T, body []byte) {
		var tok *apiclient.APIToken
		var err error
		cs.call(cannedResponse{status: http.StatusCreated, contentType: "application/json; charset=utf-8", body: body}, func(c *apiclient.Client) {
			tok, err = c.CreateAPIToken(context.Background(), req)
		})
		if err != nil {
			if tok != nil {
				t.Fatalf("both a token and an error: %+v, %v", tok, err)
			}
			// A 201 means the token exists: an unreadable one is an
			// unknown outcome, never a plain failure.
			if !errors.Is(err, apiclient.ErrOutcomeUnknown) || !errors.Is(err, apiclient.ErrMalformedResponse) {
				t.Fatalf("error %v (%T): want outcome unknown and malformed response", err, err)
			}
			if r, bad := unsafeRune(err.Error()); bad {
				t.Fatalf("error has %U: %q", r, err.Error())
			}
			return
		}
		if tok == nil || tok.ID == "" {
			t.Fatalf("no error and no token id: %+v", tok)
		}
	})
}

// maxErrorText bounds what Error() and Message() may print for one answer:
// title and detail (500 runes each), the field errors, the method and path,
// the trace id.
const maxErrorText = 4000

// FuzzParseProblem: whatever an error answer holds (body, content type,
// Retry-After), *Error.Error() and Message() are one line of clean text of
// bounded length.
func FuzzParseProblem(f *testing.F) {
	type seed struct {
		status          uint8 // index into statuses
		contentType, ra string
		body            string
	}
	for _, s := range []seed{
		{0, "application/problem+json", "", `{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"traceId":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00","errors":{"name":["The name field is required."],"modules[0].id":["Unknown."]}}`},
		{1, "application/problem+json", "", `{"title":"Internal Server Error","status":500,"detail":"boom","traceId":"00-1-2-00"}`},
		{0, "application/problem+json", "", `{"title":"\u001b]52;c;aGVsbG8=\u0007","detail":"\u001b[2J\u202eevil\r\nline","errors":{"\u001b[31mname":"one string, not a list","x":[1,null,"\u009b31m"]}}`},
		{1, "text/html", "", `<html><head><title>502 Bad Gateway` + "\x1b[5m" + `</title></head></html>`},
		{1, "text/plain", "", "upstream connect error\r\n\x07\x08\x00"},
		{1, "", "", ""},
		{0, "application/json", "", `{"errors":{"":[""]},"status":"400","traceId":5}`},
		{0, "application/problem+json", "", `{"errors":null,"title":null}`},
		{7, "application/problem+json", "120", `{"title":"Too Many Requests"}`},
		{7, "", "Wed, 21 Oct 2015 07:28:00 GMT", ``},
		{8, "application/problem+json", "-1", `[1,2,3]`},
		{1, "application/problem+json; charset=\x1b", "", `{"detail":"` + strings.Repeat("\u202e", 600) + `"}`},
		{0, "application/problem+json", "", `{"detail":"` + strings.Repeat("x", 2000) + `","title":"` + strings.Repeat("\u00e9", 700) + `"}`},
		{1, "application/problem+json", "", "{\"detail\":\"\xff\xfe\xfd\"}"},
	} {
		f.Add(s.status, s.contentType, s.ra, []byte(s.body))
	}
	statuses := []int{400, 500, 401, 403, 404, 409, 413, 429, 503, 502, 504, 405, 415, 418}
	cs := newCannedServer(f)
	f.Fuzz(func(t *testing.T, status uint8, contentType, retryAfter string, body []byte) {
		code := statuses[int(status)%len(statuses)]
		// A header value with control characters cannot travel (the
		// transport refuses the whole answer): fuzz what can.
		contentType, retryAfter = headerSafe(contentType), headerSafe(retryAfter)
		var err error
		cs.call(cannedResponse{status: code, contentType: contentType, retryAfter: retryAfter, body: body}, func(c *apiclient.Client) {
			_, err = c.GetAPIToken(context.Background(), "TKN-1111-2222")
		})
		var e *apiclient.Error
		if !errors.As(err, &e) {
			t.Fatalf("status %d: want an *apiclient.Error, got %T %v", code, err, err)
		}
		if e.StatusCode != code {
			t.Fatalf("status %d, want %d", e.StatusCode, code)
		}
		for what, s := range map[string]string{"Error()": e.Error(), "Message()": e.Message()} {
			if r, bad := unsafeRune(s); bad {
				t.Fatalf("%s has %U: %q", what, r, s)
			}
			if n := utf8.RuneCountInString(s); n > maxErrorText {
				t.Fatalf("%s is %d runes long: %.200q…", what, n, s)
			}
			if strings.TrimSpace(s) == "" {
				t.Fatalf("%s is empty", what)
			}
		}
		// What a caller may print on its own is clean too.
		for field, msgs := range e.FieldErrors() {
			for _, s := range append([]string{field}, msgs...) {
				if r, bad := unsafeRune(s); bad {
					t.Fatalf("field error %q has %U: %q", field, r, s)
				}
			}
		}
		p := e.Problem
		for _, s := range []string{p.Type, p.Title, p.Detail, p.Instance, p.TraceID, e.Excerpt} {
			if r, bad := unsafeRune(s); bad {
				t.Fatalf("problem field has %U: %q", r, s)
			}
		}
	})
}

// headerSafe drops what net/http will not carry in a header value.
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if (r < ' ' && r != '\t') || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// The documented rules, written out again here so the fuzzer checks
// Validate against them rather than against itself.
var (
	fuzzAccountID = regexp.MustCompile(`^ACC-[0-9]{4}-[0-9]{4}$`)
	fuzzModuleID  = regexp.MustCompile(`^MOD-[0-9]{4}(-[0-9]{4})?$`)
)

// nameOK is the name rule: trimmed of white space, 1 to 100 runes of valid
// UTF-8, no control, bidi control or line/paragraph separator.
func nameOK(s string) bool {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	_, bad := unsafeRune(s)
	return n >= 1 && n <= apiclient.MaxNameLength && utf8.ValidString(s) && !bad
}

// descriptionOK is the description rule: optional, at most 1000 runes once
// trimmed, and line breaks and tabs are the only controls allowed.
func descriptionOK(s string) bool {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > apiclient.MaxDescriptionLength {
		return false
	}
	_, bad := unsafeRune(strings.NewReplacer("\n", "", "\r", "", "\t", "").Replace(s))
	return !bad
}

// FuzzValidateRequest: CheckName, CheckDescription and Validate never
// panic, agree with the documented rules (both ways for the name and the
// description), and word their refusals as clean text.
func FuzzValidateRequest(f *testing.F) {
	f.Add("ACC-1234-5678", "nightly export", "", "MOD-1001", "")
	f.Add(" ACC-1234-5678 ", "  padded  ", "line one\nline two\ttab\r\n", "MOD-1001, MOD-1002-0003", "EXT-1,ext.2")
	f.Add("ACC-1234-567", "", "", "", "")
	f.Add("acc-1234-5678", " \t\n ", strings.Repeat("d", 1001), "MOD-1001,MOD-1001", ",")
	f.Add("ACC-1234-5678", strings.Repeat("n", 100), strings.Repeat("é", 1000), "MOD-1001", "")
	f.Add("ACC-1234-5678", strings.Repeat("n", 101), "", "MOD-1001", "")
	f.Add("ACC-1234-5678", "evil\x1b[2J", "desc\x1b]52;c;aGVsbG8=\x07", "MOD-1001", "")
	f.Add("ACC-1234-5678", "bidi\u202egnp.exe", "iso\u2066late\u2069", "MOD-1001", "ext\u202e")
	f.Add("ACC-1234-5678", "c1\u009b31m", "nel\u0085", "MOD-1001", "")
	f.Add("ACC-1234-5678", "\u0085trimmed\u2028", "\u2028", "MOD-1001", "")
	f.Add("ACC-1234-5678", "bad\xffutf8", "bad\xfe", "MOD-1001", "")
	f.Add("ACC-1234-5678", "ok", "", "MOD-٠١٢٣", "") // Arabic-Indic digits are not \d in RE2 ASCII classes
	f.Add("ACC-1234-5678", "ok", "", strings.Repeat("MOD-1001,", 101), "")
	f.Add("ACC-1234-5678\n", "ok", "", "MOD-1001\x00", "")
	f.Fuzz(func(t *testing.T, account, name, description, modules, extensions string) {
		nameErr := apiclient.CheckName(name)
		if (nameErr == nil) != nameOK(name) {
			t.Fatalf("CheckName(%q) = %v, but the rules say ok=%v", name, nameErr, nameOK(name))
		}
		descErr := apiclient.CheckDescription(description)
		if (descErr == nil) != descriptionOK(description) {
			t.Fatalf("CheckDescription(%q) = %v, but the rules say ok=%v", description, descErr, descriptionOK(description))
		}
		for _, err := range []error{nameErr, descErr} {
			if err == nil {
				continue
			}
			if r, bad := unsafeRune(err.Error()); bad {
				t.Fatalf("error has %U: %q", r, err.Error())
			}
		}

		req := &apiclient.CreateAPITokenRequest{AccountID: account, Name: name, Description: description, ModuleIDs: strings.Split(modules, ",")}
		if extensions != "" {
			req.ExtensionIDs = strings.Split(extensions, ",")
		}
		err := req.Validate()
		if err != nil {
			var invalid *apiclient.InvalidRequestError
			if !errors.As(err, &invalid) || len(invalid.Fields) == 0 {
				t.Fatalf("Validate: %T %v, want an *InvalidRequestError naming fields", err, err)
			}
			if r, bad := unsafeRune(err.Error()); bad {
				t.Fatalf("Validate error has %U: %q", r, err.Error())
			}
			return
		}
		// Whatever passes must satisfy every rule.
		if !fuzzAccountID.MatchString(strings.TrimSpace(account)) {
			t.Fatalf("account %q passed", account)
		}
		if !nameOK(name) || !descriptionOK(description) {
			t.Fatalf("name %q / description %q passed", name, description)
		}
		if n := len(req.ModuleIDs); n < 1 || n > apiclient.MaxModules {
			t.Fatalf("%d modules passed", n)
		}
		seen := map[string]bool{}
		for _, id := range req.ModuleIDs {
			id = strings.TrimSpace(id)
			if !fuzzModuleID.MatchString(id) || seen[id] {
				t.Fatalf("module id %q passed (modules %q)", id, modules)
			}
			seen[id] = true
		}
		for _, id := range req.ExtensionIDs {
			id = strings.TrimSpace(id)
			if _, bad := unsafeRune(id); id == "" || bad {
				t.Fatalf("extension id %q passed", id)
			}
		}
		// And what passes is sent as the trimmed values.
		js, err := req.JSON()
		if err != nil {
			t.Fatalf("JSON: %v", err)
		}
		if !strings.Contains(string(js), `"account":{"id":"`+strings.TrimSpace(account)+`"}`) {
			t.Fatalf("JSON %s does not carry the trimmed account id", js)
		}
	})
}
