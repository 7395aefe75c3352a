package console

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

func TestParseKeyLine(t *testing.T) {
	s := newSigner(t)
	plain := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey())))
	fp := gossh.FingerprintSHA256(s.PublicKey())
	tests := []struct {
		line    string
		account string
		comment string
		skip    bool   // blank or comment
		err     string // part of the error; "" for none
	}{
		{line: "", skip: true},
		{line: "   # a comment", skip: true},
		{line: plain, comment: ""},
		{line: plain + " alice@laptop", comment: "alice@laptop"},
		{line: `account="ACC-1000-0001" ` + plain + " alice", account: "ACC-1000-0001", comment: "alice"},
		{line: `ACCOUNT="ACC-1000-0001",restrict,no-pty ` + plain, err: `"no-pty" is not supported`},
		{line: `restrict,no-port-forwarding,account="ACC-2000-0001" ` + plain, account: "ACC-2000-0001"},
		{line: `account="ACC-1" ` + plain, err: "not an account id"},
		{line: `account="ACC-1000-0001",account="ACC-2000-0001" ` + plain, err: "two different account"},
		{line: `from="10.0.0.0/8" ` + plain, err: `"from" is not supported`},
		{line: `command="/bin/true" ` + plain, err: `"command" is not supported`},
		{line: "ssh-ed25519 not-base64", err: "not a public key"},
	}
	for _, tt := range tests {
		id, wire, err := parseKeyLine([]byte(tt.line))
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err = %v, want %q", tt.line, err, tt.err)
			}
		case err != nil:
			t.Errorf("%q: %v", tt.line, err)
		case tt.skip:
			if wire != "" {
				t.Errorf("%q: parsed as a key", tt.line)
			}
		default:
			want := identity{Fingerprint: fp, Comment: tt.comment, Account: tt.account}
			if id != want || wire != string(s.PublicKey().Marshal()) {
				t.Errorf("%q: got %+v, want %+v", tt.line, id, want)
			}
		}
	}
}

func TestKeyringFailsClosed(t *testing.T) {
	alice, bob := newSigner(t), newSigner(t)
	path := filepath.Join(t.TempDir(), "authorized_keys")
	write := func(mode os.FileMode, lines ...string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}
	log := &syncBuffer{}
	write(0o644, keyLine(alice, "", "alice"), "garbage line", keyLine(alice, `account="ACC-2000-0001"`, "again"))
	k, err := newKeyring(path, slog.New(slog.NewJSONHandler(log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := k.lookup(alice.PublicKey()); !ok || id.Account != "" || id.Comment != "alice" {
		t.Fatalf("alice: %+v, %v; want the first entry", id, ok)
	}
	if got := log.String(); !strings.Contains(got, `"line":2`) || !strings.Contains(got, "duplicate key") {
		t.Errorf("no warnings for the bad and the duplicate line: %s", got)
	}

	// Anyone could add a key to a group- or world-writable file, even if
	// only its mode changed.
	if err := os.Chmod(path, 0o664); err != nil {
		t.Fatal(err)
	}
	if _, ok := k.lookup(alice.PublicKey()); ok {
		t.Fatal("a group-writable file was trusted")
	}
	write(0o666, keyLine(alice, "", "alice"), keyLine(bob, "", "bob"))
	if _, ok := k.lookup(alice.PublicKey()); ok {
		t.Fatal("a world-writable file was trusted")
	}
	write(0o600, keyLine(bob, "", "bob with a longer comment"))
	if _, ok := k.lookup(bob.PublicKey()); !ok {
		t.Fatal("bob not let in once the file is private again")
	}
	if _, ok := k.lookup(alice.PublicKey()); ok {
		t.Fatal("alice still let in after her key was removed")
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, ok := k.lookup(bob.PublicKey()); ok {
		t.Fatal("bob let in after the file was removed")
	}
	if _, err := newKeyring(path, slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("newKeyring accepted a missing file")
	}
}
