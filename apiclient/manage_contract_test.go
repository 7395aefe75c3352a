package apiclient_test

// Contract tests of the token management operations through the client
// against the sandbox: list pages, update, enable, disable, delete, the
// audit trail and the self-check, each with its bad inputs.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/sandbox"
)

// rawUpdate sends body as the PUT of an update and returns the client's
// error: the client's own Validate would refuse most of these bodies.
func (e *env) rawUpdate(t *testing.T, id string, body string) error {
	t.Helper()
	c := e.newClient(t, apiclient.Secret(e.srv.OperatorToken()), func(base http.RoundTripper) http.RoundTripper {
		return rawBody{base: base, body: []byte(body), contentType: "application/json"}
	})
	_, err := c.UpdateAPIToken(context.Background(), id, &apiclient.UpdateAPITokenRequest{Name: "placeholder", ModuleIDs: []string{"MOD-1001"}})
	return err
}

func TestContractUpdateAPIToken(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok, err := e.client.CreateAPIToken(ctx, demoRequest())
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.client.UpdateAPIToken(ctx, tok.ID, &apiclient.UpdateAPITokenRequest{
		Name: " renamed ", Description: "for the nightly run", ModuleIDs: []string{"MOD-1004"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "renamed" || got.Description == nil || *got.Description != "for the nightly run" ||
		len(got.Modules) != 1 || got.Modules[0].ID != "MOD-1004" || got.Revision <= tok.Revision || !got.Token.IsZero() {
		t.Errorf("updated: %+v", got)
	}
	if read, err := e.client.GetAPIToken(ctx, tok.ID); err != nil || read.Name != "renamed" || read.Revision != got.Revision {
		t.Errorf("read back: %+v %v", read, err)
	}

	deleted, err := e.client.CreateAPIToken(ctx, &apiclient.CreateAPITokenRequest{AccountID: "ACC-1000-0001", Name: "gone", ModuleIDs: []string{"MOD-1001"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.client.DeleteAPIToken(ctx, deleted.ID); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		id     string
		body   string
		status int
		field  string // the field the 400 names
	}{
		{"unknown id", "TKN-9999-9999", `{"name":"x"}`, 404, ""},
		{"deleted token", deleted.ID, `{"name":"x"}`, 404, ""},
		{"bad module", tok.ID, `{"modules":[{"id":"MOD-9999"}]}`, 400, "modules[0].id"},
		{"unknown field", tok.ID, `{"name":"x","colour":"red"}`, 400, "colour"},
		{"wrong type", tok.ID, `{"name":42}`, 400, "name"},
		{"modules not a list", tok.ID, `{"modules":{"id":"MOD-1001"}}`, 400, "modules"},
		{"blank name", tok.ID, `{"name":"  "}`, 400, "name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := e.rawUpdate(t, tt.id, tt.body)
			ae := asAPIError(t, err)
			if ae.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %v", ae.StatusCode, tt.status, err)
			}
			if tt.field != "" {
				if _, ok := ae.FieldErrors()[tt.field]; !ok {
					t.Errorf("field %q not named: %v", tt.field, ae.FieldErrors())
				}
			}
			if tt.status == 404 && !strings.Contains(ae.Message(), "Could not update API token") {
				t.Errorf("404 message: %s", ae.Message())
			}
		})
	}
	// Nothing changed by the refused updates.
	if read, err := e.client.GetAPIToken(ctx, tok.ID); err != nil || read.Revision != got.Revision || read.Name != "renamed" {
		t.Errorf("a refused update changed the token: %+v %v", read, err)
	}
	// Client-side checks: nothing is sent.
	before := e.requests.Load()
	for _, req := range []*apiclient.UpdateAPITokenRequest{
		nil,
		{Name: "", ModuleIDs: []string{"MOD-1001"}},
		{Name: "x"},
		{Name: "x", ModuleIDs: []string{"nope"}},
		{Name: "\u200b\u200d", ModuleIDs: []string{"MOD-1001"}},
	} {
		var inv *apiclient.InvalidRequestError
		if _, err := e.client.UpdateAPIToken(ctx, tok.ID, req); !errors.As(err, &inv) {
			t.Errorf("%+v: %v, want *InvalidRequestError", req, err)
		}
	}
	if _, err := e.client.UpdateAPIToken(ctx, " ", &apiclient.UpdateAPITokenRequest{Name: "x", ModuleIDs: []string{"MOD-1001"}}); err == nil {
		t.Error("empty id")
	}
	if n := e.requests.Load() - before; n != 0 {
		t.Errorf("%d requests sent for invalid updates", n)
	}
}

func TestContractEnableDisableDelete(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok, err := e.client.CreateAPIToken(ctx, demoRequest())
	if err != nil {
		t.Fatal(err)
	}
	self := e.newClient(t, tok.Token, nil)
	steps := []struct {
		name   string
		do     func() (*apiclient.APIToken, error)
		status string
		works  bool // the token authenticates afterwards
	}{
		{"disable", func() (*apiclient.APIToken, error) { return e.client.DisableAPIToken(ctx, tok.ID) }, apiclient.TokenStatusDisabled, false},
		{"disable again", func() (*apiclient.APIToken, error) { return e.client.DisableAPIToken(ctx, tok.ID) }, apiclient.TokenStatusDisabled, false},
		{"enable", func() (*apiclient.APIToken, error) { return e.client.EnableAPIToken(ctx, tok.ID) }, apiclient.TokenStatusActive, true},
	}
	for _, st := range steps {
		got, err := st.do()
		if err != nil || got.Status != st.status {
			t.Fatalf("%s: %+v %v", st.name, got, err)
		}
		_, verr := self.VerifyAPIToken(ctx, tok.Token)
		if (verr == nil) != st.works {
			t.Errorf("%s: self-check %v, want works=%v", st.name, verr, st.works)
		}
	}
	if err := e.client.DeleteAPIToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := self.VerifyAPIToken(ctx, tok.Token); apiclient.StatusCode(err) != 401 {
		t.Errorf("a deleted token still authenticates: %v", err)
	}
	for _, tt := range []struct {
		name string
		do   func(id string) error
		verb string
	}{
		{"enable", func(id string) error { _, err := e.client.EnableAPIToken(ctx, id); return err }, "enable"},
		{"disable", func(id string) error { _, err := e.client.DisableAPIToken(ctx, id); return err }, "disable"},
		{"delete", func(id string) error { return e.client.DeleteAPIToken(ctx, id) }, "delete"},
		{"get", func(id string) error { _, err := e.client.GetAPIToken(ctx, id); return err }, ""},
	} {
		for _, id := range []string{"TKN-9999-9999", tok.ID} {
			err := tt.do(id)
			ae := asAPIError(t, err)
			if ae.StatusCode != 404 {
				t.Errorf("%s %s: %v, want 404", tt.name, id, err)
			}
			if tt.verb != "" && !strings.Contains(ae.Message(), fmt.Sprintf("Could not %s API token %s (404)", tt.verb, id)) {
				t.Errorf("%s %s message: %s", tt.name, id, ae.Message())
			}
		}
	}
	// Another account's token is as unknown as a made-up id to a scoped
	// credential, and deleting it does nothing.
	other, err := e.client.CreateAPIToken(ctx, &apiclient.CreateAPITokenRequest{AccountID: "ACC-2000-0001", Name: "vendor", ModuleIDs: []string{"MOD-1001"}})
	if err != nil {
		t.Skipf("vendor token: %v", err)
	}
	scopedTok, err := e.client.CreateAPIToken(ctx, demoRequest())
	if err != nil {
		t.Fatal(err)
	}
	scoped := e.newClient(t, scopedTok.Token, nil)
	if err := scoped.DeleteAPIToken(ctx, other.ID); apiclient.StatusCode(err) != 404 {
		t.Errorf("scoped delete of another account's token: %v", err)
	}
	if got, err := e.client.GetAPIToken(ctx, other.ID); err != nil || got.Status != apiclient.TokenStatusActive {
		t.Errorf("another account's token changed: %+v %v", got, err)
	}
}

func TestContractVerifyAPIToken(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok, err := e.client.CreateAPIToken(ctx, demoRequest())
	if err != nil {
		t.Fatal(err)
	}
	// Any client can run the check: the value is the credential.
	got, err := e.client.VerifyAPIToken(ctx, tok.Token)
	if err != nil || got.ID != tok.ID || got.Status != apiclient.TokenStatusActive || !got.Token.IsZero() {
		t.Fatalf("verify: %+v %v", got, err)
	}
	for _, bad := range []apiclient.Secret{"", "nope", "idt:TKN-1:x", apiclient.Secret("idt:" + tok.ID + ":")} {
		if _, err := e.client.VerifyAPIToken(ctx, bad); err == nil || strings.Contains(err.Error(), "nope") {
			t.Errorf("%q: %v", bad.Reveal(), err)
		}
	}
	wrong := apiclient.Secret("idt:" + tok.ID + ":wrongwrongwrongwrong")
	_, err = e.client.VerifyAPIToken(ctx, wrong)
	if apiclient.StatusCode(err) != 401 || strings.Contains(err.Error(), "wrongwrong") {
		t.Errorf("wrong secret: %v", err)
	}
	if id, ok := apiclient.TokenIDOf(tok.Token); !ok || id != tok.ID {
		t.Errorf("TokenIDOf: %q %v", id, ok)
	}
}

func TestContractListAPITokensPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	names := []string{`Say "hi"`, "it's mine", "plain", "Plain two", "zeta"}
	var made []string
	for i := range 25 {
		n := names[i%len(names)]
		if i >= len(names) {
			n = fmt.Sprintf("%s %02d", n, i)
		}
		tok, err := e.client.CreateAPIToken(ctx, &apiclient.CreateAPITokenRequest{AccountID: "ACC-1000-0001", Name: n, ModuleIDs: []string{"MOD-1001"}})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, tok.ID)
	}
	disabledBefore, err := e.client.ListAllAPITokens(ctx, "ACC-1000-0001", &apiclient.ListAPITokensOptions{Status: apiclient.TokenStatusDisabled})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.DisableAPIToken(ctx, made[0]); err != nil {
		t.Fatal(err)
	}
	page, pg, err := e.client.ListAPITokens(ctx, "ACC-1000-0001", &apiclient.ListAPITokensOptions{Limit: 10, Offset: 10, Order: "name"})
	if err != nil || len(page) != 10 || pg.Total < 25 || pg.Offset != 10 {
		t.Fatalf("page: %d %+v %v", len(page), pg, err)
	}
	all, err := e.client.ListAllAPITokens(ctx, "ACC-1000-0001", nil)
	if err != nil || len(all) != pg.Total {
		t.Fatalf("all: %d of %d, %v", len(all), pg.Total, err)
	}
	for _, id := range made {
		if !slices.ContainsFunc(all, func(t apiclient.APIToken) bool { return t.ID == id }) {
			t.Errorf("%s missing from ListAllAPITokens", id)
		}
	}
	for _, tt := range []struct {
		opts apiclient.ListAPITokensOptions
		want int
	}{
		{apiclient.ListAPITokensOptions{Name: `Say "hi"`}, 5},
		{apiclient.ListAPITokensOptions{Name: `say "HI`}, 5},
		{apiclient.ListAPITokensOptions{Name: "it's"}, 5},
		{apiclient.ListAPITokensOptions{Name: "plain"}, 10},
		{apiclient.ListAPITokensOptions{Status: apiclient.TokenStatusDisabled}, len(disabledBefore) + 1},
		{apiclient.ListAPITokensOptions{Status: apiclient.TokenStatusDisabled, Name: "plain"}, 0},
		{apiclient.ListAPITokensOptions{Name: "no such token"}, 0},
	} {
		got, err := e.client.ListAllAPITokens(ctx, "ACC-1000-0001", &tt.opts)
		if err != nil || len(got) != tt.want {
			t.Errorf("%+v: %d tokens, want %d (%v)", tt.opts, len(got), tt.want, err)
		}
	}
	// A sort on audit.* needs select=audit, which the client adds.
	newest, _, err := e.client.ListAPITokens(ctx, "ACC-1000-0001", &apiclient.ListAPITokensOptions{Order: "-audit.created.at", Limit: 1})
	if err != nil || len(newest) != 1 {
		t.Errorf("order by audit: %v", err)
	}
	if _, _, err := e.client.ListAPITokens(ctx, "", &apiclient.ListAPITokensOptions{Order: "nosuchfield"}); apiclient.StatusCode(err) != 400 {
		t.Errorf("bad order: %v", err)
	}
}

// TestContractListAllAPITokensAtTheCap: more tokens than one page of the
// platform's cap of 100, read page by page with the size the server sent.
func TestContractListAllAPITokensAtTheCap(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i := range 230 {
		if _, err := e.client.CreateAPIToken(ctx, &apiclient.CreateAPITokenRequest{AccountID: "ACC-1000-0001", Name: fmt.Sprintf("t%03d", i), ModuleIDs: []string{"MOD-1001"}}); err != nil {
			t.Fatal(err)
		}
	}
	_, pg, err := e.client.ListAPITokens(ctx, "ACC-1000-0001", &apiclient.ListAPITokensOptions{Limit: 1000})
	if err != nil || pg.Limit != 100 {
		t.Fatalf("the limit asked for is capped at 100: %+v %v", pg, err)
	}
	before := e.requests.Load()
	all, err := e.client.ListAllAPITokens(ctx, "ACC-1000-0001", nil)
	if err != nil || len(all) != pg.Total || len(all) < 230 {
		t.Fatalf("%d tokens of %d: %v", len(all), pg.Total, err)
	}
	if n, want := e.requests.Load()-before, int32((pg.Total+99)/100); n != want {
		t.Errorf("%d requests, want %d pages of 100", n, want)
	}
}

func TestContractListAuditRecords(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok, err := e.client.CreateAPIToken(ctx, demoRequest())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.DisableAPIToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.UpdateAPIToken(ctx, tok.ID, &apiclient.UpdateAPITokenRequest{Name: "renamed", ModuleIDs: []string{"MOD-1001"}}); err != nil {
		t.Fatal(err)
	}
	other, err := e.client.CreateAPIToken(ctx, &apiclient.CreateAPITokenRequest{AccountID: "ACC-1000-0001", Name: "other", ModuleIDs: []string{"MOD-1001"}})
	if err != nil {
		t.Fatal(err)
	}
	recs, pg, err := e.client.ListAuditRecords(ctx, tok.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || pg.Total != 3 {
		t.Fatalf("%d records (total %d), want created, disabled, updated", len(recs), pg.Total)
	}
	for i, r := range recs {
		if r.Object == nil || r.Object.ID != tok.ID || r.Timestamp == nil || r.Actor == nil || r.Actor.ID == "" {
			t.Errorf("record %d: %+v", i, r)
		}
		if i > 0 && r.Timestamp.After(*recs[i-1].Timestamp) {
			t.Errorf("not newest first: %v after %v", r.Timestamp, recs[i-1].Timestamp)
		}
		if r.Object.ID == other.ID {
			t.Error("another object's record")
		}
	}
	one, pg, err := e.client.ListAuditRecords(ctx, tok.ID, &apiclient.ListOptions{Limit: 1, Offset: 1})
	if err != nil || len(one) != 1 || one[0].ID != recs[1].ID || pg.Total != 3 {
		t.Errorf("paged: %+v %+v %v", one, pg, err)
	}
	if recs, _, err := e.client.ListAuditRecords(ctx, "TKN-9999-9999", nil); err != nil || len(recs) != 0 {
		t.Errorf("unknown object: %v %v", recs, err)
	}
	if _, _, err := e.client.ListAuditRecords(ctx, " ", nil); err == nil {
		t.Error("empty object id")
	}
	if _, _, err := e.client.ListAuditRecords(ctx, tok.ID, &apiclient.ListOptions{Order: "nosuchfield"}); apiclient.StatusCode(err) != 400 {
		t.Errorf("bad order: %v", err)
	}
}

// TestContractCreateJSONKeepsUnknownFields: what the API sent is printed as
// sent, href and nested settings included.
func TestContractCreateJSONKeepsUnknownFields(t *testing.T) {
	e := newEnv(t)
	tok, err := e.client.CreateAPIToken(context.Background(), demoRequest())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := apiclient.WriteAPITokenJSON(&out, tok, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), tok.Token.Reveal()) {
		t.Error("value not written on request")
	}
	var hidden bytes.Buffer
	_ = apiclient.WriteAPITokenJSON(&hidden, tok, false)
	if strings.Contains(hidden.String(), tok.Token.Reveal()) {
		t.Error("value written without reveal")
	}
	if !bytes.Equal(bytes.ReplaceAll(tok.Raw, []byte(" "), nil), tok.Raw) && len(tok.Raw) == 0 {
		t.Error("no raw object")
	}
	for _, f := range []string{`"href"`, `"audit"`} {
		if bytes.Contains(tok.Raw, []byte(f)) && !strings.Contains(hidden.String(), f) {
			t.Errorf("%s lost", f)
		}
	}
}

var _ = sandbox.Fault{}

// TestUpdateRequestOfKeepsTheToken: the request built from a token sends
// it back as it is, and a token without a description sends none.
func TestUpdateRequestOfKeepsTheToken(t *testing.T) {
	desc, icon := "Pushes orders.", "/v1/accounts/api-tokens/TKN-1/icon.png"
	tok := &apiclient.APIToken{Name: "Orders", Description: &desc, Icon: &icon,
		Modules: []apiclient.ModuleRef{{ID: "MOD-1"}, {ID: "MOD-2"}}}
	req := apiclient.UpdateRequestOf(tok)
	if req.Name != "Orders" || req.Description != desc || req.Icon != &icon || !slices.Equal(req.ModuleIDs, []string{"MOD-1", "MOD-2"}) {
		t.Fatalf("request %+v", req)
	}
	if req := apiclient.UpdateRequestOf(&apiclient.APIToken{Name: "x"}); req.Description != "" || req.Icon != nil || req.ModuleIDs != nil {
		t.Fatalf("from a bare token: %+v", req)
	}
}
