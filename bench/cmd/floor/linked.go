//go:build linked

package main

import (
	"os"

	"github.com/softwareone/apitoken/internal/cli"
)

// Built with -tags linked, the floor carries all of apitoken (its command
// tree and everything it imports) without running any of it: it measures
// what merely linking those packages costs before a first frame (their
// init functions, the larger binary). The call is never made; it only
// keeps the linker from dropping the code.
func init() {
	if os.Getenv("APITOKEN_FLOOR_RUN_APITOKEN") == "never" {
		os.Exit(cli.Main("floor"))
	}
}
