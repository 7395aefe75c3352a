package console

import (
	"os"
	"syscall"
)

// sameChangeTime reports whether a and b have the same inode change time:
// a rewrite in place with the size and mtime restored still changes it.
func sameChangeTime(a, b os.FileInfo) bool {
	sa, ok1 := a.Sys().(*syscall.Stat_t)
	sb, ok2 := b.Sys().(*syscall.Stat_t)
	return ok1 && ok2 && sa.Ctimespec == sb.Ctimespec
}
