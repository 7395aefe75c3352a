package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// maxJSONDepth bounds nesting; the DTO is three levels deep.
const maxJSONDepth = 32

// jsonDoc is a decoded body: map[string]any, []any, string, json.Number,
// bool or nil, plus the paths of keys given more than once.
type jsonDoc struct {
	root any
	dups []string
}

// decodeJSON decodes one JSON value token by token. A failure comes back as
// the message for the "$" path (a string: error values are lower case). Doing it by hand (rather
// than into a struct) keeps exact key spelling, so "Name" is an unknown
// field instead of an alias of "name" as encoding/json would have it, and
// lets duplicate keys be reported instead of silently taking the last.
func decodeJSON(data []byte) (jsonDoc, string) {
	if len(bytes.TrimSpace(data)) == 0 {
		return jsonDoc{}, "A non-empty request body is required."
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc jsonDoc
	root, err := decodeValue(dec, "", 0, &doc.dups)
	if err != nil {
		return jsonDoc{}, malformed(err, dec)
	}
	if _, err := dec.Token(); err != io.EOF {
		return jsonDoc{}, fmt.Sprintf("The JSON body has unexpected data after its end, at byte %d.", dec.InputOffset())
	}
	doc.root = root
	return doc, ""
}

func malformed(err error, dec *json.Decoder) string {
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("The JSON body is malformed at byte %d: %s.", syn.Offset, syn.Error())
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("The JSON body ends unexpectedly at byte %d.", dec.InputOffset())
	}
	return fmt.Sprintf("The JSON body is malformed at byte %d: %s.", dec.InputOffset(), err.Error())
}

func decodeValue(dec *json.Decoder, path string, depth int, dups *[]string) (any, error) {
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("nesting deeper than %d levels", maxJSONDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := map[string]any{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := kt.(string) // the decoder only yields string keys
				child := joinPath(path, key)
				v, err := decodeValue(dec, child, depth+1, dups)
				if err != nil {
					return nil, err
				}
				if _, dup := obj[key]; dup {
					*dups = append(*dups, child)
				}
				obj[key] = v
			}
			if _, err := dec.Token(); err != nil { // '}'
				return nil, err
			}
			return obj, nil
		case '[':
			arr := []any{}
			for i := 0; dec.More(); i++ {
				v, err := decodeValue(dec, indexPath(path, i), depth+1, dups)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return nil, err
			}
			return arr, nil
		}
		return nil, fmt.Errorf("unexpected %q", t)
	default:
		return t, nil // string, json.Number, bool or nil
	}
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func indexPath(parent string, i int) string {
	return parent + "[" + strconv.Itoa(i) + "]"
}

// jsonKind names a decoded value's JSON type for messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "unknown"
}
