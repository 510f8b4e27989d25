package edge_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/edge"
)

// pixel sends GET target with the cookies given and checks that the answer is the GIF.
func (c *convHarness) pixel(target string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	c.t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.RemoteAddr = visitorIP
	req.Header.Set("User-Agent", chromeDesktop)
	for _, ck := range cookies {
		req.AddCookie(ck)
	}
	w := serve(c.harness, req)
	if ct := w.Header().Get("Content-Type"); ct != "image/gif" || !bytes.HasPrefix(w.Body.Bytes(), []byte("GIF89a")) {
		c.t.Fatalf("GET %s: Content-Type %q body %q, want the GIF", target, ct, w.Body)
	}
	return w
}

// clickCookie follows a click URL and returns the click cookie it set.
func (c *convHarness) clickCookie(target string) *http.Cookie {
	c.t.Helper()
	w := c.get(target, visitorIP)
	if w.Code != http.StatusFound {
		c.t.Fatalf("GET %s: status %d", target, w.Code)
	}
	for _, ck := range w.Result().Cookies() {
		return ck
	}
	c.t.Fatalf("GET %s set no cookie", target)
	return nil
}

func TestPixelReadsTheClickCookie(t *testing.T) {
	h := newConvHarness(t, nil)
	ck := h.clickCookie("/c/anna")
	if ck.Name != edge.CookieName(offerShop) {
		t.Fatalf("cookie %s", ck.Name)
	}
	// A browser may not set the status, a coupon, a customer or a country: those would let
	// anyone steer approvals, attribution and rates by country.
	w := h.pixel("/pixel?offer_id=12&event=purchase&amount=10.5&order_id=P-1&currency=eur&status=approved&coupon=X&customer_id=c&new_customer=1&country=CH&token="+acmeToken, ck)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d (%s)", w.Code, w.Header().Get("X-Pactum-Error"))
	}
	in := h.sub.last(t)
	if in.ClickID != ck.Value || in.OfferID != 12 || in.Event != "purchase" || !in.Amount.Equal(dec("10.5")) || !in.AmountGiven ||
		in.OrderID != "P-1" || in.Currency != "EUR" {
		t.Fatalf("input %+v", in)
	}
	if in.AdvertiserID != 0 || in.Source != pactum.SourcePixel || in.Status != "" || in.Coupon != "" || in.CustomerID != "" || in.NewCustomer || in.Country != "" {
		t.Fatalf("input %+v: a pixel is unauthenticated", in)
	}
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", w.Header().Get("Cache-Control"))
	}
}

func TestTUNEPixels(t *testing.T) {
	h := newConvHarness(t, nil)
	ck := h.clickCookie("/aff_c?offer_id=12&aff_id=43&aff_sub=px")
	w := h.pixel("/aff_l?offer_id=12&amount=5&adv_sub=L-1", ck)
	if w.Code != http.StatusOK {
		t.Fatalf("aff_l: status %d", w.Code)
	}
	in := h.sub.last(t)
	if in.ClickID != ck.Value || in.OrderID != "L-1" || !in.Amount.Equal(dec("5")) || in.Source != pactum.SourcePixel || in.AdvertiserID != 0 {
		t.Fatalf("aff_l input %+v", in)
	}
	w = h.pixel("/aff_goal?a=l&goal_id=2&offer_id=12&adv_sub=L-2", ck)
	if w.Code != http.StatusOK {
		t.Fatalf("aff_goal pixel: status %d", w.Code)
	}
	if in := h.sub.last(t); in.EventID != 2 || in.ClickID != ck.Value || in.Source != pactum.SourcePixel {
		t.Fatalf("aff_goal pixel input %+v", in)
	}
}

func TestPixelWithExplicitClickID(t *testing.T) {
	h := newConvHarness(t, nil)
	cid := h.click("/click?offer_id=12&partner_id=42")
	other := h.clickCookie("/click?offer_id=12&partner_id=43")
	// sdk.js sends the id it kept; it is more specific than the edge's cookie.
	w := h.pixel("/pixel?offer_id=12&event=purchase&amount=3&click_id="+cid, other)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	if in := h.sub.last(t); in.ClickID != cid {
		t.Fatalf("ClickID %q, want the parameter's %q", in.ClickID, cid)
	}
	if w := h.pixel("/pixel?event=purchase&click_id=" + cid); w.Code != http.StatusOK {
		t.Fatalf("without offer_id: status %d", w.Code)
	}
}

func TestPixelRefusals(t *testing.T) {
	h := newConvHarness(t, nil)
	ck := h.clickCookie("/c/anna")
	for _, tc := range []struct {
		name, target string
		cookie       bool
		field        string
	}{
		{"no cookie", "/pixel?offer_id=12&event=purchase", false, "click_id"},
		{"no offer to find a cookie for", "/pixel?event=purchase", true, "click_id"},
		{"the cookie of another offer", "/pixel?offer_id=15&event=purchase", true, "click_id"},
		{"forged click id", "/pixel?offer_id=12&click_id=" + forge(ck.Value), false, "click_id"},
		{"not a click id", "/pixel?offer_id=12&click_id=%3Cscript%3E", false, "click_id"},
		{"bad amount", "/pixel?offer_id=12&amount=ten", true, "amount"},
		{"bad offer", "/pixel?offer_id=-1", true, "offer_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w *httptest.ResponseRecorder
			if tc.cookie {
				w = h.pixel(tc.target, ck)
			} else {
				w = h.pixel(tc.target)
			}
			if w.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", w.Code)
			}
			if got := w.Header().Get("X-Pactum-Error"); got != pactum.EINVALID+"; field="+tc.field {
				t.Fatalf("X-Pactum-Error %q", got)
			}
		})
	}
	if n := h.sub.calls(); n != 0 {
		t.Fatalf("Submit called %d times", n)
	}

	t.Run("rejected", func(t *testing.T) {
		h.sub.answer(func(in pactum.ConversionInput) (pactum.ConversionResult, error) {
			return pactum.ConversionResult{Conversion: pactum.Conversion{ID: 3, Status: pactum.ConversionRejected, Reason: pactum.ReasonTooFast}}, nil
		})
		w := h.pixel("/pixel?offer_id=12&event=purchase", ck)
		if w.Code != http.StatusUnprocessableEntity || w.Header().Get("X-Pactum-Reason") != pactum.ReasonTooFast ||
			!strings.HasPrefix(w.Header().Get("X-Pactum-Error"), pactum.EREJECTED) {
			t.Fatalf("status %d headers %v", w.Code, w.Header())
		}
	})
	t.Run("unavailable", func(t *testing.T) {
		h.sub.answer(func(in pactum.ConversionInput) (pactum.ConversionResult, error) {
			return pactum.ConversionResult{}, pactum.Errorf(pactum.EUNAVAILABLE, "log full")
		})
		if w := h.pixel("/pixel?offer_id=12&event=purchase", ck); w.Code != http.StatusServiceUnavailable {
			t.Fatalf("status %d", w.Code)
		}
	})
}
