package rules

import (
	"encoding/json"

	"github.com/pactum/pactum"
	"github.com/shopspring/decimal"
)

// RateKind says how a Rate is computed.
type RateKind int

const (
	// Percent is a share of an amount: Value 7.5 means 7.5%.
	Percent RateKind = iota + 1
	// Fixed is an amount in the rule set's currency, per order or, with PerUnit, per unit.
	Fixed
)

// Rate is what a rule pays (its "rate") or what a bonus adds (its "add").
type Rate struct {
	Kind  RateKind
	Value decimal.Decimal
	// PerUnit makes a Fixed rate count once per unit of the line rather than once per order.
	PerUnit bool
}

// parseRate reads {"percent":"8"} or {"fixed":"12.00","per":"unit"}.
func parseRate(raw json.RawMessage, path, currency string) (Rate, error) {
	var r Rate
	per := false
	err := object(raw, path, func(key string, val json.RawMessage) error {
		p := join(path, key)
		switch key {
		case "percent", "fixed":
			if r.Kind != 0 {
				return pactum.FieldError(p, "a rate has either percent or fixed, not both")
			}
			s, err := decimalText(val, p)
			if err != nil {
				return err
			}
			if key == "fixed" {
				r.Kind = Fixed
				r.Value, err = pactum.ParseAmount(s, currency, p)
				if err == nil && r.Value.IsNegative() {
					err = pactum.FieldError(p, "must not be negative")
				}
				return err
			}
			r.Kind = Percent
			r.Value, err = pactum.ParseDecimal(s, p)
			if err == nil && (r.Value.IsNegative() || r.Value.GreaterThan(decimal.NewFromInt(100))) {
				err = pactum.FieldError(p, "must be between 0 and 100")
			}
			return err
		case "per":
			s, err := str(val, p)
			if err != nil || s != "unit" {
				return pactum.FieldError(p, "must be \"unit\" or left out (per order)")
			}
			per = true
			return nil
		}
		return unknownKey(path, key, "percent", "fixed", "per")
	})
	if err != nil {
		return Rate{}, err
	}
	switch {
	case r.Kind == 0:
		return Rate{}, pactum.FieldError(path, "must have a percent or a fixed amount")
	case per && r.Kind != Fixed:
		return Rate{}, pactum.FieldError(join(path, "per"), "applies only to a fixed amount")
	}
	r.PerUnit = per
	return r, nil
}
