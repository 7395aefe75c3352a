// Package apiclient is a typed client for the SoftwareOne Marketplace
// Platform API, in the style of google/go-github: one [Client] built with
// options, one file per resource, a [context.Context] first on every call and
// a typed [*Error] that carries what the server answered.
//
// Besides the standard library it uses golang.org/x/sync/errgroup to fetch
// the pages of a collection concurrently. Requests carry the API token as a bearer
// token; the token (and the value of every token the API creates) is kept in
// a [Secret], which prints, logs and marshals as "[REDACTED]".
//
// Reads (GET) are retried on 429, 502, 503, 504 and transport errors,
// honouring Retry-After. Writes are never retried: a create whose outcome is
// unknown (the request may have reached the server) returns an
// [*OutcomeUnknownError] carrying its [CreateAttempt]; pass that to
// [Client.FindLostAPIToken], which waits out the settle time and claims only
// a token this attempt could have made, before trying again.
// [Client.CreateAPITokenChecked] is that sequence.
package apiclient
