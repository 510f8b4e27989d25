package apitest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCheck: the checker finds what the API's own tests would not notice, naming the operation
// and the field, and lets through what the document allows.
func TestCheck(t *testing.T) {
	c := load(t)
	const payout = `{"id":7,"run_id":3,"advertiser_id":1,"partner_id":2,"currency":"EUR","amount":"45.36","commissions":3,` +
		`"status":"pending","method":"sepa","reference":"","reason":"","created_at":"2026-11-02T00:00:00Z","updated_at":"2026-11-02T00:00:00Z"}`
	json := http.Header{"Content-Type": {"application/json"}}
	for _, tt := range []struct {
		name, method, path, auth, reqBody string
		status                            int
		header                            http.Header
		body                              string
		want                              []string // parts of the error; none: no error
	}{
		{name: "a payout", method: "GET", path: "/api/v1/payouts/7", status: 200, header: json, body: payout},
		{name: "a payout in JPY", method: "GET", path: "/api/v1/payouts/7", status: 200, header: json,
			body: strings.Replace(strings.Replace(payout, `"EUR"`, `"JPY"`, 1), `"45.36"`, `"4536"`, 1)},
		{name: "money with the wrong digits", method: "GET", path: "/api/v1/payouts/7", status: 200, header: json,
			body: strings.Replace(payout, `"45.36"`, `"45.4"`, 1), want: []string{"getPayout", "answer 200", "'/amount'"}},
		{name: "JPY with cents", method: "GET", path: "/api/v1/payouts/7", status: 200, header: json,
			body: strings.Replace(payout, `"EUR"`, `"JPY"`, 1), want: []string{"'/amount'", `^-?[0-9]+$`}},
		{name: "a field more", method: "GET", path: "/api/v1/payouts/7", status: 200, header: json,
			body: strings.Replace(payout, `"id":7,`, `"id":7,"note":"x",`, 1), want: []string{"note"}},
		{name: "a field less", method: "GET", path: "/api/v1/payouts/7", status: 200, header: json,
			body: strings.Replace(payout, `"reason":"",`, ``, 1), want: []string{"reason"}},
		{name: "an id as a string", method: "GET", path: "/api/v1/payouts/7", status: 200, header: json,
			body: strings.Replace(payout, `"id":7`, `"id":"7"`, 1), want: []string{"'/id'"}},
		{name: "a status not described", method: "GET", path: "/api/v1/payouts/7", status: 409, header: json,
			body: `{"error":{"code":"conflict","message":"x"}}`, want: []string{"answer 409", "status is not supported"}},
		{name: "an error of another code", method: "GET", path: "/api/v1/payouts/7", status: 404, header: json,
			body: `{"error":{"code":"invalid_argument","message":"x"}}`, want: []string{"'/error/code'"}},
		{name: "an error with a key more", method: "GET", path: "/api/v1/payouts/7", status: 404, header: json,
			body: `{"error":{"code":"not_found","message":"x","stack":"..."}}`, want: []string{"stack"}},
		{name: "another media type", method: "GET", path: "/api/v1/payouts/7", status: 200, header: http.Header{"Content-Type": {"text/plain"}},
			body: payout, want: []string{"text/plain"}},
		{name: "a body where none is described", method: "DELETE", path: "/api/v1/api-keys/2", status: 204, body: "{}",
			want: []string{"deleteAPIKey", "has a body"}},
		{name: "a bad request refused", method: "POST", path: "/api/v1/coupons", reqBody: `{"code":"A","partner_id":1}`, status: 400, header: json,
			body: `{"error":{"code":"invalid_argument","message":"x","field":"code"}}`},
		{name: "a bad request accepted", method: "POST", path: "/api/v1/coupons", reqBody: `{"code":"AB","partner_id":1,"colour":"red"}`,
			status: 201, header: http.Header{"Content-Type": {"application/json"}, "Location": {"/api/v1/coupons/AB"}},
			body: `{"id":1,"code":"AB","partner_id":1,"offer_id":null,"created_at":"2026-11-02T00:00:00Z"}`,
			want: []string{"createCoupon", "request does not match", "colour"}},
		{name: "null for every offer", method: "POST", path: "/api/v1/coupons", reqBody: `{"code":"AB","partner_id":1,"offer_id":null}`,
			status: 201, header: http.Header{"Content-Type": {"application/json"}, "Location": {"/api/v1/coupons/AB"}},
			body: `{"id":1,"code":"AB","partner_id":1,"offer_id":null,"created_at":"2026-11-02T00:00:00Z"}`},
		{name: "a create without its Location", method: "POST", path: "/api/v1/coupons", reqBody: `{"code":"AB","partner_id":1}`,
			status: 201, header: json, body: `{"id":1,"code":"AB","partner_id":1,"offer_id":null,"created_at":"2026-11-02T00:00:00Z"}`,
			want: []string{"Location"}},
		{name: "no key yet answered", method: "GET", path: "/api/v1/payouts/7", auth: "-", status: 200, header: json, body: payout,
			want: []string{"request does not match", "Bearer"}},
		{name: "a query parameter out of range", method: "GET", path: "/api/v1/payouts?limit=0", status: 200, header: json, body: `{"data":[]}`,
			want: []string{"parameter limit in query"}},
		{name: "an unknown path answered 404", method: "GET", path: "/api/v1/nothing", status: 404, header: json,
			body: `{"error":{"code":"not_found","message":"no endpoint GET /api/v1/nothing"}}`},
		{name: "an unknown path answered", method: "GET", path: "/api/v1/nothing", status: 200, header: json, body: `{}`,
			want: []string{"not described"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.reqBody))
			if tt.auth != "-" {
				r.Header.Set("Authorization", "Bearer k")
			}
			err := c.check(r, []byte(tt.reqBody), tt.status, tt.header, []byte(tt.body))
			if len(tt.want) == 0 {
				if err != nil {
					t.Errorf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one naming %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not name %q: %v", w, err)
				}
			}
		})
	}
}
