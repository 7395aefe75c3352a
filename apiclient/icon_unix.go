//go:build unix

package apiclient

import "syscall"

// openNonblock keeps open(2) of a FIFO from blocking.
const openNonblock = syscall.O_NONBLOCK
