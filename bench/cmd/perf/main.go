// Command perf measures apitoken's performance figures on this machine and
// prints them as one table: figure, target, measured, ratio
// (measured/target; below 1 is good). bench/run builds what it needs and
// calls it; see README.md, "Performance".
//
//	perf -apitoken BIN -floor BIN -gum BIN -gotest FILE… [-only startup,fetch,ssh,model]
//
// Start-up runs the built binary, the floor (bench/cmd/floor: a minimal
// Bubble Tea v2 program drawing one line) and `gum input` in a 100×30 pty,
// in rounds, one start of each per round; the fetch runs an in-process sandbox on loopback; the SSH
// load starts `apitoken serve` and connects with golang.org/x/crypto/ssh
// clients. Everything listens on loopback only and every process started
// is ended before perf returns. Times are medians over many runs, and
// comparisons are made within one run, on the same machine.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

type options struct {
	apitoken, floor, gum   string
	floorLinked            string // the floor built with -tags linked, or ""
	baseline               string // an earlier apitoken build to compare with, or ""
	gumVersion             string
	goTest                 []string
	only                   map[string]bool
	startupRuns, fetchRuns int
	ssh                    sshConfig
	out                    string
}

func main() {
	var o options
	var only, goTest string
	flag.StringVar(&o.apitoken, "apitoken", "", "the built apitoken binary")
	flag.StringVar(&o.floor, "floor", "", "the built bench/cmd/floor, the least a Bubble Tea v2 program does")
	flag.StringVar(&o.floorLinked, "floor-linked", "", "the floor built with -tags linked: linking all of apitoken, running none of it")
	flag.StringVar(&o.gum, "gum", "", "the gum binary to compare the start-up with")
	flag.StringVar(&o.baseline, "baseline", "", "an earlier apitoken build, started in the same rounds, to compare a change with")
	flag.StringVar(&o.gumVersion, "gum-version", "", "gum's version, for the table")
	flag.StringVar(&goTest, "gotest", "", "comma-separated files of `go test -bench -benchmem` output")
	flag.StringVar(&only, "only", "startup,fetch,ssh,model", "comma-separated sections to run")
	flag.IntVar(&o.startupRuns, "startup-runs", 30, "start-up rounds (one start of each program per round)")
	flag.IntVar(&o.fetchRuns, "fetch-runs", 15, "module fetches with and without latency")
	flag.IntVar(&o.ssh.sessions, "ssh-sessions", 500, "concurrent SSH sessions")
	flag.IntVar(&o.ssh.keystrokes, "ssh-keystrokes", 15, "filter keystrokes timed per SSH session and typing phase")
	flag.DurationVar(&o.ssh.ramp, "ssh-ramp", 5*time.Second, "time over which the SSH sessions connect")
	flag.IntVar(&o.ssh.perAddress, "ssh-per-address", 10, "SSH sessions per loopback source address")
	flag.DurationVar(&o.ssh.timeout, "ssh-timeout", 2*time.Minute, "bound of the SSH load")
	flag.DurationVar(&o.ssh.hold, "ssh-hold", 0, "keep the SSH sessions open and idle this long before timing keystrokes (to profile the server)")
	flag.StringVar(&o.ssh.page, "ssh-page", "tokens", "page the SSH sessions type on: tokens (`ssh host`) or wizard (`ssh host add`)")
	flag.BoolVar(&o.ssh.apart, "ssh-sandbox-apart", true, "run the sandbox as its own process, so the server's figures are the console's alone")
	flag.StringVar(&o.out, "out", "", "also write the table to this file")
	flag.Func("ssh-server-env", "`KEY=VALUE` added to the environment of apitoken serve (repeatable), e.g. for an instrumented build", func(s string) error {
		o.ssh.serverEnv = append(o.ssh.serverEnv, s)
		return nil
	})
	flag.Parse()
	o.only = map[string]bool{}
	for s := range strings.SplitSeq(only, ",") {
		o.only[strings.TrimSpace(s)] = true
	}
	if goTest != "" {
		o.goTest = strings.Split(goTest, ",")
	}
	// The programs are started in a fresh home directory: a relative path
	// would name nothing there.
	for _, p := range []*string{&o.apitoken, &o.floor, &o.floorLinked, &o.gum, &o.baseline} {
		if strings.ContainsRune(*p, filepath.Separator) {
			if abs, err := filepath.Abs(*p); err == nil {
				*p = abs
			}
		}
	}
	o.ssh.bin = o.apitoken
	// On SIGINT or SIGTERM, stop measuring and end what was started.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "perf:", err)
		os.Exit(1)
	}
}

// row is a line of the table.
type row struct {
	figure, target, measured string
	ratio                    float64 // measured/target; 0: none
}

func ratioText(r float64) string {
	if r == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", r)
}

func run(ctx context.Context, o options) error {
	log := os.Stderr
	var rows, sshRows []row
	var notes []string

	if o.only["startup"] {
		if o.apitoken == "" || o.floor == "" || o.gum == "" {
			return fmt.Errorf("startup needs -apitoken, -floor and -gum")
		}
		progs := []starter{
			{"apitoken", []string{o.apitoken}, apitokenMarkers},
			{"floor", []string{o.floor}, floorMarkers},
			{"gum", []string{o.gum, "input", "--placeholder", gumPlaceholder}, []string{gumPlaceholder}},
		}
		what := "apitoken, the floor and gum input"
		linked, baseline := -1, -1
		if o.floorLinked != "" {
			linked = len(progs)
			progs = append(progs, starter{"floor-linked", []string{o.floorLinked}, floorMarkers})
			what += ", the linked floor"
		}
		if o.baseline != "" {
			baseline = len(progs)
			progs = append(progs, starter{"baseline", []string{o.baseline}, apitokenMarkers})
			what += " and the baseline build"
		}
		fmt.Fprintf(log, "start-up: %d rounds of %s, in turn\n", o.startupRuns, what)
		res, err := measureStartup(ctx, progs, o.startupRuns, true, log)
		if err != nil {
			return err
		}
		rows = append(rows, startupRows(res[0], res[1], res[2], o.gumVersion, o.startupRuns)...)
		if linked >= 0 {
			rows = append(rows, linkedRows(res[0], res[linked], res[1])...)
		}
		if baseline >= 0 {
			rows = append(rows, baselineRows(res[0], res[baseline], res[1], res[2])...)
		}
		notes = append(notes, fmt.Sprintf("Start-up, first output byte (a terminal query or the first frame; what comes before it is exec and Go's init), medians: apitoken %.1f ms, floor %.1f ms, gum %.1f ms.",
			ms(median(firstBytes(res[0]))), ms(median(firstBytes(res[1]))), ms(median(firstBytes(res[2])))))
	}

	if o.only["model"] {
		if len(o.goTest) == 0 {
			return fmt.Errorf("model needs -gotest")
		}
		benches, err := readGoBench(o.goTest...)
		if err != nil {
			return err
		}
		for _, b := range []struct{ name, figure string }{
			{"BenchmarkWizardFilterKeystroke", "Modules, 10 000 modules: filter keystroke, Update+View (root model)"},
			{"BenchmarkWizardFilterFirstLetter", "Modules, 10 000 modules: first filter letter (scans all), Update+View"},
			{"BenchmarkWizardCursorDown", "Modules, 10 000 modules: cursor move, Update+View"},
		} {
			gb := benches[b.name]
			if gb == nil || len(gb.nsPerOp) == 0 {
				notes = append(notes, b.name+": no result in the go test output")
				continue
			}
			d := gb.median()
			rows = append(rows, row{b.figure, "≤ 1 ms",
				fmt.Sprintf("%.3f ms, %.0f allocs, %.0f kB, frame %.1f kB", ms(d), gb.allocs(), gb.bytes()/1024, gb.metric("frame-bytes")/1024),
				ms(d) / 1}) // the target is 1 ms
		}
		var detail []string
		for _, name := range []string{"BenchmarkModulesFilterKeystroke", "BenchmarkModulesFilterFirstLetter", "BenchmarkModulesCursorDown", "BenchmarkModulesView", "BenchmarkWizardView", "BenchmarkWizardNew"} {
			if gb := benches[name]; gb != nil && len(gb.nsPerOp) > 0 {
				detail = append(detail, fmt.Sprintf("%s %.3f ms %.0f allocs", strings.TrimPrefix(name, "Benchmark"), ms(gb.median()), gb.allocs()))
			}
		}
		if len(detail) > 0 {
			notes = append(notes, "Model benchmarks (medians): "+strings.Join(detail, "; ")+".")
		}
		for _, h := range []struct{ name, where string }{
			{"BenchmarkSessionHeap/tokens", "the API tokens page"},
			{"BenchmarkSessionHeap/wizard", "Modules (`ssh host add`)"},
		} {
			if gb := benches[h.name]; gb != nil {
				if per := gb.metric("heap-B/session"); per > 0 {
					sshRows = append(sshRows, row{fmt.Sprintf("SSH console: live heap per session on %s (Go benchmark, %.0f sessions in-process; includes their SSH clients)", h.where, gb.metric("sessions")),
						"≤ 2 MB", fmt.Sprintf("%.2f MB", per/(1<<20)), per / (1 << 20) / 2})
				}
			}
		}
	}

	if o.only["fetch"] {
		fmt.Fprintf(log, "fetch: %d runs with 20 ms per request and without, alternately\n", o.fetchRuns)
		ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
		res, err := measureFetch(ctx, o.fetchRuns, 20*time.Millisecond, log)
		cancel()
		if err != nil {
			return err
		}
		rows = append(rows, row{
			fmt.Sprintf("Module fetch, %s modules, +%s per request, loopback (median of %d)", thousands(res.modules), res.latency, res.runs),
			fmt.Sprintf("≤ 2×RTT + transfer = %.0f ms", ms(res.budget())),
			fmt.Sprintf("%.0f ms (RTT %.1f, transfer %.0f)", ms(res.total), ms(res.rtt), ms(res.transfer)),
			float64(res.total) / float64(res.budget()),
		})
	}

	if o.only["ssh"] {
		if o.apitoken == "" {
			return fmt.Errorf("ssh needs -apitoken")
		}
		fmt.Fprintf(log, "ssh: %d sessions, %d keystrokes each\n", o.ssh.sessions, o.ssh.keystrokes)
		res, err := measureSSH(ctx, o.ssh, log)
		if err != nil {
			return err
		}
		n := res.sessions
		rows = append(rows,
			row{fmt.Sprintf("SSH console: %d sessions at once (limit %d), refused", n, res.maxSessions), "0",
				fmt.Sprintf("%d (%d on %s)", res.refused, res.ready, res.where), 0},
			row{fmt.Sprintf("SSH console: server memory per session on %s (VmRSS; the server exposes no heap figure)", res.where), "≤ 2 MB",
				fmt.Sprintf("%.2f MB (%.0f → %.0f MB; idle before typing %.2f MB)", mb(res.perSession()), mb(res.rssBase), mb(res.rssFull), mb(res.perSessionIdle())), mb(res.perSession()) / 2},
		)
		for _, ph := range res.phases {
			rows = append(rows, row{fmt.Sprintf("SSH console: keystroke echo on %s, %d sessions %s (median of %d)", res.where, res.ready, ph.name, len(ph.echoes)), "≤ 50 ms",
				fmt.Sprintf("%.1f ms (p95 %.1f, %d lost)", ms(median(ph.echoes)), ms(quantile(ph.echoes, 0.95)), ph.lost), ms(median(ph.echoes)) / 50})
			if w := ph.window.Seconds(); w > 0 {
				keys := float64(ph.keys())
				notes = append(notes, fmt.Sprintf("SSH %s: %.0f keystrokes/s over %.1f s; server CPU %.0f%% of a core (%.2f ms per keystroke), load clients (this process, same machine) %.0f%%.",
					ph.name, keys/w, w, 100*ph.serverCPU.Seconds()/w, 1000*ph.serverCPU.Seconds()/max(keys, 1), 100*ph.clientCPU.Seconds()/w))
			}
		}
		notes = append(notes, fmt.Sprintf("SSH: connect to first frame median %.0f ms (p95 %.0f), to %s median %.0f ms; clients from %d loopback addresses, %d a second; server CPU with %d idle sessions: %.0f%% of a core.",
			ms(median(res.firstFrame)), ms(quantile(res.firstFrame, 0.95)), res.where, ms(median(res.toReady)), res.addresses,
			int(float64(n)/o.ssh.ramp.Seconds()), res.ready, 100*res.cpuIdle.Seconds()/res.idleWindow.Seconds()))
		if len(res.refusals) > 0 || res.auditRefusals > 0 {
			notes = append(notes, fmt.Sprintf("SSH refusals: %v; refusals in the audit log: %d.", res.refusals, res.auditRefusals))
		}
	}

	rows = append(rows, sshRows...)
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s on %d cores (%s, %s/%s).\n\n", time.Now().UTC().Format("2006-01-02"), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	writeTable(&b, rows)
	for _, n := range notes {
		fmt.Fprintf(&b, "\n%s\n", n)
	}
	fmt.Print(b.String())
	if o.out != "" {
		return os.WriteFile(o.out, []byte(b.String()), 0o644)
	}
	return nil
}

// Targets of start-up next to the floor and gum, as multiples of theirs.
const (
	floorFactor = 1.1
	gumFactor   = 0.35
)

// startupRows are the start-up rows of the table, from runs made side by
// side (the i-th run of each in the same round).
func startupRows(a, f, g []startRun, gumVersion string, runs int) []row {
	am, fm, gm := median(firstFrames(a)), median(firstFrames(f)), median(firstFrames(g))
	aRSS, fRSS, gRSS := medianInt(rssOf(a)), medianInt(rssOf(f)), medianInt(rssOf(g))
	gumName := "`gum input`"
	if gumVersion != "" {
		gumName = "`gum input` " + gumVersion
	}
	toFloor, toGum := float64(am)/float64(fm), float64(am)/float64(gm)
	return []row{
		{fmt.Sprintf("Start to first frame (median of %d, pty %d×%d)", runs, ptyCols, ptyRows), "≤ 20 ms",
			fmt.Sprintf("%.1f ms (p90 %.1f)", ms(am), ms(quantile(firstFrames(a), 0.9))), ms(am) / 20},
		{"Start to first frame next to " + gumName + ", same run", fmt.Sprintf("≤ gum: %.1f ms", ms(gm)),
			fmt.Sprintf("%.1f ms", ms(am)), toGum},
		{"Start to first frame ÷ the floor's (minimal Bubble Tea v2, alt screen, one line), same rounds", fmt.Sprintf("≤ %.2g×", floorFactor),
			fmt.Sprintf("%.2f× (%.1f / %.1f ms; per round %.2f×)", toFloor, ms(am), ms(fm), pairedRatio(a, f)), toFloor / floorFactor},
		{"Start to first frame ÷ " + gumName + "'s, same rounds", fmt.Sprintf("≤ %.2g×", gumFactor),
			fmt.Sprintf("%.2f× (%.1f / %.1f ms; per round %.2f×)", toGum, ms(am), ms(gm), pairedRatio(a, g)), toGum / gumFactor},
		{"Peak RSS, start to first frame + 150 ms", "≤ 25 MB",
			fmt.Sprintf("%.1f MB, max %.1f (floor %.1f MB, gum %.1f MB)", mb(aRSS), mb(maxInt(rssOf(a))), mb(fRSS), mb(gRSS)), mb(aRSS) / 25},
	}
}

// linkedRows split apitoken's distance to the floor (f) in two with the
// linked floor (l), the floor's one line in a binary that links all of
// apitoken: what linking those packages costs (their init, the size), and
// what apitoken does itself before its first frame.
func linkedRows(a, l, f []startRun) []row {
	am, lm, fm := median(firstFrames(a)), median(firstFrames(l)), median(firstFrames(f))
	return []row{
		{"The floor linking all of apitoken, running none of it (`-tags linked`) ÷ the floor, same rounds", "",
			fmt.Sprintf("%.2f× (%.1f / %.1f ms; per round %.2f×)", float64(lm)/float64(fm), ms(lm), ms(fm), pairedRatio(l, f)), 0},
		{"Start to first frame ÷ the linked floor's, same rounds: apitoken's own start-up", "",
			fmt.Sprintf("%.2f× (%.1f / %.1f ms; per round %.2f×)", float64(am)/float64(lm), ms(am), ms(lm), pairedRatio(a, l)), 0},
	}
}

// baselineRows compare apitoken with an earlier build of it (b), started
// in the same rounds, and give the earlier build's own ratios to the floor
// (f) and gum (g): the before and after of a change, side by side.
func baselineRows(a, b, f, g []startRun) []row {
	am, bm := median(firstFrames(a)), median(firstFrames(b))
	fm, gm := median(firstFrames(f)), median(firstFrames(g))
	return []row{
		{"Start to first frame ÷ the baseline build's, same rounds", "≤ 1×",
			fmt.Sprintf("%.2f× (%.1f / %.1f ms; per round %.2f×)", float64(am)/float64(bm), ms(am), ms(bm), pairedRatio(a, b)), float64(am) / float64(bm)},
		{"Baseline build: start to first frame ÷ the floor's, same rounds", fmt.Sprintf("≤ %.2g×", floorFactor),
			fmt.Sprintf("%.2f× (%.1f / %.1f ms; per round %.2f×)", float64(bm)/float64(fm), ms(bm), ms(fm), pairedRatio(b, f)), float64(bm) / float64(fm) / floorFactor},
		{"Baseline build: start to first frame ÷ gum's, same rounds", fmt.Sprintf("≤ %.2g×", gumFactor),
			fmt.Sprintf("%.2f× (%.1f / %.1f ms; per round %.2f×)", float64(bm)/float64(gm), ms(bm), ms(gm), pairedRatio(b, g)), float64(bm) / float64(gm) / gumFactor},
		{"Baseline build: peak RSS, start to first frame + 150 ms", "≤ 25 MB",
			fmt.Sprintf("%.1f MB, max %.1f", mb(medianInt(rssOf(b))), mb(maxInt(rssOf(b)))), mb(medianInt(rssOf(b))) / 25},
	}
}

func writeTable(w io.Writer, rows []row) {
	fmt.Fprintln(w, "| figure | target | measured | ratio |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", r.figure, r.target, r.measured, ratioText(r.ratio))
	}
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

// thousands writes n with a space between groups of three digits.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + " " + s[i:]
	}
	return s
}
