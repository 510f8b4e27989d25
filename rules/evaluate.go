package rules

import (
	"errors"
	"strconv"
	"strings"

	"github.com/pactum/pactum"
	"github.com/shopspring/decimal"
)

// Item is one line of an order.
type Item struct {
	SKU, Category string
	Quantity      int64
	UnitPrice     decimal.Decimal
	// Discount is the discount on the whole line, not per unit.
	Discount decimal.Decimal
}

// Order is what a conversion reports, in the terms a rule set can look at.
type Order struct {
	Event string
	// Currency is the currency of every amount of the order; it must be the rule set's (the
	// offer's): the caller converts first and records the rate it used.
	Currency string
	// Amount is the order's amount. With Items it must equal the sum of the lines' net amounts
	// (quantity × unit price − discount), both rounded to the currency's minor unit.
	Amount decimal.Decimal
	// Items are the order's lines; an order without items is one line of one unit at Amount.
	Items       []Item
	Coupon      string
	Country     string // ISO 3166-1 alpha-2
	NewCustomer bool
	PartnerID   int64
	PartnerKind string
}

// Context is what the store knows about the partner in the offer before this conversion: the
// figures tiers and caps are measured against. Keeping them out of Evaluate's reach keeps it pure.
type Context struct {
	// MonthlySales is the partner's approved sales in the offer this calendar month, before
	// this order, in the offer's currency.
	MonthlySales decimal.Decimal
	// DailyConversions and MonthlyConversions count the partner's conversions already counted
	// today and this month; DailyPayout and MonthlyPayout are what they earned.
	DailyConversions, MonthlyConversions int64
	DailyPayout, MonthlyPayout           decimal.Decimal
}

// Line is the commission of one line of an order.
type Line struct {
	SKU, Category string
	Quantity      int64
	// Amount is the line's net amount, rounded to the currency's minor unit.
	Amount decimal.Decimal
	// RuleID is the id of the rule that set the rate, "default" when no rule matched, and ""
	// when no rule matched and the rule set has no default (Rate is then the zero Rate).
	RuleID     string
	Rate       Rate
	Multiplier decimal.Decimal
	Commission decimal.Decimal
}

// BonusLine is one bonus that applied.
type BonusLine struct {
	RuleID string
	Rate   Rate
	// Base and Units are the net amount and the units of the lines the bonus counted: the whole
	// order, or the lines its line-level condition matched. A percent applies to Base, a fixed
	// amount per unit to Units.
	Base   decimal.Decimal
	Units  int64
	Amount decimal.Decimal
}

// Breakdown is a commission and how it came about, line by line, as partners see it.
type Breakdown struct {
	Currency string
	Lines    []Line
	Bonuses  []BonusLine
	// Tier is the id of the tier that applied, or "".
	Tier       string
	Multiplier decimal.Decimal
	// Total is the sum of the rounded line commissions and bonuses, or zero when Capped.
	Total decimal.Decimal
	// Capped says that a cap was reached: the conversion is recorded as capped and earns
	// nothing. Cap names the cap ("daily_conversions", "monthly_conversions", "daily_payout",
	// "monthly_payout"); Lines and Bonuses still say what it would have earned.
	Capped bool
	Cap    string
}

// DefaultRuleID is the RuleID of a line that no rule matched and the rule set's default priced.
// Parse refuses it as the id of a rule, so that a breakdown names one thing by it.
const DefaultRuleID = "default"

// maxQuantity bounds a line's quantity: more units than this is a mistake of units (grams for
// kilos, cents for euros) rather than an order, and the bound keeps unit counts far from overflow.
const maxQuantity = 1_000_000_000

// one is the multiplier of a partner without a tier.
var one = decimal.NewFromInt(1)

// Evaluate computes what the order earns under the rule set: SPEC section 5, with these
// choices where the SPEC is silent.
//
// Rates. Each line takes the rate of the first rule, in list order, whose condition matches it,
// else the default, else nothing. A percent applies to the line's net amount rounded to the
// minor unit (the amount the breakdown shows, so a partner can redo the sum); a fixed amount per
// unit counts the line's quantity. A fixed amount without "per":"unit" is paid once per order,
// as SPEC section 5 says: on the first line its rule matches, and the further lines the same
// rule matches show the rule with a zero commission. Otherwise a flat CPA default would pay more
// for the same sale the more lines a shop splits it into.
//
// Conditions. A rule's order-level keys (partner_id, partner_kind, country, coupon, event,
// new_customer, order_amount_gte) look at the order and its line-level keys (sku, category,
// unit_price_gte) at the line. SKUs match exactly, as shops treat them as codes; category,
// coupon, event and country ignore case, as shoppers type coupons and shops spell categories
// as they please. order_amount_gte compares the order's amount rounded to the minor unit, and
// unit_price_gte the line's unit price before its discount. An
// order without items is one line of one unit whose unit price is the amount, with no sku and
// no category, so sku and category rules never match it.
//
// Bonuses. Every bonus whose condition matches applies, each once. Without line-level keys, a
// percent bonus applies to the order's amount and a fixed bonus per unit counts all the
// order's units; with them, the bonus applies when at least one line matches, to the matching
// lines' amounts and units. A fixed bonus without "per":"unit" is paid once per order.
//
// Tiers. Of the tiers whose monthly_sales_gte the partner's MonthlySales reach, the one with the
// highest threshold (the first listed of equals) multiplies every line commission; bonuses are
// not multiplied.
//
// Rounding. Each line commission (rate × amount × multiplier) and each bonus is rounded to the
// currency's minor unit, half away from zero, and Total is the sum of the rounded parts.
// Every amount is non-negative, so no part is.
//
// Caps. The conversion is capped when the partner's conversions today or this month have
// reached the count cap, or when what they earned today or this month plus Total would exceed
// the payout cap, checked in that order. A capped conversion earns nothing (SPEC section 4:
// "capped: recorded, earns nothing"), rather than the part that fits under the cap: its Total
// is zero and Lines and Bonuses keep what it would have earned, for the record.
//
// Errors: an order that ValidateOrder refuses, or an order in another currency than the rule
// set's, as *pactum.Error naming the field.
func Evaluate(rs *RuleSet, o Order, c Context) (Breakdown, error) {
	if rs == nil {
		return Breakdown{}, errors.New("rules: Evaluate with a nil rule set")
	}
	nets := make([]decimal.Decimal, max(1, len(o.Items)))
	if err := validateOrder(&o, nets); err != nil {
		return Breakdown{}, err
	}
	cur := rs.Currency
	if o.Currency != cur {
		return Breakdown{}, pactum.FieldError("currency", "is %s but the offer's rules are in %s: convert the order first", o.Currency, cur)
	}
	b := Breakdown{Currency: cur, Multiplier: one}
	if t := tier(rs.Tiers, c.MonthlySales); t != nil {
		b.Tier, b.Multiplier = t.ID, t.Multiplier
	}

	orderAmount := pactum.Round(o.Amount, cur)
	items := o.Items
	if len(items) == 0 {
		items = []Item{{Quantity: 1, UnitPrice: orderAmount}}
		nets[0] = orderAmount
	}
	// The order-level half of each rule's condition is the same for every line: worked out once.
	orderMatch := make([]bool, len(rs.Rules))
	for r := range rs.Rules {
		orderMatch[r] = rs.Rules[r].When.matchOrder(&o, orderAmount)
	}
	// ruleOf[i] is the index of the rule that priced line i (len(rs.Rules) for the default,
	// -1 for none), which the once-per-order fixed rates look back at.
	ruleOf := make([]int, len(items))
	b.Lines = make([]Line, len(items))
	total := decimal.Zero
	var units int64
	for i := range items {
		it := &items[i]
		units += it.Quantity
		l := &b.Lines[i]
		l.SKU, l.Category, l.Quantity = it.SKU, it.Category, it.Quantity
		l.Amount = pactum.Round(nets[i], cur)
		l.Multiplier = b.Multiplier
		l.Commission = decimal.Zero
		ruleOf[i] = -1
		for r := range rs.Rules {
			if orderMatch[r] && rs.Rules[r].When.matchLine(it) {
				ruleOf[i], l.RuleID, l.Rate = r, rs.Rules[r].ID, rs.Rules[r].Rate
				break
			}
		}
		if ruleOf[i] < 0 && rs.Default != nil {
			ruleOf[i], l.RuleID, l.Rate = len(rs.Rules), DefaultRuleID, *rs.Default
		}
		if ruleOf[i] < 0 || l.Rate.Kind == Fixed && !l.Rate.PerUnit && paidBefore(ruleOf[:i], ruleOf[i]) {
			continue
		}
		amount := rateAmount(l.Rate, l.Amount, it.Quantity)
		if b.Tier != "" {
			amount = amount.Mul(b.Multiplier)
		}
		l.Commission = pactum.Round(amount, cur)
		total = total.Add(l.Commission)
	}

	for k := range rs.Bonuses {
		bonus := &rs.Bonuses[k]
		w := &bonus.When
		if !w.matchOrder(&o, orderAmount) {
			continue
		}
		base, n := orderAmount, units
		if w.LineLevel() {
			base, n = decimal.Zero, 0
			for i := range items {
				if w.matchLine(&items[i]) {
					base, n = base.Add(b.Lines[i].Amount), n+items[i].Quantity
				}
			}
			if n == 0 {
				continue
			}
		}
		bl := BonusLine{RuleID: bonus.ID, Rate: bonus.Add, Base: base, Units: n}
		bl.Amount = pactum.Round(rateAmount(bonus.Add, base, n), cur)
		b.Bonuses = append(b.Bonuses, bl)
		total = total.Add(bl.Amount)
	}

	b.Total = total
	if name := reachedCap(rs.Caps, c, total); name != "" {
		b.Capped, b.Cap, b.Total = true, name, decimal.Zero
	}
	return b, nil
}

// ValidateOrder checks that an order makes sense before anything is computed from it: a known
// currency, an amount that is not negative, quantities of at least one, unit prices and
// discounts that are not negative, discounts no larger than their line, and items that add up to
// the amount. Errors are *pactum.Error naming the field ("items[1].unit_price", "amount").
func ValidateOrder(o Order) error {
	return validateOrder(&o, nil)
}

// validateOrder is ValidateOrder that also keeps, when nets is not nil, each item's net amount
// (unrounded) in nets, which Evaluate would otherwise compute a second time.
func validateOrder(o *Order, nets []decimal.Decimal) error {
	if !pactum.ValidCurrency(o.Currency) {
		return pactum.FieldError("currency", "%q is not a currency Pactum knows (ISO 4217, such as \"EUR\")", o.Currency)
	}
	if o.Amount.IsNegative() {
		return pactum.FieldError("amount", "must not be negative")
	}
	if len(o.Items) == 0 {
		return nil
	}
	sum := decimal.Zero
	for i := range o.Items {
		it := &o.Items[i]
		if err := ValidateItem(*it); err != nil {
			return pactum.WithFieldPrefix(err, "items["+strconv.Itoa(i)+"]")
		}
		net := it.UnitPrice.Mul(decimal.NewFromInt(it.Quantity)).Sub(it.Discount)
		if nets != nil {
			nets[i] = net
		}
		sum = sum.Add(net)
	}
	// Rounded on both sides, so that amounts converted from another currency, line by line and
	// as a whole, still agree.
	if got, want := pactum.Round(o.Amount, o.Currency), pactum.Round(sum, o.Currency); !got.Equal(want) {
		return pactum.FieldError("amount", "is %s but the items add up to %s",
			pactum.FormatAmount(got, o.Currency), pactum.FormatAmount(want, o.Currency))
	}
	return nil
}

// ValidateItem checks one line of an order: a quantity from 1 to a billion, a unit price and a
// discount that are not negative, and a discount no larger than its line. Its errors name the
// field within the line ("quantity"); pactum.WithFieldPrefix names the line.
func ValidateItem(it Item) error {
	switch {
	case it.Quantity <= 0:
		return pactum.FieldError("quantity", "must be at least 1")
	case it.Quantity > maxQuantity:
		return pactum.FieldError("quantity", "must be at most %d", maxQuantity)
	case it.UnitPrice.IsNegative():
		return pactum.FieldError("unit_price", "must not be negative")
	case it.Discount.IsNegative():
		return pactum.FieldError("discount", "must not be negative")
	}
	if it.Discount.IsZero() {
		// Most lines: nothing to compare, and the product below allocates. It runs three times
		// on every line of every conversion: line by line at intake (conversion.order, so that an
		// error names the line before the lines are added up), again in ValidateOrder there, and
		// when the line is priced (Evaluate).
		return nil
	}
	if gross := it.UnitPrice.Mul(decimal.NewFromInt(it.Quantity)); it.Discount.GreaterThan(gross) {
		return pactum.FieldError("discount", "is %s, more than the line's %s (quantity × unit_price)",
			it.Discount.String(), gross.String())
	}
	return nil
}

// rateAmount applies a rate to an amount and a number of units, unrounded.
func rateAmount(r Rate, amount decimal.Decimal, units int64) decimal.Decimal {
	switch {
	case r.Kind == Percent:
		// Shift rather than divide: division rounds, a shift is exact.
		return amount.Mul(r.Value).Shift(-2)
	case r.Kind == Fixed && r.PerUnit:
		return r.Value.Mul(decimal.NewFromInt(units))
	case r.Kind == Fixed:
		return r.Value
	}
	return decimal.Zero
}

// paidBefore reports whether an earlier line was priced by rule r.
func paidBefore(earlier []int, r int) bool {
	for _, e := range earlier {
		if e == r {
			return true
		}
	}
	return false
}

// tier returns the tier that sales reach with the highest threshold, or nil.
func tier(tiers []Tier, sales decimal.Decimal) *Tier {
	var best *Tier
	for i := range tiers {
		t := &tiers[i]
		if sales.GreaterThanOrEqual(t.MonthlySalesGTE) && (best == nil || t.MonthlySalesGTE.GreaterThan(best.MonthlySalesGTE)) {
			best = t
		}
	}
	return best
}

// reachedCap returns the name of the first cap that a conversion earning total reaches, or "".
func reachedCap(caps Caps, c Context, total decimal.Decimal) string {
	switch {
	case caps.DailyConversions > 0 && c.DailyConversions >= caps.DailyConversions:
		return "daily_conversions"
	case caps.MonthlyConversions > 0 && c.MonthlyConversions >= caps.MonthlyConversions:
		return "monthly_conversions"
	case caps.DailyPayout.Valid && c.DailyPayout.Add(total).GreaterThan(caps.DailyPayout.Decimal):
		return "daily_payout"
	case caps.MonthlyPayout.Valid && c.MonthlyPayout.Add(total).GreaterThan(caps.MonthlyPayout.Decimal):
		return "monthly_payout"
	}
	return ""
}

// matchOrder reports whether the order-level keys of w match the order, whose amount rounded
// to the minor unit is amount.
func (w *When) matchOrder(o *Order, amount decimal.Decimal) bool {
	if w.PartnerID != nil && !containsID(w.PartnerID, o.PartnerID) ||
		w.PartnerKind != nil && !contains(w.PartnerKind, o.PartnerKind, false) ||
		w.Country != nil && !contains(w.Country, o.Country, true) ||
		w.Coupon != nil && !contains(w.Coupon, o.Coupon, true) ||
		w.Event != nil && !contains(w.Event, o.Event, true) ||
		w.NewCustomer != nil && *w.NewCustomer != o.NewCustomer {
		return false
	}
	return !w.OrderAmountGTE.Valid || amount.GreaterThanOrEqual(w.OrderAmountGTE.Decimal)
}

// matchLine reports whether the line-level keys of w match the item.
func (w *When) matchLine(it *Item) bool {
	if w.SKU != nil && !contains(w.SKU, it.SKU, false) ||
		w.Category != nil && !contains(w.Category, it.Category, true) {
		return false
	}
	return !w.UnitPriceGTE.Valid || it.UnitPrice.GreaterThanOrEqual(w.UnitPriceGTE.Decimal)
}

func contains(list []string, s string, foldCase bool) bool {
	for _, x := range list {
		if x == s || foldCase && strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func containsID(list []int64, id int64) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}
