// Command apitoken creates API tokens on the SoftwareOne Marketplace
// Platform: an interactive wizard that mirrors the portal's "Add API token"
// flow, a non-interactive create, the built-in API sandbox, and an SSH
// console that serves the wizard to a team. The commands live in
// internal/cli.
package main

import (
	"os"
	"runtime/debug"

	"github.com/softwareone/apitoken/internal/cli"
)

// version is set at build time with -ldflags "-X main.version=…"; a plain
// build reports the module version or "dev".
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}

func main() { os.Exit(cli.Main(buildVersion())) }
