package conversion_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/rules"
)

func TestClickAttributionCommissionToTheCent(t *testing.T) {
	h := newHarness(t)
	anna := h.partner("anna", pactum.PartnerActive)
	o := h.offer(nil)
	click := h.click(o, anna, time.Hour)

	res := h.submit(pactum.ConversionInput{
		ClickID: click, Event: "purchase", OrderID: "A-1001", Items: basket(), NewCustomer: true,
		CustomerID: "c-77", AdvertiserID: h.advertiser.ID, Source: pactum.SourceAPI,
	})
	c := res.Conversion
	if res.Duplicate || c.ID == 0 {
		t.Fatalf("result = %+v, want a new conversion", res)
	}
	if c.OfferID != o.ID || c.AdvertiserID != h.advertiser.ID || c.PartnerID != anna.ID ||
		c.Attribution != pactum.AttributionClick || c.Status != pactum.ConversionPending || c.Reason != "" ||
		c.Event != "purchase" || c.Currency != "EUR" || c.ClickID != click || c.Source != pactum.SourceAPI {
		t.Errorf("conversion = %+v", c)
	}
	if !c.ClickTime.Equal(start.Add(-time.Hour)) || !c.Time.Equal(start) {
		t.Errorf("click time %s, time %s; want %s and %s", c.ClickTime, c.Time, start.Add(-time.Hour), start)
	}
	if c.DedupKey == "" {
		t.Error("no dedup key for an order id")
	}
	// 249.80: hero 2 × 12.00 = 24.00, socks 8% of 50.00 = 4.00, new customer 5.00.
	eq(t, "amount", c.Amount, "249.80")
	eq(t, "payout", c.Payout, "33.00")
	// 10% of 199.80 and of 50.00.
	eq(t, "revenue", c.Revenue, "24.98")
	var b rules.Breakdown
	if err := json.Unmarshal(c.PayoutBreakdown, &b); err != nil {
		t.Fatalf("payout breakdown %s: %v", c.PayoutBreakdown, err)
	}
	if len(b.Lines) != 2 || b.Lines[0].RuleID != "hero" || b.Lines[1].RuleID != rules.DefaultRuleID ||
		len(b.Bonuses) != 1 || b.Bonuses[0].RuleID != "new-customer" {
		t.Errorf("payout breakdown = %s", c.PayoutBreakdown)
	}

	stored, err := h.store.Conversion(h.ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "stored payout", stored.Payout, "33.00")
	eq(t, "stored revenue", stored.Revenue, "24.98")
	if stored.PartnerID != anna.ID || stored.Attribution != pactum.AttributionClick || len(stored.Items) != 2 {
		t.Errorf("stored = %+v", stored)
	}
}

func TestCouponAttributionWithoutClick(t *testing.T) {
	h := newHarness(t)
	anna := h.partner("anna", pactum.PartnerActive)
	bob := h.partner("bob", pactum.PartnerActive)
	o := h.offer(nil)
	other := h.offer(nil)
	for _, c := range []pactum.Coupon{
		{Code: "ANNA10", PartnerID: anna.ID},                 // any offer
		{Code: "BOB5", PartnerID: bob.ID, OfferID: other.ID}, // another offer only
	} {
		if err := h.store.CreateCoupon(h.ctx, &c); err != nil {
			t.Fatal(err)
		}
	}

	res := h.submit(pactum.ConversionInput{OfferID: o.ID, OrderID: "1", Coupon: "anna10", Amount: dec("100.00"), AmountGiven: true})
	c := res.Conversion
	if c.PartnerID != anna.ID || c.Attribution != pactum.AttributionCoupon || c.Status != pactum.ConversionPending {
		t.Errorf("coupon conversion = %+v", c)
	}
	eq(t, "payout", c.Payout, "8.00")

	res = h.submit(pactum.ConversionInput{OfferID: o.ID, OrderID: "2", Coupon: "BOB5", Amount: dec("100.00"), AmountGiven: true})
	if c := res.Conversion; c.PartnerID != 0 || c.Attribution != pactum.AttributionNone {
		t.Errorf("a coupon of another offer attributed: %+v", c)
	}
	res = h.submit(pactum.ConversionInput{OfferID: o.ID, OrderID: "3", Coupon: "NOSUCH", Amount: dec("100.00"), AmountGiven: true})
	if c := res.Conversion; c.PartnerID != 0 || c.Attribution != pactum.AttributionNone {
		t.Errorf("an unknown coupon attributed: %+v", c)
	}
}

func TestReturningCustomer(t *testing.T) {
	for _, tc := range []struct {
		model string
		first bool
	}{{pactum.FirstClick, true}, {pactum.LastClick, false}} {
		t.Run(tc.model, func(t *testing.T) {
			h := newHarness(t)
			anna := h.partner("anna", pactum.PartnerActive)
			bob := h.partner("bob", pactum.PartnerActive)
			o := h.offer(func(o *pactum.Offer) { o.ReturningCustomers, o.AttributionModel = true, tc.model })
			h.submit(pactum.ConversionInput{ClickID: h.click(o, anna, time.Hour), OrderID: "1", CustomerID: "c-1", Amount: dec("10.00"), AmountGiven: true})
			h.advance(time.Hour)
			h.submit(pactum.ConversionInput{ClickID: h.click(o, bob, time.Minute), OrderID: "2", CustomerID: "c-1", Amount: dec("10.00"), AmountGiven: true})
			h.advance(time.Hour)

			c := h.submit(pactum.ConversionInput{OfferID: o.ID, OrderID: "3", CustomerID: "c-1", Amount: dec("50.00"), AmountGiven: true}).Conversion
			want := bob.ID
			if tc.first {
				want = anna.ID
			}
			if c.PartnerID != want || c.Attribution != pactum.AttributionCustomer {
				t.Errorf("partner %d by %s, want %d by customer", c.PartnerID, c.Attribution, want)
			}
			eq(t, "payout", c.Payout, "4.00")

			c = h.submit(pactum.ConversionInput{OfferID: o.ID, OrderID: "4", CustomerID: "c-2", Amount: dec("50.00"), AmountGiven: true}).Conversion
			if c.PartnerID != 0 || c.Attribution != pactum.AttributionNone {
				t.Errorf("a new customer was attributed: %+v", c)
			}
		})
	}
	t.Run("offer without returning customers", func(t *testing.T) {
		h := newHarness(t)
		anna := h.partner("anna", pactum.PartnerActive)
		o := h.offer(nil)
		h.submit(pactum.ConversionInput{ClickID: h.click(o, anna, time.Hour), OrderID: "1", CustomerID: "c-1"})
		c := h.submit(pactum.ConversionInput{OfferID: o.ID, OrderID: "2", CustomerID: "c-1"}).Conversion
		if c.PartnerID != 0 {
			t.Errorf("attributed to partner %d", c.PartnerID)
		}
	})
}

func TestUnattributed(t *testing.T) {
	h := newHarness(t)
	o := h.offer(nil)
	c := h.submit(pactum.ConversionInput{OfferID: o.ID, OrderID: "1", Items: basket()}).Conversion
	if c.ID == 0 || c.PartnerID != 0 || c.Attribution != pactum.AttributionNone || c.Status != pactum.ConversionPending {
		t.Errorf("conversion = %+v", c)
	}
	eq(t, "amount", c.Amount, "249.80")
	eq(t, "payout", c.Payout, "0")
	eq(t, "revenue", c.Revenue, "0")
	if n := h.count(pactum.ConversionFilter{OfferID: o.ID}); n != 1 {
		t.Errorf("%d conversions stored, want 1", n)
	}
}

func TestRejectedOnArrival(t *testing.T) {
	h := newHarness(t)
	anna := h.partner("anna", pactum.PartnerActive)
	gone := h.partner("gone", pactum.PartnerSuspended)
	o := h.offer(func(o *pactum.Offer) { o.MinConversionSeconds = 10 })

	for _, tc := range []struct {
		name    string
		in      pactum.ConversionInput
		partner int64
		reason  string
	}{
		{"window expired", pactum.ConversionInput{ClickID: h.click(o, anna, 30*24*time.Hour+time.Second), OrderID: "1"}, anna.ID, pactum.ReasonWindowExpired},
		{"too fast", pactum.ConversionInput{ClickID: h.click(o, anna, 3*time.Second), OrderID: "2"}, anna.ID, pactum.ReasonTooFast},
		{"partner suspended", pactum.ConversionInput{ClickID: h.click(o, gone, time.Hour), OrderID: "3"}, gone.ID, pactum.ReasonPartnerInactive},
		{"advertiser rejected", pactum.ConversionInput{ClickID: h.click(o, anna, time.Hour), OrderID: "4", Status: pactum.ConversionRejected}, anna.ID, pactum.ReasonAdvertiserDenied},
		// The attribution's reason is the one that counts.
		{"too fast and rejected", pactum.ConversionInput{ClickID: h.click(o, anna, time.Second), OrderID: "5", Status: pactum.ConversionRejected}, anna.ID, pactum.ReasonTooFast},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Items = basket()
			res := h.submit(tc.in)
			c := res.Conversion
			if res.Duplicate || c.ID == 0 || c.Status != pactum.ConversionRejected || c.Reason != tc.reason ||
				c.PartnerID != tc.partner || c.Attribution != pactum.AttributionClick {
				t.Errorf("conversion = %+v, want rejected %s for partner %d", c, tc.reason, tc.partner)
			}
			eq(t, "payout", c.Payout, "0")
			eq(t, "revenue", c.Revenue, "0")
			stored, err := h.store.Conversion(h.ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.Status != pactum.ConversionRejected || stored.Reason != tc.reason {
				t.Errorf("stored %s %q", stored.Status, stored.Reason)
			}
		})
	}

	t.Run("rejected keeps what it would have earned in the breakdown", func(t *testing.T) {
		c := h.submit(pactum.ConversionInput{ClickID: h.click(o, anna, time.Hour), OrderID: "6", Items: basket(), Status: pactum.ConversionRejected}).Conversion
		var b rules.Breakdown
		if err := json.Unmarshal(c.PayoutBreakdown, &b); err != nil {
			t.Fatal(err)
		}
		eq(t, "breakdown total", b.Total, "28.00")
	})
	t.Run("just inside the limits", func(t *testing.T) {
		for i, ago := range []time.Duration{30 * 24 * time.Hour, 10 * time.Second} {
			c := h.submit(pactum.ConversionInput{ClickID: h.click(o, anna, ago), OrderID: "ok" + string(rune('0'+i))}).Conversion
			if c.Status != pactum.ConversionPending {
				t.Errorf("click %s ago: %s %q", ago, c.Status, c.Reason)
			}
		}
	})
	t.Run("advertiser approved", func(t *testing.T) {
		c := h.submit(pactum.ConversionInput{ClickID: h.click(o, anna, time.Hour), OrderID: "7", Status: pactum.ConversionApproved, Amount: dec("10.00"), AmountGiven: true}).Conversion
		if c.Status != pactum.ConversionApproved || c.Reason != "" {
			t.Errorf("%s %q, want approved", c.Status, c.Reason)
		}
		eq(t, "payout", c.Payout, "0.80")
	})
}

func TestCapped(t *testing.T) {
	h := newHarness(t)
	anna := h.partner("anna", pactum.PartnerActive)
	bob := h.partner("bob", pactum.PartnerActive)
	o := h.offer(func(o *pactum.Offer) {
		o.Events[0].Payout = json.RawMessage(`{"default":{"percent":"10"},"caps":{"daily_conversions":2}}`)
	})
	in := func(p pactum.Partner, order string) pactum.ConversionInput {
		return pactum.ConversionInput{ClickID: h.click(o, p, time.Hour), OrderID: order, Amount: dec("100.00"), AmountGiven: true}
	}
	for _, order := range []string{"1", "2"} {
		if c := h.submit(in(anna, order)).Conversion; c.Status != pactum.ConversionPending {
			t.Fatalf("order %s: %s %q", order, c.Status, c.Reason)
		}
	}
	c := h.submit(in(anna, "3")).Conversion
	if c.Status != pactum.ConversionCapped || c.Reason != "cap:daily_conversions" {
		t.Errorf("third conversion of the day: %s %q, want capped", c.Status, c.Reason)
	}
	eq(t, "capped payout", c.Payout, "0")
	eq(t, "capped revenue", c.Revenue, "10.00")
	// The cap is per partner, and per UTC day.
	if c := h.submit(in(bob, "4")).Conversion; c.Status != pactum.ConversionPending {
		t.Errorf("another partner: %s", c.Status)
	}
	h.advance(12 * time.Hour)
	if c := h.submit(in(anna, "5")).Conversion; c.Status != pactum.ConversionPending {
		t.Errorf("next day: %s %q", c.Status, c.Reason)
	}
	// Approval asked for does not lift a cap.
	x := in(anna, "6")
	x.Status = pactum.ConversionApproved
	h.submit(in(anna, "7"))
	if c := h.submit(x).Conversion; c.Status != pactum.ConversionCapped {
		t.Errorf("approved over the cap: %s", c.Status)
	}
}

// TestCountryRules: a conversion is in the country the shop reports, else, when the offer's rules
// pay by country, in its click's, and those rules pay by it.
func TestCountryRules(t *testing.T) {
	h := newHarness(t)
	o, inFrance, notStored := countryOffer(h)
	for _, tc := range []struct {
		name, click, country  string
		wantCountry, wantRule string
		wantPayout            string
	}{
		{"the click's country", inFrance, "", "FR", "france", "12.00"},
		{"reported, over the click's", inFrance, "de", "DE", rules.DefaultRuleID, "8.00"},
		{"reported, without a stored click", notStored, "fr", "FR", "france", "12.00"},
		{"reported as unknown", inFrance, "XX", "FR", "france", "12.00"},
		{"neither", notStored, "", "", rules.DefaultRuleID, "8.00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := h.submit(pactum.ConversionInput{
				ClickID: tc.click, Country: tc.country, OrderID: tc.name, Amount: dec("100.00"), AmountGiven: true,
				AdvertiserID: h.advertiser.ID, Source: pactum.SourceAPI,
			}).Conversion
			var b rules.Breakdown
			if err := json.Unmarshal(c.PayoutBreakdown, &b); err != nil {
				t.Fatal(err)
			}
			if c.OfferID != o.ID || c.Country != tc.wantCountry || len(b.Lines) != 1 || b.Lines[0].RuleID != tc.wantRule {
				t.Errorf("country %q, breakdown %s; want %q by rule %s", c.Country, c.PayoutBreakdown, tc.wantCountry, tc.wantRule)
			}
			eq(t, "payout", c.Payout, tc.wantPayout)
			stored, err := h.store.Conversion(h.ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.Country != tc.wantCountry {
				t.Errorf("stored country %q, want %q", stored.Country, tc.wantCountry)
			}
		})
	}

	// An offer whose rules do not pay by country is processed without looking the click up;
	// reading the conversion shows the click's country all the same.
	plain := h.offer(nil)
	click := h.click(plain, h.partner("ben", pactum.PartnerActive), time.Hour)
	storeClick(h, pactum.Visit{ClickID: click, Time: start.Add(-time.Hour), OfferID: plain.ID, Country: "FR"}, 2)
	c := h.submit(pactum.ConversionInput{ClickID: click, OrderID: "plain", Amount: dec("100.00"), AmountGiven: true}).Conversion
	if c.Country != "" {
		t.Errorf("processed in %q for an offer without rules by country", c.Country)
	}
	if stored, err := h.store.Conversion(h.ctx, c.ID); err != nil || stored.Country != "FR" {
		t.Errorf("read back: country %q, %v; want the click's FR", stored.Country, err)
	}
}

// countryOffer makes an offer that pays 12% in France and 8% elsewhere, a click in France that
// is stored, and one that is not.
func countryOffer(h *harness) (o pactum.Offer, inFrance, notStored string) {
	h.t.Helper()
	anna := h.partner("anna", pactum.PartnerActive)
	o = h.offer(func(o *pactum.Offer) {
		o.Events[0].Payout = json.RawMessage(`{"default":{"percent":"8"},
			"rules":[{"id":"france","when":{"country":["FR"]},"rate":{"percent":"12"}}]}`)
	})
	inFrance, notStored = h.click(o, anna, time.Hour), h.click(o, anna, 2*time.Hour)
	storeClick(h, pactum.Visit{ClickID: inFrance, Time: start.Add(-time.Hour), OfferID: o.ID, PartnerID: anna.ID, Country: "FR"}, 1)
	return o, inFrance, notStored
}

// storeClick stores v as the click processor would, at position pos of a stream of its own.
func storeClick(h *harness, v pactum.Visit, pos uint64) {
	h.t.Helper()
	if _, err := h.store.ApplyEvents(h.ctx, "visits", pos, func(tx pactum.EventTx) error {
		return tx.InsertVisits(h.ctx, []pactum.Visit{v}, nil)
	}); err != nil {
		h.t.Fatal(err)
	}
}
