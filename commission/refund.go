package commission

import (
	"encoding/json"
	"fmt"
	"math/big"
	"math/bits"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/rules"
)

// Refund records a refund of some units of c's items (byAmount false) or of an amount of its
// order (byAmount true), and shrinks what c earns and owes to match, as of now.
//
// The commission shrinks part by part, each part rounded to the currency's minor unit half away
// from zero, so that the payout stays the sum of the rounded parts the breakdown shows:
//   - a line that loses units keeps round(commission × units left / units) and its amount
//     shrinks alike; an amount refund scales every line by amount left / amount;
//   - a percent bonus shrinks with the amount of the lines it counted, a per-unit bonus with
//     their units (an amount refund scales both by amount left / amount);
//   - a fixed bonus per order stays until everything is refunded: the order still happened.
//
// The parts are scaled from what the breakdown says now, not recomputed from the rules: the
// offer's rules may have changed since, and a partner must be able to follow each step from
// the breakdown they saw. A refund of everything makes c reversed, with payout and revenue 0.
//
// A rejected conversion earns nothing whatever is refunded: its refund is only recorded. Bad
// input is a *pactum.Error naming "items[i].sku", "items[i].quantity", "items" or "amount".
func Refund(c *pactum.Conversion, items []pactum.RefundItem, amount decimal.Decimal, byAmount bool, now time.Time) error {
	cur := c.Currency
	left := c.Amount.Sub(c.RefundedAmount)
	var (
		money    decimal.Decimal // what this refund gives back
		unitsWas []int64         // per item, the units left before and after an item refund
		unitsNow []int64
		full     bool
	)
	if byAmount {
		if err := checkRefundAmount(amount, left, cur); err != nil {
			return err
		}
		money, full = amount, amount.Equal(left)
	} else {
		var err error
		if unitsWas, unitsNow, err = refundUnits(c.Items, items); err != nil {
			return err
		}
		full = true
		for i, it := range c.Items {
			money = money.Add(unitValue(it, it.Quantity-unitsNow[i], cur).Sub(unitValue(it, it.Quantity-unitsWas[i], cur)))
			full = full && unitsNow[i] == 0
		}
		// Earlier amount refunds may already have given back part of these units' value.
		money = decimal.Min(money, left)
		if full {
			money = left
		}
	}

	rec := pactum.Refund{Time: now.UTC(), Amount: money, Items: items,
		PayoutBefore: c.Payout, RevenueBefore: c.Revenue}
	if c.Status != pactum.ConversionRejected {
		s := shrink{full: full, unitsWas: unitsWas, unitsNow: unitsNow, amountWas: left, amountNow: left.Sub(money)}
		var err error
		if c.PayoutBreakdown, c.Payout, err = s.apply(c.PayoutBreakdown, c.Payout); err != nil {
			return fmt.Errorf("commission: payout breakdown of conversion %d: %v", c.ID, err)
		}
		if c.RevenueBreakdown, c.Revenue, err = s.apply(c.RevenueBreakdown, c.Revenue); err != nil {
			return fmt.Errorf("commission: revenue breakdown of conversion %d: %v", c.ID, err)
		}
		if c.Status == pactum.ConversionCapped {
			c.Payout = decimal.Zero // a capped conversion earns nothing, refunded or not
		}
		if full {
			c.Status, c.Payout, c.Revenue = pactum.ConversionReversed, decimal.Zero, decimal.Zero
		}
	}
	for i := range c.Items {
		switch {
		case full:
			c.Items[i].RefundedQuantity = c.Items[i].Quantity
		case unitsNow != nil:
			c.Items[i].RefundedQuantity = c.Items[i].Quantity - unitsNow[i]
		}
	}
	c.RefundedAmount = c.RefundedAmount.Add(money)
	rec.PayoutAfter, rec.RevenueAfter = c.Payout, c.Revenue
	c.Refunds = append(c.Refunds, rec)
	c.UpdatedAt = now.UTC()
	return nil
}

func checkRefundAmount(amount, left decimal.Decimal, cur string) error {
	switch {
	case !amount.IsPositive():
		return pactum.FieldError("amount", "must be more than 0")
	case -amount.Exponent() > pactum.MinorUnits(cur) && !amount.Equal(pactum.Round(amount, cur)):
		return pactum.FieldError("amount", "%s has more decimals than %s allows (%d)", amount.String(), cur, pactum.MinorUnits(cur))
	case amount.GreaterThan(left):
		return pactum.FieldError("amount", "is %s but only %s of the order remains to refund",
			pactum.FormatAmount(amount, cur), pactum.FormatAmount(left, cur))
	}
	return nil
}

// refundUnits checks an item refund against what is left of each line and returns, per line
// of the order, the units left before and after it. A SKU that several lines share is taken
// from the first of them that has units left.
func refundUnits(lines []pactum.LineItem, items []pactum.RefundItem) (was, now []int64, err error) {
	if len(items) == 0 {
		return nil, nil, pactum.FieldError("items", "must list the refunded items as {\"sku\",\"quantity\"}, or send an amount instead")
	}
	if len(lines) == 0 {
		return nil, nil, pactum.FieldError("items", "the order has no line items: refund an amount instead")
	}
	was, now = make([]int64, len(lines)), make([]int64, len(lines))
	for i, l := range lines {
		was[i] = l.Quantity - l.RefundedQuantity
		now[i] = was[i]
	}
	for i, it := range items {
		field := fmt.Sprintf("items[%d]", i)
		if it.SKU == "" {
			return nil, nil, pactum.FieldError(field+".sku", "is required")
		}
		if it.Quantity < 1 {
			return nil, nil, pactum.FieldError(field+".quantity", "must be at least 1")
		}
		var avail int64
		found := false
		for j, l := range lines {
			if l.SKU == it.SKU {
				found, avail = true, avail+now[j]
			}
		}
		if !found {
			return nil, nil, pactum.FieldError(field+".sku", "the order has no line with sku %q", it.SKU)
		}
		if it.Quantity > avail {
			return nil, nil, pactum.FieldError(field+".quantity", "is %d but only %d of %q remain to refund", it.Quantity, avail, it.SKU)
		}
		q := it.Quantity
		for j := range lines {
			if lines[j].SKU == it.SKU && q > 0 {
				take := min(q, now[j])
				now[j], q = now[j]-take, q-take
			}
		}
	}
	return was, now, nil
}

// unitValue is what n units of a line are worth: its net amount in proportion, rounded. It is
// worked out from the whole line each time, so that refunding a line unit by unit gives back
// exactly its amount.
func unitValue(it pactum.LineItem, n int64, cur string) decimal.Decimal {
	net := it.UnitPrice.Mul(decimal.NewFromInt(it.Quantity)).Sub(it.Discount)
	return scale(net, decimal.NewFromInt(n), decimal.NewFromInt(it.Quantity), cur)
}

// shrink is what one refund does to a breakdown.
type shrink struct {
	full bool
	// unitsWas and unitsNow are the units left of each line before and after an item refund;
	// nil for an amount refund, which scales by amountNow / amountWas.
	unitsWas, unitsNow   []int64
	amountWas, amountNow decimal.Decimal
}

// apply rewrites a breakdown (rules.Breakdown JSON) after the refund and returns it with its
// new total. A conversion without a breakdown (no partner) keeps total.
func (s shrink) apply(raw json.RawMessage, total decimal.Decimal) (json.RawMessage, decimal.Decimal, error) {
	if len(raw) == 0 {
		return raw, total, nil
	}
	var b rules.Breakdown
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, total, err
	}
	cur := b.Currency
	byItems := s.unitsWas != nil
	if byItems && len(b.Lines) != len(s.unitsWas) {
		return nil, total, fmt.Errorf("%d lines for an order of %d items", len(b.Lines), len(s.unitsWas))
	}
	// Which lines each bonus counted, from the lines as they were.
	counted := make([][]bool, len(b.Bonuses))
	for k, x := range b.Bonuses {
		counted[k] = countedLines(b.Lines, x)
	}
	for i := range b.Lines {
		l := &b.Lines[i]
		switch {
		case s.full:
			l.Quantity, l.Amount, l.Commission = 0, decimal.Zero, decimal.Zero
		case byItems:
			if s.unitsNow[i] == s.unitsWas[i] {
				continue
			}
			was, now := decimal.NewFromInt(s.unitsWas[i]), decimal.NewFromInt(s.unitsNow[i])
			l.Quantity = s.unitsNow[i]
			l.Amount = scale(l.Amount, now, was, cur)
			l.Commission = scale(l.Commission, now, was, cur)
		default:
			l.Amount = scale(l.Amount, s.amountNow, s.amountWas, cur)
			l.Commission = scale(l.Commission, s.amountNow, s.amountWas, cur)
		}
	}
	for k := range b.Bonuses {
		x := &b.Bonuses[k]
		if s.full {
			x.Base, x.Units, x.Amount = decimal.Zero, 0, decimal.Zero
			continue
		}
		perOrder := x.Rate.Kind == rules.Fixed && !x.Rate.PerUnit
		if !byItems {
			x.Base = scale(x.Base, s.amountNow, s.amountWas, cur)
			if !perOrder {
				x.Amount = scale(x.Amount, s.amountNow, s.amountWas, cur)
			}
			continue
		}
		base, units := decimal.Zero, int64(0)
		for i, l := range b.Lines {
			if counted[k][i] {
				base, units = base.Add(l.Amount), units+l.Quantity
			}
		}
		switch {
		case perOrder:
		case x.Rate.Kind == rules.Percent && x.Base.IsPositive():
			x.Amount = scale(x.Amount, base, x.Base, cur)
		case x.Rate.PerUnit && x.Units > 0:
			x.Amount = scale(x.Amount, decimal.NewFromInt(units), decimal.NewFromInt(x.Units), cur)
		}
		x.Base, x.Units = base, units
	}
	b.Total = b.Sum()
	if b.Capped {
		b.Total = decimal.Zero
	}
	out, err := b.MarshalJSON()
	return out, b.Total, err
}

// maxSearchLines bounds the search for the lines a bonus counted: 2^12 sums at most.
const maxSearchLines = 12

// countedLines works out which lines a bonus counted. A breakdown records only the amount
// (Base) and units a bonus counted, not the lines, so they are found as the lines whose amounts
// and units add up to them: all of them for an order-level bonus, else the first such subset,
// smallest first. Without one (too many lines to search), the bonus is taken to count them all.
func countedLines(lines []rules.Line, x rules.BonusLine) []bool {
	all := make([]bool, len(lines))
	for i := range all {
		all[i] = true
	}
	if sumLines(lines, all) == x.Units && sumAmounts(lines, all).Equal(x.Base) || len(lines) > maxSearchLines {
		return all
	}
	best, bestSize := -1, len(lines)+1
	for mask := 1; mask < 1<<len(lines); mask++ {
		size := bits.OnesCount(uint(mask))
		if size >= bestSize {
			continue
		}
		var units int64
		base := decimal.Zero
		for i := range lines {
			if mask&(1<<i) != 0 {
				units, base = units+lines[i].Quantity, base.Add(lines[i].Amount)
			}
		}
		if units == x.Units && base.Equal(x.Base) {
			best, bestSize = mask, size
		}
	}
	if best < 0 {
		return all
	}
	set := make([]bool, len(lines))
	for i := range set {
		set[i] = best&(1<<i) != 0
	}
	return set
}

func sumLines(lines []rules.Line, set []bool) int64 {
	var n int64
	for i, l := range lines {
		if set[i] {
			n += l.Quantity
		}
	}
	return n
}

func sumAmounts(lines []rules.Line, set []bool) decimal.Decimal {
	sum := decimal.Zero
	for i, l := range lines {
		if set[i] {
			sum = sum.Add(l.Amount)
		}
	}
	return sum
}

// scale returns x × num / den rounded to cur's minor unit, half away from zero. It divides
// exactly, in integers: decimal's Div rounds to 16 digits first, and a quotient such as
// 0.00499999999999999999 would round up to 0.005 there and to the wrong cent after.
func scale(x, num, den decimal.Decimal, cur string) decimal.Decimal {
	if den.IsZero() {
		return decimal.Zero
	}
	digits := pactum.MinorUnits(cur)
	n := x.Mul(num).Shift(digits)
	e := min(n.Exponent(), den.Exponent(), 0)
	ni, di := n.Shift(-e).BigInt(), den.Shift(-e).BigInt()
	if di.Sign() < 0 {
		ni.Neg(ni)
		di.Neg(di)
	}
	q, r := new(big.Int).QuoRem(ni, di, new(big.Int))
	if r.Sign() != 0 && new(big.Int).Lsh(new(big.Int).Abs(r), 1).Cmp(di) >= 0 {
		q.Add(q, big.NewInt(int64(ni.Sign())))
	}
	return decimal.NewFromBigInt(q, -digits)
}
