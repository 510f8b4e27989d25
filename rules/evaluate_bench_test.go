package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pactum/pactum"
)

// benchRules is a large program: 50 rules of which only the last few match the benchmark's
// order, so each line is tried against nearly all of them, plus bonuses of each kind, three
// tiers and caps.
func benchRules() string {
	var rules []string
	for i := range 46 {
		var when string
		switch i % 4 {
		case 0:
			when = fmt.Sprintf(`"sku":["SKU-%d","SKU-%d-XL"]`, i, i)
		case 1:
			when = fmt.Sprintf(`"category":["cat-%d"],"country":["AT","CH"]`, i)
		case 2:
			when = fmt.Sprintf(`"partner_id":[%d,%d],"coupon":["CODE%d"]`, 1000+i, 2000+i, i)
		case 3:
			when = fmt.Sprintf(`"order_amount_gte":"%d.00","partner_kind":["b2b"],"event":["purchase"]`, 100+i)
		}
		rules = append(rules, fmt.Sprintf(`{"id":"r%d","when":{%s},"rate":{"percent":"%d.5"}}`, i, when, i%20))
	}
	rules = append(rules,
		`{"id":"shoes-de","when":{"category":["shoes"],"country":["DE"],"unit_price_gte":"50.00"},"rate":{"percent":"9.5"}}`,
		`{"id":"hero","when":{"sku":["SHOE-9"]},"rate":{"fixed":"12.00","per":"unit"}}`,
		`{"id":"electronics","when":{"category":["electronics"],"event":["purchase"]},"rate":{"percent":"3"}}`,
		`{"id":"flat","when":{"partner_kind":["affiliate"]},"rate":{"fixed":"1.00"}}`)
	return `{"default":{"percent":"8"},"rules":[` + strings.Join(rules, ",") + `],
	 "bonuses":[
	   {"id":"new-customer","when":{"new_customer":true},"add":{"fixed":"5.00"}},
	   {"id":"big-basket","when":{"order_amount_gte":"200.00"},"add":{"percent":"2"}},
	   {"id":"high-ticket","when":{"unit_price_gte":"1000.00"},"add":{"fixed":"20.00","per":"unit"}},
	   {"id":"shoe-week","when":{"category":["shoes"],"country":["DE","AT"]},"add":{"percent":"1.5"}}],
	 "tiers":[{"id":"bronze","monthly_sales_gte":"1000.00","multiplier":"1.05"},
	          {"id":"silver","monthly_sales_gte":"5000.00","multiplier":"1.1"},
	          {"id":"gold","monthly_sales_gte":"10000.00","multiplier":"1.25"}],
	 "caps":{"daily_conversions":500,"monthly_conversions":10000,"daily_payout":"2000.00","monthly_payout":"20000.00"}}`
}

func BenchmarkEvaluate(b *testing.B) {
	rs, err := Parse([]byte(benchRules()), "EUR")
	if err != nil {
		b.Fatal(err)
	}
	if len(rs.Rules) != 50 {
		b.Fatalf("%d rules, want 50", len(rs.Rules))
	}
	o := Order{Event: "purchase", Currency: "EUR", Country: "DE", NewCustomer: true,
		PartnerID: 7, PartnerKind: pactum.KindAffiliate, Amount: dec("1478.80"),
		Items: []Item{item("SHOE-10", "shoes", 2, "89.90"), item("TV-55", "electronics", 1, "1299.00"),
			discounted(item("SOCK-1", "accessories", 3, "4.99"), "14.97")}}
	c := Context{MonthlySales: dec("12000.00"), DailyConversions: 12, MonthlyConversions: 340,
		DailyPayout: dec("120.00"), MonthlyPayout: dec("4000.00")}
	want, err := Evaluate(rs, o, c)
	if err != nil {
		b.Fatal(err)
	}
	// The order is priced late in the list: by the 47th, 49th and 50th rules.
	checkBreakdown(b, want, []string{"shoes-de 21.35", "electronics 48.71", "flat 1.25"},
		[]string{"new-customer 5.00", "big-basket 29.58", "high-ticket 20.00", "shoe-week 2.70"}, "gold", "128.59", "")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Evaluate(rs, o, c); err != nil {
			b.Fatal(err)
		}
	}
}
