// Package imgpreview draws a small preview of a token's icon (PNG, JPEG or
// the first frame of a GIF) in the terminal, two pixels per cell: "▀" with
// the top pixel as foreground and the bottom one as background. Without
// colour it says what the image is instead.
//
// Render does no I/O: the caller reads the file (in a tea.Cmd) and passes
// the bytes. The image's size is read from its header first, so a huge
// image is refused before any pixel is decoded.
package imgpreview

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/gif" // registers the formats image.Decode knows
	_ "image/jpeg"
	_ "image/png"
	"strconv"
	"strings"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// MaxSide is the largest width or height decoded: 4096×4096 RGBA is 64 MiB.
const MaxSide = 4096

// The errors Render returns; their text is meant for the user.
var (
	ErrTooLarge    = fmt.Errorf("the image is larger than %d×%d pixels", MaxSide, MaxSide)
	ErrUnsupported = errors.New("not a PNG, JPEG or GIF image")
	ErrCorrupt     = errors.New("the image is damaged and cannot be read")
)

// Options say how much room the preview has and which colours the terminal
// shows.
type Options struct {
	MaxWidth, MaxHeight int // in cells; each cell is two pixels tall
	// Profile is the terminal's colour profile; ASCII and NoTTY (NO_COLOR,
	// a pipe) get the text only.
	Profile colorprofile.Profile
}

// Preview is what Render made.
type Preview struct {
	Format        string // "png", "jpeg", "gif" or "svg"
	Width, Height int    // the image's size in pixels (0 for SVG)
	Cols, Rows    int    // the size of Cells
	// Cells is the drawn preview, Rows lines of Cols cells joined by "\n";
	// "" when there is none (no colour, no room, SVG).
	Cells string
	// Text describes the image in one line ("image 64×64", "no preview for
	// SVG"): the caption, or the whole preview without colour.
	Text string
}

// Render decodes data and draws it scaled down, keeping its aspect, to fit
// o.MaxWidth×o.MaxHeight cells. It never scales up.
func Render(data []byte, o Options) (Preview, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if isSVG(data) {
			return Preview{Format: "svg", Text: "no preview for SVG"}, nil
		}
		if errors.Is(err, image.ErrFormat) {
			return Preview{}, ErrUnsupported
		}
		return Preview{}, ErrCorrupt
	}
	if cfg.Width > MaxSide || cfg.Height > MaxSide {
		return Preview{}, ErrTooLarge
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Preview{}, ErrCorrupt
	}
	p := Preview{Format: format, Width: cfg.Width, Height: cfg.Height,
		Text: "image " + strconv.Itoa(cfg.Width) + "×" + strconv.Itoa(cfg.Height)}
	if o.Profile <= colorprofile.ASCII || o.MaxWidth < 1 || o.MaxHeight < 1 {
		return p, nil
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return Preview{}, ErrCorrupt
	}
	px := scale(img, o.MaxWidth, 2*o.MaxHeight)
	p.Cols, p.Rows = px.Rect.Dx(), (px.Rect.Dy()+1)/2
	p.Cells = draw2(px, o.Profile)
	return p, nil
}

// isSVG reports whether data looks like an SVG document.
func isSVG(data []byte) bool {
	head := data[:min(len(data), 1024)]
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	if !bytes.HasPrefix(head, []byte("<")) {
		return false
	}
	return bytes.Contains(bytes.ToLower(head), []byte("<svg"))
}

// scale returns img shrunk to fit w×h pixels, each target pixel the average
// of the source pixels it covers (so thin lines fade instead of vanishing).
// The result is non-premultiplied.
func scale(img image.Image, w, h int) *image.NRGBA {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	f := min(1, float64(w)/float64(sw), float64(h)/float64(sh))
	tw, th := max(1, int(float64(sw)*f+0.5)), max(1, int(float64(sh)*f+0.5))
	tw, th = min(tw, w), min(th, h)

	// Non-premultiplied, as PNG decodes: 8-bit premultiplied pixels would
	// lose precision in faint areas.
	src, ok := img.(*image.NRGBA)
	if !ok || src.Rect.Min != (image.Point{}) {
		src = image.NewNRGBA(image.Rect(0, 0, sw, sh))
		draw.Draw(src, src.Rect, img, b.Min, draw.Src)
	}
	dst := image.NewNRGBA(image.Rect(0, 0, tw, th))
	for y := 0; y < th; y++ {
		y0, y1 := y*sh/th, max((y+1)*sh/th, y*sh/th+1)
		for x := 0; x < tw; x++ {
			x0, x1 := x*sw/tw, max((x+1)*sw/tw, x*sw/tw+1)
			var r, g, bl, a, n uint64
			for sy := y0; sy < y1; sy++ {
				row := src.Pix[sy*src.Stride+x0*4 : sy*src.Stride+x1*4]
				for i := 0; i < len(row); i += 4 {
					pa := uint64(row[i+3]) // weigh each colour by its opacity
					r += uint64(row[i]) * pa
					g += uint64(row[i+1]) * pa
					bl += uint64(row[i+2]) * pa
					a += pa
				}
				n += uint64(x1 - x0)
			}
			o := dst.PixOffset(x, y)
			if a == 0 {
				continue // transparent black
			}
			dst.Pix[o] = uint8((r + a/2) / a)
			dst.Pix[o+1] = uint8((g + a/2) / a)
			dst.Pix[o+2] = uint8((bl + a/2) / a)
			dst.Pix[o+3] = uint8((a + n/2) / n)
		}
	}
	return dst
}

// opaque is the alpha from which a pixel is drawn; fainter ones show the
// terminal's own background.
const opaque = 128

// draw2 draws px two rows per line of cells.
func draw2(px *image.NRGBA, p colorprofile.Profile) string {
	w, h := px.Rect.Dx(), px.Rect.Dy()
	var b strings.Builder
	b.Grow(w * ((h + 1) / 2) * 40)
	at := func(x, y int) (color.NRGBA, bool) {
		if y >= h {
			return color.NRGBA{}, false
		}
		c := px.NRGBAAt(x, y)
		return color.NRGBA{R: c.R, G: c.G, B: c.B, A: 255}, c.A >= opaque
	}
	for y := 0; y < h; y += 2 {
		if y > 0 {
			b.WriteByte('\n')
		}
		for x := 0; x < w; x++ {
			top, hasTop := at(x, y)
			bot, hasBot := at(x, y+1)
			switch {
			case hasTop && hasBot:
				b.WriteString("\x1b[")
				sgr(&b, top, p, true)
				b.WriteByte(';')
				sgr(&b, bot, p, false)
				b.WriteString("m▀")
			case hasTop:
				b.WriteString("\x1b[49;")
				sgr(&b, top, p, true)
				b.WriteString("m▀")
			case hasBot:
				b.WriteString("\x1b[49;")
				sgr(&b, bot, p, true)
				b.WriteString("m▄")
			default:
				b.WriteString("\x1b[m ")
			}
		}
		b.WriteString("\x1b[m")
	}
	return b.String()
}

// sgr writes the SGR parameters setting c as foreground (fg) or background
// in profile p. It converts with x/ansi directly rather than through
// colorprofile, whose package-wide cache would keep every colour of every
// image ever drawn.
func sgr(b *strings.Builder, c color.NRGBA, p colorprofile.Profile, fg bool) {
	num := func(n int) { b.WriteString(strconv.Itoa(n)) }
	switch p {
	case colorprofile.ANSI256:
		if fg {
			b.WriteString("38;5;")
		} else {
			b.WriteString("48;5;")
		}
		num(int(ansi.Convert256(c)))
	case colorprofile.ANSI:
		n := int(ansi.Convert16(c))
		base := 30
		if n >= 8 {
			base, n = 90, n-8
		}
		if !fg {
			base += 10
		}
		num(base + n)
	default:
		if fg {
			b.WriteString("38;2;")
		} else {
			b.WriteString("48;2;")
		}
		num(int(c.R))
		b.WriteByte(';')
		num(int(c.G))
		b.WriteByte(';')
		num(int(c.B))
	}
}
