package rules

import (
	"encoding/json"

	"github.com/pactum/pactum"
	"github.com/shopspring/decimal"
)

// The canonical JSON form of a rule set: keys in the order of SPEC section 5, empty parts left
// out, amounts with exactly the currency's minor-unit digits and other decimals without trailing
// zeros. Two rule sets that mean the same thing are stored as the same bytes, so a change to an
// offer's rules shows as a change, and nothing else does.

type ruleSetJSON struct {
	Default *rateJSON   `json:"default,omitempty"`
	Rules   []ruleJSON  `json:"rules,omitempty"`
	Bonuses []bonusJSON `json:"bonuses,omitempty"`
	Tiers   []tierJSON  `json:"tiers,omitempty"`
	Caps    *capsJSON   `json:"caps,omitempty"`
}

type ruleJSON struct {
	ID   string    `json:"id"`
	When *whenJSON `json:"when,omitempty"`
	Rate rateJSON  `json:"rate"`
}

type bonusJSON struct {
	ID   string    `json:"id"`
	When *whenJSON `json:"when,omitempty"`
	Add  rateJSON  `json:"add"`
}

type tierJSON struct {
	ID              string `json:"id"`
	MonthlySalesGTE string `json:"monthly_sales_gte"`
	Multiplier      string `json:"multiplier"`
}

type capsJSON struct {
	DailyConversions   int64  `json:"daily_conversions,omitempty"`
	MonthlyConversions int64  `json:"monthly_conversions,omitempty"`
	DailyPayout        string `json:"daily_payout,omitempty"`
	MonthlyPayout      string `json:"monthly_payout,omitempty"`
}

type rateJSON struct {
	Percent string `json:"percent,omitempty"`
	Fixed   string `json:"fixed,omitempty"`
	Per     string `json:"per,omitempty"`
}

type whenJSON struct {
	SKU            []string `json:"sku,omitempty"`
	Category       []string `json:"category,omitempty"`
	PartnerID      []int64  `json:"partner_id,omitempty"`
	PartnerKind    []string `json:"partner_kind,omitempty"`
	Country        []string `json:"country,omitempty"`
	Coupon         []string `json:"coupon,omitempty"`
	NewCustomer    *bool    `json:"new_customer,omitempty"`
	OrderAmountGTE string   `json:"order_amount_gte,omitempty"`
	UnitPriceGTE   string   `json:"unit_price_gte,omitempty"`
	Event          []string `json:"event,omitempty"`
}

// MarshalJSON writes the rule set in its canonical form, which Parse reads back to an equal
// rule set.
func (r *RuleSet) MarshalJSON() ([]byte, error) {
	cur := r.Currency
	var out ruleSetJSON
	if r.Default != nil {
		d := rateToJSON(*r.Default, cur)
		out.Default = &d
	}
	for _, x := range r.Rules {
		out.Rules = append(out.Rules, ruleJSON{ID: x.ID, When: whenToJSON(x.When, cur), Rate: rateToJSON(x.Rate, cur)})
	}
	for _, x := range r.Bonuses {
		out.Bonuses = append(out.Bonuses, bonusJSON{ID: x.ID, When: whenToJSON(x.When, cur), Add: rateToJSON(x.Add, cur)})
	}
	for _, x := range r.Tiers {
		out.Tiers = append(out.Tiers, tierJSON{
			ID:              x.ID,
			MonthlySalesGTE: pactum.FormatAmount(x.MonthlySalesGTE, cur),
			Multiplier:      x.Multiplier.String(),
		})
	}
	if c := r.Caps; c.DailyConversions != 0 || c.MonthlyConversions != 0 || c.DailyPayout.Valid || c.MonthlyPayout.Valid {
		out.Caps = &capsJSON{
			DailyConversions:   r.Caps.DailyConversions,
			MonthlyConversions: r.Caps.MonthlyConversions,
			DailyPayout:        optionalAmount(r.Caps.DailyPayout, cur),
			MonthlyPayout:      optionalAmount(r.Caps.MonthlyPayout, cur),
		}
	}
	return json.Marshal(out)
}

func rateToJSON(r Rate, cur string) rateJSON {
	if r.Kind == Percent {
		return rateJSON{Percent: r.Value.String()}
	}
	out := rateJSON{Fixed: pactum.FormatAmount(r.Value, cur)}
	if r.PerUnit {
		out.Per = "unit"
	}
	return out
}

func whenToJSON(w When, cur string) *whenJSON {
	out := &whenJSON{
		SKU:            w.SKU,
		Category:       w.Category,
		PartnerID:      w.PartnerID,
		PartnerKind:    w.PartnerKind,
		Country:        w.Country,
		Coupon:         w.Coupon,
		NewCustomer:    w.NewCustomer,
		OrderAmountGTE: optionalAmount(w.OrderAmountGTE, cur),
		UnitPriceGTE:   optionalAmount(w.UnitPriceGTE, cur),
		Event:          w.Event,
	}
	if len(w.SKU) == 0 && len(w.Category) == 0 && len(w.PartnerID) == 0 && len(w.PartnerKind) == 0 &&
		len(w.Country) == 0 && len(w.Coupon) == 0 && w.NewCustomer == nil &&
		!w.OrderAmountGTE.Valid && !w.UnitPriceGTE.Valid && len(w.Event) == 0 {
		return nil
	}
	return out
}

func optionalAmount(d decimal.NullDecimal, cur string) string {
	if !d.Valid {
		return ""
	}
	return pactum.FormatAmount(d.Decimal, cur)
}
