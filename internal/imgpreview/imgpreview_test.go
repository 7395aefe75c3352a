package imgpreview

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

var (
	red   = color.NRGBA{255, 0, 0, 255}
	green = color.NRGBA{0, 255, 0, 255}
	blue  = color.NRGBA{0, 0, 255, 255}
	white = color.NRGBA{255, 255, 255, 255}
	clear = color.NRGBA{}
)

// pixels builds an image from rows of colours.
func pixels(rows ...[]color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, len(rows[0]), len(rows)))
	for y, r := range rows {
		for x, c := range r {
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func pngOf(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var room = Options{MaxWidth: 10, MaxHeight: 10, Profile: colorprofile.TrueColor}

func TestCells(t *testing.T) {
	for _, tc := range []struct {
		name       string
		img        *image.NRGBA
		p          colorprofile.Profile
		want       string
		cols, rows int
	}{
		{"2x2 truecolor", pixels([]color.NRGBA{red, green}, []color.NRGBA{blue, white}), colorprofile.TrueColor,
			"\x1b[38;2;255;0;0;48;2;0;0;255m▀\x1b[38;2;0;255;0;48;2;255;255;255m▀\x1b[m", 2, 1},
		{"2x2 256 colours", pixels([]color.NRGBA{red, green}, []color.NRGBA{blue, white}), colorprofile.ANSI256,
			"\x1b[38;5;196;48;5;21m▀\x1b[38;5;46;48;5;231m▀\x1b[m", 2, 1},
		{"2x2 16 colours", pixels([]color.NRGBA{red, green}, []color.NRGBA{blue, white}), colorprofile.ANSI,
			"\x1b[91;104m▀\x1b[92;107m▀\x1b[m", 2, 1},
		{"odd height: the last row has no bottom", pixels([]color.NRGBA{red}, []color.NRGBA{green}, []color.NRGBA{blue}), colorprofile.TrueColor,
			"\x1b[38;2;255;0;0;48;2;0;255;0m▀\x1b[m\n\x1b[49;38;2;0;0;255m▀\x1b[m", 1, 2},
		{"transparency shows the terminal", pixels([]color.NRGBA{clear, red, clear}, []color.NRGBA{green, clear, clear}), colorprofile.TrueColor,
			"\x1b[49;38;2;0;255;0m▄\x1b[49;38;2;255;0;0m▀\x1b[m \x1b[m", 3, 1},
		{"half transparent counts as drawn, colour un-premultiplied", pixels([]color.NRGBA{{200, 100, 50, 128}}, []color.NRGBA{{200, 100, 50, 127}}), colorprofile.TrueColor,
			"\x1b[49;38;2;200;100;50m▀\x1b[m", 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := room
			o.Profile = tc.p
			p, err := Render(pngOf(t, tc.img), o)
			if err != nil {
				t.Fatal(err)
			}
			if p.Cells != tc.want || p.Cols != tc.cols || p.Rows != tc.rows {
				t.Errorf("cells %q (%d×%d), want %q (%d×%d)", p.Cells, p.Cols, p.Rows, tc.want, tc.cols, tc.rows)
			}
			if p.Format != "png" || p.Width != tc.img.Rect.Dx() || p.Height != tc.img.Rect.Dy() {
				t.Errorf("preview %+v", p)
			}
			if got := ansi.StringWidth(strings.Split(p.Cells, "\n")[0]); got != tc.cols {
				t.Errorf("a line is %d cells wide, want %d", got, tc.cols)
			}
		})
	}
}

func TestScale(t *testing.T) {
	for _, tc := range []struct {
		w, h, maxW, maxH int
		cols, rows       int
	}{
		{40, 20, 10, 10, 10, 3},  // 10×5 pixels: width bound
		{20, 80, 10, 10, 5, 10},  // 5×20 pixels: height bound (2 per cell)
		{100, 10, 20, 20, 20, 1}, // 20×2
		{8, 8, 40, 20, 8, 4},     // never scaled up
		{4096, 1, 40, 20, 40, 1}, // a line keeps at least one pixel
		{1, 4096, 40, 20, 1, 20}, // 1×40
		{33, 33, 16, 8, 16, 8},   // 16×16
	} {
		img := image.NewNRGBA(image.Rect(0, 0, tc.w, tc.h))
		for i := range img.Pix {
			img.Pix[i] = 255
		}
		p, err := Render(pngOf(t, img), Options{MaxWidth: tc.maxW, MaxHeight: tc.maxH, Profile: colorprofile.TrueColor})
		if err != nil {
			t.Fatal(err)
		}
		if p.Cols != tc.cols || p.Rows != tc.rows {
			t.Errorf("%d×%d in %d×%d cells: %d×%d, want %d×%d", tc.w, tc.h, tc.maxW, tc.maxH, p.Cols, p.Rows, tc.cols, tc.rows)
		}
		lines := strings.Split(p.Cells, "\n")
		if len(lines) != p.Rows || ansi.StringWidth(lines[0]) != p.Cols {
			t.Errorf("%d×%d: drawn %d lines of %d cells", tc.w, tc.h, len(lines), ansi.StringWidth(lines[0]))
		}
	}
}

// TestAverages: a scaled-down pixel is the average of those it covers, so
// black and white make grey and a transparent half does not darken it.
func TestAverages(t *testing.T) {
	img := pixels(
		[]color.NRGBA{{0, 0, 0, 255}, white, red, clear},
		[]color.NRGBA{{0, 0, 0, 255}, white, red, clear},
	)
	p, err := Render(pngOf(t, img), Options{MaxWidth: 2, MaxHeight: 1, Profile: colorprofile.TrueColor})
	if err != nil {
		t.Fatal(err)
	}
	// 2×1 pixels: grey, and red at half alpha (drawn: alpha 128).
	if want := "\x1b[49;38;2;128;128;128m▀\x1b[49;38;2;255;0;0m▀\x1b[m"; p.Cells != want {
		t.Errorf("cells %q, want %q", p.Cells, want)
	}
}

func TestNoColour(t *testing.T) {
	data := pngOf(t, pixels([]color.NRGBA{red, green}, []color.NRGBA{blue, white}))
	for _, o := range []Options{
		{MaxWidth: 10, MaxHeight: 10, Profile: colorprofile.ASCII},
		{MaxWidth: 10, MaxHeight: 10, Profile: colorprofile.NoTTY},
		{MaxWidth: 0, MaxHeight: 10, Profile: colorprofile.TrueColor},
	} {
		p, err := Render(data, o)
		if err != nil || p.Cells != "" || p.Text != "image 2×2" || p.Cols != 0 {
			t.Errorf("%+v: %+v, %v", o, p, err)
		}
	}
	if p, _ := Render(data, room); p.Text != "image 2×2" || p.Cells == "" {
		t.Errorf("with colour: %+v", p)
	}
}

func TestFormats(t *testing.T) {
	t.Run("gif first frame", func(t *testing.T) {
		frame := func(c color.Color) *image.Paletted {
			f := image.NewPaletted(image.Rect(0, 0, 2, 2), palette.Plan9)
			for i := range f.Pix {
				f.Pix[i] = uint8(color.Palette(palette.Plan9).Index(c))
			}
			return f
		}
		var b bytes.Buffer
		if err := gif.EncodeAll(&b, &gif.GIF{Image: []*image.Paletted{frame(red), frame(blue)}, Delay: []int{10, 10}}); err != nil {
			t.Fatal(err)
		}
		p, err := Render(b.Bytes(), room)
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.Repeat("\x1b[38;2;255;0;0;48;2;255;0;0m▀", 2) + "\x1b[m"; p.Format != "gif" || p.Cells != want {
			t.Errorf("gif: %s %q, want %q", p.Format, p.Cells, want)
		}
	})
	t.Run("jpeg", func(t *testing.T) {
		img := image.NewRGBA(image.Rect(0, 0, 16, 16))
		for i := range img.Pix {
			img.Pix[i] = 128
			if i%4 == 3 {
				img.Pix[i] = 255
			}
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 100}); err != nil {
			t.Fatal(err)
		}
		p, err := Render(b.Bytes(), Options{MaxWidth: 4, MaxHeight: 2, Profile: colorprofile.TrueColor})
		if err != nil {
			t.Fatal(err)
		}
		if p.Format != "jpeg" || p.Cols != 4 || p.Rows != 2 || !strings.Contains(p.Cells, "38;2;128;128;128;48;2;128;128;128m▀") {
			t.Errorf("jpeg: %+v", p)
		}
	})
	t.Run("svg", func(t *testing.T) {
		for _, svg := range []string{
			`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>`,
			"\xef\xbb\xbf\n  <?xml version=\"1.0\"?>\n<!-- logo -->\n<SVG viewBox=\"0 0 1 1\"></SVG>",
		} {
			p, err := Render([]byte(svg), room)
			if err != nil || p.Format != "svg" || p.Text != "no preview for SVG" || p.Cells != "" {
				t.Errorf("%q: %+v, %v", svg, p, err)
			}
		}
	})
	t.Run("not an image", func(t *testing.T) {
		for _, data := range []string{"", "hello", "<html><body>svg</body></html>", "GIF89a"} {
			if _, err := Render([]byte(data), room); !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrCorrupt) {
				t.Errorf("%q: %v", data, err)
			}
		}
		data := pngOf(t, pixels([]color.NRGBA{red, green}, []color.NRGBA{blue, white}))
		if _, err := Render(data[:len(data)-20], room); !errors.Is(err, ErrCorrupt) {
			t.Errorf("cut png: %v", err)
		}
	})
}

// hugeHeader is a PNG whose header claims w×h and whose pixel data is
// missing: decoding it would fail, so ErrTooLarge proves only the header
// was read.
func hugeHeader(t *testing.T, w, h uint32) []byte {
	data := pngOf(t, pixels([]color.NRGBA{red}))
	ihdr := data[8+8 : 8+8+13] // signature, length and type, then the 13 bytes of IHDR
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	binary.BigEndian.PutUint32(data[8+8+13:], crc32.ChecksumIEEE(data[8+4:8+8+13]))
	return data[:8+8+13+4]
}

func TestTooLarge(t *testing.T) {
	for _, wh := range [][2]uint32{{4097, 1}, {1, 4097}, {100000, 100000}} {
		if _, err := Render(hugeHeader(t, wh[0], wh[1]), room); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%d×%d: %v", wh[0], wh[1], err)
		}
	}
	if _, err := Render(hugeHeader(t, 4096, 4096), room); !errors.Is(err, ErrCorrupt) {
		t.Errorf("4096×4096 is allowed, then fails on the missing pixels: %v", err)
	}
}

// BenchmarkRender is a 512×512 logo drawn in 40×20 cells.
func BenchmarkRender(b *testing.B) {
	img := image.NewNRGBA(image.Rect(0, 0, 512, 512))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	data := pngOf(b, img)
	o := Options{MaxWidth: 40, MaxHeight: 20, Profile: colorprofile.TrueColor}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(data, o); err != nil {
			b.Fatal(err)
		}
	}
}
