package console

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

	gossh "golang.org/x/crypto/ssh"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/textsafe"
)

// maxKeysFile bounds how much of an authorized_keys file is read.
const maxKeysFile = 4 << 20

// identity is who a session belongs to: the matching authorized_keys entry.
type identity struct {
	Fingerprint string // SHA256:…, as ssh-keygen -l prints it
	Comment     string // the entry's comment, e.g. alice@laptop
	Account     string // from account="…"; "" means the server's default
}

// keyring is the authorized_keys file, re-read whenever its size,
// modification time, mode or inode changes, so keys can be added and revoked
// without a restart. It fails closed: while the file cannot be read, or may
// be written by others, nobody gets in.
type keyring struct {
	path string
	log  *slog.Logger

	mu   sync.Mutex
	seen os.FileInfo         // the version loaded; nil before the first load
	keys map[string]identity // by the key's wire format
	err  error               // why nobody gets in, if the last load failed
}

func newKeyring(path string, log *slog.Logger) (*keyring, error) {
	k := &keyring{path: path, log: log}
	k.refresh()
	if k.err != nil {
		return nil, k.err
	}
	return k, nil
}

// lookup reports who key belongs to, after re-reading the file if it changed.
func (k *keyring) lookup(key gossh.PublicKey) (identity, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.refreshLocked()
	id, ok := k.keys[string(key.Marshal())]
	return id, ok
}

// count is how many keys are accepted now.
func (k *keyring) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.keys)
}

func (k *keyring) refresh() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.refreshLocked()
}

func (k *keyring) refreshLocked() {
	st, err := os.Stat(k.path)
	if err == nil && k.seen != nil && k.err == nil && os.SameFile(st, k.seen) &&
		st.Size() == k.seen.Size() && st.ModTime().Equal(k.seen.ModTime()) && st.Mode() == k.seen.Mode() {
		return
	}
	if err == nil {
		err = checkKeysFile(k.path, st)
	}
	var keys map[string]identity
	if err == nil {
		keys, err = k.read()
	}
	if err != nil {
		if k.err == nil || k.err.Error() != err.Error() {
			k.log.Error("authorized keys unusable: refusing everyone", "path", k.path, "error", err.Error())
		}
		k.seen, k.keys, k.err = nil, nil, err
		return
	}
	if k.seen != nil || k.err != nil {
		k.log.Info("authorized keys reloaded", "path", k.path, "keys", len(keys))
	}
	k.seen, k.keys, k.err = st, keys, nil
}

// checkKeysFile refuses what sshd's StrictModes refuses: a file that others
// could add their own key to.
func checkKeysFile(path string, st os.FileInfo) error {
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	if perm := st.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("%s may be written by group or others (mode %04o): chmod go-w it", path, perm)
	}
	return nil
}

func (k *keyring) read() (map[string]identity, error) {
	f, err := os.Open(k.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeysFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxKeysFile {
		return nil, fmt.Errorf("%s is larger than %d bytes", k.path, maxKeysFile)
	}
	keys := map[string]identity{}
	for n, line := range bytes.Split(b, []byte("\n")) {
		id, wire, err := parseKeyLine(line)
		switch {
		case err != nil:
			k.log.Warn("authorized keys: line skipped", "path", k.path, "line", n+1, "reason", err.Error())
		case wire == "":
			// blank or comment
		default:
			if _, dup := keys[wire]; dup {
				// sshd uses the first entry that matches; so do we.
				k.log.Warn("authorized keys: duplicate key, first entry used", "path", k.path, "line", n+1, "key", id.Fingerprint)
				continue
			}
			keys[wire] = id
		}
	}
	return keys, nil
}

// harmlessOptions restrict what this server never offers anyway
// (forwarding, ~/.ssh/rc), or allow a terminal, which it needs.
var harmlessOptions = map[string]bool{
	"restrict": true, "no-port-forwarding": true, "no-agent-forwarding": true,
	"no-x11-forwarding": true, "no-user-rc": true, "pty": true,
}

// parseKeyLine parses one authorized_keys line. wire is "" for blank and
// comment lines. An entry with an option the console cannot enforce, such as
// from="…" or command="…", is an error: accepting the key while ignoring
// the restriction would let in more than the file says.
func parseKeyLine(line []byte) (id identity, wire string, err error) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] == '#' {
		return identity{}, "", nil
	}
	key, comment, options, _, err := gossh.ParseAuthorizedKey(line)
	if err != nil {
		return identity{}, "", fmt.Errorf("not a public key: %w", err)
	}
	if _, isCert := key.(*gossh.Certificate); isCert {
		return identity{}, "", fmt.Errorf("certificates are not supported")
	}
	id = identity{
		Fingerprint: gossh.FingerprintSHA256(key),
		Comment:     textsafe.Line(comment, 100),
	}
	for _, opt := range options {
		name, value, hasValue := strings.Cut(opt, "=")
		name = strings.ToLower(name)
		switch {
		case name == "account" && hasValue:
			acc := unquote(value)
			if !apiclient.ValidAccountID(acc) {
				return identity{}, "", fmt.Errorf("account=%q is not an account id (ACC-####-####)", textsafe.Line(acc, 40))
			}
			if id.Account != "" && id.Account != acc {
				return identity{}, "", fmt.Errorf("two different account options")
			}
			id.Account = acc
		case harmlessOptions[name] && !hasValue:
		default:
			return identity{}, "", fmt.Errorf("option %q is not supported by the console", textsafe.Line(name, 40))
		}
	}
	return id, string(key.Marshal()), nil
}

// unquote strips the double quotes around an option value and undoes \".
func unquote(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	return strings.ReplaceAll(v, `\"`, `"`)
}
