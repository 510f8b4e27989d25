package edge_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkPostback measures the edge's share of a token-authenticated postback: parsing,
// the cached token lookup and the answer (the fake pipeline costs next to nothing).
func BenchmarkPostback(b *testing.B) {
	h := newConvHarness(b, nil)
	h.sub.discard = true
	cid, err := h.signer.New(offerShop, partnerAnna, testNow)
	if err != nil {
		b.Fatal(err)
	}
	target := "/postback?click_id=" + cid + "&event=purchase&amount=129.90&currency=EUR&order_id=ORD-1&token=" + acmeToken
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.RemoteAddr = strangerIP
		for pb.Next() {
			r := req.Clone(req.Context())
			w := httptest.NewRecorder()
			h.mux.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}
