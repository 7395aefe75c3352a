package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"
)

// sshConfig is the SSH load.
type sshConfig struct {
	bin        string        // the apitoken binary
	sessions   int           // concurrent sessions
	keystrokes int           // filter keystrokes timed per session
	ramp       time.Duration // time over which the sessions connect
	perAddress int           // sessions per client source address
	timeout    time.Duration // bound of the whole load
	serverEnv  []string      // more environment for apitoken serve
	hold       time.Duration // idle time with every session open, before the keystrokes
	page       string        // "tokens" (`ssh host`, the API tokens page) or "wizard" (`ssh host add`)
	// apart runs the sandbox as its own process (`apitoken sandbox`), as
	// the API is in a deployment, so the server's memory and CPU are the
	// console's alone; otherwise `apitoken serve --sandbox` holds both.
	apart bool
}

// sshPage is how a load session reaches the page it types on.
type sshPage struct {
	command string // the session's command; "" for the default session
	first   string // text of the first frame
	enter   string // keys that reach where the keystrokes are timed
	ready   string // text shown once there
	where   string // for the table
}

// commandAdd opens the wizard.
const commandAdd = "add"

// sshPages are the pages the SSH load can type on: the API tokens page's
// name filter, or the Modules step's filter.
var sshPages = map[string]sshPage{
	"tokens": {command: "", first: "TKN-", enter: "/", ready: "id contains", where: "the API tokens page (filter)"},
	"wizard": {command: commandAdd, first: "General", enter: "\x0e", ready: "selected", where: "Modules"},
}

// sshResult is what the load measured.
type sshResult struct {
	sessions, ready, refused int
	where                    string         // the page typed on
	refusals                 map[string]int // why, counted
	firstFrame, toReady      []time.Duration
	phases                   []phaseResult
	rssBase, rssFull         int64 // server VmRSS, bytes: before, and its peak with every session open
	rssIdle                  int64 // server VmRSS with every session open and idle, before the keystrokes
	cpuIdle                  time.Duration
	idleWindow               time.Duration
	addresses                int
	maxSessions              int
	auditRefusals            int
}

// typing is how the sessions type in a keystroke phase: after each echo
// they wait for the screen to be quiet for a pause drawn from [min, max).
type typing struct {
	name     string
	min, max time.Duration
}

// phases are the keystroke phases, one after the other, every session
// typing at once: as fast typists (about 8 keys a second each), then at a
// steady pace (about 3 a second).
var phases = []typing{
	{"fast typing, 100-150 ms between keys", 100 * time.Millisecond, 150 * time.Millisecond},
	{"steady typing, 250-400 ms between keys", 250 * time.Millisecond, 400 * time.Millisecond},
}

// phaseResult is what a keystroke phase measured.
type phaseResult struct {
	typing
	echoes               []time.Duration
	lost                 int // keystrokes without an echo within 10 s
	window               time.Duration
	serverCPU, clientCPU time.Duration // CPU used meanwhile by the server and by these clients
}

func (p phaseResult) keys() int { return len(p.echoes) + p.lost }

// perSession is the server's resident memory per session.
func (r sshResult) perSession() int64 {
	if r.ready == 0 {
		return 0
	}
	return (r.rssFull - r.rssBase) / int64(r.ready)
}

// perSessionIdle is the server's resident memory per idle session.
func (r sshResult) perSessionIdle() int64 {
	if r.ready == 0 {
		return 0
	}
	return (r.rssIdle - r.rssBase) / int64(r.ready)
}

// serverProc is `apitoken serve` on a loopback port.
type serverProc struct {
	cmd      *exec.Cmd
	addr     string
	audit    string // the audit log file
	done     chan error
	stopOnce sync.Once
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

func writeHostKey(path string) (gossh.PublicKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "perf host key")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, err
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		return nil, err
	}
	return signer.PublicKey(), nil
}

// writeAuthorizedKeys makes n ed25519 client keys and the file that lets
// them in.
func writeAuthorizedKeys(path string, n int) ([]gossh.Signer, error) {
	signers := make([]gossh.Signer, n)
	var b strings.Builder
	for i := range signers {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		s, err := gossh.NewSignerFromKey(priv)
		if err != nil {
			return nil, err
		}
		signers[i] = s
		fmt.Fprintf(&b, "%s perf-%d@loopback\n", strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey()))), i)
	}
	return signers, os.WriteFile(path, []byte(b.String()), 0o600)
}

// sandboxDefaultAccount is the demo sandbox's default account.
const sandboxDefaultAccount = "ACC-1000-0001"

// startSandbox runs `apitoken sandbox` on a loopback port and returns the
// environment that points `apitoken serve` at it. The operator token goes
// through the environment, never argv.
func startSandbox(bin, dir string) (*serverProc, []string, error) {
	addr, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	secret := make([]byte, 20)
	if _, err := rand.Read(secret); err != nil {
		return nil, nil, err
	}
	token := fmt.Sprintf("sbx_perf_%x", secret)
	cmd := exec.Command(bin, "sandbox", "--listen", addr)
	cmd.Dir = dir
	cmd.Env = []string{"HOME=" + dir, "PATH=/usr/bin:/bin", "MPT_SANDBOX_TOKEN=" + token}
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	p := &serverProc{cmd: cmd, addr: addr, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	if err := p.waitListening(); err != nil {
		return nil, nil, err
	}
	return p, []string{"MPT_API_BASE_URL=http://" + addr, "MPT_API_TOKEN=" + token, "MPT_ACCOUNT_ID=" + sandboxDefaultAccount}, nil
}

// waitListening waits until the process accepts connections on its
// address.
func (p *serverProc) waitListening() error {
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", p.addr, time.Second)
		if err == nil {
			_ = c.Close()
			return nil
		}
		select {
		case err := <-p.done:
			p.done <- err
			return fmt.Errorf("%s exited: %v", filepath.Base(p.cmd.Path), err)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop()
			return fmt.Errorf("%s is not listening on %s after 15s", filepath.Base(p.cmd.Path), p.addr)
		}
	}
}

// startServer runs `apitoken serve`: on the built-in sandbox when api is
// nil, else on the API api's environment names.
func startServer(bin, dir string, maxSessions int, env, api []string) (*serverProc, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	audit, err := os.Create(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		return nil, err
	}
	defer audit.Close()
	cmd := exec.Command(bin, "serve",
		"--listen", addr,
		"--host-key", filepath.Join(dir, "host_key"),
		"--authorized-keys", filepath.Join(dir, "authorized_keys"),
		"--max-sessions", strconv.Itoa(maxSessions),
		"--idle-timeout", "30m",
		"--max-session-length", "1h",
		"--grace", "5s")
	if api == nil {
		cmd.Args = append(cmd.Args, "--sandbox")
	}
	cmd.Dir = dir
	cmd.Env = append(append([]string{"HOME=" + dir, "PATH=/usr/bin:/bin"}, api...), env...)
	cmd.Stdout = io.Discard
	cmd.Stderr = audit
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &serverProc{cmd: cmd, addr: addr, audit: audit.Name(), done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	if err := p.waitListening(); err != nil {
		return nil, fmt.Errorf("%w (audit log %s)", err, p.audit)
	}
	return p, nil
}

// stop drains the server (SIGTERM) and kills it if that takes too long.
func (p *serverProc) stop() {
	p.stopOnce.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(15 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
}

// procStatus reads a "kB" field of /proc/<pid>/status, in bytes.
func procStatus(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// procCPU is the user plus system time of a process so far.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(fields) < 13 {
		return 0, errors.New("short /proc stat")
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	const clockTicks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// loadSession is one SSH client driving a wizard.
type loadSession struct {
	client *gossh.Client
	sess   *gossh.Session
	stdin  io.WriteCloser

	mu     sync.Mutex
	out    []byte // what was drawn, while keep is set
	keep   bool
	grew   chan struct{} // signalled (not queued) when something is drawn
	term   terminal
	eof    chan struct{}
	writeM sync.Mutex // one write at a time: keys and terminal replies
}

func (s *loadSession) write(p string) error {
	s.writeM.Lock()
	defer s.writeM.Unlock()
	_, err := io.WriteString(s.stdin, p)
	return err
}

func (s *loadSession) read(stdout io.Reader) {
	defer close(s.eof)
	buf := make([]byte, 16<<10)
	for {
		n, err := stdout.Read(buf)
		if n > 0 {
			s.mu.Lock()
			if s.keep {
				s.out = append(s.out, buf[:n]...)
			}
			s.mu.Unlock()
			if reply := s.term.feed(buf[:n]); reply != "" {
				_ = s.write(reply)
			}
			select {
			case s.grew <- struct{}{}:
			default:
			}
		}
		if err != nil {
			return
		}
	}
}

func (s *loadSession) mark() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.out)
}

func (s *loadSession) since(mark int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.out[mark:])
}

// forget stops keeping what is drawn: the echo only needs to know that
// something was.
func (s *loadSession) forget() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keep, s.out = false, nil
}

// waitFor waits until what was drawn after mark shows text.
func (s *loadSession) waitFor(ctx context.Context, mark int, text string) error {
	for {
		if strings.Contains(ansi.Strip(s.since(mark)), text) {
			return nil
		}
		select {
		case <-s.grew:
		case <-s.eof:
			if strings.Contains(ansi.Strip(s.since(mark)), text) {
				return nil
			}
			return fmt.Errorf("session ended: %s", strings.TrimSpace(tail(ansi.Strip(s.since(0)), 200)))
		case <-ctx.Done():
			return fmt.Errorf("no %q: %w", text, ctx.Err())
		}
	}
}

// quiet waits until nothing was drawn for d.
func (s *loadSession) quiet(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-s.grew:
			t.Reset(d)
		case <-t.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// echo sends key and returns the time until the wizard draws something.
func (s *loadSession) echo(ctx context.Context, key string) (time.Duration, error) {
	select { // forget what was drawn before
	case <-s.grew:
	default:
	}
	start := time.Now()
	if err := s.write(key); err != nil {
		return 0, err
	}
	t := time.NewTimer(10 * time.Second)
	defer t.Stop()
	select {
	case <-s.grew:
		return time.Since(start), nil
	case <-s.eof:
		return 0, errors.New("session ended")
	case <-t.C:
		return 0, errors.New("no echo within 10s")
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (s *loadSession) close() {
	if s.sess != nil {
		_ = s.write("\x03") // ctrl+c: nothing was added, the wizard quits
		select {
		case <-s.eof:
		case <-time.After(5 * time.Second):
		}
		_ = s.sess.Close()
	}
	if s.client != nil {
		_ = s.client.Close()
	}
}

// dial opens a session with a pty from source address local, running
// command ("" for the default session).
func dial(ctx context.Context, addr string, local net.IP, signer gossh.Signer, hostKey gossh.PublicKey, command string) (*loadSession, error) {
	d := net.Dialer{Timeout: 30 * time.Second, LocalAddr: &net.TCPAddr{IP: local}}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	cfg := &gossh.ClientConfig{
		User:            "perf",
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.FixedHostKey(hostKey),
		Timeout:         30 * time.Second,
	}
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	c, chans, reqs, err := gossh.NewClientConn(conn, addr, cfg)
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	_ = conn.SetDeadline(time.Time{})
	s := &loadSession{client: gossh.NewClient(c, chans, reqs), keep: true, grew: make(chan struct{}, 1), eof: make(chan struct{})}
	sess, err := s.client.NewSession()
	if err != nil {
		_ = s.client.Close()
		return nil, err
	}
	s.sess = sess
	if err := sess.RequestPty("xterm-256color", ptyRows, ptyCols, gossh.TerminalModes{gossh.ECHO: 0}); err != nil {
		s.close()
		return nil, err
	}
	if s.stdin, err = sess.StdinPipe(); err != nil {
		s.close()
		return nil, err
	}
	stdout, err := sess.StdoutPipe()
	if err != nil {
		s.close()
		return nil, err
	}
	go s.read(stdout)
	start := sess.Shell
	if command != "" {
		start = func() error { return sess.Start(command) }
	}
	if err := start(); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// refusalReason is a short reason for a failed session.
func refusalReason(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "sessions are in use"):
		return "session limit"
	case strings.Contains(msg, "connection reset"), strings.Contains(msg, "EOF"), strings.Contains(msg, "handshake"):
		return "connection closed (rate limit or handshake)"
	case strings.Contains(msg, "deadline"), strings.Contains(msg, "timeout"):
		return "timeout"
	}
	return msg
}

// measureSSH runs the SSH load: it starts `apitoken serve` (sandbox), opens
// the sessions, ramping up, from several loopback source addresses, brings
// each to its page (the API tokens page's filter, or the wizard's Modules
// step), waits for all of them, then times filter keystrokes with every
// session open.
func measureSSH(ctx context.Context, cfg sshConfig, log io.Writer) (res sshResult, err error) {
	page, ok := sshPages[cfg.page]
	if !ok {
		return res, fmt.Errorf("no SSH page %q (tokens or wizard)", cfg.page)
	}
	res.where = page.where
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	dir, err := os.MkdirTemp("", "perf-ssh-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	hostKey, err := writeHostKey(filepath.Join(dir, "host_key"))
	if err != nil {
		return res, err
	}
	signers, err := writeAuthorizedKeys(filepath.Join(dir, "authorized_keys"), cfg.sessions)
	if err != nil {
		return res, err
	}
	res.maxSessions = cfg.sessions + 10
	var api []string
	if cfg.apart {
		sb, env, err := startSandbox(cfg.bin, dir)
		if err != nil {
			return res, err
		}
		defer sb.stop()
		api = env
	}
	srv, err := startServer(cfg.bin, dir, res.maxSessions, cfg.serverEnv, api)
	if err != nil {
		return res, err
	}
	defer srv.stop()
	pid := srv.cmd.Process.Pid
	time.Sleep(300 * time.Millisecond) // let the sandbox and listener settle
	if res.rssBase, err = procStatus(pid, "VmRSS"); err != nil {
		return res, err
	}

	// Sources 127.0.0.2, 127.0.0.3, …: perAddress sessions each, below the
	// console's per-address connection rate.
	res.addresses = (cfg.sessions + cfg.perAddress - 1) / cfg.perAddress
	res.sessions = cfg.sessions
	res.refusals = map[string]int{}

	type outcome struct {
		s                   *loadSession
		firstFrame, toReady time.Duration
		err                 error
	}
	outcomes := make([]outcome, cfg.sessions)
	var wg sync.WaitGroup
	var reached sync.WaitGroup // sessions on their page (or failed)
	reached.Add(cfg.sessions)
	allThere := make(chan struct{})
	go func() { reached.Wait(); close(allThere) }()
	res.phases = make([]phaseResult, len(phases))
	starts := make([]chan struct{}, len(phases))
	dones := make([]sync.WaitGroup, len(phases))
	for p := range phases {
		res.phases[p].typing = phases[p]
		starts[p] = make(chan struct{})
		dones[p].Add(cfg.sessions)
	}
	var echoMu sync.Mutex
	interval := cfg.ramp / time.Duration(max(cfg.sessions, 1))
	for i := range cfg.sessions {
		local := net.IPv4(127, 0, byte((2+i/cfg.perAddress)>>8), byte(2+i/cfg.perAddress))
		wg.Go(func() {
			o := &outcomes[i]
			once := sync.OnceFunc(reached.Done)
			defer once()
			// A session that stops early is done with every phase.
			phaseDone := make([]func(), len(phases))
			for p := range phases {
				phaseDone[p] = sync.OnceFunc(dones[p].Done)
				defer phaseDone[p]()
			}
			start := time.Now()
			s, err := dial(ctx, srv.addr, local, signers[i], hostKey, page.command)
			if err != nil {
				o.err = err
				return
			}
			o.s = s
			if err := s.waitFor(ctx, 0, page.first); err != nil {
				o.err = err
				return
			}
			o.firstFrame = time.Since(start)
			mark := s.mark()
			t := time.Now()
			enter := page.enter
			if page.command == commandAdd {
				enter = "Load " + strconv.Itoa(i) + enter // the name, then ctrl+n
			}
			if err := s.write(enter); err != nil {
				o.err = err
				return
			}
			if err := s.waitFor(ctx, mark, page.ready); err != nil {
				o.err = err
				return
			}
			o.toReady = time.Since(t)
			s.forget()
			once()
			// Time the keystrokes once every session is open and the
			// idle figures are taken, phase by phase.
			rng := mrand.New(mrand.NewPCG(uint64(i), 7))
			keys := []string{"o", "\x7f"} // a letter, then backspace
			for p, ph := range phases {
				select {
				case <-starts[p]:
				case <-ctx.Done():
					return
				}
				for k := range cfg.keystrokes {
					s.quiet(ctx, ph.min+time.Duration(rng.Int64N(int64(ph.max-ph.min))))
					d, err := s.echo(ctx, keys[k%2])
					echoMu.Lock()
					if err != nil {
						res.phases[p].lost++
					} else {
						res.phases[p].echoes = append(res.phases[p].echoes, d)
					}
					echoMu.Unlock()
					if err != nil {
						return
					}
				}
				phaseDone[p]()
			}
		})
		select {
		case <-time.After(interval):
		case <-ctx.Done():
		}
	}
	fmt.Fprintf(log, "  ssh: %d sessions started over %s from %d addresses\n", cfg.sessions, cfg.ramp, res.addresses)
	select {
	case <-allThere:
	case <-ctx.Done():
	}
	// Every session open and idle on its page: memory and the CPU
	// the server spends doing nothing.
	time.Sleep(500 * time.Millisecond)
	res.rssFull, _ = procStatus(pid, "VmRSS")
	res.rssIdle = res.rssFull
	cpu0, _ := procCPU(pid)
	res.idleWindow = time.Second
	time.Sleep(res.idleWindow)
	cpu1, _ := procCPU(pid)
	res.cpuIdle = cpu1 - cpu0
	if cfg.hold > 0 {
		fmt.Fprintf(log, "  ssh: holding %d idle sessions for %s (server pid %d)\n", cfg.sessions, cfg.hold, pid)
		select {
		case <-time.After(cfg.hold):
		case <-ctx.Done():
		}
	}
	for p := range phases {
		fmt.Fprintf(log, "  ssh: %s\n", phases[p].name)
		srv0, _ := procCPU(pid)
		cli0, _ := procCPU(os.Getpid())
		start := time.Now()
		close(starts[p])
		dones[p].Wait()
		ph := &res.phases[p]
		ph.window = time.Since(start)
		srv1, _ := procCPU(pid)
		cli1, _ := procCPU(os.Getpid())
		ph.serverCPU, ph.clientCPU = srv1-srv0, cli1-cli0
	}
	wg.Wait()
	if rss, err := procStatus(pid, "VmRSS"); err == nil && rss > res.rssFull {
		res.rssFull = rss
	}
	fmt.Fprintf(log, "  ssh: keystrokes timed, closing sessions\n")

	var closing sync.WaitGroup
	for _, o := range outcomes {
		switch {
		case o.err != nil:
			res.refused++
			res.refusals[refusalReason(o.err)]++
		default:
			res.ready++
			res.firstFrame = append(res.firstFrame, o.firstFrame)
			res.toReady = append(res.toReady, o.toReady)
		}
		if o.s != nil {
			closing.Go(o.s.close)
		}
	}
	closing.Wait()
	srv.stop()
	if b, err := os.ReadFile(srv.audit); err == nil {
		for _, ev := range []string{"connection rate-limited", "authentication refused", "session refused"} {
			res.auditRefusals += strings.Count(string(b), `"msg":"`+ev+`"`)
		}
	}
	return res, nil
}
