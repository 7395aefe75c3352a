package ui_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/syncbuf"
	"github.com/softwareone/apitoken/sandbox"
	"github.com/softwareone/apitoken/ui"
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
		"y",                // print the value
	}, "\n") + "\n"
	srv, client := accessibleSandbox(t)
	var out bytes.Buffer
	err := ui.RunAccessible(context.Background(), ui.Options{API: client, AccountID: srv.DefaultAccount(), Sandbox: true},
		strings.NewReader(answers), &out)
	if err != nil {
		t.Fatalf("err = %v; out:\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{
		"Add API token (sandbox",
		"Account: Contoso Ltd (ACC-1000-0001)",
		"enter a name for the token", // the refusal of the empty name
		"Select at least one module.",
		"Name: Screen reader",
		"Modules: Agreements (MOD-1003)", // by name, as the portal's review
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
	srv, client := accessibleSandbox(t)
	var out bytes.Buffer
	err := ui.RunAccessible(context.Background(), ui.Options{API: client, AccountID: srv.DefaultAccount()},
		strings.NewReader("Half done\n"), &out)
	if !errors.Is(err, ui.ErrAborted) {
		t.Fatalf("err = %v, want ErrAborted", err)
	}
	if strings.Contains(out.String(), "Your token is created") || len(srv.Creates()) != 0 {
		t.Fatalf("a token was created from incomplete input:\n%s", out.String())
	}
}

// TestAccessibleModeEndAfterBadModuleNumber: input that ends right after
// an out-of-range module number (a mistyped number, then ctrl+d) ends the
// flow cleanly; huh's multi-select used the number as an index and crashed.
func TestAccessibleModeEndAfterBadModuleNumber(t *testing.T) {
	for _, answers := range []string{"Reports\n\n\n99\n", "Reports\n\n\n-1\n", "Reports\n\n\nx\n"} {
		srv, client := accessibleSandbox(t)
		var out bytes.Buffer
		err := ui.RunAccessible(context.Background(), ui.Options{API: client, AccountID: srv.DefaultAccount()},
			strings.NewReader(answers), &out)
		if !errors.Is(err, ui.ErrAborted) {
			t.Errorf("%q: err = %v, want ErrAborted", answers, err)
		}
		if len(srv.Creates()) != 0 {
			t.Errorf("%q: a token was created", answers)
		}
	}
}

// TestAccessibleModeDroppedLogo: the line mode reads a logo path the way a
// terminal pastes a dropped file (quoted, with spaces), as General does.
func TestAccessibleModeDroppedLogo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dir with space")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	logo := filepath.Join(dir, "my logo.png")
	if err := os.WriteFile(logo, img.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, client := accessibleSandbox(t)
	var out bytes.Buffer
	answers := "Reports\n\n'" + logo + "'\n1\n0\ny\ny\n"
	err := ui.RunAccessible(context.Background(), ui.Options{API: client, AccountID: srv.DefaultAccount(), AllowLogo: true},
		strings.NewReader(answers), &out)
	if err != nil {
		t.Fatalf("err = %v; output:\n%s", err, out.String())
	}
	creates := srv.Creates()
	if len(creates) != 1 || creates[0].IconBytes != img.Len() {
		t.Fatalf("creates = %+v, want one with the %d-byte logo; output:\n%s", creates, img.Len(), out.String())
	}
}

// TestAccessibleModeLateCommit: in the accessible flow too, a create that
// times out and commits a moment later is found, not reported as not
// created (which would invite a duplicate).
func TestAccessibleModeLateCommit(t *testing.T) {
	srv, err := sandbox.New()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	client, err := apiclient.New(apiclient.WithBaseURL(ts.URL), apiclient.WithToken(apiclient.Secret(srv.OperatorToken())),
		apiclient.WithTimeout(150*time.Millisecond), apiclient.WithRetry(3, 200*time.Millisecond),
		apiclient.WithClock(testClock{settled: func() bool { return len(srv.StoredTokens()) >= 1 }}))
	if err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(sandbox.Fault{Method: "POST", Path: "/public/v1/accounts/api-tokens",
		Delay: 250 * time.Millisecond, DropAfterCommit: true, Times: 1})
	var out bytes.Buffer
	err = ui.RunAccessible(context.Background(), ui.Options{API: client, AccountID: srv.DefaultAccount()},
		strings.NewReader("late\n\n1\n0\ny\n"), &out)
	if !errors.Is(err, apiclient.ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want the unknown outcome", err)
	}
	// The operator's credential is not a token, so who created the token
	// cannot be compared: found, but not claimed.
	if !strings.Contains(out.String(), "was created (TKN-") || !strings.Contains(out.String(), "it may not be this one") {
		t.Fatalf("the late token was not found:\n%s", out.String())
	}
	if n := len(srv.Creates()); n != 1 {
		t.Fatalf("%d creates sent, want 1", n)
	}
}

var tokenValue = regexp.MustCompile(`idt:TKN-\d{4}-\d{4}:[A-Za-z0-9]{64}`)

// accessibleSandbox is a sandbox over real HTTP and a client of it.
func accessibleSandbox(t *testing.T, opts ...sandbox.Option) (*sandbox.Server, *apiclient.Client) {
	t.Helper()
	srv, err := sandbox.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	client, err := apiclient.New(apiclient.WithBaseURL(ts.URL), apiclient.WithToken(apiclient.Secret(srv.OperatorToken())))
	if err != nil {
		t.Fatal(err)
	}
	return srv, client
}

// TestAccessibleTokenNotPrintedUnasked: the value is printed only when
// asked for, since a line-based terminal keeps it in its scrollback; two
// noes leave it unshown, and lost.
func TestAccessibleTokenNotPrintedUnasked(t *testing.T) {
	srv, client := accessibleSandbox(t)
	var out bytes.Buffer
	err := ui.RunAccessible(context.Background(), ui.Options{API: client, AccountID: srv.DefaultAccount()},
		strings.NewReader("quiet\n\n1\n0\ny\nn\nn\n"), &out)
	if !errors.Is(err, ui.ErrValueLost) {
		t.Fatalf("err = %v, want ErrValueLost; out:\n%s", err, out.String())
	}
	if tokenValue.MatchString(out.String()) {
		t.Errorf("the token value was printed unasked:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "Your token is created") || !strings.Contains(out.String(), "was not shown") {
		t.Errorf("output does not say what happened:\n%s", out.String())
	}
}

// TestAccessibleCtrlCCancels: ctrl+c (the program's context ending) ends a
// prompt that waits for input, as in the full-screen wizard; nothing is
// sent.
func TestAccessibleCtrlCCancels(t *testing.T) {
	srv, client := accessibleSandbox(t)
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	var out syncbuf.Buffer
	done := make(chan error, 1)
	go func() {
		done <- ui.RunAccessible(ctx, ui.Options{API: client, AccountID: srv.DefaultAccount()}, pr, &out)
	}()
	if _, err := io.WriteString(pw, "half typed"); err != nil { // no newline: the prompt waits
		t.Fatal(err)
	}
	cancel()
	if err := <-done; !errors.Is(err, ui.ErrAborted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want an abort by cancel", err)
	}
	if !strings.Contains(out.String(), "Cancelled") || len(srv.Creates()) != 0 {
		t.Errorf("output:\n%s\n%d creates", out.String(), len(srv.Creates()))
	}
}
