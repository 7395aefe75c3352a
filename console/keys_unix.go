//go:build unix

package console

import (
	"os"
	"syscall"
)

// fileOwner is the uid owning the file st describes.
func fileOwner(st os.FileInfo) (uint32, bool) {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return sys.Uid, true
}

// serverUID is the user the server runs as.
func serverUID() (uint32, bool) { return uint32(os.Getuid()), true }
