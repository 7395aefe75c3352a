// Command floor is the least a Bubble Tea v2 program can do before its first
// frame: it draws one line in the alternate screen and waits for a key.
// bench/cmd/perf starts it next to apitoken, in the same pty and the same
// rounds, so that apitoken's start-up is compared with the cost of Bubble
// Tea itself on the same machine at the same moment.
//
// It uses the renderer settings apitoken's wizard uses (the alternate
// screen, 120 fps), so the difference measured is apitoken's own work and
// not a renderer setting: at the default 60 fps the first frame can wait up
// to 8 ms longer for the renderer's ticker.
package main

import (
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"
)

// line is what the floor draws; perf waits for it on the terminal
// (floorMarker there).
const line = "floor: one line of Bubble Tea"

type model struct{}

func (model) Init() tea.Cmd { return nil }

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(tea.KeyPressMsg); ok {
		return m, tea.Quit
	}
	return m, nil
}

func (model) View() tea.View {
	v := tea.NewView(line)
	v.AltScreen = true
	return v
}

func main() {
	if _, err := tea.NewProgram(model{}, tea.WithFPS(120)).Run(); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}
