package apiclient

import (
	"context"
	"time"
)

const auditRecordsPath = apiPrefix + "/audit/records"

// AuditRecord is one entry of an object's audit trail (AuditRecord).
type AuditRecord struct {
	ID        string             `json:"id"`
	Event     string             `json:"event,omitempty"`
	Summary   string             `json:"summary,omitempty"`
	Details   string             `json:"details,omitempty"`
	Object    *AuditRecordObject `json:"object,omitempty"`
	Timestamp *time.Time         `json:"timestamp,omitempty"`
	Actor     *AuditRecordActor  `json:"actor,omitempty"`
	Type      string             `json:"type,omitempty"` // Private or Public
}

// AuditRecordObject is the object an [AuditRecord] is about.
type AuditRecordObject struct {
	ID         string  `json:"id"`
	Name       *string `json:"name,omitempty"`
	ObjectType string  `json:"objectType,omitempty"`
}

// AuditRecordActor is who did what an [AuditRecord] records.
type AuditRecordActor struct {
	ID      string      `json:"id"`
	Name    string      `json:"name,omitempty"`
	Account *AccountRef `json:"account,omitempty"`
}

// ListAuditRecords reads one page of the audit trail of an object (GET
// /public/v1/audit/records?eq(object.id,"…")), newest first
// (order=-timestamp). opts pages it (Limit at most 100, the platform's cap);
// its Filter, when set, is ANDed; its Order replaces the default.
func (c *Client) ListAuditRecords(ctx context.Context, objectID string, opts *ListOptions) ([]AuditRecord, *Pagination, error) {
	return c.listAuditRecords(ctx, objectID, opts)
}
