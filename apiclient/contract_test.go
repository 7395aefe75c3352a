package apiclient_test

// Contract tests: the client against the sandbox (the API emulator), through
// real HTTP. The sandbox does not import apiclient, so these test the wire
// contract, not a shared struct.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/sandbox"
)

var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// clock is a settable sandbox clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

type env struct {
	srv      *sandbox.Server
	ts       *httptest.Server
	client   *apiclient.Client
	clock    *clock
	requests atomic.Int32
}

func newEnv(t *testing.T, opts ...sandbox.Option) *env {
	t.Helper()
	e := &env{clock: &clock{now: t0}}
	all := append([]sandbox.Option{
		sandbox.WithFixture(sandbox.DemoFixture()),
		sandbox.WithClock(e.clock.Now),
		sandbox.WithIDSource(rand.NewChaCha8([32]byte{1})),
	}, opts...)
	srv, err := sandbox.New(all...)
	if err != nil {
		t.Fatalf("sandbox.New: %v", err)
	}
	e.srv = srv
	e.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.requests.Add(1)
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(e.ts.Close)
	e.client = e.newClient(t, apiclient.Secret(srv.OperatorToken()), nil)
	return e
}

// newClient returns a client of the sandbox with this token; rt, when set,
// wraps the transport.
func (e *env) newClient(t *testing.T, token apiclient.Secret, wrap func(http.RoundTripper) http.RoundTripper, opts ...apiclient.Option) *apiclient.Client {
	t.Helper()
	hc := e.ts.Client()
	if wrap != nil {
		hc = &http.Client{Transport: wrap(hc.Transport)}
	}
	all := append([]apiclient.Option{
		apiclient.WithBaseURL(e.ts.URL + "/public/v1/"),
		apiclient.WithToken(token),
		apiclient.WithHTTPClient(hc),
		apiclient.WithRetry(0, 0),
	}, opts...)
	c, err := apiclient.New(all...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// rawBody replaces the body and content type of every request: it lets a
// test send what the client's own Validate would refuse, and still read the
// answer through the client.
type rawBody struct {
	base        http.RoundTripper
	body        []byte
	contentType string
}

func (rb rawBody) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(rb.body))
	r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(rb.body)), nil }
	r2.ContentLength = int64(len(rb.body))
	r2.Header.Set("Content-Type", rb.contentType)
	return rb.base.RoundTrip(r2)
}

// rawCreate posts body as a create and returns the client's error.
func (e *env) rawCreate(t *testing.T, contentType string, body []byte) error {
	t.Helper()
	c := e.newClient(t, apiclient.Secret(e.srv.OperatorToken()), func(base http.RoundTripper) http.RoundTripper {
		return rawBody{base: base, body: body, contentType: contentType}
	})
	_, err := c.CreateAPIToken(context.Background(), &apiclient.CreateAPITokenRequest{
		AccountID: "ACC-1000-0001", Name: "placeholder", ModuleIDs: []string{"MOD-1001"},
	})
	return err
}

func asAPIError(t *testing.T, err error) *apiclient.Error {
	t.Helper()
	var e *apiclient.Error
	if !errors.As(err, &e) {
		t.Fatalf("want *apiclient.Error, got %T %v", err, err)
	}
	return e
}

func demoRequest() *apiclient.CreateAPITokenRequest {
	return &apiclient.CreateAPITokenRequest{AccountID: "ACC-1000-0001", Name: "nightly export", ModuleIDs: []string{"MOD-1001", "MOD-1004"}}
}

func TestContractValidationRules(t *testing.T) {
	e := newEnv(t)
	const okAccount = `"account":{"id":"ACC-1000-0001"}`
	const okName = `"name":"n"`
	const okModules = `"modules":[{"id":"MOD-1001"}]`
	join := func(parts ...string) string { return "{" + strings.Join(parts, ",") + "}" }
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf(`{"id":"MOD-%04d"}`, 1001+i%12)
	}
	cases := []struct {
		name, body string
		fields     []string // every field the answer must name
		extra      bool     // other fields may be named too
	}{
		{"not JSON", `{"account":`, []string{"$"}, false},
		{"not an object", `[1,2]`, []string{"$"}, false},
		{"empty body", ``, []string{"$"}, false},
		{"unknown field", join(okAccount, okName, okModules, `"foo":1`), []string{"foo"}, false},
		{"unknown nested field", join(`"account":{"id":"ACC-1000-0001","name":"x"}`, okName, okModules), []string{"account.name"}, false},
		{"unknown module field", join(okAccount, okName, `"modules":[{"id":"MOD-1001","name":"x"}]`), []string{"modules[0].name"}, false},
		{"name wrong type", join(okAccount, `"name":5`, okModules), []string{"name"}, false},
		{"description wrong type", join(okAccount, okName, okModules, `"description":[]`), []string{"description"}, false},
		{"modules wrong type", join(okAccount, okName, `"modules":{}`), []string{"modules"}, false},
		{"account missing", join(okName, okModules), []string{"account"}, false},
		{"account.id missing", join(`"account":{}`, okName, okModules), []string{"account.id"}, false},
		{"account.id pattern", join(`"account":{"id":"ACC-1"}`, okName, okModules), []string{"account.id"}, false},
		{"account not found", join(`"account":{"id":"ACC-9999-9999"}`, okName, okModules), []string{"account.id"}, false},
		{"name missing", join(okAccount, okModules), []string{"name"}, false},
		{"name blank", join(okAccount, `"name":"   "`, okModules), []string{"name"}, false},
		{"name too long", join(okAccount, `"name":"`+strings.Repeat("é", 101)+`"`, okModules), []string{"name"}, false},
		{"name control char", join(okAccount, `"name":"a\u0007b"`, okModules), []string{"name"}, false},
		{"description too long", join(okAccount, okName, okModules, `"description":"`+strings.Repeat("d", 1001)+`"`), []string{"description"}, false},
		{"icon not a relative path", join(okAccount, okName, okModules, `"icon":"https://evil.example/x.png"`), []string{"icon"}, false},
		{"modules missing", join(okAccount, okName), []string{"modules"}, false},
		{"modules empty", join(okAccount, okName, `"modules":[]`), []string{"modules"}, false},
		{"modules too many", join(okAccount, okName, `"modules":[`+strings.Join(many, ",")+`]`), []string{"modules"}, true},
		{"module id missing", join(okAccount, okName, `"modules":[{}]`), []string{"modules[0].id"}, false},
		{"module id pattern", join(okAccount, okName, `"modules":[{"id":"MOD-12"}]`), []string{"modules[0].id"}, false},
		{"module id long form", join(okAccount, okName, `"modules":[{"id":"MOD-1001-0001"}]`), []string{"modules[0].id"}, false},
		{"module duplicate", join(okAccount, okName, `"modules":[{"id":"MOD-1001"},{"id":"MOD-1001"}]`), []string{"modules[1].id"}, false},
		{"module unknown", join(okAccount, okName, `"modules":[{"id":"MOD-1001"},{"id":"MOD-9999"}]`), []string{"modules[1].id"}, false},
		{"module not enabled", join(okAccount, okName, `"modules":[{"id":"MOD-1008"}]`), []string{"modules[0].id"}, false},
		{"extension unknown", join(okAccount, okName, okModules, `"extensions":[{"id":"EXT-9999"}]`), []string{"extensions[0].id"}, false},
		{"every failure at once", join(`"account":{"id":"ACC-1"}`, `"name":""`, `"modules":[{"id":"bad"}]`, `"description":"`+strings.Repeat("d", 1001)+`"`, `"zzz":true`),
			[]string{"account.id", "name", "modules[0].id", "description", "zzz"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(e.srv.StoredTokens())
			err := e.rawCreate(t, "application/json", []byte(tc.body))
			ae := asAPIError(t, err)
			if ae.StatusCode != 400 || errors.Is(err, apiclient.ErrOutcomeUnknown) {
				t.Fatalf("status %d: %v", ae.StatusCode, err)
			}
			fe := ae.FieldErrors()
			for _, f := range tc.fields {
				if len(fe[f]) == 0 {
					t.Errorf("field %q not named; got %v", f, fe)
				}
			}
			if !tc.extra && len(fe) != len(tc.fields) {
				t.Errorf("want only %v, got %v", tc.fields, fe)
			}
			if ae.Problem.TraceID == "" || !strings.Contains(ae.Message(), "(400)") {
				t.Errorf("trace %q, message %q", ae.Problem.TraceID, ae.Message())
			}
			if len(e.srv.StoredTokens()) != before {
				t.Error("a token was stored")
			}
		})
	}
}

// The client's own checks name the same fields as the server.
func TestContractClientValidationMatchesServer(t *testing.T) {
	e := newEnv(t)
	reqs := []*apiclient.CreateAPITokenRequest{
		{AccountID: "ACC-1", Name: "n", ModuleIDs: []string{"MOD-1001"}},
		{AccountID: "ACC-1000-0001", Name: " ", ModuleIDs: []string{"MOD-1001"}},
		{AccountID: "ACC-1000-0001", Name: strings.Repeat("x", 101), ModuleIDs: []string{"MOD-1001"}},
		{AccountID: "ACC-1000-0001", Name: "n", Description: strings.Repeat("x", 1001), ModuleIDs: []string{"MOD-1001"}},
		{AccountID: "ACC-1000-0001", Name: "n"},
		{AccountID: "ACC-1000-0001", Name: "n", ModuleIDs: []string{"MOD-1001", "MOD-1001"}},
		{AccountID: "ACC-1000-0001", Name: "n", ModuleIDs: []string{"MOD-1001", "MOD-12"}},
	}
	for i, req := range reqs {
		var ie *apiclient.InvalidRequestError
		if !errors.As(req.Validate(), &ie) {
			t.Fatalf("%d: Validate passed", i)
		}
		body, _ := json.Marshal(map[string]any{
			"account": map[string]string{"id": req.AccountID}, "name": req.Name, "description": req.Description,
			"modules": func() []map[string]string {
				out := []map[string]string{}
				for _, id := range req.ModuleIDs {
					out = append(out, map[string]string{"id": id})
				}
				return out
			}(),
		})
		ae := asAPIError(t, e.rawCreate(t, "application/json", body))
		for f := range ie.Fields {
			if len(ae.FieldErrors()[f]) == 0 {
				t.Errorf("%d: client names %q, server names %v", i, f, ae.FieldErrors())
			}
		}
	}
}

func TestContractValidationThroughClient(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		req   *apiclient.CreateAPITokenRequest
		field string
	}{
		{&apiclient.CreateAPITokenRequest{AccountID: "ACC-9999-9999", Name: "n", ModuleIDs: []string{"MOD-1001"}}, "account.id"},
		{&apiclient.CreateAPITokenRequest{AccountID: "ACC-1000-0001", Name: "n", ModuleIDs: []string{"MOD-1001", "MOD-9999"}}, "modules[1].id"},
		{&apiclient.CreateAPITokenRequest{AccountID: "ACC-1000-0002", Name: "n", ModuleIDs: []string{"MOD-1001"}}, "modules[0].id"},
		{&apiclient.CreateAPITokenRequest{AccountID: "ACC-1000-0001", Name: "n", ModuleIDs: []string{"MOD-1001"}, ExtensionIDs: []string{"EXT-0404"}}, "extensions[0].id"},
	} {
		_, err := e.client.CreateAPIToken(context.Background(), tc.req)
		if fe := asAPIError(t, err).FieldErrors(); len(fe[tc.field]) == 0 || len(fe) != 1 {
			t.Errorf("%+v: want %s, got %v", tc.req, tc.field, fe)
		}
	}
}

func tinyPNG(t *testing.T) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func multipartBody(t *testing.T, token string, iconName, iconType string, icon []byte) ([]byte, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="token"`)
	h.Set("Content-Type", "application/json")
	p, _ := mw.CreatePart(h)
	_, _ = p.Write([]byte(token))
	if icon != nil {
		h = textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="icon"; filename=%q`, iconName))
		h.Set("Content-Type", iconType)
		p, _ = mw.CreatePart(h)
		_, _ = p.Write(icon)
	}
	_ = mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

func TestContractIconRules(t *testing.T) {
	e := newEnv(t)
	const dto = `{"account":{"id":"ACC-1000-0001"},"name":"n","modules":[{"id":"MOD-1001"}]}`
	body, ct := multipartBody(t, dto, "notes.png", "image/png", []byte("not an image at all"))
	if fe := asAPIError(t, e.rawCreate(t, ct, body)).FieldErrors(); len(fe["icon"]) == 0 {
		t.Errorf("not an image: %v", fe)
	}
	big := append(tinyPNG(t), make([]byte, 1<<20)...)
	body, ct = multipartBody(t, dto, "big.png", "image/png", big)
	ae := asAPIError(t, e.rawCreate(t, ct, body))
	if ae.StatusCode == 400 && len(ae.FieldErrors()["icon"]) == 0 || ae.StatusCode != 400 && ae.StatusCode != 413 {
		t.Errorf("too big: %v", ae)
	}
	// Through the client: a real PNG goes as multipart and comes back as a path.
	icon, _, err := apiclient.InspectIcon("logo.png", tinyPNG(t))
	if err != nil {
		t.Fatal(err)
	}
	req := demoRequest()
	req.Icon = icon
	tok, err := e.client.CreateAPIToken(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Icon == nil || !strings.HasPrefix(*tok.Icon, "/") || !strings.HasSuffix(*tok.Icon, ".png") {
		t.Errorf("icon path %v", tok.Icon)
	}
	recs := e.srv.Creates()
	last := recs[len(recs)-1]
	if !last.Multipart || last.IconBytes != len(icon.Data) || last.IconContentType != "image/png" || last.TokenID != tok.ID {
		t.Errorf("record %+v", last)
	}
}

func TestContractStatusCodes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	// 401: a wrong token.
	bad := e.newClient(t, "idt:TKN-0000-0000:wrongwrongwrongwrongwrongwrongwrongwrongwrongwrongwrongwrongwrong", nil)
	_, err := bad.GetAccount(ctx, "ACC-1000-0001")
	ae := asAPIError(t, err)
	if ae.StatusCode != 401 || ae.Message() != "The Marketplace API rejected the API token (401). Check MPT_API_TOKEN: it may be mistyped, expired or disabled." {
		t.Errorf("401: %v / %s", err, ae.Message())
	}
	if strings.Contains(err.Error(), "wrongwrong") {
		t.Error("token in error")
	}

	// 403: a token scoped to one account, used for another.
	tok, err := e.client.CreateAPIToken(ctx, demoRequest())
	if err != nil {
		t.Fatal(err)
	}
	scoped := e.newClient(t, tok.Token, nil)
	_, err = scoped.CreateAPIToken(ctx, &apiclient.CreateAPITokenRequest{AccountID: "ACC-2000-0001", Name: "x", ModuleIDs: []string{"MOD-1001"}})
	if ae := asAPIError(t, err); ae.StatusCode != 403 || !strings.Contains(ae.Message(), "(403)") {
		t.Errorf("403 create: %v", err)
	}
	// Another account's objects are answered like unknown ids.
	if _, err := scoped.GetAccount(ctx, "ACC-2000-0001"); apiclient.StatusCode(err) != 404 {
		t.Errorf("read of another account: %v", err)
	}
	if accs, _, err := scoped.ListAccounts(ctx, nil); err != nil || len(accs) != 1 || accs[0].ID != "ACC-1000-0001" {
		t.Errorf("scoped accounts: %v %v", accs, err)
	}

	// 404.
	if _, err := e.client.GetAPIToken(ctx, "TKN-9999-9999"); !apiclient.IsNotFound(err) {
		t.Errorf("404: %v", err)
	}

	// A deleted token is gone: 404, worded for the operation.
	if err := e.client.DeleteAPIToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.DisableAPIToken(ctx, tok.ID)
	if ae := asAPIError(t, err); ae.StatusCode != 404 || !strings.Contains(ae.Message(), "Could not disable API token "+tok.ID+" (404)") {
		t.Errorf("disable deleted: %v / %s", err, ae.Message())
	}

	// 413: a JSON body over 64 KiB.
	huge := `{"account":{"id":"ACC-1000-0001"},"name":"n","modules":[{"id":"MOD-1001"}],"description":"` + strings.Repeat("x", 70<<10) + `"}`
	if ae := asAPIError(t, e.rawCreate(t, "application/json", []byte(huge))); ae.StatusCode != 413 || !strings.Contains(ae.Message(), "(413)") {
		t.Errorf("413: %v", ae)
	}

	// 415.
	if ae := asAPIError(t, e.rawCreate(t, "text/plain", []byte(`{}`))); ae.StatusCode != 415 || !strings.Contains(ae.Message(), "(415)") {
		t.Errorf("415: %v", ae)
	}
}

func TestContractFaults(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const tokens = "/public/v1/accounts/api-tokens"

	// 429 on a create: known not created, Retry-After carried.
	e.srv.InjectFault(sandbox.Fault{Method: "POST", Path: tokens, Status: 429, RetryAfter: 2 * time.Second, Times: 1})
	_, err := e.client.CreateAPIToken(ctx, demoRequest())
	ae := asAPIError(t, err)
	if ae.StatusCode != 429 || ae.RetryAfter != 2*time.Second || errors.Is(err, apiclient.ErrOutcomeUnknown) || !strings.Contains(ae.Message(), "retry after 2 s") {
		t.Errorf("429: %v (%v) %s", err, ae.RetryAfter, ae.Message())
	}

	// 5xx on a create: outcome unknown.
	for _, status := range []int{500, 502, 503, 504} {
		e.srv.InjectFault(sandbox.Fault{Method: "POST", Path: tokens, Status: status, Times: 1})
		_, err := e.client.CreateAPIToken(ctx, demoRequest())
		if !errors.Is(err, apiclient.ErrOutcomeUnknown) || apiclient.StatusCode(err) != status {
			t.Errorf("%d: %v", status, err)
		}
		ae := asAPIError(t, err)
		if !strings.Contains(ae.Message(), fmt.Sprintf("(%d)", status)) || ae.Problem.TraceID == "" || !strings.Contains(ae.Message(), ae.Problem.TraceID) {
			t.Errorf("%d message: %s", status, ae.Message())
		}
	}

	// 5xx on a read, without retries: the *Error.
	e.srv.InjectFault(sandbox.Fault{Method: "GET", Path: tokens, Status: 503, RetryAfter: time.Second, Times: 1})
	if _, _, err := e.client.ListAPITokens(ctx, "", nil); apiclient.StatusCode(err) != 503 {
		t.Errorf("GET 503: %v", err)
	}

	// A read retried past two 503s and a 429.
	retrying := e.newClient(t, apiclient.Secret(e.srv.OperatorToken()), nil, apiclient.WithRetry(3, 10*time.Millisecond))
	e.srv.InjectFault(sandbox.Fault{Method: "GET", Path: tokens, Status: 503, RetryAfter: time.Second, Times: 2})
	e.srv.InjectFault(sandbox.Fault{Method: "GET", Path: tokens, Status: 429, RetryAfter: time.Second, Times: 1})
	before := e.requests.Load()
	if _, _, err := retrying.ListAPITokens(ctx, "", nil); err != nil {
		t.Errorf("retried GET: %v", err)
	}
	if n := e.requests.Load() - before; n != 4 {
		t.Errorf("GET took %d requests, want 4", n)
	}

	// A create is never retried, even by a retrying client.
	e.srv.InjectFault(sandbox.Fault{Method: "POST", Path: tokens, Status: 503, Times: 1})
	before = e.requests.Load()
	if _, err := retrying.CreateAPIToken(ctx, demoRequest()); !errors.Is(err, apiclient.ErrOutcomeUnknown) || e.requests.Load()-before != 1 {
		t.Errorf("create retried or misclassified: %v", err)
	}

	// Malformed answers.
	for _, f := range []sandbox.Fault{
		{Status: 200, Body: "<html><title>Login</title></html>", ContentType: "text/html"},
		{Status: 200, Body: `{"id":"TKN-1`, ContentType: "application/json"},
		{Status: 200},
		{Status: 200, Body: `{"id":5}`, ContentType: "application/json"},
	} {
		f.Method, f.Path, f.Times = "GET", tokens+"/", 1
		e.srv.InjectFault(f)
		_, err := e.client.GetAPIToken(ctx, "TKN-1111-1111")
		if !errors.Is(err, apiclient.ErrMalformedResponse) {
			t.Errorf("%q: %v", f.Body, err)
		}
	}
}

func TestContractOutcomeUnknownAndRecovery(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const tokens = "/public/v1/accounts/api-tokens"
	req := demoRequest()
	req.Name = "dropped after commit"
	started := e.clock.Now()

	// The token is created, the answer lost.
	e.srv.InjectFault(sandbox.Fault{Method: "POST", Path: tokens, DropAfterCommit: true, Times: 1})
	_, err := e.client.CreateAPIToken(ctx, req)
	var ou *apiclient.OutcomeUnknownError
	if !errors.As(err, &ou) || ou.Op != "create API token" {
		t.Fatalf("want OutcomeUnknownError, got %T %v", err, err)
	}
	found, err := e.client.FindRecentAPITokens(ctx, req.AccountID, req.Name, started.Add(-time.Minute))
	if err != nil || len(found) != 1 || found[0].Name != req.Name || !found[0].Token.IsZero() {
		t.Fatalf("find: %v %+v", err, found)
	}
	if st := e.srv.StoredTokens(); st[len(st)-1].ID != found[0].ID {
		t.Errorf("stored %+v", st)
	}

	// The connection closes before the request is handled: still unknown to
	// the client, and nothing is found.
	req.Name = "dropped before handling"
	e.srv.InjectFault(sandbox.Fault{Method: "POST", Path: tokens, DropBeforeHandling: true, Times: 1})
	if _, err := e.client.CreateAPIToken(ctx, req); !errors.Is(err, apiclient.ErrOutcomeUnknown) {
		t.Errorf("drop before handling: %v", err)
	}
	if found, err := e.client.FindRecentAPITokens(ctx, req.AccountID, req.Name, started); err != nil || len(found) != 0 {
		t.Errorf("find: %v %v", err, found)
	}

	// A slow server and a client timeout.
	slow := e.newClient(t, apiclient.Secret(e.srv.OperatorToken()), nil, apiclient.WithTimeout(100*time.Millisecond))
	e.srv.InjectFault(sandbox.Fault{Method: "POST", Path: tokens, Delay: 500 * time.Millisecond, Times: 1})
	if _, err := slow.CreateAPIToken(ctx, req); !errors.Is(err, apiclient.ErrOutcomeUnknown) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout: %v", err)
	}
}

var tokenValueRe = regexp.MustCompile(`^idt:(TKN-\d{4}-\d{4}):[A-Za-z0-9]{64}$`)

func TestContractCreateAnswer(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := demoRequest()
	req.Description = "exports every night"
	tok, err := e.client.CreateAPIToken(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	m := tokenValueRe.FindStringSubmatch(tok.Token.Reveal())
	if m == nil || m[1] != tok.ID || !apiclient.ValidTokenID(tok.ID) {
		t.Errorf("token value shape: id %s", tok.ID)
	}
	if tok.Name != "nightly export" || tok.Revision != 1 || tok.Status != apiclient.TokenStatusActive ||
		tok.Description == nil || *tok.Description != "exports every night" || tok.Icon != nil || tok.LastAccessAt != nil {
		t.Errorf("token: %+v", tok)
	}
	a := tok.Audit
	if a == nil || a.Created == nil || a.Updated == nil || a.Created.At == nil || !a.Created.At.Equal(t0) || !a.Updated.At.Equal(t0) ||
		a.Created.By == nil || a.Created.By.ID != "USR-0000-0001" || a.Created.By.Name != "Sandbox Operator" {
		t.Errorf("audit: %+v", a)
	}
	acc := tok.Account
	if acc == nil || acc.ID != "ACC-1000-0001" || acc.Name != "Contoso Ltd" || acc.Type != apiclient.AccountTypeClient || acc.Status != "Active" || acc.Revision != 1 {
		t.Errorf("account: %+v", acc)
	}
	if len(tok.Modules) != 2 || tok.Modules[0].ID != "MOD-1001" || tok.Modules[0].Name != "Orders" || tok.Modules[0].Revision != 1 ||
		tok.Modules[0].Settings == nil || !tok.Modules[0].Settings.Default || tok.Modules[1].ID != "MOD-1004" || tok.Modules[1].Name != "Catalog" {
		t.Errorf("modules: %+v", tok.Modules)
	}
	if tok.Extensions == nil || len(tok.Extensions) != 0 {
		t.Errorf("extensions: %#v", tok.Extensions)
	}
	// What the sandbox received is exactly what was asked.
	recs := e.srv.Creates()
	rec := recs[len(recs)-1]
	if rec.Multipart || rec.AccountID != "ACC-1000-0001" || rec.Name != "nightly export" || rec.Description == nil ||
		!slices.Equal(rec.ModuleIDs, []string{"MOD-1001", "MOD-1004"}) || rec.TokenID != tok.ID || rec.Status != 201 {
		t.Errorf("record: %+v", rec)
	}
	// Printing never shows the value.
	for _, s := range []string{fmt.Sprintf("%v %+v %#v", tok, *tok, tok.Token), mustJSON(t, tok)} {
		if strings.Contains(s, m[0][len(m[0])-64:]) {
			t.Error("token value printed")
		}
	}
	var out bytes.Buffer
	if err := apiclient.EncodeJSON(&out, tok, true); err != nil || !strings.Contains(out.String(), tok.Token.Reveal()) {
		t.Errorf("EncodeJSON reveal: %v", err)
	}

	// A GET afterwards: the same token, without its value.
	got, err := e.client.GetAPIToken(ctx, tok.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Token.IsZero() || got.ID != tok.ID || got.Revision != 1 || got.Status != "Active" || len(got.Modules) != 2 || got.Account.ID != "ACC-1000-0001" {
		t.Errorf("get: %+v", got)
	}
	// Newest first by default: the new token heads the list, without its value.
	list, pg, err := e.client.ListAPITokens(ctx, "ACC-1000-0001", &apiclient.ListAPITokensOptions{Limit: 5})
	if err != nil || len(list) == 0 || list[0].ID != tok.ID || !list[0].Token.IsZero() || pg.Total < 1 || pg.Limit != 5 {
		t.Errorf("list: %v, %d tokens, %+v", err, len(list), pg)
	}
	// The new token is itself a bearer token for its account.
	scoped := e.newClient(t, tok.Token, nil)
	if _, err := scoped.GetAPIToken(ctx, tok.ID); err != nil {
		t.Errorf("scoped read: %v", err)
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestContractDisableEnable(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok, err := e.client.CreateAPIToken(ctx, demoRequest())
	if err != nil {
		t.Fatal(err)
	}
	scoped := e.newClient(t, tok.Token, nil)
	e.clock.Set(t0.Add(time.Hour))
	dis, err := e.client.DisableAPIToken(ctx, tok.ID)
	if err != nil || dis.Status != apiclient.TokenStatusDisabled || dis.Revision != 2 || !dis.Audit.Updated.At.Equal(t0.Add(time.Hour)) || !dis.Audit.Created.At.Equal(t0) {
		t.Fatalf("disable: %v %+v", err, dis)
	}
	if _, err := scoped.GetAPIToken(ctx, tok.ID); apiclient.StatusCode(err) != 401 {
		t.Errorf("a disabled token still works: %v", err)
	}
	en, err := e.client.EnableAPIToken(ctx, tok.ID)
	if err != nil || en.Status != apiclient.TokenStatusActive || en.Revision != 3 {
		t.Fatalf("enable: %v %+v", err, en)
	}
	if _, err := scoped.GetAPIToken(ctx, tok.ID); err != nil {
		t.Errorf("enabled again: %v", err)
	}
	if _, err := e.client.DisableAPIToken(ctx, "TKN-9999-9999"); !apiclient.IsNotFound(err) {
		t.Errorf("unknown: %v", err)
	}
}

func TestContractFindRecentAPITokens(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	mk := func(at time.Time, account, name string) *apiclient.APIToken {
		e.clock.Set(at)
		tok, err := e.client.CreateAPIToken(ctx, &apiclient.CreateAPITokenRequest{AccountID: account, Name: name, ModuleIDs: []string{"MOD-1001"}})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	name := `quote " and back\slash & = + %`
	old := mk(t0, "ACC-1000-0001", name)
	mk(t0.Add(2*time.Minute), "ACC-1000-0001", "other")
	mk(t0.Add(3*time.Minute), "ACC-2000-0001", name)
	a := mk(t0.Add(4*time.Minute), "ACC-1000-0001", name)
	b := mk(t0.Add(5*time.Minute), "ACC-1000-0001", "  "+name+" ")
	found, err := e.client.FindRecentAPITokens(ctx, "ACC-1000-0001", name, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range found {
		ids = append(ids, f.ID)
	}
	if !slices.Equal(ids, []string{b.ID, a.ID}) {
		t.Errorf("found %v, want newest first %v", ids, []string{b.ID, a.ID})
	}
	all, err := e.client.FindRecentAPITokens(ctx, "ACC-1000-0001", name, time.Time{})
	if err != nil || len(all) != 3 || all[2].ID != old.ID {
		t.Errorf("without since: %v %d", err, len(all))
	}
	// RQL helpers against the sandbox's parser.
	list, _, err := e.client.ListAPITokens(ctx, "", &apiclient.ListAPITokensOptions{
		Filter: apiclient.And(apiclient.Ilike("name", "QUOTE*"), apiclient.In("account.id", "ACC-2000-0001", `x"y`), apiclient.Ne("status", "Deleted")),
	})
	if err != nil || len(list) != 1 || list[0].Account.ID != "ACC-2000-0001" {
		t.Errorf("rql: %v %+v", err, list)
	}
	_, _, err = e.client.ListAPITokens(ctx, "", &apiclient.ListAPITokensOptions{Filter: apiclient.Eq("nosuchfield", "x")})
	if fe := asAPIError(t, err).FieldErrors(); len(fe["rql"]) == 0 {
		t.Errorf("bad rql: %v", err)
	}
}

func TestContractListEnabledModules(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	names := func(mods []apiclient.Module) string {
		var out []string
		for _, m := range mods {
			out = append(out, m.ID+" "+m.Name)
		}
		return strings.Join(out, ", ")
	}
	mods, err := e.client.ListEnabledModules(ctx, e.srv.DefaultAccount())
	if err != nil {
		t.Fatal(err)
	}
	want := "MOD-1003 Agreements, MOD-1005 Billing, MOD-1004 Catalog, MOD-1007 Helpdesk, MOD-1001 Orders, MOD-1009 Spotlight, MOD-1006 Statements, MOD-1002 Subscriptions"
	if got := names(mods); got != want {
		t.Errorf("Client account:\n got %s\nwant %s", got, want)
	}
	for _, m := range mods {
		if m.Description == "" || m.Settings == nil || !slices.Contains(m.AccountTypes, "Client") {
			t.Errorf("module not fully decoded: %+v", m)
		}
	}
	if mods, err := e.client.ListEnabledModules(ctx, "ACC-1000-0002"); err != nil || mods == nil || len(mods) != 0 {
		t.Errorf("account without modules: %v %v", err, mods)
	}
	if mods, err := e.client.ListEnabledModules(ctx, "ACC-2000-0001"); err != nil || len(mods) != 7 {
		t.Errorf("vendor: %v %s", err, names(mods))
	}
	if _, err := e.client.ListEnabledModules(ctx, "ACC-9999-9999"); !apiclient.IsNotFound(err) {
		t.Errorf("unknown account: %v", err)
	}
	// Every module it offers can be used to create a token.
	var ids []string
	for _, m := range mods {
		ids = append(ids, m.ID)
	}
	if _, err := e.client.CreateAPIToken(ctx, &apiclient.CreateAPITokenRequest{AccountID: e.srv.DefaultAccount(), Name: "all", ModuleIDs: ids}); err != nil {
		t.Errorf("create with every enabled module: %v", err)
	}
}

func TestContractListEnabledModulesLargeCatalogue(t *testing.T) {
	e := newEnv(t, sandbox.WithFixture(sandbox.GenerateFixture(10000)))
	before := e.requests.Load()
	mods, err := e.client.ListEnabledModules(context.Background(), e.srv.DefaultAccount())
	if err != nil || len(mods) != 10000 {
		t.Fatalf("%d modules, %v", len(mods), err)
	}
	if n := e.requests.Load() - before; n != 101 {
		t.Errorf("%d requests, want 101 (account + 100 pages of the cap of 100)", n)
	}
	if !slices.IsSortedFunc(mods, func(a, b apiclient.Module) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	}) {
		t.Error("not sorted by name")
	}
}
