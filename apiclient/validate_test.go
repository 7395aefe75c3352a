package apiclient

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestIDs(t *testing.T) {
	for s, want := range map[string]bool{"ACC-1234-5678": true, "ACC-123-5678": false, "acc-1234-5678": false, "ACC-1234-5678 ": false, "ACC-1234-56789": false, "ACC-١٢٣٤-5678": false} {
		if ValidAccountID(s) != want {
			t.Errorf("ValidAccountID(%q)", s)
		}
	}
	for s, want := range map[string]bool{"MOD-1234": true, "MOD-1756-1452": true, "MOD-123": false, "MOD-1234-": false, "MOD-1234-567": false, "mod-1234": false} {
		if ValidModuleID(s) != want {
			t.Errorf("ValidModuleID(%q)", s)
		}
	}
	for s, want := range map[string]bool{"TKN-4134-7330": true, "TKN-4134": false, "TKN-4134-7330\n": false} {
		if ValidTokenID(s) != want {
			t.Errorf("ValidTokenID(%q)", s)
		}
	}
}

func TestCheckName(t *testing.T) {
	ok := []string{"x", "  nightly export  ", strings.Repeat("é", MaxNameLength), " " + strings.Repeat("a", MaxNameLength) + "\t"}
	for _, s := range ok {
		if err := CheckName(s); err != nil {
			t.Errorf("CheckName(%q): %v", s, err)
		}
	}
	bad := map[string]string{
		"":                                   "enter a name",
		" \t\n":                              "enter a name",
		strings.Repeat("a", MaxNameLength+1): "101 characters long; the limit is 100",
		"a\x1bb":                             "control character (U+001B)",
		"a\nb":                               "control character",
		"a\u0085b":                           "control character",
		"a\u202eb":                           "control character",
		"a\xffb":                             "UTF-8",
	}
	for s, want := range bad {
		if err := CheckName(s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckName(%q) = %v, want %q", s, err, want)
		}
	}
	if err := CheckDescription(""); err != nil {
		t.Error(err)
	}
	if err := CheckDescription("line one\nline two\ttab"); err != nil {
		t.Error(err)
	}
	if err := CheckDescription(strings.Repeat("d", MaxDescriptionLength+1)); err == nil || !strings.Contains(err.Error(), "limit is 1000") {
		t.Error(err)
	}
	if err := CheckDescription("x\x07"); err == nil {
		t.Error("BEL accepted")
	}
}

func TestValidateFields(t *testing.T) {
	many := make([]string, MaxModules+1)
	for i := range many {
		many[i] = fmt.Sprintf("MOD-%04d", i)
	}
	cases := []struct {
		req  CreateAPITokenRequest
		want []string
	}{
		{CreateAPITokenRequest{AccountID: "ACC-1234-5678", Name: "n", ModuleIDs: []string{"MOD-1001"}}, nil},
		{CreateAPITokenRequest{}, []string{"account.id", "modules", "name"}},
		{CreateAPITokenRequest{AccountID: "ACC-1", Name: "n", ModuleIDs: []string{"MOD-1001"}}, []string{"account.id"}},
		{CreateAPITokenRequest{AccountID: "ACC-1234-5678", Name: "n", Description: strings.Repeat("d", 1001), ModuleIDs: []string{"MOD-1001"}}, []string{"description"}},
		{CreateAPITokenRequest{AccountID: "ACC-1234-5678", Name: "n", ModuleIDs: []string{"MOD-1001", "bad", "MOD-1001", ""}}, []string{"modules[1].id", "modules[2].id", "modules[3].id"}},
		{CreateAPITokenRequest{AccountID: "ACC-1234-5678", Name: "n", ModuleIDs: many}, []string{"modules"}},
		{CreateAPITokenRequest{AccountID: "ACC-1234-5678", Name: "n", ModuleIDs: []string{"MOD-1001"}, ExtensionIDs: []string{""}}, []string{"extensions[0].id"}},
		{CreateAPITokenRequest{AccountID: "ACC-1234-5678", Name: "n", ModuleIDs: []string{"MOD-1001"}, Icon: &Icon{Filename: "a.txt", Data: []byte("hello")}}, []string{"icon"}},
	}
	for i, tc := range cases {
		err := tc.req.Validate()
		if tc.want == nil {
			if err != nil {
				t.Errorf("%d: %v", i, err)
			}
			continue
		}
		var ie *InvalidRequestError
		if !errors.As(err, &ie) {
			t.Fatalf("%d: %T %v", i, err, err)
		}
		got := slices.Sorted(func(yield func(string) bool) {
			for k := range ie.Fields {
				if !yield(k) {
					return
				}
			}
		})
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%d: fields %v, want %v", i, got, tc.want)
		}
		if !strings.HasPrefix(err.Error(), "apiclient: invalid request: ") {
			t.Errorf("%d: %v", i, err)
		}
	}
	if ie := cases[7].req.Validate().(*InvalidRequestError); ie.Fields["icon"] != "a.txt is not a PNG, JPEG, GIF or SVG image" {
		t.Errorf("icon message: %q", ie.Fields["icon"])
	}
}

// TestCheckNameInvisible: a name made only of characters that draw nothing
// is refused with a message that says so; one visible character is enough.
func TestCheckNameInvisible(t *testing.T) {
	for _, name := range []string{"\u200b", "\u200b\u200c\u200d", "\u2060\ufeff", "\u00ad", "\u3164", "\u2800", "\u200b \u200b", "\u0301", "\ufe0f"} {
		err := CheckName(name)
		if err == nil || !strings.Contains(err.Error(), "no visible character") {
			t.Errorf("%+q: %v", name, err)
		}
	}
	for _, name := range []string{"a\u200b", "\u200bé", "日本", "e\u0301", "🙂"} {
		if err := CheckName(name); err != nil {
			t.Errorf("%+q refused: %v", name, err)
		}
	}
	req := &CreateAPITokenRequest{AccountID: "ACC-1234-5678", Name: "\u200b\u200b", ModuleIDs: []string{"MOD-1001"}}
	var inv *InvalidRequestError
	if err := req.Validate(); !errors.As(err, &inv) || !strings.Contains(inv.Fields["name"], "no visible character") {
		t.Errorf("Validate: %v", err)
	}
}
