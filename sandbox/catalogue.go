package sandbox

import (
	"slices"
	"strings"
	"time"
)

// catalogue is the fixture as served: lookups plus pre-rendered objects.
// It never changes after New, so it is read without locks.
type catalogue struct {
	defaultAccount string
	accounts       map[string]*account
	accountList    []*account // by id
	modules        map[string]*module
	moduleList     []*module // by id
	extensions     map[string]*extension
	fixture        *Fixture // the server's own copy, for seeding its tokens
	arranged       arrangedCache
}

type account struct {
	Account
	enabled map[string]bool
	full    object // Account with its modules; select decides what is shown
	ref     object // AccountRef, as embedded in a token
}

type module struct {
	Module
	full  object // Module with accountTypes; select decides what is shown
	ref   object // ModuleRef, as embedded in a token
	brief object // {"id","name"}, as listed in an account's modules
}

type extension struct {
	Extension
	ref object
}

func newCatalogue(f *Fixture, at time.Time) *catalogue {
	ev := event{at: at, by: operatorIdentity}
	audit := auditObject(ev, ev)
	c := &catalogue{
		defaultAccount: f.DefaultAccount,
		fixture:        f,
		accounts:       make(map[string]*account, len(f.Accounts)),
		modules:        make(map[string]*module, len(f.Modules)),
		extensions:     make(map[string]*extension, len(f.Extensions)),
	}
	for _, m := range f.Modules {
		settings := object{
			{"configurable", m.Settings.Configurable},
			{"default", m.Settings.Default},
			{"paid", m.Settings.Paid},
			{"type", []string{}},
			{"obsolete", m.Settings.Obsolete},
			{"eligibility", object{{"multi", true}, {"single", true}}},
		}
		mod := &module{
			Module: m,
			full: object{
				{"id", m.ID},
				{"name", m.Name},
				{"description", m.Description},
				{"revision", 1},
				{"settings", settings},
				{"accountTypes", m.AccountTypes},
				{"audit", audit},
			},
			ref: object{
				{"id", m.ID},
				{"name", m.Name},
				{"revision", 1},
				{"description", m.Description},
				{"filters", nil},
				{"settings", settings},
			},
			brief: object{{"id", m.ID}, {"name", m.Name}},
		}
		c.modules[m.ID] = mod
		c.moduleList = append(c.moduleList, mod)
	}
	for _, a := range f.Accounts {
		acc := &account{Account: a, enabled: make(map[string]bool, len(a.Modules))}
		briefs := make([]object, 0, len(a.Modules))
		for _, id := range a.Modules {
			acc.enabled[id] = true
			briefs = append(briefs, c.modules[id].brief)
		}
		acc.full = object{
			{"id", a.ID},
			{"name", a.Name},
			{"type", a.Type},
			{"status", a.Status},
			{"icon", nil},
			{"revision", 1},
			{"audit", audit},
			{"modules", briefs},
		}
		acc.ref = object{
			{"id", a.ID},
			{"name", a.Name},
			{"icon", nil},
			{"revision", 1},
			{"type", a.Type},
			{"status", a.Status},
		}
		c.accounts[a.ID] = acc
		c.accountList = append(c.accountList, acc)
	}
	for _, e := range f.Extensions {
		c.extensions[e.ID] = &extension{Extension: e, ref: object{
			{"id", e.ID},
			{"name", e.Name},
			{"icon", nil},
			{"revision", 1},
			{"status", e.Status},
		}}
	}
	slices.SortFunc(c.moduleList, func(a, b *module) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(c.accountList, func(a, b *account) int { return strings.Compare(a.ID, b.ID) })
	return c
}
