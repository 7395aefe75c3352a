package main

import (
	"context"
	"strings"
	"testing"
)

// TestAccessibleMode runs the --accessible flow with answers on stdin, as a
// screen-reader user would type them: plain prompts, no escape sequences,
// the same checks as the full-screen wizard, and the token shown once.
func TestAccessibleMode(t *testing.T) {
	answers := strings.Join([]string{
		"",                 // name: empty is refused and asked again
		"Screen reader",    // name
		"For the reports.", // description
		"",                 // no logo
		"0",                // no module yet: refused, asked again
		"1",                // select the first module
		"0",                // done
		"y",                // add
	}, "\n") + "\n"
	out, errOut := &lockedBuffer{}, &lockedBuffer{}
	e := newEnv(strings.NewReader(answers), out, errOut)
	e.lookup = func(string) (string, bool) { return "", false }

	code := run(context.Background(), []string{"--accessible"}, e)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s\nstdout:\n%s", code, errOut, out)
	}
	text := out.String()
	for _, want := range []string{
		"Add API token (sandbox",
		"Account: Contoso Ltd (ACC-1000-0001)",
		"enter a name for the token", // the refusal of the empty name
		"Select at least one module.",
		"Name: Screen reader",
		"Your token is created",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if n := len(tokenValue.FindAllString(text, -1)); n != 1 {
		t.Errorf("the token value appears %d times, want once:\n%s", n, text)
	}
	if strings.ContainsRune(text, 0x1b) {
		t.Errorf("accessible output carries escape sequences:\n%q", text)
	}
}

// TestAccessibleModeEndOfInput: input that ends early aborts without
// sending anything or looping.
func TestAccessibleModeEndOfInput(t *testing.T) {
	out, errOut := &lockedBuffer{}, &lockedBuffer{}
	e := newEnv(strings.NewReader("Half done\n"), out, errOut)
	e.lookup = func(string) (string, bool) { return "", false }
	if code := run(context.Background(), []string{"--accessible"}, e); code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	if strings.Contains(out.String(), "Your token is created") {
		t.Fatalf("a token was created from incomplete input:\n%s", out)
	}
}
