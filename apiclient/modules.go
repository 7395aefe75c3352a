package apiclient

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

const modulesPath = apiPrefix + "/accounts/modules"

// pageFetchers bounds the module pages fetched at once.
const pageFetchers = 16

// maxCatalogPages guards against an absurd total.
const maxCatalogPages = 1000

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
//     first page of the catalogue (select=accountTypes&order=name&limit=1000),
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
	g := newGroup(ctx)
	defer g.cancel()

	var acc *Account
	var catalogue []Module
	g.Go(func(ctx context.Context) error {
		a, err := c.GetAccount(ctx, accountID, "modules")
		acc = a
		return err
	})
	g.Go(func(ctx context.Context) error {
		mods, err := c.allModules(ctx)
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

// allModules reads the whole catalogue with accountTypes: the first page,
// then every other page concurrently (at most pageFetchers at once), with the
// page size the server actually answered with. Duplicates (the catalogue
// moving between pages) are dropped.
func (c *Client) allModules(ctx context.Context) ([]Module, error) {
	base := ListOptions{Select: "accountTypes", Order: "name", Limit: MaxPageSize}
	first, pg, err := c.ListModules(ctx, &base)
	if err != nil {
		return nil, err
	}
	step := pg.Limit
	if step <= 0 || (len(first) > 0 && len(first) < step && len(first) < pg.Total) {
		step = len(first) // the server sent a short page: follow what it sent
	}
	if step <= 0 || pg.Total <= len(first) {
		return first, nil
	}
	var offsets []int
	for off := pg.Offset + step; off < pg.Total; off += step {
		offsets = append(offsets, off)
	}
	if len(offsets) >= maxCatalogPages {
		return nil, fmt.Errorf("apiclient: the module catalogue claims %d modules; refusing to read %d pages", pg.Total, len(offsets)+1)
	}

	pages := make([][]Module, len(offsets))
	g := newGroup(ctx)
	defer g.cancel()
	sem := make(chan struct{}, pageFetchers)
	for i, off := range offsets {
		g.Go(func(ctx context.Context) error {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			defer func() { <-sem }()
			opts := base
			opts.Limit = step
			opts.Offset = off
			mods, _, err := c.ListModules(ctx, &opts)
			pages[i] = mods
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	seen := make(map[string]bool, pg.Total)
	all := make([]Module, 0, pg.Total)
	for _, page := range append([][]Module{first}, pages...) {
		for _, m := range page {
			if !seen[m.ID] {
				seen[m.ID] = true
				all = append(all, m)
			}
		}
	}
	return all, nil
}

// group runs functions concurrently; the first error cancels the others and
// is the one Wait returns (a small errgroup, standard library only).
type group struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
	err    error
}

func newGroup(ctx context.Context) *group {
	ctx, cancel := context.WithCancel(ctx)
	return &group{ctx: ctx, cancel: cancel}
}

func (g *group) Go(f func(ctx context.Context) error) {
	g.wg.Go(func() {
		if err := f(g.ctx); err != nil {
			g.once.Do(func() {
				g.err = err
				g.cancel()
			})
		}
	})
}

func (g *group) Wait() error {
	g.wg.Wait()
	return g.err
}
