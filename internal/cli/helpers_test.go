package cli

import (
	"strings"

	"github.com/softwareone/apitoken/internal/syncbuf"
)

// testFactory runs commands in-process with an empty stdin, captured
// output and only the given variables (no credential: the sandbox).
func testFactory(vars map[string]string) (*Factory, *syncbuf.Buffer, *syncbuf.Buffer) {
	out, errOut := &syncbuf.Buffer{}, &syncbuf.Buffer{}
	f := &Factory{
		IO:        IOStreams{In: strings.NewReader(""), Out: out, ErrOut: errOut},
		LookupEnv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
		Version:   "1.2.3-test",
	}
	return f, out, errOut
}
