package common

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/textsafe"
)

// Problem is an error as the user is told it: what happened, in words,
// with what to do (What), and the technical detail and trace id for
// support (Detail, "" when What already says it all).
type Problem struct {
	What, Detail string
}

// Describe words err for a person. The API's own errors already say what
// happened and what to do; a failure to reach it is worded here, so that
// no raw Go error ("dial tcp …: connect: connection refused") is the
// first thing the user reads. outcome is what is known about the effect
// ("Nothing was created."), added after the words.
func Describe(err error, outcome string) Problem {
	var p Problem
	raw := textsafe.Line(err.Error(), 300)
	if apiErr, ok := errors.AsType[*apiclient.Error](err); ok {
		p.What = textsafe.Line(apiErr.Message(), 300)
		if trace := TraceOf(err); trace != "" {
			p.Detail = "trace id " + trace
		}
	} else {
		p.What, p.Detail = reachText(err), raw
	}
	if outcome != "" {
		p.What = strings.TrimSpace(p.What + " " + outcome)
	}
	return p
}

// reachText words an error that is not the API's answer.
func reachText(err error) string {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "The Marketplace API did not answer in time. Check your connection, then try again."
	case errors.As(err, &dnsErr):
		return "The Marketplace API's address could not be found. Check the base URL and your network, then try again."
	case errors.As(err, &opErr):
		return "Could not connect to the Marketplace API. Check your network (and the base URL), then try again."
	}
	if invalid, ok := errors.AsType[*apiclient.InvalidRequestError](err); ok && len(invalid.Fields) > 0 {
		return "Some fields need fixing before the request can be sent."
	}
	return "The request to the Marketplace API failed. Try again; if it keeps failing, quote the detail below to support."
}

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
