// Package tokens is the API tokens page, the portal's list: one row per
// token (name, id, status, modules, created, last access, created by),
// newest first, filtered as the person types (on the server, so it works on
// 10 000 tokens), by status or staleness, sorted on the server, and fetched
// a page at a time as the person scrolls.
//
// Messages the root handles (besides actions.QuitReadyMsg, see ui/actions) (returned as commands, never through
// Common.Nav, so the root decides what opens):
//
//   - AddMsg: open the create wizard.
//   - ViewMsg{Token}: open the token's details page.
//   - EditMsg{Token}: open the edit flow for the token.
//
// Enable, Disable and Delete run here through ui/actions; the page also
// acts on an actions.ResultMsg it did not start (the details page re-sends
// one after a Delete, and the root hands it the ones that changed a token
// while another page was on top) and redraws a row from an
// actions.ChangedMsg (the details page sends one when it is left after a
// change). After the wizard's Close the root calls SelectID with the new
// token's id, and Refresh when the page is shown again.
//
// The status line says what last changed: each outcome replaces the one
// before, whether it happened here or on a page opened from here (the root
// reports an edit's save with Saved, a create with Created and a rotation
// with Rotated). Opening another page or an action clears it, as a
// command-line tool prints one line per command and the portal's notice
// goes once the person moves on: back on the list, the line is about what
// happened since, or empty, never about an older change.
package tokens

import (
	"context"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/ui/actions"
	"github.com/softwareone/apitoken/ui/common"
	"github.com/softwareone/apitoken/ui/components/dialog"
	"github.com/softwareone/apitoken/ui/components/table"
)

// API is what the page needs from the Marketplace API.
type API interface {
	ListAPITokens(ctx context.Context, accountID string, opts *apiclient.ListAPITokensOptions) ([]apiclient.APIToken, *apiclient.Pagination, error)
	actions.API
}

// AddMsg asks the root to open the create wizard.
type AddMsg struct{}

// ViewMsg asks the root to open the details page of Token (as listed: the
// details page reads it again).
type ViewMsg struct{ Token apiclient.APIToken }

// EditMsg asks the root to open the edit flow for Token.
type EditMsg struct{ Token apiclient.APIToken }

// Status filters.
const (
	StatusAll      = ""
	StatusActive   = apiclient.TokenStatusActive
	StatusDisabled = apiclient.TokenStatusDisabled
	// StatusStale keeps tokens unused for StaleDays: last used before
	// then, or never used and created before then.
	StatusStale = "stale"
)

var statusCycle = []string{StatusAll, StatusActive, StatusDisabled, StatusStale}

// Sort orders, on the server.
type Sort int

// The sorts.
const (
	SortCreated    Sort = iota // newest first
	SortName                   // A to Z
	SortLastAccess             // most recently used first
)

func (s Sort) order() string {
	switch s {
	case SortName:
		return "name"
	case SortLastAccess:
		return "-lastAccessAt"
	default:
		return "-audit.created.at"
	}
}

// Ticker makes the page's timers (debounce, spinner): tea.Tick by
// default, a fake in tests.
type Ticker func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd

type config struct {
	account   string
	pageSize  int
	debounce  time.Duration
	staleDays int
	tick      Ticker
}

// Option configures the page.
type Option func(*config)

// WithAccount lists the tokens of one account ("" for every account the
// credential sees).
func WithAccount(id string) Option { return func(c *config) { c.account = id } }

// WithPageSize sets how many tokens each request asks for (at most 100).
func WithPageSize(n int) Option {
	return func(c *config) { c.pageSize = max(1, min(n, apiclient.MaxPageSize)) }
}

// WithDebounce sets how long typing must pause before the filter is sent.
func WithDebounce(d time.Duration) Option { return func(c *config) { c.debounce = d } }

// WithStaleDays sets the "stale" filter's N: unused for N days.
func WithStaleDays(n int) Option { return func(c *config) { c.staleDays = max(n, 1) } }

// WithTicker replaces tea.Tick for the page's timers.
func WithTicker(t Ticker) Option { return func(c *config) { c.tick = t } }

type keys struct {
	Filter, Status, Sort, Refresh, Add, View, Edit, Toggle, Delete, Done key.Binding
}

func newKeys() keys {
	return keys{
		Filter:  key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter by name/id")),
		Status:  key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "status filter")),
		Sort:    key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "sort")),
		Refresh: key.NewBinding(key.WithKeys("r", "ctrl+r"), key.WithHelp("r", "refresh")),
		Add:     key.NewBinding(key.WithKeys("a", "+"), key.WithHelp("a", "add")),
		View:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details")),
		Edit:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Toggle:  key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "enable/disable")),
		Delete:  key.NewBinding(key.WithKeys("x", "delete"), key.WithHelp("x", "delete")),
		Done:    key.NewBinding(key.WithKeys("esc", "enter"), key.WithHelp("esc/enter", "done filtering")),
	}
}

// entry is what a row needs of a token, kept instead of the whole object
// (its raw JSON, its modules) so 10 000 loaded tokens stay small.
type entry struct {
	id, name, status string
	created          time.Time
	tok              *apiclient.APIToken // only the fields actions and messages need
}

// The API's answers.
type (
	listMsg struct {
		seq, offset int
		items       []apiclient.APIToken
		pg          *apiclient.Pagination
		err         error
	}
	debounceMsg struct{ seq int }
	// spinMsg turns the spinner; gen tells a stopped chain's last tick.
	spinMsg struct{ gen int }
)

// Page is the API tokens page.
type Page struct {
	c   *common.Common
	api API
	cfg config
	k   keys

	table   table.Model
	input   textinput.Model
	spin    spinner.Model
	typing  bool // the filter input has focus
	name    string
	status  string
	sort    Sort
	entries []entry
	total   int

	// seq numbers the query (filter, status, sort, refresh): an answer to
	// an older one is dropped.
	seq      int
	typedSeq int // numbers keystrokes, for the debounce
	loading  bool
	fetching bool // a next page is on its way
	spinning bool
	// spinShown is set once a load outlasted spinDelay: until then the
	// screen does not change, so a quick answer costs one redraw, not two.
	spinShown bool
	spinGen   int
	err       error
	errTrace  string
	notice    string
	noticeOK  bool
	noticeID  string // the token the notice is about
	selectID  string // select this id when it arrives

	// stop cancels the current query's fetches: a new query makes their
	// answers useless, so they are not waited for nor decoded.
	ctx  context.Context
	stop context.CancelFunc

	act *actions.Model

	header string // drawn once per theme: the root asks for it every frame

	width, height int
}

var _ common.Page = (*Page)(nil)

// New builds the page; Init loads the first page.
func New(c *common.Common, api API, opts ...Option) *Page {
	cfg := config{pageSize: 50, debounce: 250 * time.Millisecond, staleDays: 90, tick: tea.Tick}
	for _, o := range opts {
		o(&cfg)
	}
	p := &Page{c: c, api: api, cfg: cfg, k: newKeys()}
	p.input = textinput.New()
	p.input.Prompt = "/ "
	p.input.Placeholder = "name or id contains…"
	p.input.CharLimit = 100
	p.spin = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	p.retheme()
	p.SetSize(c.Width, c.Height)
	return p
}

// retheme draws the page's parts in the current theme: a new table (its
// rows are set again by the caller), the input's and spinner's styles and
// the header, drawn here once rather than at every frame.
func (p *Page) retheme() {
	t := p.c.Theme
	p.table = table.New(columns(), t.Table())
	p.table.SetEmpty("")
	p.input.SetStyles(t.Form.Input)
	p.spin.Style = t.Status.Spinner
	p.header = t.Header.StepActive.Render("● API tokens")
}

func columns() []table.Column {
	return []table.Column{
		{Title: "Name", Width: 12, Flex: 4},
		{Title: "ID", Width: 13},
		{Title: "Status", Width: 10},
		{Title: "Last access", Width: 11, Right: true},
		{Title: "Modules", Width: 9},
		{Title: "Created", Width: 9, Right: true},
		{Title: "Created by", Width: 10, Flex: 1},
	}
}

// sort columns in the table, per Sort.
var sortColumn = map[Sort]int{SortName: 0, SortLastAccess: 3, SortCreated: 5}

// Init implements common.Page: the first page of tokens.
func (p *Page) Init() tea.Cmd { return p.query() }

// Refresh reloads the list from the first page, keeping the filters and
// the selected token.
func (p *Page) Refresh() tea.Cmd {
	if r, ok := p.table.Selected(); ok && p.selectID == "" {
		p.selectID = r.ID
	}
	return p.query()
}

// SelectID selects the token with this id: at once when it is loaded, or
// when it arrives (the root calls it after the wizard's Close, with a
// Refresh).
func (p *Page) SelectID(id string) {
	if !p.table.SelectID(id) {
		p.selectID = id
	}
}

// Selected returns the token under the cursor.
func (p *Page) Selected() (apiclient.APIToken, bool) {
	i := p.table.Cursor()
	if i >= len(p.entries) {
		return apiclient.APIToken{}, false
	}
	return *p.entries[i].tok, true
}

// query starts a new query: the first page of the current filters.
func (p *Page) query() tea.Cmd {
	p.seq++
	p.loading, p.fetching, p.err = true, false, nil
	if p.stop != nil {
		p.stop()
	}
	p.stop = nil
	return tea.Batch(p.fetch(0), p.startSpinner())
}

func (p *Page) options(offset int) *apiclient.ListAPITokensOptions {
	limit := p.cfg.pageSize
	if offset == 0 {
		// A new query asks for a screen and a half of rows, not a full
		// page: each filter keystroke's answer is decoded, and most are
		// replaced by the next keystroke's before anyone scrolls (the
		// first move down asks for the next page, see NearEndMsg).
		rows := max(p.height-5, 1) // the table's body
		limit = min(limit, rows+rows/2)
	}
	o := &apiclient.ListAPITokensOptions{Order: p.sort.order(), Limit: limit, Offset: offset}
	var terms []string
	if n := strings.TrimSpace(p.name); n != "" {
		// The name or the id: "1012" finds TKN-1000-1012, as a person
		// who has only the id expects.
		terms = append(terms, apiclient.Or(apiclient.Contains("name", n), apiclient.Contains("id", n)))
	}
	switch p.status {
	case StatusActive, StatusDisabled:
		o.Status = p.status
	case StatusStale:
		terms = append(terms, staleFilter(p.c.Clock().AddDate(0, 0, -p.cfg.staleDays)))
	}
	o.Filter = apiclient.And(terms...)
	return o
}

// staleFilter keeps tokens last used before t, or never used and created
// before t.
func staleFilter(t time.Time) string {
	at := apiclient.RQLString(apiclient.RQLTime(t))
	return "or(lt(lastAccessAt," + at + "),and(eq(lastAccessAt,null()),lt(audit.created.at," + at + ")))"
}

func (p *Page) fetch(offset int) tea.Cmd {
	if p.stop == nil {
		p.ctx, p.stop = context.WithCancel(context.Background())
	}
	api, account, seq, opts, parent := p.api, p.cfg.account, p.seq, p.options(offset), p.ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(parent, time.Minute)
		defer cancel()
		items, pg, err := api.ListAPITokens(ctx, account, opts)
		return listMsg{seq: seq, offset: offset, items: items, pg: pg, err: err}
	}
}

func (p *Page) startSpinner() tea.Cmd {
	if p.spinning {
		return nil
	}
	p.spinning = true
	// The spinner shows after spinDelay: most answers come before it, and
	// each frame is a redraw of the whole screen for every session.
	gen := p.spinGen
	return p.cfg.tick(spinDelay, func(time.Time) tea.Msg { return spinMsg{gen: gen} })
}

// stopSpinner hides the spinner at once and ends its chain of ticks, so
// the next load waits spinDelay again.
func (p *Page) stopSpinner() {
	p.spinning, p.spinShown = false, false
	p.spinGen++
}

// spinDelay is how long a fetch may take before the spinner turns: below
// it people read the static first frame as "working" anyway.
const spinDelay = 300 * time.Millisecond

// SetSize implements common.Page.
func (p *Page) SetSize(w, h int) {
	p.width, p.height = w, h
	p.table.SetSize(w, max(h-3, 3))
	p.input.SetWidth(max(w-52, 10)) // room for the status and sort on the right
	if p.act != nil {
		p.act.SetWidth(w)
	}
}

// Capturing implements common.Page.
func (p *Page) Capturing() bool {
	return p.typing || (p.act != nil && p.act.Capturing())
}

// Header implements common.Page.
func (p *Page) Header() string { return p.header }

// Status implements common.Page: the outcome of the last action or the
// last error, with the trace id on a second line.
func (p *Page) Status() string {
	st := p.c.Theme.Status
	switch {
	case p.err != nil:
		what, then := "Could not load the API tokens: ", "Nothing changed. Press r to try again."
		if len(p.entries) > 0 {
			what, then = "Could not load more API tokens: ", "Nothing changed; the tokens shown are kept. Press r to reload."
		}
		s := st.Error.Render(what+common.ErrorText(p.err)) + "\n" + st.Info.Render(then)
		if p.errTrace != "" {
			s += "\n" + st.Trace.Render("trace id "+p.errTrace)
		}
		return s
	case p.notice != "":
		style := st.Error
		if p.noticeOK {
			style = p.c.Theme.Summary.Copied
		}
		s := style.Render(p.notice)
		if p.errTrace != "" {
			s += "\n" + st.Trace.Render("trace id "+p.errTrace)
		}
		return s
	}
	return ""
}

// RequestQuit implements common.Page: an action whose answer is not in
// yet holds the quit (see actions.Model.RequestQuit).
func (p *Page) RequestQuit(shutdown bool) bool {
	if p.act != nil && p.act.Active() {
		return p.act.RequestQuit(shutdown)
	}
	return true
}

// ShortHelp implements help.KeyMap.
func (p *Page) ShortHelp() []key.Binding {
	if p.typing {
		return []key.Binding{p.k.Done}
	}
	return []key.Binding{p.k.View, p.k.Add, p.k.Filter, p.k.Toggle, p.k.Delete, p.c.Keys.Help}
}

// FullHelp implements help.KeyMap.
func (p *Page) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		p.table.ShortHelp(),
		{p.k.View, p.k.Add, p.k.Edit, p.k.Toggle, p.k.Delete},
		{p.k.Filter, p.k.Status, p.k.Sort, p.k.Refresh},
	}
}

// Update implements common.Page.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case listMsg:
		return p.listed(msg)
	case debounceMsg:
		if msg.seq == p.typedSeq && strings.TrimSpace(p.input.Value()) != p.name {
			p.name = strings.TrimSpace(p.input.Value())
			return p.query()
		}
		return nil
	case spinMsg:
		if msg.gen != p.spinGen {
			return nil // a chain stopped when its load ended
		}
		if !p.loading && !p.fetching {
			p.stopSpinner()
			return nil
		}
		if p.spinShown {
			p.spin, _ = p.spin.Update(p.spin.Tick())
		}
		p.spinShown = true
		gen := p.spinGen
		return p.cfg.tick(p.spin.Spinner.FPS, func(time.Time) tea.Msg { return spinMsg{gen: gen} })
	case table.NearEndMsg:
		if msg.Len != len(p.entries) || p.fetching || p.loading || len(p.entries) >= p.total {
			return nil
		}
		p.fetching = true
		return tea.Batch(p.fetch(len(p.entries)), p.startSpinner())
	case actions.ResultMsg:
		return p.acted(msg)
	case actions.ChangedMsg:
		if i := p.index(msg.Token.ID); i >= 0 {
			p.replace(i, &msg.Token)
		}
		return nil
	case common.ThemeChangedMsg:
		cur := p.table.Cursor()
		p.retheme()
		p.SetSize(p.width, p.height)
		p.resetRows(cur)
		return nil
	}
	if p.act != nil && p.act.Active() {
		cmd := p.act.Update(msg)
		if !p.act.Active() && !p.act.Running() {
			if _, isKey := msg.(dialog.ResultMsg); isKey {
				p.act = nil
			}
		}
		return cmd
	}
	if _, ok := msg.(dialog.ResultMsg); ok {
		return nil
	}
	if p.typing {
		return p.typed(msg)
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		var cmd tea.Cmd
		p.table, cmd = p.table.Update(msg)
		return cmd
	}
	return p.key(k)
}

func (p *Page) key(k tea.KeyPressMsg) tea.Cmd {
	tok, has := p.Selected()
	switch {
	case key.Matches(k, p.k.Filter):
		p.typing = true
		return p.input.Focus()
	case key.Matches(k, p.k.Status):
		p.status = next(statusCycle, p.status)
		return p.query()
	case key.Matches(k, p.k.Sort):
		p.sort = (p.sort + 1) % 3
		return p.query()
	case key.Matches(k, p.k.Refresh):
		p.clearNotice()
		p.errTrace = ""
		return p.Refresh()
	case key.Matches(k, p.k.Add):
		p.clearNotice()
		return func() tea.Msg { return AddMsg{} }
	case key.Matches(k, p.k.View) && has:
		p.clearNotice()
		return func() tea.Msg { return ViewMsg{Token: tok} }
	case key.Matches(k, p.k.Edit) && has:
		p.clearNotice()
		return func() tea.Msg { return EditMsg{Token: tok} }
	case key.Matches(k, p.k.Toggle) && has:
		return p.open(actions.Toggle(tok.Status), tok)
	case key.Matches(k, p.k.Delete) && has:
		return p.open(actions.Delete, tok)
	}
	var cmd tea.Cmd
	p.table, cmd = p.table.Update(k)
	return cmd
}

func (p *Page) open(kind actions.Kind, tok apiclient.APIToken) tea.Cmd {
	p.clearNotice()
	p.act = actions.New(p.c, p.api, kind, actions.Target{ID: tok.ID, Name: tok.Name, Status: tok.Status})
	return nil
}

func next(cycle []string, cur string) string {
	for i, s := range cycle {
		if s == cur {
			return cycle[(i+1)%len(cycle)]
		}
	}
	return cycle[0]
}

// typed handles the filter input: each keystroke schedules the query after
// the debounce; only the last one's timer sends it.
func (p *Page) typed(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, p.k.Done) {
		p.typing = false
		p.input.Blur()
		if strings.TrimSpace(p.input.Value()) != p.name {
			p.name = strings.TrimSpace(p.input.Value())
			return p.query()
		}
		return nil
	}
	before := p.input.Value()
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	if p.input.Value() == before {
		return cmd
	}
	p.typedSeq++
	seq := p.typedSeq
	return tea.Batch(cmd, p.cfg.tick(p.cfg.debounce, func(time.Time) tea.Msg { return debounceMsg{seq: seq} }))
}

func (p *Page) listed(msg listMsg) tea.Cmd {
	if msg.seq != p.seq {
		return nil // an older query's answer
	}
	if msg.err != nil {
		p.loading, p.fetching = false, false
		p.stopSpinner()
		p.err, p.errTrace = msg.err, common.TraceOf(msg.err)
		return nil
	}
	if msg.offset == 0 {
		p.entries = p.entries[:0:0]
	} else if msg.offset != len(p.entries) {
		return nil
	}
	p.loading, p.fetching, p.err = false, false, nil
	p.stopSpinner()
	if p.notice == "" {
		p.errTrace = ""
	}
	p.total = len(msg.items) + msg.offset
	if msg.pg != nil {
		p.total = max(msg.pg.Total, p.total)
	}
	if len(msg.items) == 0 {
		p.total = len(p.entries) // a short answer: nothing more to ask for
	}
	rows := make([]table.Row, 0, len(msg.items))
	now := p.c.Clock()
	for i := range msg.items {
		e := newEntry(&msg.items[i])
		p.entries = append(p.entries, e)
		rows = append(rows, row(&msg.items[i], now))
	}
	if msg.offset == 0 {
		p.table.SetRows(rows)
	} else {
		p.table.AppendRows(rows...)
	}
	p.table.SetMore(len(p.entries) < p.total)
	p.table.SetSort(sortColumn[p.sort], p.sort != SortName)
	if p.selectID != "" && p.table.SelectID(p.selectID) {
		p.selectID = ""
	}
	return nil
}

// newEntry keeps what the page needs of a token: not its raw JSON, and of
// its modules only ids and names (the pages it opens read it again).
func newEntry(t *apiclient.APIToken) entry {
	mods := make([]apiclient.ModuleRef, len(t.Modules))
	for i, m := range t.Modules {
		mods[i] = apiclient.ModuleRef{ID: m.ID, Name: m.Name}
	}
	slim := &apiclient.APIToken{ID: t.ID, Name: t.Name, Status: t.Status, Revision: t.Revision,
		Description: t.Description, Icon: t.Icon, Account: t.Account, Audit: t.Audit,
		LastAccessAt: t.LastAccessAt, Modules: mods}
	e := entry{id: t.ID, name: t.Name, status: t.Status, tok: slim}
	if t.Audit != nil && t.Audit.Created != nil && t.Audit.Created.At != nil {
		e.created = *t.Audit.Created.At
	}
	return e
}

func row(t *apiclient.APIToken, now time.Time) table.Row {
	mods := strconv.Itoa(len(t.Modules)) + " modules"
	switch len(t.Modules) {
	case 0:
		mods = "none"
	case 1:
		mods = t.Modules[0].Name
		if mods == "" {
			mods = t.Modules[0].ID
		}
	}
	var created, by string
	if a := t.Audit; a != nil && a.Created != nil {
		if a.Created.At != nil {
			created = common.Ago(now, *a.Created.At)
		}
		if a.Created.By != nil {
			by = a.Created.By.Name
			if by == "" {
				by = a.Created.By.ID
			}
		}
	}
	last := "never"
	if t.LastAccessAt != nil {
		last = common.Ago(now, *t.LastAccessAt)
	}
	status := t.Status
	switch t.Status {
	case apiclient.TokenStatusActive:
		status = "● Active"
	case apiclient.TokenStatusDisabled:
		status = "○ Disabled"
	}
	// The table makes every cell inert once, as it is added.
	return table.Row{ID: t.ID, Cells: []string{t.Name, t.ID, status, last, mods, created, by}}
}

// acted applies an action's result: the row's new state, the row gone, or
// a refresh when the token was not found.
func (p *Page) acted(r actions.ResultMsg) tea.Cmd {
	if p.act != nil && !p.act.Active() {
		p.act = nil
	}
	p.setNotice(r.Target.ID, r.Text(), r.Outcome == actions.Done, r.Trace())
	switch r.Outcome {
	case actions.Done:
		i := p.index(r.Target.ID)
		if i < 0 {
			return nil
		}
		if r.Kind == actions.Delete {
			return p.remove(i)
		}
		if r.Token != nil {
			p.replace(i, r.Token)
		}
	case actions.NotFound:
		return p.query()
	}
	return nil
}

// setNotice makes text, about the token id, the status line.
func (p *Page) setNotice(id, text string, ok bool, trace string) {
	p.notice, p.noticeOK, p.noticeID, p.errTrace = text, ok, id, trace
}

// clearNotice empties the status line as the person moves on (see the
// package's comment); a load error stays, with its trace id.
func (p *Page) clearNotice() {
	p.notice, p.noticeID = "", ""
	if p.err == nil {
		p.errTrace = ""
	}
}

// Saved reports the edit flow's save of tok: its row is redrawn from it
// and the status line says it is saved.
func (p *Page) Saved(tok apiclient.APIToken) {
	tok.Token = ""
	if i := p.index(tok.ID); i >= 0 {
		p.replace(i, &tok)
	}
	p.setNotice(tok.ID, common.TokenLabel(tok.Name, tok.ID)+" is saved.", true, "")
}

// Created reports the wizard's create of tok, when the person closes it.
// An outcome about the same token reported meanwhile (the new token
// disabled or deleted from its details page before the Close) is newer,
// so it stays.
func (p *Page) Created(tok apiclient.APIToken) {
	if p.notice != "" && p.noticeID == tok.ID {
		return
	}
	p.setNotice(tok.ID, common.TokenLabel(tok.Name, tok.ID)+" is created.", true, "")
}

// Rotated reports a rotation of old that was left after its create was
// sent. newID is the new token ("" when none is known: the create's answer
// was lost, and old was left active). Whether old was disabled is not said:
// the person may have kept it, or the disable may have failed; its row
// shows its status. old may carry only its id; the name is then the
// listed one.
func (p *Page) Rotated(old apiclient.APIToken, newID string) {
	if i := p.index(old.ID); i >= 0 && old.Name == "" {
		old.Name = p.entries[i].name
	}
	name := common.TokenLabel(old.Name, old.ID)
	if newID == "" {
		p.setNotice(old.ID, name+" is still active; its rotation did not finish and a new token may exist.", false, "")
		return
	}
	p.setNotice(old.ID, name+" has a new token: "+textsafe.Line(newID, 40)+".", true, "")
}

func (p *Page) index(id string) int {
	for i := range p.entries {
		if p.entries[i].id == id {
			return i
		}
	}
	return -1
}

// replace redraws row i from the token the API answered with; a token that
// no longer matches the status filter stays until the next refresh, so the
// cursor does not jump.
func (p *Page) replace(i int, t *apiclient.APIToken) {
	p.entries[i] = newEntry(t)
	p.resetRows(p.table.Cursor())
}

func (p *Page) remove(i int) tea.Cmd {
	cur := p.table.Cursor()
	p.entries = append(p.entries[:i], p.entries[i+1:]...)
	p.total = max(p.total-1, len(p.entries))
	if cur > i {
		cur--
	}
	p.resetRows(cur)
	return nil
}

func (p *Page) resetRows(cursor int) {
	now := p.c.Clock()
	rows := make([]table.Row, len(p.entries))
	for j := range p.entries {
		rows[j] = row(p.entries[j].tok, now)
	}
	p.table.SetRows(rows)
	p.table.SetMore(len(p.entries) < p.total)
	p.table.SetSort(sortColumn[p.sort], p.sort != SortName)
	p.table.SetCursor(cursor)
}

// View implements common.Page.
func (p *Page) View() string {
	t := p.c.Theme
	w := max(p.width, 20)
	var b strings.Builder
	b.WriteString(p.filterLine(w))
	b.WriteString("\n")
	switch {
	case p.loading && len(p.entries) == 0:
		b.WriteString("\n  " + p.spin.View() + " " + t.Status.Info.Render("Loading the API tokens…"))
	case p.err != nil && len(p.entries) == 0:
		b.WriteString("\n  " + t.List.Empty.Render(ansi.Truncate("The list could not be loaded (see below).", w-2, textsafe.Ellipsis)))
	case len(p.entries) == 0:
		b.WriteString(p.emptyView(w))
	default:
		b.WriteString(p.table.View())
	}
	out := b.String()
	if p.act != nil && p.act.Active() {
		out = dialog.Overlay(out, p.act.View(), p.width, max(p.height, 1))
	}
	return out
}

func (p *Page) filterLine(w int) string {
	t := p.c.Theme
	var parts []string
	if p.typing || p.input.Value() != "" {
		parts = append(parts, p.input.View())
	} else {
		parts = append(parts, t.List.FilterLabel.Render("/ filter"))
	}
	status := "all"
	switch p.status {
	case StatusActive:
		status = "active"
	case StatusDisabled:
		status = "disabled"
	case StatusStale:
		status = "unused " + strconv.Itoa(p.cfg.staleDays) + "+ days"
	}
	sort := map[Sort]string{SortCreated: "newest", SortName: "name", SortLastAccess: "last access"}[p.sort]
	right := t.List.Count.Render("status: " + status + " · sort: " + sort)
	if p.spinShown && (p.fetching || (p.loading && len(p.entries) > 0)) {
		right = p.spin.View() + " " + right
	}
	left := strings.Join(parts, "  ")
	gap := w - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 2 {
		return ansi.Truncate(left+"  "+right, w, textsafe.Ellipsis)
	}
	return left + strings.Repeat(" ", gap) + right
}

func (p *Page) emptyView(w int) string {
	t := p.c.Theme
	var msg string
	if p.name != "" || p.status != StatusAll {
		msg = "No API token matches the filter. Press / to change the name filter, or f for another status."
	} else {
		msg = "This account has no API tokens yet. Press a to add one: you name it, choose the modules it may use, and get its value once."
	}
	var b strings.Builder
	for _, l := range strings.Split(textsafe.Wrap(msg, max(w-4, 10)), "\n") {
		b.WriteString("\n  " + t.List.Empty.Render(l))
	}
	return b.String()
}
