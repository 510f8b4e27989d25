package payout_test

import (
	"testing"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/payout"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestSchedule(t *testing.T) {
	weekly := pactum.Advertiser{PayoutSchedule: pactum.PayoutWeekly, PayoutWeekday: 5, NetDays: 14} // Fridays
	monthly := pactum.Advertiser{PayoutSchedule: pactum.PayoutMonthly, PayoutDay: 15}
	manual := pactum.Advertiser{PayoutSchedule: pactum.PayoutManual}
	sunday := pactum.Advertiser{PayoutSchedule: pactum.PayoutWeekly, PayoutWeekday: 7}
	for _, tc := range []struct {
		name string
		a    pactum.Advertiser
		from string
		next string // "" for none
	}{
		{"weekly on a Friday is that day", weekly, "2026-11-27", "2026-11-27"},
		{"weekly from a Tuesday", weekly, "2026-11-24", "2026-11-27"},
		{"weekly on Sundays (ISO 7)", sunday, "2026-11-24", "2026-11-29"},
		{"monthly before its day", monthly, "2026-11-10", "2026-11-15"},
		{"monthly after its day: next month", monthly, "2026-11-16", "2026-12-15"},
		{"monthly across the year", monthly, "2026-12-31", "2027-01-15"},
		{"manual never", manual, "2026-11-24", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next, ok := payout.Next(tc.a, day(tc.from).Add(13*time.Hour))
			if tc.next == "" {
				if ok {
					t.Fatalf("next run %v, want none", next)
				}
				return
			}
			if !ok || !next.Equal(day(tc.next)) {
				t.Fatalf("next run %v (%v), want %s", next, ok, tc.next)
			}
			if !payout.Due(tc.a, day(tc.next).Add(23*time.Hour)) {
				t.Errorf("not due on %s", tc.next)
			}
		})
	}
	s := payout.Settings(weekly, day("2026-11-27"), day("2026-11-27"))
	if !s.Cutoff.Equal(day("2026-11-14")) {
		t.Errorf("cutoff %v: with 14 net days, commissions approved before 2026-11-14 (the end of 11-13) are payable on 11-27", s.Cutoff)
	}
	if got := payout.PayableFrom(weekly, day("2026-11-13").Add(20*time.Hour)); !got.Equal(day("2026-11-27")) {
		t.Errorf("approved 11-13 is payable from %v, want 2026-11-27", got)
	}
}
