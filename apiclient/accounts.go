package apiclient

import (
	"context"
	"net/http"
	"strings"
)

const accountsPath = apiPrefix + "/accounts/accounts"

// GetAccount reads an account. selectFields are added with select= (e.g.
// "modules" for the account's module enablement, which is not sent
// otherwise).
func (c *Client) GetAccount(ctx context.Context, id string, selectFields ...string) (*Account, error) {
	p, err := objectPath(accountsPath, id)
	if err != nil {
		return nil, err
	}
	r := &request{method: http.MethodGet, path: p, idempotent: true}
	var fields []string
	for _, f := range selectFields {
		if f = strings.TrimSpace(f); f != "" {
			fields = append(fields, f)
		}
	}
	if len(fields) > 0 {
		r.query = encodeQuery("select=" + strings.Join(fields, ","))
	}
	var acc Account
	if err := c.do(ctx, r, &acc); err != nil {
		return nil, err
	}
	return &acc, nil
}

// ListAccounts lists the accounts the token can see; opts may be nil.
func (c *Client) ListAccounts(ctx context.Context, opts *ListOptions) ([]Account, *Pagination, error) {
	return list[Account](ctx, c, accountsPath, opts)
}
