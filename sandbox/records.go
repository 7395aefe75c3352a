package sandbox

import (
	"net/http"
	"slices"
)

// CreateRecord is one create request as the sandbox received it, for tests
// that check what a client sent. It never holds the Authorization header.
type CreateRecord struct {
	AccountID   string  // account.id as sent
	Name        string  // name as sent, before trimming
	Description *string // nil when absent or null
	// Icon is the stored icon path when a file was uploaded and the token
	// created, else the JSON icon string ("" when absent, null or empty).
	Icon            string
	IconBytes       int    // size of the uploaded icon file
	IconContentType string // Content-Type the client gave the icon part
	ModuleIDs       []string
	ExtensionIDs    []string
	Multipart       bool
	TokenID         string // "" when no token was created
	// Status is the status answered: 201, a failure, a fault's status, or
	// 0 when the connection was dropped before any answer.
	Status int
}

// Creates returns every create request received so far, in order:
// rejected ones, ones answered by a fault, dropped ones and ones whose
// client left during a delay included.
// Requests without a valid bearer token are recorded with status 401 and
// nothing else: their bodies are never read.
func (s *Server) Creates() []CreateRecord {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := slices.Clone(s.creates)
	for i := range out {
		out[i].ModuleIDs = slices.Clone(out[i].ModuleIDs)
		out[i].ExtensionIDs = slices.Clone(out[i].ExtensionIDs)
		if d := out[i].Description; d != nil {
			v := *d
			out[i].Description = &v
		}
	}
	return out
}

func (s *Server) record(rec CreateRecord) {
	s.mu.Lock()
	s.creates = append(s.creates, rec)
	s.mu.Unlock()
}

// fill copies what was decoded into the record.
func (in *createInput) fill(rec *CreateRecord) {
	rec.Multipart = rec.Multipart || in.multipart
	if in.hasIcon {
		rec.IconBytes, rec.IconContentType = in.iconSize, in.iconDeclared
	}
	d := in.dto
	if d == nil {
		return
	}
	rec.AccountID, rec.Name = d.accountID, d.rawName
	if d.description != nil {
		v := *d.description
		rec.Description = &v
	}
	if d.icon != nil {
		rec.Icon = *d.icon
	}
	rec.ModuleIDs = slices.Clone(d.sentModules)
	rec.ExtensionIDs = slices.Clone(d.sentExts)
}

// recordFaulted records a create request answered by a fault. Its body is
// decoded for the record only: nothing is validated against the catalogue
// and nothing is stored.
func (s *Server) recordFaulted(r *http.Request, status int) {
	in := readCreate(&discardWriter{header: http.Header{}}, r)
	rec := CreateRecord{Status: status}
	in.fill(&rec)
	s.record(rec)
}
