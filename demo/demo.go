// Package demo makes a partner program a person recognises, Northwind Shoes, and weeks of its
// traffic: a catalog of a few hundred SKUs, offers with SKU and category rules, bonuses and
// tiers, some fifty partners of every kind with links and coupons, and six weeks of clicks,
// sales, refunds, approvals and payout runs ending now.
//
// Nothing is written to the store directly. The program is made through program.Service, as
// the API makes it; clicks go through the tracking edge's HTTP handler (in-process requests with
// real user agents, addresses and a country header), sales, refunds and payout runs through
// program.Service, approvals through payout.Jobs. The demo gives each of them a simulated
// clock (edge.Config.Now, program.Config.Now, payout.Jobs.Now) that it moves through the six
// weeks; the clock is wired in-process only, and no request can set an event's time.
package demo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// CountryHeader is the header the demo's requests carry the visitor's country in, as
// Cloudflare's proxy does: the Edge that Config makes must read it (edge.Config.CountryHeader).
const CountryHeader = "CF-IPCountry"

// Defaults of Config.
const (
	DefaultDays = 42
	DefaultSeed = 2026
)

// Config is the intake the demo drives and how much traffic it makes.
type Config struct {
	// Program returns the program service, on the clock now: the demo creates the program and
	// reports sales, refunds and payout runs through it.
	Program func(now func() time.Time) *program.Service
	// Edge returns the tracking edge's HTTP handler (GET /c/{code}) on the clock now, reading
	// the visitor's country from CountryHeader. The demo makes one per worker.
	Edge func(now func() time.Time) (http.Handler, error)
	// Approve approves the conversions whose hold period ended by now (payout.Jobs.Approve).
	Approve func(ctx context.Context, now func() time.Time) (int, error)
	// PublicURL is where the program's landing page (/demo/landing) is served.
	PublicURL string
	// End is when the simulated traffic ends (now); Days how many days it covers (DefaultDays
	// makes six weeks; 0 makes the program without traffic).
	End  time.Time
	Days int
	// Scale multiplies the traffic (1 if 0): a test makes a small demo with 0.1.
	Scale float64
	// Seed makes the traffic (DefaultSeed if 0): the same seed makes the same program.
	Seed uint64
	// Workers is how many visitors are served at once (4 if 0). Each has its own edge and
	// clock; a visitor is always served by the same one, in the order of its events.
	Workers int
	// Progress, if set, is told after each simulated day (days done, all days).
	Progress func(done, all int)
}

// Result is what the demo made: the program, the first partner's DEMO link, the postback
// token of the advertiser (shown only now), and counts of what the traffic did.
type Result struct {
	Advertiser pactum.Advertiser
	Offer      pactum.Offer
	Partner    pactum.Partner
	Link       pactum.Link
	Token      string

	Partners, Offers, Links, Coupons, SKUs int
	Clicks, Conversions, Refunds, Runs     int
}

// LinkCode is the code of the first partner's link: a store that has it holds the demo.
const LinkCode = "DEMO"

// Run makes the demo program and its traffic.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Program == nil || cfg.Days > 0 && (cfg.Edge == nil || cfg.Approve == nil) {
		return Result{}, errors.New("demo: Config.Program is required, and Edge and Approve with Days")
	}
	if cfg.Scale <= 0 {
		cfg.Scale = 1
	}
	if cfg.Seed == 0 {
		cfg.Seed = DefaultSeed
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.End.IsZero() {
		cfg.End = time.Now()
	}
	cfg.End = cfg.End.UTC().Truncate(time.Second)
	start := cfg.End.Truncate(24*time.Hour).AddDate(0, 0, 1-max(cfg.Days, 1))
	clock := newClock(start.Add(-time.Hour))
	svc := cfg.Program(clock.Now)
	p, err := setUp(ctx, svc, cfg.PublicURL)
	if err != nil {
		return Result{}, err
	}
	res := Result{Advertiser: p.advertiser, Offer: p.offers[offerRunning], Partner: p.partners[0].Partner,
		Link: p.demoLink, Token: p.token, Partners: len(p.partners), Offers: len(p.offers),
		Links: p.links, Coupons: p.coupons, SKUs: p.catalogue.size()}
	if cfg.Days == 0 {
		return res, nil
	}
	t := plan(p, cfg, start)
	if err := t.play(ctx, cfg, p, clock, &res); err != nil {
		return res, err
	}
	return res, nil
}

// clock is a simulated clock: it says what it was last set to.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.Set(t)
	return c
}

func (c *clock) Now() time.Time  { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Set(t time.Time) { c.ns.Store(t.UnixNano()) }
func (c *clock) String() string  { return c.Now().Format(time.RFC3339) }
func ptr[T any](v T) *T          { return &v }
func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("demo: %s: %w", what, err)
}
