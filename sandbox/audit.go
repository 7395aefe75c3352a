package sandbox

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Audit events the sandbox records, one per change of a token.
const (
	auditCreated  = "platform.accounts.api-token.created"
	auditUpdated  = "platform.accounts.api-token.updated"
	auditEnabled  = "platform.accounts.api-token.enabled"
	auditDisabled = "platform.accounts.api-token.disabled"
	auditDeleted  = "platform.accounts.api-token.deleted"
)

// auditRecord is one AuditRecord. accountID is the account of the object,
// which decides who may read the record.
type auditRecord struct {
	id, event, summary string
	accountID          string
	at                 time.Time
	object             object
	actor              object
}

var auditRecordFields = newFieldSet(
	[]string{"id", "event", "summary", "timestamp", "type",
		"object.id", "object.name", "object.objectType",
		"actor.id", "actor.name", "actor.account.id", "actor.account.name", "actor.account.accountType"},
	[]string{"id", "event", "summary", "details", "object", "timestamp", "actor", "type", "request", "documents", "viewers"},
	nil)

// audited records a change of t by who. Call with s.mu held.
func (s *Server) audited(who *caller, t *token, ev, verb string) {
	s.auditAt(who.by, who.accountID, t, ev, verb, stamp(s.now()))
}

func (s *Server) auditAt(by identity, byAccount string, t *token, ev, verb string, at time.Time) {
	n := len(s.audit) + 1
	actor := object{{"id", by.id}, {"name", by.name}}
	if a := s.cat.accounts[byAccount]; a != nil {
		actor = append(actor, member{"account", object{{"id", a.ID}, {"name", a.Name}, {"accountType", a.Type}}})
	}
	s.audit = append(s.audit, &auditRecord{
		id:        auditID(n),
		event:     ev,
		summary:   fmt.Sprintf("API token %s (%s) %s", t.id, t.name, verb),
		accountID: t.accountID,
		at:        at,
		object:    object{{"id", t.id}, {"name", t.name}, {"objectType", "ApiToken"}},
		actor:     actor,
	})
}

// auditID is AUD-####-####-####, numbered in the order changes happened.
func auditID(n int) string {
	return fmt.Sprintf("AUD-%04d-%04d-%04d", n/100000000%10000, n/10000%10000, n%10000)
}

func (r *auditRecord) render() object {
	return object{
		{"id", r.id},
		{"event", r.event},
		{"summary", r.summary},
		{"object", r.object},
		{"timestamp", formatTime(r.at)},
		{"actor", r.actor},
		{"type", "Public"},
	}
}

// listAuditRecords answers GET /audit/records?<rql>, e.g.
// eq(object.id,"TKN-…")&order=-timestamp. A caller sees the records of the
// objects of the accounts it sees. Records come oldest first unless ordered.
func (s *Server) listAuditRecords(x *exchange) {
	q, ok := parseQuery(x, auditRecordFields)
	if !ok {
		return
	}
	s.mu.RLock()
	items := make([]object, 0, len(s.audit))
	for _, r := range s.audit {
		if x.who.canSee(r.accountID) {
			items = append(items, r.render())
		}
	}
	s.mu.RUnlock()
	x.json(http.StatusOK, q.page(items))
}

// getAuditRecord answers GET /audit/records/{id}; a record the caller may
// not see is as unknown as a made-up id.
func (s *Server) getAuditRecord(x *exchange, id string) {
	q, ok := parseQuery(x, auditRecordFields)
	if !ok {
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, r := range s.audit {
		if r.id == id && x.who.canSee(r.accountID) {
			x.json(http.StatusOK, q.shape(r.render()))
			return
		}
	}
	x.fail(http.StatusNotFound, "Audit record "+strconv.Quote(id)+" was not found.")
}
