package report

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

func memoFacts() []fact {
	c := &pactum.Conversion{ID: 7, OfferID: 3, PartnerID: 9, Event: "purchase", Currency: "EUR", Status: pactum.ConversionApproved,
		Attribution: pactum.AttributionClick, Time: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC),
		ClickTime: time.Date(2026, 11, 20, 11, 0, 0, 0, time.UTC), Country: "DE", Coupon: "ANNA10", NewCustomer: true,
		Amount: decimal.RequireFromString("249.80"), Payout: decimal.RequireFromString("33.00"), Revenue: decimal.RequireFromString("29.98"),
		RefundedAmount: decimal.RequireFromString("50.00"),
		Items: []pactum.LineItem{
			{SKU: "HERO", Category: "shoes", Quantity: 2, UnitPrice: decimal.RequireFromString("99.90")},
			{SKU: "SOCK", Category: "wear", Quantity: 1, UnitPrice: decimal.RequireFromString("50.00"), RefundedQuantity: 1}}}
	click := &pactum.ClickDims{Sub: [5]string{"ig", "", "ü", "", "x"}, Source: "story", Device: "mobile", OS: "iOS", Browser: "Safari"}
	return conversionFacts(c, click, nil, nil)
}

func TestMemoRoundTrip(t *testing.T) {
	facts := memoFacts()
	// Every metric kept, each with its own value, negative too (a memo takes away).
	if n := reflect.TypeFor[pactum.Metrics]().NumField(); n != memoMetricCount {
		t.Fatalf("pactum.Metrics has %d fields, memos keep %d: add the new one to memoMetrics", n, memoMetricCount)
	}
	for i, v := range memoMetrics(&facts[0].m) {
		*v = int64(i+1) * -1_000_003
	}
	data, err := encodeMemo(facts)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeMemo(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, facts) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, facts)
	}
	// Memos stored before the binary form are JSON, and still read.
	old := make([]jsonMemoFact, len(facts))
	for i, f := range facts {
		old[i] = jsonMemoFact{At: f.at, Offer: f.offer, Partner: f.partner, Dims: f.dims, Line: f.line, SKU: f.sku,
			Category: f.cat, Rejected: f.rejected, M: f.m}
	}
	js, err := json.Marshal(old)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decodeMemo(js); err != nil || !reflect.DeepEqual(got, facts) {
		t.Fatalf("JSON memo: %v\n got %+v\nwant %+v", err, got, facts)
	}
	t.Logf("memo of %d facts: %d bytes, %d as JSON", len(facts), len(data), len(js))
	for _, bad := range [][]byte{nil, {}, {2}, data[:len(data)-1], append(append([]byte{}, data...), 0), {1, 0xff, 0xff, 0xff, 0xff, 0x0f}} {
		if _, err := decodeMemo(bad); err == nil {
			t.Errorf("decodeMemo(%x) took it", bad)
		}
	}
}

func FuzzDecodeMemo(f *testing.F) {
	data, err := encodeMemo(memoFacts())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`[{"t":1,"o":2,"d":["a"],"m":{"Sales":5}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		facts, err := decodeMemo(data)
		if err != nil || (len(data) > 0 && data[0] == '[') {
			return
		}
		again, err := encodeMemo(facts)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := decodeMemo(again); err != nil || !reflect.DeepEqual(back, facts) {
			t.Fatalf("%x decodes to %+v, which does not round-trip: %v", data, facts, err)
		}
	})
}

func TestBreakdownLines(t *testing.T) {
	raw := json.RawMessage(`{"currency":"EUR","lines":[{"sku":"HERO","category":"shoes","quantity":2,"amount":"199.80","rule_id":"hero",` +
		`"rate":{"fixed":"12.00","per":"unit"},"multiplier":"1","commission":"24.00"},{"sku":"SO\"CK","quantity":1,"amount":"50.00",` +
		`"multiplier":"1","commission":"4.00"}],"bonuses":[{"rule_id":"new","rate":{"fixed":"5.00"},"base":"0.00","units":1,"amount":"5.00"}],"tier":"gold"}`)
	// PostgreSQL's jsonb gives it back with spaces and its own order of keys.
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	spaced, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []json.RawMessage{raw, spaced} {
		got, ok := breakdownLines(b, "EUR")
		if !ok || !reflect.DeepEqual(got, []int64{2400, 400}) || !reflect.DeepEqual(lineCommissions(b, nil, 2, false, "EUR"), got) {
			t.Errorf("breakdownLines(%s) = %v %v", b, got, ok)
		}
	}
	for _, b := range []string{`{"lines":[{"commission":"1.00"}],"lines":[]}`, `{"lines":[{"commi\u0073sion":"1.00"}]}`,
		`{"lines":[{"commission":1}]}`, `{"lines":[{}]}`, `{"lines":[]} x`, `{"lines":{}}`, `{"lines":[{"commission":"1.00"}]`} {
		if got, ok := breakdownLines([]byte(b), "EUR"); ok {
			t.Errorf("breakdownLines(%s) = %v, ok", b, got)
		}
	}
}

// FuzzBreakdownLines: what breakdownLines reads, encoding/json reads alike.
func FuzzBreakdownLines(f *testing.F) {
	f.Add([]byte(`{"currency":"EUR","lines":[{"sku":"A","commission":"1.50","rate":{"percent":"8"}},{"commission":"0.00"}],"bonuses":[]}`))
	f.Add([]byte(`{"lines": [{"commission": "2.00", "x": [1, {"y": "]"}]}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		fast, ok := breakdownLines(raw, "EUR")
		if !ok {
			return
		}
		if slow := decodeLineCommissions(raw, len(fast), "EUR"); !slices.Equal(fast, slow) {
			t.Fatalf("%s: breakdownLines %v, encoding/json %v", raw, fast, slow)
		}
	})
}
