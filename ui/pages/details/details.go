// Package details is the token details page, with the portal's tabs:
// General (description, the API's base URL, the token's value when it is
// known in this session), Modules, Details (dates, revision, status) and
// Audit trail (newest first, paged as the person scrolls). From it the
// token can be edited, enabled or disabled, deleted, and, when its value is
// known, verified: the page waits out the platform's propagation (about a
// minute after the create) and then has the token read itself.
//
// Messages the root handles (besides actions.QuitReadyMsg, see ui/actions):
//
//   - EditMsg{Token}: open the edit flow for the token.
//   - RotateMsg{Token}: open Rotate for the token.
//
// Navigation goes through Common.Nav: esc pops the page (and, when an
// Enable or Disable changed the token here, sends actions.ChangedMsg for
// the page underneath), and a Delete that went through pops it too and
// re-sends the actions.ResultMsg, so the page underneath (the API tokens
// list) reports it and drops the row.
package details

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/ui/actions"
	"github.com/softwareone/apitoken/ui/common"
	"github.com/softwareone/apitoken/ui/components/dialog"
	"github.com/softwareone/apitoken/ui/components/table"
	"github.com/softwareone/apitoken/ui/components/tabs"
)

// API is what the page needs from the Marketplace API.
type API interface {
	GetAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error)
	ListAuditRecords(ctx context.Context, objectID string, opts *apiclient.ListOptions) ([]apiclient.AuditRecord, *apiclient.Pagination, error)
	VerifyAPIToken(ctx context.Context, value apiclient.Secret) (*apiclient.APIToken, error)
	actions.API
}

// EditMsg asks the root to open the edit flow for Token (as the page last
// read it).
type EditMsg struct{ Token apiclient.APIToken }

// RotateMsg asks the root to open Rotate for Token. Like every key of the
// page it is not taken while a dialog is open.
type RotateMsg struct{ Token apiclient.APIToken }

// Ticker makes the page's timers: tea.Tick by default, a fake in tests.
type Ticker func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd

// Propagation is how long a new token may take to work everywhere.
const Propagation = time.Minute

type config struct {
	value       apiclient.Secret
	baseURL     string
	tick        Ticker
	propagation time.Duration
	pageSize    int
}

// Option configures the page.
type Option func(*config)

// WithValue passes the token's value, known only right after a create in
// this session: it enables show/hide, copy and Verify.
func WithValue(v apiclient.Secret) Option { return func(c *config) { c.value = v } }

// WithBaseURL is the API's base URL shown on the General tab.
func WithBaseURL(u string) Option { return func(c *config) { c.baseURL = u } }

// WithTicker replaces tea.Tick for the page's timers.
func WithTicker(t Ticker) Option { return func(c *config) { c.tick = t } }

// WithPropagation replaces Propagation.
func WithPropagation(d time.Duration) Option { return func(c *config) { c.propagation = d } }

// WithPageSize sets how many audit records each request asks for (at
// most 100).
func WithPageSize(n int) Option {
	return func(c *config) { c.pageSize = max(1, min(n, apiclient.MaxPageSize)) }
}

// The tabs.
const (
	General = iota
	Modules
	Details
	Audit
)

var tabNames = []string{"General", "Modules", "Details", "Audit trail"}

type keys struct {
	Back, Refresh, Edit, Toggle, Delete, Show, Copy, CopyURL, Verify, Rotate key.Binding
}

func newKeys() keys {
	return keys{
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Refresh: key.NewBinding(key.WithKeys("r", "ctrl+r"), key.WithHelp("r", "refresh")),
		Edit:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Toggle:  key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "enable/disable")),
		Delete:  key.NewBinding(key.WithKeys("x", "delete"), key.WithHelp("x", "delete")),
		Show:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "show/hide token")),
		Copy:    key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy token")),
		CopyURL: key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "copy API URL")),
		Verify:  key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "check it works")),
		Rotate:  key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "rotate")),
	}
}

type verifyState int

const (
	verifyIdle verifyState = iota
	verifyWaiting
	verifyChecking
	verifyDone
)

// The API's answers and the timers.
type (
	tokenMsg struct {
		seq int
		tok *apiclient.APIToken
		err error
	}
	auditMsg struct {
		seq, offset int
		recs        []apiclient.AuditRecord
		pg          *apiclient.Pagination
		err         error
	}
	verifyTickMsg struct{ seq int }
	verifiedMsg   struct {
		seq int
		tok *apiclient.APIToken
		err error
	}
	spinMsg struct{}
)

// Page is the token details page.
type Page struct {
	c   *common.Common
	api API
	cfg config
	k   keys

	tok      apiclient.APIToken
	seq      int // numbers the reads of the token
	loading  bool
	gone     bool // the API answered 404
	err      error
	notice   string
	noticeOK bool
	trace    string
	shown    bool // the value is drawn in clear
	changed  bool // an action here changed the token

	tabs     tabs.Model
	spin     spinner.Model
	spinning bool

	audit        table.Model
	auditSeq     int
	auditLoaded  bool
	auditLoading bool
	auditTotal   int
	auditErr     error

	verify      verifyState
	verifySeq   int
	verifyFrom  time.Time
	verifyUntil time.Time
	verifyOK    bool
	verifyText  string
	bar         progress.Model

	act *actions.Model

	width, height int
}

var _ common.Page = (*Page)(nil)

// New builds the page for tok (as listed, as created, or just its ID);
// Init reads it again.
func New(c *common.Common, api API, tok apiclient.APIToken, opts ...Option) *Page {
	cfg := config{tick: tea.Tick, propagation: Propagation, pageSize: 50}
	for _, o := range opts {
		o(&cfg)
	}
	tok.Token = "" // the value lives in cfg only
	p := &Page{c: c, api: api, cfg: cfg, k: newKeys(), tok: tok}
	p.tabs = tabs.New(tabNames, c.Theme.Tabs())
	p.spin = spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(c.Theme.Status.Spinner))
	p.bar = progress.New(progress.WithDefaultBlend(), progress.WithWidth(30))
	p.audit = table.New(auditColumns(), c.Theme.Table())
	p.audit.SetEmpty("No audit records for this token.")
	p.SetSize(c.Width, c.Height)
	return p
}

func auditColumns() []table.Column {
	return []table.Column{
		{Title: "When", Width: 16},
		{Title: "Event", Width: 10, Flex: 1},
		{Title: "By", Width: 10, Flex: 1},
		{Title: "Summary", Width: 10, Flex: 2},
	}
}

// Token is the token as the page last read it.
func (p *Page) Token() apiclient.APIToken { return p.tok }

// Init implements common.Page: read the token again.
func (p *Page) Init() tea.Cmd { return p.load() }

func (p *Page) load() tea.Cmd {
	p.seq++
	p.loading = true
	api, id, seq := p.api, p.tok.ID, p.seq
	return tea.Batch(func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		tok, err := api.GetAPIToken(ctx, id)
		return tokenMsg{seq: seq, tok: tok, err: err}
	}, p.startSpinner())
}

func (p *Page) loadAudit(offset int) tea.Cmd {
	if offset == 0 {
		p.auditSeq++
	}
	p.auditLoading = true
	api, id, seq := p.api, p.tok.ID, p.auditSeq
	opts := &apiclient.ListOptions{Order: "-timestamp", Limit: p.cfg.pageSize, Offset: offset}
	return tea.Batch(func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		recs, pg, err := api.ListAuditRecords(ctx, id, opts)
		return auditMsg{seq: seq, offset: offset, recs: recs, pg: pg, err: err}
	}, p.startSpinner())
}

func (p *Page) startSpinner() tea.Cmd {
	if p.spinning {
		return nil
	}
	p.spinning = true
	return p.cfg.tick(p.spin.Spinner.FPS, func(time.Time) tea.Msg { return spinMsg{} })
}

// SetSize implements common.Page.
func (p *Page) SetSize(w, h int) {
	p.width, p.height = w, h
	p.tabs.SetWidth(w)
	p.audit.SetSize(w, max(h-4-auditDetailLines, 3))
	p.bar.SetWidth(max(min(w-20, 40), 10))
	if p.act != nil {
		p.act.SetWidth(w)
	}
}

// Capturing implements common.Page.
func (p *Page) Capturing() bool { return p.act != nil && p.act.Capturing() }

// Header implements common.Page.
func (p *Page) Header() string {
	return p.c.Theme.Header.StepActive.Render("● API token " + textsafe.Line(p.tok.ID, 40))
}

// Status implements common.Page.
func (p *Page) Status() string {
	st := p.c.Theme.Status
	var s string
	switch {
	case p.err != nil:
		s = st.Error.Render("Could not read the token: "+common.ErrorText(p.err)) + "\n" +
			st.Info.Render("Nothing changed. Press r to try again.")
	case p.notice != "":
		style := st.Error
		if p.noticeOK {
			style = p.c.Theme.Summary.Copied
		}
		s = style.Render(p.notice)
	default:
		return ""
	}
	if p.trace != "" {
		s += "\n" + st.Trace.Render("trace id "+p.trace)
	}
	return s
}

// RequestQuit implements common.Page: an action whose answer is not in
// yet holds the quit.
func (p *Page) RequestQuit(shutdown bool) bool {
	if p.act != nil && p.act.Active() {
		return p.act.RequestQuit(shutdown)
	}
	return true
}

// ShortHelp implements help.KeyMap.
func (p *Page) ShortHelp() []key.Binding {
	b := []key.Binding{p.tabs.Keys.Next, p.k.Back, p.k.Edit, p.k.Toggle, p.k.Delete}
	if !p.cfg.value.IsZero() {
		b = append(b, p.k.Copy, p.k.Verify)
	}
	return append(b, p.c.Keys.Help, p.k.Rotate)
}

// FullHelp implements help.KeyMap.
func (p *Page) FullHelp() [][]key.Binding {
	g := []key.Binding{p.k.CopyURL}
	if !p.cfg.value.IsZero() {
		g = append(g, p.k.Show, p.k.Copy, p.k.Verify)
	}
	return [][]key.Binding{
		p.tabs.ShortHelp(),
		{p.k.Edit, p.k.Toggle, p.k.Delete, p.k.Refresh, p.k.Back},
		g,
		{p.k.Rotate},
	}
}

// Update implements common.Page.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tokenMsg:
		return p.loaded(msg)
	case auditMsg:
		return p.audited(msg)
	case spinMsg:
		if !p.loading && !p.auditLoading && p.verify != verifyChecking {
			p.spinning = false
			return nil
		}
		p.spin, _ = p.spin.Update(p.spin.Tick())
		return p.cfg.tick(p.spin.Spinner.FPS, func(time.Time) tea.Msg { return spinMsg{} })
	case verifyTickMsg:
		if msg.seq != p.verifySeq || p.verify != verifyWaiting {
			return nil
		}
		return p.verifyStep()
	case verifiedMsg:
		return p.verified(msg)
	case tabs.SelectedMsg:
		if msg.Index == Audit && !p.auditLoaded && !p.auditLoading {
			return p.loadAudit(0)
		}
		return nil
	case table.NearEndMsg:
		if p.auditLoading || msg.Len != p.audit.Len() || p.audit.Len() >= p.auditTotal {
			return nil
		}
		return p.loadAudit(p.audit.Len())
	case actions.ResultMsg:
		return p.acted(msg)
	case common.ThemeChangedMsg:
		p.tabs = retheme(p.tabs, p.c)
		return nil
	}
	if p.act != nil && p.act.Active() {
		cmd := p.act.Update(msg)
		if _, ok := msg.(dialog.ResultMsg); ok && !p.act.Active() {
			p.act = nil
		}
		return cmd
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		if p.tabs.Active() == Audit {
			var cmd tea.Cmd
			p.audit, cmd = p.audit.Update(msg)
			return cmd
		}
		return nil
	}
	return p.key(k)
}

func retheme(old tabs.Model, c *common.Common) tabs.Model {
	t := tabs.New(tabNames, c.Theme.Tabs())
	t.SetActive(old.Active())
	t.SetWidth(c.Width)
	return t
}

func (p *Page) key(k tea.KeyPressMsg) tea.Cmd {
	known := !p.cfg.value.IsZero()
	exists := !p.gone && p.tok.Name != ""
	switch {
	case key.Matches(k, p.k.Back):
		if p.c.Nav != nil {
			p.c.Nav.Pop()
		}
		if p.changed && !p.gone {
			// The page underneath still shows the token as it was.
			changed := actions.ChangedMsg{Token: p.tok}
			return func() tea.Msg { return changed }
		}
		return nil
	case key.Matches(k, p.k.Refresh):
		p.notice, p.trace, p.err = "", "", nil
		cmds := []tea.Cmd{p.load()}
		if p.auditLoaded || p.tabs.Active() == Audit {
			cmds = append(cmds, p.loadAudit(0))
		}
		return tea.Batch(cmds...)
	case key.Matches(k, p.k.Edit) && exists:
		tok := p.tok
		return func() tea.Msg { return EditMsg{Token: tok} }
	case key.Matches(k, p.k.Rotate) && exists:
		tok := p.tok
		return func() tea.Msg { return RotateMsg{Token: tok} }
	case key.Matches(k, p.k.Toggle) && exists:
		return p.open(actions.Toggle(p.tok.Status))
	case key.Matches(k, p.k.Delete) && exists:
		return p.open(actions.Delete)
	case key.Matches(k, p.k.CopyURL) && p.tabs.Active() == General && p.cfg.baseURL != "":
		p.notice, p.noticeOK, p.trace = "Sent the API URL to the terminal's clipboard (OSC 52); some terminals ignore it.", true, ""
		return tea.SetClipboard(p.cfg.baseURL)
	case key.Matches(k, p.k.Show) && known:
		p.shown = !p.shown
		return nil
	case key.Matches(k, p.k.Copy) && known:
		p.notice, p.noticeOK, p.trace = "Sent the token to the terminal's clipboard (OSC 52); some terminals ignore it, so paste it once to check.", true, ""
		return tea.SetClipboard(p.cfg.value.Reveal())
	case key.Matches(k, p.k.Verify) && known && p.verify != verifyWaiting && p.verify != verifyChecking:
		return p.startVerify()
	}
	var cmd tea.Cmd
	p.tabs, cmd = p.tabs.Update(k)
	if cmd == nil && p.tabs.Active() == Audit {
		p.audit, cmd = p.audit.Update(k)
	}
	return cmd
}

func (p *Page) open(kind actions.Kind) tea.Cmd {
	p.notice, p.trace = "", ""
	p.act = actions.New(p.c, p.api, kind, actions.Target{ID: p.tok.ID, Name: p.tok.Name, Status: p.tok.Status})
	return nil
}

func (p *Page) acted(r actions.ResultMsg) tea.Cmd {
	if r.Target.ID != p.tok.ID || p.gone {
		return nil // not this token's, or the re-sent Delete coming back
	}
	if p.act != nil && !p.act.Active() {
		p.act = nil
	}
	p.notice, p.noticeOK, p.trace = r.Text(), r.Outcome == actions.Done, r.Trace()
	switch r.Outcome {
	case actions.Done:
		if r.Kind == actions.Delete {
			p.gone = true
			if p.c.Nav != nil {
				p.c.Nav.Pop()
				return func() tea.Msg { return r }
			}
			return nil
		}
		if r.Token != nil {
			tok := *r.Token
			tok.Token = ""
			p.tok = tok
			p.changed = true
		}
		if p.auditLoaded {
			return p.loadAudit(0)
		}
	case actions.NotFound:
		return p.load()
	}
	return nil
}

func (p *Page) loaded(msg tokenMsg) tea.Cmd {
	if msg.seq != p.seq {
		return nil
	}
	p.loading = false
	switch {
	case msg.err == nil:
		tok := *msg.tok
		tok.Token = ""
		p.tok, p.err, p.gone = tok, nil, false
	case apiclient.IsNotFound(msg.err):
		p.gone, p.err = true, nil
		p.trace = common.TraceOf(msg.err)
	default:
		p.err, p.trace = msg.err, common.TraceOf(msg.err)
	}
	return nil
}

func (p *Page) audited(msg auditMsg) tea.Cmd {
	if msg.seq != p.auditSeq {
		return nil
	}
	p.auditLoading = false
	if msg.err != nil {
		p.auditErr = msg.err
		return nil
	}
	p.auditErr = nil
	if msg.offset != 0 && msg.offset != p.audit.Len() {
		return nil
	}
	now := p.c.Clock()
	rows := make([]table.Row, 0, len(msg.recs))
	for _, r := range msg.recs {
		rows = append(rows, auditRow(r, now))
	}
	if msg.offset == 0 {
		p.audit.SetRows(rows)
	} else {
		p.audit.AppendRows(rows...)
	}
	p.auditLoaded = true
	p.auditTotal = msg.offset + len(msg.recs)
	if msg.pg != nil && len(msg.recs) > 0 {
		p.auditTotal = max(msg.pg.Total, p.auditTotal)
	}
	p.audit.SetMore(p.audit.Len() < p.auditTotal)
	return nil
}

func auditRow(r apiclient.AuditRecord, now time.Time) table.Row {
	var when, by string
	if r.Timestamp != nil {
		when = r.Timestamp.UTC().Format("2006-01-02 15:04")
	}
	if r.Actor != nil {
		by = r.Actor.Name
		if by == "" {
			by = r.Actor.ID
		}
	}
	event := r.Event
	if i := strings.LastIndex(event, "."); i >= 0 && i < len(event)-1 {
		event = event[i+1:] // platform.accounts.api-token.updated → updated
	}
	return table.Row{ID: r.ID, Cells: []string{when, event, by, r.Summary}}
}

// startVerify begins the check: at once for a token older than the
// propagation time, else after waiting it out with a progress bar.
func (p *Page) startVerify() tea.Cmd {
	p.verifySeq++
	now := p.c.Clock()
	p.verifyFrom = now
	if at := createdAt(p.tok); !at.IsZero() && at.Before(now) {
		p.verifyFrom = at
	}
	p.verifyUntil = p.verifyFrom.Add(p.cfg.propagation)
	p.verifyText = ""
	return p.verifyStep()
}

func (p *Page) verifyStep() tea.Cmd {
	if !p.c.Clock().Before(p.verifyUntil) {
		p.verify = verifyChecking
		api, value, seq := p.api, p.cfg.value, p.verifySeq
		return tea.Batch(func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			tok, err := api.VerifyAPIToken(ctx, value)
			return verifiedMsg{seq: seq, tok: tok, err: err}
		}, p.startSpinner())
	}
	p.verify = verifyWaiting
	seq := p.verifySeq
	return p.cfg.tick(time.Second, func(time.Time) tea.Msg { return verifyTickMsg{seq: seq} })
}

func (p *Page) verified(msg verifiedMsg) tea.Cmd {
	if msg.seq != p.verifySeq || p.verify != verifyChecking {
		return nil
	}
	p.verify = verifyDone
	// The key to try again is the page's, whatever it is bound to.
	again := " Press " + p.k.Verify.Help().Key + " to try again."
	switch {
	case msg.err == nil && msg.tok != nil && msg.tok.Status == apiclient.TokenStatusActive:
		p.verifyOK, p.verifyText = true, "It works: the API accepted the token and it read itself (status Active)."
	case msg.err == nil && msg.tok != nil:
		p.verifyOK, p.verifyText = false, "The API answered, but the token's status is "+textsafe.Line(msg.tok.Status, 20)+": its calls are refused."
	case apiclient.StatusCode(msg.err) == 401:
		p.verifyOK, p.verifyText = false, "The API refused the token: "+common.ErrorText(msg.err)+again
	case errors.Is(msg.err, apiclient.ErrOutcomeUnknown), errors.Is(msg.err, context.DeadlineExceeded):
		p.verifyOK, p.verifyText = false, "No answer from the API, so it is not known whether the token works."+again
	default:
		p.verifyOK, p.verifyText = false, "Could not check the token: "+common.ErrorText(msg.err)+again
	}
	return nil
}

func createdAt(t apiclient.APIToken) time.Time {
	if t.Audit != nil && t.Audit.Created != nil && t.Audit.Created.At != nil {
		return *t.Audit.Created.At
	}
	return time.Time{}
}

// View implements common.Page.
func (p *Page) View() string {
	t := p.c.Theme
	w := max(p.width, 20)
	var b strings.Builder
	switch {
	case p.gone:
		b.WriteString(t.Form.Title.Render(ansi.Truncate(textsafe.Line(p.tok.ID, 40), w, textsafe.Ellipsis)) + "\n\n")
		b.WriteString(wrap(t.List.Empty.Render, "This API token no longer exists: it was deleted, or this credential cannot see it. Press esc to go back to the list.", w))
		return b.String()
	case p.loading && p.tok.Name == "":
		b.WriteString(p.spin.View() + " " + t.Status.Info.Render("Reading the API token…"))
		return b.String()
	case p.tok.Name == "" && p.err != nil:
		b.WriteString(wrap(t.List.Empty.Render, "The token could not be read (see below).", w))
		return b.String()
	}
	title := textsafe.Line(p.tok.Name, 0)
	right := statusLabel(p.tok.Status)
	if p.loading {
		right = p.spin.View() + " " + right
	}
	title = ansi.Truncate(title, max(w-ansi.StringWidth(right)-2, 4), textsafe.Ellipsis)
	b.WriteString(t.Form.Title.Render(title) + strings.Repeat(" ", max(w-ansi.StringWidth(title)-ansi.StringWidth(right), 1)) + t.Overview.Value.Render(right) + "\n")
	b.WriteString(p.tabs.View() + "\n\n")
	switch p.tabs.Active() {
	case General:
		b.WriteString(p.generalView(w))
	case Modules:
		b.WriteString(p.modulesView(w))
	case Details:
		b.WriteString(p.detailsView(w))
	case Audit:
		b.WriteString(p.auditView(w))
	}
	out := strings.TrimRight(b.String(), "\n")
	if p.act != nil && p.act.Active() {
		out = dialog.Overlay(out, p.act.View(), p.width, max(p.height, 1))
	}
	return out
}

func statusLabel(s string) string {
	switch s {
	case apiclient.TokenStatusActive:
		return "● Active"
	case apiclient.TokenStatusDisabled:
		return "○ Disabled"
	}
	return textsafe.Line(s, 20)
}

func wrap(render func(...string) string, s string, w int) string {
	var b strings.Builder
	for i, l := range strings.Split(textsafe.Wrap(s, max(w, 10)), "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(render(l))
	}
	return b.String()
}

const labelWidth = 14

// field draws "label   value", the value wrapped under itself.
func (p *Page) field(b *strings.Builder, label, value string, w int) {
	t := p.c.Theme
	lw := labelWidth
	if w < 50 {
		lw = 12
	}
	vw := max(w-lw, 10)
	for i, l := range strings.Split(textsafe.Wrap(value, vw), "\n") {
		if i == 0 {
			b.WriteString(t.Overview.Key.Render(ansi.Truncate(label, lw-1, "") + strings.Repeat(" ", max(lw-ansi.StringWidth(label), 1))))
		} else {
			b.WriteString(strings.Repeat(" ", lw))
		}
		b.WriteString(t.Overview.Value.Render(l) + "\n")
	}
}

func (p *Page) generalView(w int) string {
	t := p.c.Theme
	var b strings.Builder
	desc := ""
	if p.tok.Description != nil {
		desc = textsafe.Text(*p.tok.Description, 0)
	}
	if strings.TrimSpace(desc) == "" {
		desc = "(none)"
	}
	p.field(&b, "Description", desc, w)
	if p.cfg.baseURL != "" {
		u := textsafe.Line(p.cfg.baseURL, 0)
		if ansi.StringWidth(u)+11 <= w-labelWidthFor(w) { // the hint only where it does not wrap
			u += "   (u copy)"
		}
		p.field(&b, "API endpoint", u, w)
	}
	if p.cfg.value.IsZero() {
		p.field(&b, "Token", "The platform shows a token's value only once, when it is created; it cannot be read again. If it is lost, add a new token and delete this one.", w)
		return b.String()
	}
	shown := mask(p.cfg.value)
	if p.shown {
		shown = textsafe.Line(p.cfg.value.Reveal(), 0)
	}
	p.field(&b, "Token", shown, w)
	b.WriteString(strings.Repeat(" ", labelWidthFor(w)) + t.Form.Hint.Render(ansi.Truncate(p.valueHint(), max(w-labelWidthFor(w), 4), textsafe.Ellipsis)) + "\n")
	switch p.verify {
	case verifyWaiting:
		total := p.verifyUntil.Sub(p.verifyFrom)
		done := p.c.Clock().Sub(p.verifyFrom)
		pct := 0.0
		if total > 0 {
			pct = max(0, min(float64(done)/float64(total), 1))
		}
		left := max(p.verifyUntil.Sub(p.c.Clock()).Round(time.Second), 0)
		b.WriteString("\n" + wrap(t.Status.Info.Render, "Waiting for the new token to reach every part of the platform (up to about a minute)…", w) + "\n")
		b.WriteString(p.bar.ViewAs(pct) + "  " + t.Form.Hint.Render(strconv.Itoa(int(left/time.Second))+" s left") + "\n")
	case verifyChecking:
		b.WriteString("\n" + p.spin.View() + " " + t.Status.Info.Render("Asking the API with the token itself…") + "\n")
	case verifyDone:
		style := t.Status.Error.Render
		if p.verifyOK {
			style = t.Summary.Success.Render
		}
		b.WriteString("\n" + wrap(style, p.verifyText, w) + "\n")
	}
	return b.String()
}

// valueHint is the line under the token's value: its keys as the key map
// binds them (the ones the help shows), so the hint cannot name another.
func (p *Page) valueHint() string {
	return p.k.Show.Help().Key + " show/hide · " + p.k.Copy.Help().Key + " copy · " + p.k.Verify.Help().Key + " check it works"
}

func labelWidthFor(w int) int {
	if w < 50 {
		return 12
	}
	return labelWidth
}

// mask shows the value's non-secret part (the token id) and hides the rest.
func mask(v apiclient.Secret) string {
	if id, ok := apiclient.TokenIDOf(v); ok {
		return "idt:" + id + ":" + strings.Repeat("•", 12)
	}
	return strings.Repeat("•", 16)
}

func (p *Page) modulesView(w int) string {
	t := p.c.Theme
	if len(p.tok.Modules) == 0 {
		return t.List.Empty.Render("This token has no modules.")
	}
	var b strings.Builder
	room := max(p.height-4, 1)
	b.WriteString(t.Form.Hint.Render(strconv.Itoa(len(p.tok.Modules))+" modules this token may use:") + "\n")
	for i, m := range p.tok.Modules {
		if i >= room-1 && len(p.tok.Modules) > room {
			b.WriteString(t.Form.Hint.Render("… and "+strconv.Itoa(len(p.tok.Modules)-i)+" more") + "\n")
			break
		}
		id := textsafe.Line(m.ID, 20)
		name := textsafe.Line(m.Name, 0)
		name = ansi.Truncate(name, max(w-ansi.StringWidth(id)-4, 4), textsafe.Ellipsis)
		gap := max(w-2-ansi.StringWidth(name)-ansi.StringWidth(id), 2)
		b.WriteString("• " + t.Overview.Value.Render(name) + strings.Repeat(" ", gap) + t.List.ID.Render(id) + "\n")
	}
	return b.String()
}

func (p *Page) detailsView(w int) string {
	now := p.c.Clock()
	var b strings.Builder
	event := func(e *apiclient.AuditEvent) string {
		if e == nil || e.At == nil {
			return "—"
		}
		s := common.When(*e.At, now)
		if e.By != nil {
			by := e.By.Name
			if by == "" {
				by = e.By.ID
			}
			if by != "" {
				s += " by " + textsafe.Line(by, 60)
			}
		}
		return s
	}
	var created, updated *apiclient.AuditEvent
	if a := p.tok.Audit; a != nil {
		created, updated = a.Created, a.Updated
	}
	p.field(&b, "Created", event(created), w)
	p.field(&b, "Updated", event(updated), w)
	last := "never used"
	if p.tok.LastAccessAt != nil {
		last = common.When(*p.tok.LastAccessAt, now)
	}
	p.field(&b, "Last access", last, w)
	p.field(&b, "Revision", strconv.Itoa(p.tok.Revision), w)
	p.field(&b, "Status", statusLabel(p.tok.Status), w)
	if a := p.tok.Account; a != nil {
		p.field(&b, "Account", strings.TrimSpace(textsafe.Line(a.Name, 60)+" "+textsafe.Line(a.ID, 40)), w)
	}
	p.field(&b, "ID", textsafe.Line(p.tok.ID, 40), w)
	return b.String()
}

func (p *Page) auditView(w int) string {
	t := p.c.Theme
	switch {
	case p.auditErr != nil && p.audit.Len() == 0:
		s := wrap(t.Status.Error.Render, "Could not read the audit trail: "+common.ErrorText(p.auditErr)+" Press r to try again.", w)
		if tr := common.TraceOf(p.auditErr); tr != "" {
			s += "\n" + t.Status.Trace.Render("trace id "+tr)
		}
		return s
	case !p.auditLoaded:
		return p.spin.View() + " " + t.Status.Info.Render("Reading the audit trail…")
	}
	return p.audit.View() + "\n" + p.auditDetail(w)
}

// auditDetailLines is the room under the audit table for the selected
// record in full: its summary is cut in the table's column.
const auditDetailLines = 3

// auditDetail is the selected audit record, its summary wrapped, in at
// most auditDetailLines lines.
func (p *Page) auditDetail(w int) string {
	row, ok := p.audit.Selected()
	if !ok || len(row.Cells) < 4 {
		return strings.Repeat("\n", auditDetailLines-1)
	}
	t := p.c.Theme
	var head []string
	for _, c := range row.Cells[:3] {
		if c = textsafe.Line(c, 80); c != "" {
			head = append(head, c)
		}
	}
	lines := []string{t.Form.Hint.Render(ansi.Truncate(strings.Join(head, " · "), max(w, 10), textsafe.Ellipsis))}
	summary := strings.Split(textsafe.Wrap(textsafe.Line(row.Cells[3], 0), max(w, 10)), "\n")
	if len(summary) > auditDetailLines-1 {
		summary = summary[:auditDetailLines-1]
		last := len(summary) - 1
		summary[last] = ansi.Truncate(summary[last]+" "+textsafe.Ellipsis, max(w, 10), textsafe.Ellipsis)
	}
	lines = append(lines, summary...)
	for len(lines) < auditDetailLines {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}
