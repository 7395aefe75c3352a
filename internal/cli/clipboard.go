package cli

import "github.com/softwareone/apitoken/internal/clipboard"

// nativeClipboard is the system clipboard where there is a desktop session
// to own one; OSC 52 covers the rest (SSH, tmux, headless machines).
func nativeClipboard(getenv func(string) string) func(string) error {
	return clipboard.Writer(getenv)
}
