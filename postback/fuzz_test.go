package postback

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/macro"
	"github.com/pactum/pactum/outbound"
)

// FuzzTemplate: whatever a partner's saved URL template and whatever a conversion carries
// (click ids, order ids, coupons, sub ids come from visitors and shops), the delivery's URL
// parses, goes to the host the template names, has no raw macro, gets no parameter, fragment
// or path segment from a value, and the guard judges it as it judged the template.
func FuzzTemplate(f *testing.F) {
	for _, tmpl := range []string{
		"https://t.example/pb?cid={click_id}&p={payout}&s={status}",
		"https://t.example/{sub1}/{order_id}?a={aff_sub2}#{reason}",
		"http://127.0.0.1:8080/pb?c={commission}",
		"https://t.example/pb?x={unknown}&y={",
		"https://user@t.example/?c={click_id}",
		"https://t.example:99999/?c={click_id}",
	} {
		f.Add(tmpl, "v&x=1#frag/../?", "POST")
	}
	f.Fuzz(func(t *testing.T, tmpl, value, method string) {
		if macro.ValidateURL(tmpl, "url") != nil {
			return
		}
		p := pactum.Postback{ID: 1, PartnerID: 2, URL: tmpl, Method: method}
		s := Subject{
			Change:     pactum.Change{ConversionID: 3, OfferID: 4, PartnerID: 2, Status: value, Reason: value, Currency: "EUR"},
			Conversion: pactum.Conversion{ClickID: value, OrderID: value, Coupon: value, Event: value, Country: value},
			Click:      pactum.Visit{Sub: [5]string{value, value, value, value, value}, Source: value, Device: value},
		}
		bare := Subject{Change: pactum.Change{ConversionID: 3, OfferID: 4, PartnerID: 2, Currency: "EUR"}}
		now := time.Unix(1764000000, 0)
		d := Render(p, pactum.EventConversionCreated, s, now)
		b := Render(p, pactum.EventConversionCreated, bare, now)
		if strings.ContainsAny(d.URL, "{}") {
			t.Fatalf("delivery URL %q keeps a brace", d.URL)
		}
		u, err := url.Parse(d.URL)
		if err != nil {
			t.Fatalf("delivery URL %q does not parse: %v", d.URL, err)
		}
		ub, err := url.Parse(b.URL)
		if err != nil {
			t.Fatalf("bare URL %q does not parse: %v", b.URL, err)
		}
		if u.Scheme != ub.Scheme || u.Host != ub.Host || u.User.String() != ub.User.String() {
			t.Fatalf("a value moved the delivery from %q to %q", b.URL, d.URL)
		}
		templateFragment := strings.Contains(string(macro.Compile(tmpl).Expand(nil, &macro.Values{})), "#")
		if len(u.Query()) != len(ub.Query()) || u.Fragment != "" && !templateFragment ||
			strings.Count(u.EscapedPath(), "/") != strings.Count(ub.EscapedPath(), "/") {
			t.Fatalf("a value added to %q: %q", b.URL, d.URL)
		}
		if (outbound.CheckURL(d.URL, false) == nil) != (outbound.CheckURL(b.URL, false) == nil) {
			t.Fatalf("the guard judges %q and %q differently", b.URL, d.URL)
		}
		if method == "POST" && d.Body == "" || method != "POST" && d.Body != "" {
			t.Fatalf("method %q, body %q", method, d.Body)
		}
		_ = MaskURL(d.URL)
	})
}
