package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// FuzzReadRuleSet feeds the rule editor's inputs with anything a browser could send: reading
// them never panics, and what it makes is valid JSON for the program to judge, or an error
// that names a field of the rule set.
func FuzzReadRuleSet(f *testing.F) {
	f.Add("hero", "sku: SHOE-9, SHOE-10; new_customer: yes", "unit", "12.00", "3", "500")
	f.Add("", "partner_id: 42, x; order_amount_gte: 200", "percent", "8", "x", "")
	f.Add("a", ":;;:", "fixed", "", "-1", "1e309")
	f.Fuzz(func(t *testing.T, id, when, kind, value, n, cap string) {
		form := newForm(url.Values{
			"e0.default.kind": {kind}, "e0.default.value": {value},
			"e0.rules.n": {n}, "e0.rules.0.id": {id}, "e0.rules.0.when": {when}, "e0.rules.0.kind": {kind}, "e0.rules.0.value": {value},
			"e0.bonuses.n": {n}, "e0.bonuses.1.id": {id}, "e0.bonuses.1.when": {when}, "e0.bonuses.1.value": {value},
			"e0.tiers.n": {n}, "e0.tiers.0.id": {id}, "e0.tiers.0.sales": {value}, "e0.tiers.0.multiplier": {value},
			"e0.caps.daily_conversions": {cap}, "e0.caps.monthly_payout": {cap},
		})
		in, err := readRuleSet(form, "e0", "events[0].payout")
		if err != nil {
			if !strings.Contains(err.Error(), "events[0].payout.") {
				t.Fatalf("error %v names no field of the rule set", err)
			}
			return
		}
		if in.JSON != nil && !json.Valid(in.JSON) {
			t.Fatalf("not JSON: %s", in.JSON)
		}
		for _, field := range []string{"rules[0].when.sku", "bonuses[0].add.percent", "tiers[0].multiplier", "caps.daily_payout", "default", "", "rules[9]"} {
			in.input("0", field) // maps every path, known or not, without a panic
		}
	})
}
