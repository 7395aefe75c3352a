// Package jsonflags gives a command gh's --json and --jq flags: --json
// picks the fields to print (an unknown one is refused with the list of
// valid ones), --jq filters the result with a jq expression (gojq, the
// engine gh uses), printing strings raw as gh does.
package jsonflags

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/itchyny/gojq"
	"github.com/spf13/cobra"

	"github.com/softwareone/apitoken/internal/textsafe"
)

// Exporter holds the flags' values for one command.
type Exporter struct {
	valid  []string
	fields []string
	jq     string
}

// Add registers --json and --jq on cmd, --json completing the valid fields.
func Add(cmd *cobra.Command, valid []string) *Exporter {
	e := &Exporter{valid: slices.Clone(valid)}
	fl := cmd.Flags()
	fl.StringSliceVar(&e.fields, "json", nil, "Print JSON with these comma-separated fields: "+strings.Join(valid, ","))
	fl.StringVarP(&e.jq, "jq", "q", "", "Filter the JSON output with a jq expression (needs --json)")
	_ = cmd.RegisterFlagCompletionFunc("json", func(_ *cobra.Command, _ []string, typed string) ([]cobra.Completion, cobra.ShellCompDirective) {
		// Complete the field after the last comma, keeping what came before.
		prefix := ""
		if i := strings.LastIndex(typed, ","); i >= 0 {
			prefix = typed[:i+1]
		}
		var out []cobra.Completion
		for _, f := range e.valid {
			out = append(out, prefix+f)
		}
		return out, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
	})
	return e
}

// Enabled reports whether --json was given.
func (e *Exporter) Enabled() bool { return len(e.fields) > 0 }

// Fields are the fields asked for, trimmed.
func (e *Exporter) Fields() []string { return slices.Clone(e.fields) }

// FieldError is an unknown --json field, or --jq without --json.
type FieldError struct {
	Msg string
}

func (e *FieldError) Error() string { return e.Msg }

// Validate checks the flags before anything is sent.
func (e *Exporter) Validate() error {
	if e.jq != "" && !e.Enabled() {
		return &FieldError{Msg: "--jq needs --json: e.g. --json " + strings.Join(e.valid[:min(2, len(e.valid))], ",") + " --jq '.[].id'"}
	}
	for i, f := range e.fields {
		f = strings.TrimSpace(f)
		e.fields[i] = f
		if !slices.Contains(e.valid, f) {
			return &FieldError{Msg: fmt.Sprintf("unknown JSON field %q; the fields are: %s", textsafe.Line(f, 80), strings.Join(e.valid, ", "))}
		}
	}
	if e.jq != "" {
		if _, err := gojq.Parse(e.jq); err != nil {
			return &FieldError{Msg: "--jq: " + err.Error()}
		}
	}
	return nil
}

// Pick keeps the asked fields of one object.
func (e *Exporter) Pick(full map[string]any) map[string]any {
	out := make(map[string]any, len(e.fields))
	for _, f := range e.fields {
		out[f] = full[f]
	}
	return out
}

// Write prints v (a picked object or a slice of them): through the jq
// filter when one was given, else as JSON, indented on a terminal and on
// one line otherwise, as gh does.
func (e *Exporter) Write(ctx context.Context, w io.Writer, v any, isTTY bool) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if e.jq == "" {
		if isTTY {
			var b bytes.Buffer
			if err := json.Indent(&b, data, "", "  "); err != nil {
				return err
			}
			data = b.Bytes()
		}
		_, err := io.WriteString(w, Inert(string(data))+"\n")
		return err
	}
	var generic any
	if err := json.Unmarshal(data, &generic); err != nil {
		return err
	}
	q, err := gojq.Parse(e.jq)
	if err != nil {
		return &FieldError{Msg: "--jq: " + err.Error()}
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return &FieldError{Msg: "--jq: " + err.Error()}
	}
	var b strings.Builder
	iter := code.RunWithContext(ctx, generic)
	for {
		out, ok := iter.Next()
		if !ok {
			break
		}
		if err, isErr := out.(error); isErr {
			return fmt.Errorf("--jq: %w", err)
		}
		if s, isStr := out.(string); isStr {
			// Raw, as jq -r: a script reads the value, not a JSON string.
			b.WriteString(textsafe.Line(s, 0) + "\n")
			continue
		}
		js, err := gojq.Marshal(out)
		if err != nil {
			return err
		}
		b.WriteString(Inert(string(js)) + "\n")
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// Inert escapes, as \uXXXX, the runes that encoding/json leaves raw but a
// terminal acts on (DEL, C1 controls, bidi controls, line separators). They
// can only be inside JSON strings, so the JSON decodes to the same values.
func Inert(s string) string {
	if !strings.ContainsFunc(s, uninert) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if uninert(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func uninert(r rune) bool {
	return r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0x061c || r == 0x200e || r == 0x200f ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x2028 || r == 0x2029
}
