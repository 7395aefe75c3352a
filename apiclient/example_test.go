package apiclient_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

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
	started := time.Now()
	tok, err := client.CreateAPIToken(ctx, req)
	var invalid *apiclient.InvalidRequestError
	var apiErr *apiclient.Error
	switch {
	case errors.As(err, &invalid): // nothing sent: show invalid.Fields next to the fields
	case errors.Is(err, apiclient.ErrOutcomeUnknown):
		// It may exist: look before creating it again.
		found, _ := client.FindRecentAPITokens(ctx, req.AccountID, req.Name, started.Add(-time.Minute))
		fmt.Println(len(found), "token(s) found")
	case errors.As(err, &apiErr):
		fmt.Println(apiErr.Message())
	case err == nil:
		fmt.Println("created", tok.ID, tok.Token)      // prints [REDACTED]
		_ = apiclient.EncodeJSON(os.Stdout, tok, true) // the value, on purpose
	}
}
