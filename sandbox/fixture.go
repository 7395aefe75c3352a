package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Fixture is the catalogue a [Server] serves: accounts, the module
// catalogue, and extensions. Its JSON form is described in the package
// documentation; [LoadFixture] reads it strictly.
type Fixture struct {
	// DefaultAccount is the account the CLI preselects.
	DefaultAccount string      `json:"defaultAccount"`
	Accounts       []Account   `json:"accounts"`
	Modules        []Module    `json:"modules"`
	Extensions     []Extension `json:"extensions,omitempty"`
	// Tokens are API tokens that exist when the server starts, so that a
	// sandbox can begin with a realistic list.
	Tokens []Token `json:"tokens,omitempty"`
}

// Token is an API token of a [Fixture]. It has no value: the sandbox keeps
// only hashes of the values it hands out, so a fixture token can be listed,
// read, edited, disabled, enabled and deleted, but not used as a bearer
// token.
type Token struct {
	ID          string `json:"id"`      // TKN-####-####
	Account     string `json:"account"` // the id of an account of the fixture
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Status      string `json:"status"` // Active or Disabled
	// Modules are module ids enabled for the account; at least one.
	Modules      []string   `json:"modules"`
	CreatedAt    time.Time  `json:"createdAt"`              // RFC 3339
	LastAccessAt *time.Time `json:"lastAccessAt,omitempty"` // not before CreatedAt
	// CreatedBy is the name of the user who created the token; the
	// sandbox operator when empty.
	CreatedBy string `json:"createdBy,omitempty"`
}

// Account is an account of a [Fixture].
type Account struct {
	ID     string `json:"id"`     // ACC-####-####
	Name   string `json:"name"`   // e.g. "Contoso Ltd"
	Type   string `json:"type"`   // Client, Vendor or Operations
	Status string `json:"status"` // Active, Enabled or Disabled
	// Modules are the ids of the modules enabled for the account: the ones
	// a token of this account may be given.
	Modules []string `json:"modules"`
}

// Module is an entry of the module catalogue of a [Fixture].
type Module struct {
	ID          string `json:"id"` // MOD-####
	Name        string `json:"name"`
	Description string `json:"description"`
	// AccountTypes lists the account types the module applies to.
	AccountTypes []string       `json:"accountTypes"`
	Settings     ModuleSettings `json:"settings"`
}

// ModuleSettings says how a module is offered.
type ModuleSettings struct {
	Default      bool `json:"default"`      // given to new accounts
	Paid         bool `json:"paid"`         // enabled by SoftwareOne on request
	Configurable bool `json:"configurable"` // the account may switch it
	Obsolete     bool `json:"obsolete"`
}

// Extension is an extension a token may be linked to.
type Extension struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"` // Draft, Private, Public or Deleted
}

// Fixture limits: generous for benchmarks, small enough that a bad file
// cannot exhaust memory.
const (
	maxFixtureBytes      = 8 << 20
	maxFixtureAccounts   = 10_000
	maxFixtureModules    = 100_000
	maxFixtureExtensions = 10_000
	maxFixtureTokens     = 10_000
	maxFixtureErrors     = 20
	// maxFixtureTextRunes bounds a name or a description. Far above what
	// the platform allows for what a user types: a fixture stands for a
	// server, and a server may send anything (see checkText).
	maxFixtureTextRunes = 10_000
)

var (
	accountTypes      = []string{"Client", "Vendor", "Operations"}
	accountStatuses   = []string{"Active", "Enabled", "Disabled"}
	extensionStatuses = []string{"Draft", "Private", "Public", "Deleted"}
)

// LoadFixture reads a fixture in the documented JSON format and validates
// it. Unknown fields, trailing data and more than 8 MiB are errors; every
// error names the offending entry, e.g.
// `fixture: accounts[2].modules[0]: module "MOD-9999" is not in the catalogue`.
func LoadFixture(r io.Reader) (*Fixture, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFixtureBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fixture: reading: %w", err)
	}
	if len(data) > maxFixtureBytes {
		return nil, fmt.Errorf("fixture: larger than %d bytes (8 MiB)", maxFixtureBytes)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("fixture: empty input")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f Fixture
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("fixture: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("fixture: unexpected data after the JSON object")
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

// LoadFixtureFile reads a fixture file with [LoadFixture]. It refuses
// anything but a regular file (a directory, a FIFO, a device) before opening
// it, so a wrong path cannot block the program.
func LoadFixtureFile(path string) (*Fixture, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("fixture: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("fixture: %s is not a regular file (%s)", path, fi.Mode().Type())
	}
	if fi.Size() > maxFixtureBytes {
		return nil, fmt.Errorf("fixture: %s is larger than %d bytes (8 MiB)", path, maxFixtureBytes)
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("fixture: %w", err)
	}
	defer file.Close()
	return LoadFixture(file)
}

// Validate checks the rules listed in the package documentation and
// reports every broken one (up to twenty), each naming its entry.
func (f *Fixture) Validate() error {
	if f == nil {
		return errors.New("fixture: nil")
	}
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("fixture: %s: %s", path, fmt.Sprintf(format, args...)))
	}
	switch {
	case len(f.Accounts) > maxFixtureAccounts:
		return fmt.Errorf("fixture: accounts: %d accounts, the limit is %d", len(f.Accounts), maxFixtureAccounts)
	case len(f.Modules) > maxFixtureModules:
		return fmt.Errorf("fixture: modules: %d modules, the limit is %d", len(f.Modules), maxFixtureModules)
	case len(f.Extensions) > maxFixtureExtensions:
		return fmt.Errorf("fixture: extensions: %d extensions, the limit is %d", len(f.Extensions), maxFixtureExtensions)
	case len(f.Tokens) > maxFixtureTokens:
		return fmt.Errorf("fixture: tokens: %d tokens, the limit is %d", len(f.Tokens), maxFixtureTokens)
	}

	modules := make(map[string]int, len(f.Modules))
	for i, m := range f.Modules {
		at := fmt.Sprintf("modules[%d]", i)
		if !validModuleID(m.ID) {
			bad(at+".id", "%q is not a module id (MOD-####)", m.ID)
		} else if first, dup := modules[m.ID]; dup {
			bad(at+".id", "duplicate module id %q (first at modules[%d])", m.ID, first)
		} else {
			modules[m.ID] = i
		}
		checkText(bad, at+".name", m.Name, true)
		checkText(bad, at+".description", m.Description, false)
		if len(m.AccountTypes) == 0 {
			bad(at+".accountTypes", "must list at least one of %s", strings.Join(accountTypes, ", "))
		}
		for j, t := range m.AccountTypes {
			if !slices.Contains(accountTypes, t) {
				bad(fmt.Sprintf("%s.accountTypes[%d]", at, j), "%q is not one of %s", t, strings.Join(accountTypes, ", "))
			} else if slices.Index(m.AccountTypes, t) < j {
				bad(fmt.Sprintf("%s.accountTypes[%d]", at, j), "%q is listed twice", t)
			}
		}
	}

	accounts := make(map[string]int, len(f.Accounts))
	for i, a := range f.Accounts {
		at := fmt.Sprintf("accounts[%d]", i)
		if !validAccountID(a.ID) {
			bad(at+".id", "%q is not an account id (ACC-####-####)", a.ID)
		} else if first, dup := accounts[a.ID]; dup {
			bad(at+".id", "duplicate account id %q (first at accounts[%d])", a.ID, first)
		} else {
			accounts[a.ID] = i
		}
		checkText(bad, at+".name", a.Name, true)
		if !slices.Contains(accountTypes, a.Type) {
			bad(at+".type", "%q is not one of %s", a.Type, strings.Join(accountTypes, ", "))
		}
		if !slices.Contains(accountStatuses, a.Status) {
			bad(at+".status", "%q is not one of %s", a.Status, strings.Join(accountStatuses, ", "))
		}
		seen := make(map[string]int, len(a.Modules))
		for j, id := range a.Modules {
			mat := fmt.Sprintf("%s.modules[%d]", at, j)
			mi, ok := modules[id]
			switch {
			case !ok:
				bad(mat, "module %q is not in the catalogue", id)
			case seen[id] > 0:
				bad(mat, "module %q is listed twice (first at %s.modules[%d])", id, at, seen[id]-1)
			case !slices.Contains(f.Modules[mi].AccountTypes, a.Type) && slices.Contains(accountTypes, a.Type):
				bad(mat, "module %q does not list the account's type %q in its accountTypes", id, a.Type)
			}
			if _, dup := seen[id]; !dup {
				seen[id] = j + 1
			}
		}
	}

	extensions := make(map[string]int, len(f.Extensions))
	for i, e := range f.Extensions {
		at := fmt.Sprintf("extensions[%d]", i)
		if !validExtensionID(e.ID) {
			bad(at+".id", "%q is not an extension id (1 to 64 letters, digits, '.', '_' or '-')", e.ID)
		} else if first, dup := extensions[e.ID]; dup {
			bad(at+".id", "duplicate extension id %q (first at extensions[%d])", e.ID, first)
		} else {
			extensions[e.ID] = i
		}
		checkText(bad, at+".name", e.Name, true)
		if !slices.Contains(extensionStatuses, e.Status) {
			bad(at+".status", "%q is not one of %s", e.Status, strings.Join(extensionStatuses, ", "))
		}
	}

	tokens := make(map[string]int, len(f.Tokens))
	for i, t := range f.Tokens {
		at := fmt.Sprintf("tokens[%d]", i)
		if !validTokenID(t.ID) {
			bad(at+".id", "%q is not a token id (TKN-####-####)", t.ID)
		} else if first, dup := tokens[t.ID]; dup {
			bad(at+".id", "duplicate token id %q (first at tokens[%d])", t.ID, first)
		} else {
			tokens[t.ID] = i
		}
		var acc *Account
		if ai, ok := accounts[t.Account]; ok {
			acc = &f.Accounts[ai]
		} else {
			bad(at+".account", "account %q is not in accounts", t.Account)
		}
		// A token's name and description follow the create rules: the
		// platform would not have stored anything else.
		name := strings.TrimSpace(t.Name)
		switch n := utf8.RuneCountInString(name); {
		case name == "":
			bad(at+".name", "required")
		case n > maxTokenNameRunes:
			bad(at+".name", "%d characters, the limit is %d", n, maxTokenNameRunes)
		case strings.ContainsFunc(name, unicode.IsControl) || !utf8.ValidString(name):
			bad(at+".name", "must be valid UTF-8 without control characters")
		}
		if n := utf8.RuneCountInString(t.Description); n > maxDescRunes || !utf8.ValidString(t.Description) {
			bad(at+".description", "must be valid UTF-8 of at most %d characters", maxDescRunes)
		}
		checkText(bad, at+".createdBy", t.CreatedBy, false)
		if t.Status != tokenActive && t.Status != tokenDisabled {
			bad(at+".status", "%q is not one of Active, Disabled", t.Status)
		}
		if len(t.Modules) == 0 {
			bad(at+".modules", "must list at least one module")
		}
		for j, id := range t.Modules {
			mat := fmt.Sprintf("%s.modules[%d]", at, j)
			switch {
			case slices.Index(t.Modules, id) < j:
				bad(mat, "module %q is listed twice", id)
			case acc != nil && !slices.Contains(acc.Modules, id):
				bad(mat, "module %q is not enabled for account %q", id, acc.ID)
			}
		}
		if t.CreatedAt.IsZero() {
			bad(at+".createdAt", "required")
		}
		if t.LastAccessAt != nil && t.LastAccessAt.Before(t.CreatedAt) {
			bad(at+".lastAccessAt", "is before createdAt")
		}
	}

	if f.DefaultAccount == "" {
		bad("defaultAccount", "required")
	} else if _, ok := accounts[f.DefaultAccount]; !ok {
		bad("defaultAccount", "account %q is not in accounts", f.DefaultAccount)
	}

	if len(errs) > maxFixtureErrors {
		more := len(errs) - maxFixtureErrors
		errs = append(errs[:maxFixtureErrors], fmt.Errorf("fixture: … and %d more errors", more))
	}
	return errors.Join(errs...)
}

// checkText checks a name or a description. Their content is free: escape
// sequences, C0 and C1 controls, bidi overrides, white space only — a real
// server may send any string, and the sandbox must be able to send them too
// so that clients can be tested against hostile catalogues. Only what keeps
// the sandbox itself sound is checked: a name is present (not ""), nothing is
// longer than maxFixtureTextRunes, and the text is valid UTF-8, since JSON
// cannot carry anything else (what is served must be what the fixture
// holds).
func checkText(bad func(path, format string, args ...any), path, text string, required bool) {
	switch n := utf8.RuneCountInString(text); {
	case required && text == "":
		bad(path, "required")
	case n > maxFixtureTextRunes:
		bad(path, "%d characters, the limit is %d", n, maxFixtureTextRunes)
	case !utf8.ValidString(text):
		bad(path, "is not valid UTF-8")
	}
}

// clone copies f deeply, so a Server is not affected by later changes.
func (f *Fixture) clone() *Fixture {
	c := &Fixture{
		DefaultAccount: f.DefaultAccount,
		Accounts:       slices.Clone(f.Accounts),
		Modules:        slices.Clone(f.Modules),
		Extensions:     slices.Clone(f.Extensions),
		Tokens:         slices.Clone(f.Tokens),
	}
	for i := range c.Tokens {
		c.Tokens[i].Modules = slices.Clone(c.Tokens[i].Modules)
		if at := c.Tokens[i].LastAccessAt; at != nil {
			t := *at
			c.Tokens[i].LastAccessAt = &t
		}
	}
	for i := range c.Accounts {
		c.Accounts[i].Modules = slices.Clone(c.Accounts[i].Modules)
	}
	for i := range c.Modules {
		c.Modules[i].AccountTypes = slices.Clone(c.Modules[i].AccountTypes)
	}
	return c
}
