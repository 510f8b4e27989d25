package edge_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pactum/pactum"
)

// intake is one way a conversion report reaches the edge.
type intake struct {
	name  string
	pixel bool
	send  func(h *convHarness, cid, params string) *httptest.ResponseRecorder
}

// conversionIntakes send params with a valid click id through every conversion intake: the
// postback by GET, by POST with the parameters in the body, by POST with the token in the query
// and the rest in the body, under TUNE's URL, and the pixel.
var conversionIntakes = []intake{
	{"GET /postback", false, func(h *convHarness, cid, params string) *httptest.ResponseRecorder {
		return serve(h.harness, postbackRequest(http.MethodGet, "/postback?click_id="+cid+"&token="+acmeToken+"&"+params, ""))
	}},
	{"POST /postback body", false, func(h *convHarness, cid, params string) *httptest.ResponseRecorder {
		return serve(h.harness, postbackRequest(http.MethodPost, "/postback", "click_id="+cid+"&token="+acmeToken+"&"+params))
	}},
	{"POST /postback query and body", false, func(h *convHarness, cid, params string) *httptest.ResponseRecorder {
		return serve(h.harness, postbackRequest(http.MethodPost, "/postback?token="+acmeToken, "click_id="+cid+"&"+params))
	}},
	{"GET /aff_lsr", false, func(h *convHarness, cid, params string) *httptest.ResponseRecorder {
		return serve(h.harness, postbackRequest(http.MethodGet, "/aff_lsr?click_id="+cid+"&security_token="+acmeToken+"&"+params, ""))
	}},
	{"GET /pixel", true, func(h *convHarness, cid, params string) *httptest.ResponseRecorder {
		return serve(h.harness, postbackRequest(http.MethodGet, "/pixel?offer_id=12&click_id="+cid+"&"+params, ""))
	}},
}

func postbackRequest(method, target, body string) *http.Request {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.RemoteAddr = strangerIP
	return req
}

// wantRefused checks that w refused the report with a 400 about field: the SPEC's JSON error,
// or for a pixel its GIF with the error header.
func wantRefused(t *testing.T, in intake, w *httptest.ResponseRecorder, field string) {
	t.Helper()
	if in.pixel {
		if w.Code != http.StatusBadRequest || w.Header().Get("Content-Type") != "image/gif" {
			t.Fatalf("status %d, Content-Type %q; want 400 and the GIF", w.Code, w.Header().Get("Content-Type"))
		}
		if got := w.Header().Get("X-Pactum-Error"); got != pactum.EINVALID+"; field="+field {
			t.Fatalf("X-Pactum-Error %q, want about %s", got, field)
		}
		return
	}
	wantError(t, w, http.StatusBadRequest, pactum.EINVALID, field)
}

// TestConversionInputRefusedNotRewritten: a value the edge reads for a conversion is refused,
// naming the parameter as the client spelled it, rather than cleaned, cut, or read from one of
// its repeats; nothing reaches the pipeline. Before, ZZ%001796292285 was stored as ZZ1796292285,
// so that the real order ZZ1796292285 was a duplicate and earned nothing.
func TestConversionInputRefusedNotRewritten(t *testing.T) {
	h := newConvHarness(t, nil)
	cid := h.click("/click?offer_id=12&partner_id=42")
	other := h.click("/click?offer_id=12&partner_id=43")
	long := strings.Repeat("x", pactum.MaxID+1)
	for _, tc := range []struct {
		name, params, field string
		postbackOnly        bool // the pixel does not read the field
	}{
		{"NUL in an order id", "order_id=ZZ%001796292285&amount=10.00", "order_id", false},
		{"invalid UTF-8 in an order id", "order_id=%FF1796292285", "order_id", false},
		{"an order id of invalid bytes only", "order_id=%FF%FE%FD", "order_id", false},
		{"BOM bytes in an order id", "order_id=%FE%FF1796292285", "order_id", false},
		{"control character under TUNE's name", "adv_sub=A%0D%0AB", "adv_sub", false},
		{"DEL under Trackier's name", "txn_id=A%7F", "txn_id", false},
		{"C1 control under Affise's name", "action_id=A%C2%85", "action_id", false},
		{"order id of 129 characters", "order_id=" + long, "order_id", false},
		{"order id of 129 two-byte characters", "order_id=" + strings.Repeat("%C3%A9", pactum.MaxID+1), "order_id", false},
		{"malformed escape in an order id", "order_id=A%zz", "order_id", false},
		{"raw semicolon in an order id", "order_id=A;B", "order_id", false},
		{"NUL in an event", "event=purchase%00", "event", false},
		{"invalid UTF-8 in a goal", "goal_id=%FF", "goal_id", false},
		{"NUL in an amount", "amount=10.00%00", "amount", false},
		{"NUL in a currency", "currency=EU%00R", "currency", false},
		{"NUL in an offer id", "offer_id=12%00", "offer_id", false},
		{"NUL in a coupon", "coupon=SPRING%00", "coupon", true},
		{"invalid UTF-8 in a coupon code", "coupon_code=%FF", "coupon_code", true},
		{"NUL in a customer id", "customer_id=c%0077", "customer_id", true},
		{"NUL in a country", "country=D%00E", "country", true},
		{"reserved country", "country=ZZ", "country", true},
		{"private-use country", "country=QM", "country", true},
		{"NUL in a status", "status=approved%00", "status", true},
		{"NUL in new_customer", "new_customer=1%00", "new_customer", true},

		{"amount given twice", "amount=10.00&amount=99999.00", "amount", false},
		{"amount given twice with one value", "amount=10.00&amount=10.00", "amount", false},
		{"order id given twice, once empty", "order_id=&order_id=A", "order_id", false},
		{"two names of the order id, two values", "order_id=A&adv_sub=B", "adv_sub", false},
		{"two names of the amount, two values", "amount=10.00&sale_amount=1000.00", "sale_amount", false},
		{"event and goal disagree", "event=purchase&goal_id=2", "goal_id", false},
		{"currency given twice", "currency=EUR&currency=USD", "currency", false},
		{"click id under another name", "transaction_id=" + other, "transaction_id", false},
		{"coupon given twice", "coupon=A&coupon=B", "coupon", true},
		{"status given twice", "status=approved&status=rejected", "status", true},
		{"country given twice", "country=DE&country=FR", "country", true},
	} {
		for _, in := range conversionIntakes {
			if tc.postbackOnly && in.pixel {
				continue
			}
			t.Run(tc.name+"/"+in.name, func(t *testing.T) {
				wantRefused(t, in, in.send(h, cid, tc.params), tc.field)
			})
		}
	}
	if n := h.sub.calls(); n != 0 {
		t.Fatalf("Submit called %d times for refused input", n)
	}

	t.Run("a repeat across query and body", func(t *testing.T) {
		req := postbackRequest(http.MethodPost, "/postback?token="+acmeToken+"&amount=10.00", "click_id="+cid+"&amount=99999.00")
		wantError(t, serve(h.harness, req), http.StatusBadRequest, pactum.EINVALID, "amount")
	})
	t.Run("a token given twice", func(t *testing.T) {
		w := serve(h.harness, postbackRequest(http.MethodGet, "/postback?click_id="+cid+"&token="+acmeToken+"&token="+otherToken, ""))
		wantError(t, w, http.StatusBadRequest, pactum.EINVALID, "token")
	})
	t.Run("TUNE's a given twice", func(t *testing.T) {
		w := serve(h.harness, postbackRequest(http.MethodGet, "/aff_goal?a=l&a=lsr&transaction_id="+cid+"&token="+acmeToken, ""))
		wantError(t, w, http.StatusBadRequest, pactum.EINVALID, "a")
	})
	if n := h.sub.calls(); n != 0 {
		t.Fatalf("Submit called %d times for refused input", n)
	}
}

// TestConversionInputTakenAsSent: what is accepted reaches the pipeline exactly as sent.
func TestConversionInputTakenAsSent(t *testing.T) {
	h := newConvHarness(t, nil)
	cid := h.click("/click?offer_id=12&partner_id=42")
	for _, tc := range []struct {
		name, params, order string
	}{
		{"the real order after a refused look-alike", "order_id=ZZ1796292285&amount=10.00", "ZZ1796292285"},
		{"128 two-byte characters (256 bytes)", "order_id=" + strings.Repeat("%C3%A9", pactum.MaxID), strings.Repeat("é", pactum.MaxID)},
		{"spaces are kept", "order_id=+A-1+", " A-1 "},
		{"two names with one value", "order_id=A-2&adv_sub=A-2", "A-2"},
		{"an empty name and a given one", "order_id=&adv_sub=A-3", "A-3"},
		{"unknown parameters repeated or malformed", "order_id=A-4&adv1=x&adv1=y&junk=%zz&k=a;b", "A-4"},
	} {
		for _, in := range conversionIntakes {
			t.Run(tc.name+"/"+in.name, func(t *testing.T) {
				before := h.sub.calls()
				w := in.send(h, cid, tc.params)
				if w.Code != http.StatusOK || h.sub.calls() != before+1 {
					t.Fatalf("status %d (%s), want 200 and a conversion submitted", w.Code, w.Body)
				}
				if got := h.sub.last(t).OrderID; got != tc.order {
					t.Fatalf("order id %q, want %q", got, tc.order)
				}
			})
		}
	}
	t.Run("XX is an unknown country", func(t *testing.T) {
		if w := conversionIntakes[0].send(h, cid, "country=xx"); w.Code != http.StatusOK {
			t.Fatalf("status %d (%s)", w.Code, w.Body)
		}
	})
}

// TestConversionMessagesMatchTheAPI: a 300-character order id gets the message pactum.CheckText
// gives it, the API's.
func TestConversionMessagesMatchTheAPI(t *testing.T) {
	h := newConvHarness(t, nil)
	cid := h.click("/click?offer_id=12&partner_id=42")
	w := conversionIntakes[0].send(h, cid, "order_id="+strings.Repeat("x", 300))
	a := wantError(t, w, http.StatusBadRequest, pactum.EINVALID, "order_id")
	want := pactum.ErrorMessage(pactum.CheckText("order_id", strings.Repeat("x", 300), pactum.MaxID))
	if a.Error.Message != want {
		t.Fatalf("message %q, want %q", a.Error.Message, want)
	}
}
