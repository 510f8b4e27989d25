package conversion_test

import (
	"testing"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/conversion"
	"github.com/pactum/pactum/fx"
)

// TestCreditInPartnerCurrency checks that a commission is credited in the partner's currency at
// the day's rate, and that one without a rate falls back to the offer's currency and is counted
// (pactum_fx_rate_missing_total), since that partner is then paid in a currency it did not ask for.
func TestCreditInPartnerCurrency(t *testing.T) {
	day := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
	rates := fx.NewTable([]pactum.FXRate{{Date: day, Currency: "GBP", PerEUR: dec("0.85")}})
	h := newHarness(t, func(c *conversion.Config) { c.Rates = rates })
	o := h.offer(nil)
	for _, tc := range []struct {
		partner        pactum.Partner
		ledger, amount string
		missing        uint64
	}{
		{h.partnerPaidIn("gwen", pactum.PartnerActive, "GBP"), "GBP", "28.05", 0}, // 33.00 EUR at 0.85
		{h.partnerPaidIn("uma", pactum.PartnerActive, "USD"), "EUR", "33.00", 1},  // no USD rate loaded
	} {
		res := h.submit(pactum.ConversionInput{
			ClickID: h.click(o, tc.partner, time.Hour), Event: "purchase", OrderID: "order-" + tc.partner.Name,
			Items: basket(), NewCustomer: true, AdvertiserID: h.advertiser.ID, Source: pactum.SourceAPI,
		})
		c := res.Conversion
		eq(t, tc.partner.Name+" payout", c.Payout, "33.00")
		if c.LedgerCurrency != tc.ledger {
			t.Errorf("%s credited in %q, want %q", tc.partner.Name, c.LedgerCurrency, tc.ledger)
		}
		eq(t, tc.partner.Name+" ledger amount", pactum.LedgerAmount(&c), tc.amount)
		if got := h.p.MissingRates(); got != tc.missing {
			t.Errorf("after %s: MissingRates() = %d, want %d", tc.partner.Name, got, tc.missing)
		}
	}
}
