package clipboard

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeHelper puts an executable named name in a fresh directory that
// dumps its environment, arguments and stdin to files in out.
func fakeHelper(t *testing.T, name string) (dir, out string) {
	t.Helper()
	dir, out = t.TempDir(), t.TempDir()
	script := "#!/bin/sh\nenv > " + out + "/env\necho \"$@\" > " + out + "/args\ncat > " + out + "/stdin\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return dir, out
}

func TestHelperGetsMinimalEnvironmentAndStdin(t *testing.T) {
	dir, out := fakeHelper(t, "xclip")
	vars := map[string]string{
		"PATH":          dir + ":/usr/bin:/bin",
		"DISPLAY":       ":0",
		"HOME":          "/home/someone",
		"MPT_API_TOKEN": "idt:TKN-0000-0000:credential",
		"SSH_AUTH_SOCK": "/tmp/agent",
	}
	write := Writer(func(k string) string { return vars[k] })
	if write == nil {
		t.Fatal("no clipboard found although xclip is on PATH with DISPLAY set")
	}
	const secret = "idt:TKN-1234-5678:the-new-token"
	if err := write(secret); err != nil {
		t.Fatal(err)
	}
	env, _ := os.ReadFile(filepath.Join(out, "env"))
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(string(env)), "\n") {
		k, _, _ := strings.Cut(line, "=")
		names = append(names, k)
	}
	slices.Sort(names)
	// sh itself adds PWD (and may add SHLVL, _); nothing else may appear.
	for _, k := range names {
		switch k {
		case "DISPLAY", "HOME", "PATH", "PWD", "SHLVL", "_", "OLDPWD":
		default:
			t.Errorf("the helper got %s in its environment", k)
		}
	}
	if strings.Contains(string(env), "credential") || strings.Contains(string(env), secret) {
		t.Errorf("the helper's environment holds a secret:\n%s", env)
	}
	if !slices.Contains(names, "DISPLAY") {
		t.Errorf("the helper did not get DISPLAY: %v", names)
	}
	args, _ := os.ReadFile(filepath.Join(out, "args"))
	if strings.Contains(string(args), secret) || strings.TrimSpace(string(args)) != "-in -selection clipboard" {
		t.Errorf("helper args = %q", args)
	}
	if stdin, _ := os.ReadFile(filepath.Join(out, "stdin")); string(stdin) != secret {
		t.Errorf("helper stdin = %q, want the text", stdin)
	}
}

func TestHelperChoice(t *testing.T) {
	wl, _ := fakeHelper(t, "wl-copy")
	x, _ := fakeHelper(t, "xclip")
	both := wl + ":" + x
	for _, tt := range []struct {
		name string
		vars map[string]string
		want string // helper name, "" for none
	}{
		{"wayland", map[string]string{"PATH": both, "WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "wl-copy"},
		{"x11", map[string]string{"PATH": both, "DISPLAY": ":0"}, "xclip"},
		{"no display (SSH, headless)", map[string]string{"PATH": both}, ""},
		{"no helper", map[string]string{"PATH": t.TempDir(), "DISPLAY": ":0"}, ""},
	} {
		path, h, ok := find(func(k string) string { return tt.vars[k] })
		if got := map[bool]string{true: h.name}[ok]; got != tt.want {
			t.Errorf("%s: found %q (%s), want %q", tt.name, got, path, tt.want)
		}
	}
}

func TestHelperFailureIsAnError(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "xsel"), []byte("#!/bin/sh\ncat >/dev/null\nexit 3\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"PATH": dir + ":/usr/bin:/bin", "DISPLAY": ":0"}
	write := Writer(func(k string) string { return vars[k] })
	if write == nil {
		t.Fatal("xsel not found")
	}
	err := write("idt:TKN-1234-5678:value")
	if err == nil || strings.Contains(err.Error(), "value") || !strings.Contains(err.Error(), "xsel") {
		t.Errorf("err = %v, want an error naming xsel and not the text", err)
	}
}
