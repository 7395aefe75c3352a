package apiclient

import (
	"bytes"
	"encoding/json"
	"time"
)

// The types below follow the Marketplace API's schemas (ApiToken, AccountRef,
// ModuleRef, …). Pointer fields are the ones the schema marks nullable, so a
// caller can tell "absent" from "empty".

// Audit records who created and last updated an object, and when.
type Audit struct {
	Created *AuditEvent `json:"created,omitempty"`
	Updated *AuditEvent `json:"updated,omitempty"`
}

// AuditEvent is one entry of an [Audit].
type AuditEvent struct {
	At *time.Time   `json:"at,omitempty"`
	By *IdentityRef `json:"by,omitempty"`
}

// IdentityRef names the user or token behind an audit event.
type IdentityRef struct {
	ID       string  `json:"id"`
	Name     string  `json:"name,omitempty"`
	Icon     *string `json:"icon,omitempty"`
	Revision int     `json:"revision,omitempty"`
}

// Meta is the `$meta` block of an object.
type Meta struct {
	Omitted []string `json:"omitted,omitempty"`
}

// AccountRef is an account as embedded in other objects.
type AccountRef struct {
	ID       string  `json:"id"`
	Name     string  `json:"name,omitempty"`
	Icon     *string `json:"icon,omitempty"`
	Revision int     `json:"revision,omitempty"`
	Type     string  `json:"type,omitempty"`
	Status   string  `json:"status,omitempty"`
}

// Account is an account of the platform.
type Account struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Icon     *string `json:"icon,omitempty"`
	Revision int     `json:"revision,omitempty"`
	// Type is one of AccountTypeClient, AccountTypeVendor, AccountTypeOperations.
	Type   string `json:"type"`
	Status string `json:"status,omitempty"`
	Audit  *Audit `json:"audit,omitempty"`
	// Modules is the account's own module enablement. It is nil when the
	// server did not send it (it is only sent when asked for with
	// select=modules), which is not the same as an empty list.
	Modules []ModuleRef `json:"modules,omitempty"`
}

// Account types.
const (
	AccountTypeClient     = "Client"
	AccountTypeVendor     = "Vendor"
	AccountTypeOperations = "Operations"
)

// Module is an entry of the platform's module catalogue.
type Module struct {
	ID           string          `json:"id"`
	Name         string          `json:"name"`
	Description  string          `json:"description,omitempty"`
	Revision     int             `json:"revision,omitempty"`
	AccountTypes []string        `json:"accountTypes,omitempty"`
	Settings     *ModuleSettings `json:"settings,omitempty"`
	Audit        *Audit          `json:"audit,omitempty"`
}

// ModuleSettings describes how a module is offered.
type ModuleSettings struct {
	SharedAccount bool                       `json:"sharedAccount,omitempty"`
	Configurable  bool                       `json:"configurable"`
	Default       bool                       `json:"default"`
	Paid          bool                       `json:"paid"`
	Type          []string                   `json:"type,omitempty"`
	Obsolete      bool                       `json:"obsolete"`
	Eligibility   *ModuleSettingsEligibility `json:"eligibility,omitempty"`
}

// ModuleSettingsEligibility says whether a module may be given to one or to
// many accounts.
type ModuleSettingsEligibility struct {
	Multi  bool `json:"multi"`
	Single bool `json:"single"`
}

// ModuleRef is a module as embedded in a token or an account.
type ModuleRef struct {
	ID          string          `json:"id"`
	Name        string          `json:"name,omitempty"`
	Revision    int             `json:"revision,omitempty"`
	Description string          `json:"description,omitempty"`
	Filters     *ModuleFilters  `json:"filters,omitempty"`
	Settings    *ModuleSettings `json:"settings,omitempty"`
}

// ModuleFilters narrows what a token may see within a module.
type ModuleFilters struct {
	GroupBuyers []string `json:"group.buyers,omitempty"`
}

// ExtensionRef is an extension as embedded in a token.
type ExtensionRef struct {
	ID       string  `json:"id"`
	Audit    *Audit  `json:"audit,omitempty"`
	Meta     *Meta   `json:"$meta,omitempty"`
	Name     string  `json:"name,omitempty"`
	Icon     *string `json:"icon,omitempty"`
	Revision int     `json:"revision,omitempty"`
	Status   string  `json:"status,omitempty"`
}

// APIToken is the ApiToken object. Token is set only in the answer to a
// create: the platform never returns the value again.
type APIToken struct {
	ID           string         `json:"id"`
	Audit        *Audit         `json:"audit,omitempty"`
	Meta         *Meta          `json:"$meta,omitempty"`
	Name         string         `json:"name"`
	Icon         *string        `json:"icon,omitempty"`
	Revision     int            `json:"revision"`
	Status       string         `json:"status"`
	Description  *string        `json:"description,omitempty"`
	LastAccessAt *time.Time     `json:"lastAccessAt,omitempty"`
	Token        Secret         `json:"token,omitempty"`
	Account      *AccountRef    `json:"account,omitempty"`
	Modules      []ModuleRef    `json:"modules"`
	Extensions   []ExtensionRef `json:"extensions,omitempty"`

	// Raw is the object exactly as the API sent it, unknown fields and
	// order included, except that the value of its "token" member reads
	// "[REDACTED]": the value lives only in Token. [WriteAPITokenJSON]
	// prints it. Nil for a token built in code.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the fields and keeps the object in Raw, with the
// token's value redacted.
func (t *APIToken) UnmarshalJSON(data []byte) error {
	type plain APIToken // without this method
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	// Only a create's answer carries the value; a list's tokens (fifty a
	// page) skip the second parse that redacting it takes.
	if bytes.Contains(data, []byte(`"token"`)) {
		raw, err := redactMember(data, "token")
		if err != nil {
			return err
		}
		p.Raw = raw
	} else {
		p.Raw = bytes.Clone(data) // data is the decoder's buffer
	}
	*t = APIToken(p)
	return nil
}

// Token statuses.
const (
	TokenStatusActive   = "Active"
	TokenStatusDisabled = "Disabled"
	TokenStatusDeleted  = "Deleted"
)

// Icon is a logo image to upload with a new token.
type Icon struct {
	// Filename is the base name sent with the upload, e.g. "logo.png".
	Filename string
	// ContentType is the image's media type, e.g. "image/png".
	ContentType string
	Data        []byte
}

// CreateAPITokenRequest is what CreateAPIToken sends. It mirrors
// CreateApiTokenDto; Icon, when set, is uploaded with the token.
type CreateAPITokenRequest struct {
	AccountID    string
	Name         string
	Description  string
	Icon         *Icon
	ModuleIDs    []string
	ExtensionIDs []string
}

// Pagination is the `$meta.pagination` block of a collection.
type Pagination struct {
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
	Total  int `json:"total"`
}

// ListOptions narrows and pages a collection request. Filter is raw RQL
// (already escaped with [RQLString] or built with the RQL helpers).
type ListOptions struct {
	Filter string
	Select string
	Order  string
	Limit  int
	Offset int
}
