package sandbox

import (
	"fmt"
	"strings"
	"time"
)

// DemoFixture returns the catalogue served by default: one account of each
// type (Client, Vendor, Operations) with modules enabled, a second Client
// account with none (to show the empty state), twelve platform modules and
// three extensions. DefaultAccount is the Client account with modules.
// It also holds three dozen tokens of the accounts with modules, created
// over the two years before 2026-11-27, some disabled, some never used.
// Each call returns a fresh copy.
func DemoFixture() *Fixture {
	f := demoCatalogue()
	f.Tokens = demoTokens(f)
	return f
}

// DemoAccount is the demo's DefaultAccount, known without building the
// demo.
const DemoAccount = "ACC-1000-0001"

func demoCatalogue() *Fixture {
	all := []string{"Client", "Vendor", "Operations"}
	return &Fixture{
		DefaultAccount: DemoAccount,
		Accounts: []Account{
			{ID: "ACC-1000-0001", Name: "Contoso Ltd", Type: "Client", Status: "Active",
				Modules: []string{"MOD-1001", "MOD-1002", "MOD-1003", "MOD-1004", "MOD-1005", "MOD-1006", "MOD-1007", "MOD-1009"}},
			{ID: "ACC-1000-0002", Name: "Northwind Traders", Type: "Client", Status: "Active",
				Modules: []string{}},
			{ID: "ACC-2000-0001", Name: "Fabrikam Software Inc.", Type: "Vendor", Status: "Active",
				Modules: []string{"MOD-1001", "MOD-1002", "MOD-1003", "MOD-1004", "MOD-1005", "MOD-1011", "MOD-1012"}},
			{ID: "ACC-3000-0001", Name: "SoftwareOne Operations", Type: "Operations", Status: "Active",
				Modules: []string{"MOD-1001", "MOD-1002", "MOD-1003", "MOD-1004", "MOD-1005", "MOD-1008", "MOD-1010", "MOD-1011", "MOD-1012"}},
		},
		Modules: []Module{
			{ID: "MOD-1001", Name: "Orders", AccountTypes: all,
				Description: "Create, track and approve purchase and change orders for the account.",
				Settings:    ModuleSettings{Default: true, Configurable: false}},
			{ID: "MOD-1002", Name: "Subscriptions", AccountTypes: all,
				Description: "Read subscriptions and manage their renewals, terms and quantities.",
				Settings:    ModuleSettings{Default: true, Configurable: false}},
			{ID: "MOD-1003", Name: "Agreements", AccountTypes: all,
				Description: "Read agreements with their lines, parameters and attached documents.",
				Settings:    ModuleSettings{Default: true, Configurable: false}},
			{ID: "MOD-1004", Name: "Catalog", AccountTypes: all,
				Description: "Browse products, items and price lists, and publish them as a vendor.",
				Settings:    ModuleSettings{Default: true, Configurable: true}},
			{ID: "MOD-1005", Name: "Billing", AccountTypes: all,
				Description: "Read invoices, journals and charges, and upload billing data.",
				Settings:    ModuleSettings{Default: true, Configurable: true}},
			{ID: "MOD-1006", Name: "Statements", AccountTypes: []string{"Client", "Operations"},
				Description: "Download billing statements and the charges behind them.",
				Settings:    ModuleSettings{Configurable: true}},
			{ID: "MOD-1007", Name: "Helpdesk", AccountTypes: all,
				Description: "Open, follow and answer support cases with SoftwareOne.",
				Settings:    ModuleSettings{Configurable: true}},
			{ID: "MOD-1008", Name: "Notifications", AccountTypes: all,
				Description: "Manage notification subscriptions, templates and delivery history.",
				Settings:    ModuleSettings{Configurable: true}},
			{ID: "MOD-1009", Name: "Spotlight", AccountTypes: []string{"Client", "Operations"},
				Description: "Read Spotlight insights about expiring subscriptions and possible savings.",
				Settings:    ModuleSettings{Paid: true, Configurable: true}},
			{ID: "MOD-1010", Name: "Audit trail", AccountTypes: all,
				Description: "Read the audit trail of every change made in the account.",
				Settings:    ModuleSettings{Configurable: false}},
			{ID: "MOD-1011", Name: "Extensions", AccountTypes: []string{"Vendor", "Operations"},
				Description: "Install, configure and run extensions that automate the account's processes.",
				Settings:    ModuleSettings{Configurable: true}},
			{ID: "MOD-1012", Name: "Program management", AccountTypes: []string{"Vendor", "Operations"},
				Description: "Manage programs, their certificates and the enrolments of buyers.",
				Settings:    ModuleSettings{Paid: true, Configurable: true}},
		},
		Extensions: []Extension{
			{ID: "EXT-0001", Name: "Adobe VIP Marketplace", Status: "Public"},
			{ID: "EXT-0002", Name: "Microsoft CSP", Status: "Public"},
			{ID: "EXT-0003", Name: "Internal usage reporting", Status: "Private"},
		},
	}
}

// demoTokens makes the demo's tokens: names, ages, module sets, states and
// creators vary the way a real account's list does, deterministically.
func demoTokens(f *Fixture) []Token {
	names := []string{"Nightly billing export", "ServiceNow connector", "Power BI refresh",
		"Order sync", "Helpdesk bridge", "Subscription renewals bot", "Terraform pipeline",
		"Catalog publisher", "Audit archive", "Spotlight digest", "Finance reconciliation",
		"Agreement importer"}
	people := []string{"Anna Lindqvist", "Rahul Mehta", "", "Sofia García", "Tom Becker"}
	counts := map[string]int{"ACC-1000-0001": 16, "ACC-2000-0001": 10, "ACC-3000-0001": 10}
	end := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	var out []Token
	n := 0
	for _, a := range f.Accounts {
		for i := range counts[a.ID] {
			n++
			// Ages from a couple of hours to about two years, spread unevenly.
			age := time.Duration((n*n*37)%(730*24)+2) * time.Hour
			created := end.Add(-age)
			mods := []string{}
			for j, m := range a.Modules {
				if (n+j)%3 != 0 || j == i%len(a.Modules) {
					mods = append(mods, m)
				}
			}
			t := Token{
				ID:        fmt.Sprintf("TKN-%s-%04d", a.ID[4:8], 1001+i),
				Account:   a.ID,
				Name:      fmt.Sprintf("%s %d", names[n%len(names)], 1+i/len(names)),
				Status:    "Active",
				Modules:   mods,
				CreatedAt: created,
				CreatedBy: people[n%len(people)],
			}
			if i < len(names) {
				t.Name = names[n%len(names)]
			}
			if n%4 != 0 {
				t.Description = "Used by the " + strings.ToLower(names[n%len(names)]) + " job."
			}
			if n%5 == 0 {
				t.Status = "Disabled"
			}
			if n%6 != 1 { // every sixth never used
				last := created.Add(age * time.Duration(n%9+1) / 10)
				t.LastAccessAt = &last
			}
			out = append(out, t)
		}
	}
	return out
}

// GenerateFixture returns a fixture for benchmarks: one Client account,
// "ACC-9000-0001", with n modules all enabled. Ids run MOD-0000, MOD-0001, …
// so n is capped at 10 000 (the MOD-#### range); a negative n gives none.
func GenerateFixture(n int) *Fixture {
	n = min(max(n, 0), 10_000)
	areas := []string{"Orders", "Subscriptions", "Agreements", "Catalog", "Billing",
		"Statements", "Invoices", "Helpdesk", "Notifications", "Spotlight",
		"Audit trail", "Extensions", "Programs", "Price lists", "Licensees",
		"Buyers", "Sellers", "Journals", "Ledgers", "Quotes",
		"Renewals", "Entitlements", "Usage", "Assets", "Contracts"}
	aspects := []string{"", "approvals", "reporting", "exports", "imports",
		"analytics", "reconciliation", "forecasting", "webhooks", "archive",
		"automation", "insights", "integrations", "alerts", "compliance",
		"history", "bulk operations", "templates", "validation", "sync"}
	regions := []string{"", "EMEA", "APAC", "Americas", "Nordics",
		"DACH", "Benelux", "Iberia", "UK & Ireland", "France",
		"Italy", "Japan", "India", "Brazil", "Canada",
		"Australia", "Mexico", "Poland", "Middle East", "Africa"}
	verbs := []string{"read and manage", "create and review", "export", "monitor",
		"approve", "reconcile", "schedule", "audit"}

	f := &Fixture{
		DefaultAccount: "ACC-9000-0001",
		Accounts: []Account{{ID: "ACC-9000-0001", Name: "Benchmark Client Ltd",
			Type: "Client", Status: "Active", Modules: make([]string, 0, n)}},
		Modules: make([]Module, 0, n),
	}
	for i := range n {
		area := areas[i%len(areas)]
		aspect := aspects[(i/len(areas))%len(aspects)]
		region := regions[(i/(len(areas)*len(aspects)))%len(regions)]
		name := strings.TrimSpace(area + " " + aspect)
		subject := strings.ToLower(name)
		if region != "" {
			name += " (" + region + ")"
			subject += " in " + region
		}
		types := []string{"Client"}
		if i%3 != 0 {
			types = append(types, "Vendor")
		}
		if i%2 == 0 {
			types = append(types, "Operations")
		}
		id := fmt.Sprintf("MOD-%04d", i)
		f.Modules = append(f.Modules, Module{
			ID:           id,
			Name:         name,
			Description:  fmt.Sprintf("Lets a token %s %s for the account.", verbs[i%len(verbs)], subject),
			AccountTypes: types,
			Settings:     ModuleSettings{Default: i%4 == 0, Paid: i%7 == 0, Configurable: i%5 != 0},
		})
		f.Accounts[0].Modules = append(f.Accounts[0].Modules, id)
	}
	return f
}
