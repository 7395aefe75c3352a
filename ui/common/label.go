package common

import "github.com/softwareone/apitoken/internal/textsafe"

// TokenLabel names a token in a sentence, made safe to draw: “name” (id),
// or the id alone for a token without a name.
func TokenLabel(name, id string) string {
	n, i := textsafe.Line(name, 60), textsafe.Line(id, 40)
	if n == "" {
		return i
	}
	return "“" + n + "” (" + i + ")"
}
