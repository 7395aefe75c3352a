package ui_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/softwareone/apitoken/ui"
)

// Through the accessible flow to the created token: a name, no
// description, the first module, done, add.
const addAnswers = "Reports\n\n1\n0\ny\n"

const (
	printQuestion = "Print the token value here?"
	againQuestion = "Without its value the token cannot be used"
)

var createdID = regexp.MustCompile(`Your token is created: (TKN-\d{4}-\d{4})`)

type valueRun struct {
	err  error
	out  string
	id   string // the created token's id
	vals int    // how many times a token value was printed
}

func runForValue(t *testing.T, opts ui.Options, after string) valueRun {
	t.Helper()
	srv, client := accessibleSandbox(t)
	opts.API, opts.AccountID = client, srv.DefaultAccount()
	var out bytes.Buffer
	err := ui.RunAccessible(context.Background(), opts, strings.NewReader(addAnswers+after), &out)
	r := valueRun{err: err, out: out.String(), vals: len(tokenValue.FindAllString(out.String(), -1))}
	m := createdID.FindStringSubmatch(r.out)
	if m == nil || len(srv.Creates()) != 1 {
		t.Fatalf("no token was created (%d creates); out:\n%s", len(srv.Creates()), r.out)
	}
	r.id = m[1]
	return r
}

// TestAccessibleValueAskedTwice: a "no" to printing the value (the default,
// what enter answers) is asked once more with its consequence; only a
// second "no", or the input ending, leaves the value unshown. The value is
// then lost: the flow says how to replace or disable the token with
// apitoken's own commands, and ends with ErrValueLost.
func TestAccessibleValueAskedTwice(t *testing.T) {
	for _, c := range []struct {
		name   string
		after  string // the answers after the token is created
		shown  bool
		asked2 bool // the second question was asked
	}{
		{"yes at once", "y\n", true, false},
		{"enter, then yes", "\ny\n", true, true},
		{"no, then yes", "n\nyes\n", true, true},
		{"enter, enter", "\n\n", false, true},
		{"no, no", "n\nn\n", false, true},
		{"end of input at the first question", "", false, false},
		{"end of input at the second question", "\n", false, true},
		{"a wrong answer, then end of input", "maybe\n", false, false}, // huh asks again, then input ends
		{"ctrl+c at the first question", "\x03", false, false},
		{"ctrl+c at the second question", "\n\x03", false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runForValue(t, ui.Options{}, c.after)
			if !strings.Contains(r.out, printQuestion) {
				t.Errorf("the first question was not asked:\n%s", r.out)
			}
			if got := strings.Contains(r.out, againQuestion); got != c.asked2 {
				t.Errorf("second question asked: %v, want %v:\n%s", got, c.asked2, r.out)
			}
			if c.shown {
				if r.err != nil {
					t.Errorf("err = %v, want nil", r.err)
				}
				if r.vals != 1 {
					t.Errorf("the value was printed %d times, want once:\n%s", r.vals, r.out)
				}
				if strings.Contains(r.out, "was not shown") {
					t.Errorf("a shown value is said to be lost:\n%s", r.out)
				}
				return
			}
			if !errors.Is(r.err, ui.ErrValueLost) || !strings.Contains(r.err.Error(), r.id) {
				t.Errorf("err = %v, want ErrValueLost naming %s", r.err, r.id)
			}
			if r.vals != 0 {
				t.Errorf("the value was printed without a yes:\n%s", r.out)
			}
			for _, want := range []string{
				"The value of " + r.id + " was not shown, and it cannot be shown again",
				"`apitoken rotate " + r.id + "`",
				"`apitoken disable " + r.id + "`",
			} {
				if !strings.Contains(r.out, want) {
					t.Errorf("output lacks %q:\n%s", want, r.out)
				}
			}
			for _, wrong := range []string{"Nothing was sent", "Cancelled", "portal", "Store the token now"} {
				if strings.Contains(r.out, wrong) {
					t.Errorf("output says %q after the create:\n%s", wrong, r.out)
				}
			}
		})
	}
}

// TestAccessibleValueLostInSandbox: in the built-in sandbox the token ends
// with the program, so there is nothing to rotate or disable later.
func TestAccessibleValueLostInSandbox(t *testing.T) {
	r := runForValue(t, ui.Options{Sandbox: true}, "\n\n")
	if !errors.Is(r.err, ui.ErrValueLost) || r.vals != 0 {
		t.Fatalf("err = %v, %d values printed; out:\n%s", r.err, r.vals, r.out)
	}
	if !strings.Contains(r.out, "built-in sandbox") || strings.Contains(r.out, "apitoken rotate") {
		t.Errorf("the sandbox's lost value is not explained as such:\n%s", r.out)
	}
}

// TestAccessibleValueClipboard: a copy to the clipboard hands the value
// over without printing it; declining the copy leads to the two print
// questions; a failed copy never echoes the value in its error.
func TestAccessibleValueClipboard(t *testing.T) {
	var copied []string
	copyOK := func(s string) error { copied = append(copied, s); return nil }
	r := runForValue(t, ui.Options{NativeClipboard: copyOK}, "\n")
	if r.err != nil || r.vals != 0 || len(copied) != 1 || !tokenValue.MatchString(copied[0]) {
		t.Errorf("copy: err = %v, %d printed, copied %d; out:\n%s", r.err, r.vals, len(copied), r.out)
	}
	if strings.Contains(r.out, printQuestion) {
		t.Errorf("copied, yet asked to print:\n%s", r.out)
	}

	copied = nil
	r = runForValue(t, ui.Options{NativeClipboard: copyOK}, "n\n\n\n")
	if !errors.Is(r.err, ui.ErrValueLost) || r.vals != 0 || len(copied) != 0 || !strings.Contains(r.out, againQuestion) {
		t.Errorf("no copy, no print: err = %v, %d printed, copied %d; out:\n%s", r.err, r.vals, len(copied), r.out)
	}

	// End of input at the copy question (whose default is yes) copies
	// nothing and loses the value.
	r = runForValue(t, ui.Options{NativeClipboard: copyOK}, "")
	if !errors.Is(r.err, ui.ErrValueLost) || r.vals != 0 || len(copied) != 0 || strings.Contains(r.out, printQuestion) {
		t.Errorf("end at the copy: err = %v, %d printed, copied %d; out:\n%s", r.err, r.vals, len(copied), r.out)
	}

	leaky := func(s string) error { return errors.New("helper choked on " + s) }
	r = runForValue(t, ui.Options{NativeClipboard: leaky}, "\n\n\n")
	if !errors.Is(r.err, ui.ErrValueLost) || r.vals != 0 {
		t.Errorf("failed copy: err = %v, %d values printed; out:\n%s", r.err, r.vals, r.out)
	}
	if !strings.Contains(r.out, "Could not copy to the clipboard: helper choked on [token value]") {
		t.Errorf("the failed copy is not reported:\n%s", r.out)
	}
}

// cancelAt cancels once a text has been written to it: a signal (ctrl+c
// in a line-mode terminal) arriving while a question waits.
type cancelAt struct {
	buf    bytes.Buffer // not embedded: its WriteString would bypass Write
	text   string
	cancel context.CancelFunc
}

func (c *cancelAt) Write(p []byte) (int, error) {
	n, err := c.buf.Write(p)
	if strings.Contains(c.buf.String(), c.text) {
		c.cancel()
	}
	return n, err
}

// waitAfter reads r, then waits, as a person does, until ctx ends.
type waitAfter struct {
	r   io.Reader
	ctx context.Context
}

func (w *waitAfter) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if err == io.EOF {
		<-w.ctx.Done()
	}
	return n, err
}

// TestAccessibleValueSignal: a signal while the value question waits ends
// the flow with the value lost, not as a cancel before anything was sent.
func TestAccessibleValueSignal(t *testing.T) {
	for _, at := range []string{printQuestion, againQuestion} {
		srv, client := accessibleSandbox(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		out := &cancelAt{text: at, cancel: cancel}
		answers := addAnswers
		if at == againQuestion {
			answers += "\n"
		}
		in := &waitAfter{r: strings.NewReader(answers), ctx: ctx}
		err := ui.RunAccessible(ctx, ui.Options{API: client, AccountID: srv.DefaultAccount()}, in, out)
		text := out.buf.String()
		if !errors.Is(err, ui.ErrValueLost) || errors.Is(err, ui.ErrAborted) {
			t.Errorf("signal at %q: err = %v, want ErrValueLost", at, err)
		}
		if len(srv.Creates()) != 1 || tokenValue.MatchString(text) || strings.Contains(text, "Nothing was sent") ||
			!strings.Contains(text, "`apitoken rotate TKN-") {
			t.Errorf("signal at %q: %d creates; out:\n%s", at, len(srv.Creates()), text)
		}
	}
}
