package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"

	"github.com/softwareone/apitoken/internal/syncbuf"
)

// Terminal size of the start-up runs.
const (
	ptyCols = 100
	ptyRows = 30
)

// startRun is one start of a program in a pty.
type startRun struct {
	firstByte  time.Duration // from exec until the program's first output
	firstFrame time.Duration // from exec until every marker is on the pty
	maxRSS     int64         // peak resident set, bytes (wait4 rusage)
}

// startProgram runs argv in a fresh 100×30 pty with a clean environment,
// waits until every one of markers is in what it drew (escape sequences
// removed), lets it settle, kills it and reports the time to the markers
// and its peak RSS. The first frame is recognised by what it shows, so a
// program that prints something else first (an error, a usage text) is
// not mistaken for one that started; one that exits before drawing them
// is an error at once, with what it printed. With answer, the terminal
// queries it sends are answered as xterm would (see terminal); without,
// they go unanswered.
func startProgram(argv []string, markers []string, answer bool, settle, timeout time.Duration) (startRun, error) {
	home, err := os.MkdirTemp("", "perf-home-")
	if err != nil {
		return startRun{}, err
	}
	defer os.RemoveAll(home)

	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = home
	cmd.Env = []string{
		"TERM=xterm-256color",
		"HOME=" + home,
		"PATH=/usr/bin:/bin",
		"LANG=C.UTF-8",
	}
	start := time.Now()
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: ptyCols, Rows: ptyRows})
	if err != nil {
		return startRun{}, err
	}
	defer ptmx.Close()

	found := make(chan time.Duration, 1)
	var firstByte time.Duration // written by the reader, read after readDone
	readDone := make(chan struct{})
	var out syncbuf.Buffer
	go func() {
		defer close(readDone)
		buf := make([]byte, 32<<10)
		seen := false
		var term terminal
		for {
			n, err := ptmx.Read(buf)
			if n > 0 {
				if firstByte == 0 {
					firstByte = time.Since(start)
				}
				out.Write(buf[:n])
				if answer {
					if reply := term.feed(buf[:n]); reply != "" {
						_, _ = io.WriteString(ptmx, reply)
					}
				}
				if !seen && drewAll(out.String(), markers) {
					seen = true
					found <- time.Since(start)
				}
			}
			if err != nil { // the program ended and closed the pty
				return
			}
		}
	}()

	var run startRun
	var runErr error
	notDrawn := func(why string) error {
		return fmt.Errorf("%s: %s without drawing %q; it drew:\n%s", argv[0], why, markers, tail(ansi.Strip(out.String()), 400))
	}
	select {
	case d := <-found:
		run.firstFrame = d
		time.Sleep(settle)
	case <-readDone:
		select {
		case d := <-found: // drew its frame and ended
			run.firstFrame = d
		default:
			runErr = notDrawn("ended")
		}
	case <-time.After(timeout):
		runErr = notDrawn("ran " + timeout.String())
	}
	_ = cmd.Process.Kill()
	waitErr := cmd.Wait()
	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) {
		return startRun{}, waitErr
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		run.maxRSS = ru.Maxrss * 1024 // kilobytes on Linux
	}
	_ = ptmx.Close()
	<-readDone
	run.firstByte = firstByte
	return run, runErr
}

// drewAll reports whether the terminal output, escape sequences removed,
// holds every marker.
func drewAll(output string, markers []string) bool {
	text := ansi.Strip(output)
	for _, m := range markers {
		if !strings.Contains(text, m) {
			return false
		}
	}
	return true
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// terminal answers the queries a program sends at start, as xterm with a
// dark background does: the background and foreground colours (OSC 11 and
// OSC 10), the cursor position (DSR 6), the device attributes (DA1). Charm
// programs built on termenv (gum) wait up to 5 s for these answers; a real
// terminal gives them at once.
type terminal struct {
	carry []byte // the end of the output so far, for a query split across reads
}

var queries = []struct{ ask, reply string }{
	{"\x1b]11;?\x1b\\", "\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\"},
	{"\x1b]11;?\a", "\x1b]11;rgb:1c1c/1c1c/1c1c\a"},
	{"\x1b]10;?\x1b\\", "\x1b]10;rgb:d0d0/d0d0/d0d0\x1b\\"},
	{"\x1b]10;?\a", "\x1b]10;rgb:d0d0/d0d0/d0d0\a"},
	{"\x1b[6n", "\x1b[1;1R"},
	{"\x1b[c", "\x1b[?62;22c"},
	{"\x1b[0c", "\x1b[?62;22c"},
}

// maxQuery is longer than every query.
const maxQuery = 16

// feed takes the next output of the program and returns the replies to the
// queries in it.
func (t *terminal) feed(p []byte) string {
	data := append(t.carry, p...)
	old := len(t.carry)
	var reply strings.Builder
	for _, q := range queries {
		for i := 0; ; {
			j := strings.Index(string(data[i:]), q.ask)
			if j < 0 {
				break
			}
			if end := i + j + len(q.ask); end > old { // not answered with an earlier read
				reply.WriteString(q.reply)
			}
			i += j + 1
		}
	}
	t.carry = append(t.carry[:0], data[max(len(data)-maxQuery, 0):]...)
	return reply.String()
}

// starter is a program of the start-up comparison and how its first frame
// is recognised.
type starter struct {
	name    string
	argv    []string
	markers []string // all on the terminal: the first frame is drawn
}

// Markers of the first frames. apitoken's is its header: the name and the
// first step. The floor's is its one line (bench/cmd/floor).
var (
	apitokenMarkers = []string{"apitoken", "General"}
	floorMarkers    = []string{"floor: one line of Bubble Tea"}
)

// gumPlaceholder is what `gum input` is asked to show.
const gumPlaceholder = "benchplaceholder"

// measureStartup starts each program once per round, for runs rounds, in
// an order that rotates from round to round, so that the load of the
// machine falls on all of them alike. The result holds, per program, its
// runs in round order: the i-th runs of two programs were made side by
// side.
func measureStartup(ctx context.Context, progs []starter, runs int, answer bool, log io.Writer) ([][]startRun, error) {
	res := make([][]startRun, len(progs))
	for i := range runs {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		for j := range progs {
			k := (i + j) % len(progs) // rotate which one goes first
			p := progs[k]
			r, err := startProgram(p.argv, p.markers, answer, 150*time.Millisecond, 10*time.Second)
			if err != nil {
				return res, err
			}
			res[k] = append(res[k], r)
		}
		if log != nil && (i+1)%10 == 0 {
			fmt.Fprintf(log, "  start-up: %d/%d rounds\n", i+1, runs)
		}
	}
	return res, nil
}

// pairedRatio is the median over the rounds of a's first frame over b's
// in the same round: machine noise that lasts a round cancels out.
func pairedRatio(a, b []startRun) float64 {
	rs := make([]float64, 0, len(a))
	for i := range min(len(a), len(b)) {
		if b[i].firstFrame > 0 {
			rs = append(rs, float64(a[i].firstFrame)/float64(b[i].firstFrame))
		}
	}
	return medianFloat(rs)
}

func firstFrames(rs []startRun) []time.Duration {
	out := make([]time.Duration, len(rs))
	for i, r := range rs {
		out[i] = r.firstFrame
	}
	return out
}

func firstBytes(rs []startRun) []time.Duration {
	out := make([]time.Duration, len(rs))
	for i, r := range rs {
		out[i] = r.firstByte
	}
	return out
}

func rssOf(rs []startRun) []int64 {
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.maxRSS
	}
	return out
}
