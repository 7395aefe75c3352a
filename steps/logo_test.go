package steps_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/softwareone/apitoken/steps"
	"github.com/softwareone/apitoken/ui/common"
)

// logoDir is a folder as a file manager shows it: a space in its name and
// in the logo's, a file that is no image, and a folder inside.
type logoDir struct {
	home, dir, png, svg string
}

func newLogoDir(t *testing.T) logoDir {
	t.Helper()
	home := t.TempDir()
	d := logoDir{home: home, dir: filepath.Join(home, "dir with space")}
	if err := os.MkdirAll(filepath.Join(d.dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	d.png = filepath.Join(d.dir, "my logo.png")
	d.svg = filepath.Join(d.dir, "mark.svg")
	writeTestFile(t, d.png, testPNG(t, 16, 16))
	writeTestFile(t, d.svg, []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect width="16" height="16"/></svg>`))
	writeTestFile(t, filepath.Join(d.dir, "notes.txt"), []byte("not a logo\n"))
	return d
}

func writeTestFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// testPNG is a w×h PNG, red above and blue below, so a preview has two
// colours to draw.
func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{R: 220, A: 255}
			if y >= h/2 {
				c = color.NRGBA{B: 220, A: 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// logoStep is the General step with the cursor in the logo field, "~" and
// the working directory at home, in a terminal of colour profile prof.
func logoStep(t *testing.T, home string, ssh bool, prof colorprofile.Profile) (*steps.GeneralStep, *steps.Data) {
	t.Helper()
	c := testCommon()
	c.SSH = ssh
	data := steps.NewData("ACC-9000-0001", true)
	s := steps.NewGeneral(c, data, noActions{})
	s.SetHome(func() (string, error) { return home, nil })
	s.SetWorkDir(func() (string, error) { return home, nil })
	s.SetSize(100, 30)
	run(t, s, s.Update(tea.ColorProfileMsg{Profile: prof}))
	run(t, s, s.Enter(steps.FieldIcon))
	return s, data
}

// run carries out cmd as the program would, handing every message back to
// the step, until nothing is left to do. The commands are the step's own
// (file reads, the picker's directory reads): none waits on a clock.
func run(t *testing.T, s steps.Step, cmd tea.Cmd) {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for n := 0; len(queue) > 0; n++ {
		if n > 1000 {
			t.Fatal("the commands never settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			queue = append(queue, s.Update(msg))
		}
	}
}

func typeText(t *testing.T, s steps.Step, text string) {
	t.Helper()
	for _, r := range text {
		run(t, s, s.Update(tea.KeyPressMsg{Code: r, Text: string(r)}))
	}
}

func hit(t *testing.T, s steps.Step, k tea.KeyPressMsg) {
	t.Helper()
	run(t, s, s.Update(k))
}

var (
	keyTab   = tea.KeyPressMsg{Code: tea.KeyTab}
	keyEnter = tea.KeyPressMsg{Code: tea.KeyEnter}
	keyEsc   = tea.KeyPressMsg{Code: tea.KeyEscape}
	keyLeft  = tea.KeyPressMsg{Code: tea.KeyLeft}
	keyPick  = tea.KeyPressMsg{Code: 'o', Mod: tea.ModCtrl}
)

// droppedForms are the ways terminals and people write the one file.
func droppedForms(d logoDir) map[string]string {
	u := url.URL{Scheme: "file", Path: d.png}
	return map[string]string{
		"single quotes":      "'" + d.png + "'",
		"double quotes":      `"` + d.png + `"`,
		"backslash escapes":  strings.ReplaceAll(d.png, " ", `\ `),
		"file URL":           u.String(),
		"file URL localhost": "file://localhost" + u.EscapedPath(),
		"home":               "~/dir with space/my logo.png",
		"quoted, newline":    "'" + d.png + "'\n",
		"plain with spaces":  d.png,
	}
}

// TestLogoDroppedPaths: each way a dropped file arrives names the file,
// typed and then left with tab, or pasted.
func TestLogoDroppedPaths(t *testing.T) {
	d := newLogoDir(t)
	for name, text := range droppedForms(d) {
		t.Run(name+"/typed", func(t *testing.T) {
			s, data := logoStep(t, d.home, false, colorprofile.TrueColor)
			typeText(t, s, strings.TrimRight(text, "\n"))
			hit(t, s, keyTab)
			if data.Icon == nil || data.Icon.Filename != "my logo.png" {
				t.Fatalf("%q: no icon read; screen:\n%s", text, s.View())
			}
		})
		t.Run(name+"/pasted", func(t *testing.T) {
			s, data := logoStep(t, d.home, false, colorprofile.TrueColor)
			// No tab: a drop is read at once.
			run(t, s, s.Update(tea.PasteMsg{Content: text}))
			if data.Icon == nil || data.Icon.Filename != "my logo.png" {
				t.Fatalf("%q: no icon read; screen:\n%s", text, s.View())
			}
			if !strings.Contains(s.View(), "✓ my logo.png · PNG · 16×16 px") {
				t.Errorf("the loaded logo is not shown:\n%s", s.View())
			}
		})
	}
}

// TestLogoDropReplacesTypedPath: a file dropped on a field that already
// holds a path replaces it; a pasted file name is typed where the cursor is.
func TestLogoDropReplacesTypedPath(t *testing.T) {
	d := newLogoDir(t)
	s, data := logoStep(t, d.home, false, colorprofile.TrueColor)
	typeText(t, s, "/no/such/old.png")
	run(t, s, s.Update(tea.PasteMsg{Content: "'" + d.png + "'"}))
	if data.Icon == nil {
		t.Fatalf("the drop did not replace the old path: %q\n%s", data.LogoPath, s.View())
	}

	s, data = logoStep(t, d.home, false, colorprofile.TrueColor)
	typeText(t, s, d.dir+"/")
	run(t, s, s.Update(tea.PasteMsg{Content: "mark.svg"}))
	if data.LogoPath != d.dir+"/mark.svg" || data.Icon == nil || data.IconInfo.Format != "SVG" {
		t.Fatalf("a pasted name was not added to the typed folder: %q, icon %v", data.LogoPath, data.Icon != nil)
	}
}

// TestLogoPathErrors: what cannot be one local file is said in words, and
// nothing is read.
func TestLogoPathErrors(t *testing.T) {
	d := newLogoDir(t)
	for text, want := range map[string]string{
		"'" + d.png:                 "a quote is not closed",
		"https://example.com/x.png": "a web address, not a file",
		"file://server/share/x.png": "another machine",
		d.png + "\n" + d.svg:        "several paths",
		"~bob/logo.png":             "~user paths are not supported",
	} {
		s, data := logoStep(t, d.home, false, colorprofile.TrueColor)
		run(t, s, s.Update(tea.PasteMsg{Content: text}))
		if data.Icon != nil || !strings.Contains(s.View(), want) {
			t.Errorf("%q: want %q under the field, icon %v:\n%s", text, want, data.Icon != nil, s.View())
		}
	}
}

// TestLogoLoneTilde: "~" is the home folder, not a file called "~": the
// message says so and ctrl+o browses it.
func TestLogoLoneTilde(t *testing.T) {
	d := newLogoDir(t)
	s, data := logoStep(t, d.dir, false, colorprofile.TrueColor)
	typeText(t, s, "~")
	hit(t, s, keyTab)
	v := s.View()
	if data.Icon != nil || !strings.Contains(v, "dir with space is a directory") || !strings.Contains(v, "ctrl+o") {
		t.Fatalf("~ is not read as the home folder:\n%s", v)
	}
	run(t, s, s.Enter(steps.FieldIcon))
	hit(t, s, keyPick)
	if v := s.View(); !strings.Contains(v, "Choose a logo") || !strings.Contains(v, d.dir) || !strings.Contains(v, "my logo.png") {
		t.Fatalf("the picker does not browse home:\n%s", v)
	}
}

// TestLogoPicker: ctrl+o opens a picker in the typed file's folder, lists
// folders first, refuses a file that is no image, chooses one that is and
// reads it; esc leaves it without choosing.
func TestLogoPicker(t *testing.T) {
	d := newLogoDir(t)
	// A name that must be quoted to be read back, and one that would
	// drive the terminal if printed as it is.
	odd := filepath.Join(d.dir, `it's "odd".png`)
	writeTestFile(t, odd, testPNG(t, 4, 4))
	writeTestFile(t, filepath.Join(d.dir, "evil\x1b]0;owned\x07.png"), testPNG(t, 4, 4))

	s, data := logoStep(t, d.home, false, colorprofile.TrueColor)
	if h := helpKeys(s.ShortHelp()); !strings.Contains(h, "ctrl+o") {
		t.Errorf("the help does not offer the picker: %s", h)
	}
	typeText(t, s, d.dir+"/nothing-yet.png")
	hit(t, s, keyPick)
	v := s.View()
	if !strings.Contains(v, "Choose a logo") || !strings.Contains(v, d.dir) {
		t.Fatalf("ctrl+o did not open the picker in the typed folder:\n%s", v)
	}
	if strings.Contains(v, "\x1b]") || strings.Contains(v, "\a") {
		t.Errorf("a file name's escape sequence reached the screen: %q", v)
	}
	if i, j := strings.Index(v, "sub"), strings.Index(v, "my logo.png"); i < 0 || j < 0 || i > j {
		t.Errorf("folders are not listed first:\n%s", v)
	}
	if s.Capturing() {
		t.Error("the picker captures ? and q as text")
	}

	// sub, evil…, it's "odd".png, mark.svg, my logo.png, notes.txt
	for range 5 {
		hit(t, s, keyDown)
	}
	hit(t, s, keyEnter)
	if v := s.View(); !strings.Contains(v, "notes.txt is not a PNG, JPEG, GIF or SVG file") {
		t.Fatalf("choosing a text file is not refused:\n%s", v)
	}
	hit(t, s, tea.KeyPressMsg{Code: tea.KeyUp})
	hit(t, s, keyEnter)
	if data.Icon == nil || data.Icon.Filename != "my logo.png" {
		t.Fatalf("the chosen file was not read: %q\n%s", data.LogoPath, s.View())
	}
	if strings.Contains(s.View(), "Choose a logo") {
		t.Error("the picker stays open after a choice")
	}

	// A name with quotes goes into the field so that it reads back.
	hit(t, s, keyPick)
	hit(t, s, keyDown)
	hit(t, s, keyDown)
	hit(t, s, keyEnter)
	if data.Icon == nil || data.Icon.Filename != `it's "odd".png` {
		t.Fatalf("a name with quotes was not read back: field %q\n%s", data.LogoPath, s.View())
	}

	// Into a folder, up again, and esc: nothing changes.
	hit(t, s, keyPick)
	hit(t, s, keyEnter) // into sub
	if v := s.View(); !strings.Contains(v, "No folders or image files here") {
		t.Fatalf("the empty folder is not said:\n%s", v)
	}
	hit(t, s, keyLeft)
	hit(t, s, keyEsc)
	if strings.Contains(s.View(), "Choose a logo") || data.Icon.Filename != `it's "odd".png` {
		t.Fatalf("esc did not leave the picker unchanged: %q\n%s", data.LogoPath, s.View())
	}
}

// TestLogoPickerDrop: a file dropped while the picker is open is the one.
func TestLogoPickerDrop(t *testing.T) {
	d := newLogoDir(t)
	s, data := logoStep(t, d.home, false, colorprofile.TrueColor)
	hit(t, s, keyPick)
	run(t, s, s.Update(tea.PasteMsg{Content: "'" + d.png + "'"}))
	if data.Icon == nil || strings.Contains(s.View(), "Choose a logo") {
		t.Fatalf("the drop was not taken:\n%s", s.View())
	}
}

// TestLogoPickerNotOffered: without the logo field (over SSH the wizard
// leaves it out), or in an SSH session, there is no picker: it would
// browse the server's files.
func TestLogoPickerNotOffered(t *testing.T) {
	d := newLogoDir(t)
	for _, tc := range []struct {
		name           string
		allowLogo, ssh bool
	}{{"no logo field", false, false}, {"ssh", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			c := testCommon()
			c.SSH = tc.ssh
			data := steps.NewData("ACC-9000-0001", tc.allowLogo)
			s := steps.NewGeneral(c, data, noActions{})
			s.SetHome(func() (string, error) { return d.home, nil })
			run(t, s, s.Enter(steps.FieldIcon))
			if cmd := s.Update(keyPick); cmd != nil {
				run(t, s, cmd)
			}
			if v := s.View(); strings.Contains(v, "Choose a logo") || strings.Contains(v, "ctrl+o") {
				t.Errorf("the picker is offered:\n%s", v)
			}
			for _, group := range append(s.FullHelp(), s.ShortHelp()) {
				if h := helpKeys(group); strings.Contains(h, "ctrl+o") {
					t.Errorf("the help offers the picker: %s", h)
				}
			}
		})
	}
}

// TestLogoPreview: once a PNG reads, a small drawing of it sits beside the
// field, in the terminal's colours; an SVG and a terminal without colour get
// words instead.
func TestLogoPreview(t *testing.T) {
	d := newLogoDir(t)
	s, _ := logoStep(t, d.home, false, colorprofile.TrueColor)
	run(t, s, s.Update(tea.PasteMsg{Content: d.png}))
	v := s.View()
	// Red above blue, in 24-bit colour: 16×16 pixels in 8×4 cells.
	if !strings.Contains(v, "\x1b[38;2;220;0;0;48;2;220;0;0m▀") || !strings.Contains(v, "\x1b[38;2;0;0;220;48;2;0;0;220m▀") {
		t.Fatalf("no drawing of the logo:\n%s", v)
	}
	if n := strings.Count(v, "▀"); n != 8*4 {
		t.Errorf("%d half-block cells drawn, want 8×4", n)
	}
	for _, l := range strings.Split(v, "\n") {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("a line is %d cells wide, more than the form's 80: %q", w, l)
		}
	}

	// The same file for a 256-colour terminal, told after the read.
	run(t, s, s.Update(tea.ColorProfileMsg{Profile: colorprofile.ANSI256}))
	if v := s.View(); strings.Contains(v, "38;2;220;0;0") || !strings.Contains(v, "\x1b[38;5;160;48;5;160m▀") {
		t.Errorf("the drawing is not in 256 colours:\n%s", v)
	}

	// Editing the path takes the drawing away with the icon.
	typeText(t, s, "x")
	if v := s.View(); strings.Contains(v, "▀") {
		t.Errorf("the drawing of a file no longer named stays:\n%s", v)
	}

	s, _ = logoStep(t, d.home, false, colorprofile.TrueColor)
	run(t, s, s.Update(tea.PasteMsg{Content: d.svg}))
	if v := s.View(); strings.Contains(v, "▀") || !strings.Contains(v, "no preview for SVG") {
		t.Errorf("an SVG is not said in words:\n%s", v)
	}

	for _, prof := range []colorprofile.Profile{colorprofile.ASCII, colorprofile.NoTTY} {
		s, _ = logoStep(t, d.home, false, prof)
		run(t, s, s.Update(tea.PasteMsg{Content: d.png}))
		if v := s.View(); strings.Contains(v, "▀") || !strings.Contains(v, "image 16×16") {
			t.Errorf("%v: without colour the image is not said in words:\n%s", prof, v)
		}
	}
}

// TestLogoPreviewShortWindow: in a short window the drawing takes the
// field's three lines, not four.
func TestLogoPreviewShortWindow(t *testing.T) {
	d := newLogoDir(t)
	s, _ := logoStep(t, d.home, false, colorprofile.TrueColor)
	s.SetSize(80, 16)
	run(t, s, s.Update(tea.PasteMsg{Content: d.png}))
	lines := strings.Split(s.View(), "\n")
	rows := 0
	for _, l := range lines {
		if strings.Contains(l, "▀") {
			rows++
		}
	}
	if rows == 0 || rows > 3 {
		t.Errorf("the drawing takes %d lines in a short window, want 1 to 3:\n%s", rows, strings.Join(lines, "\n"))
	}
}

// TestLogoSizeWording: the limit and file sizes are written in binary
// units, one way.
func TestLogoSizeWording(t *testing.T) {
	d := newLogoDir(t)
	big := filepath.Join(d.dir, "big.png")
	noise := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	rnd := rand.New(rand.NewPCG(1, 2)) // noise does not compress: some KiB
	for i := range noise.Pix {
		noise.Pix[i] = byte(rnd.Uint32())
	}
	var b bytes.Buffer
	if err := png.Encode(&b, noise); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, big, b.Bytes())
	s, _ := logoStep(t, d.home, false, colorprofile.TrueColor)
	if v := s.View(); !strings.Contains(v, "up to 1 MiB") || strings.Contains(v, "1.0 MiB") || strings.Contains(v, " MB") {
		t.Errorf("the limit is not written as 1 MiB:\n%s", v)
	}
	run(t, s, s.Update(tea.PasteMsg{Content: big}))
	if v := s.View(); !regexp.MustCompile(`· \d+(\.\d)? KiB`).MatchString(v) {
		t.Errorf("the file's size is not in KiB:\n%s", v)
	}
	tooBig := filepath.Join(d.dir, "huge.png")
	writeTestFile(t, tooBig, append(b.Bytes(), make([]byte, 3<<20)...))
	run(t, s, s.Update(tea.PasteMsg{Content: tooBig}))
	if v := s.View(); !strings.Contains(v, "MiB; the limit is 1 MiB") {
		t.Errorf("a file over the limit is not said in MiB:\n%s", v)
	}
}

// TestLogoNoHome: "~" without a known home says so.
func TestLogoNoHome(t *testing.T) {
	s, data := logoStep(t, "", false, colorprofile.TrueColor)
	s.SetHome(func() (string, error) { return "", errors.New("no HOME") })
	run(t, s, s.Update(tea.PasteMsg{Content: "~/logo.png"}))
	if data.Icon != nil || !strings.Contains(s.View(), "the home directory is not known") {
		t.Errorf("no word about the unknown home:\n%s", s.View())
	}
}

func helpKeys(bs []key.Binding) string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Help().Key)
	}
	return strings.Join(out, " ")
}

// TestLogoPreviewBeside: the Overview's form of the logo, the drawing with
// the summary on its first line, or the summary and the text.
func TestLogoPreviewBeside(t *testing.T) {
	d := newLogoDir(t)
	s, data := logoStep(t, d.home, false, colorprofile.TrueColor)
	run(t, s, s.Update(tea.PasteMsg{Content: d.png}))
	icon := data.Icon
	if icon == nil {
		t.Fatal("no icon read")
	}
	drawn := steps.LogoPreview{Icon: icon, Cells: "ab\ncd", Small: "ab", Text: "image 2×2"}
	if got, want := drawn.Beside(icon, "my logo.png · PNG", 40), "ab        my logo.png · PNG\ncd"; got != want {
		t.Errorf("Beside = %q, want %q", got, want)
	}
	if got := drawn.Beside(icon, strings.Repeat("x", 100), 40); ansi.StringWidth(strings.Split(got, "\n")[0]) > 40 {
		t.Errorf("a long summary is not cut to the width: %q", got)
	}
	words := steps.LogoPreview{Icon: icon, Text: "no preview for SVG"}
	if got, want := words.Beside(icon, "mark.svg · SVG", 40), "mark.svg · SVG · no preview for SVG"; got != want {
		t.Errorf("Beside = %q, want %q", got, want)
	}
	// A preview of another icon adds nothing.
	other := *icon
	if got := drawn.Beside(&other, "s", 40); got != "s" {
		t.Errorf("the preview of another icon is drawn: %q", got)
	}
}

// pickerFolder is the folder the open picker shows, from its screen.
func pickerFolder(t *testing.T, s steps.Step) string {
	t.Helper()
	lines := strings.Split(ansi.Strip(s.View()), "\n")
	if len(lines) < 3 || lines[0] != "Choose a logo" {
		t.Fatalf("the picker is not open:\n%s", s.View())
	}
	return lines[2]
}

// pickerCursor is the entry the picker's cursor is on, as drawn; "" when
// the cursor is not drawn.
func pickerCursor(s steps.Step) string {
	for _, l := range strings.Split(ansi.Strip(s.View()), "\n") {
		if name, ok := strings.CutPrefix(l, "› "); ok {
			return name
		}
	}
	return ""
}

// manyLogos adds n PNG files, f00.png to f<n-1>.png, to dir: more than a
// window shows.
func manyLogos(t *testing.T, dir string, n int) {
	t.Helper()
	img := testPNG(t, 2, 2)
	for i := range n {
		writeTestFile(t, filepath.Join(dir, fmt.Sprintf("f%02d.png", i)), img)
	}
}

// TestLogoPickerStartFolder: ctrl+o opens in the folder the field names or
// the typed file's, else in the working directory, where a terminal user
// starts apitoken beside their files, else at home.
func TestLogoPickerStartFolder(t *testing.T) {
	d := newLogoDir(t)
	sub := filepath.Join(d.dir, "sub")
	wd := func(dir string, err error) func() (string, error) {
		return func() (string, error) { return dir, err }
	}
	for _, tc := range []struct {
		name, typed string
		wd          func() (string, error)
		want        string
	}{
		{"empty field", "", wd(d.dir, nil), d.dir},
		{"typed file", filepath.Join(sub, "not-yet.png"), wd(d.dir, nil), sub},
		{"typed folder", "'" + sub + "'", wd(d.dir, nil), sub},
		{"typed elsewhere", "/no/such/folder/logo.png", wd(d.dir, nil), d.dir},
		{"no working directory", "", wd("", errors.New("getwd: no such file or directory")), d.home},
		{"working directory gone", "", wd(filepath.Join(d.home, "gone"), nil), d.home},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := logoStep(t, d.home, false, colorprofile.TrueColor)
			s.SetWorkDir(tc.wd)
			typeText(t, s, tc.typed)
			hit(t, s, keyPick)
			if got := pickerFolder(t, s); got != tc.want {
				t.Errorf("the picker opens in %q, want %q:\n%s", got, tc.want, s.View())
			}
		})
	}
}

// TestLogoPickerHelp: the picker's help names the keys that page and that
// go to either end, the short bar keeps them in a 100-column window with
// the app's own keys, and they do what it says.
func TestLogoPickerHelp(t *testing.T) {
	d := newLogoDir(t)
	manyLogos(t, d.dir, 40) // sub, f00.png … f39.png, mark.svg, my logo.png, notes.txt
	s, _ := logoStep(t, d.home, false, colorprofile.TrueColor)
	s.SetSize(100, 25)
	typeText(t, s, d.dir+"/")
	hit(t, s, keyPick)

	short := helpKeys(s.ShortHelp())
	var full []string
	for _, group := range s.FullHelp() {
		full = append(full, helpKeys(group))
	}
	for _, want := range []string{"pgup/pgdn", "↑/↓", "enter", "←", "esc"} {
		if !strings.Contains(short, want) {
			t.Errorf("the short help does not name %s: %s", want, short)
		}
	}
	for _, want := range []string{"pgup/pgdn", "home/end", "↑/↓", "enter", "←", "esc"} {
		if !strings.Contains(strings.Join(full, " "), want) {
			t.Errorf("the full help does not name %s: %v", want, full)
		}
	}
	keys := common.NewKeyMap()
	bar := help.New()
	if v := bar.ShortHelpView(append(s.ShortHelp(), keys.Help, keys.Quit)); ansi.StringWidth(v) > 100 {
		t.Errorf("the short help is %d cells wide, more than a 100-column window:\n%s", ansi.StringWidth(v), v)
	}

	// 21 rows of 44 entries: the page keys move by 21.
	for _, step := range []struct {
		key  tea.KeyPressMsg
		want string
	}{
		{tea.KeyPressMsg{Code: tea.KeyPgDown}, "f20.png"},
		{tea.KeyPressMsg{Code: tea.KeyPgDown}, "my logo.png"},
		{tea.KeyPressMsg{Code: tea.KeyPgDown}, "notes.txt"}, // the last
		{tea.KeyPressMsg{Code: tea.KeyPgDown}, "notes.txt"},
		{tea.KeyPressMsg{Code: tea.KeyPgUp}, "f21.png"},
		{tea.KeyPressMsg{Code: tea.KeyPgUp}, "f00.png"},
		{tea.KeyPressMsg{Code: tea.KeyPgUp}, "sub"}, // the first
		{tea.KeyPressMsg{Code: tea.KeyEnd}, "notes.txt"},
		{tea.KeyPressMsg{Code: tea.KeyHome}, "sub"},
		{tea.KeyPressMsg{Code: 'G', Text: "G"}, "notes.txt"},
		{tea.KeyPressMsg{Code: 'g', Text: "g"}, "sub"},
	} {
		hit(t, s, step.key)
		if got := pickerCursor(s); got != step.want {
			t.Fatalf("after %s the cursor is on %q, want %q:\n%s", step.key, got, step.want, ansi.Strip(s.View()))
		}
	}
}

// TestLogoPickerFillsHeight: the list takes every line the step is given,
// in the room the app leaves it in a 100×30 and a 60×20 window, with the
// cursor on screen: when it opens, when a choice is refused, at the end of
// the list, and after the full help opened and closed again.
func TestLogoPickerFillsHeight(t *testing.T) {
	d := newLogoDir(t)
	manyLogos(t, d.dir, 40)
	for _, size := range [][2]int{{100, 25}, {60, 15}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			s, _ := logoStep(t, d.home, false, colorprofile.TrueColor)
			s.SetSize(w, h)
			typeText(t, s, d.dir+"/")
			hit(t, s, keyPick)
			fills := func(when, cursor string) {
				t.Helper()
				v := s.View()
				lines := strings.Split(v, "\n")
				if len(lines) != h {
					t.Errorf("%s: the picker draws %d lines in %d:\n%s", when, len(lines), h, ansi.Strip(v))
				}
				for _, l := range lines {
					if lw := ansi.StringWidth(l); lw > w {
						t.Errorf("%s: a line is %d cells wide in %d: %q", when, lw, w, ansi.Strip(l))
					}
				}
				if got := pickerCursor(s); got != cursor {
					t.Errorf("%s: the cursor is on %q, want %q:\n%s", when, got, cursor, ansi.Strip(v))
				}
			}
			fills("opened", "sub")
			hit(t, s, tea.KeyPressMsg{Code: 'G', Text: "G"})
			hit(t, s, keyEnter)
			if !strings.Contains(s.View(), "notes.txt is not a PNG") {
				t.Fatalf("the refusal is not said:\n%s", s.View())
			}
			fills("a choice refused", "notes.txt")
			hit(t, s, keyUp)
			fills("at the end", "my logo.png")
			// The full help takes four lines from the step, and gives them back.
			s.SetSize(w, h-4)
			if got := pickerCursor(s); got != "my logo.png" {
				t.Errorf("the cursor left the screen as the window shrank: on %q\n%s", got, ansi.Strip(s.View()))
			}
			s.SetSize(w, h)
			fills("the help closed", "my logo.png")
			hit(t, s, tea.KeyPressMsg{Code: 'g', Text: "g"})
			s.SetSize(w, h-4)
			s.SetSize(w, h)
			fills("the help closed at the top", "sub")
		})
	}
}

// TestLogoPickerBackFits: back from a folder entered before the full help
// opened, the folder left is still on screen, in the rows there are now.
func TestLogoPickerBackFits(t *testing.T) {
	home := t.TempDir()
	for i := range 40 {
		if err := os.Mkdir(filepath.Join(home, fmt.Sprintf("d%02d", i)), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	s, _ := logoStep(t, home, false, colorprofile.TrueColor)
	s.SetSize(100, 25) // 21 rows: d00 to d20
	hit(t, s, keyPick)
	for range 20 {
		hit(t, s, keyDown)
	}
	hit(t, s, keyEnter) // into d20, on the last row
	if got := pickerFolder(t, s); got != filepath.Join(home, "d20") {
		t.Fatalf("enter did not open d20: in %q", got)
	}
	s.SetSize(100, 21) // the full help opened
	hit(t, s, keyLeft)
	if got := pickerCursor(s); got != "d20" {
		t.Errorf("back from d20 the cursor is on %q, want d20:\n%s", got, ansi.Strip(s.View()))
	}
	if n := len(strings.Split(s.View(), "\n")); n != 21 {
		t.Errorf("the picker draws %d lines in 21:\n%s", n, ansi.Strip(s.View()))
	}
}
