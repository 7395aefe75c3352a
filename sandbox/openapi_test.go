package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// The published contract every answer of the test suite is checked
// against: ../testdata/openapi, with the create seed's document winning for
// create and for the schemas it defines (ApiToken among them).
const (
	publishedSpec = "../testdata/openapi/accounts-api-tokens.openapi.json"
	createSpec    = "../testdata/openapi/create-api-token.openapi.json"
)

// undocumented are the statuses the document leaves out but any ASP.NET
// API answers (a bad query, authentication, authorisation, body limits,
// conflicts, overload). They must still carry a ProblemDetails.
var undocumented = map[int]bool{400: true, 401: true, 403: true, 405: true, 409: true, 413: true, 415: true,
	429: true, 500: true, 502: true, 503: true, 504: true}

type contract struct {
	doc    *openapi3.T
	router routers.Router
}

// loadContract is read once: the documents are large and never change.
var loadContract = sync.OnceValues(func() (*contract, error) {
	published, err := readJSONFile(publishedSpec)
	if err != nil {
		return nil, err
	}
	seed, err := readJSONFile(createSpec)
	if err != nil {
		return nil, err
	}
	schemas := published["components"].(map[string]any)["schemas"].(map[string]any)
	for name, sch := range seed["components"].(map[string]any)["schemas"].(map[string]any) {
		schemas[name] = sch
	}
	paths := published["paths"].(map[string]any)
	paths[tokensPath].(map[string]any)["post"] = seed["paths"].(map[string]any)[tokensPath].(map[string]any)["post"]
	for _, sch := range schemas {
		flattenAllOf(sch.(map[string]any), schemas)
	}
	// The one field the sandbox serves beyond the document: an account's
	// enabled modules, shown only with select=modules, which the client
	// reads to offer them (../shared/api-notes.md, inferred from the
	// portal). Everything else must match as published.
	schemas["Account"].(map[string]any)["properties"].(map[string]any)["modules"] = map[string]any{
		"type": "array",
		"items": map[string]any{
			"type":                 "object",
			"properties":           map[string]any{"id": map[string]any{"type": "string"}, "name": map[string]any{"type": "string"}},
			"required":             []any{"id", "name"},
			"additionalProperties": false,
		},
	}
	merged, err := json.Marshal(published)
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(merged)
	if err != nil {
		return nil, err
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &contract{doc: doc, router: router}, nil
})

func readJSONFile(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

// flattenAllOf merges into an object schema the properties of the schemas
// it lists in allOf. The published document writes inheritance as allOf
// next to additionalProperties: false (ApiToken: allOf ApiTokenRef), which
// JSON Schema reads as "no object can match": each part forbids the
// other's fields. Merging gives the meaning the platform intends.
func flattenAllOf(sch map[string]any, schemas map[string]any) {
	props, ok := sch["properties"].(map[string]any)
	all, hasAll := sch["allOf"].([]any)
	if !ok || !hasAll {
		return
	}
	for _, part := range all {
		ref, _ := part.(map[string]any)["$ref"].(string)
		base, _ := schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
		baseProps, _ := base["properties"].(map[string]any)
		for k, v := range baseProps {
			if _, have := props[k]; !have {
				props[k] = v
			}
		}
	}
	delete(sch, "allOf")
}

// validated wraps the sandbox so that every exchange of a test is checked
// against the contract:
//
//   - a request the document rejects (unknown field, wrong type, bad
//     pattern) must not succeed;
//   - a documented status must have the documented body, field by field;
//   - any other status must be one of the undocumented ones above, with a
//     ProblemDetails body.
func validated(t *testing.T, h http.Handler) http.Handler {
	c, err := loadContract()
	if err != nil {
		t.Fatalf("loading the OpenAPI contract: %v", err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		const maxChecked = 4 << 20
		head, _ := io.ReadAll(io.LimitReader(r.Body, maxChecked+1))
		r.Body = readCloser{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}
		faulted := new(atomic.Bool)
		r = r.WithContext(context.WithValue(r.Context(), faultMarkKey{}, faulted))
		tw := &teeWriter{ResponseWriter: w}
		h.ServeHTTP(tw, r)
		// status 0: the client went away and nothing was answered.
		if tw.hijacked || faulted.Load() || len(head) > maxChecked || tw.status == 0 {
			return
		}
		if err := c.check(r, head, tw); err != nil {
			t.Errorf("%s %s: answer %d breaks the published contract: %v\nbody: %.2000s", r.Method, r.URL.Path, tw.status, err, tw.body.Bytes())
		}
	})
}

func (c *contract) check(r *http.Request, reqBody []byte, tw *teeWriter) error {
	req := r.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	req.URL.Path = strings.TrimSuffix(req.URL.Path, "/")
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		if strings.HasPrefix(r.URL.Path, iconPrefix) || (strings.HasPrefix(r.URL.Path, tokensPath+"/") && isIconName(r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:])) {
			return nil // icons are served beside the API, not described by it
		}
		if tw.status != http.StatusNotFound && tw.status != http.StatusMethodNotAllowed {
			return fmt.Errorf("no operation matches, yet the answer is not 404 or 405")
		}
		return c.checkProblem(tw)
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	// Only plain JSON bodies are checked against the request schema: the
	// multipart create (with an icon file) is agreed with the client beyond
	// the document, and the library does not decode every JSON media type
	// the document lists (text/json, application/*+json).
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" && len(reqBody) > 0 {
		opts := *opts
		opts.ExcludeRequestBody = true
		in.Options = &opts
	}
	if reqErr := openapi3filter.ValidateRequest(context.Background(), in); reqErr != nil && tw.status < 400 {
		return fmt.Errorf("the sandbox accepted a request the document rejects: %v", reqErr)
	}
	if route.Operation.Responses.Status(tw.status) == nil {
		if !undocumented[tw.status] {
			return fmt.Errorf("status %d is neither documented for the operation nor a known transport status", tw.status)
		}
		return c.checkProblem(tw)
	}
	header := tw.Header().Clone()
	if mt, _, _ := mime.ParseMediaType(header.Get("Content-Type")); mt == "application/problem+json" {
		// ASP.NET sends ProblemDetails as application/problem+json; the
		// document files them under application/json.
		header.Set("Content-Type", "application/json")
	}
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 tw.status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(tw.body.Bytes())),
		Options:                opts,
	})
}

// checkProblem checks an answer against ProblemDetails.
func (c *contract) checkProblem(tw *teeWriter) error {
	if mt, _, _ := mime.ParseMediaType(tw.Header().Get("Content-Type")); mt != "application/problem+json" {
		if tw.body.Len() == 0 { // HEAD
			return nil
		}
		return fmt.Errorf("Content-Type %q, want application/problem+json", tw.Header().Get("Content-Type"))
	}
	var v any
	if err := json.Unmarshal(tw.body.Bytes(), &v); err != nil {
		return err
	}
	if err := c.doc.Components.Schemas["ProblemDetails"].Value.VisitJSON(v); err != nil {
		return err
	}
	if st, _ := v.(map[string]any)["status"].(float64); int(st) != tw.status {
		return fmt.Errorf("ProblemDetails status %v, answered %d", st, tw.status)
	}
	return nil
}

// teeWriter keeps a copy of the answer on its way to the client.
type teeWriter struct {
	http.ResponseWriter
	status   int
	body     bytes.Buffer
	hijacked bool
}

func (w *teeWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *teeWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *teeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.hijacked = true
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

func (w *teeWriter) Flush() { _ = http.NewResponseController(w.ResponseWriter).Flush() }

// TestContractCatchesDrift makes sure the check above can fail: answers
// that drift from the document in a field, a type or a status are caught.
func TestContractCatchesDrift(t *testing.T) {
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	good := `{"id":"TKN-0000-0001","name":"n","icon":null,"revision":2,"status":"Active","description":null,"lastAccessAt":null,` +
		`"account":{"id":"ACC-1000-0001","name":"Contoso","type":"Client","status":"Active","icon":null},"modules":[],"extensions":[]}`
	for _, tt := range []struct {
		name, body string
		status     int
		ok         bool
	}{
		{"as documented", good, 200, true},
		{"unknown field", strings.Replace(good, `"name":"n"`, `"name":"n","secret":"x"`, 1), 200, false},
		{"wrong type", strings.Replace(good, `"revision":2`, `"revision":"2"`, 1), 200, false},
		{"wrong nested type", strings.Replace(good, `"type":"Client"`, `"type":"Reseller"`, 1), 200, false},
		{"undocumented status", good, 202, false},
		{"problem with a wrong type", `{"title":"x","status":"404"}`, 404, false},
		{"problem as documented", `{"title":"x","status":404}`, 404, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("PUT", "http://sandbox"+tokensPath+"/TKN-0000-0001", strings.NewReader(`{"name":"n"}`))
			req.Header.Set("Content-Type", "application/json")
			tw := &teeWriter{ResponseWriter: &recorder{h: http.Header{}}, status: tt.status}
			ct := "application/json"
			if tt.status >= 400 {
				ct = "application/problem+json"
			}
			tw.Header().Set("Content-Type", ct)
			tw.body.WriteString(tt.body)
			err := c.check(req, []byte(`{"name":"n"}`), tw)
			if (err == nil) != tt.ok {
				t.Errorf("check = %v, want ok %v", err, tt.ok)
			}
		})
	}
	// A request the document rejects must not succeed.
	req, _ := http.NewRequest("PUT", "http://sandbox"+tokensPath+"/TKN-0000-0001", nil)
	req.Header.Set("Content-Type", "application/json")
	tw := &teeWriter{ResponseWriter: &recorder{h: http.Header{}}, status: 200}
	tw.Header().Set("Content-Type", "application/json")
	tw.body.WriteString(good)
	if err := c.check(req, []byte(`{"name":"n","extra":1}`), tw); err == nil || !strings.Contains(err.Error(), "accepted a request") {
		t.Errorf("accepted unknown request field: %v", err)
	}
}
