package apiclient

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// The id patterns are compiled on first use, not in package init: every
// start of the program links this package, and most never check an id.
var (
	accountIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^ACC-\d{4}-\d{4}$`) })
	moduleIDPattern  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^MOD-\d{4}(-\d{4})?$`) })
	tokenIDPattern   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^TKN-\d{4}-\d{4}$`) })
)

// ValidAccountID reports whether s looks like an account id: ACC-1234-5678.
func ValidAccountID(s string) bool { return accountIDPattern().MatchString(s) }

// ValidModuleID reports whether s looks like a module id. Both MOD-1234 (the
// contract's pattern) and MOD-1234-5678 (seen in the documentation) are
// accepted: the server judges.
func ValidModuleID(s string) bool { return moduleIDPattern().MatchString(s) }

// ValidTokenID reports whether s looks like a token id: TKN-1234-5678.
func ValidTokenID(s string) bool { return tokenIDPattern().MatchString(s) }

// CheckName checks a token name as the server will: not blank once trimmed,
// at most MaxNameLength characters, no control characters (nor the bidi
// controls that reorder text on screen).
func CheckName(s string) error {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return errors.New("enter a name for the token")
	case !utf8.ValidString(s):
		return errors.New("the name is not valid UTF-8 text")
	case utf8.RuneCountInString(s) > MaxNameLength:
		return fmt.Errorf("the name is %d characters long; the limit is %d", utf8.RuneCountInString(s), MaxNameLength)
	}
	if i := strings.IndexFunc(s, isUnsafeRune); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return fmt.Errorf("the name contains a control character (%U); remove it", r)
	}
	if !strings.ContainsFunc(s, isVisible) {
		r, _ := utf8.DecodeRuneInString(s)
		return fmt.Errorf("the name has no visible character, only invisible ones such as %U: type a name people can read", r)
	}
	return nil
}

// isVisible reports a rune that draws something: not white space, not a
// format character (zero-width space, joiners, BOM, soft hyphen…), not a
// lone combining mark, and not one of the blank fillers that Unicode counts
// as letters.
func isVisible(r rune) bool {
	switch r {
	case 0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x180E:
		return false
	}
	return !unicode.IsSpace(r) && !unicode.In(r, unicode.Cf, unicode.Mn, unicode.Me, unicode.Cc, unicode.Zs, unicode.Variation_Selector)
}

// CheckDescription checks an optional description: at most
// MaxDescriptionLength characters; line breaks and tabs are fine, other
// control characters and bidi controls are not.
func CheckDescription(s string) error {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return nil
	case !utf8.ValidString(s):
		return errors.New("the description is not valid UTF-8 text")
	case utf8.RuneCountInString(s) > MaxDescriptionLength:
		return fmt.Errorf("the description is %d characters long; the limit is %d", utf8.RuneCountInString(s), MaxDescriptionLength)
	}
	if i := strings.IndexFunc(s, func(r rune) bool {
		return r != '\n' && r != '\r' && r != '\t' && isUnsafeRune(r)
	}); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return fmt.Errorf("the description contains a control character (%U); remove it", r)
	}
	return nil
}

// Validate checks the request before anything is sent. It returns nil or an
// [*InvalidRequestError] naming each failing field with the server's path
// (name, description, account.id, modules, modules[i].id, extensions[i].id,
// icon) and a message for a person.
func (r *CreateAPITokenRequest) Validate() error {
	fields := map[string]string{}
	if r == nil {
		return &InvalidRequestError{Fields: map[string]string{"$": "no request"}}
	}
	switch id := strings.TrimSpace(r.AccountID); {
	case id == "":
		fields["account.id"] = "choose the account the token is for"
	case !ValidAccountID(id):
		fields["account.id"] = fmt.Sprintf("%q is not an account id (ACC-1234-5678)", sanitize(id, 40))
	}
	if err := CheckName(r.Name); err != nil {
		fields["name"] = err.Error()
	}
	if err := CheckDescription(r.Description); err != nil {
		fields["description"] = err.Error()
	}
	checkModuleIDs(r.ModuleIDs, fields)
	for i, id := range r.ExtensionIDs {
		if id = strings.TrimSpace(id); id == "" || !utf8.ValidString(id) || strings.IndexFunc(id, isUnsafeRune) >= 0 {
			fields[fmt.Sprintf("extensions[%d].id", i)] = "the extension id is empty or not text"
		}
	}
	if r.Icon != nil {
		if _, _, err := InspectIcon(iconDisplayName(r.Icon.Filename), r.Icon.Data); err != nil {
			fields["icon"] = err.Error()
		}
	}
	if len(fields) > 0 {
		return &InvalidRequestError{Fields: fields}
	}
	return nil
}

func iconDisplayName(name string) string {
	if name = strings.TrimSpace(name); name == "" {
		return "the icon"
	}
	return name
}
