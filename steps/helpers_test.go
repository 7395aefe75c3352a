package steps_test

import (
	tea "charm.land/bubbletea/v2"

	"github.com/softwareone/apitoken/steps"
	"github.com/softwareone/apitoken/theme"
	"github.com/softwareone/apitoken/ui/common"
)

func testCommon() *common.Common {
	return &common.Common{Theme: theme.New(true), Keys: common.NewKeyMap()}
}

// noActions stands in for the wizard: a step tested alone asks for nothing
// that matters.
type noActions struct{}

var _ steps.Actions = noActions{}

func (noActions) Next() tea.Cmd                 { return nil }
func (noActions) Back() tea.Cmd                 { return nil }
func (noActions) Goto(steps.ID, string) tea.Cmd { return nil }
func (noActions) Edit(steps.ID) tea.Cmd         { return nil }
func (noActions) Submit() tea.Cmd               { return nil }
func (noActions) Recheck() tea.Cmd              { return nil }
func (noActions) Replace(string) tea.Cmd        { return nil }
func (noActions) RetryModules() tea.Cmd         { return nil }
func (noActions) Copy() tea.Cmd                 { return nil }
func (noActions) Close() tea.Cmd                { return nil }
func (noActions) Details() tea.Cmd              { return nil }
func (noActions) Verify() tea.Cmd               { return nil }
