package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/softwareone/apitoken/apiclient"
	"github.com/softwareone/apitoken/sandbox"
)

// fetchResult is the module fetch of a 10 000-module account, medians.
type fetchResult struct {
	latency  time.Duration // added to every request
	rtt      time.Duration // one GET of the account, with the latency
	total    time.Duration // ListEnabledModules, with the latency
	transfer time.Duration // ListEnabledModules, without added latency
	modules  int
	runs     int
}

// budget is what the fetch may take: two round trips (the account and the
// first page at once, then the other pages at once) plus the transfer.
func (f fetchResult) budget() time.Duration { return 2*f.rtt + f.transfer }

// loopbackSandbox serves a 10 000-module sandbox on a loopback port; each
// request waits latency first (the sandbox's fault hook).
type loopbackSandbox struct {
	srv     *sandbox.Server
	http    *http.Server
	baseURL string
	done    chan struct{}
}

func startLoopbackSandbox(fx *sandbox.Fixture, latency time.Duration) (*loopbackSandbox, error) {
	srv, err := sandbox.New(sandbox.WithFixture(fx))
	if err != nil {
		return nil, err
	}
	if latency > 0 {
		srv.SetFaultFunc(func(*http.Request) *sandbox.Fault { return &sandbox.Fault{Delay: latency} })
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &loopbackSandbox{
		srv:     srv,
		http:    &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second},
		baseURL: "http://" + ln.Addr().String(),
		done:    make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		_ = s.http.Serve(ln)
	}()
	return s, nil
}

func (s *loopbackSandbox) close() {
	_ = s.http.Close()
	<-s.done
}

// client is a new client, with its own connections, as a fresh wizard has.
func (s *loopbackSandbox) client() (*apiclient.Client, *http.Transport, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	c, err := apiclient.New(
		apiclient.WithBaseURL(s.baseURL),
		apiclient.WithToken(apiclient.Secret(s.srv.OperatorToken())),
		apiclient.WithHTTPClient(&http.Client{Transport: tr}),
	)
	return c, tr, err
}

// fetchOnce times ListEnabledModules on a fresh client, then a GET of the
// account on the same (warm) client.
func (s *loopbackSandbox) fetchOnce(ctx context.Context) (total, rtt time.Duration, n int, err error) {
	c, tr, err := s.client()
	if err != nil {
		return 0, 0, 0, err
	}
	defer tr.CloseIdleConnections()
	account := s.srv.DefaultAccount()
	start := time.Now()
	mods, err := c.ListEnabledModules(ctx, account)
	total = time.Since(start)
	if err != nil {
		return 0, 0, 0, err
	}
	start = time.Now()
	if _, err := c.GetAccount(ctx, account); err != nil {
		return 0, 0, 0, err
	}
	return total, time.Since(start), len(mods), nil
}

// measureFetch fetches the modules of a 10 000-module account with and
// without latency, alternately, runs times each.
func measureFetch(ctx context.Context, runs int, latency time.Duration, log io.Writer) (fetchResult, error) {
	fx := sandbox.GenerateFixture(10_000)
	slow, err := startLoopbackSandbox(fx, latency)
	if err != nil {
		return fetchResult{}, err
	}
	defer slow.close()
	fast, err := startLoopbackSandbox(fx, 0)
	if err != nil {
		return fetchResult{}, err
	}
	defer fast.close()

	var totals, rtts, transfers []time.Duration
	n := 0
	for i := range runs {
		order := []*loopbackSandbox{slow, fast}
		if i%2 == 1 {
			order = []*loopbackSandbox{fast, slow}
		}
		for _, s := range order {
			total, rtt, got, err := s.fetchOnce(ctx)
			if err != nil {
				return fetchResult{}, err
			}
			n = got
			if s == slow {
				totals, rtts = append(totals, total), append(rtts, rtt)
			} else {
				transfers = append(transfers, total)
			}
		}
		if log != nil && (i+1)%5 == 0 {
			fmt.Fprintf(log, "  fetch: %d/%d runs\n", i+1, runs)
		}
	}
	if n != 10_000 {
		return fetchResult{}, errors.New("fetch: the account did not get its 10 000 modules")
	}
	return fetchResult{
		latency: latency, rtt: median(rtts), total: median(totals), transfer: median(transfers),
		modules: n, runs: runs,
	}, nil
}
