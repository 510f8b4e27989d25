package edge_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pactum/pactum"
)

// conversionPaths are the intakes FuzzPostback sends to.
var conversionPaths = []string{"/postback", "/aff_lsr", "/aff_goal", "/acquisition", "/pixel", "/aff_l"}

// FuzzPostback sends arbitrary queries, bodies, cookies and client addresses to the conversion
// intakes: the edge must never panic nor fail with a 500, and must never answer 200 unless the
// conversion went to the pipeline.
func FuzzPostback(f *testing.F) {
	h := newConvHarness(f, nil)
	h.sub.discard = true
	cid, err := h.signer.New(offerShop, partnerAnna, testNow)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []struct {
		path          uint8
		query, body   string
		cookie        string
		allowListedIP bool
	}{
		{0, "click_id=" + cid + "&event=purchase&amount=12.50&token=" + acmeToken, "", "", false},
		{0, "clickid=" + cid + "&sum=1e9&goal=1&status=3&secure=" + acmeToken, "", "", false},
		{0, "transaction_id=" + cid + "&event_id=%zz&adv1=&amount=-0", "amount=1&token=x", "", true},
		{1, "transaction_id=" + cid + "&amount=5&adv_sub=%00%ff", "", "", true},
		{2, "a=lsr&goal_id=0&transaction_id=" + cid, "", "", true},
		{2, "a=l&goal_id=2&offer_id=12", "", "pc_12=" + cid, false},
		{3, "click_id=" + cid + "&security_token=" + acmeToken + "&sale_amount=.5&goal_value=x", "", "", false},
		{4, "offer_id=12&event=purchase&amount=1", "", "pc_12=" + cid, false},
		{4, "offer_id=9223372036854775808&click_id=" + cid, "", "", false},
		{5, "offer_id=12&amount=5", "", "pc_12=" + strings.Repeat("A", 300), false},
		// Issue 13: ids refused rather than rewritten, repeats and aliases refused.
		{0, "click_id=" + cid + "&event=purchase&token=" + acmeToken + "&order_id=ZZ%001796292285&amount=10.00", "", "", false},
		{0, "click_id=" + cid + "&token=" + acmeToken + "&order_id=%FF%FE%FD", "", "", false},
		{0, "click_id=" + cid + "&token=" + acmeToken + "&amount=10.00&amount=99999.00", "", "", false},
		{0, "token=" + acmeToken + "&amount=10.00", "click_id=" + cid + "&amount=99999.00", "", false},
		{1, "transaction_id=" + cid + "&token=" + acmeToken + "&order_id=A&adv_sub=B", "", "", false},
		{0, "click_id=" + cid + "&token=" + acmeToken + "&order_id=A;B&coupon=%zz", "", "", false},
		{0, "click_id=" + cid + "&token=" + acmeToken + "&country=ZZ&order_id=" + strings.Repeat("%C3%A9", 129), "", "", false},
		{2, "a=l&a=lsr&transaction_id=" + cid + "&token=" + acmeToken, "", "", false},
		{4, "offer_id=12&click_id=" + cid + "&order_id=%FF1796292285&event=purchase&goal_id=2", "", "", false},
	} {
		f.Add(seed.path, seed.query, seed.body, seed.cookie, seed.allowListedIP)
	}
	// What reached the pipeline last: the edge never hands it text it would have had to change.
	var last pactum.ConversionInput
	h.sub.answer(func(in pactum.ConversionInput) (pactum.ConversionResult, error) {
		last = in
		return h.sub.created(1, in)
	})
	f.Fuzz(func(t *testing.T, path uint8, query, body, cookie string, allowListedIP bool) {
		target := conversionPaths[int(path)%len(conversionPaths)] + "?" + query
		method := http.MethodGet
		if body != "" && !strings.HasSuffix(target[:strings.IndexByte(target, '?')], "l") && !strings.HasPrefix(target, "/pixel") {
			method = http.MethodPost
		}
		req, err := http.NewRequest(method, "http://edge.example"+target, strings.NewReader(body))
		if err != nil {
			return
		}
		req.RequestURI = target
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		req.RemoteAddr = strangerIP
		if allowListedIP {
			req.RemoteAddr = acmeIP
		}
		before := h.sub.calls()
		w := httptest.NewRecorder()
		h.mux.ServeHTTP(w, req)
		submitted := h.sub.calls() > before
		if w.Code >= 500 && w.Code != http.StatusServiceUnavailable {
			t.Fatalf("%s %s: status %d (%s)", method, target, w.Code, w.Body)
		}
		if w.Header().Get("Content-Type") == "application/json" && !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s %s: invalid JSON %q", method, target, w.Body)
		}
		if w.Code == http.StatusOK && !submitted {
			t.Fatalf("%s %s: 200 without a conversion submitted", method, target)
		}
		if submitted {
			for _, v := range []string{last.ClickID, last.OrderID, last.Coupon, last.CustomerID, last.Event, last.Currency, last.Country} {
				if err := pactum.CheckText("field", v, pactum.MaxID); err != nil {
					t.Fatalf("%s %s: %q reached the pipeline: %v", method, target, v, err)
				}
			}
		}
	})
}
