package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// long bounds the runs below only so a broken harness fails instead of
// hanging; no result depends on it.
const long = 2 * time.Minute

func TestDrewAllNeedsEveryMarkerAcrossEscapes(t *testing.T) {
	frame := "\x1b]2;apitoken · Add API token\a\x1b[?1049h\x1b[1mapi\x1b[0mtoken  \x1b[32m● Gen\x1b[meral"
	if !drewAll(frame, apitokenMarkers) {
		t.Errorf("header not recognised in %q", frame)
	}
	// The name alone, in an error or the window title, is not the frame.
	for _, s := range []string{"apitoken: the wizard needs a terminal", "\x1b]2;apitoken General\a"} {
		if drewAll(s, apitokenMarkers) {
			t.Errorf("%q taken for the first frame", s)
		}
	}
}

func TestStartProgramWaitsForTheMarkers(t *testing.T) {
	// Something else is printed first; the run ends at the markers.
	sh := `printf 'apitoken: starting\r\n'; sleep 0.2; printf '\033[1mapitoken\033[0m  General'; exec sleep 60`
	r, err := startProgram([]string{"/bin/sh", "-c", sh}, apitokenMarkers, true, 0, long)
	if err != nil {
		t.Fatal(err)
	}
	if r.firstFrame < 200*time.Millisecond { // the header comes after the sleep
		t.Errorf("first frame after %v, before the header was printed", r.firstFrame)
	}
}

func TestStartProgramFailsAtOnceWhenTheProgramEnds(t *testing.T) {
	sh := `printf 'apitoken: unknown command\r\n'; exit 2`
	_, err := startProgram([]string{"/bin/sh", "-c", sh}, apitokenMarkers, true, 0, long)
	if err == nil || !strings.Contains(err.Error(), "ended without drawing") || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("error %v, want one saying it ended, with its output", err)
	}
}

// The floor draws the line perf waits for, in a pty like the benchmark's.
func TestFloorDrawsItsMarker(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "floor")
	if out, err := exec.Command("go", "build", "-o", bin, "../floor").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	r, err := startProgram([]string{bin}, floorMarkers, true, 0, long)
	if err != nil {
		t.Fatal(err)
	}
	if r.firstFrame <= 0 || r.maxRSS <= 0 {
		t.Fatalf("run %+v", r)
	}
}

func TestPairedRatioPairsRounds(t *testing.T) {
	runs := func(ms ...int) []startRun {
		rs := make([]startRun, len(ms))
		for i, m := range ms {
			rs[i].firstFrame = time.Duration(m) * time.Millisecond
		}
		return rs
	}
	// A slow round slows both; the paired ratio stays 1.1 where the ratio
	// of the medians (11/30) would not.
	a, b := runs(11, 110, 22), runs(10, 100, 20)
	if r := pairedRatio(a, b); r < 1.0999 || r > 1.1001 {
		t.Errorf("paired ratio %v, want 1.1", r)
	}
}

func TestStartupRowsRatiosAgainstTheirTargets(t *testing.T) {
	run := func(ms int, mb int64) []startRun {
		return []startRun{{firstFrame: time.Duration(ms) * time.Millisecond, maxRSS: mb << 20}}
	}
	rows := startupRows(run(11, 20), run(10, 8), run(44, 30), "v0", 1)
	checks := []struct {
		prefix string
		ratio  float64
	}{
		{"Start to first frame ÷ the floor's", 11.0 / 10 / 1.1},
		{"Start to first frame ÷ `gum input` v0's", 11.0 / 44 / 0.35},
		{"Start to first frame next to", 11.0 / 44},
		{"Peak RSS", 20.0 / 25},
	}
	for _, c := range checks {
		var got *row
		for i := range rows {
			if strings.HasPrefix(rows[i].figure, c.prefix) {
				got = &rows[i]
			}
		}
		if got == nil {
			t.Errorf("no row %q in %v", c.prefix, rows)
			continue
		}
		if d := got.ratio - c.ratio; d > 1e-9 || d < -1e-9 {
			t.Errorf("%s: ratio %v, want %v", got.figure, got.ratio, c.ratio)
		}
	}
}

// TestLinkedRowsSplitTheGap: apitoken's distance to the floor is split
// into what linking costs (linked ÷ floor) and what apitoken does (apitoken
// ÷ linked).
func TestLinkedRowsSplitTheGap(t *testing.T) {
	run := func(ms int) []startRun { return []startRun{{firstFrame: time.Duration(ms) * time.Millisecond}} }
	rows := linkedRows(run(12), run(11), run(10))
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	for i, want := range []string{"1.10× (11.0 / 10.0 ms; per round 1.10×)", "1.09× (12.0 / 11.0 ms; per round 1.09×)"} {
		if rows[i].measured != want {
			t.Errorf("row %q: %q, want %q", rows[i].figure, rows[i].measured, want)
		}
	}
}
