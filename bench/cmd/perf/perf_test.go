package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseGoBench(t *testing.T) {
	out := map[string]*goBench{}
	parseGoBench(strings.NewReader(`goos: linux
BenchmarkWizardView-2   	    2000	    299727 ns/op	      3773 frame-bytes	   44738 B/op	     550 allocs/op
BenchmarkWizardView-2   	    2000	    300000 ns/op	      3773 frame-bytes	   44738 B/op	     552 allocs/op
BenchmarkWizardView-2   	    2000	    400000 ns/op	      3773 frame-bytes	   44738 B/op	     554 allocs/op
BenchmarkSessionHeap-2   	       1	 397910354 ns/op	   1351178 heap-B/session	        20.00 sessions
PASS
`), out)
	v := out["BenchmarkWizardView"]
	if v == nil || v.median() != 300*time.Microsecond || v.allocs() != 552 || v.metric("frame-bytes") != 3773 {
		t.Fatalf("WizardView: %+v", v)
	}
	if h := out["BenchmarkSessionHeap"]; h == nil || h.metric("heap-B/session") != 1351178 || h.metric("sessions") != 20 {
		t.Fatalf("SessionHeap: %+v", h)
	}
}

func TestTerminalAnswersQueriesSplitAcrossReads(t *testing.T) {
	var term terminal
	got := term.feed([]byte("frame\x1b]11;")) + term.feed([]byte("?\x07more\x1b[6n")) + term.feed([]byte("\x1b[6n"))
	want := "\x1b]11;rgb:1c1c/1c1c/1c1c\a" + "\x1b[1;1R" + "\x1b[1;1R"
	if got != want {
		t.Fatalf("replies %q, want %q", got, want)
	}
	if again := term.feed([]byte("plain")); again != "" {
		t.Fatalf("answered again: %q", again)
	}
}

func TestQuantile(t *testing.T) {
	ds := []time.Duration{5, 1, 4, 2, 3}
	if m := median(ds); m != 3 {
		t.Errorf("median %v", m)
	}
	if m := median([]time.Duration{1, 2, 3, 4}); m != 2 { // (2+3)/2 in integer nanoseconds
		t.Errorf("even median %v", m)
	}
	if q := quantile(ds, 0.95); q != 5 {
		t.Errorf("p95 %v", q)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{7: "7", 999: "999", 1000: "1 000", 10000: "10 000", 1234567: "1 234 567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
