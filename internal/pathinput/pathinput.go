// Package pathinput turns what a person types, or what a terminal pastes
// when a file is dropped on it, into one local path. Terminals quote a
// dropped path ('/dir/my logo.png'), escape it (/dir/my\ logo.png) or send
// a file:// URL; people type paths with spaces and ~. Nothing here touches
// the disk: whether the file exists is the caller's next question.
package pathinput

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The errors Parse returns; their text is meant for the user.
var (
	ErrEmpty     = errors.New("no path given")
	ErrMultiple  = errors.New("several paths were given: drop or type one file")
	ErrUnclosed  = errors.New("a quote is not closed")
	ErrControl   = errors.New("the path holds control characters")
	ErrNotLocal  = errors.New("a file:// URL of another machine: only files on this computer can be used")
	ErrNotFile   = errors.New("a web address, not a file: give the path of a file on this computer")
	ErrBadURL    = errors.New("not a valid file:// URL")
	ErrOtherUser = errors.New("~user paths are not supported: write the full path")
	ErrNoHome    = errors.New("the home directory is not known: write the full path")
)

// HomeFunc returns the user's home directory (os.UserHomeDir in the
// program, a fixed one in tests).
type HomeFunc func() (string, error)

// Parse returns the one path s names. s may be quoted with ' or ", use
// backslash escapes, be a file:// URL with no host or localhost, start with
// ~ (expanded with home), and have whitespace or a newline around it.
func Parse(s string, home HomeFunc) (string, error) {
	s = trim(s)
	if s == "" {
		return "", ErrEmpty
	}
	if strings.ContainsAny(s, "\n\r") {
		lines := 0
		for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
			if strings.TrimSpace(l) != "" {
				lines++
			}
		}
		if lines > 1 {
			return "", ErrMultiple // terminals paste several dropped files one per line
		}
	}
	if hasControl(s, true) {
		return "", ErrControl
	}
	w, err := oneWord(s)
	if err != nil {
		return "", err
	}
	var p string
	switch {
	case schemeRE.MatchString(w.text) || strings.HasPrefix(strings.ToLower(w.text), "file:/"):
		if p, err = fromURL(w.text); err != nil {
			return "", err
		}
	case w.tilde:
		if p, err = expandHome(w.text, home); err != nil {
			return "", err
		}
	default:
		p = w.text
	}
	if p == "" {
		return "", ErrEmpty
	}
	if hasControl(p, false) {
		return "", ErrControl
	}
	return p, nil
}

// trim removes the whitespace around s, but not a space escaped with a
// backslash at its end (a file named "logo " dropped as logo\ ).
func trim(s string) string {
	t := strings.TrimRightFunc(s, unicode.IsSpace)
	if n := len(t) - len(strings.TrimRight(t, `\`)); n%2 == 1 && len(t) < len(s) {
		_, size := utf8.DecodeRuneInString(s[len(t):])
		t = s[:len(t)+size]
	}
	return strings.TrimLeftFunc(t, unicode.IsSpace)
}

// schemeRE matches the start of a URL.
var schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

type word struct {
	text  string
	tilde bool // starts with an unquoted ~, which a shell would expand
}

// oneWord reads s as the shell would read one argument. Text with no quote
// or backslash is one path even with spaces in it (people type them that
// way), unless it is several absolute paths or URLs side by side.
func oneWord(s string) (word, error) {
	if !strings.ContainsAny(s, `'"\`) {
		fields := strings.Fields(s)
		if len(fields) > 1 && allPathStarts(fields) {
			return word{}, ErrMultiple
		}
		return word{text: s, tilde: strings.HasPrefix(s, "~")}, nil
	}
	words, err := split(s)
	if err != nil {
		return word{}, err
	}
	switch len(words) {
	case 0:
		return word{}, ErrEmpty
	case 1:
		return words[0], nil
	}
	return word{}, ErrMultiple
}

func allPathStarts(fields []string) bool {
	for _, f := range fields {
		if !strings.HasPrefix(f, "/") && !strings.HasPrefix(f, "~") && !strings.HasPrefix(f, "./") &&
			!strings.HasPrefix(f, "../") && !schemeRE.MatchString(f) {
			return false
		}
	}
	return true
}

// split cuts s into shell words: '…' is literal, "…" keeps \" \\ \$ \`
// escapes, and outside quotes a backslash escapes any character.
func split(s string) ([]word, error) {
	var (
		words   []word
		cur     strings.Builder
		inWord  bool
		tilde   bool
		quote   rune // 0, '\'' or '"'
		escaped bool
	)
	flush := func() {
		if inWord {
			words = append(words, word{text: cur.String(), tilde: tilde})
		}
		cur.Reset()
		inWord, tilde = false, false
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		raw := s[i : i+size] // written as is: a path need not be valid UTF-8
		i += size
		switch {
		case escaped:
			if quote == '"' && !strings.ContainsRune("\"\\$`", r) {
				cur.WriteByte('\\')
			}
			cur.WriteString(raw)
			escaped = false
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				cur.WriteString(raw)
			}
		case quote == '"':
			switch r {
			case '"':
				quote = 0
			case '\\':
				escaped = true
			default:
				cur.WriteString(raw)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == '\\':
			escaped, inWord = true, true
		case unicode.IsSpace(r):
			flush()
		default:
			if !inWord && r == '~' {
				tilde = true
			}
			inWord = true
			cur.WriteString(raw)
		}
	}
	if quote != 0 {
		return nil, ErrUnclosed
	}
	if escaped {
		cur.WriteRune('\\') // a lone trailing backslash stays itself
	}
	flush()
	return words, nil
}

func fromURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", ErrBadURL
	}
	if !strings.EqualFold(u.Scheme, "file") {
		return "", ErrNotFile
	}
	if u.Host != "" && !strings.EqualFold(u.Hostname(), "localhost") {
		return "", ErrNotLocal
	}
	if u.Opaque != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || u.Port() != "" {
		return "", ErrBadURL
	}
	if u.Path == "" {
		return "", ErrEmpty
	}
	return u.Path, nil // url.Parse has decoded %20 and friends
}

func expandHome(p string, home HomeFunc) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return "", ErrOtherUser
	}
	if home == nil {
		return "", ErrNoHome
	}
	h, err := home()
	if err != nil || h == "" {
		return "", ErrNoHome
	}
	if p == "~" {
		return h, nil
	}
	return strings.TrimRight(h, "/") + p[1:], nil
}

// hasControl reports C0 controls (but tab when allowTab, which separates
// words), DEL and C1 controls; NUL is always one.
func hasControl(s string, allowTab bool) bool {
	for _, r := range s {
		if (r < 0x20 && !(allowTab && r == '\t')) || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return true
		}
	}
	return false
}
