package apiclient_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/softwareone/apitoken/apiclient"
)

// Creating a token, and what to do when its outcome is unknown.
func Example() {
	cfg := apiclient.ConfigFromEnv(nil) // MPT_API_BASE_URL, MPT_API_TOKEN
	client, err := apiclient.New(append(cfg.Options(), apiclient.WithUserAgent(apiclient.UserAgent("1.0.0")))...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	ctx := context.Background()
	req := &apiclient.CreateAPITokenRequest{AccountID: "ACC-1234-5678", Name: "nightly export", ModuleIDs: []string{"MOD-1001"}}
	if icon, _, err := apiclient.ReadIcon("logo.png"); err == nil {
		req.Icon = icon
	}
	tok, err := client.CreateAPIToken(ctx, req)
	var invalid *apiclient.InvalidRequestError
	var apiErr *apiclient.Error
	var unknown *apiclient.OutcomeUnknownError
	switch {
	case errors.As(err, &invalid): // nothing sent: show invalid.Fields next to the fields
	case errors.As(err, &unknown):
		// It may exist: look (after the settle time) before creating it again.
		res, err := client.FindLostAPIToken(ctx, unknown.Attempt, nil)
		if err == nil {
			fmt.Println(res.State) // found, found (uncertain) or not found yet
		}
	case errors.As(err, &apiErr):
		fmt.Println(apiErr.Message())
	case err == nil:
		fmt.Println("created", tok.ID, tok.Token)             // prints [REDACTED]
		_ = apiclient.WriteAPITokenJSON(os.Stdout, tok, true) // as received, with the value, on purpose
	}
}
