//go:build linux

package cli

import "golang.org/x/sys/unix"

// hardenProcess keeps the credential and any created token out of core
// dumps: no core file (RLIMIT_CORE 0) and, by PR_SET_DUMPABLE 0, no
// ptrace attach by other processes of the same user nor a core from a
// crash with GOTRACEBACK=crash. Best effort: a failure changes nothing.
func hardenProcess() {
	_ = unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0})
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
}
