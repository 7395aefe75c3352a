package console

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// LoadOrCreateHostKey reads the server's private host key from path, or, when
// there is no file there, creates an ed25519 key in OpenSSH format with mode
// 0600 so that clients see the same host key on every start. Like sshd it
// refuses a key file that others may read.
func LoadOrCreateHostKey(path string) (signer gossh.Signer, created bool, err error) {
	signer, err = loadHostKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return signer, false, err
	}
	if err := createHostKey(path); err != nil {
		return nil, false, err
	}
	signer, err = loadHostKey(path)
	return signer, err == nil, err
}

func loadHostKey(path string) (gossh.Signer, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("host key %s is not a regular file", path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("host key %s may be read by others (mode %04o): chmod 600 it", path, perm)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the host key: %w", err)
	}
	signer, err := gossh.ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	return signer, nil
}

// createHostKey writes a new key next to path and links it into place, so a
// crash never leaves a half-written key and two servers starting at once
// never overwrite each other's.
func createHostKey(path string) error {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	block, err := gossh.MarshalPrivateKey(priv, "apitoken console host key")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".hostkey-*")
	if err != nil {
		return fmt.Errorf("creating the host key: %w", err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file 0600 already; say so for the reader.
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(pem.EncodeToMemory(block)); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the host key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("creating the host key: %w", err)
	}
	return nil
}
