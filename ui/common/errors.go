package common

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/textsafe"
)

// ErrorText is the message to show for an error: the API's actionable
// message when there is one, made safe to draw.
func ErrorText(err error) string {
	if apiErr, ok := errors.AsType[*apiclient.Error](err); ok {
		return textsafe.Line(apiErr.Message(), 300)
	}
	return textsafe.Line(err.Error(), 300)
}

// TraceOf returns the trace id of an API error, for quoting to support,
// unless ErrorText already quotes it.
func TraceOf(err error) string {
	if apiErr, ok := errors.AsType[*apiclient.Error](err); ok {
		trace := textsafe.Line(apiErr.Problem.TraceID, 64)
		if !strings.Contains(ErrorText(err), trace) {
			return trace
		}
	}
	return ""
}

// ExpandHome turns a leading "~/" into the user's home directory, as a
// shell would have.
func ExpandHome(path string) string {
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return path
}
