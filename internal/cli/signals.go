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
func NotifySignals(parent context.Context) (context.Context, *Signals, func()) {
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	raw := make(chan os.Signal, 4)
	signal.Notify(raw, sigs...)
	ctx, cancel := context.WithCancelCause(parent)
	later := make(chan os.Signal, 4)
	done := make(chan struct{})
	go func() {
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
	return ctx, &Signals{Later: later}, func() {
		signal.Stop(raw)
		close(done)
		cancel(nil)
	}
}
