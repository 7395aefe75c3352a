//go:build unix && !linux

package cli

import "syscall"

// hardenProcess keeps the credential out of core files where only the
// resource limit is available.
func hardenProcess() {
	_ = syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{Cur: 0, Max: 0})
}
