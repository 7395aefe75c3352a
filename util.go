package main

import (
	"io"
	"log"

	"github.com/softwareone/apitoken/internal/textsafe"
)

// sanitizeLine makes text from the server or the user safe to print.
func sanitizeLine(s string) string { return textsafe.Line(s, 2000) }

// discardLog silences net/http's own error log: its lines carry nothing a
// user can act on and would draw over the wizard.
func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }
