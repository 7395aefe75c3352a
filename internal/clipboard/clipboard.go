// Package clipboard writes text to the desktop's clipboard through its
// command-line helper (wl-copy, xclip, xsel, pbcopy). The helper gets the
// text on stdin, never in argv, and a minimal environment: the display
// variables it needs and nothing else, so a credential in the parent's
// environment (MPT_API_TOKEN) never reaches it.
package clipboard

import (
	"fmt"
	"os/exec"
	"strings"
)

// passed are the only variables a helper receives.
var passed = []string{"DISPLAY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR", "PATH", "HOME"}

// helper is one clipboard program and its arguments.
type helper struct {
	name string
	args []string
	// wayland: used only in a Wayland session; x11: only with DISPLAY.
	wayland, x11 bool
}

var helpers = []helper{
	{name: "wl-copy", wayland: true},
	{name: "xclip", args: []string{"-in", "-selection", "clipboard"}, x11: true},
	{name: "xsel", args: []string{"--input", "--clipboard"}, x11: true},
	{name: "pbcopy"},
}

// Writer returns a func that writes to the clipboard, found with getenv
// (the process's environment, or a test's), or nil when no helper fits.
func Writer(getenv func(string) string) func(string) error {
	path, h, ok := find(getenv)
	if !ok {
		return nil
	}
	env := minimalEnv(getenv)
	return func(text string) error {
		cmd := exec.Command(path, h.args...)
		cmd.Env = env
		cmd.Stdin = strings.NewReader(text)
		// No pipe for stdout or stderr: xclip and xsel fork a child that
		// keeps serving the selection, and Run would wait for it to close
		// a pipe it inherited.
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("clipboard: %s: %w", h.name, err)
		}
		return nil
	}
}

func find(getenv func(string) string) (string, helper, bool) {
	wayland, x11 := getenv("WAYLAND_DISPLAY") != "", getenv("DISPLAY") != ""
	for _, h := range helpers {
		if (h.wayland && !wayland) || (h.x11 && !x11) {
			continue
		}
		if path, err := lookPath(h.name, getenv("PATH")); err == nil {
			return path, h, true
		}
	}
	return "", helper{}, false
}

// lookPath finds name in the given PATH, the one the helper will get.
func lookPath(name, pathList string) (string, error) {
	for _, dir := range strings.Split(pathList, ":") {
		if dir == "" {
			continue
		}
		if p, err := exec.LookPath(dir + "/" + name); err == nil {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

func minimalEnv(getenv func(string) string) []string {
	env := make([]string, 0, len(passed))
	for _, k := range passed {
		if v := getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}
