package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/pactum/pactum"
)

// reflected is conversionJSON without its MarshalJSON: what encoding/json makes of the struct
// tags, the reference the view's own encoder is held to.
type reflected conversionJSON

// tokens reads a JSON text as its token stream: members in order, strings unescaped, numbers as
// written.
func tokens(t *testing.T, data []byte) []any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out []any
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("not JSON: %v\n%s", err, data)
		}
		out = append(out, tok)
	}
}

// randomConversionJSON makes a view with every optional part present or absent, nil and empty
// lists, and texts that need escaping.
func randomConversionJSON(r *rand.Rand) conversionJSON {
	texts := []string{"", "SHOE-9", `quo"te\back`, "line\nbreak\ttab\x01\x1f", "<a href='x'>&amp;</a>",
		"Zürich 東京 🎉", "\u2028\u2029", "bad \xff\xfe utf-8", "/c/BENCH?sub1=a&sub2=b"}
	text := func() string { return texts[r.IntN(len(texts))] }
	maybe := func() bool { return r.IntN(2) == 0 }
	strPtr := func() *string {
		if maybe() {
			return nil
		}
		s := text()
		return &s
	}
	intPtr := func() *int64 {
		if maybe() {
			return nil
		}
		n := r.Int64N(1 << 40)
		return &n
	}
	at := func() time.Time {
		zones := []*time.Location{time.UTC, time.FixedZone("CET", 3600), time.FixedZone("X", -(5*3600 + 30*60))}
		return time.Unix(r.Int64N(4e9), r.Int64N(1e9)*int64(r.IntN(2))).In(zones[r.IntN(len(zones))])
	}
	timePtr := func() *time.Time {
		if maybe() {
			return nil
		}
		t := at()
		return &t
	}
	raws := []json.RawMessage{nil, json.RawMessage(`{"total":"20.78","lines":[{"sku":"SHOE-9","why":"hero \"12.00\" × 1"}]}`),
		json.RawMessage(`null`), json.RawMessage(`{}`)}
	v := conversionJSON{
		ID: r.Int64N(1 << 50), OfferID: r.Int64N(100), AdvertiserID: r.Int64N(100), Event: text(), PartnerID: intPtr(),
		ClickID: text(), OrderID: text(), Currency: "EUR", Amount: "129.90",
		Coupon: text(), CustomerID: text(), NewCustomer: maybe(), Country: text(), Attribution: text(),
		Status: text(), Reason: text(), Held: maybe(), Source: text(), Time: at(),
		Commission: commissionJSON{Payout: "10.39", Revenue: strPtr(), PayoutBreakdown: raws[r.IntN(len(raws))],
			RevenueBreakdown: raws[r.IntN(len(raws))], PartnerCurrency: text(), PartnerPayout: "9.01", FXRate: strPtr(),
			ApproveAt: timePtr(), ApprovedAt: timePtr(), PayoutID: intPtr()},
		RefundedAmount: "0.00", CreatedAt: at(), UpdatedAt: at(),
	}
	if !maybe() {
		v.Items = []lineItemJSON{}
		for range r.IntN(4) {
			v.Items = append(v.Items, lineItemJSON{SKU: text(), Category: text(), Quantity: r.Int64N(1000),
				UnitPrice: "12.00", Discount: "-0.50", RefundedQuantity: r.Int64N(3)})
		}
	}
	if !maybe() {
		v.Flags = []string{}
		for range r.IntN(3) {
			v.Flags = append(v.Flags, text())
		}
	}
	if !maybe() {
		v.Reasons = []reasonJSON{}
		for range r.IntN(3) {
			v.Reasons = append(v.Reasons, reasonJSON{Code: text(), Description: text()})
		}
	}
	if !maybe() {
		v.Refunds = []refundJSON{}
		for range r.IntN(3) {
			rf := refundJSON{ID: text(), Time: at(), Amount: "5.00", PayoutBefore: "1.00", PayoutAfter: "0.50",
				RevenueBefore: strPtr(), RevenueAfter: strPtr()}
			if maybe() {
				rf.Items = []pactum.RefundItem{{SKU: text(), Quantity: r.Int64N(5)}}
			}
			v.Refunds = append(v.Refunds, rf)
		}
	}
	if maybe() {
		d := maybe()
		v.Duplicate = &d
	}
	if maybe() {
		v.Error = &errorJSON{Code: text(), Message: text()}
	}
	return v
}

// TestConversionJSONAsReflected: the view's encoder writes what encoding/json writes for its
// struct tags, member for member and in the same order, for views with every part present or
// absent; and the answer path (writeJSON) and the lists (MarshalJSON) use it.
func TestConversionJSONAsReflected(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		v := randomConversionJSON(r)
		want, err := json.Marshal((*reflected)(&v))
		if err != nil {
			t.Fatal(err)
		}
		got := v.appendJSON(nil)
		if !slices.EqualFunc(tokens(t, got), tokens(t, want), func(a, b any) bool { return a == b }) {
			t.Fatalf("view %d:\n got %s\nwant %s", i, got, want)
		}
		for _, answer := range []any{&v, v} {
			rec := httptest.NewRecorder()
			writeJSON(rec, http.StatusCreated, answer)
			if body := rec.Body.Bytes(); !bytes.Equal(body, append(slices.Clone(got), '\n')) {
				t.Fatalf("view %d answered as %T:\n got %s\nwant %s", i, answer, body, got)
			}
		}
		listed, err := json.Marshal([]conversionJSON{v})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(listed, append(append([]byte{'['}, got...), ']')) {
			t.Fatalf("view %d in a list:\n got %s\nwant [%s]", i, listed, got)
		}
	}
}

// BenchmarkConversionAnswer: the conversion answer's encoding, by the view's encoder and by
// encoding/json's reflection over the same struct.
func BenchmarkConversionAnswer(b *testing.B) {
	v := conversionJSON{ID: 123456, OfferID: 1, AdvertiserID: 1, Event: "purchase", PartnerID: new(int64(7)),
		ClickID: "AZfT0bq3cXl9uR2mK8vWnQ", OrderID: "ORD-2026-000123", Currency: "EUR", Amount: "129.90",
		Items: []lineItemJSON{
			{SKU: "SHOE-9", Category: "shoes", Quantity: 1, UnitPrice: "89.90", Discount: "0.00"},
			{SKU: "SOCK-2", Category: "socks", Quantity: 2, UnitPrice: "10.00", Discount: "0.00"},
			{SKU: "CARE-1", Category: "care", Quantity: 1, UnitPrice: "20.00", Discount: "0.00"},
		},
		CustomerID: "cust-42", NewCustomer: true, Country: "DE", Attribution: "click", Status: "pending",
		Flags: []string{}, Reasons: []reasonJSON{}, Source: "api", Time: time.Now().UTC(),
		Commission: commissionJSON{Payout: "18.40", Revenue: new("15.59"),
			PayoutBreakdown:  json.RawMessage(`{"currency":"EUR","lines":[{"sku":"SHOE-9","category":"shoes","quantity":1,"amount":"89.90","rule":"hero","rate":{"fixed":"12.00","per":"unit"},"commission":"12.00"},{"sku":"SOCK-2","category":"socks","quantity":2,"amount":"20.00","rule":"default","rate":{"percent":"8"},"commission":"1.60"},{"sku":"CARE-1","category":"care","quantity":1,"amount":"20.00","rule":"default","rate":{"percent":"8"},"commission":"1.60"}],"bonuses":[{"id":"new-customer","amount":"5.00"}],"total":"20.20"}`),
			RevenueBreakdown: json.RawMessage(`{"currency":"EUR","lines":[{"sku":"SHOE-9","amount":"89.90","rate":{"percent":"12"},"commission":"10.79"}],"total":"15.59"}`),
			PartnerCurrency:  "EUR", PartnerPayout: "18.40", ApproveAt: new(time.Now().UTC())},
		RefundedAmount: "0.00", Refunds: []refundJSON{}, CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC(),
		Duplicate: new(false),
	}
	b.Run("appendJSON", func(b *testing.B) {
		buf := make([]byte, 0, 4096)
		for b.Loop() {
			buf = v.appendJSON(buf[:0])
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode((*reflected)(&v)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
