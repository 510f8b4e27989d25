package rules

import (
	"encoding/json"
	"strconv"

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

// MarshalJSON writes the breakdown with money as strings in its currency's digits. It is
// written by hand: every conversion stores two breakdowns, and reflection over them was a tenth
// of the conversion path's CPU.
func (b Breakdown) MarshalJSON() ([]byte, error) {
	cur := b.Currency
	if !pactum.ValidCurrency(cur) {
		return nil, pactum.FieldError("currency", "%q is not a currency Pactum knows", cur)
	}
	buf := make([]byte, 0, 128+192*len(b.Lines)+128*len(b.Bonuses))
	buf = append(buf, `{"currency":`...)
	buf = pactum.AppendJSONString(buf, cur)
	buf = append(buf, `,"lines":[`...)
	for i, l := range b.Lines {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '{')
		if l.SKU != "" {
			buf = append(buf, `"sku":`...)
			buf = pactum.AppendJSONString(buf, l.SKU)
			buf = append(buf, ',')
		}
		if l.Category != "" {
			buf = append(buf, `"category":`...)
			buf = pactum.AppendJSONString(buf, l.Category)
			buf = append(buf, ',')
		}
		buf = append(buf, `"quantity":`...)
		buf = strconv.AppendInt(buf, l.Quantity, 10)
		buf = appendMoney(buf, `,"amount":`, l.Amount, cur)
		if l.RuleID != "" {
			buf = append(buf, `,"rule_id":`...)
			buf = pactum.AppendJSONString(buf, l.RuleID)
		}
		if l.Rate.Kind != 0 {
			buf = append(buf, `,"rate":`...)
			buf = appendRate(buf, l.Rate, cur)
		}
		buf = append(buf, `,"multiplier":`...)
		buf = pactum.AppendJSONString(buf, l.Multiplier.String())
		buf = appendMoney(buf, `,"commission":`, l.Commission, cur)
		buf = append(buf, '}')
	}
	buf = append(buf, ']')
	if len(b.Bonuses) > 0 {
		buf = append(buf, `,"bonuses":[`...)
		for i, x := range b.Bonuses {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, `{"rule_id":`...)
			buf = pactum.AppendJSONString(buf, x.RuleID)
			buf = append(buf, `,"rate":`...)
			buf = appendRate(buf, x.Rate, cur)
			buf = appendMoney(buf, `,"base":`, x.Base, cur)
			buf = append(buf, `,"units":`...)
			buf = strconv.AppendInt(buf, x.Units, 10)
			buf = appendMoney(buf, `,"amount":`, x.Amount, cur)
			buf = append(buf, '}')
		}
		buf = append(buf, ']')
	}
	if b.Tier != "" {
		buf = append(buf, `,"tier":`...)
		buf = pactum.AppendJSONString(buf, b.Tier)
	}
	buf = append(buf, `,"multiplier":`...)
	buf = pactum.AppendJSONString(buf, b.Multiplier.String())
	buf = appendMoney(buf, `,"total":`, b.Total, cur)
	if b.Capped {
		buf = append(buf, `,"capped":true`...)
	}
	if b.Cap != "" {
		buf = append(buf, `,"cap":`...)
		buf = pactum.AppendJSONString(buf, b.Cap)
	}
	return append(buf, '}'), nil
}

// appendMoney appends key and the amount as a JSON string in cur's digits.
func appendMoney(buf []byte, key string, amount decimal.Decimal, cur string) []byte {
	buf = append(buf, key...)
	return pactum.AppendJSONString(buf, pactum.FormatAmount(amount, cur))
}

// appendRate appends a rate as rule sets write it: {"percent":"7.5"}, {"fixed":"12.00"} or
// {"fixed":"12.00","per":"unit"}.
func appendRate(buf []byte, r Rate, cur string) []byte {
	if r.Kind == Percent {
		buf = append(buf, `{"percent":`...)
		buf = pactum.AppendJSONString(buf, r.Value.String())
		return append(buf, '}')
	}
	buf = appendMoney(buf, `{"fixed":`, r.Value, cur)
	if r.PerUnit {
		buf = append(buf, `,"per":"unit"`...)
	}
	return append(buf, '}')
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
