package apiclient

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
)

const modulesPath = apiPrefix + "/accounts/modules"

// ListModules lists the module catalogue; opts may be nil. accountTypes is
// only sent with Select "accountTypes".
func (c *Client) ListModules(ctx context.Context, opts *ListOptions) ([]Module, *Pagination, error) {
	return list[Module](ctx, c, modulesPath, opts)
}

// ListEnabledModules returns the modules a token of the account may be given,
// sorted by name then id. It is the one place that decides where that list
// comes from:
//
//   - it reads, at the same time, the account with select=modules and the
//     first page of the catalogue (select=accountTypes&order=name&limit=100),
//     then the remaining pages concurrently once the total is known;
//   - when the account carries its modules (even an empty list), those are
//     the enabled ones; otherwise the catalogue's modules whose accountTypes
//     include the account's type are.
//
// A module the account lists but the catalogue does not is kept, built from
// the account's reference.
func (c *Client) ListEnabledModules(ctx context.Context, accountID string) ([]Module, error) {
	accountID = strings.TrimSpace(accountID)
	if accountID == "" {
		return nil, errors.New("apiclient: ListEnabledModules: no account id")
	}
	g, gctx := errgroup.WithContext(ctx)
	var acc *Account
	var catalogue []Module
	g.Go(func() error {
		a, err := c.GetAccount(gctx, accountID, "modules")
		acc = a
		return err
	})
	g.Go(func() error {
		mods, err := c.allModules(gctx)
		catalogue = mods
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return enabledModules(acc, catalogue)
}

// enabledModules applies the rule of ListEnabledModules.
func enabledModules(acc *Account, catalogue []Module) ([]Module, error) {
	out := []Module{}
	if acc.Modules != nil {
		enabled := make(map[string]ModuleRef, len(acc.Modules))
		for _, m := range acc.Modules {
			enabled[m.ID] = m
		}
		for _, m := range catalogue {
			if _, ok := enabled[m.ID]; ok {
				out = append(out, m)
				delete(enabled, m.ID)
			}
		}
		for _, ref := range enabled {
			out = append(out, Module{ID: ref.ID, Name: ref.Name, Description: ref.Description, Revision: ref.Revision, Settings: ref.Settings})
		}
	} else {
		if acc.Type == "" {
			return nil, fmt.Errorf("apiclient: account %s came without its modules or its type", sanitize(acc.ID, 50))
		}
		for _, m := range catalogue {
			if slices.Contains(m.AccountTypes, acc.Type) {
				out = append(out, m)
			}
		}
	}
	// Lower-case each name once, not on every comparison.
	type keyed struct {
		lower string
		m     *Module
	}
	ks := make([]keyed, len(out))
	for i := range out {
		ks[i] = keyed{strings.ToLower(out[i].Name), &out[i]}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		return cmp.Or(
			strings.Compare(a.lower, b.lower),
			strings.Compare(a.m.Name, b.m.Name),
			strings.Compare(a.m.ID, b.m.ID),
		)
	})
	sorted := make([]Module, len(out))
	for i, k := range ks {
		sorted[i] = *k.m
	}
	return sorted, nil
}

// allModules reads the whole catalogue with accountTypes, every page after
// the first concurrently ([listAll]).
func (c *Client) allModules(ctx context.Context) ([]Module, error) {
	base := ListOptions{Select: "accountTypes", Order: "name", Limit: MaxPageSize}
	return listAll(ctx, c, modulesPath, &base, func(m Module) string { return m.ID })
}
