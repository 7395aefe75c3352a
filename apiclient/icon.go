package apiclient

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
)

// IconInfo describes an icon image.
type IconInfo struct {
	Format string // "PNG", "JPEG", "GIF" or "SVG"
	// Width and Height are in pixels; 0 when unknown (an SVG without a
	// size or viewBox, or with relative units).
	Width, Height int
	Bytes         int // size of the file
}

// Icon formats.
const (
	IconPNG  = "PNG"
	IconJPEG = "JPEG"
	IconGIF  = "GIF"
	IconSVG  = "SVG"
)

// fullDecodePixels is the most pixels an icon may have; every accepted
// image is decoded in full (to catch corrupt pixel data), which this bounds.
const fullDecodePixels = 2048 * 2048

// formatContentType is the media type of an icon format.
func formatContentType(format string) string {
	switch format {
	case IconPNG:
		return "image/png"
	case IconJPEG:
		return "image/jpeg"
	case IconGIF:
		return "image/gif"
	case IconSVG:
		return "image/svg+xml"
	}
	return "application/octet-stream"
}

// ReadIcon reads an icon file for a new token. It refuses, with a message for
// a person, directories, FIFOs, devices and sockets (a FIFO is never opened:
// it would block), files larger than [MaxIconBytes], and anything that is not
// a complete PNG, JPEG, GIF or SVG image: the content is sniffed, the file
// name's extension does not matter.
func ReadIcon(path string) (*Icon, IconInfo, error) {
	name := displayName(path)
	fi, err := os.Stat(path)
	if err != nil {
		return nil, IconInfo{}, fileError(name, err)
	}
	if err := checkIconFile(name, fi); err != nil {
		return nil, IconInfo{}, err
	}
	// O_NONBLOCK (where there is one): should the file have been swapped for
	// a FIFO since the Stat, opening it still does not block.
	f, err := os.OpenFile(path, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, IconInfo{}, fileError(name, err)
	}
	defer f.Close()
	fi2, err := f.Stat()
	if err != nil {
		return nil, IconInfo{}, fileError(name, err)
	}
	if err := checkIconFile(name, fi2); err != nil {
		return nil, IconInfo{}, err
	}
	if !os.SameFile(fi, fi2) {
		return nil, IconInfo{}, fmt.Errorf("%s changed while it was being read; try again", name)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxIconBytes+1))
	if err != nil {
		return nil, IconInfo{}, fileError(name, err)
	}
	if len(data) > MaxIconBytes {
		return nil, IconInfo{}, tooBig(name, max(int64(len(data)), fi2.Size()))
	}
	return InspectIcon(filepath.Base(path), data)
}

func checkIconFile(name string, fi fs.FileInfo) error {
	switch m := fi.Mode(); {
	case m.IsDir():
		return fmt.Errorf("%s is a directory, not an image file", name)
	case m&fs.ModeNamedPipe != 0:
		return fmt.Errorf("%s is a named pipe (FIFO), not an image file", name)
	case m&(fs.ModeDevice|fs.ModeCharDevice) != 0:
		return fmt.Errorf("%s is a device, not an image file", name)
	case m&fs.ModeSocket != 0:
		return fmt.Errorf("%s is a socket, not an image file", name)
	case !m.IsRegular():
		return fmt.Errorf("%s is not a regular file", name)
	case fi.Size() > MaxIconBytes:
		return tooBig(name, fi.Size())
	}
	return nil
}

func fileError(name string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s does not exist", name)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%s cannot be read: permission denied", name)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("%s cannot be read: %s", name, sanitize(err.Error(), 200))
}

// displayName is a file's base name, safe to show.
func displayName(path string) string {
	name := sanitize(filepath.Base(path), 80)
	if name == "" || name == "." || name == string(filepath.Separator) {
		return "the icon"
	}
	return name
}

func tooBig(name string, n int64) error {
	size, limit := FormatSize(n), FormatSize(MaxIconBytes)
	if size == limit {
		size, limit = strconv.FormatInt(n, 10)+" bytes", strconv.Itoa(MaxIconBytes)+" bytes ("+limit+")"
	}
	return fmt.Errorf("%s is %s; the limit is %s", name, size, limit)
}

// FormatSize writes a size for a person in binary units, the one way sizes
// are written everywhere in apitoken: "512 bytes", "3.2 KiB", "1 MiB".
func FormatSize(n int64) string {
	trim := func(f float64, unit string) string {
		return strings.TrimSuffix(strconv.FormatFloat(f, 'f', 1, 64), ".0") + " " + unit
	}
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + " bytes"
	case n < 1<<20:
		return trim(float64(n)/1024, "KiB")
	default:
		return trim(float64(n)/(1<<20), "MiB")
	}
}

// InspectIcon checks icon data (from a file called name) and describes it:
// the format is sniffed from the content (PNG, JPEG and GIF magic numbers, an
// <svg> root element), the pixel size read, and truncated or corrupt images
// refused.
func InspectIcon(name string, data []byte) (*Icon, IconInfo, error) {
	shown := displayName(name)
	if name == "" {
		shown = "the icon"
	}
	info := IconInfo{Bytes: len(data)}
	switch {
	case len(data) == 0:
		return nil, info, fmt.Errorf("%s is empty", shown)
	case len(data) > MaxIconBytes:
		return nil, info, tooBig(shown, int64(len(data)))
	}
	var err error
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		info.Format = IconPNG
		info.Width, info.Height, err = checkPNG(data)
	case bytes.HasPrefix(data, []byte{0xff, 0xd8, 0xff}):
		info.Format = IconJPEG
		info.Width, info.Height, err = checkJPEG(data)
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		info.Format = IconGIF
		info.Width, info.Height, err = checkGIF(data)
	default:
		var isSVG bool
		isSVG, info.Width, info.Height, err = checkSVG(data)
		if !isSVG {
			return nil, info, notAnImage(shown, data)
		}
		info.Format = IconSVG
	}
	var refused refusal
	switch {
	case errors.As(err, &refused):
		return nil, info, fmt.Errorf("%s is refused: %s", shown, string(refused))
	case err != nil:
		return nil, info, fmt.Errorf("%s is a truncated or corrupt %s image (%s)", shown, info.Format, sanitize(err.Error(), 120))
	}
	icon := &Icon{
		Filename:    filepath.Base(filepath.ToSlash(name)),
		ContentType: formatContentType(info.Format),
		Data:        data,
	}
	if name == "" || icon.Filename == "." || icon.Filename == "/" {
		icon.Filename = "icon." + strings.ToLower(info.Format)
	}
	return icon, info, nil
}

func notAnImage(name string, data []byte) error {
	err := fmt.Errorf("%s is not a PNG, JPEG, GIF or SVG image", name)
	switch ct := http.DetectContentType(data); {
	case strings.HasPrefix(ct, "image/"):
		return fmt.Errorf("%w (it looks like %s, which the API does not take)", err, strings.TrimPrefix(ct, "image/"))
	case strings.HasPrefix(ct, "text/html"):
		return fmt.Errorf("%w (it looks like an HTML page)", err)
	case strings.HasPrefix(ct, "application/pdf"):
		return fmt.Errorf("%w (it looks like a PDF document)", err)
	}
	return err
}

// refusal is an image that is well-formed but not acceptable as an icon;
// its text says why, for a person.
type refusal string

func (r refusal) Error() string { return string(r) }

// MaxIconSide is the largest width or height of an icon, in pixels; an icon
// also has at most 2048 × 2048 pixels in all. A header claiming more is
// refused before any pixel is decoded.
const MaxIconSide = 4096

// checkDimensions refuses a size no icon needs, from the header alone.
func checkDimensions(w, h int) error {
	if w <= 0 || h <= 0 || w > MaxIconSide || h > MaxIconSide || w*h > fullDecodePixels {
		return refusal(fmt.Sprintf("it claims %d × %d pixels; an icon may be at most %d pixels on a side and %d × %d in all", w, h, MaxIconSide, 2048, 2048))
	}
	return nil
}

// trailing refuses bytes after an image's end: a file that is an image and
// something else at once (a polyglot) is not an icon.
func trailing(format string, n int) error {
	return refusal(fmt.Sprintf("%d bytes follow the end of the %s image; save the image again without them", n, format))
}

// checkPNG reads the size from the header (refusing huge claims before
// decoding), walks the chunks (lengths, CRCs, IEND last) and decodes the
// pixels.
func checkPNG(data []byte) (w, h int, err error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, 0, err
	}
	if err := checkDimensions(cfg.Width, cfg.Height); err != nil {
		return cfg.Width, cfg.Height, err
	}
	if err := walkPNG(data); err != nil {
		return cfg.Width, cfg.Height, err
	}
	if _, err := png.Decode(bytes.NewReader(data)); err != nil {
		return cfg.Width, cfg.Height, err
	}
	return cfg.Width, cfg.Height, nil
}

func walkPNG(data []byte) error {
	p := data[8:]
	for {
		if len(p) < 12 {
			return io.ErrUnexpectedEOF
		}
		n := binary.BigEndian.Uint32(p)
		if uint64(n) > uint64(len(p)-12) {
			return io.ErrUnexpectedEOF
		}
		typ := p[4:8]
		if crc32.ChecksumIEEE(p[4:8+n]) != binary.BigEndian.Uint32(p[8+n:]) {
			return fmt.Errorf("bad checksum in chunk %q", sanitize(string(typ), 4))
		}
		if string(typ) == "IEND" {
			if rest := len(p) - int(12+n); rest > 0 {
				return trailing(IconPNG, rest)
			}
			return nil
		}
		p = p[12+n:]
	}
}

// checkJPEG reads the size from the header (refusing huge claims) and
// decodes the image.
func checkJPEG(data []byte) (w, h int, err error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, 0, err
	}
	if err := checkDimensions(cfg.Width, cfg.Height); err != nil {
		return cfg.Width, cfg.Height, err
	}
	_, err = jpeg.Decode(bytes.NewReader(data))
	return cfg.Width, cfg.Height, err
}

// checkGIF reads the size, walks the blocks to the trailer and decodes the
// first frame.
func checkGIF(data []byte) (w, h int, err error) {
	cfg, err := gif.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, 0, err
	}
	if err := checkDimensions(cfg.Width, cfg.Height); err != nil {
		return cfg.Width, cfg.Height, err
	}
	if err := walkGIF(data); err != nil {
		return cfg.Width, cfg.Height, err
	}
	if _, err := gif.Decode(bytes.NewReader(data)); err != nil {
		return cfg.Width, cfg.Height, err
	}
	return cfg.Width, cfg.Height, nil
}

func walkGIF(data []byte) error {
	if len(data) < 13 {
		return io.ErrUnexpectedEOF
	}
	p := 13
	if data[10]&0x80 != 0 {
		p += 3 << (data[10]&7 + 1)
	}
	subBlocks := func() error {
		for {
			if p >= len(data) {
				return io.ErrUnexpectedEOF
			}
			n := int(data[p])
			p++
			if n == 0 {
				return nil
			}
			p += n
		}
	}
	frames := 0
	for {
		if p >= len(data) {
			return io.ErrUnexpectedEOF
		}
		switch data[p] {
		case 0x3b: // trailer
			if frames == 0 {
				return errors.New("no image in it")
			}
			if rest := len(data) - p - 1; rest > 0 {
				return trailing(IconGIF, rest)
			}
			return nil
		case 0x21: // extension
			p += 2
			if err := subBlocks(); err != nil {
				return err
			}
		case 0x2c: // image
			if p+10 > len(data) {
				return io.ErrUnexpectedEOF
			}
			flags := data[p+9]
			p += 10
			if flags&0x80 != 0 {
				p += 3 << (flags&7 + 1)
			}
			p++ // LZW minimum code size
			if err := subBlocks(); err != nil {
				return err
			}
			frames++
		default:
			return fmt.Errorf("unexpected block 0x%02x", data[p])
		}
	}
}

// checkSVG reports whether data is an XML document whose root element is
// <svg>, and its size from width/height (px or unitless) or the viewBox. err
// is set for an SVG that is not well-formed (truncated, for instance).
func checkSVG(data []byte) (isSVG bool, w, h int, err error) {
	t := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	t = bytes.TrimLeft(t, " \t\r\n")
	if len(t) == 0 || t[0] != '<' {
		return false, 0, 0, nil
	}
	d := xml.NewDecoder(bytes.NewReader(t))
	d.Strict = true
	d.CharsetReader = func(charset string, r io.Reader) (io.Reader, error) {
		switch strings.ToLower(charset) {
		case "us-ascii", "ascii", "utf8":
			return r, nil
		}
		return nil, fmt.Errorf("unsupported encoding %q", sanitize(charset, 30))
	}
	root := false
	for {
		tok, terr := d.Token()
		if terr == io.EOF {
			if !root {
				return false, 0, 0, nil
			}
			return true, w, h, nil
		}
		if terr != nil {
			if !root {
				return false, 0, 0, nil
			}
			return true, w, h, terr
		}
		if root {
			if err := activeSVG(tok); err != nil {
				return true, w, h, err
			}
			continue
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local != "svg" {
				return false, 0, 0, nil
			}
			root = true
			w, h = svgSize(tok.Attr)
			if err := activeSVG(tok); err != nil {
				return true, w, h, err
			}
		case xml.CharData:
			if len(bytes.TrimSpace(tok)) > 0 {
				return false, 0, 0, nil
			}
		}
	}
}

func svgSize(attrs []xml.Attr) (w, h int) {
	var width, height, viewBox string
	for _, a := range attrs {
		if a.Name.Space != "" {
			continue
		}
		switch a.Name.Local {
		case "width":
			width = a.Value
		case "height":
			height = a.Value
		case "viewBox":
			viewBox = a.Value
		}
	}
	w, h = svgLength(width), svgLength(height)
	if w > 0 && h > 0 {
		return w, h
	}
	f := strings.FieldsFunc(viewBox, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' || r == '\r' })
	if len(f) == 4 {
		vw, err1 := strconv.ParseFloat(f[2], 64)
		vh, err2 := strconv.ParseFloat(f[3], 64)
		if err1 == nil && err2 == nil && vw > 0 && vh > 0 && vw < 1e6 && vh < 1e6 {
			return int(math.Round(vw)), int(math.Round(vh))
		}
	}
	return 0, 0
}

// svgLength reads "64" or "64px"; other units give 0.
func svgLength(s string) int {
	s = strings.TrimSuffix(strings.TrimSpace(s), "px")
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 || v >= 1e6 || math.IsNaN(v) {
		return 0
	}
	return int(math.Round(v))
}

// activeSVG refuses what would run when the icon is shown: a script or
// foreignObject element, an event handler attribute (onload, onclick…), a
// javascript: or vbscript: URL in any attribute or style, and a
// processing instruction or DOCTYPE (entities could hide either).
func activeSVG(tok xml.Token) error {
	switch tok := tok.(type) {
	case xml.StartElement:
		switch strings.ToLower(tok.Name.Local) {
		case "script", "foreignobject", "iframe", "embed", "object", "handler", "listener":
			return refusal(fmt.Sprintf("the SVG has a <%s> element, which could run code when the icon is shown; remove it", sanitize(tok.Name.Local, 30)))
		}
		for _, a := range tok.Attr {
			if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") {
				return refusal(fmt.Sprintf("the SVG has an event handler (%s), which could run code when the icon is shown; remove it", sanitize(a.Name.Local, 30)))
			}
			if scriptURL(a.Value) {
				return refusal(fmt.Sprintf("the SVG's %s attribute holds a script URL; remove it", sanitize(a.Name.Local, 30)))
			}
		}
	case xml.CharData:
		if scriptURL(string(tok)) {
			return refusal("the SVG holds a script URL (javascript:); remove it")
		}
	case xml.Directive:
		return refusal("the SVG has a DOCTYPE or other declaration; save it without one")
	case xml.ProcInst:
		if !strings.EqualFold(tok.Target, "xml") {
			return refusal("the SVG has a processing instruction; save it without one")
		}
	}
	return nil
}

// scriptURL reports text holding a javascript: or vbscript: URL, however
// it is spaced or cased (browsers drop white space and controls in a URL's
// scheme).
func scriptURL(s string) bool {
	squeezed := strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
	return strings.Contains(squeezed, "javascript:") || strings.Contains(squeezed, "vbscript:")
}
