package console

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
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
// modification time, mode, inode or change time changes, so keys can be
// added and revoked without a restart. It fails closed: while the file
// cannot be read, or it or a directory on its path may be written by others
// ([checkKeysPath]), nobody gets in.
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
	// The path is checked on every lookup, not only when the file changed:
	// a directory on the way may have been opened to others since.
	resolved, st, err := checkKeysPath(k.path)
	if err == nil && k.seen != nil && k.err == nil && os.SameFile(st, k.seen) &&
		st.Size() == k.seen.Size() && st.ModTime().Equal(k.seen.ModTime()) && st.Mode() == k.seen.Mode() &&
		sameChangeTime(st, k.seen) {
		return
	}
	var keys map[string]identity
	if err == nil {
		keys, err = k.read(resolved, st)
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

// maxLinks bounds the symbolic links followed to the file, as the kernel
// does.
const maxLinks = 40

// checkKeysPath refuses what sshd's StrictModes refuse, and a little more:
// the file and every directory passed through on the way to it, from the
// root and through every symbolic link, must be owned by root or by the
// server's user and not be writable by group or others; otherwise someone
// else could put their key in, or rename their own file over it. One
// exception: a directory writable by all that is owned by root and sticky
// (/tmp) is accepted, since there nobody may rename or remove an entry
// they do not own. It returns the file's resolved path and its Lstat.
func checkKeysPath(path string) (string, os.FileInfo, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", nil, err
	}
	root := string(filepath.Separator)
	if err := checkDir(root); err != nil {
		return "", nil, err
	}
	cur, todo, links := root, splitPath(abs), 0
	for len(todo) > 0 {
		name := todo[0]
		todo = todo[1:]
		next := filepath.Join(cur, name)
		st, err := os.Lstat(next)
		if err != nil {
			return "", nil, err
		}
		switch {
		case st.Mode()&os.ModeSymlink != 0:
			if links++; links > maxLinks {
				return "", nil, fmt.Errorf("%s: too many symbolic links", path)
			}
			target, err := os.Readlink(next)
			if err != nil {
				return "", nil, err
			}
			if filepath.IsAbs(target) {
				cur = root
			}
			todo = append(splitPath(target), todo...)
			continue
		case len(todo) > 0: // a directory on the way
			if err := checkOwnerMode(next, st, true); err != nil {
				return "", nil, err
			}
		default:
			if !st.Mode().IsRegular() {
				return "", nil, fmt.Errorf("%s is not a regular file", next)
			}
			if err := checkOwnerMode(next, st, false); err != nil {
				return "", nil, err
			}
			return next, st, nil
		}
		cur = next
	}
	return "", nil, fmt.Errorf("%s is not a file", path)
}

func checkDir(dir string) error {
	st, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	return checkOwnerMode(dir, st, true)
}

func checkOwnerMode(path string, st os.FileInfo, dir bool) error {
	what := "file"
	if dir {
		what = "directory"
		if !st.IsDir() {
			return fmt.Errorf("%s is not a directory", path)
		}
	}
	uid, known := fileOwner(st)
	self, _ := serverUID()
	if known && uid != 0 && uid != self {
		return fmt.Errorf("authorized_keys: %s %s is owned by uid %d, not by root or this server's user (uid %d)", what, path, uid, self)
	}
	perm := st.Mode().Perm()
	stickyRoot := dir && st.Mode()&os.ModeSticky != 0 && known && uid == 0
	if perm&0o022 != 0 && !stickyRoot {
		return fmt.Errorf("authorized_keys: %s %s may be written by group or others (mode %04o): chmod go-w it", what, path, perm)
	}
	return nil
}

// splitPath is the names of path, without empty ones and ".".
func splitPath(path string) []string {
	var out []string
	for _, name := range strings.Split(filepath.ToSlash(path), "/") {
		if name != "" && name != "." {
			out = append(out, name)
		}
	}
	return out
}

// read reads the checked file at path; st is what the check saw there.
func (k *keyring) read(path string, st os.FileInfo) (map[string]identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The file opened must be the file checked.
	if fst, err := f.Stat(); err != nil || !os.SameFile(fst, st) {
		return nil, fmt.Errorf("%s changed while being read", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeysFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxKeysFile {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, maxKeysFile)
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
