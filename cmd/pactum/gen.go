package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"time"

	"github.com/pactum/pactum/benchdata"
	"github.com/pactum/pactum/store/sqldb"
)

func runGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("gen", "", stderr)
	clicks := fs.Int("clicks", 1_000_000, "clicks to generate over all days (bots and duplicates among them)")
	conversions := fs.Int("conversions", 30_000, "conversions to generate over all days")
	impressions := fs.Int("impressions", 0, "impressions to generate over all days")
	partners := fs.Int("partners", 120, "partners, each with links to some of the offers; influencers also with a coupon")
	offers := fs.Int("offers", 4, "offers (1 to 6), each with SKU and category commission rules")
	days := fs.Int("days", 90, "days of events, ending yesterday (UTC) or the day before --end")
	end := fs.String("end", "", "the day after the last day of events, YYYY-MM-DD (default today, UTC)")
	seed := fs.Uint64("seed", 1, "seed of the random choices: the same seed and flags give the same data")
	var cfg Config
	opts := bindOptions(fs, &cfg, "db")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Generate a large data set straight into a store, for benchmarks of reports at scale
(docs/benchmarks.md, "Reports at scale"). Not the demo: use 'pactum serve --demo' to try Pactum.

It creates a program (an advertiser, offers with SKU and category commission rules, partners with
links and coupons, a catalog of 68 SKUs in 8 categories), then, a UTC day at a time, the day's clicks
(countries, devices, OS, browsers, sub ids and sources; bots and duplicates among them), its
conversions with line items, priced by the offers' rules and approved, pending, rejected or
refunded as their age says, their ledger entries, and the report rollups: the same rollups
'pactum reports rebuild' computes from those events. Each day is one transaction of bulk writes
(COPY on PostgreSQL), bypassing the event log, the change feed and every check of the intakes.

The store must hold no clicks, impressions or conversions yet. Progress goes to stderr.

Usage: pactum gen [flags]

Examples:
  pactum gen --db bench.db --clicks 10000000 --conversions 300000
  pactum gen --db postgres://postgres@127.0.0.1/gen_bench --clicks 10000000 --conversions 300000

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := opts.load(); err != nil {
		return err
	}
	last := time.Now().UTC().Truncate(24 * time.Hour)
	if *end != "" {
		t, err := time.Parse(time.DateOnly, *end)
		if err != nil {
			return fmt.Errorf("--end: %q is not a date such as 2026-12-01", *end)
		}
		last = t
	}
	st, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	bulk, ok := st.(*sqldb.Store)
	if !ok {
		return errors.New("gen: the store has no bulk load")
	}
	// The generator holds days of events and rollups in memory: fewer collections of a larger
	// heap leave more of the two cores to the store, up to a bound (without one, 10 million
	// clicks took 9 GB).
	debug.SetGCPercent(400)
	debug.SetMemoryLimit(1 << 30)
	started := time.Now()
	sum, err := benchdata.Generate(ctx, bulk, benchdata.Config{Clicks: *clicks, Conversions: *conversions, Impressions: *impressions,
		Partners: *partners, Offers: *offers, Days: *days, End: last, Seed: *seed}, progressBar(stderr, "generating", started))
	if err != nil {
		fmt.Fprintln(stderr)
		return err
	}
	fmt.Fprintf(stdout, `generated in %s into %s:
  advertiser %d, offers %v, %d partners (partner %d has the most traffic)
  %s to %s: %d clicks, %d impressions, %d conversions (%d approved, %d pending, %d rejected, %d refunded)
  %d report rollup rows
`, time.Since(started).Round(time.Millisecond), redactDSN(cfg.DB), sum.AdvertiserID, sum.Offers, len(sum.Partners), sum.TopPartner,
		sum.From.Format(time.DateOnly), sum.To.AddDate(0, 0, -1).Format(time.DateOnly), sum.Clicks, sum.Impressions,
		sum.Conversions, sum.Approved, sum.Pending, sum.Rejected, sum.Refunded, sum.RollupRows)
	return nil
}
