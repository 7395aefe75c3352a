package sandbox

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Server emulates the Marketplace API. It implements [net/http.Handler] and
// is safe for concurrent use. Create one with [New].
type Server struct {
	now      func() time.Time
	latency  time.Duration
	log      *slog.Logger
	ids      *randSource
	secrets  *randSource
	cat      *catalogue // read-only after New
	operator operator

	mu      sync.RWMutex
	tokens  map[string]*token
	order   []*token // creation order, for StoredTokens
	creates []CreateRecord

	audit []*auditRecord // in the order they happened

	mux    *http.ServeMux
	faults faultQueue
	chaos  *chaos // nil without WithChaos
}

// operator is the token that sees every account. Requests are checked
// against its hash; the value is kept only for OperatorToken.
type operator struct {
	token string
	hash  [sha256.Size]byte
}

// operatorIdentity is who the audit names when the operator acts.
var operatorIdentity = identity{id: "USR-0000-0001", name: "Sandbox Operator"}

// validOperatorToken accepts 1 to 4096 printable ASCII characters without
// spaces: anything else could not travel in an Authorization header.
func validOperatorToken(tok string) bool {
	if tok == "" || len(tok) > 4096 {
		return false
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < 0x21 || tok[i] > 0x7e {
			return false
		}
	}
	return true
}

// New returns a Server for the options, by default serving [DemoFixture]
// with a random operator token.
func New(opts ...Option) (*Server, error) {
	cfg := config{
		now:     time.Now,
		ids:     rand.Reader,
		secrets: rand.Reader,
		logger:  slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	f := cfg.fixture
	if f == nil {
		f = DemoFixture()
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	tok := cfg.operatorToken
	if !cfg.operatorSet {
		secret, err := (&randSource{r: rand.Reader}).alnum(40)
		if err != nil {
			return nil, err
		}
		tok = "sbx_" + secret
	}
	if cfg.chaos != nil {
		if err := cfg.chaos.validate(); err != nil {
			return nil, err
		}
	}
	if !validOperatorToken(tok) {
		return nil, errors.New("sandbox: the operator token must be 1 to 4096 printable ASCII characters without spaces")
	}
	s := &Server{
		now:      cfg.now,
		latency:  cfg.latency,
		log:      cfg.logger,
		ids:      &randSource{r: cfg.ids},
		secrets:  &randSource{r: cfg.secrets},
		operator: operator{token: tok, hash: sha256.Sum256([]byte(tok))},
		tokens:   make(map[string]*token),
		chaos:    newChaos(cfg.chaos),
	}
	s.cat = newCatalogue(f.clone(), stamp(s.now()))
	s.mux = s.routes()
	s.seedTokens(s.cat.fixture)
	return s, nil
}

// OperatorToken returns the bearer token that sees every account.
func (s *Server) OperatorToken() string { return s.operator.token }

// DefaultAccount returns the fixture's defaultAccount.
func (s *Server) DefaultAccount() string { return s.cat.defaultAccount }

// exchange is one request being answered.
type exchange struct {
	w     http.ResponseWriter
	r     *http.Request
	trace string
	who   *caller
}

func (x *exchange) json(status int, v any) { writeJSON(x.w, status, v) }

func (x *exchange) fail(status int, detail string) {
	writeProblem(x.w, problem{Status: status, Detail: detail, Instance: x.r.URL.Path, TraceID: x.trace})
}

func (x *exchange) invalid(errs fieldErrors) {
	typ, _ := problemKind(http.StatusBadRequest)
	writeProblem(x.w, problem{
		Type: typ, Title: validationTitle, Status: http.StatusBadRequest,
		Instance: x.r.URL.Path, TraceID: x.trace, Errors: errs,
	})
}

// ServeHTTP answers one API request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	trace := s.traceID()
	sw.Header().Set("X-Trace-Id", trace)
	x := &exchange{w: sw, r: r, trace: trace}
	defer s.logRequest(r, sw, trace, start)
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		// A bug: answer like ASP.NET's exception handler would.
		s.log.LogAttrs(r.Context(), slog.LevelError, "panic", slog.String("traceId", trace), slog.String("error", fmt.Sprint(v)))
		if !sw.wrote {
			x.fail(http.StatusInternalServerError, "")
		}
	}()
	if s.latency > 0 {
		prefetchBody(r) // so that a client going away ends the wait
	}
	if !sleep(r.Context(), s.latency) {
		s.abandoned(r) // the client went away; nobody is listening
		return
	}
	f := s.faults.match(r)
	if f == nil {
		f = s.chaos.draw(r)
	}
	if f != nil && s.applyFault(x, f) {
		return
	}
	s.dispatch(x)
}

// abandoned records a create whose client left before it was handled.
func (s *Server) abandoned(r *http.Request) {
	if isCreate(r) {
		s.recordFaulted(r, 0)
	}
}

// traceID draws a trace id from the id source, falling back to crypto/rand
// when that source fails, since every answer needs one.
func (s *Server) traceID() string {
	id, err := s.ids.traceID()
	if err != nil {
		id, _ = (&randSource{r: rand.Reader}).traceID()
	}
	return id
}

// logRequest writes the access log line. The path is redacted of anything
// that looks like a token value: a careless client may put one there.
func (s *Server) logRequest(r *http.Request, sw *statusWriter, trace string, start time.Time) {
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", s.redact(r.URL.Path)),
		slog.Int("status", sw.status),
		slog.Duration("duration", time.Since(start)),
		slog.String("traceId", trace),
	}
	if sw.dropped {
		attrs = append(attrs, slog.Bool("dropped", true))
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
}

// tokenValueInTextRe is compiled on first use, not at package init, which
// every start of the binary would pay for.
var tokenValueInTextRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`idt:(TKN-[0-9]{4}-[0-9]{4}):[^/?#\s]*`)
})

func (s *Server) redact(p string) string {
	p = tokenValueInTextRe().ReplaceAllString(p, "idt:$1:REDACTED")
	if len(s.operator.token) >= 8 { // a shorter one would mangle ordinary paths
		p = strings.ReplaceAll(p, s.operator.token, "REDACTED")
	}
	return p
}

// statusWriter remembers the status for the access log. Unwrap lets
// http.ResponseController reach the connection to hijack it.
type statusWriter struct {
	http.ResponseWriter
	status  int
	wrote   bool
	dropped bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote && code >= 200 {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
