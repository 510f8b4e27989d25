package commission_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/commission"
	"github.com/pactum/pactum/rules"
)

// shopPayout is the shoe shop's program: a hero shoe paid per pair, electronics at a low
// margin, 8% on everything else, and three bonuses.
const shopPayout = `{"default":{"percent":"8"},
 "rules":[
   {"id":"hero","when":{"sku":["SHOE-9"]},"rate":{"fixed":"12.00","per":"unit"}},
   {"id":"low-margin","when":{"category":["electronics"]},"rate":{"percent":"3"}}],
 "bonuses":[
   {"id":"new-customer","when":{"new_customer":true},"add":{"fixed":"5.00"}},
   {"id":"big-basket","when":{"order_amount_gte":"200.00"},"add":{"percent":"2"}},
   {"id":"high-ticket","when":{"unit_price_gte":"1000.00"},"add":{"fixed":"20.00","per":"unit"}}]}`

const shopRevenue = `{"default":{"percent":"12"}}`

var (
	t0       = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	shop     = offer(shopPayout)
	anna     = pactum.Partner{ID: 1, Name: "Anna", Kind: pactum.KindInfluencer, Status: pactum.PartnerActive}
	theRules = &commission.Rules{}
)

func offer(payout string) pactum.Offer {
	return pactum.Offer{ID: 1, AdvertiserID: 1, Currency: "EUR", Events: []pactum.OfferEvent{
		{ID: 1, Name: "purchase", Payout: json.RawMessage(payout), Revenue: json.RawMessage(shopRevenue)},
		{ID: 2, Name: "lead", Payout: json.RawMessage(`{"default":{"fixed":"2.00"}}`)},
	}}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func line(sku, category string, qty int64, unitPrice string) pactum.LineItem {
	return pactum.LineItem{SKU: sku, Category: category, Quantity: qty, UnitPrice: dec(unitPrice)}
}

// sale is a pending conversion of o's purchase event by partner p with its commission computed.
func sale(t testing.TB, o pactum.Offer, p pactum.Partner, at time.Time, newCustomer bool, items ...pactum.LineItem) pactum.Conversion {
	t.Helper()
	c := pactum.Conversion{ID: 1, OfferID: o.ID, AdvertiserID: o.AdvertiserID, Event: "purchase", PartnerID: p.ID,
		Currency: o.Currency, Items: items, NewCustomer: newCustomer, Status: pactum.ConversionPending,
		Attribution: pactum.AttributionClick, Time: at, CreatedAt: at, UpdatedAt: at}
	for _, it := range items {
		c.Amount = c.Amount.Add(it.UnitPrice.Mul(decimal.NewFromInt(it.Quantity)).Sub(it.Discount))
	}
	if _, err := theRules.Compute(o, p, &c, pactum.PartnerStats{}); err != nil {
		t.Fatal(err)
	}
	return c
}

// specOrder is SPEC section 4's order: two hero shoes and a pair of socks, by a new customer.
func specOrder(t testing.TB) pactum.Conversion {
	return sale(t, shop, anna, t0, true, line("SHOE-9", "shoes", 2, "99.90"), line("SOCK-1", "accessories", 1, "50.00"))
}

// parts renders a breakdown as "rule-id commission" per line and bonus, for comparing.
func parts(t testing.TB, raw json.RawMessage) []string {
	t.Helper()
	var b rules.Breakdown
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatalf("breakdown %s: %v", raw, err)
	}
	var out []string
	for _, l := range b.Lines {
		out = append(out, l.RuleID+" "+pactum.FormatAmount(l.Commission, b.Currency))
	}
	for _, x := range b.Bonuses {
		out = append(out, x.RuleID+" "+pactum.FormatAmount(x.Amount, b.Currency))
	}
	if !b.Total.Equal(b.Sum()) && !b.Capped {
		t.Errorf("breakdown total %s is not the sum of its parts %s", b.Total, b.Sum())
	}
	return append(out, "total "+pactum.FormatAmount(b.Total, b.Currency))
}
