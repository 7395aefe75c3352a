package ui

import "charm.land/bubbles/v2/key"

// keyMap holds the keys the wizard handles on every step.
type keyMap struct {
	Interrupt key.Binding
	Quit      key.Binding
	Help      key.Binding
	Confirm   key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Interrupt: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "more keys")),
		Confirm:   key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
	}
}
