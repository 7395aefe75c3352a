package apiclient

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

type captured struct {
	method, uri, contentType string
	body                     []byte
}

func capture(t *testing.T, status int, answer string) (*Client, *captured) {
	t.Helper()
	got := &captured{}
	c, _ := newTestClient(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		got.method, got.uri, got.contentType = r.Method, r.RequestURI, r.Header.Get("Content-Type")
		got.body, _ = io.ReadAll(r.Body)
		writeJSON(rw, status, answer)
	}))
	return c, got
}

func TestCreateJSONBodyShape(t *testing.T) {
	c, got := capture(t, 201, tokenJSON)
	tok, err := c.CreateAPIToken(context.Background(), &CreateAPITokenRequest{
		AccountID: " ACC-1234-5678 ", Name: "  nightly export ", ModuleIDs: []string{"MOD-1001", "MOD-1002"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.method != "POST" || got.uri != "/public/v1/accounts/api-tokens" || got.contentType != "application/json" {
		t.Errorf("request: %+v", got)
	}
	want := `{"account":{"id":"ACC-1234-5678"},"name":"nightly export","modules":[{"id":"MOD-1001"},{"id":"MOD-1002"}]}`
	if string(got.body) != want {
		t.Errorf("body:\n%s\nwant\n%s", got.body, want)
	}
	preview, err := (&CreateAPITokenRequest{AccountID: " ACC-1234-5678 ", Name: "  nightly export ", ModuleIDs: []string{"MOD-1001", "MOD-1002"}, Icon: &Icon{Data: tinyPNG(t, 1, 1)}}).JSON()
	if err != nil || string(preview) != want {
		t.Errorf("JSON() preview %s differs from the body sent (%v)", preview, err)
	}
	if tok.Token.Reveal() != "idt:TKN-4134-7330:abcdefghijABCDEFGHIJabcdefghijABCDEFGHIJabcdefghijABCDEFGHIJ0123" || tok.Revision != 1 {
		t.Errorf("token: %+v", tok)
	}

	_, err = c.CreateAPIToken(context.Background(), &CreateAPITokenRequest{
		AccountID: "ACC-1234-5678", Name: "n", Description: "d", ModuleIDs: []string{"MOD-1001"}, ExtensionIDs: []string{"EXT-1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(got.body, &m); err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	})
	if !reflect.DeepEqual(keys, []string{"account", "description", "extensions", "modules", "name"}) {
		t.Errorf("keys: %v", keys)
	}
}

func TestCreateMultipartShape(t *testing.T) {
	c, got := capture(t, 201, tokenJSON)
	png := tinyPNG(t, 3, 2)
	_, err := c.CreateAPIToken(context.Background(), &CreateAPITokenRequest{
		AccountID: "ACC-1234-5678", Name: "n", ModuleIDs: []string{"MOD-1001"},
		Icon: &Icon{Filename: "dir/lo\"go.png", Data: png},
	})
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(got.contentType)
	if err != nil || mt != "multipart/form-data" {
		t.Fatalf("content type %q", got.contentType)
	}
	mr := multipart.NewReader(strings.NewReader(string(got.body)), params["boundary"])
	var names []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(p)
		names = append(names, p.FormName())
		switch p.FormName() {
		case "token":
			if p.Header.Get("Content-Type") != "application/json" || p.FileName() != "" {
				t.Errorf("token part header: %v", p.Header)
			}
			if string(data) != `{"account":{"id":"ACC-1234-5678"},"name":"n","modules":[{"id":"MOD-1001"}]}` {
				t.Errorf("token part: %s", data)
			}
		case "icon":
			if p.FileName() != "logo.png" || p.Header.Get("Content-Type") != "image/png" {
				t.Errorf("icon part header: %v (file %q)", p.Header, p.FileName())
			}
			if string(data) != string(png) {
				t.Error("icon bytes differ")
			}
		}
	}
	if !reflect.DeepEqual(names, []string{"token", "icon"}) {
		t.Errorf("parts: %v", names)
	}
}

func TestCreateValidatesBeforeSending(t *testing.T) {
	c, got := capture(t, 201, tokenJSON)
	_, err := c.CreateAPIToken(context.Background(), &CreateAPITokenRequest{AccountID: "nope", Name: " "})
	ie, ok := err.(*InvalidRequestError)
	if !ok || ie.Fields["account.id"] == "" || ie.Fields["name"] == "" || ie.Fields["modules"] == "" {
		t.Fatalf("got %T %v", err, err)
	}
	if got.method != "" {
		t.Error("an invalid request was sent")
	}
}

func TestGetListDisableEnablePaths(t *testing.T) {
	c, got := capture(t, 200, tokenJSON)
	ctx := context.Background()
	if _, err := c.DisableAPIToken(ctx, "TKN-4134-7330"); err != nil || got.method != "POST" || got.uri != "/public/v1/accounts/api-tokens/TKN-4134-7330/disable" || len(got.body) != 0 {
		t.Errorf("disable: %v %+v", err, got)
	}
	if _, err := c.EnableAPIToken(ctx, "TKN-4134-7330"); err != nil || got.uri != "/public/v1/accounts/api-tokens/TKN-4134-7330/enable" {
		t.Errorf("enable: %v %+v", err, got)
	}
	if _, err := c.GetAPIToken(ctx, "../x y"); err != nil || got.uri != "/public/v1/accounts/api-tokens/..%2Fx%20y" {
		t.Errorf("escaping: %v %q", err, got.uri)
	}
	if _, err := c.GetAPIToken(ctx, " "); err == nil {
		t.Error("empty id accepted")
	}
	if _, err := c.GetAccount(ctx, "ACC-1234-5678", "modules", "audit"); err != nil || got.uri != "/public/v1/accounts/accounts/ACC-1234-5678?select=modules,audit" {
		t.Errorf("account: %v %q", err, got.uri)
	}
}

func TestFindRecentAPITokensQuery(t *testing.T) {
	c, got := capture(t, 200, `{"data":[{"id":"TKN-1111-2222","name":"a \"b\"","revision":1,"status":"Active","modules":[]}],"$meta":{"pagination":{"offset":0,"limit":100,"total":1}}}`)
	since := time.Date(2026, 11, 27, 11, 0, 5, 999, time.FixedZone("CET", 3600))
	toks, err := c.FindRecentAPITokens(context.Background(), "ACC-1234-5678", ` a "b" `, since)
	if err != nil || len(toks) != 1 {
		t.Fatal(err)
	}
	u, _ := url.Parse(got.uri)
	raw, err := url.PathUnescape(u.RawQuery)
	if err != nil {
		t.Fatal(err)
	}
	// The name holds a double quote: single-quoted, no escapes; audit is
	// selected for the audit.* filter and sort; the date has milliseconds.
	want := `eq(account.id,"ACC-1234-5678")&eq(name,'a "b"')&ge(audit.created.at,"2026-11-27T10:00:05.000Z")&select=audit&order=-audit.created.at&limit=100`
	if raw != want {
		t.Errorf("query:\n%s\nwant\n%s\n(raw %s)", raw, want, u.RawQuery)
	}
}
