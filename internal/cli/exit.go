package cli

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/textsafe"
)

// Exit codes, the one table of them. Scripts rely on these numbers: they
// are listed in the root help and in the README.
const (
	ExitOK      = 0   // done
	ExitError   = 1   // the API or the system failed
	ExitUsage   = 2   // bad flags or input: nothing was sent
	ExitUnknown = 3   // a create's outcome is unknown, or it was created but its value lost
	ExitCancel  = 130 // the user cancelled (Ctrl+C, "n", a signal): nothing more was changed
)

// exitCodesHelp is the table as the help prints it.
const exitCodesHelp = `Exit codes:
  0    done
  1    failed: the API or the system reported an error
  2    bad flags or input: nothing was sent
  3    outcome unknown, or created but the value was lost: look before retrying
  130  cancelled (Ctrl+C, "n", a signal): nothing more was changed`

// usageError is bad input: a clear message, exit code 2, nothing sent.
type usageError struct {
	msg     string
	command string // "apitoken create", for the hint; set by the command runner
}

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitError ends a command with a code after the command has explained
// itself on stderr (err nil) or with err to print.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// errCancelled is a cancel the user asked for; its message is printed.
var errCancelled = &exitError{code: ExitCancel, err: errors.New("cancelled: nothing was created")}

// exitCode maps an error to the process's exit status.
func exitCode(err error) int {
	var usage *usageError
	var exit *exitError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &exit):
		return exit.code
	case errors.As(err, &usage):
		return ExitUsage
	case errors.Is(err, apiclient.ErrOutcomeUnknown):
		return ExitUnknown
	}
	return ExitError
}

// printError explains err on w as plain, inert lines.
func printError(w io.Writer, err error) {
	var usage *usageError
	var exit *exitError
	var apiErr *apiclient.Error
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.err == nil:
		// Already explained by the command.
	case errors.As(err, &usage):
		// Each line is made inert on its own, so that a message of several
		// lines (the suggestions for a mistyped command) keeps them.
		lines := strings.Split(usage.msg, "\n")
		fmt.Fprintf(w, "apitoken: %s\n", sanitizeLine(lines[0]))
		for _, l := range lines[1:] {
			fmt.Fprintln(w, sanitizeLine(l))
		}
		if usage.command != "" {
			fmt.Fprintf(w, "Run %q for usage.\n", usage.command+" --help")
		}
	case errors.As(err, &apiErr):
		// The fields follow, a line each: the headline does not name them.
		fmt.Fprintf(w, "apitoken: %s\n", sanitizeLine(apiErr.Headline()))
		if fields := apiErr.FieldErrors(); len(fields) > 0 {
			for _, field := range slices.Sorted(maps.Keys(fields)) {
				for _, m := range fields[field] {
					fmt.Fprintf(w, "  %s: %s\n", sanitizeLine(field), sanitizeLine(m))
				}
			}
		}
		if apiErr.Problem.TraceID != "" && !strings.Contains(apiErr.Message(), apiErr.Problem.TraceID) {
			fmt.Fprintf(w, "  trace id: %s\n", sanitizeLine(apiErr.Problem.TraceID))
		}
	default:
		fmt.Fprintf(w, "apitoken: %s\n", sanitizeLine(err.Error()))
	}
}

// sanitizeLine makes text from the server or the user safe to print.
func sanitizeLine(s string) string { return textsafe.Line(s, 2000) }
