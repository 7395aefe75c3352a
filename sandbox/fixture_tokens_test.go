package sandbox

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestLoadFixtureTokenErrors(t *testing.T) {
	early := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name   string
		change func(f *Fixture)
		want   string
	}{
		{"bad id", func(f *Fixture) { f.Tokens[3].ID = "TKN-1" }, `fixture: tokens[3].id: "TKN-1" is not a token id (TKN-####-####)`},
		{"duplicate id", func(f *Fixture) { f.Tokens[4].ID = f.Tokens[0].ID }, `fixture: tokens[4].id: duplicate token id "TKN-1000-1001" (first at tokens[0])`},
		{"unknown account", func(f *Fixture) { f.Tokens[2].Account = "ACC-9999-9999" }, `fixture: tokens[2].account: account "ACC-9999-9999" is not in accounts`},
		{"no name", func(f *Fixture) { f.Tokens[1].Name = "  " }, `fixture: tokens[1].name: required`},
		{"control in name", func(f *Fixture) { f.Tokens[1].Name = "a\x1b[2Jb" }, `fixture: tokens[1].name: must be valid UTF-8 without control characters`},
		{"long name", func(f *Fixture) { f.Tokens[1].Name = strings.Repeat("n", 101) }, `fixture: tokens[1].name: 101 characters, the limit is 100`},
		{"bad status", func(f *Fixture) { f.Tokens[5].Status = "Deleted" }, `fixture: tokens[5].status: "Deleted" is not one of Active, Disabled`},
		{"no modules", func(f *Fixture) { f.Tokens[6].Modules = nil }, `fixture: tokens[6].modules: must list at least one module`},
		{"module not enabled", func(f *Fixture) { f.Tokens[0].Modules = []string{"MOD-1011"} },
			`fixture: tokens[0].modules[0]: module "MOD-1011" is not enabled for account "ACC-1000-0001"`},
		{"module twice", func(f *Fixture) { f.Tokens[0].Modules = []string{"MOD-1001", "MOD-1001"} },
			`fixture: tokens[0].modules[1]: module "MOD-1001" is listed twice`},
		{"no createdAt", func(f *Fixture) { f.Tokens[7].CreatedAt = time.Time{} }, `fixture: tokens[7].createdAt: required`},
		{"access before creation", func(f *Fixture) { f.Tokens[8].LastAccessAt = &early }, `fixture: tokens[8].lastAccessAt: is before createdAt`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadFixture(strings.NewReader(badFixture(tt.change)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v\nwant %s", err, tt.want)
			}
		})
	}
	if _, err := LoadFixture(strings.NewReader(`{"defaultAccount":"ACC-1000-0001","accounts":[{"id":"ACC-1000-0001","name":"A","type":"Client","status":"Active","modules":[]}],"modules":[],"tokens":[{"id":"TKN-0000-0001","secret":"x"}]}`)); err == nil || !strings.Contains(err.Error(), `unknown field "secret"`) {
		t.Errorf("unknown token field: %v", err)
	}
}

func TestDemoFixtureTokens(t *testing.T) {
	f := DemoFixture()
	if len(f.Tokens) < 30 || len(f.Tokens) > 60 {
		t.Fatalf("%d demo tokens, want a few dozen", len(f.Tokens))
	}
	accounts, disabled, unused := map[string]int{}, 0, 0
	oldest, newest := f.Tokens[0].CreatedAt, f.Tokens[0].CreatedAt
	for _, tok := range f.Tokens {
		accounts[tok.Account]++
		if tok.Status == "Disabled" {
			disabled++
		}
		if tok.LastAccessAt == nil {
			unused++
		}
		oldest, newest = minTime(oldest, tok.CreatedAt), maxTime(newest, tok.CreatedAt)
	}
	if len(accounts) != 3 || disabled == 0 || unused == 0 || newest.Sub(oldest) < 365*24*time.Hour {
		t.Errorf("accounts %v, %d disabled, %d never used, ages %v … %v: want variety", accounts, disabled, unused, oldest, newest)
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Fixture tokens are served like created ones, with their history in the
// audit trail, but they are not bearer tokens and not in StoredTokens.
func TestFixtureTokensAreServed(t *testing.T) {
	f := DemoFixture()
	e := newEnv(t, WithFixture(f))
	var disabled Token
	for _, tok := range f.Tokens {
		if tok.Status == "Disabled" && tok.LastAccessAt != nil && tok.Account == contoso {
			disabled = tok
			break
		}
	}
	o := e.get(createPath + "/" + disabled.ID).object(t)
	created := o["audit"].(map[string]any)["created"].(map[string]any)
	if o["status"] != "Disabled" || o["revision"] != 2.0 || o["name"] != disabled.Name ||
		created["at"] != formatTime(disabled.CreatedAt) || o["lastAccessAt"] != formatTime(*disabled.LastAccessAt) ||
		len(o["modules"].([]any)) != len(disabled.Modules) {
		t.Errorf("fixture token = %v\nwant %+v", o, disabled)
	}
	if by := created["by"].(map[string]any)["name"]; disabled.CreatedBy != "" && by != disabled.CreatedBy {
		t.Errorf("created by %v, want %q", by, disabled.CreatedBy)
	}
	_, _, _, total := list(t, e.get(createPath+"?limit=0"))
	if total != len(f.Tokens) {
		t.Errorf("list total %d, want %d", total, len(f.Tokens))
	}
	recs, _, _, _ := list(t, e.get(rq(`/public/v1/audit/records?eq(object.id,"`+disabled.ID+`")&order=-timestamp`)))
	if len(recs) != 2 || recs[0]["event"] != auditDisabled || recs[1]["event"] != auditCreated {
		t.Errorf("audit records = %v", recs)
	}
	if n := len(e.s.StoredTokens()); n != 0 {
		t.Errorf("StoredTokens has %d fixture tokens", n)
	}
	e.post(createPath+"/"+disabled.ID+"/enable", testOperator, nil).want(t, http.StatusOK)
}
