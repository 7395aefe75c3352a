package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testOperator = "sbx_testoperator0000000000000000000000000000"
	contoso      = "ACC-1000-0001" // Client, 8 modules
	northwind    = "ACC-1000-0002" // Client, no modules
	fabrikam     = "ACC-2000-0001" // Vendor
	operations   = "ACC-3000-0001" // Operations
	createPath   = "/public/v1/accounts/api-tokens"
)

var (
	traceIDRe    = regexp.MustCompile(`^00-[0-9a-f]{32}-[0-9a-f]{16}-00$`)
	tokenIDShape = regexp.MustCompile(`^TKN-\d{4}-\d{4}$`)
	tokenShape   = regexp.MustCompile(`^idt:TKN-\d{4}-\d{4}:[A-Za-z0-9]{64}$`)
	testStart    = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
)

// testClock starts at testStart and moves on only when told to.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a sandbox behind a real HTTP server.
type env struct {
	t     *testing.T
	s     *Server
	ts    *httptest.Server
	clock *testClock
}

func seeded(seed byte) io.Reader {
	var k [32]byte
	k[0] = seed
	return rand.NewChaCha8(k)
}

func newEnv(t *testing.T, opts ...Option) *env {
	t.Helper()
	clock := &testClock{t: testStart}
	base := []Option{
		// The demo catalogue without its tokens, so lists hold only what a
		// test created; tests of the demo's tokens pass WithFixture.
		WithFixture(demoCatalogue()),
		WithOperatorToken(testOperator),
		WithClock(clock.Now),
		WithIDSource(seeded(1)),
		WithSecretSource(seeded(2)),
	}
	s, err := New(append(base, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(validated(t, s))
	t.Cleanup(ts.Close)
	return &env{t: t, s: s, ts: ts, clock: clock}
}

// reply is a response read in full.
type reply struct {
	status int
	header http.Header
	body   []byte
}

type request struct {
	method, path, token, contentType string
	body                             []byte
	header                           map[string]string
}

func (e *env) send(r request) reply {
	e.t.Helper()
	res, err := e.try(r)
	if err != nil {
		e.t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	return res
}

func (e *env) try(r request) (reply, error) {
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequest(r.method, e.ts.URL+r.path, body)
	if err != nil {
		return reply{}, err
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	res, err := e.ts.Client().Do(req)
	if err != nil {
		return reply{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return reply{status: res.StatusCode, header: res.Header, body: b}, err
}

func (e *env) get(path string) reply {
	e.t.Helper()
	return e.send(request{method: http.MethodGet, path: path, token: testOperator})
}

func (e *env) getAs(token, path string) reply {
	e.t.Helper()
	return e.send(request{method: http.MethodGet, path: path, token: token})
}

func (e *env) post(path, token string, body any) reply {
	e.t.Helper()
	var b []byte
	switch v := body.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	case nil:
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			e.t.Fatal(err)
		}
	}
	return e.send(request{method: http.MethodPost, path: path, token: token, contentType: "application/json", body: b})
}

// create makes a token for contoso and returns the 201 body.
func (e *env) create(name string, modules ...string) map[string]any {
	e.t.Helper()
	if len(modules) == 0 {
		modules = []string{"MOD-1001"}
	}
	res := e.post(createPath, testOperator, createBody(contoso, name, modules...))
	res.want(e.t, http.StatusCreated)
	return res.object(e.t)
}

func createBody(account, name string, modules ...string) map[string]any {
	mods := make([]any, 0, len(modules))
	for _, m := range modules {
		mods = append(mods, map[string]any{"id": m})
	}
	return map[string]any{"account": map[string]any{"id": account}, "name": name, "modules": mods}
}

func (r reply) want(t *testing.T, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body: %s", r.status, status, r.body)
	}
}

func (r reply) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

func (r reply) mediaType(t *testing.T) string {
	t.Helper()
	mt, _, err := mime.ParseMediaType(r.header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", r.header.Get("Content-Type"), err)
	}
	return mt
}

// problemBody is ProblemDetails as the wire contract describes it.
type problemBody struct {
	Type     string              `json:"type"`
	Title    string              `json:"title"`
	Status   int                 `json:"status"`
	Detail   string              `json:"detail"`
	Instance string              `json:"instance"`
	TraceID  string              `json:"traceId"`
	Errors   map[string][]string `json:"errors"`
}

// problem checks the status, content type and trace id of a problem answer.
func (r reply) problem(t *testing.T, status int) problemBody {
	t.Helper()
	r.want(t, status)
	if mt := r.mediaType(t); mt != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json", mt)
	}
	var p problemBody
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("problem body: %v: %s", err, r.body)
	}
	if p.Status != status {
		t.Errorf("problem status = %d, want %d", p.Status, status)
	}
	if !traceIDRe.MatchString(p.TraceID) {
		t.Errorf("traceId = %q, want 00-<32 hex>-<16 hex>-00", p.TraceID)
	}
	if got := r.header.Get("X-Trace-Id"); got != p.TraceID {
		t.Errorf("X-Trace-Id = %q, body traceId = %q", got, p.TraceID)
	}
	return p
}

func (p problemBody) paths() []string {
	out := make([]string, 0, len(p.Errors))
	for k := range p.Errors {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func list(t *testing.T, r reply) (data []map[string]any, offset, limit, total int) {
	t.Helper()
	r.want(t, http.StatusOK)
	var env struct {
		Data []map[string]any `json:"data"`
		Meta struct {
			Pagination struct {
				Offset, Limit, Total int
			} `json:"pagination"`
			Omitted []string `json:"omitted"`
		} `json:"$meta"`
	}
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		t.Fatalf("list body: %v: %s", err, r.body)
	}
	p := env.Meta.Pagination
	return env.Data, p.Offset, p.Limit, p.Total
}

func ids(items []map[string]any) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it["id"].(string))
	}
	return out
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func join(xs []string) string { return strings.Join(xs, ",") }

// rq percent-encodes what may not appear raw in a request line, leaving
// RQL's own syntax readable.
func rq(q string) string {
	return strings.NewReplacer(" ", "%20", `"`, "%22", `\`, "%5C").Replace(q)
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
