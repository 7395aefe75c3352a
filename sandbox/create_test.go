package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// apiTokenProperties is the property list of the ApiToken schema in
// openapi-create-api-token.md. The wire contract's example leaves out the
// nullable $meta, and so does the sandbox.
var apiTokenProperties = []string{"id", "audit", "$meta", "name", "icon", "revision", "status",
	"description", "lastAccessAt", "token", "account", "modules", "extensions"}

func TestCreateAnswersTheFullApiToken(t *testing.T) {
	e := newEnv(t)
	body := createBody(contoso, "  nightly export  ", "MOD-1001", "MOD-1009")
	body["description"] = "Exports orders every night."
	body["extensions"] = []any{map[string]any{"id": "EXT-0001"}}
	res := e.post(createPath, testOperator, body)
	res.want(t, http.StatusCreated)
	if mt := res.mediaType(t); mt != "application/json" {
		t.Errorf("Content-Type = %q", mt)
	}
	got := res.object(t)

	id, _ := got["id"].(string)
	tok, _ := got["token"].(string)
	if !tokenIDShape.MatchString(id) {
		t.Fatalf("id = %q", id)
	}
	if !tokenShape.MatchString(tok) || !strings.HasPrefix(tok, "idt:"+id+":") {
		t.Fatalf("token = %q, want idt:%s:<64 letters and digits>", tok, id)
	}
	if loc := res.header.Get("Location"); loc != createPath+"/"+id {
		t.Errorf("Location = %q", loc)
	}
	if !traceIDRe.MatchString(res.header.Get("X-Trace-Id")) {
		t.Errorf("X-Trace-Id = %q", res.header.Get("X-Trace-Id"))
	}

	schema := map[string]bool{}
	for _, p := range apiTokenProperties {
		schema[p] = true
	}
	for _, k := range keys(got) {
		if !schema[k] {
			t.Errorf("field %q is not in the ApiToken schema", k)
		}
	}
	wantKeys := "account,audit,description,extensions,icon,id,lastAccessAt,modules,name,revision,status,token"
	if k := join(keys(got)); k != wantKeys {
		t.Errorf("fields = %s\nwant     %s", k, wantKeys)
	}

	by := `{"id":"USR-0000-0001","name":"Sandbox Operator"}`
	want := `{"id":"` + id + `",
	 "audit":{"created":{"at":"2026-11-27T10:00:00.000Z","by":` + by + `},"updated":{"at":"2026-11-27T10:00:00.000Z","by":` + by + `}},
	 "name":"nightly export","icon":null,"revision":1,"status":"Active","description":"Exports orders every night.",
	 "lastAccessAt":null,"token":"` + tok + `",
	 "account":{"id":"ACC-1000-0001","name":"Contoso Ltd","icon":null,"revision":1,"type":"Client","status":"Active"},
	 "modules":[
	  {"id":"MOD-1001","name":"Orders","revision":1,"description":"Create, track and approve purchase and change orders for the account.","filters":null,
	   "settings":{"configurable":false,"default":true,"paid":false,"type":[],"obsolete":false,"eligibility":{"multi":true,"single":true}}},
	  {"id":"MOD-1009","name":"Spotlight","revision":1,"description":"Read Spotlight insights about expiring subscriptions and possible savings.","filters":null,
	   "settings":{"configurable":true,"default":false,"paid":true,"type":[],"obsolete":false,"eligibility":{"multi":true,"single":true}}}],
	 "extensions":[{"id":"EXT-0001","name":"Adobe VIP Marketplace","icon":null,"revision":1,"status":"Public"}]}`
	var wantObj map[string]any
	if err := json.Unmarshal([]byte(want), &wantObj); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, wantObj) {
		t.Errorf("body =\n%s\nwant\n%s", res.body, want)
	}

	// Keys come in the order of the contract's example.
	if !bytes.HasPrefix(res.body, []byte(`{"id":"`+id+`","audit":{"created":{"at":`)) {
		t.Errorf("body does not start like the example: %.60s", res.body)
	}

	stored := e.s.StoredTokens()
	wantStored := []StoredToken{{ID: id, AccountID: contoso, Name: "nightly export", Status: "Active",
		CreatedAt: testStart, ModuleIDs: []string{"MOD-1001", "MOD-1009"}}}
	if !reflect.DeepEqual(stored, wantStored) {
		t.Errorf("StoredTokens = %+v, want %+v", stored, wantStored)
	}
	desc := "Exports orders every night."
	wantRec := []CreateRecord{{AccountID: contoso, Name: "  nightly export  ", Description: &desc,
		ModuleIDs: []string{"MOD-1001", "MOD-1009"}, ExtensionIDs: []string{"EXT-0001"}, TokenID: id, Status: 201}}
	if got := e.s.Creates(); !reflect.DeepEqual(got, wantRec) {
		t.Errorf("Creates = %+v, want %+v", got, wantRec)
	}
}

func TestCreateAcceptedContentTypes(t *testing.T) {
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "text/json",
		"application/vnd.softwareone+json", "APPLICATION/JSON; charset=UTF-8"} {
		t.Run(ct, func(t *testing.T) {
			e := newEnv(t)
			b, _ := json.Marshal(createBody(contoso, "ct", "MOD-1001"))
			e.send(request{method: "POST", path: createPath, token: testOperator, contentType: ct, body: b}).want(t, http.StatusCreated)
		})
	}
}

func TestCreateRejectedContentTypes(t *testing.T) {
	for _, ct := range []string{"", "text/plain", "application/xml", "application/x-www-form-urlencoded",
		"application/json; charset=iso-8859-1", "not a media type;;"} {
		t.Run(ct, func(t *testing.T) {
			e := newEnv(t)
			b, _ := json.Marshal(createBody(contoso, "ct", "MOD-1001"))
			p := e.send(request{method: "POST", path: createPath, token: testOperator, contentType: ct, body: b}).
				problem(t, http.StatusUnsupportedMediaType)
			if p.Title != "Unsupported Media Type" || p.Errors != nil {
				t.Errorf("problem = %+v", p)
			}
			if n := len(e.s.StoredTokens()); n != 0 {
				t.Errorf("%d tokens stored", n)
			}
		})
	}
}

func TestCreateValidation(t *testing.T) {
	long := strings.Repeat("é", 101)
	mods := func(n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"id":"MOD-%04d"}`, i)
		}
		return "[" + b.String() + "]"
	}
	acc := `"account":{"id":"ACC-1000-0001"}`
	name := `"name":"n"`
	mod := `"modules":[{"id":"MOD-1001"}]`
	obj := func(fields ...string) string { return "{" + strings.Join(fields, ",") + "}" }

	tests := []struct {
		name string
		body string
		want map[string]string // path → part of one of its messages
	}{
		{"malformed JSON", `{"name":`, map[string]string{"$": "ends unexpectedly"}},
		{"syntax error", `{"name" "x"}`, map[string]string{"$": "malformed"}},
		{"empty body", ``, map[string]string{"$": "A non-empty request body is required."}},
		{"array body", `[]`, map[string]string{"$": "must be a JSON object, not an array"}},
		{"string body", `"x"`, map[string]string{"$": "must be a JSON object"}},
		{"null body", `null`, map[string]string{"$": "must be a JSON object, not null"}},
		{"trailing data", obj(acc, name, mod) + `{}`, map[string]string{"$": "unexpected data"}},
		{"too deep", `{"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, map[string]string{"$": "nesting"}},
		{"unknown top-level field", obj(acc, name, mod, `"foo":1`), map[string]string{"foo": "'foo' could not be mapped to any member of CreateApiTokenDto"}},
		{"field names are case-sensitive", obj(acc, `"Name":"n"`, mod), map[string]string{"Name": "could not be mapped", "name": "The name field is required."}},
		{"duplicate key", obj(acc, name, `"name":"m"`, mod), map[string]string{"name": "given more than once"}},
		{"duplicate nested key", obj(`"account":{"id":"ACC-1000-0001","id":"ACC-2000-0001"}`, name, mod), map[string]string{"account.id": "given more than once"}},
		{"account missing", obj(name, mod), map[string]string{"account": "The account field is required."}},
		{"account null", obj(`"account":null`, name, mod), map[string]string{"account": "The account field is required."}},
		{"account wrong type", obj(`"account":"ACC-1000-0001"`, name, mod), map[string]string{"account": "must be an object"}},
		{"account.id missing", obj(`"account":{}`, name, mod), map[string]string{"account.id": "The id field is required."}},
		{"account.id wrong type", obj(`"account":{"id":10000001}`, name, mod), map[string]string{"account.id": "The id field must be a string."}},
		{"account.id pattern", obj(`"account":{"id":"ACC-123-123"}`, name, mod), map[string]string{"account.id": `must match the pattern ^ACC-\d{4}-\d{4}$`}},
		{"account.id not found", obj(`"account":{"id":"ACC-9999-9999"}`, name, mod), map[string]string{"account.id": "Account ACC-9999-9999 was not found."}},
		{"account unknown field", obj(`"account":{"id":"ACC-1000-0001","name":"Contoso"}`, name, mod), map[string]string{"account.name": "could not be mapped to any member of AccountDto"}},
		{"name missing", obj(acc, mod), map[string]string{"name": "The name field is required."}},
		{"name null", obj(acc, `"name":null`, mod), map[string]string{"name": "The name field is required."}},
		{"name empty", obj(acc, `"name":""`, mod), map[string]string{"name": "The name field is required."}},
		{"name blank", obj(acc, `"name":" \t\n "`, mod), map[string]string{"name": "The name field is required."}},
		{"name too long", obj(acc, `"name":"`+long+`"`, mod), map[string]string{"name": "at most 100 characters"}},
		{"name control character", obj(acc, `"name":"a\u0007b"`, mod), map[string]string{"name": "control characters"}},
		{"name inner newline", obj(acc, `"name":"a\nb"`, mod), map[string]string{"name": "control characters"}},
		{"name wrong type", obj(acc, `"name":42`, mod), map[string]string{"name": "The name field must be a string."}},
		{"description too long", obj(acc, name, mod, `"description":"`+strings.Repeat("d", 1001)+`"`), map[string]string{"description": "at most 1000 characters"}},
		{"description wrong type", obj(acc, name, mod, `"description":["x"]`), map[string]string{"description": "The description field must be a string."}},
		{"icon absolute URL", obj(acc, name, mod, `"icon":"https://evil.example/x.png"`), map[string]string{"icon": "relative path"}},
		{"icon protocol-relative", obj(acc, name, mod, `"icon":"//evil.example/x.png"`), map[string]string{"icon": "relative path"}},
		{"icon traversal", obj(acc, name, mod, `"icon":"/static/../../etc/passwd"`), map[string]string{"icon": "relative path"}},
		{"icon javascript", obj(acc, name, mod, `"icon":"javascript:alert(1)"`), map[string]string{"icon": "relative path"}},
		{"icon escape", obj(acc, name, mod, `"icon":"/a/%2e%2e/b"`), map[string]string{"icon": "relative path"}},
		{"icon wrong type", obj(acc, name, mod, `"icon":true`), map[string]string{"icon": "The icon field must be a string."}},
		{"modules missing", obj(acc, name), map[string]string{"modules": "The modules field is required."}},
		{"modules null", obj(acc, name, `"modules":null`), map[string]string{"modules": "The modules field is required."}},
		{"modules empty", obj(acc, name, `"modules":[]`), map[string]string{"modules": "at least 1 item"}},
		{"modules too many", obj(`"account":{"id":"ACC-1000-0001"}`, name, `"modules":`+mods(101)), nil},
		{"modules wrong type", obj(acc, name, `"modules":{"id":"MOD-1001"}`), map[string]string{"modules": "The modules field must be an array."}},
		{"module not an object", obj(acc, name, `"modules":["MOD-1001"]`), map[string]string{"modules[0]": "must be an object, not a string"}},
		{"module id missing", obj(acc, name, `"modules":[{}]`), map[string]string{"modules[0].id": "The id field is required."}},
		{"module id wrong type", obj(acc, name, `"modules":[{"id":1001}]`), map[string]string{"modules[0].id": "The id field must be a string."}},
		{"module id pattern", obj(acc, name, `"modules":[{"id":"MOD-1756-1452"}]`), map[string]string{"modules[0].id": `must match the pattern ^MOD-\d{4}$`}},
		{"module duplicate", obj(acc, name, `"modules":[{"id":"MOD-1001"},{"id":"MOD-1002"},{"id":"MOD-1001"}]`), map[string]string{"modules[2].id": "Module MOD-1001 is listed more than once (first at modules[0].id)."}},
		{"module unknown", obj(acc, name, `"modules":[{"id":"MOD-1001"},{"id":"MOD-9999"}]`), map[string]string{"modules[1].id": "Module MOD-9999 was not found."}},
		{"module not enabled", obj(acc, name, `"modules":[{"id":"MOD-1011"}]`), map[string]string{"modules[0].id": "Module MOD-1011 is not enabled for account ACC-1000-0001."}},
		{"module none enabled", obj(`"account":{"id":"ACC-1000-0002"}`, name, mod), map[string]string{"modules[0].id": "not enabled for account ACC-1000-0002"}},
		{"module unknown field", obj(acc, name, `"modules":[{"id":"MOD-1001","name":"Orders"}]`), map[string]string{"modules[0].name": "could not be mapped to any member of ModuleDto"}},
		{"extensions wrong type", obj(acc, name, mod, `"extensions":"EXT-0001"`), map[string]string{"extensions": "must be an array"}},
		{"extension unknown", obj(acc, name, mod, `"extensions":[{"id":"EXT-0001"},{"id":"EXT-9999"}]`), map[string]string{"extensions[1].id": "Extension EXT-9999 was not found."}},
		{"extension id missing", obj(acc, name, mod, `"extensions":[{"name":"x"}]`), map[string]string{"extensions[0].id": "required", "extensions[0].name": "ExtensionDto"}},
		{"extension duplicate", obj(acc, name, mod, `"extensions":[{"id":"EXT-0001"},{"id":"EXT-0001"}]`), map[string]string{"extensions[1].id": "listed more than once"}},
		{"every rule at once", `{"account":{"id":"ACC-1"},"name":"","description":7,"icon":"http://x","modules":[{"id":"MOD-1001"},{"id":"MOD-1"},{"id":"MOD-1001"}],"extensions":[{"id":5}],"x":{}}`,
			map[string]string{"account.id": "pattern", "name": "required", "description": "string", "icon": "relative path",
				"modules[1].id": "pattern", "modules[2].id": "more than once", "extensions[0].id": "string", "x": "could not be mapped"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			res := e.send(request{method: "POST", path: createPath, token: testOperator, contentType: "application/json", body: []byte(tt.body)})
			p := res.problem(t, http.StatusBadRequest)
			if p.Title != "One or more validation errors occurred." || p.Instance != createPath ||
				p.Type != "https://tools.ietf.org/html/rfc9110#section-15.5.1" {
				t.Errorf("problem = %+v", p)
			}
			want := tt.want
			if want == nil { // modules too many: the count, and the ids not in the catalogue
				if msgs := p.Errors["modules"]; len(msgs) != 1 || !strings.Contains(msgs[0], "at most 100 items (it has 101)") {
					t.Errorf("errors.modules = %q", msgs)
				}
				return
			}
			var wantPaths []string
			for path := range want {
				wantPaths = append(wantPaths, path)
			}
			slices.Sort(wantPaths)
			if got, w := join(p.paths()), join(wantPaths); got != w {
				t.Fatalf("error paths = %s, want %s; errors: %v", got, w, p.Errors)
			}
			for path, part := range want {
				found := false
				for _, m := range p.Errors[path] {
					found = found || strings.Contains(m, part)
				}
				if !found {
					t.Errorf("errors[%q] = %q, want a message containing %q", path, p.Errors[path], part)
				}
			}
			if n := len(e.s.StoredTokens()); n != 0 {
				t.Errorf("%d tokens stored after a 400", n)
			}
			recs := e.s.Creates()
			if len(recs) != 1 || recs[0].Status != 400 || recs[0].TokenID != "" {
				t.Errorf("Creates = %+v", recs)
			}
		})
	}
}

func TestCreateEdgeValuesAccepted(t *testing.T) {
	tests := []struct {
		name, body         string
		wantName           string
		wantIcon, wantDesc any
	}{
		{"name of 100 multi-byte runes", `{"account":{"id":"ACC-1000-0001"},"name":"` + strings.Repeat("é", 100) + `","modules":[{"id":"MOD-1001"}]}`,
			strings.Repeat("é", 100), nil, nil},
		{"name trimmed", `{"account":{"id":"ACC-1000-0001"},"name":"\t nightly \u00a0","modules":[{"id":"MOD-1001"}]}`,
			"nightly", nil, nil},
		{"description of 1000 runes", `{"account":{"id":"ACC-1000-0001"},"name":"d","description":"` + strings.Repeat("ü", 1000) + `","modules":[{"id":"MOD-1001"}]}`,
			"d", nil, strings.Repeat("ü", 1000)},
		{"empty description kept", `{"account":{"id":"ACC-1000-0001"},"name":"d","description":"","modules":[{"id":"MOD-1001"}]}`,
			"d", nil, ""},
		{"nulls", `{"account":{"id":"ACC-1000-0001"},"name":"d","description":null,"icon":null,"extensions":null,"modules":[{"id":"MOD-1001"}]}`,
			"d", nil, nil},
		{"icon path echoed", `{"account":{"id":"ACC-1000-0001"},"name":"i","icon":"/static/icons/token-1.png","modules":[{"id":"MOD-1001"}]}`,
			"i", "/static/icons/token-1.png", nil},
		{"empty icon is no icon", `{"account":{"id":"ACC-1000-0001"},"name":"i","icon":"","modules":[{"id":"MOD-1001"}]}`,
			"i", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			got := e.post(createPath, testOperator, tt.body)
			got.want(t, http.StatusCreated)
			o := got.object(t)
			if o["name"] != tt.wantName || o["icon"] != tt.wantIcon || o["description"] != tt.wantDesc {
				t.Errorf("name=%q icon=%v description=%v", o["name"], o["icon"], o["description"])
			}
		})
	}
}

func TestCreateBodyLimit(t *testing.T) {
	e := newEnv(t)
	body := createBody(contoso, "big", "MOD-1001")
	body["description"] = strings.Repeat("x", 64<<10)
	p := e.post(createPath, testOperator, body).problem(t, http.StatusRequestEntityTooLarge)
	if p.Title != "Content Too Large" {
		t.Errorf("title = %q", p.Title)
	}

	// Without a Content-Length (chunked), the limit applies while reading.
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", e.ts.URL+createPath, struct{ *bytes.Reader }{bytes.NewReader(b)})
	req.Header.Set("Authorization", "Bearer "+testOperator)
	req.Header.Set("Content-Type", "application/json")
	res, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.ContentLength == 0 || res.StatusCode != http.StatusRequestEntityTooLarge || req.ContentLength != 0 {
		t.Errorf("chunked: status %d (request length %d)", res.StatusCode, req.ContentLength)
	}

	// Just under the limit is fine (and then fails validation on length).
	body["description"] = strings.Repeat("x", 60<<10)
	e.post(createPath, testOperator, body).problem(t, http.StatusBadRequest)
	if n := len(e.s.StoredTokens()); n != 0 {
		t.Errorf("%d tokens stored", n)
	}
}
