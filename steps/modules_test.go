package steps_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/softwareone/apitoken/steps"
)

// TestModulesFilterMatchesBruteForce types and erases letters at random
// and checks, after each key, that the rows the filter keeps are exactly
// the modules a plain scan finds: the step narrows and restores earlier
// results instead of scanning, and must never drift from the scan.
func TestModulesFilterMatchesBruteForce(t *testing.T) {
	data := steps.NewData("ACC-9000-0001", false)
	data.Catalog = steps.ModulesFrom(benchCatalog()[:2000])
	s := steps.NewModules(testCommon(), data, noActions{})
	s.Update(steps.ModulesLoadedMsg{})
	s.SetSize(100, 25)

	rng := rand.New(rand.NewPCG(1, 2))
	letters := []rune("aeiorstnlc mo0123-")
	filter := ""
	press := func(k tea.KeyPressMsg) {
		s.Update(k)
	}
	for i := range 400 {
		if filter != "" && rng.IntN(3) == 0 {
			press(tea.KeyPressMsg{Code: tea.KeyBackspace})
			filter = filter[:len(filter)-1]
		} else {
			r := letters[rng.IntN(len(letters))]
			if r == ' ' {
				continue // space selects; it is not typed into the filter
			}
			press(tea.KeyPressMsg{Code: r, Text: string(r)})
			filter += string(r)
		}
		want := 0
		for _, m := range data.Catalog {
			if strings.Contains(strings.ToLower(m.Name+"\x00"+m.Description+"\x00"+m.ID), strings.ToLower(filter)) {
				want++
			}
		}
		if got := s.Shown(); got != want {
			t.Fatalf("key %d, filter %q: %d rows shown, a scan finds %d", i, filter, got, want)
		}
	}
}
