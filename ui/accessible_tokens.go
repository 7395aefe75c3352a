package ui

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/huh/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/textsafe"
	"github.com/softwareone/apitoken/ui/actions"
	"github.com/softwareone/apitoken/ui/common"
)

// AccessibleTokensAPI is what the line-by-line API tokens flow needs from
// the Marketplace API; *apiclient.Client has it.
type AccessibleTokensAPI interface {
	ListAPITokens(ctx context.Context, accountID string, opts *apiclient.ListAPITokensOptions) ([]apiclient.APIToken, *apiclient.Pagination, error)
	GetAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error)
	EnableAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error)
	DisableAPIToken(ctx context.Context, id string) (*apiclient.APIToken, error)
	DeleteAPIToken(ctx context.Context, id string) error
	ListAuditRecords(ctx context.Context, objectID string, opts *apiclient.ListOptions) ([]apiclient.AuditRecord, *apiclient.Pagination, error)
}

// AccessibleTokensOptions configures RunAccessibleTokens.
type AccessibleTokensOptions struct {
	API AccessibleTokensAPI
	// AccountID is the account whose tokens are listed.
	AccountID string
	In        io.Reader
	Out       io.Writer
	// Clock is the time that "3 d ago" is counted from (time.Now if nil).
	Clock func() time.Time
	// Sandbox says the API is the local sandbox, which the title mentions.
	Sandbox bool
}

// Sizes of what one screen-reader "page" reads out: short enough to
// listen to, long enough not to page all the time.
const (
	accessiblePageSize  = 10
	accessibleAuditSize = 5
	// accessibleReadTimeout bounds a read of the API, as loadAccessible's.
	accessibleReadTimeout = 2 * time.Minute
)

// errEndOfInput is input ending at a question that had to be answered.
var errEndOfInput = fmt.Errorf("%w: end of input", ErrAborted)

// errQuit ends the flow at the person's request.
var errQuit = errors.New("quit")

// RunAccessibleTokens runs the API tokens area as plain prompts, one
// question a line, for screen readers: list the account's tokens a page at
// a time (filter by name and by status), read one (General, Modules,
// Details, its latest audit records), enable or disable it, and delete it
// once its name or id is typed back. No colour or cursor sequence is
// written and every server string is made inert.
//
// It returns nil when the person quits, or input ends at a menu; an
// error matching ErrAborted when input ends in the middle of a question,
// and one matching ErrAborted and context.Canceled on ctrl+c (ctx ending,
// or a 0x03 byte read from In). A change that was sent is always seen
// through and reported before the flow ends; one whose answer never came
// is reported as unknown and never retried.
func RunAccessibleTokens(ctx context.Context, o AccessibleTokensOptions) error {
	if o.API == nil {
		return errors.New("ui: RunAccessibleTokens: no API")
	}
	if strings.TrimSpace(o.AccountID) == "" {
		return errors.New("ui: RunAccessibleTokens: no account")
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.In == nil {
		o.In = strings.NewReader("")
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	watch := &interruptWatch{r: o.In}
	f := &tokensFlow{
		ctx:   ctx,
		o:     o,
		w:     &colorprofile.Writer{Forward: o.Out, Profile: colorprofile.NoTTY},
		watch: watch,
		r:     newLineReader(ctx, watch),
	}
	defer f.r.stop()

	title := "API tokens of account " + textsafe.Line(o.AccountID, 40)
	if o.Sandbox {
		title += " (sandbox: nothing leaves this machine)"
	}
	f.say("%s", title)
	err := f.list()
	if errors.Is(err, errQuit) {
		return nil
	}
	return err
}

// tokensFlow is one run of RunAccessibleTokens.
type tokensFlow struct {
	ctx   context.Context
	o     AccessibleTokensOptions
	w     io.Writer
	watch *interruptWatch
	r     *lineReader

	// The list's filters and page.
	name, status string
	offset       int
}

func (f *tokensFlow) say(format string, args ...any) { fmt.Fprintf(f.w, format+"\n", args...) }

// cancelled is the error of a ctrl+c, said once.
func (f *tokensFlow) cancelled() error {
	f.say("")
	f.say("Cancelled.")
	return fmt.Errorf("%w: %w", ErrAborted, context.Canceled)
}

// ask runs one field in huh's accessible mode. It returns errEndOfInput
// at end of input, and the cancel error on ctrl+c; then the field's value
// (huh answers its default) must not be used.
func (f *tokensFlow) ask(field accessibleField) error {
	err := field.RunAccessible(f.w, f.r)
	switch {
	case f.ctx.Err() != nil || errors.Is(err, context.Canceled) || (f.r.eof() && f.watch.hit.Load()):
		// A 0x03 ends the lineReader's input only once it is handed on,
		// after the answers typed before it: so only then is it a cancel.
		return f.cancelled()
	case err != nil:
		return err
	case f.r.eof():
		return errEndOfInput
	}
	return nil
}

// choose asks for one of options by number; def is the answer to enter
// alone, which the title should say (see askNumber for why not a Select).
func (f *tokensFlow) choose(title string, options []huh.Option[string], def string) (string, error) {
	f.say("%s", title)
	for i, o := range options {
		f.say("%d. %s", i+1, o.Key)
	}
	n, ok, err := askNumber(f.ask, 1, len(options))
	if err != nil {
		return "", err
	}
	if ok {
		return options[n-1].Value, nil
	}
	return def, nil
}

// readCtx bounds a read; reads end on ctrl+c, unlike writes.
func (f *tokensFlow) readCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(f.ctx, accessibleReadTimeout)
}

// readFailed says what a failed read means; it returns the cancel error
// when the read ended because of ctrl+c.
func (f *tokensFlow) readFailed(what string, err error) error {
	if f.ctx.Err() != nil {
		return f.cancelled()
	}
	f.say("Could not read %s: %s", what, common.ErrorText(err))
	if tr := common.TraceOf(err); tr != "" {
		f.say("Trace id for support: %s", tr)
	}
	return nil
}

// list is the API tokens page: a page of tokens to choose from, and the
// list's actions.
func (f *tokensFlow) list() error {
	for {
		f.say("")
		f.say("Reading the tokens…")
		page, total, err := f.readPage()
		if err != nil {
			if cerr := f.readFailed("the tokens", err); cerr != nil {
				return cerr
			}
		}
		if err == nil && len(page) == 0 && total > 0 && f.offset > 0 {
			// The page emptied (tokens deleted meanwhile): show the last one.
			f.offset = (total - 1) / accessiblePageSize * accessiblePageSize
			continue
		}
		var opts []huh.Option[string]
		names := map[string]string{}
		for i, t := range page {
			opts = append(opts, huh.NewOption(f.row(&t), "token:"+strconv.Itoa(i)))
			names["token:"+strconv.Itoa(i)] = t.ID
		}
		def := "refresh"
		defText := "read the list again"
		if err == nil {
			f.say("%s", f.heading(len(page), total))
			if f.offset+len(page) < total {
				opts = append(opts, huh.NewOption("Next page", "next"))
				def, defText = "next", "next page"
			}
			if f.offset > 0 {
				opts = append(opts, huh.NewOption("Previous page", "prev"))
			}
			opts = append(opts,
				huh.NewOption("Filter by name (now: "+cmp.Or(quoted(f.name), "none")+")", "name"),
				huh.NewOption("Filter by status (now: "+cmp.Or(f.status, "all")+")", "status"))
		}
		opts = append(opts, huh.NewOption("Read the list again", "refresh"), huh.NewOption("Quit", "quit"))
		title := "Choose a token's number to see it, or an action (enter alone: " + defText + "):"
		if len(page) == 0 {
			title = "Choose an action (enter alone: " + defText + "):"
		}
		choice, err := f.choose(title, opts, def)
		if errors.Is(err, errEndOfInput) {
			f.say("End of input.")
			return nil
		}
		if err != nil {
			return err
		}
		switch choice {
		case "next":
			f.offset += accessiblePageSize
		case "prev":
			f.offset = max(f.offset-accessiblePageSize, 0)
		case "name":
			name := f.name
			if err := f.ask(huh.NewInput().Title("Show tokens whose name contains (enter alone: keep " + cmp.Or(quoted(f.name), "no filter") + "; a single - clears it):").
				Value(&name)); err != nil {
				return err
			}
			f.name, f.offset = strings.TrimSpace(name), 0
			if f.name == "-" {
				f.name = ""
			}
		case "status":
			st, err := f.choose("Show tokens of which status (enter alone: all)?", []huh.Option[string]{
				huh.NewOption("All", ""),
				huh.NewOption("Active", apiclient.TokenStatusActive),
				huh.NewOption("Disabled", apiclient.TokenStatusDisabled),
			}, "")
			if err != nil {
				return err
			}
			f.status, f.offset = st, 0
		case "refresh":
		case "quit":
			f.say("Bye.")
			return errQuit
		default:
			if err := f.token(names[choice]); err != nil {
				return err
			}
		}
	}
}

func (f *tokensFlow) readPage() ([]apiclient.APIToken, int, error) {
	ctx, cancel := f.readCtx()
	defer cancel()
	page, pg, err := f.o.API.ListAPITokens(ctx, f.o.AccountID, &apiclient.ListAPITokensOptions{
		Name: f.name, Status: f.status, Limit: accessiblePageSize, Offset: f.offset,
	})
	if err != nil {
		return nil, 0, err
	}
	total := f.offset + len(page)
	if pg != nil {
		total = max(pg.Total, total)
	}
	return page, total, nil
}

// heading says what the page holds and how it is narrowed.
func (f *tokensFlow) heading(n, total int) string {
	var filters []string
	if f.name != "" {
		filters = append(filters, "name contains "+quoted(f.name))
	}
	if f.status != "" {
		filters = append(filters, "status "+f.status)
	}
	switch {
	case total == 0 && len(filters) > 0:
		return "No token matches (" + strings.Join(filters, ", ") + ")."
	case total == 0:
		return "This account has no API tokens yet. Add one with: apitoken --accessible"
	}
	s := fmt.Sprintf("Tokens %d to %d of %d, newest first", f.offset+1, f.offset+n, total)
	if total == 1 {
		s = "1 token"
	}
	if len(filters) > 0 {
		s += " (" + strings.Join(filters, ", ") + ")"
	}
	return s + "."
}

// row is a token as one line of the list.
func (f *tokensFlow) row(t *apiclient.APIToken) string {
	now := f.o.Clock()
	parts := []string{textsafe.Line(t.ID, 40), textsafe.Line(t.Status, 20)}
	switch len(t.Modules) {
	case 0:
	case 1:
		parts = append(parts, "module "+cmp.Or(textsafe.Line(t.Modules[0].Name, 40), textsafe.Line(t.Modules[0].ID, 20)))
	default:
		parts = append(parts, strconv.Itoa(len(t.Modules))+" modules")
	}
	if t.Audit != nil && t.Audit.Created != nil && t.Audit.Created.At != nil {
		parts = append(parts, "created "+common.Ago(now, *t.Audit.Created.At))
	}
	if t.LastAccessAt != nil {
		parts = append(parts, "last used "+common.Ago(now, *t.LastAccessAt))
	} else {
		parts = append(parts, "never used")
	}
	return cmp.Or(textsafe.Line(t.Name, 80), "(no name)") + ": " + strings.Join(parts, ", ")
}

// token is the token details page of id, until the person goes back.
func (f *tokensFlow) token(id string) error {
	var tok *apiclient.APIToken
	reload := true
	for {
		if reload {
			reload = false
			f.say("")
			f.say("Reading the token…")
			ctx, cancel := f.readCtx()
			t, err := f.o.API.GetAPIToken(ctx, id)
			cancel()
			switch {
			case err != nil && f.ctx.Err() == nil && apiclient.IsNotFound(err):
				f.say("%s was not found: it was changed or deleted meanwhile. The list is read again.", textsafe.Line(id, 40))
				return nil
			case err != nil:
				return f.readFailed("the token", err)
			}
			tok = t
			if err := f.show(tok); err != nil {
				return err
			}
		}
		kind := actions.Toggle(tok.Status)
		choice, err := f.choose("What now with "+label(tok)+"? (enter alone: back to the list)", []huh.Option[string]{
			huh.NewOption("Back to the list", "back"),
			huh.NewOption(kind.String()+" it", "toggle"),
			huh.NewOption("Delete it", "delete"),
			huh.NewOption("Read it again", "refresh"),
			huh.NewOption("Quit", "quit"),
		}, "back")
		if errors.Is(err, errEndOfInput) {
			f.say("End of input.")
			return errQuit
		}
		if err != nil {
			return err
		}
		switch choice {
		case "back":
			return nil
		case "quit":
			f.say("Bye.")
			return errQuit
		case "refresh":
			reload = true
		case "toggle":
			gone, err := f.toggle(tok, kind)
			if err != nil || gone {
				return err
			}
		case "delete":
			gone, err := f.delete(tok)
			if err != nil || gone {
				return err
			}
		}
	}
}

// show reads out the token's tabs: General, Modules, Details and its
// latest audit records.
func (f *tokensFlow) show(t *apiclient.APIToken) error {
	now := f.o.Clock()
	f.say("")
	f.say("API token %s", label(t))
	f.say("General")
	desc := ""
	if t.Description != nil {
		desc = strings.TrimSpace(textsafe.Text(*t.Description, 0))
	}
	if desc == "" {
		f.say("  Description: none")
	} else {
		f.say("  Description: %s", strings.ReplaceAll(desc, "\n", "\n    "))
	}
	f.say("  Token value: the platform shows it only once, when the token is created; it cannot be read again.")
	f.say("Modules: %d", len(t.Modules))
	for _, m := range t.Modules {
		f.say("  %s (%s)", cmp.Or(textsafe.Line(m.Name, 80), "unnamed"), textsafe.Line(m.ID, 20))
	}
	f.say("Details")
	var created, updated *apiclient.AuditEvent
	if t.Audit != nil {
		created, updated = t.Audit.Created, t.Audit.Updated
	}
	f.say("  Created: %s", event(created, now))
	f.say("  Updated: %s", event(updated, now))
	last := "never"
	if t.LastAccessAt != nil {
		last = common.When(*t.LastAccessAt, now)
	}
	f.say("  Last access: %s", last)
	f.say("  Revision: %d", t.Revision)
	f.say("  Status: %s", textsafe.Line(t.Status, 20))
	if a := t.Account; a != nil {
		f.say("  Account: %s", strings.TrimSpace(textsafe.Line(a.Name, 60)+" ("+textsafe.Line(a.ID, 40)+")"))
	}

	ctx, cancel := f.readCtx()
	recs, pg, err := f.o.API.ListAuditRecords(ctx, t.ID, &apiclient.ListOptions{Limit: accessibleAuditSize})
	cancel()
	if err != nil {
		return f.readFailed("the audit trail", err)
	}
	f.say("Audit trail, newest first")
	if len(recs) == 0 {
		f.say("  No records.")
	}
	for _, r := range recs {
		at := "at an unknown time"
		if r.Timestamp != nil {
			at = common.When(*r.Timestamp, now)
		}
		s := "  " + at + ": " + cmp.Or(textsafe.Line(r.Summary, 200), textsafe.Line(r.Event, 100), "(no summary)")
		if r.Actor != nil {
			if by := cmp.Or(textsafe.Line(r.Actor.Name, 60), textsafe.Line(r.Actor.ID, 40)); by != "" {
				s += ", by " + by
			}
		}
		f.say("%s", s)
	}
	if pg != nil && pg.Total > len(recs) {
		f.say("  And %d older records.", pg.Total-len(recs))
	}
	return nil
}

// toggle enables or disables t after a confirmation that defaults to no.
// gone reports a token that vanished (the list is to be read again).
func (f *tokensFlow) toggle(t *apiclient.APIToken, kind actions.Kind) (gone bool, err error) {
	name := label(t)
	if kind == actions.Disable {
		f.say("%s will stop working: every call made with it is refused until it is enabled again. Anything that uses it breaks meanwhile.", name)
	} else {
		f.say("%s will be accepted again by the Marketplace API for the modules it was given.", name)
	}
	yes := false
	if err := f.ask(huh.NewConfirm().Title(kind.String() + " this API token?").Value(&yes)); err != nil {
		return false, err
	}
	if !yes {
		f.say("Nothing was sent.")
		return false, nil
	}
	f.say("%s…", map[actions.Kind]string{actions.Enable: "Enabling", actions.Disable: "Disabling"}[kind])
	// Once sent, a change is seen through on a context of its own, so its
	// outcome is known (or known to be unknown) even after ctrl+c.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(f.ctx), actions.Timeout)
	var nt *apiclient.APIToken
	if kind == actions.Disable {
		nt, err = f.o.API.DisableAPIToken(ctx, t.ID)
	} else {
		nt, err = f.o.API.EnableAPIToken(ctx, t.ID)
	}
	cancel()
	verb := strings.ToLower(kind.String())
	switch actions.Classify(err) {
	case actions.Done:
		if kind == actions.Disable {
			f.say("%s is disabled: its calls are refused until it is enabled again.", name)
		} else {
			f.say("%s is enabled: its calls are accepted again.", name)
		}
		if nt != nil {
			*t = *nt
		}
		f.say("Status: %s.", textsafe.Line(t.Status, 20))
	case actions.NotFound:
		f.say("%s was not found: it was changed or deleted meanwhile. Nothing was %sd. The list is read again.", name, verb)
		return true, f.ctxErr()
	case actions.Unknown:
		f.say("No answer to the %s of %s: it may or may not have happened. It was not retried; choose Read it again to see its state.", verb, name)
		f.trace(err)
	default:
		f.say("Could not %s %s: %s Nothing changed.", verb, name, common.ErrorText(err))
		f.trace(err)
	}
	return false, f.ctxErr()
}

// delete deletes t once its name or id is typed back.
func (f *tokensFlow) delete(t *apiclient.APIToken) (gone bool, err error) {
	name := label(t)
	f.say("%s will be deleted. This cannot be undone: every call made with it is refused from then on, and it cannot be enabled again.", name)
	for {
		typed := ""
		if err := f.ask(huh.NewInput().Title("To delete it, type its name or its id (enter alone keeps it):").Value(&typed)); err != nil {
			return false, err
		}
		typed = strings.TrimSpace(typed)
		if typed == "" {
			f.say("Nothing was deleted.")
			return false, nil
		}
		if typedBack(typed, t) {
			break
		}
		f.say("That is neither its name nor its id. Nothing was deleted.")
	}
	f.say("Deleting…")
	ctx, cancel := context.WithTimeout(context.WithoutCancel(f.ctx), actions.Timeout)
	err = f.o.API.DeleteAPIToken(ctx, t.ID)
	cancel()
	switch actions.Classify(err) {
	case actions.Done:
		f.say("%s is deleted.", name)
		return true, f.ctxErr()
	case actions.NotFound:
		f.say("%s was not found: it was changed or deleted meanwhile. Nothing was deleted. The list is read again.", name)
		return true, f.ctxErr()
	case actions.Unknown:
		f.say("No answer to the delete of %s: it may or may not have happened. It was not retried; choose Read it again: if it is not found, it was deleted.", name)
		f.trace(err)
	default:
		f.say("Could not delete %s: %s Nothing changed.", name, common.ErrorText(err))
		f.trace(err)
	}
	return false, f.ctxErr()
}

// ctxErr ends the flow after a change when ctrl+c came while it was out.
func (f *tokensFlow) ctxErr() error {
	if f.ctx.Err() != nil {
		return f.cancelled()
	}
	return nil
}

func (f *tokensFlow) trace(err error) {
	if tr := common.TraceOf(err); tr != "" {
		f.say("Trace id for support: %s", tr)
	}
}

// typedBack reports whether s is the token's name (as stored, or as it
// was read out, which is all a person can type) or its id.
func typedBack(s string, t *apiclient.APIToken) bool {
	for _, want := range []string{t.ID, t.Name, textsafe.Line(t.Name, 0)} {
		if want = strings.TrimSpace(want); want != "" && s == want {
			return true
		}
	}
	return false
}

// label is “name” (id), safe to print.
func label(t *apiclient.APIToken) string {
	id := textsafe.Line(t.ID, 40)
	name := textsafe.Line(t.Name, 80)
	if name == "" {
		return id
	}
	return "“" + name + "” (" + id + ")"
}

func quoted(s string) string {
	if s == "" {
		return ""
	}
	return "“" + textsafe.Line(s, 60) + "”"
}

func event(e *apiclient.AuditEvent, now time.Time) string {
	if e == nil || e.At == nil {
		return "unknown"
	}
	s := common.When(*e.At, now)
	if e.By != nil {
		if by := cmp.Or(textsafe.Line(e.By.Name, 60), textsafe.Line(e.By.ID, 40)); by != "" {
			s += " by " + by
		}
	}
	return s
}

// interruptWatch notes a ctrl+c byte on its way to the lineReader, which
// ends the read as end of input would: the flow then tells a cancel from
// the end of piped answers.
type interruptWatch struct {
	r   io.Reader
	hit atomic.Bool
}

func (i *interruptWatch) Read(p []byte) (int, error) {
	n, err := i.r.Read(p)
	if bytes.IndexByte(p[:n], 0x03) >= 0 {
		i.hit.Store(true)
	}
	return n, err
}
