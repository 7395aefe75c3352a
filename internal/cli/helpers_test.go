package cli

import (
	"bytes"
	"strings"
	"sync"
)

// lockedBuffer is written by the command and read by the test at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// testFactory runs commands in-process with an empty stdin, captured
// output and only the given variables (no credential: the sandbox).
func testFactory(vars map[string]string) (*Factory, *lockedBuffer, *lockedBuffer) {
	out, errOut := &lockedBuffer{}, &lockedBuffer{}
	f := &Factory{
		IO:        IOStreams{In: strings.NewReader(""), Out: out, ErrOut: errOut},
		LookupEnv: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
		Version:   "1.2.3-test",
	}
	return f, out, errOut
}
