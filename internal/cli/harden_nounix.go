//go:build !unix

package cli

// hardenProcess has nothing to set where there is no core-dump limit.
func hardenProcess() {}
