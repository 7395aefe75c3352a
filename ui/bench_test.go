package ui_test

// Whole-wizard keystroke benchmarks: the root model (header, step, status
// and help) on the Modules step of a 10 000-module account, one Update and
// one View per iteration, as the program does per key. Run them with
//
//	go test -run '^$' -bench Wizard -benchmem ./ui
//
// They report ns/op and allocs/op and never assert a time; bench/run
// compares them with the targets.

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/sandbox"
	"github.com/softwareone/apitoken/steps"
	"github.com/softwareone/apitoken/ui"
)

const benchAccount = "ACC-9000-0001"

// fakeAPI answers at once from memory.
type fakeAPI struct {
	ui.API  // the tokens area: not benchmarked here
	modules []apiclient.Module
}

func (f *fakeAPI) GetAccount(_ context.Context, id string, _ ...string) (*apiclient.Account, error) {
	return &apiclient.Account{ID: id, Name: "Benchmark Client Ltd", Type: "Client", Status: "Active"}, nil
}

func (f *fakeAPI) ListEnabledModules(context.Context, string) ([]apiclient.Module, error) {
	return slices.Clone(f.modules), nil
}

func (f *fakeAPI) CreateAPIToken(context.Context, *apiclient.CreateAPITokenRequest) (*apiclient.APIToken, error) {
	return nil, errors.New("fakeAPI: not in a benchmark")
}

func (f *fakeAPI) FindLostAPIToken(context.Context, apiclient.CreateAttempt, *apiclient.FindLostOptions) (*apiclient.LostResult, error) {
	return &apiclient.LostResult{}, nil
}

func (f *fakeAPI) DisableAPIToken(context.Context, string) (*apiclient.APIToken, error) {
	return nil, errors.New("fakeAPI: not in a benchmark")
}

var benchCatalog = sync.OnceValue(func() []apiclient.Module {
	fx := sandbox.GenerateFixture(10_000)
	out := make([]apiclient.Module, len(fx.Modules))
	for i, m := range fx.Modules {
		out[i] = apiclient.Module{ID: m.ID, Name: m.Name, Description: m.Description, AccountTypes: m.AccountTypes}
	}
	slices.SortFunc(out, func(a, b apiclient.Module) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.ID, b.ID))
	})
	return out
})

// runCmd runs a command as the program would and returns the messages it
// produced, expanding batches. It waits for every command it started (the
// spinner's and cursor's ticks end after a fraction of a second), so no
// goroutine is left behind.
func runCmd(tb testing.TB, cmd tea.Cmd) []tea.Msg {
	tb.Helper()
	if cmd == nil {
		return nil
	}
	type result struct{ msgs []tea.Msg }
	done := make(chan result, 1)
	go func() {
		msg := cmd()
		batch, ok := msg.(tea.BatchMsg)
		if !ok {
			done <- result{[]tea.Msg{msg}}
			return
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		var out []tea.Msg
		for _, c := range batch {
			if c == nil {
				continue
			}
			wg.Go(func() {
				m := c()
				mu.Lock()
				out = append(out, m)
				mu.Unlock()
			})
		}
		wg.Wait()
		done <- result{out}
	}()
	select {
	case r := <-done:
		return r.msgs
	case <-time.After(10 * time.Second):
		tb.Fatal("a command of the wizard did not return within 10s")
		return nil
	}
}

// update feeds msgs to the wizard, dropping the commands they return.
func update(m tea.Model, msgs ...tea.Msg) tea.Model {
	for _, msg := range msgs {
		if msg == nil {
			continue
		}
		if _, ok := msg.(tea.BatchMsg); ok {
			continue
		}
		m, _ = m.Update(msg)
	}
	return m
}

func press(text string) tea.KeyPressMsg {
	return tea.KeyPressMsg{Code: []rune(text)[0], Text: text}
}

var (
	keyDown      = tea.KeyPressMsg{Code: tea.KeyDown}
	keyUp        = tea.KeyPressMsg{Code: tea.KeyUp}
	keyBackspace = tea.KeyPressMsg{Code: tea.KeyBackspace}
	keyCtrlN     = tea.KeyPressMsg{Code: 'n', Mod: tea.ModCtrl}
)

// wizardOnModules is the wizard in a 100×30 window on the Modules step, the
// way a user gets there: the API's answers arrive, a name is typed, ctrl+n.
func wizardOnModules(tb testing.TB) tea.Model {
	tb.Helper()
	dark := true
	var m tea.Model = ui.New(ui.Options{
		API:            &fakeAPI{modules: benchCatalog()},
		AccountID:      benchAccount,
		Sandbox:        true,
		DarkBackground: &dark,
	})
	m = update(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	m = update(m, runCmd(tb, m.Init())...)
	for _, r := range "Bench" {
		m = update(m, press(string(r)))
	}
	m, cmd := m.Update(keyCtrlN)
	m = update(m, runCmd(tb, cmd)...)
	if got := m.(*ui.Model).Active(); got != steps.Modules {
		tb.Fatalf("the wizard is on %v, not on Modules", got)
	}
	if n := len(m.(*ui.Model).Data().Catalog); n != len(benchCatalog()) {
		tb.Fatalf("the wizard has %d modules, want %d", n, len(benchCatalog()))
	}
	return m
}

// keystroke is what the program does for one key: Update, then View.
func keystroke(m tea.Model, msg tea.Msg) (tea.Model, int) {
	m, _ = m.Update(msg)
	return m, len(m.View().Content)
}

func frameMetric(b *testing.B, n int) { b.ReportMetric(float64(n), "frame-bytes") }

// BenchmarkWizardFilterKeystroke types and erases the last letter of a
// filter that already narrowed the list.
func BenchmarkWizardFilterKeystroke(b *testing.B) {
	m := wizardOnModules(b)
	for _, r := range "export" {
		m = update(m, press(string(r)))
	}
	b.ReportAllocs()
	n, i := 0, 0
	for b.Loop() {
		if i%2 == 0 {
			m, n = keystroke(m, press("s"))
		} else {
			m, n = keystroke(m, keyBackspace)
		}
		i++
	}
	frameMetric(b, n)
}

// BenchmarkWizardFilterFirstLetter types the first letter of a filter and
// erases it: both scan every module.
func BenchmarkWizardFilterFirstLetter(b *testing.B) {
	m := wizardOnModules(b)
	b.ReportAllocs()
	n, i := 0, 0
	for b.Loop() {
		if i%2 == 0 {
			m, n = keystroke(m, press("e"))
		} else {
			m, n = keystroke(m, keyBackspace)
		}
		i++
	}
	frameMetric(b, n)
}

// BenchmarkWizardCursorDown moves the cursor down, and back up every 100
// moves.
func BenchmarkWizardCursorDown(b *testing.B) {
	m := wizardOnModules(b)
	b.ReportAllocs()
	n, i := 0, 0
	for b.Loop() {
		if (i/100)%2 == 0 {
			m, n = keystroke(m, keyDown)
		} else {
			m, n = keystroke(m, keyUp)
		}
		i++
	}
	frameMetric(b, n)
}

// BenchmarkWizardView is the root View alone.
func BenchmarkWizardView(b *testing.B) {
	m := wizardOnModules(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = len(m.View().Content)
	}
	frameMetric(b, n)
}

// BenchmarkWizardNew is building the wizard, which the start-up and every
// SSH session pay.
func BenchmarkWizardNew(b *testing.B) {
	dark := true
	api := &fakeAPI{}
	b.ReportAllocs()
	for b.Loop() {
		m := ui.New(ui.Options{API: api, AccountID: benchAccount, DarkBackground: &dark})
		_ = m.View()
	}
}
