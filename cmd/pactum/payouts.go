package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/payout"
)

func runPayouts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("payouts run", `Approve the commissions whose hold period has ended, then make the payout runs due on
a date: every program whose schedule (weekly or monthly) falls on it, or with --advertiser
one program whatever its schedule (manual programs run this way). Running a date again
pays nothing twice: the existing run is shown.

Example: pactum payouts run --date 2026-11-30`, stderr)
	date := fs.String("date", "", "the run's date, YYYY-MM-DD (default today, UTC)")
	advertiser := fs.Int64("advertiser", 0, "run this program (advertiser id) only, even off its schedule")
	cfg, err := parseOptions(fs, args, "db")
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	day := payout.Day(now)
	if *date != "" {
		d, err := time.Parse(time.DateOnly, *date)
		if err != nil {
			return fmt.Errorf("--date must be a date such as 2026-11-30, not %q", *date)
		}
		if d.After(day) {
			return fmt.Errorf("--date %s is after today (%s): a run can only pay what is payable by now", *date, day.Format(time.DateOnly))
		}
		day = d
	}
	s, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	jobs := &payout.Jobs{Store: s, Now: func() time.Time { return now }, Logger: slog.New(slog.NewTextHandler(stderr, nil))}
	approved, err := jobs.Approve(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "approved %d commissions whose hold period had ended\n", approved)

	var programs []pactum.Advertiser
	if *advertiser != 0 {
		a, err := s.Advertiser(ctx, *advertiser)
		if err != nil {
			return fmt.Errorf("--advertiser %d: %s", *advertiser, pactum.ErrorMessage(err))
		}
		programs = append(programs, a)
	} else {
		for after := int64(0); ; {
			page, err := s.ListAdvertisers(ctx, pactum.Page{Limit: 500, After: after})
			if err != nil {
				return err
			}
			for _, a := range page {
				after = a.ID
				if payout.Due(a, day) {
					programs = append(programs, a)
				}
			}
			if len(page) < 500 {
				break
			}
		}
	}
	if len(programs) == 0 {
		fmt.Fprintf(stdout, "no program is scheduled to pay on %s (use --advertiser ID to run one anyway)\n", day.Format(time.DateOnly))
		return nil
	}
	for i, a := range programs {
		start := time.Now()
		run, created, err := s.RunPayouts(ctx, payout.Settings(a, day, now))
		if err != nil {
			return err
		}
		verb := "made"
		if !created {
			verb = "exists already (nothing paid twice)"
		}
		totals, err := runTotals(ctx, s, run.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "[%d/%d] %s: run %d for %s %s: %d payouts %s (%s)\n", i+1, len(programs), a.Name, run.ID, run.Date, verb,
			run.Payouts, totals, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// runTotals sums a run's payouts per currency, for the summary line.
func runTotals(ctx context.Context, s pactum.PayoutStore, runID int64) (string, error) {
	sums := map[string]int64{}
	var order []string
	for after := int64(0); ; {
		page, err := s.ListPayouts(ctx, pactum.PayoutFilter{RunID: runID}, pactum.Page{Limit: 1000, After: after})
		if err != nil {
			return "", err
		}
		for _, p := range page {
			after = p.ID
			if _, ok := sums[p.Currency]; !ok {
				order = append(order, p.Currency)
			}
			sums[p.Currency] += pactum.ToMinor(p.Amount, p.Currency)
		}
		if len(page) < 1000 {
			break
		}
	}
	out := ""
	for i, c := range order {
		if i > 0 {
			out += ", "
		}
		out += c + " " + pactum.FormatAmount(pactum.FromMinor(sums[c], c), c)
	}
	if out == "" {
		out = "nothing to pay"
	}
	return out, nil
}
