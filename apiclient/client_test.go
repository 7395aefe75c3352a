package apiclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/softwareone/apitoken/internal/pipenet"
)

func TestNewValidation(t *testing.T) {
	good := []string{"https://api.platform.softwareone.com", "http://localhost:8080", "https://x.example/prefix/"}
	for _, u := range good {
		if _, err := New(WithBaseURL(u), WithToken("t")); err != nil {
			t.Errorf("New(%q): %v", u, err)
		}
	}
	bad := []string{"ftp://x", "api.platform.softwareone.com", "/relative", "https://", "https://x?y=1", "https://x#frag", "https://user:pw@x", "::"}
	for _, u := range bad {
		_, err := New(WithBaseURL(u), WithToken("t"))
		if err == nil {
			t.Errorf("New(%q): want an error", u)
			continue
		}
		if strings.Contains(err.Error(), "pw@") {
			t.Errorf("password shown: %v", err)
		}
	}
	if _, err := New(); err == nil || !strings.Contains(err.Error(), "MPT_API_TOKEN") {
		t.Errorf("missing token: %v", err)
	}
	if _, err := New(WithToken("  ")); err == nil {
		t.Error("blank token accepted")
	}
	_, err := New(WithToken("abc\ndef" + Secret(testToken)))
	if err == nil || strings.Contains(err.Error(), "S3cr3t") {
		t.Errorf("token with newline: %v", err)
	}
	for _, o := range []Option{WithHTTPClient(nil), WithTimeout(-1), WithRetry(-1, 0), WithUserAgent("a\nb")} {
		if _, err := New(WithToken("t"), o); err == nil {
			t.Error("bad option accepted")
		}
	}
	c, err := New(WithToken("t"), WithBaseURL("https://x.example/public/v1/"))
	if err != nil || c.BaseURL() != "https://x.example" {
		t.Errorf("BaseURL: %v %q", err, c.BaseURL())
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	cfg := ConfigFromEnv(env(map[string]string{}))
	if cfg.BaseURL != DefaultBaseURL || !cfg.Token.IsZero() {
		t.Errorf("defaults: %+v", cfg)
	}
	for in, want := range map[string]string{
		"https://api.s1.show/public/v1/": "https://api.s1.show",
		"https://api.s1.show/public/v1":  "https://api.s1.show",
		"https://api.s1.show//":          "https://api.s1.show",
		" http://localhost:8080 ":        "http://localhost:8080",
		"":                               DefaultBaseURL,
	} {
		cfg = ConfigFromEnv(env(map[string]string{"MPT_API_BASE_URL": in, "MPT_API_TOKEN": " \tidt:TKN-1:x\n"}))
		if cfg.BaseURL != want || cfg.Token.Reveal() != "idt:TKN-1:x" {
			t.Errorf("%q: %+v %q", in, cfg, cfg.Token.Reveal())
		}
	}
	cfg = ConfigFromEnv(env(map[string]string{"MPT_API_BASE_URL": "https://h:1/public/v1", "MPT_API_TOKEN": "t"}))
	c, err := New(cfg.Options()...)
	if err != nil || c.BaseURL() != "https://h:1" {
		t.Errorf("Options: %v", err)
	}
}

// TestPlainHTTPOnlyToLoopback: the bearer token never travels in clear text
// to another machine unless the caller opted in.
func TestPlainHTTPOnlyToLoopback(t *testing.T) {
	for _, tt := range []struct {
		url string
		ok  bool
	}{
		{"http://api.example.com", false},
		{"http://10.20.30.40:8080", false},
		{"http://api.platform.softwareone.com", false},
		{"http://localhost.evil.com", false},
		{"http://127.0.0.1.nip.io", false},
		{"http://localhost:8080", true},
		{"http://LOCALHOST", true},
		{"http://127.0.0.1:1", true},
		{"http://127.8.9.10", true},
		{"http://[::1]:8080", true},
		{"https://api.example.com", true},
	} {
		_, err := New(WithBaseURL(tt.url), WithToken("t"))
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v, want ok=%v", tt.url, err, tt.ok)
		}
		if err != nil && (!strings.Contains(err.Error(), "unencrypted") || !strings.Contains(err.Error(), "https://")) {
			t.Errorf("%s: message does not say why and what to do: %v", tt.url, err)
		}
		if _, err := New(WithBaseURL(tt.url), WithToken("t"), WithInsecureHTTP()); err != nil {
			t.Errorf("%s with WithInsecureHTTP: %v", tt.url, err)
		}
	}
}

func TestUserAgent(t *testing.T) {
	want := fmt.Sprintf("apitoken/dev (%s; %s/%s)", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if UserAgent("") != want {
		t.Errorf("UserAgent(\"\") = %q", UserAgent(""))
	}
	if !strings.HasPrefix(UserAgent("1.2.3"), "apitoken/1.2.3 (go") {
		t.Errorf("UserAgent(1.2.3) = %q", UserAgent("1.2.3"))
	}
}

func TestRequestHeaders(t *testing.T) {
	var got http.Header
	var uri string
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		uri = r.RequestURI
		writeJSON(w, 200, tokenJSON)
	}), WithUserAgent(UserAgent("9.9")))
	tok, err := c.GetAPIToken(context.Background(), "TKN-4134-7330")
	if err != nil {
		t.Fatal(err)
	}
	if got.Get("Authorization") != "Bearer "+string(testToken) || got.Get("Accept") != "application/json" ||
		!strings.HasPrefix(got.Get("User-Agent"), "apitoken/9.9 (") {
		t.Errorf("headers: %v", got)
	}
	if uri != "/public/v1/accounts/api-tokens/TKN-4134-7330" {
		t.Errorf("uri %q", uri)
	}
	if tok.ID != "TKN-4134-7330" || tok.Account.Type != "Client" || tok.Modules[0].Settings.Eligibility == nil {
		t.Errorf("token: %+v", tok)
	}
}

func TestRetryAfterSecondsOnGet(t *testing.T) {
	var n atomic.Int32
	c, w := newTestClient(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			rw.Header().Set("Retry-After", "3")
			writeProblem(rw, 429, `{"title":"Too Many Requests"}`)
		case 2:
			rw.Header().Set("Retry-After", "120") // capped to maxWait
			writeProblem(rw, 503, `{"title":"Service Unavailable"}`)
		default:
			writeJSON(rw, 200, tokenJSON)
		}
	}), WithRetry(3, 30*time.Second))
	if _, err := c.GetAPIToken(context.Background(), "TKN-4134-7330"); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 {
		t.Errorf("requests: %d, want 3", n.Load())
	}
	if got := w.all(); len(got) != 2 || got[0] != 3*time.Second || got[1] != 30*time.Second {
		t.Errorf("waits: %v", got)
	}
}

func TestRetryAfterDateOnGet(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	var n atomic.Int32
	c, w := newTestClient(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			rw.Header().Set("Retry-After", now.Add(5*time.Second).Format(http.TimeFormat))
			writeProblem(rw, 503, `{}`)
			return
		}
		writeJSON(rw, 200, `{"data":[],"$meta":{"pagination":{"offset":0,"limit":10,"total":0}}}`)
	}))
	c.now = func() time.Time { return now }
	if _, _, err := c.ListAPITokens(context.Background(), "", nil); err != nil {
		t.Fatal(err)
	}
	if got := w.all(); n.Load() != 2 || len(got) != 1 || got[0] != 5*time.Second {
		t.Errorf("requests %d, waits %v", n.Load(), got)
	}
}

func TestBackoffWithoutRetryAfterAndGiveUp(t *testing.T) {
	var n atomic.Int32
	c, w := newTestClient(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeProblem(rw, 502, `{"title":"Bad Gateway","traceId":"T"}`)
	}), WithRetry(3, 30*time.Second))
	_, err := c.GetAPIToken(context.Background(), "TKN-4134-7330")
	if StatusCode(err) != 502 || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("err: %v", err)
	}
	if n.Load() != 4 {
		t.Errorf("requests: %d, want 1+3", n.Load())
	}
	got := w.all()
	if len(got) != 3 {
		t.Fatalf("waits: %v", got)
	}
	for i, d := range got {
		step := defaultBackoff << i
		if d < step/2 || d > step {
			t.Errorf("wait %d = %v, want in [%v, %v]", i, d, step/2, step)
		}
	}
}

func TestNoRetryOn4xxAndPost(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 409, 500} {
		var n atomic.Int32
		c, _ := newTestClient(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			n.Add(1)
			writeProblem(rw, status, `{}`)
		}))
		_, err := c.GetAPIToken(context.Background(), "TKN-4134-7330")
		if StatusCode(err) != status || n.Load() != 1 {
			t.Errorf("GET %d: %d requests, %v", status, n.Load(), err)
		}
	}
	for _, status := range []int{429, 502, 503, 504} {
		var n atomic.Int32
		c, w := newTestClient(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			n.Add(1)
			rw.Header().Set("Retry-After", "1")
			writeProblem(rw, status, `{}`)
		}))
		_, err := c.CreateAPIToken(context.Background(), validRequest())
		if n.Load() != 1 || len(w.all()) != 0 {
			t.Errorf("POST %d: retried (%d requests)", status, n.Load())
		}
		if StatusCode(err) != status {
			t.Errorf("POST %d: %v", status, err)
		}
		if status == 429 && errors.Is(err, ErrOutcomeUnknown) {
			t.Errorf("429 on create is known not created: %v", err)
		}
		if status >= 500 && !errors.Is(err, ErrOutcomeUnknown) {
			t.Errorf("%d on create must be outcome unknown: %v", status, err)
		}
		_, err = c.DisableAPIToken(context.Background(), "TKN-4134-7330")
		if n.Load() != 2 || StatusCode(err) != status {
			t.Errorf("disable %d retried: %d", status, n.Load())
		}
	}
}

func TestRetryStopsOnContext(t *testing.T) {
	var n atomic.Int32
	c, _ := newTestClient(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		n.Add(1)
		rw.Header().Set("Retry-After", "10")
		writeProblem(rw, 503, `{}`)
	}))
	c.sleep = sleepContext // really wait
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.GetAPIToken(ctx, "TKN-4134-7330")
	if !errors.Is(err, context.Canceled) || StatusCode(err) != 503 || time.Since(start) > 5*time.Second {
		t.Errorf("err %v after %v", err, time.Since(start))
	}
	// A deadline shorter than the wait: no wait at all.
	ctx2, cancel2 := context.WithTimeout(context.Background(), time.Second)
	defer cancel2()
	start = time.Now()
	_, err = c.GetAPIToken(ctx2, "TKN-4134-7330")
	if StatusCode(err) != 503 || time.Since(start) > 900*time.Millisecond {
		t.Errorf("err %v after %v", err, time.Since(start))
	}
}

func TestGetRetriesTransportErrors(t *testing.T) {
	var n atomic.Int32
	c, w := newTestClient(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			conn, _, _ := rw.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		writeJSON(rw, 200, tokenJSON)
	}))
	if _, err := c.GetAPIToken(context.Background(), "TKN-4134-7330"); err != nil {
		t.Fatal(err)
	}
	if n.Load() < 2 || len(w.all()) < 1 {
		t.Errorf("requests %d waits %v", n.Load(), w.all())
	}
}

// Outcome-unknown classification of a create.

func TestCreateConnectionDroppedAfterBody(t *testing.T) {
	var n atomic.Int32
	c, _ := newTestClient(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		n.Add(1)
		_, _ = io.ReadAll(r.Body)
		conn, _, err := rw.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	_, err := c.CreateAPIToken(context.Background(), validRequest())
	var ou *OutcomeUnknownError
	if !errors.As(err, &ou) || !errors.Is(err, ErrOutcomeUnknown) || ou.Op != "create API token" {
		t.Fatalf("want OutcomeUnknownError, got %T %v", err, err)
	}
	if n.Load() != 1 {
		t.Errorf("create sent %d times", n.Load())
	}
	if strings.Contains(err.Error(), "S3cr3t") || strings.Contains(err.Error(), "http://") {
		t.Errorf("error text: %v", err)
	}
}

func TestCreateClosedPortIsPlainError(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c, err := New(WithBaseURL("http://"+addr), WithToken(testToken))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateAPIToken(context.Background(), validRequest())
	if err == nil || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("want a plain error, got %T %v", err, err)
	}
	var ou *OutcomeUnknownError
	if errors.As(err, &ou) {
		t.Fatal("OutcomeUnknownError for a refused connection")
	}
}

func TestCreateTimeoutIsOutcomeUnknown(t *testing.T) {
	c, _ := newTestClient(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		<-r.Context().Done() // only the client's deadline ends it
	}), WithTimeout(time.Second)) // long enough to have sent the request on a loaded machine
	_, err := c.CreateAPIToken(context.Background(), validRequest())
	if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want outcome unknown (deadline), got %T %v", err, err)
	}
	// The caller's own deadline, too.
	c2, _ := newTestClient(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		<-r.Context().Done() // only the client's deadline ends it
	}))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := c2.CreateAPIToken(ctx, validRequest()); !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("caller deadline: %v", err)
	}
	// Cancelled before anything was sent: known not sent.
	ctx3, cancel3 := context.WithCancel(context.Background())
	cancel3()
	if _, err := c2.CreateAPIToken(ctx3, validRequest()); errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled before sending: %v", err)
	}
}

func TestCreateBadGatewayIsOutcomeUnknown(t *testing.T) {
	c, _ := newTestClient(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("X-Trace-Id", "00-502-00")
		writeProblem(rw, 502, `{"title":"Bad Gateway"}`)
	}))
	_, err := c.CreateAPIToken(context.Background(), validRequest())
	var e *Error
	if !errors.Is(err, ErrOutcomeUnknown) || !errors.As(err, &e) || e.Problem.TraceID != "00-502-00" {
		t.Fatalf("got %T %v", err, err)
	}
}

func TestCreateUnreadable201IsOutcomeUnknown(t *testing.T) {
	for name, body := range map[string]string{"truncated": tokenJSON[:200], "empty": "", "no id": `{"name":"x"}`} {
		c, _ := newTestClient(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			writeJSON(rw, 201, body)
		}))
		_, err := c.CreateAPIToken(context.Background(), validRequest())
		if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, ErrMalformedResponse) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCustomTransportWithoutTrace(t *testing.T) {
	// A RoundTripper that ignores httptrace: errors other than dial errors
	// must count as "may have been sent".
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) { return nil, io.ErrUnexpectedEOF })
	c, err := New(WithToken(testToken), WithHTTPClient(&http.Client{Transport: rt}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAPIToken(context.Background(), validRequest()); !errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("got %v", err)
	}
	rt = func(r *http.Request) (*http.Response, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	}
	c, _ = New(WithToken(testToken), WithHTTPClient(&http.Client{Transport: rt}))
	if _, err := c.CreateAPIToken(context.Background(), validRequest()); err == nil || errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("dial error: %v", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Malformed answers.

func TestMalformedAnswers(t *testing.T) {
	cases := map[string]struct {
		ct, body string
		want     string
	}{
		"empty 200":    {"application/json", "", "empty"},
		"null":         {"application/json", "null", "null"},
		"truncated":    {"application/json", tokenJSON[:120], "truncated"},
		"html":         {"text/html", "<!doctype html><html><head><title>Sign in</title></head></html>", "HTML page (\"Sign in\")"},
		"html no ct":   {"", "  <html><body>hi</body></html>", "HTML page"},
		"garbage":      {"application/json", "{\"id\":\"x\" \x1b[2J}", "invalid JSON at byte"},
		"wrong type":   {"application/json", `{"id":"TKN-1","revision":"one"}`, `field "revision" is a JSON string, expected a number`},
		"nested type":  {"application/json", `{"id":"TKN-1","account":{"id":5}}`, `field "account.id" is a JSON number, expected a string`},
		"array":        {"application/json", `[1,2]`, "the answer is a JSON array, expected an object"},
		"bad time":     {"application/json", `{"id":"TKN-1","lastAccessAt":"yesterday"}`, "malformed response"},
		"token number": {"application/json", `{"id":"TKN-1","token":5}`, `field "token" is a JSON number, expected a string`},
		"trailing":     {"application/json", `{"id":"TKN-1"} {"id":"TKN-2"}`, "invalid JSON"},
	}
	for name, tc := range cases {
		c, _ := newTestClient(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			if tc.ct != "" {
				rw.Header().Set("Content-Type", tc.ct)
			}
			rw.WriteHeader(200)
			_, _ = rw.Write([]byte(tc.body))
		}))
		_, err := c.GetAPIToken(context.Background(), "TKN-1111-2222")
		if !errors.Is(err, ErrMalformedResponse) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", name, err, tc.want)
			continue
		}
		assertOneCleanLine(t, err.Error())
		if len(err.Error()) > 400 {
			t.Errorf("%s: error too long: %q", name, err)
		}
	}
}

func TestListEnvelopeMalformed(t *testing.T) {
	for body, want := range map[string]string{
		`{"$meta":{}}`: `no "data" list`,
		`{"data":[{"id":"TKN-1","revision":"x"}]}`: `field "data.revision" is a JSON string`,
		`{"data":{}}`: `field "data" is a JSON object, expected an array`,
	} {
		c, _ := newTestClient(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { writeJSON(rw, 200, body) }))
		_, _, err := c.ListAPITokens(context.Background(), "", nil)
		if !errors.Is(err, ErrMalformedResponse) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", body, err)
		}
	}
	c, _ := newTestClient(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		writeJSON(rw, 200, `{"data":[{"id":"TKN-1"},{"id":"TKN-2"}]}`)
	}))
	items, pg, err := c.ListAPITokens(context.Background(), "", &ListAPITokensOptions{Offset: 4})
	if err != nil || len(items) != 2 || pg == nil || pg.Total != 6 || pg.Offset != 4 {
		t.Errorf("no pagination: %v %v %+v", err, items, pg)
	}
}

func TestBodyCap(t *testing.T) {
	var n atomic.Int32
	c, _ := newTestClient(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		n.Add(1)
		rw.Header().Set("Content-Type", "application/json")
		_, _ = rw.Write([]byte(`{"data":[`))
		chunk := bytes.Repeat([]byte(`{"id":"TKN-1111-2222","name":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},`), 1<<14)
		for written := 0; written <= maxResponseBytes; written += len(chunk) {
			if _, err := rw.Write(chunk); err != nil {
				return
			}
		}
	}))
	_, _, err := c.ListAPITokens(context.Background(), "", nil)
	if !errors.Is(err, ErrResponseTooLarge) || !strings.Contains(err.Error(), "response too large") {
		t.Fatalf("got %v", err)
	}
	if n.Load() != 1 {
		t.Errorf("a too large answer must not be retried: %d", n.Load())
	}
}

func TestLogging(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var n atomic.Int32
	c, _ := newTestClient(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("X-Trace-Id", "00-log-trace-00")
		if n.Add(1) == 1 {
			writeProblem(rw, 503, `{"traceId":"00-log-trace-00","detail":"token `+string(testToken)+`"}`)
			return
		}
		writeJSON(rw, 200, `{"data":[],"$meta":{"pagination":{"offset":0,"limit":10,"total":0}}}`)
	}), WithLogger(logger))
	if _, err := c.FindRecentAPITokens(context.Background(), "ACC-1234-5678", "secret-name-in-query", time.Now()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"S3cr3t", "secret-name-in-query", "Bearer", "Authorization", "ACC-1234-5678"} {
		if strings.Contains(out, bad) {
			t.Errorf("log contains %q: %s", bad, out)
		}
	}
	for _, want := range []string{`"method":"GET"`, `"path":"/public/v1/accounts/api-tokens"`, `"status":503`, `"status":200`, `"attempt":1`, `"attempt":2`, `"traceId":"00-log-trace-00"`, `"duration"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s: %s", want, out)
		}
	}
	if strings.Count(out, "\n") != 2 {
		t.Errorf("want one line per attempt: %s", out)
	}
}

func TestRedirectPolicy(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			t.Error("token sent to another host")
		}
		writeJSON(rw, 200, tokenJSON)
	}))
	defer other.Close()
	c, _ := newTestClient(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, other.URL+r.URL.Path, http.StatusFound)
	}), WithRetry(0, 0))
	_, err := c.GetAPIToken(context.Background(), "TKN-1111-2222")
	if err == nil || !strings.Contains(err.Error(), "another host") {
		t.Errorf("got %v", err)
	}
}

// TestWithDialer: the transport reaches a server through the given dial,
// with no socket; the base URL's host is only the Host header.
func TestWithDialer(t *testing.T) {
	ln := pipenet.Listen()
	var host string
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host = r.Host
		writeJSON(w, 200, tokenJSON)
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	c, err := New(WithBaseURL("http://sandbox.localhost"), WithToken(testToken), WithDialer(ln.DialContext))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.GetAPIToken(context.Background(), "TKN-4134-7330")
	if err != nil || tok.ID != "TKN-4134-7330" {
		t.Fatalf("over the dialer: %v %+v", err, tok)
	}
	if host != "sandbox.localhost" {
		t.Errorf("Host %q, want the base URL's", host)
	}
	if _, err := New(WithToken(testToken), WithDialer(nil)); err == nil {
		t.Error("a nil dialer is accepted")
	}
}
