package apiclient

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

func testImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 40), uint8(y * 40), 200, 255})
		}
	}
	return img
}

func tinyPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, testImage(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func tinyJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(w, h), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func tinyGIF(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, testImage(w, h), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const tinySVG = `<?xml version="1.0" encoding="UTF-8"?>
<!-- a logo -->
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" width="48px" height="32" viewBox="0 0 10 10"><rect width="10" height="10" fill="red"/></svg>
`

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadIconFormats(t *testing.T) {
	cases := []struct {
		name   string
		data   []byte
		format string
		ct     string
		w, h   int
	}{
		{"logo.png", tinyPNG(t, 3, 2), "PNG", "image/png", 3, 2},
		{"logo.jpg", tinyJPEG(t, 5, 4), "JPEG", "image/jpeg", 5, 4},
		{"logo.gif", tinyGIF(t, 2, 7), "GIF", "image/gif", 2, 7},
		{"logo.svg", []byte(tinySVG), "SVG", "image/svg+xml", 48, 32},
		{"vb.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0,0,64.4,20"/>`), "SVG", "image/svg+xml", 64, 20},
		{"rel.svg", []byte("\ufeff  <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\"></svg>"), "SVG", "image/svg+xml", 0, 0},
		{"no-extension", tinyPNG(t, 1, 1), "PNG", "image/png", 1, 1},
		{"actually-png.gif", tinyPNG(t, 1, 1), "PNG", "image/png", 1, 1},
	}
	for _, tc := range cases {
		icon, info, err := ReadIcon(writeFile(t, tc.name, tc.data))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if info.Format != tc.format || info.Width != tc.w || info.Height != tc.h || info.Bytes != len(tc.data) {
			t.Errorf("%s: info %+v", tc.name, info)
		}
		if icon.Filename != tc.name || icon.ContentType != tc.ct || !bytes.Equal(icon.Data, tc.data) {
			t.Errorf("%s: icon %q %q", tc.name, icon.Filename, icon.ContentType)
		}
	}
}

func TestReadIconRejects(t *testing.T) {
	pngData := tinyPNG(t, 16, 16)
	jpegData := tinyJPEG(t, 16, 16)
	gifData := tinyGIF(t, 16, 16)
	corruptPNG := bytes.Clone(pngData)
	corruptPNG[len(corruptPNG)/2] ^= 0xff
	big := append(bytes.Clone(pngData), make([]byte, 3355443-len(pngData))...)
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"notes.txt", []byte("just some notes\n"), "notes.txt is not a PNG, JPEG, GIF or SVG image"},
		{"empty.png", nil, "empty.png is empty"},
		{"trunc.png", pngData[:len(pngData)-20], "trunc.png is a truncated or corrupt PNG image"},
		{"header-only.png", pngData[:40], "truncated or corrupt PNG"},
		{"corrupt.png", corruptPNG, "truncated or corrupt PNG"},
		{"trunc.jpg", jpegData[:len(jpegData)/2], "truncated or corrupt JPEG"},
		{"trunc.gif", gifData[:len(gifData)-10], "truncated or corrupt GIF"},
		{"magic.png", []byte("\x89PNX\r\n\x1a\n0000"), "not a PNG, JPEG, GIF or SVG image"},
		{"page.svg", []byte("<html><body>no</body></html>"), "not a PNG, JPEG, GIF or SVG image (it looks like an HTML page)"},
		{"trunc.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><g>`), "truncated or corrupt SVG"},
		{"entity.svg", []byte(`<svg>&xxe;</svg>`), "truncated or corrupt SVG"},
		{"latin1.svg", []byte(`<?xml version="1.0" encoding="ISO-8859-1"?><svg/>`), "not a PNG, JPEG, GIF or SVG image"},
		{"logo.png", big, "logo.png is 3.2 MiB; the limit is 1 MiB"},
		{"exact.png", append(bytes.Clone(pngData), make([]byte, MaxIconBytes+1-len(pngData))...), "1048577 bytes; the limit is 1048576 bytes (1 MiB)"},
		{"bmp.png", append([]byte("BM"), make([]byte, 60)...), "it looks like bmp"},
		{"evil\x1b[31m.txt", []byte("x"), "evil.txt is not"},
	}
	for _, tc := range cases {
		_, _, err := ReadIcon(writeFile(t, tc.name, tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
			continue
		}
		assertOneCleanLine(t, err.Error())
		if _, _, err2 := InspectIcon(tc.name, tc.data); err2 == nil {
			t.Errorf("%s: InspectIcon accepted it", tc.name)
		}
	}
}

func TestReadIconSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := ReadIcon(dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: %v", err)
	}
	if _, _, err := ReadIcon(filepath.Join(dir, "missing.png")); err == nil || !strings.Contains(err.Error(), "missing.png does not exist") {
		t.Errorf("missing: %v", err)
	}
	if runtime.GOOS != "windows" {
		if _, _, err := ReadIcon("/dev/null"); err == nil || !strings.Contains(err.Error(), "device") {
			t.Errorf("/dev/null: %v", err)
		}
	}
}

func TestReadIconFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pipe.png")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := ReadIcon(p)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "pipe.png is a named pipe") {
			t.Errorf("fifo: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadIcon blocked on a FIFO")
	}
	// A symbolic link to the FIFO is refused too.
	link := filepath.Join(t.TempDir(), "link.png")
	if err := os.Symlink(p, link); err == nil {
		if _, _, err := ReadIcon(link); err == nil {
			t.Error("symlink to a FIFO accepted")
		}
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 bytes", 1023: "1023 bytes", 1024: "1 KiB", 1536: "1.5 KiB", 1 << 20: "1 MiB", 3355443: "3.2 MiB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// pngChunk is one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// TestInspectIconHardening: polyglots, huge claimed sizes and active SVG
// content are refused with a message that says why.
func TestInspectIconHardening(t *testing.T) {
	// A PNG header claiming 100 000 × 100 000 pixels, with no pixels.
	ihdr := binary.BigEndian.AppendUint32(nil, 100000)
	ihdr = binary.BigEndian.AppendUint32(ihdr, 100000)
	ihdr = append(ihdr, 8, 6, 0, 0, 0)
	huge := append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
	huge = append(huge, pngChunk("IDAT", nil)...)
	huge = append(huge, pngChunk("IEND", nil)...)

	zip := []byte("PK\x03\x04 a zip archive after the image")
	for _, tt := range []struct {
		name, want string
		data       []byte
	}{
		{"png with trailing data", "follow the end of the PNG", append(tinyPNG(t, 4, 4), zip...)},
		{"gif with trailing data", "follow the end of the GIF", append(tinyGIF(t, 4, 4), zip...)},
		{"png claiming 100000x100000", "100000 × 100000", huge},
		{"png too wide", "pixels on a side", tinyPNG(t, MaxIconSide+1, 1)},
		{"svg script", "<script>", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)},
		{"svg nested script", "<SCRIPT>", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><g><g><SCRIPT href="x.js"/></g></g></svg>`)},
		{"svg onload", "event handler (onload)", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`)},
		{"svg onclick deep", "event handler (OnClick)", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><rect OnClick="x"/></svg>`)},
		{"svg javascript href", "script URL", []byte(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href=" Java&#x09;Script:alert(1)"><rect/></a></svg>`)},
		{"svg javascript in style", "script URL", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><style>rect{background:url(javascript:alert(1))}</style></svg>`)},
		{"svg foreignObject", "<foreignObject>", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>`)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := InspectIcon("logo", tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "refused") {
				t.Errorf("err = %v, want it to say %q", err, tt.want)
			}
		})
	}
	// The huge claim is refused before decoding: no allocation for its pixels.
	allocs := testing.AllocsPerRun(5, func() { _, _, _ = InspectIcon("logo", huge) })
	if allocs > 100 {
		t.Errorf("%v allocations for a header-only refusal", allocs)
	}
	// Clean images still pass.
	for _, ok := range [][]byte{tinyPNG(t, 64, 64), tinyGIF(t, 16, 16), tinyJPEG(t, 32, 32),
		[]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" opacity="0.5"><rect offset="1"/></svg>`)} {
		if _, _, err := InspectIcon("logo", ok); err != nil {
			t.Errorf("clean image refused: %v", err)
		}
	}
}
