package api

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pactum/pactum/internal/jsonwalk"
	"github.com/pactum/pactum/program"
)

var conversionReportType = reflect.TypeFor[*program.ConversionReport]()

func TestQuickCheck(t *testing.T) {
	if !plainNames(conversionReportType) || !plainNames(reflect.TypeFor[*program.OfferInput]()) {
		t.Fatal("the conversion and offer inputs have a field name quickCheck does not take: every conversion would take the slow walk")
	}
	type cased struct {
		OrderID string `json:"orderId"`
	}
	if plainNames(reflect.TypeFor[*cased]()) {
		t.Fatal("a field named orderId is plain")
	}
	clean := `{"click_id":"c.1","event":"purchase","order_id":"lt-1","amount":"199.80","currency":"EUR","customer_id":"cust-1",
		"items":[{"sku":"SHOE-9","category":"shoes","quantity":1,"unit_price":"99.90"},{"sku":"SOCK","quantity":2,"unit_price":"9.95","discount":"0.00"}],
		"country":"DE","coupon":"ANNA10","note":"Grüße \"quoted\" \\ \/ \n","x":[],"y":{},"z":[1,-2.5e+3,true,false,null]}`
	if !quickCheck([]byte(clean), conversionReportType) {
		t.Fatalf("a clean body takes the slow walk: %s", clean)
	}
	for _, body := range []string{
		`{"amount":"1","amount":"2"}`,                 // twice: checkBody names it
		`{"items":[{"sku":"a","sku":"b"}]}`,           // twice, nested
		`{"Amount":"1"}`,                              // another case
		`{"note":"\u00e9"}`,                           // an escape checkBody reads
		"{\"note\":\"\xff\"}",                         // not UTF-8
		`{"note":"a` + "\n" + `"}`,                    // not JSON
		`{"amount":"1"`, `{"amount" "1"}`, `{"a":1,}`, // not JSON
		`{"a":1} x`, ``, `[`, `"`,
		strings.Repeat("[", jsonwalk.MaxDepth+2) + strings.Repeat("]", jsonwalk.MaxDepth+2),
	} {
		if quickCheck([]byte(body), conversionReportType) {
			t.Errorf("quickCheck passes %q", body)
		}
	}
}

// FuzzQuickCheck: whatever quickCheck passes, checkBody passes too.
func FuzzQuickCheck(f *testing.F) {
	for _, seed := range []string{
		`{"click_id":"c","amount":"10.00","items":[{"sku":"a","quantity":1,"unit_price":"1.00"}]}`,
		`{"a":{"b":[{"c":"d"}]},"e":"f"}`, `{"name":"a","NAME":"b"}`, `{"name":"\ud800"}`, `{"k":"é"}`,
		`{"events":[{"name":"a","payout":{"rules":[{"id":"x","id":"y"}]}}]}`, `[]`, `{}`, `{"a":tru}`,
	} {
		f.Add(seed)
	}
	types := []reflect.Type{conversionReportType, reflect.TypeFor[*program.OfferInput]()}
	f.Fuzz(func(t *testing.T, body string) {
		for _, typ := range types {
			if quickCheck([]byte(body), typ) {
				if err := checkBody([]byte(body), typ); err != nil {
					t.Fatalf("quickCheck passes %q, checkBody says %v", body, err)
				}
			}
		}
	})
}

// BenchmarkDecodeConversion decodes a conversion with three line items as POST
// /api/v1/conversions does: quick is the path every clean body takes, walk the token walk
// that only a body quickCheck cannot clear takes. go test ./api -run '^$' -bench DecodeConversion
func BenchmarkDecodeConversion(b *testing.B) {
	body := []byte(`{"click_id":"c.1","event":"purchase","order_id":"lt-1","amount":"249.80","currency":"EUR","customer_id":"cust-1",
		"items":[{"sku":"SHOE-9","category":"shoes","quantity":2,"unit_price":"99.90"},{"sku":"SOCK","category":"wear","quantity":1,"unit_price":"50.00"},
		{"sku":"LACE","quantity":1,"unit_price":"0.00"}]}`)
	b.Run("quick", func(b *testing.B) {
		for b.Loop() {
			if !quickCheck(body, conversionReportType) {
				b.Fatal("not clear")
			}
		}
	})
	b.Run("walk", func(b *testing.B) {
		for b.Loop() {
			if err := checkBody(body, conversionReportType); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			var in program.ConversionReport
			if err := decodeBytes(body, &in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
