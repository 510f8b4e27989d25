package web

import (
	"strings"
	"testing"
)

func TestDescribeBreakdown(t *testing.T) {
	tests := []struct {
		name, json string
		want       []string
		total      string
	}{
		{"the SPEC's example",
			`{"currency":"EUR","lines":[{"sku":"SHOE-9","category":"shoes","quantity":2,"amount":"199.80","rule_id":"hero","rate":{"fixed":"12.00","per":"unit"},"multiplier":"1","commission":"24.00"}],"bonuses":[{"rule_id":"new-customer","rate":{"fixed":"5.00"},"base":"199.80","units":2,"amount":"5.00"}],"multiplier":"1","total":"29.00"}`,
			[]string{"SHOE-9 x2 at 12.00 per unit = 24.00 (rule hero)", "new-customer bonus: 5.00"}, "29.00 EUR"},
		{"percent, default, tier and a percent bonus",
			`{"currency":"EUR","lines":[{"sku":"SOCK-1","quantity":1,"amount":"50.00","rule_id":"default","rate":{"percent":"8"},"multiplier":"1.25","commission":"5.00"}],"bonuses":[{"rule_id":"big-basket","rate":{"percent":"2"},"base":"250.00","units":3,"amount":"5.00"}],"tier":"gold","multiplier":"1.25","total":"10.00"}`,
			[]string{"SOCK-1 x1 (50.00) at 8% = 5.00, with the tier's ×1.25 (the default rate)", "big-basket bonus: 2% of 250.00 = 5.00", "tier gold: line commissions ×1.25"}, "10.00 EUR"},
		{"a line no rule pays, in yen",
			`{"currency":"JPY","lines":[{"quantity":1,"amount":"1200","multiplier":"1","commission":"0"}],"multiplier":"1","total":"0"}`,
			[]string{"the order x1 (1200): no rule pays for it = 0"}, "0 JPY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := describeBreakdown([]byte(tt.json))
			if got == nil || got.Note != "" || strings.Join(got.Lines, "\n") != strings.Join(tt.want, "\n") || got.Total != tt.total {
				t.Fatalf("got %+v\nwant %q, total %s", got, tt.want, tt.total)
			}
		})
	}
	if describeBreakdown(nil) != nil {
		t.Fatal("no breakdown should say nothing")
	}
	if got := describeBreakdown([]byte(`{"currency":"XXX"}`)); got == nil || got.Note == "" {
		t.Fatalf("a corrupt breakdown: %+v", got)
	}
}

func TestInputLabel(t *testing.T) {
	for name, want := range map[string]string{
		"e0.rules.1.value":          "Event 1, rule 2 amount",
		"e2.bonuses.0.when":         "Event 3, bonus 1 conditions",
		"e0.tiers.0.sales":          "Event 1, tier 1 monthly sales",
		"e0.default.value":          "Event 1, default rate",
		"e0.caps.daily_conversions": "Event 1, cap conversions a day",
		"e1.name":                   "Event 2 name",
		"destination_url":           "Destination url",
		"key.partner_id":            "Partner id",
		"reference.12":              "Reference",
		"":                          "",
		"events":                    "Events",
	} {
		if got := inputLabel(name); got != want {
			t.Errorf("inputLabel(%q) = %q, want %q", name, got, want)
		}
	}
}
