package console

import (
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// Bounds on what a client's session requests may make the server hold.
const (
	// MaxColumns and MaxRows bound the terminal size a session is drawn
	// at: every size a client gives (pty-req and window-change) is cut to
	// them before the server sees it. The renderer's buffers grow with
	// columns × rows (a 1000×1000 terminal cost 239 MB), so without a bound
	// one client could take the whole server down. 500×200 is wider and
	// taller than any readable terminal; a larger one shows the wizard in
	// its top-left corner.
	MaxColumns = 500
	MaxRows    = 200
	// maxPixels bounds the pixel sizes, which nothing here draws with.
	maxPixels = 1 << 16

	// maxEnvVars and maxEnvBytes bound the env requests a session may
	// make; more are refused (OpenSSH clients go on without them). The
	// console only reads a few variables (TERM, COLORTERM, NO_COLOR…).
	maxEnvVars  = 32
	maxEnvBytes = 8 << 10
)

// Session request types the console refuses: it never forwards an agent,
// X11 or ports, so it says no rather than pretend.
const (
	reqAgent = "auth-agent-req@openssh.com"
	reqX11   = "x11-req"
)

// sessionChannel runs the default session handler on a channel whose
// requests pass through limitRequests first.
func sessionChannel(srv *ssh.Server, conn *gossh.ServerConn, newChan gossh.NewChannel, ctx ssh.Context) {
	ssh.DefaultSessionHandler(srv, conn, limitedChannel{newChan}, ctx)
}

type limitedChannel struct{ gossh.NewChannel }

func (c limitedChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := c.NewChannel.Accept()
	if err != nil {
		return ch, reqs, err
	}
	out := make(chan *gossh.Request)
	go limitRequests(reqs, out)
	return ch, out, nil
}

// limitRequests passes a session's requests on, with terminal sizes
// clamped, env requests counted, and forwarding requests refused. It ends,
// closing out, when the channel's requests end.
func limitRequests(in <-chan *gossh.Request, out chan<- *gossh.Request) {
	defer close(out)
	envVars, envBytes := 0, 0
	for req := range in {
		switch req.Type {
		case "pty-req":
			req.Payload = clampPtyRequest(req.Payload)
		case "window-change":
			req.Payload = clampWindowChange(req.Payload)
		case "env":
			envVars++
			envBytes += len(req.Payload)
			if envVars > maxEnvVars || envBytes > maxEnvBytes {
				_ = req.Reply(false, nil)
				continue
			}
		case reqAgent, reqX11:
			_ = req.Reply(false, nil)
			continue
		}
		out <- req
	}
}

// clamp cuts a size (columns, rows, pixel width and height) to the bounds.
func clamp(cols, rows, width, height *uint32) {
	*cols = min(*cols, MaxColumns)
	*rows = min(*rows, MaxRows)
	*width = min(*width, maxPixels)
	*height = min(*height, maxPixels)
}

// clampPtyRequest returns a pty-req payload with the size clamped; one it
// cannot parse is passed on as it is, for the server to refuse.
func clampPtyRequest(p []byte) []byte {
	var req struct {
		Term                         string
		Columns, Rows, Width, Height uint32
		Modes                        string
		Rest                         []byte `ssh:"rest"`
	}
	if gossh.Unmarshal(p, &req) != nil {
		return p
	}
	clamp(&req.Columns, &req.Rows, &req.Width, &req.Height)
	return gossh.Marshal(&req)
}

func clampWindowChange(p []byte) []byte {
	var w struct {
		Columns, Rows, Width, Height uint32
		Rest                         []byte `ssh:"rest"`
	}
	if gossh.Unmarshal(p, &w) != nil {
		return p
	}
	clamp(&w.Columns, &w.Rows, &w.Width, &w.Height)
	return gossh.Marshal(&w)
}
