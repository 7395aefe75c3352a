package console

import (
	"fmt"
	"log/slog"
	"slices"

	"charm.land/ssh"
	"charm.land/wish/v2/accesscontrol"
	gossh "golang.org/x/crypto/ssh"
)

// commandAdd opens the wizard; a session without a command opens the API
// tokens page.
const commandAdd = "add"

// servedCommands are the commands a session may ask for; `ssh host` with
// no command is the default session.
var servedCommands = []string{commandAdd}

// commands refuses, in one line and with exit status 1, any command the
// console does not serve, and audits the refusal. wish's accesscontrol
// checks the command's name; the arguments and a command line that does
// not even split into words (which splits into no command at all) are
// checked here.
func (s *Server) commands(next ssh.Handler) ssh.Handler {
	named := accesscontrol.Middleware(servedCommands...)(next)
	return func(sess ssh.Session) {
		// Taken now, with the session's other reads of its pty: the
		// library's Pty races with window changes arriving meanwhile.
		_, winch, _ := sess.Pty()
		defer drainWindowChanges(winch)
		cmd, raw := sess.Command(), sess.RawCommand()
		served := (len(cmd) == 0 && raw == "") || (len(cmd) == 1 && slices.Contains(servedCommands, cmd[0]))
		if served {
			named(sess)
			return
		}
		fp := ""
		if key := sess.PublicKey(); key != nil {
			fp = gossh.FingerprintSHA256(key)
		}
		s.audit.sessionRefused(sess.RemoteAddr(), sess.User(), fp, "command not served: "+cleanUser(raw))
		if len(cmd) == 1 {
			named(sess) // an unknown name: accesscontrol refuses it
			return
		}
		refuse(sess, fmt.Sprintf("apitoken console: unknown command %q; the console serves: %s", cleanUser(raw), commandAdd))
	}
}

// panicLogger puts a recovered panic in the audit log.
type panicLogger struct{ log *slog.Logger }

func (l panicLogger) Printf(format string, v ...any) {
	l.log.Error(evPanic, "detail", fmt.Sprintf(format, v...))
}

// drainWindowChanges reads, once the session's handler is done, the window
// changes nobody reads any more: the SSH library queues one and then blocks
// the session's request loop on the next, which would keep the session's
// goroutines and memory for as long as the client keeps the connection.
// The channel is closed when the session's requests end.
func drainWindowChanges(winch <-chan ssh.Window) {
	if winch != nil {
		go func() {
			for range winch {
			}
		}()
	}
}
