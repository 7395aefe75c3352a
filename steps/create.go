package steps

import (
	"charm.land/bubbles/v2/spinner"

	"github.com/softwareone/apitoken/apiclient"
)

// CreateState is where a create stands, as the Overview shows it.
type CreateState int

const (
	// CreateIdle: nothing sent yet (or the last attempt is known to have
	// created nothing and the user may simply add again).
	CreateIdle CreateState = iota
	// CreateSending: the request is on its way.
	CreateSending
	// CreateFailed: the API answered with an error; nothing was created.
	CreateFailed
	// CreateChecking: the outcome is unknown (timeout, reset, 5xx); the
	// wizard is looking for a token created under this name just now.
	CreateChecking
	// CreateFound: such a token exists, so the create did happen; its
	// value is lost.
	CreateFound
	// CreateNotFound: the check found no token yet; adding again looks
	// once more before it sends.
	CreateNotFound
	// CreateFoundUncertain: a token with this name exists but may not be
	// this attempt's (Err says why); it is shown, never offered for a
	// one-key disable.
	CreateFoundUncertain
	// CreateCheckFailed: the outcome could not be verified; adding again
	// could make a duplicate, so the wizard only offers to check again.
	CreateCheckFailed
)

// Create is where a create stands: the state, the error that led there,
// the token a check found, and the spinner shown while a request is out.
type Create struct {
	State CreateState
	Err   error
	Found *apiclient.APIToken
	// Outcome says what a failed create is known to have left, in words
	// ("Nothing was created."), "" when the error says it itself.
	Outcome string
	Spinner spinner.Model
}

// Busy reports whether a request is in flight.
func (c *Create) Busy() bool { return c.State == CreateSending || c.State == CreateChecking }
