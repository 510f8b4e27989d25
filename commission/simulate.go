package commission

import (
	"cmp"
	"encoding/json"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/rules"
)

// Figures compare what conversions earn now with what a draft rule set would have paid.
type Figures struct {
	Conversions int64
	Current     decimal.Decimal
	Draft       decimal.Decimal
	// Difference is Draft - Current: positive when the draft pays more.
	Difference decimal.Decimal
}

func (f *Figures) add(current, draft decimal.Decimal) {
	f.Conversions++
	f.Current = f.Current.Add(current)
	f.Draft = f.Draft.Add(draft)
	f.Difference = f.Draft.Sub(f.Current)
}

// PartnerFigures are one partner's figures in a simulation.
type PartnerFigures struct {
	PartnerID int64
	Figures
}

// Simulation is what a draft payout rule set would have paid, partner by partner, in the
// offer's currency.
type Simulation struct {
	Currency string
	// Partners are ordered by partner id.
	Partners []PartnerFigures
	Total    Figures
	// Skipped counts conversions the draft could not price: those in another currency than the
	// offer's (the offer's currency changed since) or whose order no longer validates.
	Skipped int64
}

// Simulate replays convs, oldest first, against draft, a payout rule set for offer o's event,
// and compares what each would earn with what it earns now (its stored Payout). Only
// conversions of that event with a partner count; rejected and reversed ones earn nothing
// either way and are left out. It is a pure function: nothing is stored.
//
// Replaying, where the live path differs:
//   - tiers see the partner's sales replayed earlier in the same calendar month (UTC), less
//     their refunds, rather than approved sales only: a simulation has no hold periods;
//   - caps are ignored: they answer "how much can we spend", the simulation "how much would
//     this pay";
//   - a refunded conversion is priced as it was ordered, then refunded as it was, through
//     Refund, so that the draft shrinks exactly as the stored commission did.
//
// partners gives each partner's kind (a partner missing from it is matched by id only). Errors:
// an unknown event (field "event"), a draft that rules.Parse refuses (fields under "payout").
func (r *Rules) Simulate(o pactum.Offer, event string, draft json.RawMessage, partners map[int64]pactum.Partner, convs []pactum.Conversion) (Simulation, error) {
	if _, ok := Event(o, event); !ok {
		return Simulation{}, pactum.FieldError("event", "offer %d has no event %q", o.ID, event)
	}
	if len(draft) == 0 {
		return Simulation{}, pactum.FieldError("payout", "is required: the draft payout rule set, such as {\"default\":{\"percent\":\"8\"}}")
	}
	rs, err := rules.Parse(draft, o.Currency)
	if err != nil {
		return Simulation{}, pactum.WithFieldPrefix(err, "payout")
	}
	uncapped := *rs
	uncapped.Caps = rules.Caps{}

	sim := Simulation{Currency: o.Currency}
	order := make([]int, 0, len(convs))
	for i := range convs {
		c := &convs[i]
		if c.OfferID == o.ID && c.Event == event && c.PartnerID != 0 &&
			c.Status != pactum.ConversionRejected && c.Status != pactum.ConversionReversed {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if c := convs[a].Time.Compare(convs[b].Time); c != 0 {
			return c
		}
		return cmp.Compare(convs[a].ID, convs[b].ID)
	})

	type month struct {
		partner int64
		start   time.Time
	}
	sales := map[month]decimal.Decimal{}
	byPartner := map[int64]*PartnerFigures{}
	for _, i := range order {
		c := &convs[i]
		p, ok := partners[c.PartnerID]
		if !ok {
			p = pactum.Partner{ID: c.PartnerID}
		}
		t := c.Time.UTC()
		m := month{c.PartnerID, time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)}
		payout, err := draftPayout(&uncapped, c, p, sales[m])
		if err != nil {
			sim.Skipped++
			continue
		}
		sales[m] = sales[m].Add(c.Amount.Sub(c.RefundedAmount))
		f := byPartner[c.PartnerID]
		if f == nil {
			f = &PartnerFigures{PartnerID: c.PartnerID}
			byPartner[c.PartnerID] = f
		}
		f.add(c.Payout, payout)
		sim.Total.add(c.Payout, payout)
	}
	for _, f := range byPartner {
		sim.Partners = append(sim.Partners, *f)
	}
	slices.SortFunc(sim.Partners, func(a, b PartnerFigures) int { return cmp.Compare(a.PartnerID, b.PartnerID) })
	return sim, nil
}

// draftPayout is what c would earn under rs, with the partner's earlier sales this month, after
// c's refunds.
func draftPayout(rs *rules.RuleSet, c *pactum.Conversion, p pactum.Partner, monthSales decimal.Decimal) (decimal.Decimal, error) {
	// The order as it came in: refunds are replayed on top.
	orig := *c
	orig.Items = slices.Clone(c.Items)
	for i := range orig.Items {
		orig.Items[i].RefundedQuantity = 0
	}
	orig.RefundedAmount, orig.Refunds = decimal.Zero, nil
	b, err := rules.Evaluate(rs, Order(&orig, p), rules.Context{MonthlySales: monthSales})
	if err != nil {
		return decimal.Zero, err
	}
	if len(c.Refunds) == 0 {
		return b.Total, nil
	}
	if orig.PayoutBreakdown, err = b.MarshalJSON(); err != nil {
		return decimal.Zero, err
	}
	orig.Payout, orig.Status = b.Total, pactum.ConversionPending
	orig.RevenueBreakdown, orig.Revenue = nil, decimal.Zero
	for _, ref := range c.Refunds {
		if err := Refund(&orig, ref.Items, ref.Amount, len(ref.Items) == 0, ref.Time); err != nil {
			return decimal.Zero, err
		}
	}
	return orig.Payout, nil
}
