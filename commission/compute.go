// Package commission turns a conversion into what it earns: the payout a partner is owed and
// the revenue an advertiser owes, each with its breakdown, through the rules engine; and keeps
// those figures right when a conversion is refunded, approved or rejected.
package commission

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/rules"
)

// Rules parses offers' rule sets once and keeps them: an offer's JSON is the cache key, so a
// changed offer is parsed again without any invalidation.
type Rules struct {
	mu     sync.RWMutex
	parsed map[string]map[string]*rules.RuleSet // by currency, then JSON
}

// RuleSet returns the parsed rule set of raw in currency; an empty raw earns nothing.
func (r *Rules) RuleSet(raw json.RawMessage, currency string) (*rules.RuleSet, error) {
	if len(raw) == 0 {
		raw = json.RawMessage(`{}`)
	}
	// Maps by currency and then JSON, rather than one keyed by both: indexed with
	// string(raw), a map is looked up without a copy of the JSON, and that runs twice for every
	// conversion.
	r.mu.RLock()
	rs, ok := r.parsed[currency][string(raw)]
	r.mu.RUnlock()
	if ok {
		return rs, nil
	}
	rs, err := rules.Parse(raw, currency)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.parsed == nil {
		r.parsed = map[string]map[string]*rules.RuleSet{}
	}
	if r.parsed[currency] == nil {
		r.parsed[currency] = map[string]*rules.RuleSet{}
	}
	r.parsed[currency][string(raw)] = rs
	return rs, nil
}

// Event returns the offer's event named name.
func Event(o pactum.Offer, name string) (pactum.OfferEvent, bool) {
	for _, e := range o.Events {
		if e.Name == name {
			return e, true
		}
	}
	return pactum.OfferEvent{}, false
}

// Order is the rules engine's view of a conversion.
func Order(c *pactum.Conversion, p pactum.Partner) rules.Order {
	o := rules.Order{
		Event: c.Event, Currency: c.Currency, Amount: c.Amount, Coupon: c.Coupon, Country: c.Country,
		NewCustomer: c.NewCustomer, PartnerID: p.ID, PartnerKind: p.Kind,
	}
	for _, it := range c.Items {
		o.Items = append(o.Items, rules.Item{SKU: it.SKU, Category: it.Category, Quantity: it.Quantity, UnitPrice: it.UnitPrice, Discount: it.Discount})
	}
	return o
}

// Compute sets c's payout and revenue, with their breakdowns, for partner p under offer o's
// rules, given the partner's earlier conversions in stats, and returns the breakdowns' line
// commissions. A conversion over a payout cap becomes capped and earns nothing (SPEC section 5).
func (r *Rules) Compute(o pactum.Offer, p pactum.Partner, c *pactum.Conversion, stats pactum.PartnerStats) (pactum.LineCommissions, error) {
	ev, ok := Event(o, c.Event)
	if !ok {
		return pactum.LineCommissions{}, pactum.FieldError("event", "offer %d has no event %q", o.ID, c.Event)
	}
	order := Order(c, p)
	ctx := rules.Context{
		MonthlySales:     stats.MonthlyApprovedSales,
		DailyConversions: stats.DailyConversions, MonthlyConversions: stats.MonthlyConversions,
		DailyPayout: stats.DailyPayout, MonthlyPayout: stats.MonthlyPayout,
	}
	var lines pactum.LineCommissions
	payout, err := r.evaluate(ev.Payout, o.Currency, order, ctx)
	if err != nil {
		return lines, fmt.Errorf("payout: %w", err)
	}
	// Caps limit what partners earn, not what advertisers owe for what was delivered.
	revenue, err := r.evaluate(ev.Revenue, o.Currency, order, rules.Context{MonthlySales: stats.MonthlyApprovedSales})
	if err != nil {
		return lines, fmt.Errorf("revenue: %w", err)
	}
	if c.PayoutBreakdown, err = payout.MarshalJSON(); err != nil {
		return lines, err
	}
	if c.RevenueBreakdown, err = revenue.MarshalJSON(); err != nil {
		return lines, err
	}
	c.Payout, c.Revenue = payout.Total, revenue.Total
	if payout.Capped {
		c.Status, c.Reason, c.Payout = pactum.ConversionCapped, "cap:"+payout.Cap, decimal.Zero
	}
	return pactum.LineCommissions{Payout: minorLines(payout, c.Currency), Revenue: minorLines(revenue, c.Currency)}, nil
}

// minorLines returns b's line commissions in minor units of cur (the order's currency, which is
// the rules'), as its JSON states them: rounded to cur already.
func minorLines(b rules.Breakdown, cur string) []int64 {
	if len(b.Lines) == 0 {
		return nil
	}
	out := make([]int64, len(b.Lines))
	for i, l := range b.Lines {
		out[i] = pactum.ToMinor(l.Commission, cur)
	}
	return out
}

func (r *Rules) evaluate(raw json.RawMessage, currency string, o rules.Order, ctx rules.Context) (rules.Breakdown, error) {
	rs, err := r.RuleSet(raw, currency)
	if err != nil {
		return rules.Breakdown{}, err
	}
	return rules.Evaluate(rs, o, ctx)
}
