// Command apitoken creates API tokens on the SoftwareOne Marketplace
// Platform: an interactive wizard that mirrors the portal's "Add API token"
// flow, a non-interactive create, the built-in API sandbox, and an SSH
// console that serves the wizard to a team.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
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

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], newEnv(os.Stdin, os.Stdout, os.Stderr)))
}

// env is what a command may touch of the outside world, so tests can run
// commands in-process with their own streams and variables.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	lookup         func(string) (string, bool)
}

func newEnv(stdin io.Reader, stdout, stderr io.Writer) *env {
	return &env{stdin: stdin, stdout: stdout, stderr: stderr, lookup: os.LookupEnv}
}

func (e *env) getenv(key string) string {
	v, _ := e.lookup(key)
	return v
}

// Exit codes.
const (
	exitOK      = 0
	exitError   = 1 // the API or the system failed
	exitUsage   = 2 // bad flags or input: nothing was sent
	exitUnknown = 3 // a create's outcome is unknown, or it was created but its answer lost
)

func run(ctx context.Context, args []string, e *env) int {
	if len(args) > 0 {
		switch args[0] {
		case "create":
			return runCreate(ctx, args[1:], e)
		case "sandbox":
			return runSandbox(ctx, args[1:], e)
		case "serve":
			return runServe(ctx, args[1:], e)
		case "version":
			fmt.Fprintf(e.stdout, "apitoken version %s\n", buildVersion())
			return exitOK
		case "help":
			if len(args) > 1 {
				return run(ctx, []string{args[1], "--help"}, e)
			}
			fmt.Fprint(e.stdout, rootHelp)
			return exitOK
		}
	}
	return runWizard(ctx, args, e)
}

const rootHelp = `Create API tokens for the SoftwareOne Marketplace Platform.

USAGE
  apitoken [flags]             open the wizard
  apitoken <command> [flags]

COMMANDS
  create      Create a token without the wizard
  sandbox     Run the built-in Marketplace API sandbox as a server
  serve       Serve the wizard over SSH to a team
  version     Print the version

FLAGS
  --account ID        Account to create the token for (ACC-####-####)
  --base-url URL      Marketplace API base URL (overrides MPT_API_BASE_URL)
  --token-file PATH   Read the API credential from a file, "-" for stdin
                      (overrides MPT_API_TOKEN; keeps it out of argv)
  --sandbox           Use the built-in sandbox even if a credential is set
  --fixtures FILE     Seed the sandbox from a JSON fixture file
  --accessible        Plain prompts for screen readers instead of the full-screen wizard
  -h, --help          Show help
  --version           Show the version

ENVIRONMENT
  MPT_API_BASE_URL    API base URL (default https://api.platform.softwareone.com)
  MPT_API_TOKEN       API credential. Without one, apitoken runs on the sandbox.
  MPT_ACCOUNT_ID      Default account
  NO_COLOR            Draw without colours

EXAMPLES
  $ apitoken
  $ apitoken create --account ACC-1000-0001 --name "CI deploys" --module MOD-1001
  $ apitoken sandbox --listen 127.0.0.1:8080
  $ apitoken serve --listen 127.0.0.1:23234 --authorized-keys ~/.ssh/authorized_keys

LEARN MORE
  Use "apitoken <command> --help" for more about a command.
`
