package shop

import (
	"os"
	"testing"

	"github.com/pactum/pactum"
)

// seeds adds the documented payloads and a few edge shapes to a fuzz target's corpus.
func seeds(f *testing.F, files ...string) {
	for _, name := range files {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{`{}`, `null`, `[]`, `{"id":1e400}`, `{"id":"","line_items":null}`, "\xff",
		`{"id":1,"currency":"EUR","line_items":[{"sku":"A","quantity":9223372036854775808,"price":"1"}]}`} {
		f.Add([]byte(s))
	}
}

// checkOrder is what every parsed order promises the conversion intake.
func checkOrder(t *testing.T, o Order) {
	t.Helper()
	if o.ID == "" || pactum.CheckText("id", o.ID, pactum.MaxID) != nil || !pactum.ValidCurrency(o.Currency) || len(o.Items) == 0 {
		t.Fatalf("order %+v", o)
	}
	for _, l := range o.Items {
		if l.SKU == "" || l.Quantity < 1 || l.UnitPrice.IsNegative() || !l.UnitPrice.Equal(pactum.Round(l.UnitPrice, o.Currency)) ||
			!l.Discount.Equal(pactum.Round(l.Discount, o.Currency)) {
			t.Fatalf("line %+v of %s", l, o.Currency)
		}
	}
}

func FuzzShopifyOrder(f *testing.F) {
	seeds(f, "shopify_order.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		o, _, err := ParseShopifyOrder(body)
		if err != nil {
			if pactum.ErrorCode(err) != pactum.EPRECONDITION {
				t.Fatalf("error %v is not a failed precondition", err)
			}
			return
		}
		checkOrder(t, o)
	})
}

func FuzzShopifyRefund(f *testing.F) {
	seeds(f, "shopify_refund.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseShopifyRefund(body)
		if err != nil {
			if pactum.ErrorCode(err) != pactum.EPRECONDITION {
				t.Fatalf("error %v is not a failed precondition", err)
			}
			return
		}
		if r.ID == "" || r.OrderID == "" {
			t.Fatalf("refund %+v", r)
		}
		for _, it := range r.Items {
			if it.SKU == "" || it.Quantity < 1 {
				t.Fatalf("refund item %+v", it)
			}
		}
	})
}

func FuzzWooOrder(f *testing.F) {
	seeds(f, "woocommerce_order.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := ParseWooOrder(body)
		if err != nil {
			if pactum.ErrorCode(err) != pactum.EPRECONDITION {
				t.Fatalf("error %v is not a failed precondition", err)
			}
			return
		}
		checkOrder(t, o.Order)
		for _, r := range o.Refunds {
			if r.ID == "" || r.Amount.IsNegative() {
				t.Fatalf("refund %+v", r)
			}
		}
		_ = IsWooPing(body)
	})
}
