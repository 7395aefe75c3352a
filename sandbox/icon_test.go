package sandbox

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
)

var (
	pngBytes  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	jpegBytes = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01")
	gifBytes  = []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	svgBytes  = []byte("\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- logo -->\n<!DOCTYPE svg>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8\" height=\"8\"/>")
)

type part struct {
	name, filename, contentType string
	data                        []byte
}

func multipartBody(t *testing.T, parts ...part) (body []byte, contentType string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		disp := `form-data; name="` + p.name + `"`
		if p.filename != "" {
			disp += `; filename="` + p.filename + `"`
		}
		h.Set("Content-Disposition", disp)
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(p.data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), w.FormDataContentType()
}

const tokenJSON = `{"account":{"id":"ACC-1000-0001"},"name":"with logo","modules":[{"id":"MOD-1001"}]}`

func (e *env) postMultipart(parts ...part) reply {
	e.t.Helper()
	body, ct := multipartBody(e.t, parts...)
	return e.send(request{method: "POST", path: createPath, token: testOperator, contentType: ct, body: body})
}

func TestCreateWithIconFile(t *testing.T) {
	tests := []struct {
		name      string
		data      []byte
		ext, mime string
	}{
		{"png", pngBytes, "png", "image/png"},
		{"jpeg", jpegBytes, "jpg", "image/jpeg"},
		{"gif", gifBytes, "gif", "image/gif"},
		{"svg with prolog", svgBytes, "svg", "image/svg+xml"},
		{"svg plain", []byte(`<svg viewBox="0 0 1 1"></svg>`), "svg", "image/svg+xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			// The declared type and file name are deliberately wrong:
			// only the content decides.
			res := e.postMultipart(
				part{name: "token", contentType: "application/json", data: []byte(tokenJSON)},
				part{name: "icon", filename: "logo.bin", contentType: "application/octet-stream", data: tt.data},
			)
			res.want(t, http.StatusCreated)
			o := res.object(t)
			id := o["id"].(string)
			wantIcon := "/v1/accounts/api-tokens/" + id + "/icon." + tt.ext
			if o["icon"] != wantIcon {
				t.Fatalf("icon = %v, want %s", o["icon"], wantIcon)
			}
			recs := e.s.Creates()
			want := CreateRecord{AccountID: contoso, Name: "with logo", Icon: wantIcon, IconBytes: len(tt.data),
				IconContentType: "application/octet-stream", ModuleIDs: []string{"MOD-1001"}, Multipart: true, TokenID: id, Status: 201}
			if len(recs) != 1 || !equalRecord(recs[0], want) {
				t.Errorf("Creates = %+v, want %+v", recs, want)
			}

			for _, path := range []string{wantIcon, "/public" + wantIcon} {
				got := e.get(path)
				got.want(t, http.StatusOK)
				if ct := got.header.Get("Content-Type"); ct != tt.mime {
					t.Errorf("%s: Content-Type = %q", path, ct)
				}
				if got.header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(got.header.Get("Content-Security-Policy"), "sandbox") {
					t.Errorf("%s: missing nosniff/CSP headers: %v", path, got.header)
				}
				if !bytes.Equal(got.body, tt.data) {
					t.Errorf("%s: icon bytes differ", path)
				}
			}
			e.send(request{method: "GET", path: wantIcon}).problem(t, http.StatusUnauthorized)
			wrongExt := "/v1/accounts/api-tokens/" + id + "/icon.bmp"
			e.get(wrongExt).problem(t, http.StatusNotFound)
		})
	}
}

func equalRecord(a, b CreateRecord) bool {
	return a.AccountID == b.AccountID && a.Name == b.Name && a.Icon == b.Icon && a.IconBytes == b.IconBytes &&
		a.IconContentType == b.IconContentType && join(a.ModuleIDs) == join(b.ModuleIDs) &&
		join(a.ExtensionIDs) == join(b.ExtensionIDs) && a.Multipart == b.Multipart && a.TokenID == b.TokenID &&
		a.Status == b.Status && (a.Description == nil) == (b.Description == nil) &&
		(a.Description == nil || *a.Description == *b.Description)
}

func TestCreateMultipartWithoutIcon(t *testing.T) {
	e := newEnv(t)
	res := e.postMultipart(part{name: "token", data: []byte(tokenJSON)})
	res.want(t, http.StatusCreated)
	if o := res.object(t); o["icon"] != nil {
		t.Errorf("icon = %v, want null", o["icon"])
	}
}

func TestCreateMultipartRejections(t *testing.T) {
	tooBig := append(append([]byte{}, pngBytes...), make([]byte, 1<<20)...) // 1 MiB + header
	tests := []struct {
		name   string
		parts  []part
		status int
		paths  string // for 400
	}{
		{"not an image", []part{{name: "token", data: []byte(tokenJSON)}, {name: "icon", filename: "logo.png", contentType: "image/png", data: []byte("hello, I am text")}}, 400, "icon"},
		{"html posing as svg", []part{{name: "token", data: []byte(tokenJSON)}, {name: "icon", filename: "x.svg", data: []byte("<html><svg/></html>")}}, 400, "icon"},
		{"empty icon", []part{{name: "token", data: []byte(tokenJSON)}, {name: "icon", filename: "x.png", data: nil}}, 400, "icon"},
		{"icon over 1 MiB", []part{{name: "token", data: []byte(tokenJSON)}, {name: "icon", filename: "x.png", data: tooBig}}, 400, "icon"},
		{"body over the multipart limit", []part{{name: "token", data: []byte(tokenJSON)}, {name: "icon", filename: "x.png", data: make([]byte, 2<<20)}}, 413, ""},
		{"token part over 64 KiB", []part{{name: "token", data: []byte(`{"name":"` + strings.Repeat("x", 64<<10) + `"}`)}}, 413, ""},
		{"token part missing", []part{{name: "icon", filename: "x.png", data: pngBytes}}, 400, "token"},
		{"token part twice", []part{{name: "token", data: []byte(tokenJSON)}, {name: "token", data: []byte(tokenJSON)}}, 400, "token"},
		{"unknown part", []part{{name: "token", data: []byte(tokenJSON)}, {name: "logo", filename: "x.png", data: pngBytes}}, 400, "logo"},
		{"icon path and file", []part{{name: "token", data: []byte(strings.Replace(tokenJSON, `"name"`, `"icon":"/static/x.png","name"`, 1))}, {name: "icon", filename: "x.png", data: pngBytes}}, 400, "icon"},
		{"token part malformed", []part{{name: "token", data: []byte(`{"account":`)}}, 400, "$"},
		{"token part invalid", []part{{name: "token", data: []byte(`{"account":{"id":"ACC-1000-0001"},"modules":[]}`)}}, 400, "modules,name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			p := e.postMultipart(tt.parts...).problem(t, tt.status)
			if tt.status == 400 {
				if got := join(p.paths()); got != tt.paths {
					t.Errorf("error paths = %s, want %s: %v", got, tt.paths, p.Errors)
				}
			}
			if n := len(e.s.StoredTokens()); n != 0 {
				t.Errorf("%d tokens stored", n)
			}
			if recs := e.s.Creates(); len(recs) != 1 || !recs[0].Multipart || recs[0].Status != tt.status {
				t.Errorf("Creates = %+v", recs)
			}
		})
	}
}

func TestCreateIconRecordSizes(t *testing.T) {
	e := newEnv(t)
	big := append(append([]byte{}, pngBytes...), make([]byte, 1<<20)...)
	e.postMultipart(part{name: "token", data: []byte(tokenJSON)}, part{name: "icon", filename: "x.png", contentType: "image/png", data: big}).
		problem(t, http.StatusBadRequest)
	recs := e.s.Creates()
	if len(recs) != 1 || recs[0].IconBytes != len(big) || recs[0].IconContentType != "image/png" || recs[0].Name != "with logo" {
		t.Errorf("Creates = %+v (want IconBytes %d)", recs, len(big))
	}
}

func TestMultipartWithoutBoundary(t *testing.T) {
	e := newEnv(t)
	p := e.send(request{method: "POST", path: createPath, token: testOperator, contentType: "multipart/form-data", body: []byte("x")}).
		problem(t, http.StatusBadRequest)
	if join(p.paths()) != "$" {
		t.Errorf("errors = %v", p.Errors)
	}
}

func TestSniffImage(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{string(pngBytes), "image/png"},
		{string(jpegBytes), "image/jpeg"},
		{"GIF87a....", "image/gif"},
		{string(svgBytes), "image/svg+xml"},
		{`  <svg xmlns="http://www.w3.org/2000/svg"/>`, "image/svg+xml"},
		{`<svg:svg xmlns:svg="http://www.w3.org/2000/svg"/>`, "image/svg+xml"},
		{`<svgfoo/>`, ""},
		{`text <svg/>`, ""},
		{`<html/>`, ""},
		{`<x:svg xmlns:x="urn:other"/>`, ""},
		{"\x89PNG", ""},
		{"", ""},
		{"BM....", ""},
	}
	for _, tt := range tests {
		if got, _ := sniffImage([]byte(tt.in)); got != tt.want {
			t.Errorf("sniffImage(%.20q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
