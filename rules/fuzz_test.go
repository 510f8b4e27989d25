package rules

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/pactum/pactum"
	"github.com/shopspring/decimal"
)

// Currencies with 2, 0 and 3 minor-unit digits; the fuzzers pick one by index rather than
// spending their time on currency codes that do not exist.
var currencies = []string{"EUR", "JPY", "BHD"}

// ruleSetSeeds are rule sets, each with the index of a currency, that the fuzzers start from.
var ruleSetSeeds = []struct {
	json string
	cur  uint8
}{
	{specExample, 0},
	{`{}`, 1},
	{`{"default":{"fixed":"1.5","per":"unit"},"caps":{"daily_payout":"7"}}`, 2},
	{`{"rules":[{"id":"a","when":{"country":["DE"],"partner_kind":["b2b"],"coupon":["X"],"event":["lead"]},"rate":{"percent":"0.5"}}]}`, 0},
	{`{"tiers":[{"id":"t","monthly_sales_gte":"0","multiplier":"1.000"}]}`, 1},
}

// FuzzParse checks that Parse never panics, that it fails only with the promised error, and that
// whatever it accepts survives the trip through its canonical form unchanged.
func FuzzParse(f *testing.F) {
	for _, s := range ruleSetSeeds {
		f.Add([]byte(s.json), s.cur)
	}
	f.Fuzz(func(t *testing.T, data []byte, cur uint8) {
		currency := currencies[int(cur)%len(currencies)]
		rs, err := Parse(data, currency)
		if err != nil {
			if pactum.ErrorCode(err) != pactum.EINVALID {
				t.Fatalf("Parse error %v is not invalid_argument", err)
			}
			return
		}
		canonical, err := json.Marshal(rs)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse(canonical, currency)
		if err != nil {
			t.Fatalf("canonical form %s of %s does not parse: %v", canonical, data, err)
		}
		if !equal(rs, again) {
			t.Fatalf("%s re-parses from %s to %+v, want %+v", data, canonical, again, rs)
		}
		if twice, _ := json.Marshal(again); string(twice) != string(canonical) {
			t.Fatalf("canonical form not stable: %s then %s", canonical, twice)
		}
	})
}

// FuzzEvaluate evaluates random orders against the rule sets the fuzzer derives from the seeds,
// and checks what holds for every commission: no panic, no error for a valid order, parts
// rounded to the minor unit and never negative, a total that is their sum (zero when capped),
// and a breakdown that survives its JSON form.
func FuzzEvaluate(f *testing.F) {
	for i, s := range ruleSetSeeds {
		f.Add([]byte(s.json), s.cur, uint64(i))
	}
	f.Add([]byte(shopRules), uint8(0), uint64(99))
	f.Fuzz(func(t *testing.T, data []byte, cur uint8, seed uint64) {
		currency := currencies[int(cur)%len(currencies)]
		rs, err := Parse(data, currency)
		if err != nil {
			return
		}
		r := rand.New(rand.NewPCG(seed, seed>>32))
		for range 8 {
			o, c := randomOrder(r, currency)
			b, err := Evaluate(rs, o, c)
			if err != nil {
				t.Fatalf("Evaluate(%s, %+v): %v", data, o, err)
			}
			if want := max(1, len(o.Items)); len(b.Lines) != want {
				t.Fatalf("%d lines for %d items", len(b.Lines), len(o.Items))
			}
			checkInvariants(t, b)
			raw, err := json.Marshal(b)
			if err != nil {
				t.Fatal(err)
			}
			var back Breakdown
			if err := json.Unmarshal(raw, &back); err != nil {
				t.Fatalf("Unmarshal(%s): %v", raw, err)
			}
			if !equalBreakdown(b, back) {
				t.Fatalf("round trip through %s changed the breakdown", raw)
			}
		}
	})
}

// randomOrder returns a valid order in currency, and a partner context, made of values the seed
// rule sets look for, in both cases, and of values they do not.
func randomOrder(r *rand.Rand, currency string) (Order, Context) {
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	digits := pactum.MinorUnits(currency)
	// money returns an amount of up to limit minor units, with the currency's digits.
	money := func(limit int64) decimal.Decimal { return decimal.New(r.Int64N(limit+1), -digits) }
	o := Order{
		Event:       pick("purchase", "lead", "Purchase", ""),
		Currency:    currency,
		Coupon:      pick("", "ANNA10", "anna10", "X", "SUMMER"),
		Country:     pick("", "DE", "AT", "de", "FR"),
		NewCustomer: r.IntN(2) == 0,
		PartnerID:   []int64{1, 2, 7, 42}[r.IntN(4)],
		PartnerKind: pick(pactum.KindAffiliate, pactum.KindInfluencer, pactum.KindB2B, pactum.KindReferral),
	}
	for range r.IntN(6) {
		it := Item{
			SKU:      pick("SHOE-9", "shoe-9", "SOCK-1", "TV-55", "A", ""),
			Category: pick("shoes", "electronics", "Electronics", "accessories", "c", ""),
			Quantity: 1 + r.Int64N(5),
		}
		if r.IntN(20) == 0 {
			it.Quantity = maxQuantity
		}
		it.UnitPrice = money(oneOf(r, 100, 10_000, 500_000))
		if r.IntN(3) == 0 {
			gross := it.UnitPrice.Mul(decimal.NewFromInt(it.Quantity))
			it.Discount = decimal.New(r.Int64N(gross.Shift(digits).IntPart()+1), -digits)
		}
		o.Items = append(o.Items, it)
		o.Amount = o.Amount.Add(it.UnitPrice.Mul(decimal.NewFromInt(it.Quantity))).Sub(it.Discount)
	}
	if len(o.Items) == 0 {
		o.Amount = money(oneOf(r, 0, 1000, 5_000_000))
	}
	c := Context{
		MonthlySales:       money(oneOf(r, 0, 1_000_000, 3_000_000)),
		DailyConversions:   r.Int64N(600),
		MonthlyConversions: r.Int64N(20_000),
		DailyPayout:        money(1_000_000),
		MonthlyPayout:      money(oneOf(r, 0, 1_000_000, 2_100_000)),
	}
	return o, c
}

// oneOf picks one of a few bounds, so that values land on both sides of the thresholds.
func oneOf(r *rand.Rand, bounds ...int64) int64 { return bounds[r.IntN(len(bounds))] }
