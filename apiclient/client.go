package apiclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// DefaultBaseURL is the production Marketplace API.
const DefaultBaseURL = "https://api.platform.softwareone.com"

// Limits shared with the server (see the wire contract).
const (
	MaxNameLength        = 100     // runes, after trimming
	MaxDescriptionLength = 1000    // runes
	MaxIconBytes         = 1 << 20 // bytes of the icon file
	MaxModules           = 100     // modules of one token
	MaxPageSize          = 100     // largest `limit` of a collection: the platform caps it
)

const (
	apiPrefix         = "/public/v1"
	defaultTimeout    = 30 * time.Second
	defaultMaxRetries = 3
	defaultMaxWait    = 30 * time.Second
	defaultBackoff    = 500 * time.Millisecond
	maxResponseBytes  = 16 << 20 // a 2xx body larger than this is refused
	maxErrorBodyBytes = 1 << 20  // an error body larger than this is not parsed
	maxRedirects      = 5
)

// Config is what the client needs to reach the API, usually read from the
// environment with [ConfigFromEnv]. Token prints as "[REDACTED]".
type Config struct {
	BaseURL string
	Token   Secret
}

// ConfigFromEnv reads MPT_API_BASE_URL (default [DefaultBaseURL]; a trailing
// slash and a trailing /public/v1 are tolerated and removed) and
// MPT_API_TOKEN (trimmed of white space) through lookup, which is
// [os.LookupEnv] when nil.
func ConfigFromEnv(lookup func(string) (string, bool)) Config {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	cfg := Config{BaseURL: DefaultBaseURL}
	if v, ok := lookup("MPT_API_BASE_URL"); ok && strings.TrimSpace(v) != "" {
		cfg.BaseURL = normalizeBaseURL(v)
	}
	if v, ok := lookup("MPT_API_TOKEN"); ok {
		cfg.Token = Secret(strings.TrimSpace(v))
	}
	return cfg
}

// Options returns the options that apply the configuration:
// New(cfg.Options()...).
func (c Config) Options() []Option {
	return []Option{WithBaseURL(c.BaseURL), WithToken(c.Token)}
}

// normalizeBaseURL trims white space, trailing slashes and a trailing
// /public/v1.
func normalizeBaseURL(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	s = strings.TrimSuffix(s, apiPrefix)
	return strings.TrimRight(s, "/")
}

// Client talks to the Marketplace API. It is safe for concurrent use. Build
// it with [New]. Printing a Client never shows its token.
type Client struct {
	baseURL    string // normalised: no trailing slash, no /public/v1
	token      Secret
	httpClient *http.Client
	userAgent  string
	timeout    time.Duration // per attempt; 0: none
	maxRetries int
	maxWait    time.Duration
	logger     *slog.Logger
	// insecureHTTP allows http:// to any host (a test proxy).
	insecureHTTP bool
	// dial, when set, opens the default transport's connections.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)

	// Test hooks.
	backoff time.Duration                                    // first backoff step
	sleep   func(ctx context.Context, d time.Duration) error // waits between retries
	now     func() time.Time
}

// Option configures a [Client].
type Option func(*Client) error

// UserAgent returns the User-Agent of apitoken at version ("dev" when empty):
// "apitoken/<version> (go1.26.8; linux/amd64)".
func UserAgent(version string) string {
	version = strings.Map(func(r rune) rune {
		if r <= ' ' || r >= 0x7f || r == '(' || r == ')' {
			return -1
		}
		return r
	}, version)
	if version == "" {
		version = "dev"
	}
	return fmt.Sprintf("apitoken/%s (%s; %s/%s)", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// New returns a client. Without options it talks to [DefaultBaseURL]; a token
// is required ([WithToken]). It fails on a base URL that is not an absolute
// https URL (or http:// to loopback, or to anywhere with
// [WithInsecureHTTP]) without query, fragment or user information.
func New(opts ...Option) (*Client, error) {
	c := &Client{
		baseURL:    DefaultBaseURL,
		userAgent:  UserAgent(""),
		timeout:    defaultTimeout,
		maxRetries: defaultMaxRetries,
		maxWait:    defaultMaxWait,
		logger:     slog.New(slog.DiscardHandler),
		backoff:    defaultBackoff,
		sleep:      sleepContext,
		now:        time.Now,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	if err := checkBaseURL(c.baseURL, c.insecureHTTP); err != nil {
		return nil, err
	}
	if c.token.IsZero() {
		return nil, errors.New("apiclient: no API token: set MPT_API_TOKEN")
	}
	if strings.ContainsFunc(c.token.Reveal(), func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
		return nil, errors.New("apiclient: the API token contains white space or characters that cannot be sent in a header: check MPT_API_TOKEN")
	}
	if c.httpClient == nil {
		c.httpClient = &http.Client{Transport: defaultTransport(c.dial), CheckRedirect: checkRedirect}
	}
	return c, nil
}

func checkBaseURL(s string, insecureHTTP bool) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("apiclient: the base URL %q is not a URL: check MPT_API_BASE_URL", sanitize(s, 200))
	}
	shown := u.Redacted()
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("apiclient: the base URL %q must start with https:// (or http://): check MPT_API_BASE_URL", sanitize(shown, 200))
	case u.Host == "" || u.Opaque != "":
		return fmt.Errorf("apiclient: the base URL %q has no host: check MPT_API_BASE_URL", sanitize(shown, 200))
	case u.User != nil:
		return fmt.Errorf("apiclient: the base URL %q must not carry a user name or password: check MPT_API_BASE_URL", sanitize(shown, 200))
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(s, "?#"):
		return fmt.Errorf("apiclient: the base URL %q must not have a query or fragment: check MPT_API_BASE_URL", sanitize(shown, 200))
	case u.Scheme == "http" && !insecureHTTP && !isLoopback(u.Hostname()):
		return fmt.Errorf("apiclient: the base URL %q uses plain http:// to a host other than this machine: the API token would travel unencrypted. Use https://, or http:// only to localhost, 127.0.0.1 or [::1]", sanitize(shown, 200))
	}
	return nil
}

// isLoopback reports a host that names this machine: localhost (and
// *.localhost) or a loopback address.
func isLoopback(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// WithInsecureHTTP allows a plain http:// base URL to any host, for a test
// proxy: the API token then travels unencrypted. Without it [New] refuses
// http:// except to loopback.
func WithInsecureHTTP() Option {
	return func(c *Client) error {
		c.insecureHTTP = true
		return nil
	}
}

func defaultTransport(dial func(ctx context.Context, network, addr string) (net.Conn, error)) http.RoundTripper {
	t, ok := http.DefaultTransport.(*http.Transport)
	switch {
	case ok:
		t = t.Clone()
	case dial != nil:
		t = &http.Transport{}
	default:
		return http.DefaultTransport
	}
	t.MaxIdleConnsPerHost = pageFetchers // a collection is fetched up to pageFetchers pages at once
	if dial != nil {
		t.DialContext = dial
	}
	return t
}

// checkRedirect follows at most a few redirects, and only on the same host
// without leaving https, so the bearer token never travels somewhere else.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	first := via[0].URL
	if req.URL.Host != first.Host {
		return fmt.Errorf("refusing to follow a redirect to another host (%s)", sanitize(req.URL.Host, 100))
	}
	if first.Scheme == "https" && req.URL.Scheme != "https" {
		return errors.New("refusing to follow a redirect from https to http")
	}
	return nil
}

// WithBaseURL sets the API's base URL, e.g. "https://api.platform.softwareone.com"
// (a trailing slash and a trailing /public/v1 are removed). [New] checks it.
func WithBaseURL(u string) Option {
	return func(c *Client) error {
		if strings.TrimSpace(u) == "" {
			c.baseURL = DefaultBaseURL
			return nil
		}
		c.baseURL = normalizeBaseURL(u)
		return nil
	}
}

// WithToken sets the API token sent as the bearer token.
func WithToken(t Secret) Option {
	return func(c *Client) error {
		c.token = Secret(strings.TrimSpace(t.Reveal()))
		return nil
	}
}

// WithDialer makes the client's transport open its connections with dial
// instead of the network, whatever the base URL's host: a server inside
// the process (the built-in sandbox) is reached without a socket. The base
// URL still decides the scheme and the Host header. Ignored with
// [WithHTTPClient], whose transport is the caller's.
func WithDialer(dial func(ctx context.Context, network, addr string) (net.Conn, error)) Option {
	return func(c *Client) error {
		if dial == nil {
			return errors.New("apiclient: WithDialer: nil dial function")
		}
		c.dial = dial
		return nil
	}
}

// WithHTTPClient sets the HTTP client. The client is copied; when its
// CheckRedirect is nil the copy gets one that refuses redirects to another
// host or from https to http.
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) error {
		if h == nil {
			return errors.New("apiclient: WithHTTPClient: nil *http.Client")
		}
		hc := *h
		if hc.CheckRedirect == nil {
			hc.CheckRedirect = checkRedirect
		}
		c.httpClient = &hc
		return nil
	}
}

// WithUserAgent sets the User-Agent header (default [UserAgent]("dev")).
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		ua = strings.TrimSpace(ua)
		if ua == "" || strings.ContainsFunc(ua, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			return errors.New("apiclient: WithUserAgent: empty, or has control characters")
		}
		c.userAgent = ua
		return nil
	}
}

// WithTimeout sets the time limit of each attempt of a request, reading the
// answer included (default 30 s; 0: no limit besides the context's).
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d < 0 {
			return errors.New("apiclient: WithTimeout: negative duration")
		}
		c.timeout = d
		return nil
	}
}

// WithRetry sets how often an idempotent request (a GET) is retried after a
// 429, 502, 503, 504 or a transport error (default 3), and the longest single
// wait between two attempts (default 30 s; a longer Retry-After is cut to
// it). Writes are never retried.
func WithRetry(maxRetries int, maxWait time.Duration) Option {
	return func(c *Client) error {
		if maxRetries < 0 || maxWait < 0 {
			return errors.New("apiclient: WithRetry: negative value")
		}
		c.maxRetries = maxRetries
		c.maxWait = maxWait
		return nil
	}
}

// WithLogger sets the logger that gets one debug line per attempt: method,
// path (without the query), status, duration, attempt and traceId. It never
// logs headers, bodies or the token. nil discards.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l == nil {
			l = slog.New(slog.DiscardHandler)
		}
		c.logger = l
		return nil
	}
}

// BaseURL returns the normalised base URL, e.g.
// "https://api.platform.softwareone.com".
func (c *Client) BaseURL() string { return c.baseURL }

// String describes the client without its token.
func (c Client) String() string {
	return fmt.Sprintf("apiclient.Client{BaseURL: %q, Token: %s}", c.baseURL, c.token)
}

// GoString is like String, for %#v.
func (c Client) GoString() string { return c.String() }

// Format prints String for every verb, so that no verb (%d included) can
// print the fields, the token among them.
func (c Client) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, c.String()) }

// request is one API call.
type request struct {
	method      string
	path        string // from /public/v1 on, escaped
	query       string // raw, already encoded
	body        []byte
	contentType string
	idempotent  bool   // may be retried
	createOp    string // set for a create: failures after sending become *OutcomeUnknownError
	op          string // what a person asked for, e.g. "delete API token TKN-…", for *Error.Op
}

// attemptInfo is what an attempt learnt, for the retry and outcome decisions.
type attemptInfo struct {
	status      int  // 0: no answer
	sent        bool // the request may have reached the server
	retryAfter  time.Duration
	nonRetrying bool // an error a retry cannot fix
}

// do runs a request with retries (idempotent requests only) and decodes a 2xx
// JSON answer into out (when out is not nil).
func (c *Client) do(ctx context.Context, r *request, out any) error {
	if ctx == nil {
		return errors.New("apiclient: nil context")
	}
	attempts := 1
	if r.idempotent {
		attempts += c.maxRetries
	}
	for attempt := 1; ; attempt++ {
		info, err := c.attempt(ctx, r, attempt, out)
		if err == nil {
			return nil
		}
		if r.createOp != "" {
			return classifyCreate(r.createOp, info, err)
		}
		if attempt >= attempts || ctx.Err() != nil || !retryable(info) {
			return err
		}
		wait := c.retryWait(info, attempt)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return err // no time left to wait for another attempt
		}
		if serr := c.sleep(ctx, wait); serr != nil {
			return &waitError{method: r.method, path: r.path, ctxErr: serr, last: err}
		}
	}
}

// waitError is returned when the context ends while waiting to retry: it
// matches both the context's error and the last attempt's (an *Error, say).
type waitError struct {
	method, path string
	ctxErr, last error
}

func (e *waitError) Error() string {
	return fmt.Sprintf("apiclient: %s %s: %v while waiting to retry; last attempt: %s", e.method, e.path, e.ctxErr, trimPrefix(e.last))
}

func (e *waitError) Unwrap() []error { return []error{e.ctxErr, e.last} }

// trimPrefix is err's text without a leading "apiclient: ".
func trimPrefix(err error) string {
	return strings.TrimPrefix(err.Error(), "apiclient: ")
}

// classifyCreate turns a failed create into an *OutcomeUnknownError when the
// token may have been created.
func classifyCreate(op string, info attemptInfo, err error) error {
	switch {
	case info.status >= 200 && info.status < 300: // created, answer unreadable
		return &OutcomeUnknownError{Op: op, Err: err}
	case info.status >= 500:
		return &OutcomeUnknownError{Op: op, Err: err}
	case info.status != 0: // 3xx, 4xx: known not created
		return err
	case info.sent:
		return &OutcomeUnknownError{Op: op, Err: err}
	default:
		return err
	}
}

func retryable(info attemptInfo) bool {
	if info.nonRetrying {
		return false
	}
	switch info.status {
	case 0: // transport error
		return true
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryWait is Retry-After when the server sent one, else an exponential
// backoff with jitter; both capped at maxWait.
func (c *Client) retryWait(info attemptInfo, attempt int) time.Duration {
	if info.retryAfter > 0 {
		return min(info.retryAfter, c.maxWait)
	}
	d := c.backoff << min(attempt-1, 20)
	d = min(d, c.maxWait)
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// sendState records, through httptrace, whether the request was written.
type sendState struct {
	traced atomic.Bool // the transport reports trace events
	wrote  atomic.Bool // the whole request was written without error
}

// attempt sends the request once and reads the answer.
func (c *Client) attempt(ctx context.Context, r *request, attempt int, out any) (attemptInfo, error) {
	var info attemptInfo
	if err := ctx.Err(); err != nil {
		info.nonRetrying = true
		return info, fmt.Errorf("apiclient: %s %s: %w", r.method, r.path, err)
	}
	actx, cancel := ctx, context.CancelFunc(func() {})
	if c.timeout > 0 {
		actx, cancel = context.WithTimeout(ctx, c.timeout)
	}
	defer cancel()

	var st sendState
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		GetConn: func(string) { st.traced.Store(true) },
		WroteRequest: func(w httptrace.WroteRequestInfo) {
			st.traced.Store(true)
			if w.Err == nil {
				st.wrote.Store(true)
			}
		},
	})

	u := c.baseURL + r.path
	if r.query != "" {
		u += "?" + r.query
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(actx, r.method, u, body)
	if err != nil {
		info.nonRetrying = true
		return info, fmt.Errorf("apiclient: %s %s: building the request: %w", r.method, r.path, unwrapURLError(err))
	}
	req.Header.Set("Authorization", "Bearer "+c.token.Reveal())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}

	start := time.Now()
	resp, err := c.httpClient.Do(req)
	if err != nil {
		info.sent = c.maybeSent(&st, err)
		info.nonRetrying = isCertificateError(err)
		err = c.transportError(ctx, actx, r, err)
		c.logAttempt(ctx, r, attempt, 0, time.Since(start), "", err)
		return info, err
	}
	defer resp.Body.Close()
	info.status = resp.StatusCode
	info.sent = true
	traceID := sanitize(resp.Header.Get("X-Trace-Id"), 100)
	ct := resp.Header.Get("Content-Type")

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := &Error{
			Op:         r.op,
			Method:     r.method,
			Path:       r.path,
			StatusCode: resp.StatusCode,
			Header:     resp.Header.Clone(),
			RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), c.now()),
		}
		if data, rerr := readCapped(resp.Body, maxErrorBodyBytes); rerr == nil {
			if p, ok := parseProblem(data, ct, c.token); ok {
				e.Problem = p
			} else {
				e.Excerpt = excerpt(data, ct, c.token)
			}
		}
		if e.Problem.TraceID == "" {
			e.Problem.TraceID = traceID
		}
		info.retryAfter = e.RetryAfter
		c.logAttempt(ctx, r, attempt, resp.StatusCode, time.Since(start), e.Problem.TraceID, nil)
		return info, e
	}

	data, rerr := readCapped(resp.Body, maxResponseBytes)
	c.logAttempt(ctx, r, attempt, resp.StatusCode, time.Since(start), traceID, rerr)
	if rerr != nil {
		if errors.Is(rerr, ErrResponseTooLarge) {
			info.nonRetrying = true
			return info, fmt.Errorf("apiclient: %s %s: %w (more than %d MiB)", r.method, r.path, ErrResponseTooLarge, maxResponseBytes>>20)
		}
		// The connection broke while reading the answer: retryable for a read.
		info.status = 0
		info.sent = true
		return info, fmt.Errorf("apiclient: %s %s: reading the answer: %w", r.method, r.path, c.causeOf(ctx, actx, rerr))
	}
	if out == nil {
		return info, nil
	}
	if err := decodeJSON(data, ct, out); err != nil {
		info.nonRetrying = true
		return info, fmt.Errorf("apiclient: %s %s: %w", r.method, r.path, err)
	}
	return info, nil
}

// maybeSent tells whether a failed request may have reached the server. The
// standard transport reports, through httptrace, whether the request was
// written; another RoundTripper may not, and then only a dial error proves
// that nothing was sent.
func (c *Client) maybeSent(st *sendState, err error) bool {
	if st.wrote.Load() {
		return true
	}
	switch c.httpClient.Transport.(type) {
	case nil, *http.Transport:
		return false
	}
	if st.traced.Load() {
		return false
	}
	return !isDialError(err)
}

// transportError words an error of http.Client.Do without the URL (which
// holds the query) and says when the attempt timed out.
func (c *Client) transportError(ctx, actx context.Context, r *request, err error) error {
	return fmt.Errorf("apiclient: %s %s: %w", r.method, r.path, c.causeOf(ctx, actx, unwrapURLError(err)))
}

// causeOf distinguishes the per-attempt timeout from the caller's context.
func (c *Client) causeOf(ctx, actx context.Context, err error) error {
	if ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %s: %w", c.timeout, context.DeadlineExceeded)
	}
	return err
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// isDialError reports errors that happen before anything is sent: DNS and
// connection failures.
func isDialError(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

func isCertificateError(err error) bool {
	var cv *tls.CertificateVerificationError
	return errors.As(err, &cv)
}

func (c *Client) logAttempt(ctx context.Context, r *request, attempt, status int, d time.Duration, traceID string, err error) {
	if !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.method),
		slog.String("path", r.path),
		slog.Int("status", status),
		slog.Duration("duration", d),
		slog.Int("attempt", attempt),
	}
	if traceID != "" {
		attrs = append(attrs, slog.String("traceId", traceID))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", sanitize(redactIn(err.Error(), c.token), 300)))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "api request", attrs...)
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	const ceiling = 24 * time.Hour
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(ceiling/time.Second) {
			return ceiling
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d <= 0 {
			return 0
		}
		return min(d, ceiling)
	}
	return 0
}

// readCapped reads at most max bytes; more is ErrResponseTooLarge.
func readCapped(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, ErrResponseTooLarge
	}
	return data, nil
}

// excerpt is a short sanitised start of a non-problem error body: the title
// of an HTML page, or the first words of a text.
func excerpt(data []byte, contentType string, secrets ...Secret) string {
	s := string(data)
	if isHTML(data, contentType) {
		// strings.ToLower may change byte lengths (invalid UTF-8, some
		// letters), and the offsets found in lower must index s.
		lower := asciiLower(s)
		i := strings.Index(lower, "<title>")
		j := strings.Index(lower, "</title>")
		if i < 0 || j < i {
			return ""
		}
		s = s[i+len("<title>") : j]
	}
	return sanitize(redactIn(s, secrets...), 120)
}

// asciiLower lower-cases ASCII letters byte by byte, keeping every offset.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func isHTML(data []byte, contentType string) bool {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && strings.Contains(mt, "html") {
		return true
	}
	t := bytes.TrimSpace(data)
	return len(t) > 0 && t[0] == '<'
}

// decodeJSON decodes a 2xx answer into out, with errors that say what was
// wrong without dumping the body.
func decodeJSON(data []byte, contentType string, out any) error {
	t := bytes.TrimSpace(data)
	switch {
	case len(t) == 0:
		return fmt.Errorf("%w: the answer is empty where a JSON object was expected", ErrMalformedResponse)
	case isHTML(t, contentType):
		title := excerpt(t, "text/html")
		if title == "" {
			return fmt.Errorf("%w: the answer is an HTML page, not JSON (is the base URL right?)", ErrMalformedResponse)
		}
		return fmt.Errorf("%w: the answer is an HTML page (%q), not JSON (is the base URL right?)", ErrMalformedResponse, title)
	case string(t) == "null":
		return fmt.Errorf("%w: the answer is null where a JSON object was expected", ErrMalformedResponse)
	}
	err := json.Unmarshal(t, out)
	if err == nil {
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn) && syn.Offset >= int64(len(t)):
		return fmt.Errorf("%w: the JSON answer is truncated (it ends after %d bytes)", ErrMalformedResponse, len(t))
	case errors.As(err, &syn):
		return fmt.Errorf("%w: invalid JSON at byte %d: %s", ErrMalformedResponse, syn.Offset, sanitize(syn.Error(), 200))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return fmt.Errorf("%w: the answer is a JSON %s, expected %s", ErrMalformedResponse, typ.Value, jsonTypeName(typ.Type.String()))
		}
		return fmt.Errorf("%w: field %q is a JSON %s, expected %s", ErrMalformedResponse, sanitize(field, 200), typ.Value, jsonTypeName(typ.Type.String()))
	default:
		return fmt.Errorf("%w: %s", ErrMalformedResponse, sanitize(err.Error(), 200))
	}
}

// jsonTypeName names what a Go type expects in JSON terms.
func jsonTypeName(goType string) string {
	goType = strings.TrimLeft(goType, "*")
	switch {
	case goType == "string", goType == "apiclient.Secret":
		return "a string"
	case goType == "bool":
		return "a boolean"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"), strings.HasPrefix(goType, "float"):
		return "a number"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case goType == "time.Time":
		return "a date-time string"
	default:
		return "an object"
	}
}
