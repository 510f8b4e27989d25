// Package report keeps and answers Pactum's reports (SPEC section 7): what each click,
// impression and conversion adds to the rollups, kept current as events arrive (visits in the
// event transaction, conversions from the change feed) and recomputable from the raw events;
// the report queries over them, with the metrics, dimensions, filters, time zones and
// comparisons of the SPEC; the partner scorecard; and partner costs.
//
// One function says what an event counts for (facts): the rollups store its sums, and the raw
// path, which answers what no rollup table can, sums the same facts of the raw events; so both
// give the same figures.
package report

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/internal/jsonwalk"
)

// The fact dimensions, in the order of pactum.RollupDims.
const (
	dSub1 = iota
	dSub2
	dSub3
	dSub4
	dSub5
	dSource
	dCountry
	dDevice
	dOS
	dBrowser
	dReason
	dEvent
	dAttribution
	dCustomerType
	dStatus
	dCoupon
	nDims
)

// visitDims are the dimensions a visit has; the others (event, attribution, customer type,
// status, coupon) are the empty value for every visit.
const nVisitDims = dReason + 1

// Pseudo-SKUs of line rows, so that SKU rows add up to the order totals (SPEC section 7):
// bonuses (and anything of the commission not on a line), and what of the order's amount and
// refunds is not on a line (an order without items, a refund by amount).
const (
	SKUBonus = "(bonus)"
	SKUOrder = "(order)"
)

// fact is what one event counts for in reports: when, for which offer and partner, with which
// dimension values, the figures it adds. A conversion is an order fact and a line fact per line.
type fact struct {
	visit    bool  // a click or an impression, not a conversion
	at       int64 // unix seconds
	offer    int64
	partner  int64
	dims     [nDims]string
	line     bool
	sku, cat string
	// rejected: a conversion rejected by Pactum or by hand. It counts only where the status or
	// the reason is a dimension, so that "conversions" are those not rejected (SPEC section 7)
	// and the status dimension still shows the rejected ones.
	rejected bool
	m        pactum.Metrics
}

// visitFact is what a click (impression false) or an impression counts for: an impression
// unless it is a bot's; a click is valid unless a bot's, refused by the edge or rejected by a
// fraud rule (then invalid, with its reason). A click a fraud rule only flagged is valid and
// counts under its reason codes. store/sqldb's SumVisits says the same in SQL.
func visitFact(v *pactum.Visit, impression bool) fact {
	f := fact{visit: true, at: v.Time.Unix(), offer: v.OfferID, partner: v.PartnerID}
	f.dims[dSub1], f.dims[dSub2], f.dims[dSub3], f.dims[dSub4], f.dims[dSub5] = v.Sub[0], v.Sub[1], v.Sub[2], v.Sub[3], v.Sub[4]
	f.dims[dSource], f.dims[dCountry], f.dims[dDevice], f.dims[dOS], f.dims[dBrowser] = v.Source, v.Country, v.Device, v.OS, v.Browser
	f.dims[dReason] = invalidReason(v)
	switch {
	case impression:
		if !v.Bot {
			f.m.Impressions = 1
		}
	case v.Bot || v.Rejected != "" || v.Invalid:
		f.m.InvalidClicks = 1
	default:
		f.m.Clicks = 1
		if v.Unique {
			f.m.UniqueClicks = 1
		}
	}
	return f
}

// invalidReason says what a visit counts under in reports by reason: "bot", the reason the edge
// refused it (paused, targeting...), else the codes of the fraud rules that flagged or rejected
// it, "" for a clean one.
func invalidReason(v *pactum.Visit) string {
	switch {
	case v.Bot:
		return pactum.ReasonBot
	case v.Rejected != "":
		return v.Rejected
	}
	return v.Flags
}

// dimsOf returns click's report dimensions, nil without a click.
func dimsOf(click *pactum.Visit) *pactum.ClickDims {
	if click == nil {
		return nil
	}
	d := click.Dims()
	return &d
}

// conversionFacts is what a conversion counts for, as it is now: an order fact, and a line fact
// per line of the order (with SKUBonus and SKUOrder lines for what is not on one). click is the
// conversion's click, nil without one: its sub ids, source, device, OS and browser are the
// conversion's (Everflow's reports too show conversions by the sub ids of their clicks). lines,
// when not nil, are its breakdowns' line commissions as the rules engine gave them; a breakdown
// they have none of is read. The facts are appended to into[:0] (a buffer the caller reuses).
func conversionFacts(c *pactum.Conversion, click *pactum.ClickDims, lines *pactum.LineCommissions, into []fact) []fact {
	cur := c.Currency
	order := fact{at: c.Time.Unix(), offer: c.OfferID, partner: c.PartnerID, rejected: c.Status == pactum.ConversionRejected}
	if click != nil {
		order.dims[dSub1], order.dims[dSub2], order.dims[dSub3], order.dims[dSub4], order.dims[dSub5] = click.Sub[0], click.Sub[1], click.Sub[2], click.Sub[3], click.Sub[4]
		order.dims[dSource], order.dims[dDevice], order.dims[dOS], order.dims[dBrowser] = click.Source, click.Device, click.OS, click.Browser
	}
	order.dims[dCountry], order.dims[dReason], order.dims[dEvent] = c.Country, c.ReportReason(), c.Event
	order.dims[dAttribution], order.dims[dStatus], order.dims[dCoupon] = c.Attribution, c.Status, c.Coupon
	order.dims[dCustomerType] = "returning"
	if c.NewCustomer {
		order.dims[dCustomerType] = "new"
		order.m.NewCustomers = 1
	}
	order.m.Conversions = 1
	order.m.Sales = pactum.ToMinor(c.Amount, cur)
	order.m.Payout = pactum.ToMinor(c.Payout, cur)
	order.m.Revenue = pactum.ToMinor(c.Revenue, cur)
	order.m.RefundedAmount = pactum.ToMinor(c.RefundedAmount, cur)
	if order.m.RefundedAmount > 0 {
		order.m.Refunds = 1
	}
	if c.Attribution == pactum.AttributionClick && !c.ClickTime.IsZero() && !c.Time.Before(c.ClickTime) {
		order.m.CTCTSum, order.m.CTCTCount = int64(c.Time.Sub(c.ClickTime)/time.Second), 1
	}
	line := func(sku, cat string) fact {
		f := order
		f.line, f.sku, f.cat, f.m = true, sku, cat, pactum.Metrics{}
		return f
	}
	items := c.Items
	if len(items) == 0 {
		// An order without items is one line of its amount, as the rules engine prices it.
		items = []pactum.LineItem{{Quantity: 1, UnitPrice: c.Amount}}
	}
	facts := append(into[:0], order) // then its lines, a bonus and an order line
	var given pactum.LineCommissions
	if lines != nil {
		given = *lines
	}
	payouts := lineCommissions(c.PayoutBreakdown, given.Payout, len(items), c.Payout.IsZero(), cur)
	revenues := lineCommissions(c.RevenueBreakdown, given.Revenue, len(items), c.Revenue.IsZero(), cur)
	var sales, refunded, payout, revenue int64
	for i, it := range items {
		f := line(it.SKU, it.Category)
		f.m.Conversions, f.m.NewCustomers = 1, order.m.NewCustomers
		net := it.UnitPrice.Mul(decimal.NewFromInt(it.Quantity)).Sub(it.Discount)
		f.m.Sales = pactum.ToMinor(pactum.Round(net, cur), cur)
		if it.RefundedQuantity > 0 && it.Quantity > 0 {
			back := net.Mul(decimal.NewFromInt(it.RefundedQuantity)).Div(decimal.NewFromInt(it.Quantity))
			f.m.RefundedAmount, f.m.Refunds = pactum.ToMinor(pactum.Round(back, cur), cur), 1
		}
		f.m.Payout, f.m.Revenue = payouts[i], revenues[i]
		sales, refunded, payout, revenue = sales+f.m.Sales, refunded+f.m.RefundedAmount, payout+f.m.Payout, revenue+f.m.Revenue
		facts = append(facts, f)
	}
	if p, r := order.m.Payout-payout, order.m.Revenue-revenue; p != 0 || r != 0 {
		f := line(SKUBonus, SKUBonus)
		f.m.Payout, f.m.Revenue = p, r
		facts = append(facts, f)
	}
	if s, r := order.m.Sales-sales, order.m.RefundedAmount-refunded; s != 0 || r != 0 {
		f := line(SKUOrder, SKUOrder)
		f.m.Sales, f.m.RefundedAmount = s, r
		if r > 0 {
			f.m.Refunds = 1
		}
		facts = append(facts, f)
	}
	return facts
}

// lineCommissions reads each line's commission (minor units) from a breakdown whose lines are
// the order's n lines in order; none when the conversion earns nothing (rejected, capped,
// reversed: its breakdown keeps what it would have earned) or the breakdown does not match.
// given, when not nil, are the breakdown's line commissions as the rules engine computed them
// (Keeper.Stored), which spares parsing it.
func lineCommissions(raw json.RawMessage, given []int64, n int, zero bool, cur string) []int64 {
	out := make([]int64, n)
	if zero || len(raw) == 0 {
		return out
	}
	if given != nil {
		if len(given) == n {
			copy(out, given)
		}
		return out
	}
	if fast, ok := breakdownLines(raw, cur); ok {
		if len(fast) != n {
			return out
		}
		return fast
	}
	return decodeLineCommissions(raw, n, cur)
}

// decodeLineCommissions is lineCommissions by encoding/json.
func decodeLineCommissions(raw json.RawMessage, n int, cur string) []int64 {
	out := make([]int64, n)
	var b struct {
		Lines []struct {
			Commission string `json:"commission"`
		} `json:"lines"`
	}
	if json.Unmarshal(raw, &b) != nil || len(b.Lines) != n {
		return out // what the lines do not say goes to SKUBonus
	}
	for i, l := range b.Lines {
		d, err := decimal.NewFromString(l.Commission)
		if err != nil {
			return make([]int64, n)
		}
		out[i] = pactum.ToMinor(d, cur)
	}
	return out
}

// breakdownLines reads the commission of each of a breakdown's lines (rules.Breakdown's JSON, or
// PostgreSQL's jsonb form of it) in one pass that decodes nothing else: the reports read it
// for every conversion they count, and encoding/json decodes the whole breakdown. ok is false
// for anything it does not read as encoding/json would in one pass (an escape in a key or a
// commission, a key that is "lines" or "commission" in another case or given twice), and
// lineCommissions then decodes the breakdown; also for JSON that is not valid, which
// encoding/json refuses.
func breakdownLines(raw []byte, cur string) (out []int64, ok bool) {
	w := jsonwalk.New(raw)
	seen := false
	ok = w.Object(func(key []byte) bool {
		if bytes.IndexByte(key, '\\') >= 0 {
			return false // it may spell "lines"
		}
		if !bytes.EqualFold(key, []byte("lines")) {
			return w.Skip()
		}
		if seen || string(key) != "lines" {
			return false
		}
		seen = true
		return w.Array(func() bool {
			var com []byte
			found := false
			if !w.Object(func(k []byte) bool {
				if bytes.IndexByte(k, '\\') >= 0 {
					return false
				}
				if !bytes.EqualFold(k, []byte("commission")) {
					return w.Skip()
				}
				if found || string(k) != "commission" {
					return false
				}
				com, found = w.Text()
				return found && bytes.IndexByte(com, '\\') < 0
			}) || !found {
				return false
			}
			d, err := decimal.NewFromString(string(com))
			if err != nil {
				return false
			}
			out = append(out, pactum.ToMinor(d, cur))
			return true
		})
	})
	return out, ok && seen && w.End()
}
