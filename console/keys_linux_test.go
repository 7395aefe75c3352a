package console

import (
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestKeysRewriteInPlace: a rewrite at the same size with the mtime put
// back is still noticed, by its change time.
func TestKeysRewriteInPlace(t *testing.T) {
	alice, bob := newSigner(t), newSigner(t)
	path := filepath.Join(t.TempDir(), "authorized_keys")
	aliceLine, bobLine := keyLine(alice, "", "someone")+"\n", keyLine(bob, "", "someone")+"\n"
	if len(aliceLine) != len(bobLine) {
		t.Fatal("the two lines differ in length")
	}
	if err := os.WriteFile(path, []byte(aliceLine), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := newKeyring(path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := k.lookup(alice.PublicKey()); !ok {
		t.Fatal("alice refused")
	}
	loaded, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	// Rewrite until the change time moves on: the kernel's clock for it
	// may be coarser than one write.
	for {
		if err := os.WriteFile(path, []byte(bobLine), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, loaded.ModTime(), loaded.ModTime()); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if !os.SameFile(st, loaded) || st.Size() != loaded.Size() || !st.ModTime().Equal(loaded.ModTime()) {
			t.Fatal("the rewrite changed the inode, size or mtime")
		}
		if st.Sys().(*syscall.Stat_t).Ctim != loaded.Sys().(*syscall.Stat_t).Ctim {
			break
		}
	}
	if _, ok := k.lookup(bob.PublicKey()); !ok {
		t.Error("the rewritten file was not re-read: bob refused")
	}
	if _, ok := k.lookup(alice.PublicKey()); ok {
		t.Error("alice still let in after a rewrite in place")
	}
}
