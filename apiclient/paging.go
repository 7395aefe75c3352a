package apiclient

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/sync/errgroup"
)

// pageFetchers bounds the pages of one collection fetched at once.
// 99 pages of 100 (10 000 items at the platform's cap) go out as one round
// trip; the bound stops a huge total from opening a connection per page.
const pageFetchers = 100

// maxPages guards against an absurd total.
const maxPages = 1000

// listAll reads every page of a collection: the first, then, once the total
// is known, the others concurrently (at most pageFetchers at once), with the
// page size the server actually answered with. Items seen twice (the
// collection moving between pages) are kept once, by key.
func listAll[T any](ctx context.Context, c *Client, path string, base *ListOptions, key func(T) string) ([]T, error) {
	first, pg, err := list[T](ctx, c, path, base)
	if err != nil {
		return nil, err
	}
	step := pg.Limit
	if step <= 0 || (len(first) > 0 && len(first) < step && len(first) < pg.Total) {
		step = len(first) // the server sent a short page: follow what it sent
	}
	if step <= 0 || pg.Total <= pg.Offset+len(first) {
		return first, nil
	}
	var offsets []int
	for off := pg.Offset + step; off < pg.Total; off += step {
		offsets = append(offsets, off)
	}
	if len(offsets) >= maxPages {
		return nil, fmt.Errorf("apiclient: GET %s: the collection claims %d items; refusing to read %d pages", path, pg.Total, len(offsets)+1)
	}
	pages := make([][]T, len(offsets))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(pageFetchers)
	for i, off := range offsets {
		g.Go(func() error {
			opts := *base
			opts.Limit, opts.Offset = step, off
			items, _, err := list[T](gctx, c, path, &opts)
			pages[i] = items
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	seen := make(map[string]bool, pg.Total)
	all := make([]T, 0, pg.Total)
	for _, page := range append([][]T{first}, pages...) {
		for _, it := range page {
			if k := key(it); !seen[k] {
				seen[k] = true
				all = append(all, it)
			}
		}
	}
	return all, nil
}

// tokenListOptions turns the typed token filters into RQL.
func tokenListOptions(accountID string, opts *ListAPITokensOptions) (*ListOptions, error) {
	o := ListAPITokensOptions{}
	if opts != nil {
		o = *opts
	}
	var terms []string
	if a := strings.TrimSpace(accountID); a != "" {
		terms = append(terms, Eq("account.id", a))
	}
	if s := strings.TrimSpace(o.Status); s != "" {
		terms = append(terms, Eq("status", s))
	}
	if n := strings.TrimSpace(o.Name); n != "" {
		terms = append(terms, Contains("name", n))
	}
	if f := strings.Trim(strings.TrimSpace(o.Filter), "&"); f != "" {
		terms = append(terms, f)
	}
	order := strings.TrimSpace(o.Order)
	if order == "" {
		order = "-audit.created.at"
	}
	if o.Limit < 0 || o.Offset < 0 {
		return nil, fmt.Errorf("apiclient: ListAPITokensOptions: negative limit or offset")
	}
	return &ListOptions{Filter: strings.Join(terms, "&"), Order: order, Limit: o.Limit, Offset: o.Offset}, nil
}

// checkModuleIDs adds the field errors of a module list to fields.
func checkModuleIDs(ids []string, fields map[string]string) {
	switch n := len(ids); {
	case n == 0:
		fields["modules"] = "choose at least one module"
	case n > MaxModules:
		fields["modules"] = fmt.Sprintf("%d modules are chosen; the limit is %d", n, MaxModules)
	}
	seen := make(map[string]int, len(ids))
	for i, id := range ids {
		id = strings.TrimSpace(id)
		key := fmt.Sprintf("modules[%d].id", i)
		switch j, dup := seen[id]; {
		case id == "":
			fields[key] = "the module id is empty"
		case !ValidModuleID(id):
			fields[key] = fmt.Sprintf("%q is not a module id (MOD-1234)", sanitize(id, 40))
		case dup:
			fields[key] = fmt.Sprintf("%s is already chosen (modules[%d])", id, j)
		default:
			seen[id] = i
		}
	}
}

func (c *Client) listAuditRecords(ctx context.Context, objectID string, opts *ListOptions) ([]AuditRecord, *Pagination, error) {
	objectID = strings.TrimSpace(objectID)
	if objectID == "" {
		return nil, nil, fmt.Errorf("apiclient: ListAuditRecords: no object id")
	}
	o := ListOptions{}
	if opts != nil {
		o = *opts
	}
	o.Filter = strings.Join(nonEmpty(Eq("object.id", objectID), strings.Trim(strings.TrimSpace(o.Filter), "&")), "&")
	if strings.TrimSpace(o.Order) == "" {
		o.Order = "-timestamp"
	}
	return list[AuditRecord](ctx, c, auditRecordsPath, &o)
}

func nonEmpty(ss ...string) []string {
	out := ss[:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
