package sandbox

import (
	"regexp"
	"strings"
	"testing"
)

// The hand-written id checks accept exactly what the patterns of the API's
// contract accept.
func TestIDShapesMatchPatterns(t *testing.T) {
	secret := strings.Repeat("aZ09", 16)
	inputs := []string{
		"", "ACC-", "ACC-1234-5678", "ACC-1234-567", "ACC-1234-56789", "ACC-12345678", "ACC-1234_5678",
		"acc-1234-5678", "ACC-12a4-5678", "ACC-١٢٣٤-5678", " ACC-1234-5678", "ACC-1234-5678\n",
		"MOD-1234", "MOD-123", "MOD-12345", "MOD-1234-0001", "TKN-0000-0001", "TKN-0000-0001-",
		"x", "a.b_c-d", ".a", "-a", "a/b", "a b", strings.Repeat("a", 64), strings.Repeat("a", 65), "é",
		"idt:TKN-1234-5678:" + secret, "idt:TKN-1234-5678:" + secret + "a", "idt:TKN-1234-5678:" + secret[1:],
		"idt:TKN-1234-5678:" + secret[1:] + "-", "idt:TKN-1234-567:" + secret + "a", "idt:TKN-1234-5678;" + secret,
		"IDT:TKN-1234-5678:" + secret, "idt:ACC-1234-5678:" + secret,
	}
	checks := []struct {
		pattern string
		fn      func(string) bool
	}{
		{`^ACC-[0-9]{4}-[0-9]{4}$`, validAccountID},
		{`^MOD-[0-9]{4}$`, validModuleID},
		{`^TKN-[0-9]{4}-[0-9]{4}$`, validTokenID},
		{`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`, validExtensionID},
	}
	for _, c := range checks {
		re := regexp.MustCompile(c.pattern)
		for _, in := range inputs {
			if got, want := c.fn(in), re.MatchString(in); got != want {
				t.Errorf("%s on %q: %v, the pattern says %v", c.pattern, in, got, want)
			}
		}
	}
	value := regexp.MustCompile(`^idt:(TKN-[0-9]{4}-[0-9]{4}):[A-Za-z0-9]{64}$`)
	for _, in := range inputs {
		id, ok := tokenIDOfValue(in)
		m := value.FindStringSubmatch(in)
		if ok != (m != nil) || ok && id != m[1] {
			t.Errorf("token value %q: %q %v, the pattern says %q", in, id, ok, m)
		}
	}
}
