package steps_test

// Keystroke benchmarks of the Modules step with a 10 000-module catalogue:
// one Update and one View per iteration, as the program does per key.
// Run them with
//
//	go test -run '^$' -bench Modules -benchmem ./steps
//
// They report ns/op and allocs/op and never assert a time; the targets
// (≤ 1 ms per keystroke) are checked by bench/run.

import (
	"cmp"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/sandbox"
	"github.com/softwareone/apitoken/steps"
)

const (
	benchModules = 10_000
	benchWidth   = 100
	benchHeight  = 25
)

// benchCatalog is the sandbox's generated 10 000-module catalogue as the
// API client returns it (sorted by name, as ListEnabledModules does).
func benchCatalog() []apiclient.Module {
	fx := sandbox.GenerateFixture(benchModules)
	out := make([]apiclient.Module, len(fx.Modules))
	for i, m := range fx.Modules {
		out[i] = apiclient.Module{ID: m.ID, Name: m.Name, Description: m.Description, AccountTypes: m.AccountTypes}
	}
	slices.SortFunc(out, func(a, b apiclient.Module) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.ID, b.ID))
	})
	return out
}

// loadedModules is the Modules step after the catalogue arrived, sized as
// in a 100×30 terminal (the root model takes 5 lines), with a few modules
// selected so the frame draws both kinds of check box.
func loadedModules(tb testing.TB) *steps.ModulesStep {
	tb.Helper()
	data := steps.NewData("ACC-9000-0001", false)
	data.Catalog = steps.ModulesFrom(benchCatalog())
	for i := 0; i < len(data.Catalog); i += 200 {
		data.Selected[data.Catalog[i].ID] = true
	}
	s := steps.NewModules(testCommon(), data, noActions{})
	s.Update(steps.ModulesLoadedMsg{})
	s.SetSize(benchWidth, benchHeight)
	return s
}

func press(text string) tea.KeyPressMsg {
	r := []rune(text)[0]
	return tea.KeyPressMsg{Code: r, Text: text}
}

var (
	keyDown      = tea.KeyPressMsg{Code: tea.KeyDown}
	keyUp        = tea.KeyPressMsg{Code: tea.KeyUp}
	keyBackspace = tea.KeyPressMsg{Code: tea.KeyBackspace}
)

// keystroke is what the program does for one key: Update, then View.
func keystroke(s steps.Step, msg tea.Msg) (steps.Step, int) {
	s.Update(msg)
	return s, len(s.View())
}

// frameMetric reports the size of the last frame: it must stay the size of
// a screen, not of the catalogue.
func frameMetric(b *testing.B, n int) { b.ReportMetric(float64(n), "frame-bytes") }

// BenchmarkModulesFilterKeystroke types and erases the last letter of a
// filter that already narrowed the list ("export" → "exports" → "export"
// …): typing checks only the rows shown, erasing rescans the catalogue.
func BenchmarkModulesFilterKeystroke(b *testing.B) {
	var s steps.Step = loadedModules(b)
	for _, r := range "export" {
		s, _ = keystroke(s, press(string(r)))
	}
	b.ReportAllocs()
	n, i := 0, 0
	for b.Loop() {
		if i%2 == 0 {
			s, n = keystroke(s, press("s"))
		} else {
			s, n = keystroke(s, keyBackspace)
		}
		i++
	}
	frameMetric(b, n)
}

// BenchmarkModulesFilterFirstLetter types the first letter of a filter and
// erases it: both scan every module (the worst case of a filter key).
func BenchmarkModulesFilterFirstLetter(b *testing.B) {
	var s steps.Step = loadedModules(b)
	b.ReportAllocs()
	n, i := 0, 0
	for b.Loop() {
		if i%2 == 0 {
			s, n = keystroke(s, press("e"))
		} else {
			s, n = keystroke(s, keyBackspace)
		}
		i++
	}
	frameMetric(b, n)
}

// BenchmarkModulesCursorDown moves the cursor down (and back up every 100
// moves, so the list scrolls both ways) over the unfiltered catalogue.
func BenchmarkModulesCursorDown(b *testing.B) {
	var s steps.Step = loadedModules(b)
	b.ReportAllocs()
	n, i := 0, 0
	for b.Loop() {
		if (i/100)%2 == 0 {
			s, n = keystroke(s, keyDown)
		} else {
			s, n = keystroke(s, keyUp)
		}
		i++
	}
	frameMetric(b, n)
}

// BenchmarkModulesView is View alone, for the share of a keystroke that is
// drawing.
func BenchmarkModulesView(b *testing.B) {
	s := loadedModules(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = len(s.View())
	}
	frameMetric(b, n)
}

// BenchmarkModulesFrom is the cost of taking in a 10 000-module answer.
func BenchmarkModulesFrom(b *testing.B) {
	mods := benchCatalog()
	b.ReportAllocs()
	for b.Loop() {
		_ = steps.ModulesFrom(mods)
	}
}

// TestModulesViewDrawsOnlyVisibleRows defends the rule the benchmarks
// measure: a frame of a 10 000-module list is one screen, whatever the
// cursor and filter (a size check, not a time).
func TestModulesViewDrawsOnlyVisibleRows(t *testing.T) {
	var s steps.Step = loadedModules(t)
	check := func(when string) {
		t.Helper()
		v := s.View()
		if lines := strings.Count(v, "\n") + 1; lines > benchHeight {
			t.Errorf("%s: the frame has %d lines for a height of %d", when, lines, benchHeight)
		}
		// A screen of 100×25 cells with styles is a few kilobytes; the
		// whole catalogue would be more than a megabyte.
		if len(v) > 64<<10 {
			t.Errorf("%s: the frame is %d bytes", when, len(v))
		}
	}
	check("loaded")
	for range 5000 {
		s.Update(keyDown)
	}
	check("after 5000 moves")
	s.Update(press("e"))
	check("filtered")
}
