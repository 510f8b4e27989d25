package macro

import (
	"net/url"
	"testing"
)

// distinct gives every slot a value of its own, so that a test sees which slot a name fills.
func distinct() *Values {
	var v Values
	for n := range NumNames {
		v[n] = "v" + n.String()
	}
	return &v
}

func TestEveryNameAndAlias(t *testing.T) {
	tests := map[string]Name{
		"click_id": ClickID, "offer_id": OfferID, "partner_id": PartnerID,
		"sub1": Sub1, "sub2": Sub2, "sub3": Sub3, "sub4": Sub4, "sub5": Sub5,
		"source": Source, "country": Country, "device": Device, "event": Event,
		"order_id": OrderID, "amount": Amount, "currency": Currency, "payout": Payout,
		"coupon": Coupon, "conversion_id": ConversionID, "timestamp": Timestamp,
		"status": Status, "reason": Reason, "commission": Payout,

		"transaction_id": ClickID, "affiliate_id": PartnerID, "aff_id": PartnerID,
		"aff_sub": Sub1, "aff_sub2": Sub2, "aff_sub3": Sub3, "aff_sub4": Sub4, "aff_sub5": Sub5,
		"p1": Sub1, "p2": Sub2, "p3": Sub3, "p4": Sub4, "p5": Sub5,
		"txn_id": OrderID, "sale_amount": Amount,
	}
	natives := 0
	for name, slot := range tests {
		if name == slot.String() {
			natives++
		}
		got := string(Compile("https://x.example/?a={"+name+"}").Expand(nil, distinct()))
		if want := "https://x.example/?a=v" + slot.String(); got != want {
			t.Errorf("{%s}: got %q, want %q", name, got, want)
		}
	}
	if natives != int(NumNames) {
		t.Errorf("table covers %d native names, want %d", natives, NumNames)
	}
}

func TestExpand(t *testing.T) {
	v := &Values{ClickID: "AbC-_9", Sub1: "a&b=c", Sub2: "two words", Sub3: "Grüße ☃", Sub4: "a/b#c?d", Sub5: "100%+"}
	tests := []struct {
		name, tmpl, want string
	}{
		{"no macros", "https://shop.example/p?x=1", "https://shop.example/p?x=1"},
		{"empty", "", ""},
		{"url-safe value kept", "https://s.example/?c={click_id}", "https://s.example/?c=AbC-_9"},
		{"ampersand and equals", "?s={sub1}", "?s=a%26b%3Dc"},
		{"space", "?s={sub2}", "?s=two+words"},
		{"unicode", "?s={sub3}", "?s=Gr%C3%BC%C3%9Fe+%E2%98%83"},
		{"slash hash question", "/{sub4}", "/a%2Fb%23c%3Fd"},
		{"percent and plus", "?s={sub5}", "?s=100%25%2B"},
		{"matches url.QueryEscape", "{sub1}{sub2}{sub3}{sub4}{sub5}",
			url.QueryEscape(v[Sub1]) + url.QueryEscape(v[Sub2]) + url.QueryEscape(v[Sub3]) + url.QueryEscape(v[Sub4]) + url.QueryEscape(v[Sub5])},
		{"empty value", "?o={order_id}&c={click_id}", "?o=&c=AbC-_9"},
		{"adjacent macros", "{click_id}{click_id}", "AbC-_9AbC-_9"},
		{"unknown macro empty", "?a={foo}&b={click_id}", "?a=&b=AbC-_9"},
		{"upper case is unknown", "?a={CLICK_ID}", "?a="},
		{"unknown with dash and dot", "?a={my-macro.v2}", "?a="},
		{"unclosed brace", "?a={click_id", "?a=%7Bclick_id"},
		{"lone closing brace", "?a=click_id}", "?a=click_id%7D"},
		{"empty braces", "?a={}", "?a=%7B%7D"},
		{"double braces", "?a={{click_id}}", "?a=%7BAbC-_9%7D"},
		{"space inside braces", "?a={click id}", "?a=%7Bclick id%7D"},
		{"json is text", `?a={"k":1}`, `?a=%7B"k":1%7D`},
		{"brace then macro", "?a={x{click_id}", "?a=%7BxAbC-_9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := Compile(tt.tmpl)
			if got := string(tmpl.Expand(nil, v)); got != tt.want {
				t.Errorf("Expand(%q) = %q, want %q", tt.tmpl, got, tt.want)
			}
			if tmpl.String() != tt.tmpl {
				t.Errorf("String() = %q, want %q", tmpl.String(), tt.tmpl)
			}
		})
	}
}

func TestExpandAppends(t *testing.T) {
	dst := []byte("Location: ")
	got := Compile("https://s.example/?c={click_id}").Expand(dst, &Values{ClickID: "x"})
	if string(got) != "Location: https://s.example/?c=x" {
		t.Fatalf("got %q", got)
	}
}

func TestExpandAllocs(t *testing.T) {
	tmpl := Compile(typical)
	v := typicalValues()
	dst := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(1000, func() { dst = tmpl.Expand(dst[:0], v) }); n != 0 {
		t.Fatalf("Expand allocates %v times, want 0", n)
	}
}

const typical = "https://shop.example/landing/summer?utm_source=pactum&utm_medium=affiliate" +
	"&clickid={click_id}&aff={partner_id}&s1={sub1}&src={source}"

func typicalValues() *Values {
	return &Values{ClickID: "AQEBAZaYcQcAAAABu2m8mQ3p-5Wr1Jk2", PartnerID: "42", Sub1: "spring sale", Source: "newsletter"}
}

func BenchmarkExpand(b *testing.B) {
	tmpl := Compile(typical)
	v := typicalValues()
	dst := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		dst = tmpl.Expand(dst[:0], v)
	}
}
