package rules

import (
	"encoding/json"

	"github.com/pactum/pactum"
	"github.com/shopspring/decimal"
)

// When is the condition of a rule or a bonus: every key that is set must match (AND), and a list
// matches any of its members (OR). The zero When matches everything.
type When struct {
	SKU         []string
	Category    []string
	PartnerID   []int64
	PartnerKind []string // pactum.Kind* values
	Country     []string // ISO 3166-1 alpha-2, upper case
	Coupon      []string
	Event       []string
	NewCustomer *bool
	// OrderAmountGTE and UnitPriceGTE are amounts in the rule set's currency.
	OrderAmountGTE decimal.NullDecimal
	UnitPriceGTE   decimal.NullDecimal
}

// LineLevel reports whether the condition looks at line items (sku, category, unit price), so
// that a percent bonus applies to the matching lines rather than to the whole order.
func (w *When) LineLevel() bool {
	return w.SKU != nil || w.Category != nil || w.UnitPriceGTE.Valid
}

// parseWhen reads a "when" object.
func parseWhen(raw json.RawMessage, path, currency string) (When, error) {
	var w When
	err := object(raw, path, func(key string, val json.RawMessage) error {
		p := join(path, key)
		var err error
		switch key {
		case "sku":
			w.SKU, err = stringList(val, p, nonEmpty)
		case "category":
			w.Category, err = stringList(val, p, nonEmpty)
		case "coupon":
			w.Coupon, err = stringList(val, p, nonEmpty)
		case "event":
			w.Event, err = stringList(val, p, nonEmpty)
		case "partner_kind":
			w.PartnerKind, err = stringList(val, p, partnerKind)
		case "country":
			w.Country, err = stringList(val, p, country)
		case "partner_id":
			w.PartnerID, err = idList(val, p)
		case "new_customer":
			var b bool
			b, err = boolean(val, p)
			w.NewCustomer = &b
		case "order_amount_gte":
			w.OrderAmountGTE, err = threshold(val, p, currency)
		case "unit_price_gte":
			w.UnitPriceGTE, err = threshold(val, p, currency)
		default:
			err = unknownKey(path, key, "sku", "category", "partner_id", "partner_kind", "country",
				"coupon", "new_customer", "order_amount_gte", "unit_price_gte", "event")
		}
		return err
	})
	return w, err
}

// stringList reads a non-empty list of strings that each pass check.
func stringList(raw json.RawMessage, path string, check func(s, path string) error) ([]string, error) {
	elems, err := list(raw, path)
	if err != nil {
		return nil, err
	}
	if len(elems) == 0 {
		return nil, pactum.FieldError(path, "must list at least one value (leave the key out to match everything)")
	}
	out := make([]string, len(elems))
	for i, e := range elems {
		p := index(path, i)
		if out[i], err = str(e, p); err != nil {
			return nil, err
		}
		if err := check(out[i], p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func nonEmpty(s, path string) error {
	if s == "" {
		return pactum.FieldError(path, "must not be empty")
	}
	return nil
}

func partnerKind(s, path string) error {
	switch s {
	case pactum.KindAffiliate, pactum.KindInfluencer, pactum.KindB2B, pactum.KindReferral:
		return nil
	}
	return pactum.FieldError(path, "%q is not a partner kind (affiliate, influencer, b2b, referral)", s)
}

func country(s, path string) error {
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return pactum.FieldError(path, "%q is not a country code such as \"DE\" (ISO 3166-1 alpha-2, upper case)", s)
	}
	return nil
}

// idList reads a non-empty list of positive ids.
func idList(raw json.RawMessage, path string) ([]int64, error) {
	elems, err := list(raw, path)
	if err != nil {
		return nil, err
	}
	if len(elems) == 0 {
		return nil, pactum.FieldError(path, "must list at least one id (leave the key out to match everything)")
	}
	out := make([]int64, len(elems))
	for i, e := range elems {
		p := index(path, i)
		if out[i], err = integer(e, p); err != nil {
			return nil, err
		}
		if out[i] <= 0 {
			return nil, pactum.FieldError(p, "must be a positive id")
		}
	}
	return out, nil
}

// threshold reads a non-negative amount in currency.
func threshold(raw json.RawMessage, path, currency string) (decimal.NullDecimal, error) {
	s, err := decimalText(raw, path)
	if err != nil {
		return decimal.NullDecimal{}, err
	}
	d, err := pactum.ParseAmount(s, currency, path)
	if err != nil {
		return decimal.NullDecimal{}, err
	}
	if d.IsNegative() {
		return decimal.NullDecimal{}, pactum.FieldError(path, "must not be negative")
	}
	return decimal.NullDecimal{Decimal: d, Valid: true}, nil
}
