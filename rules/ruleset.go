// Package rules holds the commission rule-set language of SPEC section 5: what a partner earns
// (an event's "payout") or an advertiser owes (its "revenue") for a conversion. Parse validates a
// rule set as users write it and MarshalJSON writes its one canonical form, which is what the
// stores keep. Everything here is a pure function of its arguments, so that evaluating a
// conversion, or replaying a month of them against a draft, needs no store.
package rules

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/pactum/pactum"
	"github.com/shopspring/decimal"
)

// RuleSet is a validated rule set. The zero RuleSet (JSON {}) earns nothing.
type RuleSet struct {
	// Currency is the currency of every fixed amount and threshold in the rule set: the offer's.
	Currency string
	// Default is the rate of a line that no rule matches; nil means such a line earns nothing.
	Default *Rate
	// Rules are tried in order for each line; the first whose When matches sets its rate.
	Rules []Rule
	// Bonuses all apply when they match.
	Bonuses []Bonus
	// Tiers multiply line commissions; the one with the highest threshold reached applies.
	Tiers []Tier
	Caps  Caps
}

// Rule sets the rate of the lines it matches.
type Rule struct {
	ID   string
	When When
	Rate Rate
}

// Bonus adds to a commission when it matches.
type Bonus struct {
	ID   string
	When When
	Add  Rate
}

// Tier multiplies the line commissions of a partner whose approved sales in the offer this
// calendar month reach MonthlySalesGTE.
type Tier struct {
	ID              string
	MonthlySalesGTE decimal.Decimal
	Multiplier      decimal.Decimal
}

// Caps bound what an offer pays; past a cap a conversion is capped. Zero values mean no cap.
type Caps struct {
	DailyConversions   int64
	MonthlyConversions int64
	DailyPayout        decimal.NullDecimal
	MonthlyPayout      decimal.NullDecimal
}

// maxIDLen bounds rule ids, which every commission breakdown repeats.
const maxIDLen = 64

// Parse validates the rule set data, whose fixed amounts and thresholds are in currency.
// Errors are *pactum.Error with code EINVALID and, as Field, the JSON path of the value at fault
// inside the rule set ("rules[1].rate.percent"), for the caller to prefix with where the rule set
// sits (pactum.WithFieldPrefix).
func Parse(data []byte, currency string) (*RuleSet, error) {
	if !pactum.ValidCurrency(currency) {
		return nil, pactum.Errorf(pactum.EINVALID, "unknown currency %q", currency)
	}
	// Syntax only: a number too large for a float64 (1e309) is valid JSON, and the field that
	// holds it says what is wrong with it.
	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, pactum.FieldError("", "is not valid JSON: %v (at byte %d)", syn, syn.Offset)
		}
		return nil, pactum.FieldError("", "is not valid JSON")
	}
	rs := &RuleSet{Currency: currency}
	ids := make(map[string]string) // rule id -> path of its first use
	err := object(data, "", func(key string, val json.RawMessage) error {
		switch key {
		case "default":
			r, err := parseRate(val, key, currency)
			rs.Default = &r
			return err
		case "rules":
			return each(val, key, func(raw json.RawMessage, path string) error {
				r, err := parseRule(raw, path, currency, ids)
				rs.Rules = append(rs.Rules, r)
				return err
			})
		case "bonuses":
			return each(val, key, func(raw json.RawMessage, path string) error {
				b, err := parseBonus(raw, path, currency, ids)
				rs.Bonuses = append(rs.Bonuses, b)
				return err
			})
		case "tiers":
			return each(val, key, func(raw json.RawMessage, path string) error {
				t, err := parseTier(raw, path, currency, ids)
				rs.Tiers = append(rs.Tiers, t)
				return err
			})
		case "caps":
			var err error
			rs.Caps, err = parseCaps(val, key, currency)
			return err
		}
		return unknownKey("", key, "default", "rules", "bonuses", "tiers", "caps")
	})
	if err != nil {
		return nil, err
	}
	return rs, nil
}

// each calls fn with each element of the list raw and its path.
func each(raw json.RawMessage, path string, fn func(elem json.RawMessage, path string) error) error {
	elems, err := list(raw, path)
	if err != nil {
		return err
	}
	for i, e := range elems {
		if err := fn(e, index(path, i)); err != nil {
			return err
		}
	}
	return nil
}

func parseRule(raw json.RawMessage, path, currency string, ids map[string]string) (Rule, error) {
	var r Rule
	hasRate := false
	err := object(raw, path, func(key string, val json.RawMessage) error {
		var err error
		switch key {
		case "id":
			r.ID, err = parseID(val, join(path, key), ids)
		case "when":
			r.When, err = parseWhen(val, join(path, key), currency)
		case "rate":
			r.Rate, err = parseRate(val, join(path, key), currency)
			hasRate = true
		default:
			err = unknownKey(path, key, "id", "when", "rate")
		}
		return err
	})
	switch {
	case err != nil:
		return Rule{}, err
	case r.ID == "":
		return Rule{}, pactum.FieldError(join(path, "id"), "is required")
	case !hasRate:
		return Rule{}, pactum.FieldError(join(path, "rate"), "is required")
	}
	return r, nil
}

func parseBonus(raw json.RawMessage, path, currency string, ids map[string]string) (Bonus, error) {
	var b Bonus
	hasAdd := false
	err := object(raw, path, func(key string, val json.RawMessage) error {
		var err error
		switch key {
		case "id":
			b.ID, err = parseID(val, join(path, key), ids)
		case "when":
			b.When, err = parseWhen(val, join(path, key), currency)
		case "add":
			b.Add, err = parseRate(val, join(path, key), currency)
			hasAdd = true
		default:
			err = unknownKey(path, key, "id", "when", "add")
		}
		return err
	})
	switch {
	case err != nil:
		return Bonus{}, err
	case b.ID == "":
		return Bonus{}, pactum.FieldError(join(path, "id"), "is required")
	case !hasAdd:
		return Bonus{}, pactum.FieldError(join(path, "add"), "is required")
	}
	return b, nil
}

func parseTier(raw json.RawMessage, path, currency string, ids map[string]string) (Tier, error) {
	var t Tier
	hasSales, hasMultiplier := false, false
	err := object(raw, path, func(key string, val json.RawMessage) error {
		p := join(path, key)
		switch key {
		case "id":
			var err error
			t.ID, err = parseID(val, p, ids)
			return err
		case "monthly_sales_gte":
			d, err := threshold(val, p, currency)
			t.MonthlySalesGTE, hasSales = d.Decimal, true
			return err
		case "multiplier":
			s, err := decimalText(val, p)
			if err != nil {
				return err
			}
			if t.Multiplier, err = pactum.ParseDecimal(s, p); err != nil {
				return err
			}
			if !t.Multiplier.IsPositive() {
				return pactum.FieldError(p, "must be greater than 0")
			}
			hasMultiplier = true
			return nil
		}
		return unknownKey(path, key, "id", "monthly_sales_gte", "multiplier")
	})
	switch {
	case err != nil:
		return Tier{}, err
	case t.ID == "":
		return Tier{}, pactum.FieldError(join(path, "id"), "is required")
	case !hasSales:
		return Tier{}, pactum.FieldError(join(path, "monthly_sales_gte"), "is required")
	case !hasMultiplier:
		return Tier{}, pactum.FieldError(join(path, "multiplier"), "is required")
	}
	return t, nil
}

func parseCaps(raw json.RawMessage, path, currency string) (Caps, error) {
	var c Caps
	err := object(raw, path, func(key string, val json.RawMessage) error {
		p := join(path, key)
		switch key {
		case "daily_conversions", "monthly_conversions":
			n, err := integer(val, p)
			if err != nil {
				return err
			}
			if n <= 0 {
				return pactum.FieldError(p, "must be a positive number (leave the key out for no cap)")
			}
			if key == "daily_conversions" {
				c.DailyConversions = n
			} else {
				c.MonthlyConversions = n
			}
			return nil
		case "daily_payout", "monthly_payout":
			d, err := threshold(val, p, currency)
			if err != nil {
				return err
			}
			if d.Decimal.IsZero() {
				return pactum.FieldError(p, "must be greater than 0 (leave the key out for no cap)")
			}
			if key == "daily_payout" {
				c.DailyPayout = d
			} else {
				c.MonthlyPayout = d
			}
			return nil
		}
		return unknownKey(path, key, "daily_conversions", "monthly_conversions", "daily_payout", "monthly_payout")
	})
	return c, err
}

// parseID reads a rule, bonus or tier id, which must be unique in the rule set: a commission's
// breakdown names the rule behind each line by it.
func parseID(raw json.RawMessage, path string, ids map[string]string) (string, error) {
	id, err := str(raw, path)
	if err != nil {
		return "", err
	}
	if id == "" {
		return "", pactum.FieldError(path, "is required")
	}
	if len(id) > maxIDLen {
		return "", pactum.FieldError(path, "must be at most %d characters", maxIDLen)
	}
	for _, r := range id {
		if r < ' ' || r == 0x7f {
			return "", pactum.FieldError(path, "must not contain control characters")
		}
	}
	if id == DefaultRuleID {
		return "", pactum.FieldError(path, "%q is how a breakdown names the default rate; choose another id", id)
	}
	if first, ok := ids[id]; ok {
		return "", pactum.FieldError(path, "%q is already the id of %s", id, first)
	}
	ids[id] = strings.TrimSuffix(path, ".id")
	return id, nil
}

// UsesCountry reports whether a rule or bonus of rs depends on the order's country, which the
// caller may then have to look up.
func (rs *RuleSet) UsesCountry() bool {
	for _, r := range rs.Rules {
		if r.When.Country != nil {
			return true
		}
	}
	for _, b := range rs.Bonuses {
		if b.When.Country != nil {
			return true
		}
	}
	return false
}
