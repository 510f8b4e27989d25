package shop

import (
	"os"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func wantLines(t *testing.T, got []pactum.LineItem, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d: %+v", len(got), len(want), got)
	}
	for i, l := range got {
		s := l.SKU + " " + decimal.NewFromInt(l.Quantity).String() + " x " + l.UnitPrice.StringFixed(2) + " - " + l.Discount.StringFixed(2)
		if s != want[i] {
			t.Errorf("line %d: %s, want %s", i, s, want[i])
		}
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"id":1}`)
	// printf '{"id":1}' | openssl dgst -sha256 -hmac shpss_secret -binary | base64
	sig := "xocA3LkeJ/RvNrkxep1EUtFHuj7rIoIqZYaLU26LyPQ="
	if got := Sign(body, "shpss_secret"); got != sig {
		t.Fatalf("Sign = %s, want %s", got, sig)
	}
	for _, tt := range []struct {
		body      string
		secret    string
		signature string
		want      bool
	}{
		{`{"id":1}`, "shpss_secret", sig, true},
		{`{"id":1}`, "shpss_secret", " " + sig + " ", true},
		{`{"id":2}`, "shpss_secret", sig, false},
		{`{"id":1}`, "other", sig, false},
		{`{"id":1}`, "", Sign(body, ""), false},
		{`{"id":1}`, "shpss_secret", "", false},
		{`{"id":1}`, "shpss_secret", "not base64!", false},
		{`{"id":1}`, "shpss_secret", strings.TrimSuffix(sig, "="), false},
	} {
		if got := Verify([]byte(tt.body), tt.secret, tt.signature); got != tt.want {
			t.Errorf("Verify(%s, %q, %q) = %v", tt.body, tt.secret, tt.signature, got)
		}
	}
}

func TestShopifyOrder(t *testing.T) {
	o, test, err := ParseShopifyOrder(read(t, "shopify_order.json"))
	if err != nil {
		t.Fatal(err)
	}
	if o.ID != "820982911946154508" || o.Currency != "EUR" || test {
		t.Fatalf("order %s in %s, test %v", o.ID, o.Currency, test)
	}
	wantLines(t, o.Items, "SHOE-9 2 x 99.90 - 19.98", "SOCK-1 3 x 12.50 - 3.75", "variant-39072856 1 x 49.00 - 4.90")
	if strings.Join(o.Coupons, ",") != "ANNA10" || o.ClickID != "NOT-A-PACTUM-CLICK-EITHER" || o.CustomerID != "115310627314723954" ||
		!o.NewCustomer || o.Country != "DE" {
		t.Fatalf("order %+v", o)
	}
}

func TestShopifyOrderVariants(t *testing.T) {
	tests := []struct {
		name, body string
		check      func(Order) bool
		field      string // of the error, "" for none
	}{
		{"id beyond 2^53 and 2^63 keeps every digit", `{"id":18446744073709551617,"currency":"usd","line_items":[{"id":1,"quantity":1,"price":"10.00"}]}`,
			func(o Order) bool {
				return o.ID == "18446744073709551617" && o.Currency == "USD" && o.Items[0].SKU == "line-1"
			}, ""},
		{"id as a string", `{"id":"9007199254740993","currency":"EUR","line_items":[{"sku":"A","quantity":1,"price":"1"}]}`,
			func(o Order) bool { return o.ID == "9007199254740993" }, ""},
		{"price as a number keeps its digits", `{"id":1,"currency":"EUR","line_items":[{"sku":"A","quantity":3,"price":0.1}]}`,
			func(o Order) bool { return o.Items[0].UnitPrice.Equal(dec("0.1")) }, ""},
		{"JPY with .00", `{"id":1,"currency":"JPY","line_items":[{"sku":"A","quantity":1,"price":"1200.00"}]}`,
			func(o Order) bool { return o.Items[0].UnitPrice.Equal(dec("1200")) }, ""},
		{"click id from the landing site", `{"id":1,"currency":"EUR","landing_site":"/?utm_source=x&click_id=abc","line_items":[{"sku":"A","quantity":1,"price":"1"}]}`,
			func(o Order) bool { return o.ClickID == "abc" }, ""},
		{"click id from a full landing URL", `{"id":1,"currency":"EUR","landing_site":"https://shop.example/p?transaction_id=t1","line_items":[{"sku":"A","quantity":1,"price":"1"}]}`,
			func(o Order) bool { return o.ClickID == "t1" }, ""},
		{"returning customer", `{"id":1,"currency":"EUR","customer":{"id":5,"orders_count":4},"line_items":[{"sku":"A","quantity":1,"price":"1"}]}`,
			func(o Order) bool { return !o.NewCustomer && o.CustomerID == "5" }, ""},
		{"no order count: not new", `{"id":1,"currency":"EUR","customer":{"id":5},"line_items":[{"sku":"A","quantity":1,"price":"1"}]}`,
			func(o Order) bool { return !o.NewCustomer }, ""},
		{"a line of no units is left out", `{"id":1,"currency":"EUR","line_items":[{"sku":"A","quantity":0,"price":"1"},{"sku":"B","quantity":1,"price":"2"}]}`,
			func(o Order) bool { return len(o.Items) == 1 && o.Items[0].SKU == "B" }, ""},
		{"three decimals in EUR", `{"id":1,"currency":"EUR","line_items":[{"sku":"A","quantity":1,"price":"10.005"}]}`, nil, "line_items[0].price"},
		{"cents in JPY", `{"id":1,"currency":"JPY","line_items":[{"sku":"A","quantity":1,"price":"1200.50"}]}`, nil, "line_items[0].price"},
		{"a bad allocation", `{"id":1,"currency":"EUR","line_items":[{"sku":"A","quantity":1,"price":"1","discount_allocations":[{"amount":"x"}]}]}`, nil, "line_items[0].discount_allocations[0].amount"},
		{"no id", `{"currency":"EUR","line_items":[{"sku":"A","quantity":1,"price":"1"}]}`, nil, "id"},
		{"no lines", `{"id":1,"currency":"EUR","line_items":[]}`, nil, "line_items"},
		{"an unknown currency", `{"id":1,"currency":"XYZ","line_items":[{"sku":"A","quantity":1,"price":"1"}]}`, nil, "currency"},
		{"a fractional quantity", `{"id":1,"currency":"EUR","line_items":[{"sku":"A","quantity":1.5,"price":"1"}]}`, nil, "line_items[0].quantity"},
		{"a negative price", `{"id":1,"currency":"EUR","line_items":[{"sku":"A","quantity":1,"price":"-1"}]}`, nil, "line_items[0].price"},
		{"a line with no name", `{"id":1,"currency":"EUR","line_items":[{"quantity":1,"price":"1"}]}`, nil, "line_items[0].sku"},
		{"an id that is an object", `{"id":{"a":1},"currency":"EUR"}`, nil, ""},
		{"not JSON", `<xml/>`, nil, ""},
		{"invalid UTF-8", "{\"id\":1,\"currency\":\"EUR\",\"line_items\":[{\"sku\":\"A\xff\",\"quantity\":1,\"price\":\"1\"}]}", nil, ""},
	}
	for _, tt := range tests {
		o, _, err := ParseShopifyOrder([]byte(tt.body))
		switch {
		case tt.check != nil && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.check != nil && !tt.check(o):
			t.Errorf("%s: %+v", tt.name, o)
		case tt.check == nil && (err == nil || pactum.ErrorCode(err) != pactum.EPRECONDITION || pactum.ErrorField(err) != tt.field):
			t.Errorf("%s: error %v, want failed_precondition on %q", tt.name, err, tt.field)
		}
	}
}

func TestShopifyRefund(t *testing.T) {
	r, err := ParseShopifyRefund(read(t, "shopify_refund.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "shopify-929361465398263751" || r.OrderID != "820982911946154508" || len(r.Items) != 1 ||
		r.Items[0] != (pactum.RefundItem{SKU: "SHOE-9", Quantity: 1}) {
		t.Fatalf("refund %+v", r)
	}
	r, err = ParseShopifyRefund([]byte(`{"id":2,"order_id":3,"refund_line_items":[
		{"quantity":1,"line_item":{"id":9,"variant_id":39072856,"sku":null}},{"quantity":2,"line_item":{"sku":"A"}},{"quantity":1,"line_item":{"sku":"A"}}]}`))
	if err != nil || len(r.Items) != 2 || r.Items[0] != (pactum.RefundItem{SKU: "variant-39072856", Quantity: 1}) || r.Items[1].Quantity != 3 {
		t.Fatalf("refund %+v, %v", r, err)
	}
	r, err = ParseShopifyRefund([]byte(`{"id":2,"order_id":3,"refund_line_items":[],"transactions":[{"amount":"4.90"}]}`))
	if err != nil || len(r.Items) != 0 {
		t.Fatalf("refund of shipping: %+v, %v", r, err)
	}
	if _, err := ParseShopifyRefund([]byte(`{"id":2}`)); pactum.ErrorField(err) != "order_id" {
		t.Fatalf("refund without an order: %v", err)
	}
}

func TestWooOrder(t *testing.T) {
	o, err := ParseWooOrder(read(t, "woocommerce_order.json"))
	if err != nil {
		t.Fatal(err)
	}
	if o.ID != "727" || o.Status != WooProcessing || !o.Total.Equal(dec("270.69")) || o.ClickID != "NOT-A-PACTUM-CLICK" ||
		strings.Join(o.Coupons, ",") != "anna10" || o.CustomerID != "26" || o.Country != "DE" || len(o.Refunds) != 0 {
		t.Fatalf("order %+v", o)
	}
	// 10.00 for 3 stickers: 3.34 each, 1.02 off, 9.00 net as the shop says.
	wantLines(t, o.Items, "SHOE-9 2 x 99.90 - 19.98", "SOCK-1 3 x 12.50 - 3.75", "product-101 3 x 3.34 - 1.02")
	net := decimal.Zero
	for _, l := range o.Items {
		net = net.Add(l.UnitPrice.Mul(decimal.NewFromInt(l.Quantity)).Sub(l.Discount))
	}
	if !net.Equal(dec("222.57")) {
		t.Fatalf("net %s", net)
	}
	o, err = ParseWooOrder([]byte(`{"id":8,"status":"refunded","currency":"EUR","total":"50.00","customer_id":0,
		"line_items":[{"id":1,"product_id":4,"variation_id":7,"quantity":1,"subtotal":"50.00","total":"50.00","sku":""}],
		"refunds":[{"id":90,"reason":"","total":"-10.00"},{"id":91,"reason":"rest","total":"-40.00"}]}`))
	if err != nil || o.CustomerID != "" || o.Items[0].SKU != "variation-7" || len(o.Refunds) != 2 ||
		o.Refunds[0].ID != "woocommerce-90" || !o.Refunds[0].Amount.Equal(dec("10.00")) {
		t.Fatalf("refunded order %+v, %v", o, err)
	}
	for body, field := range map[string]string{
		`{"id":8,"currency":"EUR","total":"1","line_items":[{"sku":"A","quantity":1,"subtotal":"1.001","total":"1"}]}`:                              "line_items[0].subtotal",
		`{"id":8,"currency":"EUR","total":"1","line_items":[{"sku":"A","quantity":1,"subtotal":"1","total":"1"}],"refunds":[{"id":1,"total":"x"}]}`: "refunds[0].total",
		`{"id":8,"currency":"EUR","total":"1","line_items":[]}`:                                                                                     "line_items",
	} {
		if _, err := ParseWooOrder([]byte(body)); pactum.ErrorField(err) != field {
			t.Errorf("%s: %v, want an error on %s", body, err, field)
		}
	}
}

func TestWooPing(t *testing.T) {
	for body, want := range map[string]bool{
		"webhook_id=12": true, "webhook_id=": false, "webhook_id=12&x=1": false, `{"id":12}`: false, "webhook_id=abc": false,
	} {
		if got := IsWooPing([]byte(body)); got != want {
			t.Errorf("IsWooPing(%q) = %v", body, got)
		}
	}
}
