package ui_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// TestWizardLogo: a file dropped on the logo field, as a terminal pastes it
// (escaped, from home), is read at once and drawn beside the field in the
// colours the program was told the terminal has.
func TestWizardLogo(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home) // the program finds "~" where a user's would be
	dir := filepath.Join(home, "dir with space")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	img := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for y := range 16 {
		for x := range 16 {
			c := color.NRGBA{R: 220, A: 255}
			if x >= 8 {
				c = color.NRGBA{G: 200, A: 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "my logo.png"), b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	h := newHarness(t)
	h.waitText("Contoso Ltd")
	h.press("shift+tab")
	h.waitText("ctrl+o choose a file")
	h.tm.Send(tea.PasteMsg{Content: `~/dir\ with\ space/my\ logo.png`})
	h.waitText("✓ my logo.png · PNG · 16×16 px")
	// The harness's terminal has 256 colours: red and green cells in them.
	if v := h.view(); !strings.Contains(v, "\x1b[38;5;160;48;5;160m▀") || !strings.Contains(v, "\x1b[38;5;40;48;5;40m▀") {
		t.Errorf("the logo is not drawn in 256 colours:\n%q", v)
	}
	h.snapshot("general_logo")
}
