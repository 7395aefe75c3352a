package sandbox

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Chaos makes the server misbehave at random, for people and scripts that
// want to see how a client copes without writing Go (the CLI's fault flags
// map onto it). Each request draws once: a fault from the rates below, in
// the order FailRate, StatusRates, DropAfterCommitRate; the rates are
// fractions of requests in [0, 1] and their sum must not exceed 1. Queued
// faults and the fault func ([Server.InjectFault], [Server.SetFaultFunc])
// come first; Chaos applies only to requests they leave alone.
type Chaos struct {
	// Latency is added to every request, on top of [WithLatency].
	Latency time.Duration
	// FailRate is the fraction of requests answered 500 without being
	// handled (nothing is committed).
	FailRate float64
	// DropAfterCommitRate is the fraction of requests handled in full (a
	// create stores its token) whose connection is then closed without an
	// answer: the "unknown outcome" a client must never retry blindly.
	DropAfterCommitRate float64
	// StatusRates answer a fraction of requests with a given status and a
	// ProblemDetails body, without handling them; 429 and 503 carry
	// Retry-After: 1.
	StatusRates []StatusRate
	// Seed makes the draws repeatable; 0 draws a random seed.
	Seed int64
}

// StatusRate is one entry of [Chaos.StatusRates].
type StatusRate struct {
	Status int
	Rate   float64
}

// ParseStatusRate parses "STATUS:RATE", e.g. "503:0.05": a 4xx or 5xx
// status and a fraction in [0, 1].
func ParseStatusRate(s string) (StatusRate, error) {
	st, rt, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return StatusRate{}, fmt.Errorf("status rate %q: want STATUS:RATE, e.g. 503:0.05", s)
	}
	status, err := strconv.Atoi(st)
	if err != nil || status < 400 || status > 599 {
		return StatusRate{}, fmt.Errorf("status rate %q: the status must be a number from 400 to 599", s)
	}
	rate, err := strconv.ParseFloat(rt, 64)
	if err != nil || !validRate(rate) {
		return StatusRate{}, fmt.Errorf("status rate %q: the rate must be a number from 0 to 1", s)
	}
	return StatusRate{Status: status, Rate: rate}, nil
}

func validRate(r float64) bool { return r >= 0 && r <= 1 } // false for NaN too

// WithChaos makes the server misbehave at random as c says. New rejects
// rates outside [0, 1], a sum of rates above 1, or a status outside 4xx/5xx.
func WithChaos(c Chaos) Option {
	return func(cfg *config) {
		c.StatusRates = append([]StatusRate(nil), c.StatusRates...)
		cfg.chaos = &c
	}
}

func (c *Chaos) validate() error {
	if c.Latency < 0 {
		return errors.New("sandbox: chaos latency must not be negative")
	}
	sum := 0.0
	for _, r := range []float64{c.FailRate, c.DropAfterCommitRate} {
		if !validRate(r) {
			return errors.New("sandbox: chaos rates must be from 0 to 1")
		}
		sum += r
	}
	for _, sr := range c.StatusRates {
		if sr.Status < 400 || sr.Status > 599 {
			return fmt.Errorf("sandbox: chaos status %d is not a 4xx or 5xx status", sr.Status)
		}
		if !validRate(sr.Rate) {
			return errors.New("sandbox: chaos rates must be from 0 to 1")
		}
		sum += sr.Rate
	}
	if sum > 1+1e-9 {
		return errors.New("sandbox: chaos rates add up to more than 1")
	}
	return nil
}

// chaos draws random faults. Its own lock keeps the draws in request order
// for a given seed without touching the token store's lock.
type chaos struct {
	cfg Chaos
	mu  sync.Mutex
	rng *rand.Rand
}

func newChaos(c *Chaos) *chaos {
	if c == nil {
		return nil
	}
	seed := uint64(c.Seed)
	if seed == 0 {
		seed = rand.Uint64()
	}
	return &chaos{cfg: *c, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// draw returns the fault for one request, or nil.
func (c *chaos) draw(*http.Request) *Fault {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	p := c.rng.Float64()
	c.mu.Unlock()
	f := &Fault{Delay: c.cfg.Latency}
	acc := c.cfg.FailRate
	switch {
	case p < acc:
		f.Status = http.StatusInternalServerError
		return f
	}
	for _, sr := range c.cfg.StatusRates {
		acc += sr.Rate
		if p < acc {
			f.Status = sr.Status
			if sr.Status == http.StatusTooManyRequests || sr.Status == http.StatusServiceUnavailable {
				f.RetryAfter = time.Second
			}
			return f
		}
	}
	if acc += c.cfg.DropAfterCommitRate; p < acc {
		f.DropAfterCommit = true
		return f
	}
	if f.Delay > 0 {
		return f
	}
	return nil
}
