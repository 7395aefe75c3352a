package apiclient

import (
	"context"
	"fmt"
	"net/http"
)

// listEnvelope is a collection answer:
// {"data":[…],"$meta":{"pagination":{"offset":0,"limit":10,"total":42}}}.
type listEnvelope[T any] struct {
	Data *[]T `json:"data"`
	Meta *struct {
		Pagination *Pagination `json:"pagination"`
	} `json:"$meta"`
}

// list fetches one page of a collection. When the answer has no pagination
// block, one is made up from what came back (a single page).
func list[T any](ctx context.Context, c *Client, path string, opts *ListOptions) ([]T, *Pagination, error) {
	q, err := opts.query()
	if err != nil {
		return nil, nil, err
	}
	var env listEnvelope[T]
	if err := c.do(ctx, &request{method: http.MethodGet, path: path, query: q, idempotent: true}, &env); err != nil {
		return nil, nil, err
	}
	if env.Data == nil {
		return nil, nil, fmt.Errorf("apiclient: GET %s: %w: the answer has no \"data\" list", path, ErrMalformedResponse)
	}
	items := *env.Data
	if items == nil {
		items = []T{}
	}
	if env.Meta != nil && env.Meta.Pagination != nil {
		return items, env.Meta.Pagination, nil
	}
	pg := &Pagination{Limit: len(items), Total: len(items)}
	if opts != nil {
		pg.Offset = opts.Offset
		pg.Total += opts.Offset
	}
	return items, pg, nil
}
