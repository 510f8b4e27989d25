package api_test

import (
	"net/http"
	"testing"
)

// TestOfferInputRefusedOrNormalized: hosts are stored as browsers go to them (punycode), a
// percent-encoded host is refused, and only assigned country codes target (issue 13).
func TestOfferInputRefusedOrNormalized(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name, body string
		status     int
		want       map[string]any
	}{
		{"full-width host", `{"advertiser_id":1,"name":"A","destination_url":"https://ｅｖｉｌ.example/?c={click_id}"}`, http.StatusCreated,
			map[string]any{"destination_url": "https://evil.example/?c={click_id}"}},
		{"ideographic full stop", `{"advertiser_id":1,"name":"B","destination_url":"https://evil。example/"}`, http.StatusCreated,
			map[string]any{"destination_url": "https://evil.example/"}},
		{"an IDN host", `{"advertiser_id":1,"name":"C","destination_url":"https://bücher.example/"}`, http.StatusCreated,
			map[string]any{"destination_url": "https://xn--bcher-kva.example/"}},
		{"percent-encoded host", `{"advertiser_id":1,"name":"D","destination_url":"https://shop.example%E3%80%82evil.example/"}`, http.StatusBadRequest,
			map[string]any{"error.field": "destination_url"}},
		{"percent-encoded fallback", `{"advertiser_id":1,"name":"E","destination_url":"https://shop.example/","fallback_url":"https://a%2Eb.example/"}`, http.StatusBadRequest,
			map[string]any{"error.field": "fallback_url"}},
		{"reserved country", `{"advertiser_id":1,"name":"F","destination_url":"https://shop.example/","targeting":{"countries":["DE","ZZ"]}}`, http.StatusBadRequest,
			map[string]any{"error.field": "targeting.countries[1]"}},
		{"user-assigned country", `{"advertiser_id":1,"name":"G","destination_url":"https://shop.example/","targeting":{"countries":["AA"]}}`, http.StatusBadRequest,
			map[string]any{"error.field": "targeting.countries[0]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.do("POST", "/api/v1/offers", adminKey, tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %v", status, tc.status, body)
			}
			checkFields(t, body, tc.want)
		})
	}
}
