//go:build !linux && !darwin

package console

import "os"

// sameChangeTime: where the change time is not read, size, mtime, mode
// and inode decide alone.
func sameChangeTime(a, b os.FileInfo) bool { return true }
