//go:build linux

package cli

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestHardenProcess runs hardenProcess in a child process (it cannot be
// undone in this one) that first raises its core limit, then reads its
// own /proc/self/limits and dumpable flag.
func TestHardenProcess(t *testing.T) {
	if os.Getenv("APITOKEN_HARDEN_CHILD") == "1" {
		var lim unix.Rlimit
		if err := unix.Getrlimit(unix.RLIMIT_CORE, &lim); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		lim.Cur = lim.Max // as with ulimit -c unlimited
		_ = unix.Setrlimit(unix.RLIMIT_CORE, &lim)
		before, _ := os.ReadFile("/proc/self/limits")
		dumpBefore, _ := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
		hardenProcess()
		after, _ := os.ReadFile("/proc/self/limits")
		dumpAfter, _ := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
		fmt.Printf("before: %s\ndumpable before: %d\nafter: %s\ndumpable after: %d\n",
			coreLine(string(before)), dumpBefore, coreLine(string(after)), dumpAfter)
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHardenProcess$")
	cmd.Env = append(os.Environ(), "APITOKEN_HARDEN_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	text := string(out)
	lines := map[string]string{}
	for _, l := range strings.Split(text, "\n") {
		if k, v, ok := strings.Cut(l, ": "); ok {
			lines[k] = strings.Join(strings.Fields(v), " ")
		}
	}
	if lines["before"] == "" || lines["after"] == "" {
		t.Fatalf("no core limit line in the child's /proc/self/limits:\n%s", text)
	}
	if strings.HasPrefix(lines["before"], "Max core file size 0 0") {
		t.Fatalf("the child could not raise its core limit, so the test shows nothing:\n%s", text)
	}
	if !strings.HasPrefix(lines["after"], "Max core file size 0 0") {
		t.Errorf("after hardening: %q, want soft and hard 0", lines["after"])
	}
	if lines["dumpable before"] != "1" || lines["dumpable after"] != "0" {
		t.Errorf("dumpable before %s, after %s; want 1 then 0", lines["dumpable before"], lines["dumpable after"])
	}
}

func coreLine(limits string) string {
	for _, l := range strings.Split(limits, "\n") {
		if strings.HasPrefix(l, "Max core file size") {
			return l
		}
	}
	return ""
}
