package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ListAPITokensOptions narrows and pages [Client.ListAPITokens]; it may be
// nil. Every value is quoted by the client: pass what the person typed.
type ListAPITokensOptions struct {
	// Status keeps tokens in one status (TokenStatusActive,
	// TokenStatusDisabled); "" keeps all (deleted tokens are not listed).
	Status string
	// Name keeps tokens whose name contains it, ignoring case
	// (ilike(name,"*…*")); a `*` in it is a literal star.
	Name string
	// Order is the sort, e.g. "name" or "-audit.created.at" (the default:
	// newest first). A sort on audit.* selects audit, as the API needs.
	Order string
	// Filter is more RQL, ANDed to the above: build it with the RQL
	// helpers ([Eq], [Ilike], [And], …), never from raw text.
	Filter string
	// Limit is the page size, at most MaxPageSize (100); 0: the server's
	// default. Offset is the index of the first token of the page.
	Limit, Offset int
}

// ListAPITokens reads one page of the tokens of an account ("" for every
// account the credential can see), with the total in the returned
// [Pagination]: a list that grows as the person scrolls calls it with a
// growing Offset.
func (c *Client) ListAPITokens(ctx context.Context, accountID string, opts *ListAPITokensOptions) ([]APIToken, *Pagination, error) {
	lo, err := tokenListOptions(accountID, opts)
	if err != nil {
		return nil, nil, err
	}
	return list[APIToken](ctx, c, tokensPath, lo)
}

// ListAllAPITokens reads every token that [Client.ListAPITokens] would page
// through: the first page, then, once the total is known, the other pages
// concurrently (a few at a time) with the page size the server answered
// with. opts.Limit and opts.Offset are ignored. A token that moves between
// pages while they are read is kept once.
func (c *Client) ListAllAPITokens(ctx context.Context, accountID string, opts *ListAPITokensOptions) ([]APIToken, error) {
	o := ListAPITokensOptions{}
	if opts != nil {
		o = *opts
	}
	o.Limit, o.Offset = MaxPageSize, 0
	lo, err := tokenListOptions(accountID, &o)
	if err != nil {
		return nil, err
	}
	return listAll(ctx, c, tokensPath, lo, func(t APIToken) string { return t.ID })
}

// UpdateAPITokenRequest is what UpdateAPIToken sends (UpdateApiTokenDto).
// Name, description and modules are always sent, so start from the token
// as read and change what the person changed.
type UpdateAPITokenRequest struct {
	Name        string
	Description string   // "" clears it (sent as null)
	Icon        *string  // nil leaves the icon out of the request, and so as it is
	ModuleIDs   []string // at least one
}

// UpdateRequestOf is the request that leaves t as it is: its name,
// description, icon and modules. Change from it what is to change.
func UpdateRequestOf(t *APIToken) *UpdateAPITokenRequest {
	req := &UpdateAPITokenRequest{Name: t.Name, Icon: t.Icon}
	if t.Description != nil {
		req.Description = *t.Description
	}
	for _, m := range t.Modules {
		req.ModuleIDs = append(req.ModuleIDs, m.ID)
	}
	return req
}

// Validate checks the request before anything is sent, like
// [CreateAPITokenRequest.Validate]: nil or an [*InvalidRequestError] naming
// each failing field (name, description, modules, modules[i].id).
func (r *UpdateAPITokenRequest) Validate() error {
	if r == nil {
		return &InvalidRequestError{Fields: map[string]string{"$": "no request"}}
	}
	fields := map[string]string{}
	if err := CheckName(r.Name); err != nil {
		fields["name"] = err.Error()
	}
	if err := CheckDescription(r.Description); err != nil {
		fields["description"] = err.Error()
	}
	checkModuleIDs(r.ModuleIDs, fields)
	if len(fields) > 0 {
		return &InvalidRequestError{Fields: fields}
	}
	return nil
}

// updateAPITokenDTO is UpdateApiTokenDto exactly (additionalProperties:
// false on the server's side).
type updateAPITokenDTO struct {
	Name        string  `json:"name"`
	Description *string `json:"description"`
	Icon        *string `json:"icon,omitempty"`
	Modules     []idRef `json:"modules"`
}

// UpdateAPIToken replaces a token's name, description, icon and modules
// (PUT …/{id}) and returns the token as the API now has it. It is not
// retried. A 404 means the token does not exist (or was deleted).
func (c *Client) UpdateAPIToken(ctx context.Context, id string, req *UpdateAPITokenRequest) (*APIToken, error) {
	p, err := objectPath(tokensPath, id)
	if err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	dto := updateAPITokenDTO{Name: strings.TrimSpace(req.Name), Icon: req.Icon, Modules: make([]idRef, 0, len(req.ModuleIDs))}
	if d := strings.TrimSpace(req.Description); d != "" {
		dto.Description = &d
	}
	for _, m := range req.ModuleIDs {
		dto.Modules = append(dto.Modules, idRef{ID: strings.TrimSpace(m)})
	}
	body, err := json.Marshal(dto)
	if err != nil {
		return nil, fmt.Errorf("apiclient: encoding the update: %w", err)
	}
	var tok APIToken
	if err := c.do(ctx, &request{method: http.MethodPut, path: p, body: body, contentType: "application/json", op: "update API token " + sanitize(strings.TrimSpace(id), 40)}, &tok); err != nil {
		return nil, err
	}
	return &tok, nil
}

// VerifyAPIToken checks that a token value works: it reads the token's own
// object (GET …/{its id}) with the value itself as the credential, the way
// the platform documents a self-check. The answer's status is
// TokenStatusActive when it works. A new token can take up to about a
// minute to work everywhere, so a 401 soon after a create is not final. The
// value must have the form "idt:TKN-…:secret"; it is never logged or put in
// an error.
func (c *Client) VerifyAPIToken(ctx context.Context, value Secret) (*APIToken, error) {
	id, ok := TokenIDOf(value)
	if !ok {
		return nil, errors.New("apiclient: VerifyAPIToken: the value is not an API token (idt:TKN-…:…)")
	}
	self := *c
	self.token = Secret(strings.TrimSpace(value.Reveal()))
	return self.GetAPIToken(ctx, id)
}

// TokenIDOf returns the token id inside an API token value
// "idt:TKN-1234-5678:secret" (the id is not secret), or false when the
// value does not have that form, as with an operator's credential.
func TokenIDOf(value Secret) (string, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(value.Reveal()), "idt:")
	if !ok {
		return "", false
	}
	id, secret, ok := strings.Cut(rest, ":")
	if !ok || secret == "" || !ValidTokenID(id) {
		return "", false
	}
	return id, true
}
