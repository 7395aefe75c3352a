package console

import (
	"log/slog"
	"net"
	"time"

	"github.com/softwareone/apitoken/internal/textsafe"
)

// audit writes the audit trail: who came in with which key, from where, for
// which account, and which token ids they created. It never receives a token
// value or the server's API credentials, so it cannot log them.
type audit struct{ log *slog.Logger }

// Events, as the "msg" of each record.
const (
	evListening     = "listening"
	evShutdown      = "shutdown"
	evRateLimited   = "connection rate-limited"
	evPreAuthLimit  = "connection refused: too many unauthenticated"
	evAuthRefused   = "authentication refused"
	evSessionRefuse = "session refused"
	evSessionStart  = "session start"
	evTokenCreated  = "token created"
	evTokenAction   = "token changed"
	evPanic         = "panic recovered"
	evSessionEnd    = "session end"
)

// Why a session ended.
const (
	endQuit         = "quit"
	endDisconnected = "disconnected"
	endIdle         = "idle timeout"
	endMaxLength    = "max session length"
	endShutdown     = "shutdown"
)

func (a audit) listening(addr net.Addr, hostKey string, keys int) {
	a.log.Info(evListening, "addr", addr.String(), "host_key", hostKey, "authorized_keys", keys)
}

func (a audit) shutdown(sessions int) {
	a.log.Info(evShutdown, "sessions", sessions)
}

func (a audit) rateLimited(remote net.Addr) {
	a.log.Warn(evRateLimited, "remote", remote.String())
}

func (a audit) preAuthLimited(remote net.Addr) {
	a.log.Warn(evPreAuthLimit, "remote", remote.String())
}

func (a audit) authRefused(remote net.Addr, user, method, fingerprint string) {
	attrs := []any{"remote", remote.String(), "user", cleanUser(user), "method", method}
	if fingerprint != "" {
		attrs = append(attrs, "key", fingerprint)
	}
	a.log.Warn(evAuthRefused, attrs...)
}

func (a audit) sessionRefused(remote net.Addr, user, fingerprint, reason string) {
	a.log.Warn(evSessionRefuse, "remote", remote.String(), "user", cleanUser(user), "key", fingerprint, "reason", reason)
}

func (a audit) sessionStart(s *session) {
	a.log.Info(evSessionStart, s.attrs()...)
}

func (a audit) tokenCreated(s *session, id, name string) {
	a.log.Info(evTokenCreated, append(s.attrs(), "token_id", id, "token_name", textsafe.Line(name, 200))...)
}

// tokenAction records a disable, enable, update or delete the session
// asked for, and its outcome: "ok", "failed" (nothing changed) or
// "unknown" (the answer was lost; it may have happened), with the error.
func (a audit) tokenAction(s *session, action, id, name, outcome string, err error) {
	attrs := append(s.attrs(), "action", action, "token_id", textsafe.Line(id, 64), "token_name", textsafe.Line(name, 200), "outcome", outcome)
	if err != nil {
		attrs = append(attrs, "error", textsafe.Line(err.Error(), 300))
	}
	if outcome == "ok" {
		a.log.Info(evTokenAction, attrs...)
		return
	}
	a.log.Warn(evTokenAction, attrs...)
}

func (a audit) sessionEnd(s *session, reason string, d time.Duration, tokens []string) {
	if tokens == nil {
		tokens = []string{} // a JSON [] reads better than null
	}
	a.log.Info(evSessionEnd, append(s.attrs(), "reason", reason, "duration", d.Round(time.Millisecond).String(), "tokens", tokens)...)
}

// cleanUser makes the SSH user name, which the client chooses freely, short
// and inert.
func cleanUser(u string) string { return textsafe.Line(u, 64) }
