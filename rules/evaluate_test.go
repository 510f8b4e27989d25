package rules

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pactum/pactum"
	"github.com/shopspring/decimal"
)

// shopRules is a program a manager of a shoe shop might run: a hero product, a low-margin
// category, deals for one partner, for B2B partners, for Austria, for an influencer's coupon and
// for leads, three bonuses, two tiers and two caps.
const shopRules = `{"default":{"percent":"8"},
 "rules":[
   {"id":"hero","when":{"sku":["SHOE-9"]},"rate":{"fixed":"12.00","per":"unit"}},
   {"id":"low-margin","when":{"category":["electronics","groceries"]},"rate":{"percent":"2.5"}},
   {"id":"vip-42","when":{"partner_id":[42]},"rate":{"percent":"12"}},
   {"id":"b2b","when":{"partner_kind":["b2b"]},"rate":{"percent":"5"}},
   {"id":"austria","when":{"country":["AT"]},"rate":{"percent":"6"}},
   {"id":"anna","when":{"coupon":["ANNA10"]},"rate":{"percent":"10"}},
   {"id":"lead","when":{"event":["lead"]},"rate":{"fixed":"3.00"}}],
 "bonuses":[
   {"id":"new-customer","when":{"new_customer":true},"add":{"fixed":"5.00"}},
   {"id":"big-basket","when":{"order_amount_gte":"200.00"},"add":{"percent":"2"}},
   {"id":"high-ticket","when":{"unit_price_gte":"1000.00"},"add":{"fixed":"20.00","per":"unit"}}],
 "tiers":[{"id":"silver","monthly_sales_gte":"5000.00","multiplier":"1.1"},
          {"id":"gold","monthly_sales_gte":"10000.00","multiplier":"1.25"}],
 "caps":{"daily_conversions":500,"monthly_payout":"20000.00"}}`

func item(sku, category string, qty int64, unitPrice string) Item {
	return Item{SKU: sku, Category: category, Quantity: qty, UnitPrice: dec(unitPrice)}
}

func discounted(it Item, discount string) Item {
	it.Discount = dec(discount)
	return it
}

// evalCase is one order and what it must earn: each line as "rule-id commission", each bonus
// as "bonus-id amount", in order.
type evalCase struct {
	name     string
	rules    string // shopRules when empty
	currency string // EUR when empty
	items    []Item
	amount   string // of an order without items
	// Order fields other than the default purchase by partner 7, an affiliate in Germany.
	event, coupon, country, kind string
	partner                      int64
	newCustomer                  bool
	ctx                          Context

	lines, bonuses []string
	tier           string
	total          string
	cap            string
}

func (tc *evalCase) order() Order {
	o := Order{
		Event: "purchase", Currency: "EUR", Items: tc.items, Coupon: tc.coupon, Country: "DE",
		NewCustomer: tc.newCustomer, PartnerID: 7, PartnerKind: pactum.KindAffiliate,
	}
	if tc.currency != "" {
		o.Currency = tc.currency
	}
	if tc.event != "" {
		o.Event = tc.event
	}
	if tc.country != "" {
		o.Country = tc.country
	}
	if tc.kind != "" {
		o.PartnerKind = tc.kind
	}
	if tc.partner != 0 {
		o.PartnerID = tc.partner
	}
	if tc.amount != "" {
		o.Amount = dec(tc.amount)
	}
	for _, it := range tc.items {
		o.Amount = o.Amount.Add(it.UnitPrice.Mul(decimal.NewFromInt(it.Quantity))).Sub(it.Discount)
	}
	return o
}

func (tc *evalCase) run(t *testing.T) {
	t.Helper()
	src, cur := tc.rules, tc.currency
	if src == "" {
		src = shopRules
	}
	if cur == "" {
		cur = "EUR"
	}
	rs, err := Parse([]byte(src), cur)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Evaluate(rs, tc.order(), tc.ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkBreakdown(t, b, tc.lines, tc.bonuses, tc.tier, tc.total, tc.cap)
}

func checkBreakdown(t testing.TB, b Breakdown, lines, bonuses []string, tier, total, capName string) {
	t.Helper()
	var gotLines, gotBonuses []string
	for _, l := range b.Lines {
		gotLines = append(gotLines, l.RuleID+" "+pactum.FormatAmount(l.Commission, b.Currency))
	}
	for _, x := range b.Bonuses {
		gotBonuses = append(gotBonuses, x.RuleID+" "+pactum.FormatAmount(x.Amount, b.Currency))
	}
	if !slices.Equal(gotLines, lines) {
		t.Errorf("lines = %q, want %q", gotLines, lines)
	}
	if !slices.Equal(gotBonuses, bonuses) {
		t.Errorf("bonuses = %q, want %q", gotBonuses, bonuses)
	}
	if b.Tier != tier {
		t.Errorf("tier = %q, want %q", b.Tier, tier)
	}
	if got := pactum.FormatAmount(b.Total, b.Currency); got != total {
		t.Errorf("total = %s, want %s", got, total)
	}
	if b.Capped != (capName != "") || b.Cap != capName {
		t.Errorf("capped = %v by %q, want cap %q", b.Capped, b.Cap, capName)
	}
	checkInvariants(t, b)
}

// checkInvariants holds for every breakdown: parts rounded to the minor unit and never
// negative, and a total that is their sum, or zero when capped.
func checkInvariants(t testing.TB, b Breakdown) {
	t.Helper()
	digits := pactum.MinorUnits(b.Currency)
	part := func(what string, d decimal.Decimal) {
		if d.IsNegative() || !d.Equal(d.Round(digits)) {
			t.Errorf("%s = %s: negative or not rounded to %d digits", what, d, digits)
		}
	}
	for i, l := range b.Lines {
		part(index("lines", i)+".commission", l.Commission)
		part(index("lines", i)+".amount", l.Amount)
	}
	for i, x := range b.Bonuses {
		part(index("bonuses", i)+".amount", x.Amount)
	}
	part("total", b.Total)
	want := b.Sum()
	if b.Capped {
		want = decimal.Zero
	}
	if !b.Total.Equal(want) {
		t.Errorf("total %s is not the sum of the rounded parts %s (capped %v)", b.Total, b.Sum(), b.Capped)
	}
}

func TestEvaluateShop(t *testing.T) {
	sock := item("SOCK-1", "accessories", 1, "50.00")
	tests := []evalCase{
		{name: "hero SKU pays 12.00 per unit", items: []Item{item("SHOE-9", "shoes", 2, "89.90")},
			lines: []string{"hero 24.00"}, total: "24.00"},
		{name: "low-margin category at 2.5%, 3.725 rounds up", items: []Item{item("TV-55", "electronics", 1, "149.00")},
			lines: []string{"low-margin 3.73"}, total: "3.73"},
		{name: "category ignores case", items: []Item{item("BANANA", "GROCERIES", 4, "2.49")},
			lines: []string{"low-margin 0.25"}, total: "0.25"},
		{name: "SKU is exact", items: []Item{item("shoe-9", "shoes", 1, "89.90")},
			lines: []string{"default 7.19"}, total: "7.19"},
		{name: "basket: hero, low margin, discounted default line, big-basket bonus",
			items: []Item{item("SHOE-9", "shoes", 2, "89.90"), item("TV-55", "electronics", 1, "499.00"),
				discounted(item("SOCK-1", "accessories", 3, "4.99"), "1.00")},
			lines:   []string{"hero 24.00", "low-margin 12.48", "default 1.12"},
			bonuses: []string{"big-basket 13.86"}, total: "51.46"},
		{name: "new customer bonus", items: []Item{sock}, newCustomer: true,
			lines: []string{"default 4.00"}, bonuses: []string{"new-customer 5.00"}, total: "9.00"},
		{name: "big basket: 2% of the order", items: []Item{item("JACKET", "outerwear", 1, "250.00")},
			lines: []string{"default 20.00"}, bonuses: []string{"big-basket 5.00"}, total: "25.00"},
		{name: "big basket: a cent short", items: []Item{item("JACKET", "outerwear", 1, "199.99")},
			lines: []string{"default 16.00"}, total: "16.00"},
		{name: "high-ticket item: 20.00 per unit at 1000.00 or more",
			items: []Item{item("LAPTOP", "electronics", 2, "1299.00"), item("MOUSE", "electronics", 1, "25.00")},
			lines: []string{"low-margin 64.95", "low-margin 0.63"}, bonuses: []string{"big-basket 52.46", "high-ticket 40.00"},
			total: "158.04"},
		{name: "gold tier multiplies lines, not bonuses", items: []Item{sock}, newCustomer: true,
			ctx:   Context{MonthlySales: dec("12000.00")},
			lines: []string{"default 5.00"}, bonuses: []string{"new-customer 5.00"}, tier: "gold", total: "10.00"},
		{name: "silver tier at exactly its threshold", items: []Item{sock}, ctx: Context{MonthlySales: dec("5000.00")},
			lines: []string{"default 4.40"}, tier: "silver", total: "4.40"},
		{name: "no tier a cent below", items: []Item{sock}, ctx: Context{MonthlySales: dec("4999.99")},
			lines: []string{"default 4.00"}, total: "4.00"},
		{name: "daily conversion cap reached", items: []Item{sock}, ctx: Context{DailyConversions: 500},
			lines: []string{"default 4.00"}, total: "0.00", cap: "daily_conversions"},
		{name: "one conversion under the daily cap", items: []Item{sock}, ctx: Context{DailyConversions: 499},
			lines: []string{"default 4.00"}, total: "4.00"},
		{name: "monthly payout cap reached exactly still pays", items: []Item{sock}, ctx: Context{MonthlyPayout: dec("19996.00")},
			lines: []string{"default 4.00"}, total: "4.00"},
		{name: "monthly payout cap passed by a cent", items: []Item{sock}, ctx: Context{MonthlyPayout: dec("19996.01")},
			lines: []string{"default 4.00"}, total: "0.00", cap: "monthly_payout"},
		{name: "partner-specific rule", items: []Item{sock}, partner: 42,
			lines: []string{"vip-42 6.00"}, total: "6.00"},
		{name: "first rule in list order wins for the VIP partner", items: []Item{item("SHOE-9", "shoes", 1, "89.90"), sock}, partner: 42,
			lines: []string{"hero 12.00", "vip-42 6.00"}, total: "18.00"},
		{name: "b2b partner kind", items: []Item{sock}, kind: pactum.KindB2B,
			lines: []string{"b2b 2.50"}, total: "2.50"},
		{name: "country", items: []Item{sock}, country: "AT",
			lines: []string{"austria 3.00"}, total: "3.00"},
		{name: "country ignores case", items: []Item{sock}, country: "at",
			lines: []string{"austria 3.00"}, total: "3.00"},
		{name: "coupon ignores case", items: []Item{sock}, coupon: "anna10",
			lines: []string{"anna 5.00"}, total: "5.00"},
		{name: "lead event without items or amount", event: "lead", amount: "0",
			lines: []string{"lead 3.00"}, total: "3.00"},
		{name: "order without items is one line", amount: "80.00",
			lines: []string{"default 6.40"}, total: "6.40"},
		{name: "order without items is one unit at its amount", amount: "1500.00",
			lines: []string{"default 120.00"}, bonuses: []string{"big-basket 30.00", "high-ticket 20.00"}, total: "170.00"},
		{name: "fully discounted line earns nothing", items: []Item{discounted(sock, "50.00")},
			lines: []string{"default 0.00"}, total: "0.00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.run)
	}
}

func TestEvaluateRates(t *testing.T) {
	tests := []evalCase{
		{name: "fixed without per unit is paid once per order and rule",
			rules: `{"default":{"fixed":"10.00"},"rules":[{"id":"shoes-flat","when":{"category":["shoes"]},"rate":{"fixed":"3.00"}}]}`,
			items: []Item{item("SHOE-9", "shoes", 1, "89.90"), item("BOOT-2", "shoes", 1, "120.00"),
				item("SOCK-1", "accessories", 1, "5.00"), item("CAP-1", "accessories", 2, "15.00")},
			lines: []string{"shoes-flat 3.00", "shoes-flat 0.00", "default 10.00", "default 0.00"}, total: "13.00"},
		{name: "no rule and no default earns nothing",
			rules: `{"rules":[{"id":"hero","when":{"sku":["SHOE-9"]},"rate":{"percent":"10"}}]}`,
			items: []Item{item("SOCK-1", "accessories", 1, "50.00")},
			lines: []string{" 0.00"}, total: "0.00"},
		{name: "empty rule set earns nothing", rules: `{}`, amount: "99.00",
			lines: []string{" 0.00"}, total: "0.00"},
		{name: "percent bonus with a line-level key applies to the matching lines",
			rules: `{"bonuses":[{"id":"shoe-week","when":{"category":["shoes"]},"add":{"percent":"5"}}]}`,
			items: []Item{item("SHOE-9", "shoes", 1, "89.90"), item("SOCK-1", "accessories", 1, "50.00"), item("BOOT-2", "shoes", 1, "110.00")},
			lines: []string{" 0.00", " 0.00", " 0.00"}, bonuses: []string{"shoe-week 10.00"}, total: "10.00"},
		{name: "line-level bonus that matches no line does not apply",
			rules: `{"bonuses":[{"id":"shoe-week","when":{"category":["shoes"]},"add":{"fixed":"1.00"}}]}`,
			items: []Item{item("SOCK-1", "accessories", 1, "50.00")},
			lines: []string{" 0.00"}, total: "0.00"},
		{name: "fixed bonus per unit counts every unit without a line-level key",
			rules: `{"bonuses":[{"id":"per-item","add":{"fixed":"0.50","per":"unit"}}]}`,
			items: []Item{item("SHOE-9", "shoes", 2, "89.90"), item("SOCK-1", "accessories", 3, "5.00")},
			lines: []string{" 0.00", " 0.00"}, bonuses: []string{"per-item 2.50"}, total: "2.50"},
		{name: "order-level bonus key failing skips the bonus",
			rules:  `{"default":{"percent":"10"},"bonuses":[{"id":"de-only","when":{"country":["DE"],"event":["purchase"]},"add":{"fixed":"1.00"}},{"id":"fr-only","when":{"country":["FR"]},"add":{"fixed":"2.00"}}]}`,
			amount: "10.00", lines: []string{"default 1.00"}, bonuses: []string{"de-only 1.00"}, total: "2.00"},
		{name: "JPY has no minor unit", currency: "JPY",
			rules: `{"default":{"percent":"7.5"},"rules":[{"id":"hero","when":{"sku":["SHOE-9"]},"rate":{"fixed":"1200","per":"unit"}}],
				"bonuses":[{"id":"new-customer","when":{"new_customer":true},"add":{"fixed":"500"}}],
				"tiers":[{"id":"gold","monthly_sales_gte":"1000000","multiplier":"1.25"}]}`,
			items: []Item{item("SHOE-9", "shoes", 1, "9990"), item("SOCK-1", "accessories", 1, "2020")}, newCustomer: true,
			lines: []string{"hero 1200", "default 152"}, bonuses: []string{"new-customer 500"}, total: "1852"},
		{name: "JPY gold tier: 189.375 rounds to 189", currency: "JPY",
			rules: `{"default":{"percent":"7.5"},"rules":[{"id":"hero","when":{"sku":["SHOE-9"]},"rate":{"fixed":"1200","per":"unit"}}],
				"tiers":[{"id":"gold","monthly_sales_gte":"1000000","multiplier":"1.25"}]}`,
			items: []Item{item("SHOE-9", "shoes", 1, "9990"), item("SOCK-1", "accessories", 1, "2020")},
			ctx:   Context{MonthlySales: dec("1000000")},
			lines: []string{"hero 1500", "default 189"}, tier: "gold", total: "1689"},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.run)
	}
}

// TestEvaluateRounding holds the cases where binary floating point gives the wrong cent.
func TestEvaluateRounding(t *testing.T) {
	tests := []evalCase{
		// 5.00 × 2.9 / 100 is 0.145 exactly, which float64 holds just under the half: 0.14.
		{name: "2.9% of 5.00 is 0.15", rules: `{"default":{"percent":"2.9"}}`, amount: "5.00",
			lines: []string{"default 0.15"}, total: "0.15"},
		{name: "7.5% of 19.99 (1.49925) is 1.50", rules: `{"default":{"percent":"7.5"}}`, amount: "19.99",
			lines: []string{"default 1.50"}, total: "1.50"},
		// 1.005 in float64 is 1.00499999999999989...: 1.00.
		{name: "0.5% of 201.00 (1.005) is 1.01", rules: `{"default":{"percent":"0.5"}}`, amount: "201.00",
			lines: []string{"default 1.01"}, total: "1.01"},
		{name: "tier multiplier makes a half: 0.67 × 1.5 is 1.01",
			rules: `{"default":{"percent":"10"},"tiers":[{"id":"all","monthly_sales_gte":"0","multiplier":"1.5"}]}`, amount: "6.70",
			lines: []string{"default 1.01"}, tier: "all", total: "1.01"},
		{name: "below the half rounds down", rules: `{"default":{"percent":"1.1"}}`, amount: "1.15",
			lines: []string{"default 0.01"}, total: "0.01"},
		{name: "total is the sum of rounded lines, not the rounded sum", rules: `{"default":{"percent":"2.9"}}`,
			items: []Item{item("A", "", 1, "5.00"), item("B", "", 1, "5.00"), item("C", "", 1, "5.00")},
			lines: []string{"default 0.15", "default 0.15", "default 0.15"}, total: "0.45"},
		{name: "bonus rounded on its own", rules: `{"bonuses":[{"id":"b","add":{"percent":"2.9"}}]}`, amount: "5.00",
			lines: []string{" 0.00"}, bonuses: []string{"b 0.15"}, total: "0.15"},
		{name: "BHD has three digits", currency: "BHD", rules: `{"default":{"percent":"0.5"}}`, amount: "0.101",
			lines: []string{"default 0.001"}, total: "0.001"},
		{name: "a tiny commission rounds to zero, never below", rules: `{"default":{"percent":"0.01"}}`, amount: "0.01",
			lines: []string{"default 0.00"}, total: "0.00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.run)
	}
}

// specOrder is the order of SPEC section 4, verbatim.
const specOrder = `{"offer_id":12,"event":"purchase","order_id":"A-1001","currency":"EUR","amount":"249.80",
 "click_id":"...","coupon":"ANNA10","customer_id":"c-77","new_customer":true,
 "items":[{"sku":"SHOE-9","category":"shoes","quantity":2,"unit_price":"99.90"},
          {"sku":"SOCK-1","category":"accessories","quantity":1,"unit_price":"50.00"}]}`

// TestEvaluateSpecExample evaluates the order of SPEC section 4 against the rule set of
// section 5, for partner 42 (who has a rule of their own) with and without the gold tier.
func TestEvaluateSpecExample(t *testing.T) {
	var in struct {
		Event, Currency, Amount, Coupon string
		NewCustomer                     bool `json:"new_customer"`
		Items                           []struct {
			SKU, Category string
			Quantity      int64
			UnitPrice     string `json:"unit_price"`
		}
	}
	if err := json.Unmarshal([]byte(specOrder), &in); err != nil {
		t.Fatal(err)
	}
	o := Order{Event: in.Event, Currency: in.Currency, Amount: dec(in.Amount), Coupon: in.Coupon,
		NewCustomer: in.NewCustomer, PartnerID: 42, PartnerKind: pactum.KindInfluencer}
	for _, it := range in.Items {
		o.Items = append(o.Items, item(it.SKU, it.Category, it.Quantity, it.UnitPrice))
	}
	rs, err := Parse([]byte(specExample), "EUR")
	if err != nil {
		t.Fatal(err)
	}

	// SHOE-9 matches "hero" before "vip-shoes"; SOCK-1 matches nothing and takes 8%.
	b, err := Evaluate(rs, o, Context{})
	if err != nil {
		t.Fatal(err)
	}
	checkBreakdown(t, b, []string{"hero 24.00", "default 4.00"}, []string{"new-customer 5.00", "big-basket 5.00"}, "", "38.00", "")
	// 2% of 249.80 is 4.996.
	if bl := b.Bonuses[1]; !bl.Base.Equal(dec("249.80")) || bl.Units != 3 {
		t.Errorf("big-basket base %s over %d units, want 249.80 over 3", bl.Base, bl.Units)
	}

	b, err = Evaluate(rs, o, Context{MonthlySales: dec("10000.00")})
	if err != nil {
		t.Fatal(err)
	}
	checkBreakdown(t, b, []string{"hero 30.00", "default 5.00"}, []string{"new-customer 5.00", "big-basket 5.00"}, "gold", "45.00", "")

	b, err = Evaluate(rs, o, Context{MonthlyPayout: dec("19970.00")})
	if err != nil {
		t.Fatal(err)
	}
	checkBreakdown(t, b, []string{"hero 24.00", "default 4.00"}, []string{"new-customer 5.00", "big-basket 5.00"}, "", "0.00", "monthly_payout")
}

func TestValidateOrder(t *testing.T) {
	valid := func() Order {
		return Order{Currency: "EUR", Amount: dec("249.80"), Items: []Item{
			item("SHOE-9", "shoes", 2, "99.90"), item("SOCK-1", "accessories", 1, "50.00")}}
	}
	tests := []struct {
		name  string
		edit  func(o *Order)
		field string
		msg   string
	}{
		{"valid", func(o *Order) {}, "", ""},
		{"valid without items", func(o *Order) { o.Items = nil }, "", ""},
		{"valid with a discount", func(o *Order) { o.Items[0].Discount = dec("9.80"); o.Amount = dec("240.00") }, "", ""},
		{"valid with sub-cent unit prices that round to the amount", func(o *Order) {
			o.Items = []Item{item("BOLT", "hardware", 3, "0.333")}
			o.Amount = dec("1.00")
		}, "", ""},
		{"unknown currency", func(o *Order) { o.Currency = "EURO" }, "currency", "not a currency"},
		{"negative amount", func(o *Order) { o.Items = nil; o.Amount = dec("-1.00") }, "amount", "negative"},
		{"zero quantity", func(o *Order) { o.Items[1].Quantity = 0 }, "items[1].quantity", "at least 1"},
		{"huge quantity", func(o *Order) { o.Items[1].Quantity = 2_000_000_000 }, "items[1].quantity", "at most"},
		{"negative unit price", func(o *Order) { o.Items[1].UnitPrice = dec("-50.00") }, "items[1].unit_price", "negative"},
		{"negative discount", func(o *Order) { o.Items[0].Discount = dec("-1") }, "items[0].discount", "negative"},
		{"discount over the line", func(o *Order) { o.Items[1].Discount = dec("50.01") }, "items[1].discount", "more than the line"},
		{"amount disagrees", func(o *Order) { o.Amount = dec("249.81") }, "amount", "add up to 249.80"},
		{"amount ignores the discount", func(o *Order) { o.Items[1].Discount = dec("5.00") }, "amount", "add up to 244.80"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := valid()
			tt.edit(&o)
			err := ValidateOrder(o)
			if tt.field == "" && tt.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if pactum.ErrorCode(err) != pactum.EINVALID || pactum.ErrorField(err) != tt.field || !strings.Contains(pactum.ErrorMessage(err), tt.msg) {
				t.Fatalf("ValidateOrder = %v, want invalid_argument about %q saying %q", err, tt.field, tt.msg)
			}
			rs, _ := Parse([]byte(shopRules), "EUR")
			if _, err2 := Evaluate(rs, o, Context{}); pactum.ErrorField(err2) != tt.field {
				t.Fatalf("Evaluate = %v, want the same error as ValidateOrder", err2)
			}
		})
	}
}

func TestEvaluateCurrencyMismatch(t *testing.T) {
	rs, err := Parse([]byte(shopRules), "EUR")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Evaluate(rs, Order{Currency: "USD", Amount: dec("10.00")}, Context{})
	if pactum.ErrorField(err) != "currency" || !strings.Contains(pactum.ErrorMessage(err), "convert") {
		t.Fatalf("Evaluate in USD against EUR rules = %v, want an error about currency", err)
	}
	if _, err := Evaluate(nil, Order{Currency: "EUR"}, Context{}); err == nil {
		t.Fatal("Evaluate with a nil rule set: no error")
	}
}

// TestEvaluatePure checks that Evaluate leaves its inputs alone, so that a simulation can
// replay the same orders against many drafts.
func TestEvaluatePure(t *testing.T) {
	rs, err := Parse([]byte(shopRules), "EUR")
	if err != nil {
		t.Fatal(err)
	}
	before, _ := json.Marshal(rs)
	items := []Item{item("SHOE-9", "shoes", 2, "89.90"), item("LAPTOP", "electronics", 1, "1299.00")}
	o := Order{Event: "purchase", Currency: "EUR", Amount: dec("1478.80"), Items: items, NewCustomer: true}
	first, err := Evaluate(rs, o, Context{MonthlySales: dec("20000")})
	if err != nil {
		t.Fatal(err)
	}
	second, _ := Evaluate(rs, o, Context{MonthlySales: dec("20000")})
	a, _ := json.Marshal(first)
	b, _ := json.Marshal(second)
	if string(a) != string(b) {
		t.Fatalf("two evaluations differ:\n%s\n%s", a, b)
	}
	if after, _ := json.Marshal(rs); string(after) != string(before) {
		t.Fatalf("rule set changed:\n%s\n%s", before, after)
	}
	if items[0].SKU != "SHOE-9" || !items[1].UnitPrice.Equal(dec("1299.00")) {
		t.Fatalf("items changed: %+v", items)
	}
}

func TestBreakdownJSON(t *testing.T) {
	rs, err := Parse([]byte(specExample), "EUR")
	if err != nil {
		t.Fatal(err)
	}
	o := Order{Event: "purchase", Currency: "EUR", Amount: dec("1249.80"), NewCustomer: true, PartnerID: 7,
		Items: []Item{item("SHOE-9", "shoes", 2, "99.90"), item("SOCK-1", "accessories", 1, "50.00"),
			item("TV-55", "electronics", 1, "1000.00")}}
	b, err := Evaluate(rs, o, Context{MonthlySales: dec("10000.00"), DailyConversions: 500})
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"currency":"EUR","lines":[` +
		`{"sku":"SHOE-9","category":"shoes","quantity":2,"amount":"199.80","rule_id":"hero","rate":{"fixed":"12.00","per":"unit"},"multiplier":"1.25","commission":"30.00"},` +
		`{"sku":"SOCK-1","category":"accessories","quantity":1,"amount":"50.00","rule_id":"default","rate":{"percent":"8"},"multiplier":"1.25","commission":"5.00"},` +
		`{"sku":"TV-55","category":"electronics","quantity":1,"amount":"1000.00","rule_id":"electronics","rate":{"percent":"3"},"multiplier":"1.25","commission":"37.50"}],` +
		`"bonuses":[{"rule_id":"new-customer","rate":{"fixed":"5.00"},"base":"1249.80","units":4,"amount":"5.00"},` +
		`{"rule_id":"big-basket","rate":{"percent":"2"},"base":"1249.80","units":4,"amount":"25.00"},` +
		`{"rule_id":"high-ticket","rate":{"fixed":"20.00","per":"unit"},"base":"1000.00","units":1,"amount":"20.00"}],` +
		`"tier":"gold","multiplier":"1.25","total":"0.00","capped":true,"cap":"daily_conversions"}`
	if string(got) != want {
		t.Fatalf("Marshal =\n%s\nwant\n%s", got, want)
	}
	var back Breakdown
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if !equalBreakdown(b, back) {
		t.Fatalf("round trip:\n%+v\nwant\n%+v", back, b)
	}

	// A line no rule priced has no rate, and JPY has no decimals.
	rs, _ = Parse([]byte(`{}`), "JPY")
	b, _ = Evaluate(rs, Order{Currency: "JPY", Amount: dec("1200")}, Context{})
	got, _ = json.Marshal(b)
	if want := `{"currency":"JPY","lines":[{"quantity":1,"amount":"1200","multiplier":"1","commission":"0"}],"multiplier":"1","total":"0"}`; string(got) != want {
		t.Fatalf("Marshal =\n%s\nwant\n%s", got, want)
	}
	back = Breakdown{}
	if err := json.Unmarshal(got, &back); err != nil || !equalBreakdown(b, back) {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
}

func TestBreakdownJSONInvalid(t *testing.T) {
	tests := []struct{ json, field string }{
		{`[]`, ""},
		{`{"currency":"XXX","multiplier":"1","total":"0"}`, "currency"},
		{`{"currency":"EUR","multiplier":"x","total":"0.00"}`, "multiplier"},
		{`{"currency":"EUR","multiplier":"1","total":"1.001"}`, "total"},
		{`{"currency":"EUR","multiplier":"1","total":"1","lines":[{"quantity":1,"amount":"1","multiplier":"1","commission":"0","rate":{"percent":"x"}}]}`, "lines[0].rate.percent"},
		{`{"currency":"EUR","multiplier":"1","total":"1","lines":[{"quantity":1,"amount":"","multiplier":"1","commission":"0"}]}`, "lines[0].amount"},
		{`{"currency":"EUR","multiplier":"1","total":"1","bonuses":[{"rule_id":"b","rate":{"fixed":"1"},"base":"1","units":1,"amount":"-"}]}`, "bonuses[0].amount"},
	}
	for _, tt := range tests {
		var b Breakdown
		err := json.Unmarshal([]byte(tt.json), &b)
		if pactum.ErrorCode(err) != pactum.EINVALID || pactum.ErrorField(err) != tt.field {
			t.Errorf("Unmarshal(%s) = %v, want an error about %q", tt.json, err, tt.field)
		}
	}
}

func TestParseReservesDefaultID(t *testing.T) {
	_, err := Parse([]byte(`{"rules":[{"id":"default","rate":{"percent":"1"}}]}`), "EUR")
	if pactum.ErrorField(err) != "rules[0].id" {
		t.Fatalf("Parse with a rule named default = %v, want an error about rules[0].id", err)
	}
}

// equalBreakdown compares decimals by value, as "12.00" and "12" are one amount.
func equalBreakdown(a, b Breakdown) bool {
	return deepEqual(reflect.ValueOf(a), reflect.ValueOf(b))
}
