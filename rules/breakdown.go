package rules

import (
	"encoding/json"

	"github.com/pactum/pactum"
	"github.com/shopspring/decimal"
)

// The JSON form of a breakdown is what the API shows partners and what the store keeps with a
// commission, so that the breakdown a partner saw stays the one they were paid by even after the
// offer's rules change. Money is a string with exactly the currency's minor-unit digits (SPEC
// section 2), rates are written as in rule sets, and multipliers without trailing zeros:
//
//	{"currency":"EUR",
//	 "lines":[{"sku":"SHOE-9","category":"shoes","quantity":2,"amount":"199.80","rule_id":"hero",
//	           "rate":{"fixed":"12.00","per":"unit"},"multiplier":"1","commission":"24.00"}],
//	 "bonuses":[{"rule_id":"new-customer","rate":{"fixed":"5.00"},"base":"199.80","units":2,"amount":"5.00"}],
//	 "multiplier":"1","total":"29.00"}

type breakdownJSON struct {
	Currency   string          `json:"currency"`
	Lines      []lineJSON      `json:"lines"`
	Bonuses    []bonusLineJSON `json:"bonuses,omitempty"`
	Tier       string          `json:"tier,omitempty"`
	Multiplier string          `json:"multiplier"`
	Total      string          `json:"total"`
	Capped     bool            `json:"capped,omitempty"`
	Cap        string          `json:"cap,omitempty"`
}

type lineJSON struct {
	SKU      string `json:"sku,omitempty"`
	Category string `json:"category,omitempty"`
	Quantity int64  `json:"quantity"`
	Amount   string `json:"amount"`
	RuleID   string `json:"rule_id,omitempty"`
	// Rate is raw so that decoding can reuse parseRate and its checks; it is absent when no rule
	// priced the line.
	Rate       json.RawMessage `json:"rate,omitempty"`
	Multiplier string          `json:"multiplier"`
	Commission string          `json:"commission"`
}

type bonusLineJSON struct {
	RuleID string          `json:"rule_id"`
	Rate   json.RawMessage `json:"rate"`
	Base   string          `json:"base"`
	Units  int64           `json:"units"`
	Amount string          `json:"amount"`
}

// MarshalJSON writes the breakdown with money as strings in its currency's digits.
func (b Breakdown) MarshalJSON() ([]byte, error) {
	cur := b.Currency
	if !pactum.ValidCurrency(cur) {
		return nil, pactum.FieldError("currency", "%q is not a currency Pactum knows", cur)
	}
	out := breakdownJSON{
		Currency:   cur,
		Lines:      make([]lineJSON, len(b.Lines)),
		Tier:       b.Tier,
		Multiplier: b.Multiplier.String(),
		Total:      pactum.FormatAmount(b.Total, cur),
		Capped:     b.Capped,
		Cap:        b.Cap,
	}
	for i, l := range b.Lines {
		out.Lines[i] = lineJSON{
			SKU:        l.SKU,
			Category:   l.Category,
			Quantity:   l.Quantity,
			Amount:     pactum.FormatAmount(l.Amount, cur),
			RuleID:     l.RuleID,
			Multiplier: l.Multiplier.String(),
			Commission: pactum.FormatAmount(l.Commission, cur),
		}
		if l.Rate.Kind != 0 {
			out.Lines[i].Rate = rawRate(l.Rate, cur)
		}
	}
	for _, x := range b.Bonuses {
		out.Bonuses = append(out.Bonuses, bonusLineJSON{
			RuleID: x.RuleID,
			Rate:   rawRate(x.Rate, cur),
			Base:   pactum.FormatAmount(x.Base, cur),
			Units:  x.Units,
			Amount: pactum.FormatAmount(x.Amount, cur),
		})
	}
	return json.Marshal(out)
}

func rawRate(r Rate, cur string) json.RawMessage {
	// A rateJSON of strings always marshals.
	raw, _ := json.Marshal(rateToJSON(r, cur))
	return raw
}

// UnmarshalJSON reads what MarshalJSON writes. Errors are *pactum.Error naming the field
// ("lines[0].commission"), since a breakdown that does not read back is a corrupt record.
func (b *Breakdown) UnmarshalJSON(data []byte) error {
	var in breakdownJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return pactum.FieldError("", "is not a commission breakdown: %v", err)
	}
	cur := in.Currency
	if !pactum.ValidCurrency(cur) {
		return pactum.FieldError("currency", "%q is not a currency Pactum knows", cur)
	}
	out := Breakdown{Currency: cur, Tier: in.Tier, Capped: in.Capped, Cap: in.Cap}
	var err error
	if out.Multiplier, err = pactum.ParseDecimal(in.Multiplier, "multiplier"); err != nil {
		return err
	}
	if out.Total, err = pactum.ParseAmount(in.Total, cur, "total"); err != nil {
		return err
	}
	if len(in.Lines) > 0 {
		out.Lines = make([]Line, len(in.Lines))
	}
	for i, l := range in.Lines {
		p := index("lines", i)
		x := &out.Lines[i]
		x.SKU, x.Category, x.Quantity, x.RuleID = l.SKU, l.Category, l.Quantity, l.RuleID
		if x.Amount, err = pactum.ParseAmount(l.Amount, cur, p+".amount"); err != nil {
			return err
		}
		if len(l.Rate) > 0 {
			if x.Rate, err = parseRate(l.Rate, p+".rate", cur); err != nil {
				return err
			}
		}
		if x.Multiplier, err = pactum.ParseDecimal(l.Multiplier, p+".multiplier"); err != nil {
			return err
		}
		if x.Commission, err = pactum.ParseAmount(l.Commission, cur, p+".commission"); err != nil {
			return err
		}
	}
	for i, bl := range in.Bonuses {
		p := index("bonuses", i)
		x := BonusLine{RuleID: bl.RuleID, Units: bl.Units}
		if x.Rate, err = parseRate(bl.Rate, p+".rate", cur); err != nil {
			return err
		}
		if x.Base, err = pactum.ParseAmount(bl.Base, cur, p+".base"); err != nil {
			return err
		}
		if x.Amount, err = pactum.ParseAmount(bl.Amount, cur, p+".amount"); err != nil {
			return err
		}
		out.Bonuses = append(out.Bonuses, x)
	}
	*b = out
	return nil
}

// Sum returns the sum of the breakdown's rounded parts: its Total unless it is capped.
func (b Breakdown) Sum() decimal.Decimal {
	sum := decimal.Zero
	for _, l := range b.Lines {
		sum = sum.Add(l.Commission)
	}
	for _, x := range b.Bonuses {
		sum = sum.Add(x.Amount)
	}
	return sum
}
