package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckBaseURL(t *testing.T) {
	for _, tt := range []struct {
		url      string
		insecure bool
		ok       bool
	}{
		{"https://api.platform.softwareone.com", false, true},
		{"http://127.0.0.1:8080", false, true},
		{"http://127.9.9.9", false, true},
		{"http://localhost:8080/", false, true},
		{"http://[::1]:8080", false, true},
		{"http://api.example.com", false, false},
		{"http://10.20.30.40:8080", false, false},
		{"http://api.platform.softwareone.com", false, false},
		{"HTTP://api.example.com", false, false},
		{"http://127.0.0.1.example.com", false, false},
		{"http://localhost.example.com", false, false},
		{"http://api.example.com", true, true},
	} {
		err := checkBaseURL(tt.url, tt.insecure)
		if (err == nil) != tt.ok {
			t.Errorf("checkBaseURL(%q, insecure=%v) = %v, want ok=%v", tt.url, tt.insecure, err, tt.ok)
		}
		if err != nil && exitCode(err) != ExitUsage {
			t.Errorf("%q: exit code %d, want %d", tt.url, exitCode(err), ExitUsage)
		}
	}
}

// TestPlainHTTPRefused: every command that sends the credential refuses a
// plain-HTTP base URL to a remote host before sending anything, from the
// flag or from the environment.
func TestPlainHTTPRefused(t *testing.T) {
	dir := t.TempDir()
	keys := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(keys, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"MPT_API_TOKEN": "idt:TKN-0000-0000:credential", "MPT_ACCOUNT_ID": "ACC-1000-0001"}
	for _, args := range [][]string{
		{"create", "--name", "x", "--module", "MOD-1001", "--base-url", "http://api.example.com"},
		{"serve", "--authorized-keys", keys, "--host-key", filepath.Join(dir, "hk"), "--base-url", "http://10.20.30.40:8080"},
		{"--accessible", "--base-url", "http://api.platform.softwareone.com"},
	} {
		f, out, errOut := testFactory(vars)
		code := Execute(t.Context(), f, args)
		if code != ExitUsage || !strings.Contains(errOut.String(), "clear text") || !strings.Contains(errOut.String(), "--insecure-http") {
			t.Errorf("%q: exit %d, stderr %q; want %d and the plain-HTTP refusal", args, code, errOut, ExitUsage)
		}
		if strings.Contains(out.String()+errOut.String(), "credential") && strings.Contains(out.String()+errOut.String(), "idt:") {
			t.Errorf("%q: the credential is in the output", args)
		}
	}
	vars["MPT_API_BASE_URL"] = "http://api.example.com"
	f, _, errOut := testFactory(vars)
	if code := Execute(t.Context(), f, []string{"create", "--name", "x", "--module", "MOD-1001"}); code != ExitUsage || !strings.Contains(errOut.String(), "clear text") {
		t.Errorf("MPT_API_BASE_URL=http://…: exit %d, stderr %q", code, errOut)
	}
}

func TestTokenFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // past the umask
			t.Fatal(err)
		}
		return p
	}
	private := write("private", []byte("  secret-one\n"), 0o600)
	shared := write("shared", []byte("secret-two\n"), 0o644)
	group := write("group", []byte("secret-three\n"), 0o640)
	big := write("big", []byte(strings.Repeat("x", maxSecretFile+1)), 0o600)
	limit := write("limit", []byte(strings.Repeat("y", maxSecretFile)), 0o600)
	empty := write("empty", []byte(" \n"), 0o600)

	for _, tt := range []struct {
		path     string
		want     string
		warn     bool
		errorHas string
	}{
		{private, "secret-one", false, ""},
		{shared, "secret-two", true, ""},
		{group, "secret-three", true, ""},
		{limit, strings.Repeat("y", maxSecretFile), false, ""},
		{big, "", false, "more than a credential"},
		{empty, "", false, "is empty"},
		{dir, "", false, "not a regular file"},
		{filepath.Join(dir, "missing"), "", false, "no such file"},
	} {
		var warn strings.Builder
		tok, err := readSecretFile(tt.path, nil, &warn)
		name := filepath.Base(tt.path)
		switch {
		case tt.errorHas != "":
			if err == nil || !strings.Contains(err.Error(), tt.errorHas) || exitCode(err) != ExitUsage {
				t.Errorf("%s: err %v, want a usage error saying %q", name, err, tt.errorHas)
			}
		case err != nil:
			t.Errorf("%s: %v", name, err)
		case tok.Reveal() != tt.want:
			t.Errorf("%s: read %d bytes, want %d", name, len(tok.Reveal()), len(tt.want))
		}
		if got := warn.String(); (got != "") != tt.warn || (tt.warn && !strings.Contains(got, "chmod 600")) {
			t.Errorf("%s: warning %q, want one: %v", name, got, tt.warn)
		}
		if strings.Contains(warn.String(), "secret") {
			t.Errorf("%s: the warning holds the credential", name)
		}
	}
	// "-" reads stdin, with the same size rule.
	if tok, err := readSecretFile("-", strings.NewReader("from-stdin\n"), &strings.Builder{}); err != nil || tok.Reveal() != "from-stdin" {
		t.Errorf("stdin: %v", err)
	}
	if _, err := readSecretFile("-", strings.NewReader(strings.Repeat("z", maxSecretFile+1)), &strings.Builder{}); err == nil {
		t.Error("stdin over the limit was accepted")
	}
}
