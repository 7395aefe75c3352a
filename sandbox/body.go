package sandbox

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
)

// Body limits, as agreed with the client.
const (
	maxJSONBody      = 64 << 10
	maxIconBytes     = 1 << 20
	maxMultipartBody = maxIconBytes + maxJSONBody
)

// createInput is a create request's body, read and shape-checked.
type createInput struct {
	dto       *createDTO  // nil when the body held no DTO
	errs      fieldErrors // shape failures so far
	multipart bool

	// status and detail are set for failures answered without validation
	// details (413, 415): nothing else is reported then.
	status int
	detail string

	hasIcon      bool   // an icon part was sent
	icon         []byte // its bytes, when no larger than maxIconBytes
	iconSize     int
	iconDeclared string // the Content-Type the client gave the part
	iconType     string // the sniffed media type; "" when not an image
	iconExt      string
}

func isMultipart(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

func isJSONMediaType(mt string) bool {
	return mt == "application/json" || mt == "text/json" ||
		(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

// readCreate reads a create body: JSON, or multipart with a "token" JSON
// part and an optional "icon" file part. w is only used to tell the server
// to close the connection after an oversized body.
func readCreate(w http.ResponseWriter, r *http.Request) *createInput {
	in := &createInput{errs: fieldErrors{}}
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	switch {
	case ct == "" || err != nil:
		return in.fail(http.StatusUnsupportedMediaType, "Send the token as application/json, or as multipart/form-data with a token part and an optional icon part.")
	case isJSONMediaType(mt):
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
			return in.fail(http.StatusUnsupportedMediaType, "The request body must be encoded as UTF-8, not "+cs+".")
		}
		if r.ContentLength > maxJSONBody {
			return in.tooLarge("The JSON body must be at most 64 KiB.")
		}
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
		if err != nil {
			if isTooLarge(err) {
				return in.tooLarge("The JSON body must be at most 64 KiB.")
			}
			in.errs.add("$", "The request body could not be read.")
			return in
		}
		in.parse(data)
		return in
	case mt == "multipart/form-data":
		in.multipart = true
		boundary := params["boundary"]
		if boundary == "" {
			in.errs.add("$", "The multipart body has no boundary parameter.")
			return in
		}
		if r.ContentLength > maxMultipartBody {
			return in.tooLarge("The multipart body must be at most 1 MiB + 64 KiB.")
		}
		in.readMultipart(multipart.NewReader(http.MaxBytesReader(w, r.Body, maxMultipartBody), boundary))
		return in
	}
	return in.fail(http.StatusUnsupportedMediaType, "The content type "+mt+" is not supported: send application/json, or multipart/form-data with a token part and an optional icon part.")
}

func (in *createInput) fail(status int, detail string) *createInput {
	in.status, in.detail = status, detail
	return in
}

func (in *createInput) tooLarge(detail string) *createInput {
	return in.fail(http.StatusRequestEntityTooLarge, detail)
}

func isTooLarge(err error) bool {
	var tl *http.MaxBytesError
	return errors.As(err, &tl)
}

func (in *createInput) parse(data []byte) {
	doc, msg := decodeJSON(data)
	if msg != "" {
		in.errs.add("$", msg)
		return
	}
	in.dto = parseDTO(doc, in.errs)
}

func (in *createInput) readMultipart(mr *multipart.Reader) {
	var sawToken bool
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if isTooLarge(err) {
				in.tooLarge("The multipart body must be at most 1 MiB + 64 KiB.")
				return
			}
			in.errs.add("$", "The multipart body is malformed.")
			return
		}
		name := part.FormName()
		countIcon := false
		switch name {
		case "token":
			if sawToken {
				in.errs.add("token", "The token part is given more than once.")
				break
			}
			sawToken = true
			data, big, err := readPart(part, maxJSONBody)
			switch {
			case isTooLarge(err):
				in.tooLarge("The multipart body must be at most 1 MiB + 64 KiB.")
				return
			case big:
				in.tooLarge("The token part must be at most 64 KiB.")
				return
			case err != nil:
				in.errs.add("$", "The multipart body is malformed.")
				return
			}
			in.parse(data)
		case "icon":
			if in.hasIcon {
				in.errs.add("icon", "The icon part is given more than once.")
				break
			}
			in.hasIcon, countIcon = true, true
			in.iconDeclared = part.Header.Get("Content-Type")
			data, big, err := readPart(part, maxIconBytes)
			switch {
			case isTooLarge(err):
				in.tooLarge("The multipart body must be at most 1 MiB + 64 KiB.")
				return
			case err != nil:
				in.errs.add("$", "The multipart body is malformed.")
				return
			}
			in.iconSize = len(data)
			switch {
			case big:
				in.errs.add("icon", fmt.Sprintf("The icon file must be at most 1 MiB (%d bytes).", maxIconBytes))
			case len(data) == 0:
				in.errs.add("icon", "The icon file is empty.")
			default:
				in.icon = data
				in.iconType, in.iconExt = sniffImage(data)
				if in.iconType == "" {
					in.errs.add("icon", "The icon file must be a PNG, JPEG, GIF or SVG image.")
				}
			}
		default:
			path := name
			if path == "" {
				path = "$"
			}
			in.errs.add(path, fmt.Sprintf("The multipart part %q is not expected: send a token part and an optional icon part.", name))
		}
		// Drain what is left of the part, so an oversized body is caught
		// by the overall limit whichever part carries the excess.
		n, err := io.Copy(io.Discard, part)
		if countIcon {
			in.iconSize += int(n)
		}
		if err != nil {
			if isTooLarge(err) {
				in.tooLarge("The multipart body must be at most 1 MiB + 64 KiB.")
			} else {
				in.errs.add("$", "The multipart body is malformed.")
			}
			return
		}
	}
	if !sawToken {
		in.errs.add("token", "The token part is required: it carries the token as JSON.")
	}
	if in.dto != nil && in.dto.icon != nil && in.hasIcon {
		in.errs.add("icon", "Send either an icon path in the token part or an icon file, not both.")
	}
}

// readPart reads a part up to one byte past limit; big reports that it
// went past.
func readPart(p io.Reader, limit int64) (data []byte, big bool, err error) {
	data, err = io.ReadAll(io.LimitReader(p, limit+1))
	return data, int64(len(data)) > limit, err
}

// readJSONBody reads a JSON body of at most maxJSONBody bytes. A non-zero
// status is a failure answered with detail alone (413, 415).
func readJSONBody(w http.ResponseWriter, r *http.Request) (data []byte, status int, detail string) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !isJSONMediaType(mt) {
		return nil, http.StatusUnsupportedMediaType, "Send the body as application/json."
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return nil, http.StatusUnsupportedMediaType, "The request body must be encoded as UTF-8, not " + cs + "."
	}
	const tooLarge = "The JSON body must be at most 64 KiB."
	if r.ContentLength > maxJSONBody {
		w.Header().Set("Connection", "close")
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	}
	data, err = io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil {
		if isTooLarge(err) {
			return nil, http.StatusRequestEntityTooLarge, tooLarge
		}
		return nil, http.StatusBadRequest, "The request body could not be read."
	}
	return data, 0, ""
}
