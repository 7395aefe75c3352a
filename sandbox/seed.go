package sandbox

import (
	"fmt"
	"slices"
)

// seedTokens stores the fixture's tokens, which New has validated. They are
// not in StoredTokens (which lists what clients created) and have no value.
// Each gets the audit records a real history would have left: its create,
// and for a disabled one the disable, at its last access (or creation).
func (s *Server) seedTokens(f *Fixture) {
	users := map[string]identity{}
	for _, ft := range f.Tokens {
		by := operatorIdentity
		if ft.CreatedBy != "" && ft.CreatedBy != operatorIdentity.name {
			if by = users[ft.CreatedBy]; by.id == "" {
				// USR-1000-0001, … in the order the names first appear.
				by = identity{id: fmt.Sprintf("USR-1000-%04d", len(users)+1), name: ft.CreatedBy}
				users[ft.CreatedBy] = by
			}
		}
		created := stamp(ft.CreatedAt)
		t := &token{
			id: ft.ID, accountID: ft.Account, name: ft.Name,
			status: tokenActive, revision: 1,
			created: event{at: created, by: by}, updated: event{at: created, by: by},
			modules: append([]string(nil), ft.Modules...),
		}
		if ft.Description != "" {
			d := ft.Description
			t.description = &d
		}
		if ft.LastAccessAt != nil {
			at := stamp(*ft.LastAccessAt)
			t.lastAccessAt = &at
		}
		s.tokens[t.id] = t
		s.auditAt(by, "", t, auditCreated, "created", created)
		if ft.Status == tokenDisabled {
			at := created
			if t.lastAccessAt != nil {
				at = *t.lastAccessAt
			}
			t.status, t.revision, t.updated = tokenDisabled, 2, event{at: at, by: by}
			s.auditAt(by, "", t, auditDisabled, "disabled", at)
		}
	}
	// The trail reads oldest first, whatever order the fixture lists.
	slices.SortStableFunc(s.audit, func(a, b *auditRecord) int { return a.at.Compare(b.at) })
	for i, r := range s.audit {
		r.id = auditID(i + 1)
	}
}
