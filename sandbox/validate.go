package sandbox

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Limits of CreateApiTokenDto, as agreed with the client.
const (
	maxTokenNameRunes   = 100
	maxDescRunes        = 1000
	maxModulesPerToken  = 100
	maxIconPathLen      = 512
	accountIDPattern    = `^ACC-\d{4}-\d{4}$`
	moduleIDPattern     = `^MOD-\d{4}$`
	dtoName             = "CreateApiTokenDto"
	updateDtoName       = "UpdateApiTokenDto"
	accountDtoName      = "AccountDto"
	moduleDtoName       = "ModuleDto"
	extensionDtoName    = "ExtensionDto"
	fieldMustBeString   = "The %s field must be a string."
	fieldIsRequired     = "The %s field is required."
	fieldUnknown        = "The JSON property '%s' could not be mapped to any member of %s."
	fieldGivenTwice     = "The %s field is given more than once."
	iconPathRequirement = "The icon field must be a relative path such as /static/icons/token.png."
)

// iconPathRe accepts a plain relative path: no scheme, host, query,
// backslash or percent escape. Dot segments are rejected separately.
// Compiled on first use, not at package init, which every start of the
// binary would pay for.
var iconPathRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^/?[A-Za-z0-9_~+@.-]+(/[A-Za-z0-9_~+@.-]+)*$`)
})

// ref is a module or extension id as sent, with the path to report it at.
type ref struct {
	path, id string
}

// createDTO is a CreateApiTokenDto after the shape checks. Catalogue checks
// (does the account exist, is the module enabled) come later.
type createDTO struct {
	accountID   string // as sent, when a string
	accountOK   bool   // accountID is well formed
	rawName     string // as sent
	name        string // trimmed; valid when nameOK
	nameOK      bool
	description *string
	icon        *string // nil for absent, null or ""
	modules     []ref   // well formed and not repeated
	extensions  []ref
	sentModules []string // every string id as sent, for the record
	sentExts    []string
}

// parseDTO checks the shape of a decoded body, adding every failure to
// errs. It returns nil when the body is not an object at all.
func parseDTO(doc jsonDoc, errs fieldErrors) *createDTO {
	for _, p := range doc.dups {
		errs.add(p, fmt.Sprintf(fieldGivenTwice, leaf(p)))
	}
	root, ok := doc.root.(map[string]any)
	if !ok {
		errs.add("$", "The request body must be a JSON object, not "+jsonKind(doc.root)+".")
		return nil
	}
	d := &createDTO{}
	unknownFields(root, "", dtoName, errs, "account", "name", "icon", "description", "modules", "extensions")

	switch v := root["account"].(type) {
	case nil:
		errs.add("account", fmt.Sprintf(fieldIsRequired, "account"))
	case map[string]any:
		unknownFields(v, "account", accountDtoName, errs, "id")
		switch id := v["id"].(type) {
		case nil:
			errs.add("account.id", fmt.Sprintf(fieldIsRequired, "id"))
		case string:
			d.accountID = id
			if validAccountID(id) {
				d.accountOK = true
			} else {
				errs.add("account.id", "The id field must match the pattern "+accountIDPattern+".")
			}
		default:
			errs.add("account.id", fmt.Sprintf(fieldMustBeString, "id"))
		}
	default:
		errs.add("account", "The account field must be an object.")
	}

	switch v := root["name"].(type) {
	case nil:
		errs.add("name", fmt.Sprintf(fieldIsRequired, "name"))
	case string:
		d.rawName = v
		d.name = strings.TrimSpace(v)
		d.nameOK = true
		if d.name == "" {
			errs.add("name", fmt.Sprintf(fieldIsRequired, "name"))
			d.nameOK = false
		}
		if n := utf8.RuneCountInString(d.name); n > maxTokenNameRunes {
			errs.add("name", fmt.Sprintf("The name field must be at most %d characters long (it has %d).", maxTokenNameRunes, n))
			d.nameOK = false
		}
		if strings.ContainsFunc(d.name, unicode.IsControl) {
			errs.add("name", "The name field must not contain control characters.")
			d.nameOK = false
		}
	default:
		errs.add("name", fmt.Sprintf(fieldMustBeString, "name"))
	}

	switch v := root["description"].(type) {
	case nil:
	case string:
		d.description = &v
		if n := utf8.RuneCountInString(v); n > maxDescRunes {
			errs.add("description", fmt.Sprintf("The description field must be at most %d characters long (it has %d).", maxDescRunes, n))
		}
	default:
		errs.add("description", fmt.Sprintf(fieldMustBeString, "description"))
	}

	switch v := root["icon"].(type) {
	case nil:
	case string:
		if v != "" { // the platform's own example sends "" for "no icon"
			d.icon = &v
			if !safeIconPath(v) {
				errs.add("icon", iconPathRequirement)
			}
		}
	default:
		errs.add("icon", fmt.Sprintf(fieldMustBeString, "icon"))
	}

	switch v := root["modules"].(type) {
	case nil:
		errs.add("modules", fmt.Sprintf(fieldIsRequired, "modules"))
	case []any:
		if len(v) == 0 {
			errs.add("modules", "The modules field must contain at least 1 item.")
		}
		if len(v) > maxModulesPerToken {
			errs.add("modules", fmt.Sprintf("The modules field must contain at most %d items (it has %d).", maxModulesPerToken, len(v)))
		}
		d.modules, d.sentModules = parseRefs(v, "modules", "Module", moduleDtoName, errs, func(path, id string) bool {
			if !validModuleID(id) {
				errs.add(path, "The id field must match the pattern "+moduleIDPattern+".")
				return false
			}
			return true
		})
	default:
		errs.add("modules", "The modules field must be an array.")
	}

	switch v := root["extensions"].(type) {
	case nil:
	case []any:
		d.extensions, d.sentExts = parseRefs(v, "extensions", "Extension", extensionDtoName, errs, func(path, id string) bool {
			if id == "" {
				errs.add(path, fmt.Sprintf(fieldIsRequired, "id"))
				return false
			}
			return true
		})
	default:
		errs.add("extensions", "The extensions field must be an array.")
	}
	return d
}

// parseRefs checks an array of {"id": "..."} objects. It returns the ids
// that passed wellFormed and were not repeated, and every string id sent.
func parseRefs(items []any, field, kind, dto string, errs fieldErrors, wellFormed func(path, id string) bool) (ok []ref, sent []string) {
	first := make(map[string]string, len(items))
	for i, item := range items {
		at := indexPath(field, i)
		obj, isObj := item.(map[string]any)
		if !isObj {
			errs.add(at, fmt.Sprintf("Each item of %s must be an object, not %s.", field, jsonKind(item)))
			continue
		}
		unknownFields(obj, at, dto, errs, "id")
		path := at + ".id"
		switch id := obj["id"].(type) {
		case nil:
			errs.add(path, fmt.Sprintf(fieldIsRequired, "id"))
		case string:
			sent = append(sent, id)
			if !wellFormed(path, id) {
				continue
			}
			if prev, dup := first[id]; dup {
				errs.add(path, fmt.Sprintf("%s %s is listed more than once (first at %s).", kind, id, prev))
				continue
			}
			first[id] = path
			ok = append(ok, ref{path: path, id: id})
		default:
			errs.add(path, fmt.Sprintf(fieldMustBeString, "id"))
		}
	}
	return ok, sent
}

// unknownFields reports every key of obj that is not in known, by its path.
func unknownFields(obj map[string]any, path, dto string, errs fieldErrors, known ...string) {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		found := false
		for _, kn := range known {
			if k == kn {
				found = true
				break
			}
		}
		if !found {
			errs.add(joinPath(path, k), fmt.Sprintf(fieldUnknown, k, dto))
		}
	}
}

// leaf is the last name of a path: "modules[0].id" → "id".
func leaf(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}

// safeIconPath reports whether p is a relative path the API can hand out
// as an icon: no scheme or host (so no open redirect or tracking pixel), no
// dot segments, no escapes.
func safeIconPath(p string) bool {
	if len(p) > maxIconPathLen || !iconPathRe().MatchString(p) {
		return false
	}
	for _, seg := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// check adds the failures that need the catalogue: unknown
// account, unknown or not enabled modules, unknown extensions.
func (c *catalogue) check(d *createDTO, errs fieldErrors) *account {
	var acc *account
	if d.accountOK {
		if acc = c.accounts[d.accountID]; acc == nil {
			errs.add("account.id", fmt.Sprintf("Account %s was not found.", d.accountID))
		}
	}
	for _, m := range d.modules {
		switch {
		case c.modules[m.id] == nil:
			errs.add(m.path, fmt.Sprintf("Module %s was not found.", m.id))
		case acc != nil && !acc.enabled[m.id]:
			errs.add(m.path, fmt.Sprintf("Module %s is not enabled for account %s.", m.id, acc.ID))
		}
	}
	for _, e := range d.extensions {
		if ext := c.extensions[e.id]; ext == nil || ext.Status == "Deleted" {
			errs.add(e.path, fmt.Sprintf("Extension %s was not found.", e.id))
		}
	}
	return acc
}
