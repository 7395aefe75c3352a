package console

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"github.com/softwareone/apitoken/internal/syncbuf"
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
	log := &syncbuf.Buffer{}
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

// TestKeysPathStrictModes: the file and every directory on the way to it,
// through symbolic links, must be safe from other users, as sshd's
// StrictModes require; otherwise the server refuses to start, or, once
// running, refuses everyone until it is fixed.
func TestKeysPathStrictModes(t *testing.T) {
	alice := newSigner(t)
	top := t.TempDir()
	dir := filepath.Join(top, "ssh")
	mkdir := func(p string) {
		t.Helper()
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	chmod := func(p string, mode os.FileMode) {
		t.Helper()
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	mkdir(dir)
	file := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(file, []byte(keyLine(alice, "", "alice")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.DiscardHandler)
	k, err := newKeyring(file, quiet)
	if err != nil {
		t.Fatal(err)
	}
	in := func() bool { _, ok := k.lookup(alice.PublicKey()); return ok }
	if !in() {
		t.Fatal("alice refused with a safe path")
	}

	// A directory on the way opened to others: anyone could rename their
	// own file over the keys. Parent and grandparent alike.
	for _, d := range []string{dir, top} {
		chmod(d, 0o777)
		if in() {
			t.Errorf("alice let in with %s at 0777", d)
		}
		if _, err := newKeyring(file, quiet); err == nil || !strings.Contains(err.Error(), "may be written by group or others") {
			t.Errorf("newKeyring with %s at 0777: %v, want a refusal naming it", d, err)
		}
		chmod(d, 0o755)
		if !in() {
			t.Fatalf("alice refused once %s is safe again", d)
		}
	}

	// Symbolic links: the target and every directory holding a link on
	// the way are checked.
	open := filepath.Join(top, "open")
	mkdir(open)
	chmod(open, 0o777)
	linkIn := func(linkDir, target string) string {
		t.Helper()
		l := filepath.Join(linkDir, "link-"+filepath.Base(target))
		if err := os.Symlink(target, l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	safeLink := linkIn(top, file)
	if _, err := newKeyring(safeLink, quiet); err != nil {
		t.Errorf("a link to the keys in a safe directory: %v", err)
	}
	if _, err := newKeyring(linkIn(open, file), quiet); err == nil {
		t.Error("a link in a directory writable by all was trusted: anyone could retarget it")
	}
	// A chain: a safe link to a link kept in the open directory.
	inOpen := linkIn(open, safeLink)
	if _, err := newKeyring(linkIn(dir, inOpen), quiet); err == nil {
		t.Error("a chain of links through a directory writable by all was trusted")
	}
	// A link to a file kept in the open directory.
	stray := filepath.Join(open, "keys")
	if err := os.WriteFile(stray, []byte(keyLine(alice, "", "alice")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := newKeyring(linkIn(top, stray), quiet); err == nil {
		t.Error("a link to a file in a directory writable by all was trusted")
	}

	// Owners other than root and the server's user.
	if os.Getuid() != 0 {
		t.Log("not root: the checks of another owner are not run")
		return
	}
	const nobody = 65534
	for _, p := range []string{file, dir} {
		if err := os.Chown(p, nobody, nobody); err != nil {
			t.Fatal(err)
		}
		if in() {
			t.Errorf("alice let in with %s owned by uid %d", p, nobody)
		}
		if _, err := newKeyring(file, quiet); err == nil || !strings.Contains(err.Error(), "owned by uid 65534") {
			t.Errorf("newKeyring with %s owned by nobody: %v", p, err)
		}
		if err := os.Chown(p, 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	if !in() {
		t.Fatal("alice refused once the owners are right again")
	}
}
