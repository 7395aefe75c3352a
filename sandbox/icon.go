package sandbox

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
)

// sniffImage identifies an icon by its content, never by its name or the
// declared type: PNG, JPEG and GIF by magic bytes, SVG by its root element.
func sniffImage(b []byte) (mediaType, ext string) {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png", "png"
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "image/jpeg", "jpg"
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return "image/gif", "gif"
	case isSVG(b):
		return "image/svg+xml", "svg"
	}
	return "", ""
}

// isSVG reports whether the document's root element is <svg>, skipping a
// byte order mark, the XML declaration, comments and a doctype.
func isSVG(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t.Name.Local == "svg" && (t.Name.Space == "" || t.Name.Space == "http://www.w3.org/2000/svg")
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return false
			}
		}
	}
}

// getTokenIcon serves an uploaded icon at the path the API handed out.
// SVG can carry script, so icons go out with a CSP that forbids it and
// without content sniffing.
func (s *Server) getTokenIcon(x *exchange, id, name string) {
	var data []byte
	var mediaType, ext, account string
	s.mu.RLock()
	if t := s.tokens[id]; t != nil {
		data, mediaType, ext, account = t.iconData, t.iconType, t.iconExt, t.accountID
	}
	s.mu.RUnlock()
	if data == nil || name != "icon."+ext {
		x.fail(http.StatusNotFound, "This token has no such icon.")
		return
	}
	if !x.who.canSee(account) {
		x.fail(http.StatusForbidden, "This token belongs to another account.")
		return
	}
	h := x.w.Header()
	h.Set("Content-Type", mediaType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	h.Set("Cache-Control", "private, max-age=3600")
	x.w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(x.w, bytes.NewReader(data))
}
