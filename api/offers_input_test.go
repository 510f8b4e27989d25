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

// TestQueryAndViewMends: answers and filters found wrong while describing the API.
func TestQueryAndViewMends(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name, path string
		status     int
		want       map[string]any
	}{
		{"a balance path id that is no id", "/api/v1/partners/abc/balance", http.StatusNotFound, nil},
		{"offer_id on the ledger", "/api/v1/ledger?offer_id=1", http.StatusBadRequest, map[string]any{"error.field": "offer_id"}},
		{"offer_id on payouts", "/api/v1/payouts?offer_id=1", http.StatusBadRequest, map[string]any{"error.field": "offer_id"}},
		{"offer_id on runs", "/api/v1/payouts/runs?offer_id=1", http.StatusBadRequest, map[string]any{"error.field": "offer_id"}},
		{"offer_id on a balance", "/api/v1/balance?partner_id=1&offer_id=1", http.StatusBadRequest, map[string]any{"error.field": "offer_id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.do("GET", tc.path, adminKey, "")
			if status != tc.status {
				t.Fatalf("status %d, want %d: %v", status, tc.status, body)
			}
			checkFields(t, body, tc.want)
		})
	}
	// A key in another case is not the field it resembles.
	status, body := e.do("POST", "/api/v1/advertisers", adminKey, `{"NAME":"x"}`)
	if status != http.StatusBadRequest {
		t.Fatalf("NAME: %d %v", status, body)
	}
	checkFields(t, body, map[string]any{"error.field": "NAME"})
	// A run that pays nobody still lists its payouts: none.
	status, body = e.do("POST", "/api/v1/payouts/runs", adminKey, `{"advertiser_id":1}`)
	if status != http.StatusCreated {
		t.Fatalf("run: %d %v", status, body)
	}
	if items, ok := body["items"].([]any); !ok || len(items) != 0 {
		t.Fatalf("run without payouts: items %v", body["items"])
	}
}
