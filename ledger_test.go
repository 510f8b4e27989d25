package pactum_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

func conv(status, payout string) *pactum.Conversion {
	return &pactum.Conversion{ID: 7, PartnerID: 3, AdvertiserID: 2, Currency: "EUR", LedgerCurrency: "EUR",
		Status: status, Payout: decimal.RequireFromString(payout)}
}

func entries(es []pactum.LedgerEntry) string {
	s := ""
	for _, e := range es {
		s += fmt.Sprintf("%s %s;", e.Kind, e.Amount.StringFixed(2))
	}
	return s
}

// TestLedgerChanges: every change of a commission that a program manager can make, and the
// entries a partner's statement then shows.
func TestLedgerChanges(t *testing.T) {
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	unattributed := conv(pactum.ConversionPending, "5.00")
	unattributed.PartnerID = 0
	for _, tc := range []struct {
		name          string
		before, after *pactum.Conversion
		want          string
	}{
		{"new pending", nil, conv(pactum.ConversionPending, "12.50"), "accrued 12.50;"},
		{"new, reported approved", nil, conv(pactum.ConversionApproved, "12.50"), "accrued 12.50;approved 12.50;"},
		{"new rejected earns nothing", nil, conv(pactum.ConversionRejected, "0"), ""},
		{"new capped earns nothing", nil, conv(pactum.ConversionCapped, "0"), ""},
		{"unattributed has no partner to credit", nil, unattributed, ""},
		{"hold period ends", conv(pactum.ConversionPending, "12.50"), conv(pactum.ConversionApproved, "12.50"), "approved 12.50;"},
		{"partial refund while pending", conv(pactum.ConversionPending, "12.50"), conv(pactum.ConversionPending, "8.30"), "reversed 4.20;"},
		{"full refund while pending", conv(pactum.ConversionPending, "12.50"), conv(pactum.ConversionReversed, "0"), "reversed 12.50;"},
		{"rejected while pending", conv(pactum.ConversionPending, "12.50"), conv(pactum.ConversionRejected, "0"), "reversed 12.50;"},
		{"partial refund after approval", conv(pactum.ConversionApproved, "12.50"), conv(pactum.ConversionApproved, "8.30"), "clawback 4.20;"},
		{"rejected after approval", conv(pactum.ConversionApproved, "12.50"), conv(pactum.ConversionRejected, "0"), "clawback 12.50;"},
		{"full refund after payment", conv(pactum.ConversionPaid, "12.50"), conv(pactum.ConversionReversed, "0"), "clawback 12.50;"},
		{"marked paid moves nothing (the payout's entry does)", conv(pactum.ConversionApproved, "12.50"), conv(pactum.ConversionPaid, "12.50"), ""},
		{"nothing changed", conv(pactum.ConversionPending, "12.50"), conv(pactum.ConversionPending, "12.50"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := pactum.LedgerChanges(tc.before, tc.after, at)
			if entries(got) != tc.want {
				t.Fatalf("entries %q, want %q", entries(got), tc.want)
			}
			for _, e := range got {
				if e.ConversionID != 7 || e.PartnerID != 3 || e.AdvertiserID != 2 || e.Currency != "EUR" || !e.Time.Equal(at) {
					t.Errorf("entry %+v", e)
				}
			}
			// Applying the entries takes the balance from before's state to after's.
			var b pactum.Balance
			for _, e := range pactum.LedgerChanges(nil, tc.before, at) {
				if tc.before != nil {
					b.Apply(e)
				}
			}
			for _, e := range got {
				b.Apply(e)
			}
			var want pactum.Balance
			for _, e := range pactum.LedgerChanges(nil, tc.after, at) {
				want.Apply(e)
			}
			if !b.Pending.Equal(want.Pending) || !b.Approved.Equal(want.Approved) {
				t.Errorf("balance %s/%s after the change, %s/%s for the new state", b.Pending, b.Approved, want.Pending, want.Approved)
			}
		})
	}
}

// TestLedgerAmountConverts: a commission in the offer's currency credits the partner in theirs,
// at the rate stored on it, rounded half away from zero.
func TestLedgerAmountConverts(t *testing.T) {
	c := conv(pactum.ConversionPending, "10.00")
	c.Currency, c.LedgerCurrency, c.FXRate = "USD", "JPY", decimal.RequireFromString("151.255")
	if got := pactum.LedgerAmount(c); got.String() != "1513" {
		t.Errorf("10.00 USD at 151.255 = %s JPY, want 1513", got)
	}
	c.LedgerCurrency, c.FXRate = "EUR", decimal.RequireFromString("0.95125")
	if got := pactum.LedgerAmount(c); got.StringFixed(2) != "9.51" {
		t.Errorf("10.00 USD at 0.95125 = %s EUR, want 9.51", got)
	}
	c.FXRate = decimal.Zero
	c.LedgerCurrency = "USD"
	if got := pactum.LedgerAmount(c); got.StringFixed(2) != "10.00" {
		t.Errorf("without a rate: %s", got)
	}
}
