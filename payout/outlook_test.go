package payout_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/payout"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// TestOutlooks: what a partner reads about its money with a program that pays monthly on the
// 1st with 10 net days.
func TestOutlooks(t *testing.T) {
	prog := pactum.Advertiser{ID: 1, PayoutSchedule: pactum.PayoutMonthly, PayoutDay: 1, NetDays: 10}
	anna := pactum.Partner{ID: 2, Currency: "EUR", MinPayout: d("50.00")}
	balances := []pactum.Balance{{PartnerID: 2, AdvertiserID: 1, Currency: "EUR", Pending: d("12.50"), Approved: d("70.00"), Paid: d("100.00")}}
	unpaid := []pactum.ApprovedDay{
		{AdvertiserID: 1, Currency: "EUR", Day: day("2026-11-10"), Amount: d("30.00")}, // payable from 11-20
		{AdvertiserID: 1, Currency: "EUR", Day: day("2026-11-25"), Amount: d("25.00")}, // from 12-05
		{AdvertiserID: 1, Currency: "EUR", Day: day("2026-11-26"), Amount: d("15.00")}, // from 12-06
	}
	now := day("2026-11-27").Add(15 * time.Hour)
	got := payout.Outlooks(anna, balances, unpaid, map[int64]pactum.Advertiser{1: prog}, now)
	if len(got) != 1 {
		t.Fatalf("%d outlooks", len(got))
	}
	o := got[0]
	if !o.PayableNow.Equal(d("30.00")) || !o.Pending.Equal(d("12.50")) || !o.Paid.Equal(d("100.00")) {
		t.Errorf("payable now %s, pending %s, paid %s; want 30.00, 12.50, 100.00", o.PayableNow, o.Pending, o.Paid)
	}
	if len(o.Upcoming) != 2 || !o.Upcoming[0].Date.Equal(day("2026-12-05")) || !o.Upcoming[0].Amount.Equal(d("25.00")) ||
		!o.Upcoming[1].Date.Equal(day("2026-12-06")) || !o.Upcoming[1].Amount.Equal(d("15.00")) {
		t.Errorf("upcoming %+v, want 25.00 on 12-05 and 15.00 on 12-06", o.Upcoming)
	}
	// The run of 12-01 pays only what is payable by then: 30.00, under the 50.00 minimum.
	if o.Next == nil || !o.Next.Date.Equal(day("2026-12-01")) || !o.Next.Amount.Equal(d("30.00")) || !o.Next.BelowMinimum {
		t.Errorf("next payout %+v, want 30.00 on 2026-12-01, below the minimum", o.Next)
	}

	// A clawback bigger than what is approved: nothing payable, and no negative amounts shown
	// as payable.
	balances[0].Approved = d("-8.01")
	o = payout.Outlooks(anna, balances, nil, map[int64]pactum.Advertiser{1: prog}, now)[0]
	if !o.PayableNow.IsZero() || o.Next == nil || !o.Next.Amount.IsZero() || !o.Next.BelowMinimum {
		t.Errorf("with a debt: payable %s, next %+v", o.PayableNow, o.Next)
	}
	// A manual program has no next payout.
	prog.PayoutSchedule = pactum.PayoutManual
	if o = payout.Outlooks(anna, balances, nil, map[int64]pactum.Advertiser{1: prog}, now)[0]; o.Next != nil {
		t.Errorf("manual program: next %+v, want none", o.Next)
	}
}
