package sandbox

import (
	"net/http"
	"testing"
)

func TestParseStatusRate(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want StatusRate
		err  bool
	}{
		{in: "503:0.05", want: StatusRate{503, 0.05}},
		{in: " 429:1 ", want: StatusRate{429, 1}},
		{in: "500:0", want: StatusRate{500, 0}},
		{in: "503", err: true},
		{in: "200:0.1", err: true},
		{in: "600:0.1", err: true},
		{in: "abc:0.1", err: true},
		{in: "503:1.5", err: true},
		{in: "503:-0.1", err: true},
		{in: "503:NaN", err: true},
		{in: "503:x", err: true},
	} {
		got, err := ParseStatusRate(tt.in)
		if (err != nil) != tt.err || (!tt.err && got != tt.want) {
			t.Errorf("ParseStatusRate(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestChaosRejectsBadKnobs(t *testing.T) {
	for _, c := range []Chaos{
		{FailRate: 1.1},
		{DropAfterCommitRate: -0.1},
		{FailRate: 0.6, DropAfterCommitRate: 0.6},
		{StatusRates: []StatusRate{{Status: 302, Rate: 0.1}}},
		{FailRate: 0.5, StatusRates: []StatusRate{{Status: 503, Rate: 0.6}}},
		{Latency: -1},
	} {
		if _, err := New(WithChaos(c)); err == nil {
			t.Errorf("New(WithChaos(%+v)) accepted", c)
		}
	}
}

func TestChaosFailRateCommitsNothing(t *testing.T) {
	e := newEnv(t, WithChaos(Chaos{FailRate: 1, Seed: 7}))
	for range 5 {
		p := e.send(e.createRequest("chaos")).problem(t, http.StatusInternalServerError)
		if p.Detail != "Injected fault." {
			t.Errorf("detail = %q", p.Detail)
		}
	}
	if n := len(e.s.StoredTokens()); n != 0 {
		t.Errorf("%d tokens stored by failed requests", n)
	}
}

func TestChaosStatusRate(t *testing.T) {
	e := newEnv(t, WithChaos(Chaos{StatusRates: []StatusRate{{Status: 503, Rate: 1}}, Seed: 7}))
	res := e.get("/public/v1/accounts/modules")
	res.problem(t, http.StatusServiceUnavailable)
	if res.header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After = %q, want 1", res.header.Get("Retry-After"))
	}
}

func TestChaosDropAfterCommit(t *testing.T) {
	e := newEnv(t, WithChaos(Chaos{DropAfterCommitRate: 1, Seed: 7}))
	if _, err := e.try(e.createRequest("dropped")); err == nil {
		t.Fatal("the create was answered; want the connection closed")
	}
	st := e.s.StoredTokens()
	if len(st) != 1 || st[0].Name != "dropped" {
		t.Errorf("StoredTokens = %+v, want the dropped create committed", st)
	}
}

// The same seed gives the same faults for the same request sequence, so a
// script can reproduce a run.
func TestChaosSeedRepeats(t *testing.T) {
	run := func() []int {
		e := newEnv(t, WithChaos(Chaos{FailRate: 0.3, StatusRates: []StatusRate{{Status: 429, Rate: 0.3}}, Seed: 42}))
		var got []int
		for range 40 {
			got = append(got, e.get("/public/v1/accounts/modules").status)
		}
		return got
	}
	a, b := run(), run()
	seen := map[int]bool{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("run 1 = %v\nrun 2 = %v", a, b)
		}
		seen[a[i]] = true
	}
	if !seen[200] || !seen[500] || !seen[429] {
		t.Errorf("statuses %v: want a mix of 200, 500 and 429", a)
	}
}
