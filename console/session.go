package console

import (
	"context"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/ui"
)

// What a refused session is told, on one line.
const (
	msgNoTerminal = "apitoken console: this needs a terminal; connect with ssh -t."
	msgRevoked    = "apitoken console: your key is no longer authorized."
	msgFull       = "apitoken console: all %d sessions are in use; try again in a few minutes."
	msgDraining   = "apitoken console: the console is shutting down; try again later."
)

const (
	// createWait bounds the wait for a create in flight when a session
	// ends; the wizard's own request timeout (2 minutes) ends it sooner.
	createWait = 3 * time.Minute
	// forceClose is how long a wizard told to quit may take before its
	// channel is closed under it: its output is stuck when the client no
	// longer reads.
	forceClose = 5 * time.Second
)

// session is one SSH session running a wizard.
type session struct {
	id      uint64
	who     identity
	user    string
	remote  net.Addr
	account string
	start   ui.Start // the first page: the API tokens page, or the wizard for `add`
	started time.Time
	gone    <-chan struct{} // closed when the client has gone

	api     *sessionAPI
	input   *activityReader
	program *tea.Program

	shutdownOnce sync.Once

	mu     sync.Mutex
	reason string   // why it was asked to end; "" while nobody asked
	tokens []string // ids created
	// changes are the lines that tell the user, after the last frame, what
	// became of the changes the session sent: a change whose answer came
	// as the session was ending was never drawn.
	changes []string
}

func (s *session) attrs() []any {
	return []any{
		"session", s.id, "key", s.who.Fingerprint, "key_comment", s.who.Comment,
		"user", cleanUser(s.user), "remote", s.remote.String(), "account", s.account,
	}
}

// end asks the wizard to finish: it quits at once unless a create is in
// flight or a created token is on screen, which it keeps showing with a
// banner asking to copy it and close. The first reason given is kept.
func (s *session) end(reason string) {
	s.mu.Lock()
	if s.reason == "" {
		s.reason = reason
	}
	s.mu.Unlock()
	// Send blocks until the program reads it, or has ended.
	s.shutdownOnce.Do(func() { go s.program.Send(ui.ShutdownMsg{Reason: endBanner(reason)}) })
}

// endBanner is how the wizard tells the user why the session is ending.
func endBanner(reason string) string {
	switch reason {
	case endIdle:
		return "This session was idle too long and is ending"
	case endMaxLength:
		return "This session reached its time limit and is ending"
	}
	return "The console is shutting down"
}

func (s *session) created(tok *apiclient.APIToken) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = append(s.tokens, tok.ID)
}

// changed keeps the line that reports a change the session sent.
func (s *session) changed(action, id, name, outcome string) {
	line := changeLine(action, id, name, outcome)
	if line == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.changes) < maxChangeLines {
		s.changes = append(s.changes, line)
	}
}

// maxChangeLines bounds what a session keeps to print at its end.
const maxChangeLines = 100

// changeLine is the farewell line of a change sent to the API; "" for a
// refusal (nothing was sent) or a read.
func changeLine(action, id, name, outcome string) string {
	verb := map[string]string{actionUpdate: "Updated", actionEnable: "Enabled", actionDisable: "Disabled", actionDelete: "Deleted"}[action]
	if verb == "" || outcome == outcomeRefused {
		return ""
	}
	what := "API token " + textsafe.Line(id, 64)
	if n := textsafe.Line(name, 80); n != "" {
		what += " (" + n + ")"
	}
	switch outcome {
	case outcomeOK:
		return verb + " " + what + "."
	case outcomeUnknown:
		return "The answer to the " + action + " of " + what + " was lost: it may have happened; check the token."
	}
	return "The " + action + " of " + what + " failed; nothing changed."
}

// outcome is why the session ended and the ids it created.
func (s *session) outcome(disconnected bool) (string, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	reason := s.reason
	switch {
	case reason != "":
	case disconnected:
		reason = endDisconnected
	default:
		reason = endQuit
	}
	return reason, append([]string(nil), s.tokens...)
}

// admit is the console's wish middleware: it refuses what must not run,
// and runs the rest through wish's bubbletea middleware.
func (srv *Server) admit(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		ss, cancel, ok := srv.open(sess)
		if !ok {
			return
		}
		defer srv.reg.remove(ss)
		defer cancel() // lets go of a Send to a program that never ran
		srv.run(ss, sess, next)
	}
}

// open checks the session may run and sets up its wizard, with the
// identity and account of the key; or tells the client why not.
func (srv *Server) open(sess ssh.Session) (*session, context.CancelFunc, bool) {
	remote, user := sess.RemoteAddr(), sess.User()
	key := sess.PublicKey()
	if key == nil { // cannot happen: public keys are the only way in
		refuse(sess, msgRevoked)
		return nil, nil, false
	}
	fp := gossh.FingerprintSHA256(key)
	if _, _, ok := sess.Pty(); !ok {
		srv.audit.sessionRefused(remote, user, fp, "no terminal")
		refuse(sess, msgNoTerminal)
		return nil, nil, false
	}
	// Look the key up again: it may have been revoked, or its account
	// changed, since the connection was authenticated.
	who, ok := srv.keys.lookup(key)
	if !ok {
		srv.audit.sessionRefused(remote, user, fp, "key no longer authorized")
		refuse(sess, msgRevoked)
		return nil, nil, false
	}

	ss := srv.newSession(sess, who)
	ctx, cancel := context.WithCancel(context.Background())
	ss.program = tea.NewProgram(srv.newWizard(ss), append(bubbletea.MakeOptions(sess),
		// Replaces MakeOptions' input with one that notes keystrokes for
		// the idle timeout. Sessions use wish's emulated PTY, so the
		// session itself is the terminal's input.
		tea.WithInput(ss.input),
		tea.WithContext(ctx),
		// The process's signals belong to the server: SIGINT must drain
		// the sessions, not interrupt every wizard at once.
		tea.WithoutSignalHandler(),
	)...)

	switch err := srv.reg.add(ss); err {
	case nil:
		return ss, cancel, true
	case errFull:
		srv.audit.sessionRefused(remote, user, fp, "session limit reached")
		refuse(sess, fmt.Sprintf(msgFull, srv.cfg.MaxSessions))
	default:
		srv.audit.sessionRefused(remote, user, fp, "shutting down")
		refuse(sess, msgDraining)
	}
	cancel()
	return nil, nil, false
}

// run runs the wizard to its end and keeps the session's audit record.
func (srv *Server) run(ss *session, sess ssh.Session, next ssh.Handler) {
	srv.audit.sessionStart(ss)
	stop, watched := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watched)
		srv.watch(ss, sess, stop)
	}()
	bubbletea.MiddlewareWithProgramHandler(func(ssh.Session) *tea.Program { return ss.program })(next)(sess)
	close(stop)
	<-watched

	// A create or a change may still be out if the client went away
	// meanwhile: wait for it, so its outcome is in the audit log.
	ss.api.calls.wait(createWait)
	reason, tokens := ss.outcome(sess.Context().Err() != nil)
	ss.mu.Lock()
	changes := slices.Clone(ss.changes)
	ss.mu.Unlock()
	farewell(sess, reason, tokens, changes, srv.cfg)
	// Exit here rather than after the handler returns: a draining server
	// closes the connection once this session is unregistered, and the
	// client should have its exit status by then.
	_ = sess.Exit(0)
	srv.audit.sessionEnd(ss, reason, time.Since(ss.started), tokens)
}

func (srv *Server) newSession(sess ssh.Session, who identity) *session {
	account := who.Account
	if account == "" {
		account = srv.cfg.DefaultAccount
	}
	now := time.Now()
	in := &activityReader{r: sess, now: srv.cfg.timers.Now}
	in.last.Store(srv.cfg.timers.Now().UnixNano())
	ss := &session{
		id:      srv.ids.Add(1),
		who:     who,
		user:    sess.User(),
		remote:  sess.RemoteAddr(),
		account: account,
		start:   startPage(sess.Command()),
		started: now,
		gone:    sess.Context().Done(),
		api:     newSessionAPI(srv.cfg.API, account),
		input:   in,
	}
	srv.wireAPI(ss)
	return ss
}

// wireAPI connects the session's API to the server-wide record of reported
// tokens and to the audit log.
func (srv *Server) wireAPI(ss *session) {
	api := ss.api
	api.reported = func(id string) bool { return srv.reports.reported(ss.account, id, 0) }
	api.report = func(id string) { srv.reports.add(ss.account, id, ss.id) }
	api.audit = func(action, id, name, outcome string, err error) {
		srv.audit.tokenAction(ss, action, id, name, outcome, err)
		ss.changed(action, id, name, outcome)
	}
}

// startPage is the first page of a session: the API tokens page of the
// key's account, or the wizard for `ssh host add`. The commands middleware
// has refused every other command.
func startPage(cmd []string) ui.Start {
	if len(cmd) == 1 && cmd[0] == commandAdd {
		return ui.StartWizard
	}
	return ui.StartTokens
}

// newWizard is the same app as the local one; only what differs over SSH
// is set: no logo field (a path would name a server file) and no native
// clipboard (it would be the server's); copies go by OSC 52 to this
// session's terminal only.
func (srv *Server) newWizard(ss *session) *ui.Model {
	return ui.New(ui.Options{
		Start:           ss.start,
		API:             ss.api,
		AccountID:       ss.account,
		Sandbox:         srv.cfg.Sandbox,
		AllowLogo:       false,
		SSH:             true,
		NativeClipboard: nil,
		Clock:           srv.cfg.Clock,
		OnCreated: func(tok *apiclient.APIToken) {
			ss.created(tok)
			srv.audit.tokenCreated(ss, tok.ID, tok.Name)
		},
	})
}

// watch enforces the idle timeout and the session length: it asks the
// wizard to end, gives a created token EndGrace to be copied, then quits
// the wizard, and closes the channel if even that does not end it.
func (srv *Server) watch(ss *session, sess ssh.Session, stop <-chan struct{}) {
	cfg, clk := srv.cfg, srv.cfg.timers
	idle := clk.NewTimer(cfg.IdleTimeout)
	defer idle.Stop()
	length := clk.NewTimer(cfg.MaxSessionLength)
	defer length.Stop()
	var quit, kill <-chan time.Time
	after := func(d time.Duration) <-chan time.Time {
		t := clk.NewTimer(d)
		return t.C()
	}
	ask := func(reason string) {
		ss.end(reason)
		if quit == nil && kill == nil {
			quit = after(cfg.EndGrace)
		}
	}
	for {
		select {
		case <-stop:
			return
		case <-idle.C():
			if rest := cfg.IdleTimeout - clk.Now().Sub(ss.input.lastInput()); rest > 0 {
				idle.Reset(rest)
				continue
			}
			ask(endIdle)
		case <-length.C():
			ask(endMaxLength)
		case <-quit:
			quit, kill = nil, after(forceClose)
			go ss.program.Quit()
		case <-kill:
			_ = sess.Close()
			return
		}
	}
}

// refuse tells the client why in one line and ends the session.
func refuse(sess ssh.Session, msg string) {
	wish.Errorln(sess, msg)
	_ = sess.Exit(1)
}

// farewell leaves the created ids in the user's scrollback, as the local
// wizard does, and says why the console ended the session. It writes to
// stdout, after the wizard's last frame: the client may interleave stderr
// with stdout, and a line printed before the wizard leaves the alternate
// screen would vanish with it.
func farewell(sess ssh.Session, reason string, tokens, changes []string, cfg Config) {
	if sess.Context().Err() != nil {
		return // nobody to tell
	}
	for _, id := range tokens {
		wish.Printf(sess, "Created API token %s.\n", textsafe.Line(id, 64))
	}
	for _, line := range changes {
		wish.Println(sess, line)
	}
	switch reason {
	case endIdle:
		wish.Printf(sess, "Session closed after %s without input.\n", cfg.IdleTimeout)
	case endMaxLength:
		wish.Printf(sess, "Session closed: a session lasts at most %s.\n", cfg.MaxSessionLength)
	case endShutdown:
		wish.Println(sess, "The token console is shutting down.")
	}
}

// activityReader is the session's input, noting when the user last typed.
type activityReader struct {
	r    io.Reader
	now  func() time.Time
	last atomic.Int64 // unix nanoseconds
}

func (a *activityReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.last.Store(a.now().UnixNano())
	}
	return n, err
}

func (a *activityReader) lastInput() time.Time { return time.Unix(0, a.last.Load()) }
