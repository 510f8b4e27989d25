package commission_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/commission"
)

// refundStep is one refund: of items (sku:quantity) or, when amount is set, of an amount.
type refundStep struct {
	items  []pactum.RefundItem
	amount string
}

func units(sku string, n int64) pactum.RefundItem { return pactum.RefundItem{SKU: sku, Quantity: n} }

func (s refundStep) apply(c *pactum.Conversion, at time.Time) error {
	if s.amount != "" {
		return commission.Refund(c, nil, dec(s.amount), true, at)
	}
	return commission.Refund(c, s.items, decimal.Zero, false, at)
}

func TestRefund(t *testing.T) {
	tv := func(t testing.TB) pactum.Conversion {
		return sale(t, shop, anna, t0, false, line("TV-1", "electronics", 1, "1299.00"), line("SOCK-1", "accessories", 1, "50.00"))
	}
	lead := func(t testing.TB) pactum.Conversion {
		c := pactum.Conversion{ID: 1, OfferID: 1, Event: "lead", PartnerID: 1, Currency: "EUR", Amount: dec("40.00"), Status: pactum.ConversionPending}
		if _, err := theRules.Compute(shop, anna, &c, pactum.PartnerStats{}); err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name   string
		order  func(testing.TB) pactum.Conversion
		before func(*pactum.Conversion) error
		steps  []refundStep
		// What the last refund leaves.
		payout, revenue, refunded, status string
		breakdown                         []string
		refundedUnits                     []int64
	}{
		{name: "nothing refunded", order: specOrder,
			payout: "38.00", revenue: "29.98", refunded: "0", status: "pending",
			breakdown:     []string{"hero 24.00", "default 4.00", "new-customer 5.00", "big-basket 5.00", "total 38.00"},
			refundedUnits: []int64{0, 0}},
		{name: "one of two hero shoes: the hero line halves, big basket shrinks with the basket, new customer stays",
			order: specOrder, steps: []refundStep{{items: []pactum.RefundItem{units("SHOE-9", 1)}}},
			payout: "24.00", revenue: "17.99", refunded: "99.90", status: "pending",
			breakdown:     []string{"hero 12.00", "default 4.00", "new-customer 5.00", "big-basket 3.00", "total 24.00"},
			refundedUnits: []int64{1, 0}},
		{name: "the low-margin line: its high-ticket bonus goes with it, the socks keep theirs",
			order: tv, steps: []refundStep{{items: []pactum.RefundItem{units("TV-1", 1)}}},
			payout: "5.00", revenue: "6.00", refunded: "1299.00", status: "pending",
			// big basket: 26.98 × 50.00 / 1349.00 = 1.00
			breakdown:     []string{"low-margin 0.00", "default 4.00", "big-basket 1.00", "high-ticket 0.00", "total 5.00"},
			refundedUnits: []int64{1, 0}},
		{name: "the socks of the TV order: the high-ticket bonus stays whole",
			order: tv, steps: []refundStep{{items: []pactum.RefundItem{units("SOCK-1", 1)}}},
			// big basket: 26.98 × 1299.00 / 1349.00 = 25.98
			payout: "84.95", revenue: "155.88", refunded: "50.00", status: "pending",
			breakdown:     []string{"low-margin 38.97", "default 0.00", "big-basket 25.98", "high-ticket 20.00", "total 84.95"},
			refundedUnits: []int64{0, 1}},
		{name: "half the amount: every line and percent bonus halves, the fixed per-order bonus stays",
			order: specOrder, steps: []refundStep{{amount: "124.90"}},
			payout: "21.50", revenue: "14.99", refunded: "124.90", status: "pending",
			breakdown:     []string{"hero 12.00", "default 2.00", "new-customer 5.00", "big-basket 2.50", "total 21.50"},
			refundedUnits: []int64{0, 0}},
		{name: "everything, by items: reversed",
			order: specOrder, steps: []refundStep{{items: []pactum.RefundItem{units("SHOE-9", 2), units("SOCK-1", 1)}}},
			payout: "0", revenue: "0", refunded: "249.80", status: "reversed",
			breakdown:     []string{"hero 0.00", "default 0.00", "new-customer 0.00", "big-basket 0.00", "total 0.00"},
			refundedUnits: []int64{2, 1}},
		{name: "everything, one item at a time",
			order: specOrder, steps: []refundStep{
				{items: []pactum.RefundItem{units("SHOE-9", 1)}},
				{items: []pactum.RefundItem{units("SOCK-1", 1)}},
				{items: []pactum.RefundItem{units("SHOE-9", 1)}}},
			payout: "0", revenue: "0", refunded: "249.80", status: "reversed",
			breakdown:     []string{"hero 0.00", "default 0.00", "new-customer 0.00", "big-basket 0.00", "total 0.00"},
			refundedUnits: []int64{2, 1}},
		{name: "everything, by amount after a shoe",
			order: specOrder, steps: []refundStep{{items: []pactum.RefundItem{units("SHOE-9", 1)}}, {amount: "149.90"}},
			payout: "0", revenue: "0", refunded: "249.80", status: "reversed",
			breakdown:     []string{"hero 0.00", "default 0.00", "new-customer 0.00", "big-basket 0.00", "total 0.00"},
			refundedUnits: []int64{2, 1}},
		{name: "after approve: stays approved",
			order: specOrder, before: func(c *pactum.Conversion) error { return commission.Approve(c, t0) },
			steps: []refundStep{{items: []pactum.RefundItem{units("SOCK-1", 1)}}},
			// big basket: 5.00 × 199.80 / 249.80 = 4.00
			payout: "33.00", revenue: "23.98", refunded: "50.00", status: "approved",
			breakdown:     []string{"hero 24.00", "default 0.00", "new-customer 5.00", "big-basket 4.00", "total 33.00"},
			refundedUnits: []int64{0, 1}},
		{name: "a rejected conversion only records the refund",
			order: specOrder, before: func(c *pactum.Conversion) error { return commission.Reject(c, "fraud", t0) },
			steps:  []refundStep{{items: []pactum.RefundItem{units("SHOE-9", 2), units("SOCK-1", 1)}}},
			payout: "0", revenue: "0", refunded: "249.80", status: "rejected",
			breakdown:     []string{"hero 24.00", "default 4.00", "new-customer 5.00", "big-basket 5.00", "total 38.00"},
			refundedUnits: []int64{2, 1}},
		{name: "a lead without items, by amount",
			order: lead, steps: []refundStep{{amount: "10.00"}},
			payout: "1.50", revenue: "0", refunded: "10.00", status: "pending",
			breakdown: []string{"default 1.50", "total 1.50"}},
		{name: "a cent that floats get wrong: 8% of 0.15 halved",
			order: func(t testing.TB) pactum.Conversion {
				return sale(t, shop, anna, t0, false, line("PIN-1", "pins", 2, "0.45"))
			},
			// 8% of 0.90 = 0.072 -> 0.07, one of two: 0.035 -> 0.04; 12% of 0.90 = 0.108 -> 0.11,
			// one of two: 0.055 -> 0.06 (half away from zero)
			steps:  []refundStep{{items: []pactum.RefundItem{units("PIN-1", 1)}}},
			payout: "0.04", revenue: "0.06", refunded: "0.45", status: "pending",
			breakdown: []string{"default 0.04", "total 0.04"}, refundedUnits: []int64{1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.order(t)
			if tc.before != nil {
				if err := tc.before(&c); err != nil {
					t.Fatal(err)
				}
			}
			for i, s := range tc.steps {
				payout, revenue := c.Payout, c.Revenue
				if err := s.apply(&c, t0.Add(time.Duration(i+1)*time.Hour)); err != nil {
					t.Fatalf("refund %d: %v", i, err)
				}
				r := c.Refunds[len(c.Refunds)-1]
				if len(c.Refunds) != i+1 || !r.PayoutBefore.Equal(payout) || !r.RevenueBefore.Equal(revenue) ||
					!r.PayoutAfter.Equal(c.Payout) || !r.RevenueAfter.Equal(c.Revenue) || !r.Time.Equal(t0.Add(time.Duration(i+1)*time.Hour)) {
					t.Errorf("refund %d recorded as %+v (payout %s -> %s, revenue %s -> %s)", i, r, payout, c.Payout, revenue, c.Revenue)
				}
			}
			if got := fmt.Sprint(c.Payout, " ", c.Revenue, " ", c.RefundedAmount, " ", c.Status); got != fmt.Sprint(dec(tc.payout), " ", dec(tc.revenue), " ", dec(tc.refunded), " ", tc.status) {
				t.Errorf("payout, revenue, refunded, status = %s, want %s %s %s %s", got, tc.payout, tc.revenue, tc.refunded, tc.status)
			}
			if got := parts(t, c.PayoutBreakdown); !slices.Equal(got, tc.breakdown) {
				t.Errorf("payout breakdown %q\nwant %q", got, tc.breakdown)
			}
			var got []int64
			for _, it := range c.Items {
				got = append(got, it.RefundedQuantity)
			}
			if !slices.Equal(got, tc.refundedUnits) {
				t.Errorf("refunded units %v, want %v", got, tc.refundedUnits)
			}
		})
	}
}

func TestRefundInvalid(t *testing.T) {
	tests := []struct {
		name  string
		first *refundStep // a refund made before
		step  refundStep
		field string
	}{
		{name: "three of two shoes", step: refundStep{items: []pactum.RefundItem{units("SHOE-9", 3)}}, field: "items[0].quantity"},
		{name: "a shoe twice over", step: refundStep{items: []pactum.RefundItem{units("SHOE-9", 1), units("SOCK-1", 1), units("SHOE-9", 2)}}, field: "items[2].quantity"},
		{name: "two shoes after one", first: &refundStep{items: []pactum.RefundItem{units("SHOE-9", 1)}},
			step: refundStep{items: []pactum.RefundItem{units("SHOE-9", 2)}}, field: "items[0].quantity"},
		{name: "no units", step: refundStep{items: []pactum.RefundItem{units("SHOE-9", 0)}}, field: "items[0].quantity"},
		{name: "unknown sku", step: refundStep{items: []pactum.RefundItem{units("SOCK-1", 1), units("HAT-1", 1)}}, field: "items[1].sku"},
		{name: "no sku", step: refundStep{items: []pactum.RefundItem{units("", 1)}}, field: "items[0].sku"},
		{name: "no items", step: refundStep{}, field: "items"},
		{name: "more than the order", step: refundStep{amount: "249.81"}, field: "amount"},
		{name: "more than is left", first: &refundStep{amount: "200.00"}, step: refundStep{amount: "50.00"}, field: "amount"},
		{name: "nothing", step: refundStep{amount: "0"}, field: "amount"},
		{name: "negative", step: refundStep{amount: "-1.00"}, field: "amount"},
		{name: "a tenth of a cent", step: refundStep{amount: "1.005"}, field: "amount"},
		{name: "anything after reversed", first: &refundStep{amount: "249.80"}, step: refundStep{amount: "0.01"}, field: "amount"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := specOrder(t)
			if tc.first != nil {
				if err := tc.first.apply(&c, t0); err != nil {
					t.Fatal(err)
				}
			}
			before := fmt.Sprintf("%+v", c)
			err := tc.step.apply(&c, t0.Add(time.Hour))
			if pactum.ErrorCode(err) != pactum.EINVALID || pactum.ErrorField(err) != tc.field {
				t.Fatalf("error %v, want invalid_argument on %s", err, tc.field)
			}
			if after := fmt.Sprintf("%+v", c); after != before {
				t.Errorf("a refused refund changed the conversion:\n%s\n%s", before, after)
			}
		})
	}
	lead := pactum.Conversion{Event: "lead", Currency: "EUR", Amount: dec("10.00"), Status: pactum.ConversionPending}
	if err := commission.Refund(&lead, []pactum.RefundItem{units("X", 1)}, decimal.Zero, false, t0); pactum.ErrorField(err) != "items" {
		t.Errorf("item refund of an order without items: %v, want an error on items", err)
	}
}

// TestRefundUnattributed: a conversion without a partner has no commission, but its refunds
// are recorded and a full one reverses it.
func TestRefundUnattributed(t *testing.T) {
	c := pactum.Conversion{Event: "purchase", Currency: "JPY", Amount: dec("1200"), Status: pactum.ConversionPending,
		Items: []pactum.LineItem{line("TEA", "tea", 3, "400")}}
	if err := commission.Refund(&c, []pactum.RefundItem{units("TEA", 1)}, decimal.Zero, false, t0); err != nil {
		t.Fatal(err)
	}
	if !c.RefundedAmount.Equal(dec("400")) || c.Status != pactum.ConversionPending || len(c.PayoutBreakdown) != 0 {
		t.Errorf("after one of three: %+v", c)
	}
	if err := commission.Refund(&c, nil, dec("800"), true, t0); err != nil {
		t.Fatal(err)
	}
	if c.Status != pactum.ConversionReversed || c.Items[0].RefundedQuantity != 3 || len(c.Refunds) != 2 {
		t.Errorf("after the rest: %+v", c)
	}
}

// TestRefundCapped: a capped conversion keeps earning nothing, while what the advertiser owes
// shrinks.
func TestRefundCapped(t *testing.T) {
	o := offer(`{"default":{"percent":"8"},"caps":{"daily_conversions":1}}`)
	c := sale(t, o, anna, t0, false, line("SOCK-1", "accessories", 2, "50.00"))
	c.Status, c.Payout = pactum.ConversionPending, decimal.Zero
	if _, err := theRules.Compute(o, anna, &c, pactum.PartnerStats{DailyConversions: 1}); err != nil {
		t.Fatal(err)
	}
	if c.Status != pactum.ConversionCapped {
		t.Fatalf("status %s, want capped", c.Status)
	}
	if err := commission.Refund(&c, []pactum.RefundItem{units("SOCK-1", 1)}, decimal.Zero, false, t0); err != nil {
		t.Fatal(err)
	}
	if !c.Payout.IsZero() || !c.Revenue.Equal(dec("6.00")) || c.Status != pactum.ConversionCapped {
		t.Errorf("payout %s revenue %s status %s, want 0, 6.00, capped", c.Payout, c.Revenue, c.Status)
	}
}
