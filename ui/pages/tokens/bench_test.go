package tokens_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/sandbox"
	"github.com/softwareone/apitoken/ui/actions/acttest"
	"github.com/softwareone/apitoken/ui/pages/tokens"
)

// bigFixture is one account with n tokens (n ≤ 10 000), a minute apart.
func bigFixture(n int) *sandbox.Fixture {
	f := sandbox.GenerateFixture(5)
	words := []string{"billing", "sync", "export", "bridge", "pipeline", "digest", "bot", "importer"}
	for i := range n {
		last := acttest.Now.Add(-time.Duration(i) * time.Minute)
		tk := sandbox.Token{
			ID:        fmt.Sprintf("TKN-9000-%04d", i),
			Account:   f.DefaultAccount,
			Name:      fmt.Sprintf("Token %05d %s", i, words[i%len(words)]),
			Status:    "Active",
			Modules:   f.Accounts[0].Modules[:1+i%5],
			CreatedAt: acttest.Now.Add(-time.Duration(i+1) * time.Minute),
			CreatedBy: "Bench User",
		}
		if i%3 != 0 {
			tk.LastAccessAt = &last
		}
		if i%7 == 0 {
			tk.Status = "Disabled"
		}
		f.Tokens = append(f.Tokens, tk)
	}
	return f
}

// BenchmarkFirstScreen: 10 000 tokens behind 20 ms of added latency. The
// first screen is one page: compare ns/op with roundtrip-ms, one bare list
// request of the same page.
func BenchmarkFirstScreen(b *testing.B) {
	env := acttest.Sandbox(b, bigFixture(10_000), sandbox.WithLatency(20*time.Millisecond))
	c, _ := acttest.NewCommon(100, 30, func() time.Time { return acttest.Now })
	tk := &acttest.Ticker{}
	start := time.Now()
	if _, _, err := env.Client.ListAPITokens(context.Background(), env.Srv.DefaultAccount(), &apiclient.ListAPITokensOptions{Limit: 50}); err != nil {
		b.Fatal(err)
	}
	rt := time.Since(start)
	for b.Loop() {
		p := tokens.New(c, env.Client, tokens.WithAccount(env.Srv.DefaultAccount()), tokens.WithTicker(tk.Tick))
		p.SetSize(100, 30)
		acttest.Drive(p, p.Init())
		if len(p.View()) == 0 {
			b.Fatal("nothing drawn")
		}
		tk.Fire(acttest.Now)
	}
	b.ReportMetric(float64(rt.Microseconds())/1000, "roundtrip-ms")
}

// loaded is a page with all 10 000 tokens loaded (no added latency).
func loaded(b *testing.B) (*tokens.Page, *acttest.Ticker) {
	env := acttest.Sandbox(b, bigFixture(10_000))
	c, _ := acttest.NewCommon(100, 30, func() time.Time { return acttest.Now })
	tk := &acttest.Ticker{}
	p := tokens.New(c, env.Client, tokens.WithAccount(env.Srv.DefaultAccount()), tokens.WithTicker(tk.Tick), tokens.WithPageSize(100))
	p.SetSize(100, 30)
	acttest.Drive(p, p.Init())
	for range 200 {
		acttest.Send(p, acttest.Key("end"))
	}
	return p, tk
}

// BenchmarkCursorMove is one cursor move and the redraw, 10 000 rows
// loaded.
func BenchmarkCursorMove(b *testing.B) {
	p, _ := loaded(b)
	acttest.Send(p, acttest.Key("g"))
	down, up := acttest.Key("down"), acttest.Key("up")
	i := 0
	for b.Loop() {
		k := down
		if i%40 >= 20 {
			k = up
		}
		i++
		p.Update(k)
		_ = p.View()
	}
}

// BenchmarkFilterKeystroke is one keystroke in the name filter and the
// redraw, 10 000 rows loaded (the query itself waits for the debounce).
func BenchmarkFilterKeystroke(b *testing.B) {
	p, tk := loaded(b)
	acttest.Send(p, acttest.Key("/"))
	a, bs := acttest.Key("a"), acttest.Key("backspace")
	i := 0
	for b.Loop() {
		k := a
		if i%2 == 1 {
			k = bs
		}
		i++
		p.Update(k)
		_ = p.View()
		if i%1024 == 0 {
			tk.Fire(acttest.Now) // drop the debounce timers; firing them is not measured work
		}
	}
}

// BenchmarkScrollToEnd loads all 10 000 tokens a page at a time, as a
// person holding End would, and reports the heap the page keeps.
func BenchmarkScrollToEnd(b *testing.B) {
	env := acttest.Sandbox(b, bigFixture(10_000))
	c, _ := acttest.NewCommon(100, 30, func() time.Time { return acttest.Now })
	var heap, perToken float64
	for b.Loop() {
		tk := &acttest.Ticker{}
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		p := tokens.New(c, env.Client, tokens.WithAccount(env.Srv.DefaultAccount()), tokens.WithTicker(tk.Tick), tokens.WithPageSize(100))
		p.SetSize(100, 30)
		acttest.Drive(p, p.Init())
		for range 200 {
			acttest.Send(p, acttest.Key("end"))
		}
		if tok, _ := p.Selected(); tok.ID != "TKN-9000-9999" {
			b.Fatalf("at the end: %s", tok.ID)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap = float64(after.HeapAlloc) - float64(before.HeapAlloc)
		perToken = heap / 10_000
		runtime.KeepAlive(p)
	}
	b.ReportMetric(heap/1e6, "MB-kept")
	b.ReportMetric(perToken, "B/token")
}

// BenchmarkFilterQuery is a filter change on 10 000 tokens behind 20 ms of
// added latency: from the debounce timer firing to the filtered rows
// drawn (one round trip).
func BenchmarkFilterQuery(b *testing.B) {
	env := acttest.Sandbox(b, bigFixture(10_000), sandbox.WithLatency(20*time.Millisecond))
	c, _ := acttest.NewCommon(100, 30, func() time.Time { return acttest.Now })
	tk := &acttest.Ticker{}
	p := tokens.New(c, env.Client, tokens.WithAccount(env.Srv.DefaultAccount()), tokens.WithTicker(tk.Tick))
	p.SetSize(100, 30)
	acttest.Drive(p, p.Init())
	acttest.Send(p, acttest.Key("/"))
	keys := []string{"7", "backspace"}
	i := 0
	for b.Loop() {
		acttest.Send(p, acttest.Key(keys[i%2]))
		i++
		acttest.Send(p, tk.Fire(acttest.Now)...)
		_ = p.View()
	}
}
