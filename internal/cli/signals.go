package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// Signals is the process's one subscription to signals. The first signal
// cancels the command's context with a [SignalError] as its cause; every
// later one arrives on Later, so a command can tell "stop" from "stop now"
// (a second Ctrl+C) without a second signal.Notify.
type Signals struct {
	Later <-chan os.Signal
	// subscribed is closed once signal.Notify has returned.
	subscribed <-chan struct{}
}

// wait returns once the subscription is in place: at once for nil and for
// a Signals made by hand (tests).
func (s *Signals) wait() {
	if s != nil && s.subscribed != nil {
		<-s.subscribed
	}
}

// SignalError is the cause of a context cancelled by a signal.
type SignalError struct{ Signal os.Signal }

func (e SignalError) Error() string { return e.Signal.String() + " signal received" }

// signalOf is the signal that cancelled ctx, or nil.
func signalOf(ctx context.Context) os.Signal {
	if se, ok := context.Cause(ctx).(SignalError); ok {
		return se.Signal
	}
	return nil
}

// NotifySignals subscribes to SIGINT, SIGTERM and SIGHUP. SIGHUP is left
// alone when it is ignored (nohup): subscribing would undo the ignore.
//
// It subscribes on a goroutine of its own: a process's first signal.Notify
// waits for a new thread of the runtime, a fifth of a millisecond that
// would otherwise come before the wizard's first frame. Until then a
// signal ends the process unhandled, which loses nothing as long as
// nothing with an effect was sent: a command waits for the subscription
// before it runs (Execute), and the bare wizard before it handles its
// first key ([lateApp]) or prompt.
func NotifySignals(parent context.Context) (context.Context, *Signals, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	raw := make(chan os.Signal, 4)
	later := make(chan os.Signal, 4)
	subscribed := make(chan struct{})
	done := make(chan struct{})
	go func() {
		sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
		if !signal.Ignored(syscall.SIGHUP) {
			sigs = append(sigs, syscall.SIGHUP)
		}
		signal.Notify(raw, sigs...)
		close(subscribed)
		first := true
		for {
			select {
			case s := <-raw:
				if first {
					first = false
					cancel(SignalError{Signal: s})
					continue
				}
				select {
				case later <- s:
				default: // nobody listens for more: the first one is acted on
				}
			case <-done:
				return
			}
		}
	}()
	return ctx, &Signals{Later: later, subscribed: subscribed}, func() {
		<-subscribed
		signal.Stop(raw)
		close(done)
		cancel(nil)
	}
}
