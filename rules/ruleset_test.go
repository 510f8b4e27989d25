package rules

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/pactum/pactum"
	"github.com/shopspring/decimal"
)

// specExample is the rule set of SPEC section 5, verbatim.
const specExample = `{"default":{"percent":"8"},
 "rules":[
   {"id":"electronics","when":{"category":["electronics"]},"rate":{"percent":"3"}},
   {"id":"hero","when":{"sku":["SHOE-9"]},"rate":{"fixed":"12.00","per":"unit"}},
   {"id":"vip-shoes","when":{"partner_id":[42],"category":["shoes"]},"rate":{"percent":"12"}}],
 "bonuses":[
   {"id":"new-customer","when":{"new_customer":true},"add":{"fixed":"5.00"}},
   {"id":"big-basket","when":{"order_amount_gte":"200.00"},"add":{"percent":"2"}},
   {"id":"high-ticket","when":{"unit_price_gte":"1000.00"},"add":{"fixed":"20.00","per":"unit"}}],
 "tiers":[{"id":"gold","monthly_sales_gte":"10000.00","multiplier":"1.25"}],
 "caps":{"daily_conversions":500,"monthly_payout":"20000.00"}}`

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func amount(s string) decimal.NullDecimal {
	return decimal.NullDecimal{Decimal: dec(s), Valid: true}
}

func TestParseSpecExample(t *testing.T) {
	rs, err := Parse([]byte(specExample), "EUR")
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	want := &RuleSet{
		Currency: "EUR",
		Default:  &Rate{Kind: Percent, Value: dec("8")},
		Rules: []Rule{
			{ID: "electronics", When: When{Category: []string{"electronics"}}, Rate: Rate{Kind: Percent, Value: dec("3")}},
			{ID: "hero", When: When{SKU: []string{"SHOE-9"}}, Rate: Rate{Kind: Fixed, Value: dec("12.00"), PerUnit: true}},
			{ID: "vip-shoes", When: When{PartnerID: []int64{42}, Category: []string{"shoes"}}, Rate: Rate{Kind: Percent, Value: dec("12")}},
		},
		Bonuses: []Bonus{
			{ID: "new-customer", When: When{NewCustomer: &yes}, Add: Rate{Kind: Fixed, Value: dec("5.00")}},
			{ID: "big-basket", When: When{OrderAmountGTE: amount("200.00")}, Add: Rate{Kind: Percent, Value: dec("2")}},
			{ID: "high-ticket", When: When{UnitPriceGTE: amount("1000.00")}, Add: Rate{Kind: Fixed, Value: dec("20.00"), PerUnit: true}},
		},
		Tiers: []Tier{{ID: "gold", MonthlySalesGTE: dec("10000.00"), Multiplier: dec("1.25")}},
		Caps:  Caps{DailyConversions: 500, MonthlyPayout: amount("20000.00")},
	}
	if !equal(rs, want) {
		t.Fatalf("Parse(spec example) =\n%+v\nwant\n%+v", rs, want)
	}
	if !rs.Bonuses[2].When.LineLevel() || rs.Bonuses[1].When.LineLevel() {
		t.Error("LineLevel: unit_price_gte is line-level, order_amount_gte is not")
	}
}

func TestParseValid(t *testing.T) {
	for name, tt := range map[string]struct{ json, currency string }{
		"empty":                      {`{}`, "EUR"},
		"spaces around":              {" \n{ } \n", "EUR"},
		"spec example in JPY":        {strings.ReplaceAll(specExample, ".00", ""), "JPY"},
		"spec example in BHD":        {specExample, "BHD"},
		"default only, fixed":        {`{"default":{"fixed":"1.5"}}`, "EUR"},
		"percent bounds":             {`{"rules":[{"id":"a","rate":{"percent":"0"}},{"id":"b","rate":{"percent":"100"}}]}`, "EUR"},
		"percent decimals":           {`{"default":{"percent":"7.125"}}`, "EUR"},
		"rule without when":          {`{"rules":[{"id":"all","rate":{"percent":"1"}}]}`, "EUR"},
		"empty when and lists":       {`{"rules":[{"id":"a","when":{},"rate":{"percent":"1"}}],"bonuses":[],"tiers":[]}`, "EUR"},
		"every when key":             {`{"bonuses":[{"id":"x","when":{"sku":["A"],"category":["c"],"partner_id":[1,2],"partner_kind":["affiliate","influencer","b2b","referral"],"country":["DE","FR"],"coupon":["ANNA10"],"new_customer":false,"order_amount_gte":"0","unit_price_gte":"9.99","event":["purchase"]},"add":{"fixed":"0"}}]}`, "EUR"},
		"all caps":                   {`{"caps":{"daily_conversions":1,"monthly_conversions":2,"daily_payout":"0.01","monthly_payout":"3"}}`, "EUR"},
		"empty caps":                 {`{"caps":{}}`, "EUR"},
		"tier at zero":               {`{"tiers":[{"id":"base","monthly_sales_gte":"0","multiplier":"0.5"}]}`, "EUR"},
		"unicode id":                 {`{"rules":[{"id":"Sommer-Aktion ☀","rate":{"percent":"1"}}]}`, "EUR"},
		"same string in two lists":   {`{"rules":[{"id":"a","when":{"sku":["a"],"coupon":["a"]},"rate":{"percent":"1"}}]}`, "EUR"},
		"escaped strings":            {`{"rules":[{"id":"a\u0062","when":{"sku":["\"q\""]},"rate":{"percent":"1"}}]}`, "EUR"},
		"multiplier many decimals":   {`{"tiers":[{"id":"t","monthly_sales_gte":"1","multiplier":"1.0001"}]}`, "EUR"},
		"fixed per order explicitly": {`{"default":{"fixed":"2.00"}}`, "USD"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse([]byte(tt.json), tt.currency); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name, json, field string
		msg               string // a part of the message, when it matters
	}{
		{"not json", `{`, "", "valid JSON"},
		{"trailing data", `{} {}`, "", "valid JSON"},
		{"empty input", ``, "", "valid JSON"},
		{"null", `null`, "", "object"},
		{"list", `[]`, "", "object"},
		{"unknown top key", `{"defaults":{"percent":"8"}}`, "defaults", "known key"},
		{"duplicate top key", `{"default":{"percent":"8"},"default":{"percent":"9"}}`, "default", "twice"},
		{"default null", `{"default":null}`, "default", "object"},
		{"rate without value", `{"default":{}}`, "default", "percent or a fixed"},
		{"rate both", `{"default":{"percent":"8","fixed":"1.00"}}`, "default.fixed", "not both"},
		{"percent as number", `{"default":{"percent":8}}`, "default.percent", "quote"},
		{"fixed as number", `{"rules":[{"id":"a","rate":{"fixed":12.5}}]}`, "rules[0].rate.fixed", "quote"},
		{"negative number", `{"default":{"percent":-1}}`, "default.percent", "quote"},
		{"percent as bool", `{"default":{"percent":true}}`, "default.percent", "decimal string"},
		{"percent over 100", `{"default":{"percent":"100.01"}}`, "default.percent", "between 0 and 100"},
		{"percent negative", `{"default":{"percent":"-1"}}`, "default.percent", "between 0 and 100"},
		{"percent exponent", `{"default":{"percent":"1e1"}}`, "default.percent", ""},
		{"percent empty", `{"default":{"percent":""}}`, "default.percent", ""},
		{"percent with plus", `{"default":{"percent":"+5"}}`, "default.percent", ""},
		{"fixed too many decimals", `{"default":{"fixed":"1.005"}}`, "default.fixed", "decimals"},
		{"fixed negative", `{"default":{"fixed":"-1.00"}}`, "default.fixed", "negative"},
		{"per percent", `{"default":{"percent":"1","per":"unit"}}`, "default.per", "fixed"},
		{"per order", `{"default":{"fixed":"1","per":"order"}}`, "default.per", "unit"},
		{"unknown rate key", `{"default":{"percent":"1","cap":"3"}}`, "default.cap", "known key"},
		{"rules not list", `{"rules":{}}`, "rules", "list"},
		{"rule not object", `{"rules":["a"]}`, "rules[0]", "object"},
		{"rule without id", `{"rules":[{"id":"a","rate":{"percent":"1"}},{"rate":{"percent":"3"}}]}`, "rules[1].id", "required"},
		{"rule empty id", `{"rules":[{"id":"","rate":{"percent":"3"}}]}`, "rules[0].id", "required"},
		{"rule id number", `{"rules":[{"id":1,"rate":{"percent":"3"}}]}`, "rules[0].id", "string"},
		{"rule id too long", `{"rules":[{"id":"` + strings.Repeat("x", 65) + `","rate":{"percent":"3"}}]}`, "rules[0].id", "64"},
		{"rule id control", `{"rules":[{"id":"a\nb","rate":{"percent":"3"}}]}`, "rules[0].id", "control"},
		{"rule without rate", `{"rules":[{"id":"a"}]}`, "rules[0].rate", "required"},
		{"rule percent bad", `{"rules":[{"id":"a","rate":{"percent":"1"}},{"id":"b","rate":{"percent":"x"}}]}`, "rules[1].rate.percent", ""},
		{"rule unknown key", `{"rules":[{"id":"a","rate":{"percent":"1"},"priority":1}]}`, "rules[0].priority", "known key"},
		{"rule add instead of rate", `{"rules":[{"id":"a","add":{"percent":"1"}}]}`, "rules[0].add", "known key"},
		{"duplicate id in rules", `{"rules":[{"id":"a","rate":{"percent":"1"}},{"id":"a","rate":{"percent":"2"}}]}`, "rules[1].id", "rules[0]"},
		{"duplicate id rule and bonus", `{"rules":[{"id":"a","rate":{"percent":"1"}}],"bonuses":[{"id":"a","add":{"percent":"2"}}]}`, "bonuses[0].id", "rules[0]"},
		{"duplicate id bonus and tier", `{"bonuses":[{"id":"g","add":{"percent":"2"}}],"tiers":[{"id":"g","monthly_sales_gte":"1","multiplier":"2"}]}`, "tiers[0].id", "bonuses[0]"},
		{"bonus without add", `{"bonuses":[{"id":"a","when":{"new_customer":true}}]}`, "bonuses[0].add", "required"},
		{"bonus rate instead of add", `{"bonuses":[{"id":"a","rate":{"percent":"1"}}]}`, "bonuses[0].rate", "known key"},
		{"bonus kind unknown", `{"bonuses":[{"id":"a","when":{"partner_kind":["affiliate","reseller"]},"add":{"fixed":"1"}}]}`, "bonuses[0].when.partner_kind[1]", "partner kind"},
		{"bonus kind not list", `{"bonuses":[{"id":"a","when":{"partner_kind":"affiliate"},"add":{"fixed":"1"}}]}`, "bonuses[0].when.partner_kind", "list"},
		{"when unknown key", `{"rules":[{"id":"a","when":{"brand":["x"]},"rate":{"percent":"1"}}]}`, "rules[0].when.brand", "known key"},
		{"when upper case key", `{"rules":[{"id":"a","when":{"SKU":["x"]},"rate":{"percent":"1"}}]}`, "rules[0].when.SKU", "known key"},
		{"when duplicate key", `{"rules":[{"id":"a","when":{"sku":["x"],"sku":["y"]},"rate":{"percent":"1"}}]}`, "rules[0].when.sku", "twice"},
		{"when empty list", `{"rules":[{"id":"a","when":{"sku":[]},"rate":{"percent":"1"}}]}`, "rules[0].when.sku", "at least one"},
		{"when empty string", `{"rules":[{"id":"a","when":{"category":["a",""]},"rate":{"percent":"1"}}]}`, "rules[0].when.category[1]", "empty"},
		{"when number in sku", `{"rules":[{"id":"a","when":{"sku":[9]},"rate":{"percent":"1"}}]}`, "rules[0].when.sku[0]", "string"},
		{"country lower", `{"rules":[{"id":"a","when":{"country":["de"]},"rate":{"percent":"1"}}]}`, "rules[0].when.country[0]", "country code"},
		{"country three letters", `{"rules":[{"id":"a","when":{"country":["DE","DEU"]},"rate":{"percent":"1"}}]}`, "rules[0].when.country[1]", "country code"},
		{"partner id string", `{"rules":[{"id":"a","when":{"partner_id":["42"]},"rate":{"percent":"1"}}]}`, "rules[0].when.partner_id[0]", "whole number"},
		{"partner id zero", `{"rules":[{"id":"a","when":{"partner_id":[0]},"rate":{"percent":"1"}}]}`, "rules[0].when.partner_id[0]", "positive"},
		{"partner id fraction", `{"rules":[{"id":"a","when":{"partner_id":[4.2]},"rate":{"percent":"1"}}]}`, "rules[0].when.partner_id[0]", "whole number"},
		{"partner id huge", `{"rules":[{"id":"a","when":{"partner_id":[99999999999999999999]},"rate":{"percent":"1"}}]}`, "rules[0].when.partner_id[0]", "whole number"},
		{"partner id empty", `{"rules":[{"id":"a","when":{"partner_id":[]},"rate":{"percent":"1"}}]}`, "rules[0].when.partner_id", "at least one"},
		{"new customer string", `{"bonuses":[{"id":"a","when":{"new_customer":"true"},"add":{"fixed":"1"}}]}`, "bonuses[0].when.new_customer", "true or false"},
		{"new customer null", `{"bonuses":[{"id":"a","when":{"new_customer":null},"add":{"fixed":"1"}}]}`, "bonuses[0].when.new_customer", "true or false"},
		{"order amount number", `{"bonuses":[{"id":"a","when":{"order_amount_gte":200},"add":{"fixed":"1"}}]}`, "bonuses[0].when.order_amount_gte", "quote"},
		{"order amount decimals", `{"bonuses":[{"id":"a","when":{"order_amount_gte":"200.001"},"add":{"fixed":"1"}}]}`, "bonuses[0].when.order_amount_gte", "decimals"},
		{"unit price negative", `{"bonuses":[{"id":"a","when":{"unit_price_gte":"-1"},"add":{"fixed":"1"}}]}`, "bonuses[0].when.unit_price_gte", "negative"},
		{"tier without id", `{"tiers":[{"monthly_sales_gte":"1","multiplier":"2"}]}`, "tiers[0].id", "required"},
		{"tier multiplier zero", `{"tiers":[{"id":"t","monthly_sales_gte":"1","multiplier":"0"}]}`, "tiers[0].multiplier", "greater than 0"},
		{"tier multiplier negative", `{"tiers":[{"id":"t","monthly_sales_gte":"1","multiplier":"-1.5"}]}`, "tiers[0].multiplier", "greater than 0"},
		{"tier multiplier number", `{"tiers":[{"id":"t","monthly_sales_gte":"1","multiplier":1.25}]}`, "tiers[0].multiplier", "quote"},
		{"tier multiplier missing", `{"tiers":[{"id":"t","monthly_sales_gte":"1"}]}`, "tiers[0].multiplier", "required"},
		{"tier sales missing", `{"tiers":[{"id":"t","multiplier":"2"}]}`, "tiers[0].monthly_sales_gte", "required"},
		{"tier sales negative", `{"tiers":[{"id":"t","monthly_sales_gte":"-0.01","multiplier":"2"}]}`, "tiers[0].monthly_sales_gte", "negative"},
		{"tier unknown key", `{"tiers":[{"id":"t","monthly_sales_gte":"1","multiplier":"2","yearly":"1"}]}`, "tiers[0].yearly", "known key"},
		{"caps zero", `{"caps":{"daily_conversions":0}}`, "caps.daily_conversions", "positive"},
		{"caps negative", `{"caps":{"monthly_conversions":-5}}`, "caps.monthly_conversions", "positive"},
		{"caps beyond a float", `{"caps":{"daily_conversions":1e309}}`, "caps.daily_conversions", "whole number"},
		{"caps fraction", `{"caps":{"daily_conversions":1.5}}`, "caps.daily_conversions", "whole number"},
		{"caps quoted count", `{"caps":{"daily_conversions":"500"}}`, "caps.daily_conversions", "whole number"},
		{"caps payout number", `{"caps":{"monthly_payout":20000}}`, "caps.monthly_payout", "quote"},
		{"caps payout zero", `{"caps":{"daily_payout":"0.00"}}`, "caps.daily_payout", "greater than 0"},
		{"caps unknown", `{"caps":{"weekly_payout":"1"}}`, "caps.weekly_payout", "known key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := Parse([]byte(tt.json), "EUR")
			var e *pactum.Error
			if !errors.As(err, &e) || e.Code != pactum.EINVALID {
				t.Fatalf("Parse = %+v, %v; want an invalid_argument error", rs, err)
			}
			if e.Field != tt.field || !strings.Contains(e.Message, tt.msg) {
				t.Fatalf("error %q about %q, want one saying %q about %q", e.Message, e.Field, tt.msg, tt.field)
			}
		})
	}
}

func TestParseCurrency(t *testing.T) {
	if _, err := Parse([]byte(`{}`), "XXX"); pactum.ErrorCode(err) != pactum.EINVALID {
		t.Fatalf("unknown currency: %v", err)
	}
	// A JPY amount has no minor unit.
	_, err := Parse([]byte(`{"default":{"fixed":"12.50"}}`), "JPY")
	if pactum.ErrorField(err) != "default.fixed" {
		t.Fatalf("12.50 JPY: %v", err)
	}
}

func TestFieldPrefix(t *testing.T) {
	_, err := Parse([]byte(`{"rules":[{"id":"a","rate":{"percent":"1"}},{"id":"b","rate":{"percent":"101"}}]}`), "EUR")
	if got := pactum.ErrorField(pactum.WithFieldPrefix(err, "events[0].payout")); got != "events[0].payout.rules[1].rate.percent" {
		t.Fatalf("field = %q", got)
	}
}

func TestMarshalCanonical(t *testing.T) {
	tests := []struct{ in, currency, want string }{
		{`{}`, "EUR", `{}`},
		{`{"caps":{},"rules":[],"bonuses":[],"tiers":[]}`, "EUR", `{}`},
		{specExample, "EUR", `{"default":{"percent":"8"},` +
			`"rules":[{"id":"electronics","when":{"category":["electronics"]},"rate":{"percent":"3"}},` +
			`{"id":"hero","when":{"sku":["SHOE-9"]},"rate":{"fixed":"12.00","per":"unit"}},` +
			`{"id":"vip-shoes","when":{"category":["shoes"],"partner_id":[42]},"rate":{"percent":"12"}}],` +
			`"bonuses":[{"id":"new-customer","when":{"new_customer":true},"add":{"fixed":"5.00"}},` +
			`{"id":"big-basket","when":{"order_amount_gte":"200.00"},"add":{"percent":"2"}},` +
			`{"id":"high-ticket","when":{"unit_price_gte":"1000.00"},"add":{"fixed":"20.00","per":"unit"}}],` +
			`"tiers":[{"id":"gold","monthly_sales_gte":"10000.00","multiplier":"1.25"}],` +
			`"caps":{"daily_conversions":500,"monthly_payout":"20000.00"}}`},
		{`{"caps":{"monthly_payout":"20000"},"default":{"fixed":"5"}}`, "EUR", `{"default":{"fixed":"5.00"},"caps":{"monthly_payout":"20000.00"}}`},
		{`{"default":{"fixed":"5"}}`, "BHD", `{"default":{"fixed":"5.000"}}`},
		{`{"default":{"fixed":"5"}}`, "JPY", `{"default":{"fixed":"5"}}`},
		{`{"default":{"percent":"7.50"}}`, "EUR", `{"default":{"percent":"7.5"}}`},
		{`{"default":{"percent":"007"}}`, "EUR", `{"default":{"percent":"7"}}`},
		{`{"rules":[{"id":"a","when":{},"rate":{"percent":"1"}}]}`, "EUR", `{"rules":[{"id":"a","rate":{"percent":"1"}}]}`},
	}
	for _, tt := range tests {
		rs, err := Parse([]byte(tt.in), tt.currency)
		if err != nil {
			t.Fatalf("Parse(%s): %v", tt.in, err)
		}
		got, err := json.Marshal(rs)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tt.want {
			t.Errorf("Marshal(Parse(%s)) =\n%s\nwant\n%s", tt.in, got, tt.want)
		}
	}
}

// equal reports whether two rule sets mean the same: decimals are compared by value, since
// "12.00" and "12" are one amount.
func equal(a, b *RuleSet) bool {
	return deepEqual(reflect.ValueOf(a), reflect.ValueOf(b))
}

func deepEqual(a, b reflect.Value) bool {
	if a.Type() == reflect.TypeFor[decimal.Decimal]() {
		return a.Interface().(decimal.Decimal).Equal(b.Interface().(decimal.Decimal))
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return deepEqual(a.Elem(), b.Elem())
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !deepEqual(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range a.NumField() {
			if !deepEqual(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

func TestUsesCountry(t *testing.T) {
	for raw, want := range map[string]bool{
		`{"default":{"percent":"8"}}`:                                                                    false,
		`{"rules":[{"id":"hero","when":{"sku":["A"]},"rate":{"percent":"9"}}]}`:                          false,
		`{"rules":[{"id":"fr","when":{"country":["FR"]},"rate":{"percent":"9"}}]}`:                       true,
		`{"bonuses":[{"id":"fr","when":{"country":["FR"],"new_customer":true},"add":{"fixed":"1.00"}}]}`: true,
	} {
		rs, err := Parse([]byte(raw), "EUR")
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if got := rs.UsesCountry(); got != want {
			t.Errorf("%s: UsesCountry = %v, want %v", raw, got, want)
		}
	}
}
