package ui_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/internal/latecommit"
	"github.com/softwareone/apitoken/sandbox"
	"github.com/softwareone/apitoken/steps"
	"github.com/softwareone/apitoken/ui"
	"github.com/softwareone/apitoken/ui/actions/acttest"
)

// wizardSettle is the clients' request timeout, and so their settle time.
// No request ever waits for it: every wait goes through a fake clock.
const wizardSettle = 30 * time.Second

type wizardFaults struct {
	mu      sync.Mutex
	rnd     *rand.Rand
	counts  map[string]int
	workers []*latecommit.Worker
}

func (s *wizardFaults) next(r *http.Request) *sandbox.Fault {
	if !strings.HasPrefix(r.URL.Path, "/public/v1/accounts/api-tokens") {
		return nil // the account and its modules load; the soak is about creates
	}
	if latecommit.Hold(r, s.workers) {
		return nil // a late commit, handled in full once its wizard is in its settle wait
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var f sandbox.Fault
	var kind string
	switch r.Method {
	case http.MethodPost:
		if s.rnd.Float64() >= 0.3 {
			return nil
		}
		switch n := s.rnd.IntN(6); n {
		case 0, 1:
			kind, f = "POST drop after commit", sandbox.Fault{DropAfterCommit: true}
		case 2:
			kind, f = "POST drop before handling", sandbox.Fault{DropBeforeHandling: true}
		default:
			status := []int{500, 502, 503}[n-3]
			kind, f = fmt.Sprintf("POST %d", status), sandbox.Fault{Status: status}
		}
	case http.MethodGet:
		// The lookups: faults the client retries past.
		if s.rnd.Float64() >= 0.05 {
			return nil
		}
		if s.rnd.IntN(2) == 0 {
			kind, f = "GET drop before handling", sandbox.Fault{DropBeforeHandling: true}
		} else {
			kind, f = "GET 503", sandbox.Fault{Status: http.StatusServiceUnavailable}
		}
	default:
		return nil
	}
	s.counts[kind]++
	return &f
}

// modelDriver runs the wizard's root model as Bubble Tea would, without a
// terminal: commands run in goroutines and their messages are delivered to
// Update one at a time, from the driver's goroutine only.
type modelDriver struct {
	m       *ui.Model
	msgs    chan tea.Msg
	pending int
}

func newModelDriver(m *ui.Model) *modelDriver {
	d := &modelDriver{m: m, msgs: make(chan tea.Msg)}
	d.deliver(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.exec(m.Init())
	return d
}

func (d *modelDriver) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	d.pending++
	go func() { d.msgs <- cmd() }()
}

func (d *modelDriver) deliver(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			d.exec(c)
		}
		return
	case spinner.TickMsg:
		return // the spinner only animates; its next tick would wait real time
	}
	_, cmd := d.m.Update(msg)
	d.exec(cmd)
}

// settle delivers messages until no command is left running.
func (d *modelDriver) settle() error {
	// Bounded only so a broken wizard fails instead of hanging the test.
	bound := time.NewTimer(2 * time.Minute)
	defer bound.Stop()
	for d.pending > 0 {
		select {
		case msg := <-d.msgs:
			d.pending--
			d.deliver(msg)
		case <-bound.C:
			return errors.New("the wizard's commands did not finish")
		}
	}
	return nil
}

func (d *modelDriver) press(keys ...string) error {
	for _, k := range keys {
		d.deliver(acttest.Key(k))
		if err := d.settle(); err != nil {
			return err
		}
	}
	return nil
}

func (d *modelDriver) typeText(s string) error {
	for _, r := range s {
		d.deliver(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return d.settle()
}

// wizardOutcome is how one create through the wizard ended.
type wizardOutcome struct {
	name    string
	shown   string // the token shown on the Summary
	found   string // the token the lost-answer lookup reported
	certain bool   // found with certainty (not CreateFoundUncertain)
	adds    int    // times Add (or check again) was pressed
	err     error  // the wizard did not reach an end
}

// createThroughWizard opens a fresh wizard, fills it in and presses Add
// until the token is shown or reported found, as a user would: Add again
// after a failure or "not found yet", check again after a failed check.
func createThroughWizard(api ui.API, clock func() time.Time, account, name string) wizardOutcome {
	out := wizardOutcome{name: name}
	dark := true
	m := ui.New(ui.Options{API: api, AccountID: account, Sandbox: true, Clock: clock, DarkBackground: &dark})
	d := newModelDriver(m)
	fail := func(err error) wizardOutcome { out.err = err; return out }
	if err := d.settle(); err != nil {
		return fail(err)
	}
	if err := d.typeText(name); err != nil {
		return fail(err)
	}
	if err := d.press("ctrl+n"); err != nil {
		return fail(err)
	}
	if len(m.Data().Catalog) == 0 || m.Active() != steps.Modules {
		return fail(fmt.Errorf("not on Modules with a catalogue: step %v, %d modules", m.Active(), len(m.Data().Catalog)))
	}
	if err := d.press("space", "enter"); err != nil {
		return fail(err)
	}
	if m.Active() != steps.Overview || len(m.Data().Selected) != 1 {
		return fail(fmt.Errorf("not on the Overview with one module: step %v, %d selected", m.Active(), len(m.Data().Selected)))
	}
	for out.adds < 40 {
		data := m.Data()
		switch {
		case m.Active() == steps.Summary:
			if data.Created == nil || data.Created.Token.IsZero() {
				return fail(errors.New("the Summary shows no token value"))
			}
			out.shown = data.Created.ID
			return out
		case data.Create.State == steps.CreateFound, data.Create.State == steps.CreateFoundUncertain:
			out.found, out.certain = data.Create.Found.ID, data.Create.State == steps.CreateFound
			return out
		case data.Create.State == steps.CreateCheckFailed:
			out.adds++
			if err := d.press("c"); err != nil {
				return fail(err)
			}
		default: // idle, failed, not found yet
			out.adds++
			if err := d.press("a"); err != nil {
				return fail(err)
			}
		}
	}
	return fail(fmt.Errorf("no outcome after %d adds: state %v, error %v", out.adds, m.Data().Create.State, m.Data().Create.Err))
}

// TestWizardFaultSoak drives the wizard's root model through many creates
// while ~30 % of creates and a few % of lookups fail in the ways the
// sandbox can fail (connection dropped before or after the commit, 5xx),
// and ~15 % of creates are given up on by the client as its request timeout
// would, two thirds of them committed later than that, during the settle
// wait. The user presses Add again whenever the wizard offers it. It checks
// that no name got two tokens and that every token the sandbox stored was
// either shown on a Summary or reported found by the lost-answer lookup.
// Every wait is on a fake clock and every late commit is ordered by a
// gate, so nothing depends on the machine's speed.
func TestWizardFaultSoak(t *testing.T) {
	perWorker := 125
	if testing.Short() {
		perWorker = 25
	}
	const workers = 4

	rig := latecommit.NewRig(t, workers, 3, time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC),
		latecommit.Config{GiveUp: 0.15, NeverOneIn: 3, Settle: wizardSettle})
	srv, clients := rig.Srv, rig.Clients
	account := srv.DefaultAccount()
	faults := &wizardFaults{rnd: rand.New(rand.NewPCG(20261201, 1)), counts: map[string]int{}, workers: rig.Workers}
	srv.SetFaultFunc(faults.next)

	start := time.Now()
	results := make(chan wizardOutcome, workers*perWorker)
	var wg sync.WaitGroup
	for i := range workers {
		client, clock := clients[i], faults.workers[i].Now
		wg.Go(func() {
			for j := range perWorker {
				results <- createThroughWizard(client, clock, account, fmt.Sprintf("soak %d-%03d", i, j))
			}
		})
	}
	wg.Wait()
	close(results)
	for _, w := range faults.workers {
		w.Release() // a commit held past every lookup lands now, and counts
	}
	elapsed := time.Since(start)

	stored := map[string][]sandbox.StoredToken{}
	storedByID := map[string]sandbox.StoredToken{}
	for _, st := range srv.StoredTokens() {
		if strings.HasPrefix(st.Name, "soak ") {
			stored[st.Name] = append(stored[st.Name], st)
			storedByID[st.ID] = st
		}
	}
	for name, sts := range stored {
		if len(sts) > 1 {
			t.Errorf("duplicate: %q has %d stored tokens: %+v", name, len(sts), sts)
		}
	}

	told := map[string]string{} // token id → how the user was told of it
	var shown, found, uncertain, adds int
	for res := range results {
		adds += res.adds
		switch {
		case res.err != nil:
			t.Errorf("%q: %v", res.name, res.err)
		case res.shown != "":
			shown++
			told[res.shown] = "shown"
			if st, ok := storedByID[res.shown]; !ok || st.Name != res.name || st.Status != apiclient.TokenStatusActive {
				t.Errorf("%q: the Summary showed %s, stored %+v", res.name, res.shown, st)
			}
		default:
			found++
			told[res.found] = "found"
			if !res.certain {
				uncertain++
				t.Errorf("%q: the lookup was not sure of %s, though the wizard's own credential made it", res.name, res.found)
			}
			if st, ok := storedByID[res.found]; !ok || st.Name != res.name {
				t.Errorf("%q: the lookup reported %s, stored %+v", res.name, res.found, st)
			}
		}
	}
	var neverShown int
	for id, st := range storedByID {
		if told[id] == "" {
			neverShown++
			t.Errorf("created and never shown: %s %q", id, st.Name)
		}
	}

	faults.mu.Lock()
	dropsAfter := faults.counts["POST drop after commit"]
	counts := fmt.Sprint(faults.counts)
	faults.mu.Unlock()
	late, never := 0, 0
	for _, w := range faults.workers {
		l, n := w.Counts()
		late, never = late+l, never+n
	}
	t.Logf("%d creates through the wizard in %s (%d workers, %d presses of Add or check again): %d shown, %d found after a lost answer (%d uncertain); %d stored; %d never shown",
		workers*perWorker, elapsed.Round(time.Millisecond), workers, adds, shown, found, uncertain, len(storedByID), neverShown)
	t.Logf("faults injected: %s; %d commits later than the request timeout, %d creates given up and never handled", counts, late, never)
	// Every drop after commit and every late commit is a lost answer the
	// lookup must find; and the soak must have exercised them all.
	if found != dropsAfter+late {
		t.Errorf("%d drops after commit and %d late commits, but %d tokens reported found", dropsAfter, late, found)
	}
	if dropsAfter == 0 || late == 0 || never == 0 || adds <= workers*perWorker {
		t.Errorf("the soak did not exercise lost answers and adds again: %d drops after commit, %d late commits, %d never handled, %d adds", dropsAfter, late, never, adds)
	}
}
