package steps

import (
	"strings"

	"github.com/softwareone/apitoken/theme"
)

// Trail draws the step trail of the wizard and of Edit: lead, then the
// steps from General to last, each marked done, active or to do.
func Trail(th *theme.Theme, lead []string, last, active ID) string {
	t := th.Header
	trail := make([]string, 0, len(lead)+int(last-General)+1)
	trail = append(trail, lead...)
	for id := General; id <= last; id++ {
		switch {
		case id == active:
			trail = append(trail, t.StepActive.Render("● "+id.String()))
		case id < active:
			trail = append(trail, t.StepDone.Render("✓ "+id.String()))
		default:
			trail = append(trail, t.StepTodo.Render("○ "+id.String()))
		}
	}
	return strings.Join(trail, t.StepSep.Render(" › "))
}
