package cli

import (
	"context"
	"os"
	"syscall"
	"testing"
)

// TestNotifySignals: once the subscription is in place, the first signal
// cancels the context with the signal as its cause and a later one arrives
// on Later; neither ends the process. Were wait to return before
// signal.Notify, the first SIGTERM would end the test binary.
func TestNotifySignals(t *testing.T) {
	ctx, sigs, stop := NotifySignals(context.Background())
	defer stop()
	sigs.wait()

	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-ctx.Done()
	if got := signalOf(ctx); got != syscall.SIGTERM {
		t.Fatalf("cause: %v, want SIGTERM", got)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if got := <-sigs.Later; got != syscall.SIGTERM {
		t.Fatalf("later: %v, want SIGTERM", got)
	}
}
