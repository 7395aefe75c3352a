package sandbox

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Token statuses.
const (
	tokenActive   = "Active"
	tokenDisabled = "Disabled"
	tokenDeleted  = "Deleted"
)

// maxIDAttempts bounds the search for a free TKN-####-#### id; running out
// means 10^8 ids are nearly used up or the id source is stuck.
const maxIDAttempts = 1000

// token is a stored API token. Its value is kept only as a SHA-256.
type token struct {
	id, accountID, name string
	description, icon   *string
	iconData            []byte
	iconType, iconExt   string
	modules, extensions []string
	status              string
	revision            int
	created, updated    event
	lastAccessAt        *time.Time
	hash                [sha256.Size]byte
}

// render builds the ApiToken object. value, when not empty, is the token
// value, which only the answer to a create carries. Call with s.mu held.
func (s *Server) render(t *token, value string) object {
	o := object{
		{"id", t.id},
		{"audit", auditObject(t.created, t.updated)},
		{"name", t.name},
		{"icon", nullable(t.icon)},
		{"revision", t.revision},
		{"status", t.status},
		{"description", nullable(t.description)},
		{"lastAccessAt", nullableTime(t.lastAccessAt)},
	}
	if value != "" {
		o = append(o, member{"token", value})
	}
	mods := make([]object, 0, len(t.modules))
	for _, id := range t.modules {
		mods = append(mods, s.cat.modules[id].ref)
	}
	exts := make([]object, 0, len(t.extensions))
	for _, id := range t.extensions {
		exts = append(exts, s.cat.extensions[id].ref)
	}
	return append(o,
		member{"account", s.cat.accounts[t.accountID].ref},
		member{"modules", mods},
		member{"extensions", exts},
	)
}

// createToken answers POST /accounts/api-tokens and records the request.
func (s *Server) createToken(x *exchange) {
	rec := CreateRecord{Multipart: isMultipart(x.r)}
	rec.Status = s.create(x, &rec)
	s.record(rec)
}

func (s *Server) create(x *exchange, rec *CreateRecord) int {
	in := readCreate(x.w, x.r)
	in.fill(rec)
	if in.status != 0 {
		x.fail(in.status, in.detail)
		return in.status
	}
	d := in.dto
	if d != nil {
		// Before the catalogue checks, so a scoped caller learns nothing
		// about another account (not even whether it exists).
		if d.accountOK && !x.who.canSee(d.accountID) {
			x.fail(http.StatusForbidden, "A token may only create tokens for its own account.")
			return http.StatusForbidden
		}
		s.cat.check(d, in.errs)
	}
	if len(in.errs) > 0 || d == nil {
		x.invalid(in.errs)
		return http.StatusBadRequest
	}
	body, id, err := s.commit(d, in, x.who)
	if err != nil {
		x.fail(http.StatusInternalServerError, "The token could not be created.")
		return http.StatusInternalServerError
	}
	rec.TokenID = id
	if in.hasIcon {
		rec.Icon = iconURL(id, in.iconExt)
	}
	x.w.Header().Set("Location", tokensPath+"/"+id)
	x.json(http.StatusCreated, body)
	return http.StatusCreated
}

func iconURL(id, ext string) string { return iconPrefix + id + "/icon." + ext }

// commit stores a validated token and renders the 201 body, the only place
// its value appears.
func (s *Server) commit(d *createDTO, in *createInput, who *caller) (object, string, error) {
	by := who.by
	secret, err := s.secrets.alnum(64)
	if err != nil {
		return nil, "", err
	}
	now := stamp(s.now())
	t := &token{
		accountID:   d.accountID,
		name:        d.name,
		description: d.description,
		icon:        d.icon,
		status:      tokenActive,
		revision:    1,
		created:     event{at: now, by: by},
		updated:     event{at: now, by: by},
	}
	for _, m := range d.modules {
		t.modules = append(t.modules, m.id)
	}
	for _, e := range d.extensions {
		t.extensions = append(t.extensions, e.id)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	for range maxIDAttempts {
		a, err := s.ids.digits(4)
		if err != nil {
			return nil, "", err
		}
		b, err := s.ids.digits(4)
		if err != nil {
			return nil, "", err
		}
		if id := "TKN-" + a + "-" + b; s.tokens[id] == nil {
			t.id = id
			break
		}
	}
	if t.id == "" {
		return nil, "", errors.New("sandbox: no free token id")
	}
	if in.hasIcon {
		path := iconURL(t.id, in.iconExt)
		t.icon, t.iconData, t.iconType, t.iconExt = &path, in.icon, in.iconType, in.iconExt
	}
	value := "idt:" + t.id + ":" + secret
	t.hash = sha256.Sum256([]byte(value))
	s.tokens[t.id] = t
	s.order = append(s.order, t)
	s.audited(who, t, auditCreated, "created")
	return s.render(t, value), t.id, nil
}

// lookup finds a live token the caller may see; it answers the failure
// itself. A deleted token and, for a Client or Vendor caller, another
// account's token are answered exactly like an unknown id: the published
// operations document only 404, and a 403 would tell a caller that an id
// it may not see exists. Call with s.mu held.
func (s *Server) lookup(x *exchange, id string) *token {
	t := s.tokens[id]
	if t == nil || t.status == tokenDeleted || !x.who.canSee(t.accountID) {
		x.fail(http.StatusNotFound, fmt.Sprintf("API token %s was not found.", id))
		return nil
	}
	return t
}

func (s *Server) getToken(x *exchange, id string) {
	q, ok := parseQuery(x, tokenFields)
	if !ok {
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if t := s.lookup(x, id); t != nil {
		x.json(http.StatusOK, q.shape(s.render(t, "")))
	}
}

// enableToken and disableToken follow the state diagram: Active <->
// Disabled. Asking for the status a token already has (enabling an Active
// token, disabling a Disabled one) answers 200 with the token unchanged:
// no new revision and no audit record, so that a client retrying after an
// answer it never got cannot do harm, and learns the state it wanted holds.
func (s *Server) enableToken(x *exchange, id string)  { s.setTokenStatus(x, id, tokenActive) }
func (s *Server) disableToken(x *exchange, id string) { s.setTokenStatus(x, id, tokenDisabled) }

func (s *Server) setTokenStatus(x *exchange, id, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.lookup(x, id)
	if t == nil {
		return
	}
	if t.status != status {
		s.touch(t, status, x.who.by)
		ev, verb := auditDisabled, "disabled"
		if status == tokenActive {
			ev, verb = auditEnabled, "enabled"
		}
		s.audited(x.who, t, ev, verb)
	}
	x.json(http.StatusOK, s.render(t, ""))
}

// deleteToken marks a token Deleted, which is permanent: it stops
// authenticating, drops out of lists and answers 404 from then on.
func (s *Server) deleteToken(x *exchange, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.lookup(x, id)
	if t == nil {
		return
	}
	s.touch(t, tokenDeleted, x.who.by)
	s.audited(x.who, t, auditDeleted, "deleted")
	x.w.WriteHeader(http.StatusNoContent)
}

func (s *Server) touch(t *token, status string, by identity) {
	t.status = status
	t.revision++
	t.updated = event{at: stamp(s.now()), by: by}
}

// updateToken answers PUT /accounts/api-tokens/{id} with an
// UpdateApiTokenDto. A field left out keeps its value; a field sent is
// checked by the create rules (name, description, icon path, modules
// enabled for the token's account).
func (s *Server) updateToken(x *exchange, id string) {
	data, status, detail := readJSONBody(x.w, x.r)
	if status != 0 {
		x.fail(status, detail)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.lookup(x, id)
	if t == nil {
		return
	}
	errs := fieldErrors{}
	doc, msg := decodeJSON(data)
	if msg != "" {
		errs.add("$", msg)
		x.invalid(errs)
		return
	}
	root, isObj := doc.root.(map[string]any)
	if !isObj {
		errs.add("$", "The request body must be a JSON object, not "+jsonKind(doc.root)+".")
		x.invalid(errs)
		return
	}
	fields := []string{"name", "description", "icon", "modules"}
	unknownFields(root, "", updateDtoName, errs, fields...)
	// Check the update as the create it amounts to, so both share one set
	// of rules: what was left out comes from the token as it is.
	as := map[string]any{"account": map[string]any{"id": t.accountID}, "name": t.name}
	mods := make([]any, 0, len(t.modules))
	for _, m := range t.modules {
		mods = append(mods, map[string]any{"id": m})
	}
	as["modules"] = mods
	for _, f := range fields {
		if v, ok := root[f]; ok {
			as[f] = v
		}
	}
	d := parseDTO(jsonDoc{root: as, dups: doc.dups}, errs)
	s.cat.check(d, errs)
	if len(errs) > 0 {
		x.invalid(errs)
		return
	}
	t.name = d.name
	if _, ok := root["description"]; ok {
		t.description = d.description
	}
	// Sending back the path of an uploaded icon (as a client that edits
	// the object it read does) keeps the image; another path replaces it.
	if _, ok := root["icon"]; ok && !(d.icon != nil && t.icon != nil && *d.icon == *t.icon) {
		t.icon, t.iconData, t.iconType, t.iconExt = d.icon, nil, "", ""
	}
	t.modules = t.modules[:0:0]
	for _, m := range d.modules {
		t.modules = append(t.modules, m.id)
	}
	s.touch(t, t.status, x.who.by)
	s.audited(x.who, t, auditUpdated, "updated")
	x.json(http.StatusOK, s.render(t, ""))
}

// listTokens answers GET /accounts/api-tokens?<rql>.
func (s *Server) listTokens(x *exchange) {
	q, ok := parseQuery(x, tokenFields)
	if !ok {
		return
	}
	s.mu.RLock()
	visible := make([]*token, 0, len(s.tokens))
	for _, t := range s.tokens {
		if x.who.canSee(t.accountID) && t.status != tokenDeleted {
			visible = append(visible, t)
		}
	}
	slices.SortFunc(visible, func(a, b *token) int { return strings.Compare(a.id, b.id) })
	items := make([]object, len(visible))
	for i, t := range visible {
		items[i] = s.render(t, "")
	}
	s.mu.RUnlock()
	x.json(http.StatusOK, q.page(items))
}

// StoredToken is a token as the sandbox holds it, for tests. It has no
// secret: the sandbox keeps only a hash of the token value.
type StoredToken struct {
	ID, AccountID, Name, Status string
	CreatedAt                   time.Time
	ModuleIDs                   []string
}

// StoredTokens returns every token created so far, deleted ones included,
// in creation order.
func (s *Server) StoredTokens() []StoredToken {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]StoredToken, 0, len(s.order))
	for _, t := range s.order {
		out = append(out, StoredToken{
			ID: t.id, AccountID: t.accountID, Name: t.name, Status: t.status,
			CreatedAt: t.created.at, ModuleIDs: slices.Clone(t.modules),
		})
	}
	return out
}
