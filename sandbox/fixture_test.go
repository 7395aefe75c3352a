package sandbox

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestDemoFixtureRoundTrip(t *testing.T) {
	demo := DemoFixture()
	b, err := json.MarshalIndent(demo, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadFixture(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("LoadFixture(demo): %v", err)
	}
	if !reflect.DeepEqual(got, demo) {
		t.Errorf("round trip changed the fixture:\n%+v\n%+v", got, demo)
	}
	// DemoFixture returns a fresh copy each time.
	demo.Accounts[0].Name = "changed"
	if DemoFixture().Accounts[0].Name != "Contoso Ltd" {
		t.Error("DemoFixture shares state between calls")
	}
}

func TestDemoFixtureShape(t *testing.T) {
	f := DemoFixture()
	if len(f.Modules) != 12 {
		t.Errorf("%d modules, want 12", len(f.Modules))
	}
	types := map[string]int{}
	var empty int
	for _, a := range f.Accounts {
		types[a.Type]++
		switch n := len(a.Modules); {
		case n == 0:
			empty++
			if a.Type != "Client" {
				t.Errorf("%s: the empty account should be a Client", a.ID)
			}
		case n < 5 || n > 9:
			t.Errorf("%s has %d modules, want 5 to 9", a.ID, n)
		}
	}
	if types["Client"] != 2 || types["Vendor"] != 1 || types["Operations"] != 1 || empty != 1 {
		t.Errorf("types = %v, empty accounts = %d", types, empty)
	}
	if f.DefaultAccount != contoso || len(f.Accounts[0].Modules) == 0 {
		t.Errorf("defaultAccount = %s", f.DefaultAccount)
	}
	for _, m := range f.Modules {
		if !strings.HasSuffix(m.Description, ".") || len(m.Description) < 30 {
			t.Errorf("%s: description %q is not a sentence", m.ID, m.Description)
		}
	}
}

// badFixture builds a fixture from the demo with one change.
func badFixture(change func(f *Fixture)) string {
	f := DemoFixture()
	change(f)
	b, _ := json.Marshal(f)
	return string(b)
}

func TestLoadFixtureErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "fixture: empty input"},
		{"not JSON", "{", "fixture: unexpected EOF"},
		{"unknown top-level field", `{"defaultAccount":"ACC-1000-0001","accounts":[],"modules":[],"x":1}`, `unknown field "x"`},
		{"unknown nested field", strings.Replace(badFixture(func(*Fixture) {}), `"status":"Active"`, `"status":"Active","region":"EU"`, 1), `unknown field "region"`},
		{"trailing data", badFixture(func(*Fixture) {}) + "{}", "unexpected data after the JSON object"},
		{"wrong type", `{"defaultAccount":1}`, "cannot unmarshal number"},
		{"module not in catalogue", badFixture(func(f *Fixture) { f.Accounts[2].Modules[0] = "MOD-9999" }),
			`fixture: accounts[2].modules[0]: module "MOD-9999" is not in the catalogue`},
		{"module of another type", badFixture(func(f *Fixture) { f.Accounts[0].Modules[0] = "MOD-1011" }),
			`fixture: accounts[0].modules[0]: module "MOD-1011" does not list the account's type "Client" in its accountTypes`},
		{"module listed twice", badFixture(func(f *Fixture) { f.Accounts[0].Modules[1] = "MOD-1001" }),
			`fixture: accounts[0].modules[1]: module "MOD-1001" is listed twice (first at accounts[0].modules[0])`},
		{"bad account id", badFixture(func(f *Fixture) { f.Accounts[3].ID = "ACC-3000-1" }),
			`fixture: accounts[3].id: "ACC-3000-1" is not an account id (ACC-####-####)`},
		{"duplicate account id", badFixture(func(f *Fixture) { f.Accounts[1].ID = "ACC-1000-0001" }),
			`fixture: accounts[1].id: duplicate account id "ACC-1000-0001" (first at accounts[0])`},
		{"bad account type", badFixture(func(f *Fixture) { f.Accounts[1].Type = "Reseller" }),
			`fixture: accounts[1].type: "Reseller" is not one of Client, Vendor, Operations`},
		{"bad account status", badFixture(func(f *Fixture) { f.Accounts[1].Status = "Gone" }),
			`fixture: accounts[1].status: "Gone" is not one of Active, Enabled, Disabled`},
		{"account name missing", badFixture(func(f *Fixture) { f.Accounts[1].Name = "" }),
			`fixture: accounts[1].name: required`},
		{"account name too long", badFixture(func(f *Fixture) { f.Accounts[1].Name = strings.Repeat("n", 10_001) }),
			`fixture: accounts[1].name: 10001 characters, the limit is 10000`},
		{"bad module id", badFixture(func(f *Fixture) { f.Modules[11].ID = "MOD-1756-1452" }),
			`fixture: modules[11].id: "MOD-1756-1452" is not a module id (MOD-####)`},
		{"duplicate module id", badFixture(func(f *Fixture) { f.Modules[5].ID = "MOD-1001" }),
			`fixture: modules[5].id: duplicate module id "MOD-1001" (first at modules[0])`},
		{"no account types", badFixture(func(f *Fixture) { f.Modules[0].AccountTypes = nil }),
			`fixture: modules[0].accountTypes: must list at least one of Client, Vendor, Operations`},
		{"bad account type in module", badFixture(func(f *Fixture) { f.Modules[0].AccountTypes[1] = "Partner" }),
			`fixture: modules[0].accountTypes[1]: "Partner" is not one of Client, Vendor, Operations`},
		{"module name missing", badFixture(func(f *Fixture) { f.Modules[2].Name = "" }),
			`fixture: modules[2].name: required`},
		{"module name too long", badFixture(func(f *Fixture) { f.Modules[2].Name = strings.Repeat("\x1b", 10_001) }),
			`fixture: modules[2].name: 10001 characters, the limit is 10000`},
		{"module description too long", badFixture(func(f *Fixture) { f.Modules[2].Description = strings.Repeat("d", 10_001) }),
			`fixture: modules[2].description: 10001 characters, the limit is 10000`},
		{"extension name missing", badFixture(func(f *Fixture) { f.Extensions[1].Name = "" }),
			`fixture: extensions[1].name: required`},
		{"bad extension status", badFixture(func(f *Fixture) { f.Extensions[0].Status = "Live" }),
			`fixture: extensions[0].status: "Live" is not one of Draft, Private, Public, Deleted`},
		{"bad extension id", badFixture(func(f *Fixture) { f.Extensions[0].ID = "EXT 1" }),
			`fixture: extensions[0].id: "EXT 1" is not an extension id`},
		{"duplicate extension id", badFixture(func(f *Fixture) { f.Extensions[2].ID = "EXT-0001" }),
			`fixture: extensions[2].id: duplicate extension id "EXT-0001" (first at extensions[0])`},
		{"default account missing", badFixture(func(f *Fixture) { f.DefaultAccount = "" }),
			`fixture: defaultAccount: required`},
		{"default account unknown", badFixture(func(f *Fixture) { f.DefaultAccount = "ACC-0000-0000" }),
			`fixture: defaultAccount: account "ACC-0000-0000" is not in accounts`},
		{"too many modules", `{"modules":[` + strings.Repeat(`{},`, 100_000) + `{}]}`,
			"fixture: modules: 100001 modules, the limit is 100000"},
		{"larger than 8 MiB", `{"x":"` + strings.Repeat("x", 8<<20) + `"}`, "fixture: larger than 8388608 bytes (8 MiB)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := LoadFixture(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("no error; fixture %+v", f)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v\nwant it to contain %s", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "fixture: ") {
				t.Errorf("error %q does not start with fixture:", err)
			}
		})
	}
}

// hostileText is every kind of string a server might send in a name or a
// description: escape sequences of each family, C0 and C1 controls, bidi
// controls, separators, white space only.
var hostileText = []string{
	"\x1b[2J\x1b[H\x1b[31mred\x1b[0m",
	"\x1b]52;c;aGVsbG8=\x07",
	"\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\",
	"\x1bP1$r0m\x1b\\ \x1b_APC\x1b\\ \x1b^PM\x1b\\ \x1bXSOS\x1b\\",
	"bell\a back\b cr\r lf\n tab\t nul\x00 del\x7f",
	"\u009b2J \u009d0;title\u009c \u0085",
	"\u202egnp.exe \u2066iso\u2069 \u200f \u061c",
	"line\u2028separator\u2029",
	" \t ",
	"\ufeff\ufffd",
}

// TestLoadFixtureAcceptsHostileText: names and descriptions may hold any
// string, and the server serves exactly what the fixture holds.
func TestLoadFixtureAcceptsHostileText(t *testing.T) {
	f := DemoFixture()
	for i, s := range hostileText {
		f.Modules[i].Name = s
		f.Modules[i].Description = s + s
	}
	f.Accounts[0].Name = strings.Join(hostileText, "")
	f.Accounts[1].Name = " "
	f.Extensions[0].Name = hostileText[1]
	long := strings.Repeat("\x1b[7m", 2500) // 10 000 runes
	f.Modules[11].Name, f.Modules[11].Description = long, long
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadFixture(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("LoadFixture: %v", err)
	}
	if !reflect.DeepEqual(got, f) {
		t.Fatal("the loaded fixture differs from the one written")
	}

	e := newEnv(t, WithFixture(got))
	if name := e.get("/public/v1/accounts/accounts/" + contoso).object(t)["name"]; name != f.Accounts[0].Name {
		t.Errorf("account name served as %q, want %q", name, f.Accounts[0].Name)
	}
	items, _, _, _ := list(t, e.get("/public/v1/accounts/modules?limit=100"))
	if len(items) != len(f.Modules) {
		t.Fatalf("%d modules served, want %d", len(items), len(f.Modules))
	}
	for i, m := range items {
		if m["name"] != f.Modules[i].Name || m["description"] != f.Modules[i].Description {
			t.Errorf("module %v served as %q / %q, want %q / %q", m["id"], m["name"], m["description"], f.Modules[i].Name, f.Modules[i].Description)
		}
	}
	// And a token of its modules carries them too.
	tok := e.create("hostile", "MOD-1001", "MOD-1002")
	mods, _ := tok["modules"].([]any)
	if len(mods) != 2 || mods[0].(map[string]any)["name"] != f.Modules[0].Name || tok["account"].(map[string]any)["name"] != f.Accounts[0].Name {
		t.Errorf("token modules %v, account %v", mods, tok["account"])
	}
}

// TestLoadFixtureStrictWhereItMatters: ids, types and statuses stay strict,
// hostile characters included, and text must be UTF-8 (JSON can carry
// nothing else, so a Go-built fixture could not be served as it is).
func TestLoadFixtureStrictWhereItMatters(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(f *Fixture)
		want   string
	}{
		{"account id with ESC", func(f *Fixture) { f.Accounts[3].ID = "ACC-3000-0001\x1b" }, `accounts[3].id: "ACC-3000-0001\x1b" is not an account id`},
		{"module id with LF", func(f *Fixture) { f.Modules[11].ID = "MOD-1012\n" }, `modules[11].id: "MOD-1012\n" is not a module id`},
		{"extension id with bidi", func(f *Fixture) { f.Extensions[2].ID = "EXT\u202e3" }, `extensions[2].id: "EXT\u202e3" is not an extension id`},
		{"account type with bidi", func(f *Fixture) { f.Accounts[1].Type = "Client\u200f" }, `accounts[1].type: "Client\u200f" is not one of`},
		{"account status with NUL", func(f *Fixture) { f.Accounts[1].Status = "Active\x00" }, `accounts[1].status: "Active\x00" is not one of`},
		{"extension status padded", func(f *Fixture) { f.Extensions[0].Status = " Public" }, `extensions[0].status: " Public" is not one of`},
		{"module account type with CSI", func(f *Fixture) { f.Modules[0].AccountTypes[0] = "\u009bClient" }, `modules[0].accountTypes[0]: "\u009bClient" is not one of`},
		{"invalid UTF-8 name", func(f *Fixture) { f.Accounts[2].Name = "Fab\xffrikam" }, `accounts[2].name: is not valid UTF-8`},
		{"invalid UTF-8 description", func(f *Fixture) { f.Modules[4].Description = "\xc3" }, `modules[4].description: is not valid UTF-8`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := DemoFixture()
			tt.change(f)
			err := f.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v\nwant it to contain %s", err, tt.want)
			}
		})
	}
}

func TestLoadFixtureReportsEveryError(t *testing.T) {
	_, err := LoadFixture(strings.NewReader(badFixture(func(f *Fixture) {
		f.Accounts[0].Type = "X"
		f.Modules[0].ID = "Y"
		f.DefaultAccount = "Z"
	})))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"accounts[0].type", "modules[0].id", "defaultAccount"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s: %v", want, err)
		}
	}
}

func TestNewRejectsAnInvalidFixture(t *testing.T) {
	f := DemoFixture()
	f.Accounts[0].Modules = append(f.Accounts[0].Modules, "MOD-4242")
	if _, err := New(WithFixture(f)); err == nil || !strings.Contains(err.Error(), `"MOD-4242" is not in the catalogue`) {
		t.Errorf("New = %v", err)
	}
}

func TestServerKeepsItsOwnCopyOfTheFixture(t *testing.T) {
	f := DemoFixture()
	e := newEnv(t, WithFixture(f))
	f.Accounts[0].Name = "Mutated"
	f.Accounts[0].Modules[0] = "MOD-9999"
	if got := e.get("/public/v1/accounts/accounts/" + contoso).object(t)["name"]; got != "Contoso Ltd" {
		t.Errorf("name = %v", got)
	}
}

func TestLoadFixtureFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "demo.json")
	b, _ := json.Marshal(DemoFixture())
	if err := os.WriteFile(good, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if f, err := LoadFixtureFile(good); err != nil || f.DefaultAccount != contoso {
		t.Fatalf("LoadFixtureFile(good) = %v", err)
	}
	if _, err := LoadFixtureFile(dir); err == nil || !strings.Contains(err.Error(), "is not a regular file") {
		t.Errorf("directory: %v", err)
	}
	if _, err := LoadFixtureFile(filepath.Join(dir, "missing.json")); err == nil || !strings.HasPrefix(err.Error(), "fixture: ") {
		t.Errorf("missing file: %v", err)
	}
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, make([]byte, 8<<20+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFixtureFile(big); err == nil || !strings.Contains(err.Error(), "8 MiB") {
		t.Errorf("big file: %v", err)
	}
	if runtime.GOOS == "windows" {
		return
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := LoadFixtureFile(fifo); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "is not a regular file") {
			t.Errorf("FIFO: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("LoadFixtureFile blocked on a FIFO")
	}
}

func TestGenerateFixture(t *testing.T) {
	for _, tt := range []struct{ n, want int }{{0, 0}, {-3, 0}, {1, 1}, {250, 250}, {10_000, 10_000}, {20_000, 10_000}} {
		f := GenerateFixture(tt.n)
		if err := f.Validate(); err != nil {
			t.Fatalf("GenerateFixture(%d): %v", tt.n, err)
		}
		if len(f.Modules) != tt.want || len(f.Accounts) != 1 || len(f.Accounts[0].Modules) != tt.want ||
			f.Accounts[0].ID != "ACC-9000-0001" || f.Accounts[0].Type != "Client" || f.DefaultAccount != "ACC-9000-0001" {
			t.Errorf("GenerateFixture(%d): %d modules, account %+v", tt.n, len(f.Modules), f.Accounts[0].ID)
		}
	}
	f := GenerateFixture(10_000)
	if f.Modules[0].ID != "MOD-0000" || f.Modules[9999].ID != "MOD-9999" {
		t.Errorf("ids run %s…%s", f.Modules[0].ID, f.Modules[9999].ID)
	}
	seen := map[string]bool{}
	for _, m := range f.Modules {
		if seen[m.Name] {
			t.Fatalf("duplicate module name %q", m.Name)
		}
		seen[m.Name] = true
	}
	if f.Modules[0].Name != "Orders" || f.Modules[26].Name != "Subscriptions approvals" || f.Modules[507].Name != "Helpdesk (EMEA)" {
		t.Errorf("names: %q, %q, %q", f.Modules[0].Name, f.Modules[26].Name, f.Modules[507].Name)
	}

	e := newEnv(t, WithFixture(f))
	items, _, lim, total := list(t, e.get("/public/v1/accounts/modules?limit=1000&offset=9950"))
	if total != 10_000 || lim != 100 || len(items) != 50 {
		t.Errorf("10k modules: %d items, total %d", len(items), total)
	}
	e.post(createPath, testOperator, createBody("ACC-9000-0001", "bench", "MOD-0000", "MOD-9999")).want(t, 201)
}

func FuzzLoadFixture(f *testing.F) {
	demo, _ := json.Marshal(DemoFixture())
	f.Add(demo)
	small, _ := json.Marshal(GenerateFixture(3))
	f.Add(small)
	f.Add([]byte(`{"defaultAccount":"ACC-0000-0000","accounts":[{"id":"ACC-0000-0000","name":"a","type":"Client","status":"Active","modules":null}],"modules":null}`))
	f.Add([]byte(`{"accounts":[{"modules":["MOD-0001","MOD-0001"]}],"modules":[{"id":"MOD-0001","accountTypes":["Client","Client"]}]}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fx, err := LoadFixture(bytes.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fixture: ") {
				t.Errorf("error without prefix: %v", err)
			}
			return
		}
		// What loads must serve, and survive a round trip.
		if _, err := New(WithFixture(fx), WithOperatorToken("op")); err != nil {
			t.Fatalf("New on a loaded fixture: %v", err)
		}
		b, err := json.Marshal(fx)
		if err != nil {
			t.Fatal(err)
		}
		again, err := LoadFixture(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("round trip: %v", err)
		}
		if again.DefaultAccount != fx.DefaultAccount || !slices.EqualFunc(again.Accounts, fx.Accounts, func(a, b Account) bool {
			return a.ID == b.ID && slices.Equal(a.Modules, b.Modules)
		}) {
			t.Errorf("round trip changed the fixture")
		}
	})
}
