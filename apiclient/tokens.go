package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

const tokensPath = apiPrefix + "/accounts/api-tokens"

// idRef is {"id": "…"}.
type idRef struct {
	ID string `json:"id"`
}

// createAPITokenDTO is CreateApiTokenDto exactly: empty optional fields are
// left out. The icon travels as a file part, never as the `icon` string.
type createAPITokenDTO struct {
	Account     idRef   `json:"account"`
	Name        string  `json:"name"`
	Description string  `json:"description,omitempty"`
	Modules     []idRef `json:"modules"`
	Extensions  []idRef `json:"extensions,omitempty"`
}

// CreateAPIToken creates a token (POST /public/v1/accounts/api-tokens). The
// request is checked with [CreateAPITokenRequest.Validate] first; an
// [*InvalidRequestError] means nothing was sent.
//
// The answer is the only place the token's value ([APIToken.Token]) is ever
// given. A create is never retried. When its outcome is unknown (timeout,
// connection lost after sending, 5xx, unreadable answer) the error is an
// [*OutcomeUnknownError]: call [Client.FindRecentAPITokens] before trying
// again. Its Attempt is what [Client.FindLostAPIToken] needs. A 4xx is an
// [*Error]: nothing was created.
func (c *Client) CreateAPIToken(ctx context.Context, req *CreateAPITokenRequest) (*APIToken, error) {
	if req == nil {
		return nil, errors.New("apiclient: CreateAPIToken: nil request")
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	body, contentType, err := encodeCreateBody(req)
	if err != nil {
		return nil, err
	}
	const op = "create API token"
	att := CreateAttempt{AccountID: strings.TrimSpace(req.AccountID), Name: strings.TrimSpace(req.Name), Started: c.now()}
	att.CredentialTokenID, _ = TokenIDOf(c.token)
	var tok APIToken
	err = c.do(ctx, &request{
		method:      http.MethodPost,
		path:        tokensPath,
		body:        body,
		contentType: contentType,
		createOp:    op,
	}, &tok)
	if tok.ID == "" && err == nil {
		err = &OutcomeUnknownError{Op: op, Err: fmt.Errorf("apiclient: POST %s: %w: the answer has no token id", tokensPath, ErrMalformedResponse)}
	}
	if err != nil {
		var unknown *OutcomeUnknownError
		if errors.As(err, &unknown) {
			unknown.Attempt = att
			if c.mayStillCommit(err) {
				unknown.Attempt.SettleUntil = c.now().Add(c.settleTime())
			}
		}
		return nil, err
	}
	return &tok, nil
}

// encodeCreateBody is the one place that decides how a create travels: JSON
// (application/json, CreateApiTokenDto) without an icon, or multipart/form-data
// with the JSON in a part named "token" and the image in a file part named
// "icon" when there is one.
func encodeCreateBody(req *CreateAPITokenRequest) (body []byte, contentType string, err error) {
	dto := createAPITokenDTO{
		Account:     idRef{ID: strings.TrimSpace(req.AccountID)},
		Name:        strings.TrimSpace(req.Name),
		Description: strings.TrimSpace(req.Description),
		Modules:     make([]idRef, 0, len(req.ModuleIDs)),
	}
	for _, id := range req.ModuleIDs {
		dto.Modules = append(dto.Modules, idRef{ID: strings.TrimSpace(id)})
	}
	for _, id := range req.ExtensionIDs {
		dto.Extensions = append(dto.Extensions, idRef{ID: strings.TrimSpace(id)})
	}
	js, err := json.Marshal(dto)
	if err != nil {
		return nil, "", fmt.Errorf("apiclient: encoding the token: %w", err)
	}
	if req.Icon == nil {
		return js, "application/json", nil
	}

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "token"}))
	h.Set("Content-Type", "application/json")
	part, err := mw.CreatePart(h)
	if err == nil {
		_, err = part.Write(js)
	}
	if err != nil {
		return nil, "", fmt.Errorf("apiclient: encoding the token: %w", err)
	}
	ct := req.Icon.ContentType
	if ct == "" {
		if _, info, ierr := InspectIcon(req.Icon.Filename, req.Icon.Data); ierr == nil {
			ct = formatContentType(info.Format)
		} else {
			ct = "application/octet-stream"
		}
	}
	h = textproto.MIMEHeader{}
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "icon", "filename": iconFilename(req.Icon)}))
	h.Set("Content-Type", ct)
	part, err = mw.CreatePart(h)
	if err == nil {
		_, err = part.Write(req.Icon.Data)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return nil, "", fmt.Errorf("apiclient: encoding the icon: %w", err)
	}
	return buf.Bytes(), mw.FormDataContentType(), nil
}

// iconFilename is the icon's base name, made safe for a header, or a name
// from its format.
func iconFilename(icon *Icon) string {
	name := strings.Map(func(r rune) rune {
		if isUnsafeRune(r) || r == '"' || r == '\\' || r == '/' {
			return -1
		}
		return r
	}, filepath.Base(filepath.ToSlash(icon.Filename)))
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." {
		name = "icon"
		if _, info, err := InspectIcon("icon", icon.Data); err == nil {
			name += "." + strings.ToLower(info.Format)
		}
	}
	return name
}

// GetAPIToken reads a token (its value is never returned again).
func (c *Client) GetAPIToken(ctx context.Context, id string) (*APIToken, error) {
	p, err := objectPath(tokensPath, id)
	if err != nil {
		return nil, err
	}
	var tok APIToken
	if err := c.do(ctx, &request{method: http.MethodGet, path: p, idempotent: true}, &tok); err != nil {
		return nil, err
	}
	return &tok, nil
}

// FindRecentAPITokens lists the tokens of an account with this name created
// since a time, newest first (at most 100). The query is
//
//	eq(account.id,"…")&eq(name,"…")&ge(audit.created.at,"<UTC, ms>")&select=audit&order=-audit.created.at&limit=100
//
// Superseded: after a create with an unknown outcome call
// [Client.FindLostAPIToken], which waits out the settle time and claims
// only a token the attempt could have created.
//
// A zero since leaves the time condition out. Allow for clock skew: pass a
// time a minute or so before the create started.
func (c *Client) FindRecentAPITokens(ctx context.Context, accountID, name string, since time.Time) ([]APIToken, error) {
	accountID = strings.TrimSpace(accountID)
	if accountID == "" {
		return nil, errors.New("apiclient: FindRecentAPITokens: no account id")
	}
	terms := []string{Eq("account.id", accountID)}
	if n := strings.TrimSpace(name); n != "" {
		terms = append(terms, Eq("name", n))
	}
	if !since.IsZero() {
		terms = append(terms, Ge("audit.created.at", RQLTime(since)))
	}
	toks, _, err := list[APIToken](ctx, c, tokensPath, &ListOptions{
		Filter: strings.Join(terms, "&"),
		Order:  "-audit.created.at",
		Limit:  100,
	})
	return toks, err
}

// DisableAPIToken disables a token (POST …/{id}/disable). It is not retried.
func (c *Client) DisableAPIToken(ctx context.Context, id string) (*APIToken, error) {
	return c.tokenAction(ctx, id, "disable")
}

// EnableAPIToken enables a disabled token (POST …/{id}/enable). It is not
// retried.
func (c *Client) EnableAPIToken(ctx context.Context, id string) (*APIToken, error) {
	return c.tokenAction(ctx, id, "enable")
}

// DeleteAPIToken deletes a token (DELETE …/{id}): it stops authenticating at
// once, drops out of lists and answers 404 from then on. It is not retried:
// after an error without an answer, read the token ([Client.GetAPIToken]);
// a 404 then means the delete went through.
func (c *Client) DeleteAPIToken(ctx context.Context, id string) error {
	p, err := objectPath(tokensPath, id)
	if err != nil {
		return err
	}
	return c.do(ctx, &request{method: http.MethodDelete, path: p, op: "delete API token " + sanitize(strings.TrimSpace(id), 40)}, nil)
}

func (c *Client) tokenAction(ctx context.Context, id, action string) (*APIToken, error) {
	p, err := objectPath(tokensPath, id)
	if err != nil {
		return nil, err
	}
	var tok APIToken
	if err := c.do(ctx, &request{method: http.MethodPost, path: p + "/" + action, op: action + " API token " + sanitize(strings.TrimSpace(id), 40)}, &tok); err != nil {
		return nil, err
	}
	return &tok, nil
}

// objectPath is collection/{id} with the id escaped.
func objectPath(collection, id string) (string, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return "", fmt.Errorf("apiclient: no id given for %s", collection)
	}
	return collection + "/" + url.PathEscape(id), nil
}
