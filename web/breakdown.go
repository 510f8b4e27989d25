package web

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/rules"
)

// A commission's breakdown (rules.Breakdown) in plain words, as partners read it:
// "SHOE-9 x2 at 12.00 per unit = 24.00 (rule hero)"; "new-customer bonus: 5.00".

// breakdownWords is a breakdown said line by line, with its total.
type breakdownWords struct {
	Lines []string
	Total string
	Note  string // capped, or a breakdown that could not be read
	// Empty says that no rule priced anything: the event has no such rule set.
	Empty bool
}

// describeBreakdown says what raw (a stored breakdown's JSON) paid; nil for none.
func describeBreakdown(raw json.RawMessage) *breakdownWords {
	if len(raw) == 0 {
		return nil
	}
	var b rules.Breakdown
	if err := json.Unmarshal(raw, &b); err != nil {
		return &breakdownWords{Note: "The breakdown of this commission could not be read."}
	}
	cur := b.Currency
	amount := func(d decimal.Decimal) string { return pactum.FormatAmount(d, cur) }
	out := &breakdownWords{Total: amount(b.Total) + " " + cur, Empty: len(b.Bonuses) == 0}
	for _, l := range b.Lines {
		what := l.SKU
		if what == "" {
			what = l.Category
		}
		if what == "" {
			what = "the order"
		}
		var s string
		switch {
		case l.Rate.Kind == 0:
			s = fmt.Sprintf("%s x%d (%s): no rule pays for it = %s", what, l.Quantity, amount(l.Amount), amount(l.Commission))
		case l.Rate.Kind == rules.Percent:
			s = fmt.Sprintf("%s x%d (%s) at %s%% = %s", what, l.Quantity, amount(l.Amount), l.Rate.Value, amount(l.Commission))
		case l.Rate.PerUnit:
			s = fmt.Sprintf("%s x%d at %s per unit = %s", what, l.Quantity, amount(l.Rate.Value), amount(l.Commission))
		default:
			s = fmt.Sprintf("%s x%d (%s) at %s per order = %s", what, l.Quantity, amount(l.Amount), amount(l.Rate.Value), amount(l.Commission))
		}
		out.Empty = out.Empty && l.Rate.Kind == 0
		if !l.Multiplier.IsZero() && !l.Multiplier.Equal(decimal.NewFromInt(1)) {
			s += fmt.Sprintf(", with the tier's ×%s", l.Multiplier)
		}
		switch l.RuleID {
		case "":
		case rules.DefaultRuleID:
			s += " (the default rate)"
		default:
			s += " (rule " + l.RuleID + ")"
		}
		out.Lines = append(out.Lines, s)
	}
	for _, x := range b.Bonuses {
		var s string
		switch {
		case x.Rate.Kind == rules.Percent:
			s = fmt.Sprintf("%s bonus: %s%% of %s = %s", x.RuleID, x.Rate.Value, amount(x.Base), amount(x.Amount))
		case x.Rate.PerUnit:
			s = fmt.Sprintf("%s bonus: %s per unit x%d = %s", x.RuleID, amount(x.Rate.Value), x.Units, amount(x.Amount))
		default:
			s = fmt.Sprintf("%s bonus: %s", x.RuleID, amount(x.Amount))
		}
		out.Lines = append(out.Lines, s)
	}
	if b.Tier != "" {
		out.Lines = append(out.Lines, fmt.Sprintf("tier %s: line commissions ×%s", b.Tier, b.Multiplier))
	}
	if b.Capped {
		out.Note = fmt.Sprintf("A cap was reached (%s): this conversion earns nothing. The lines say what it would have earned.", strings.ReplaceAll(b.Cap, "_", " "))
	}
	return out
}

// describeRuleSet says in a line what a payout rule set pays: its default and its rules' rates.
func describeRuleSet(raw json.RawMessage, currency string) string {
	rs, err := rules.Parse(raw, currency)
	if len(raw) == 0 || err != nil {
		return "nothing yet"
	}
	rate := func(r rules.Rate) string {
		switch {
		case r.Kind == rules.Percent:
			return r.Value.String() + "% of the sale"
		case r.PerUnit:
			return pactum.FormatAmount(r.Value, currency) + " " + currency + " per unit"
		}
		return pactum.FormatAmount(r.Value, currency) + " " + currency + " per order"
	}
	var parts []string
	if rs.Default != nil {
		parts = append(parts, rate(*rs.Default))
	}
	for _, r := range rs.Rules {
		parts = append(parts, r.ID+": "+rate(r.Rate))
	}
	for _, b := range rs.Bonuses {
		parts = append(parts, b.ID+" bonus: "+rate(b.Add))
	}
	if len(parts) == 0 {
		return "nothing yet"
	}
	return strings.Join(parts, "; ")
}
