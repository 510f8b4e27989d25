package api_test

import (
	"encoding/json"
	"net/http"
	"testing"
)

// FuzzCreateOffer feeds arbitrary bodies to POST /api/v1/offers: bad input must never be a 500,
// and every 400 must be in the SPEC's error shape.
func FuzzCreateOffer(f *testing.F) {
	for _, seed := range []string{
		`{"advertiser_id":1,"name":"Shoes","destination_url":"https://shoes.example/?c={click_id}"}`,
		`{"advertiser_id":1,"name":"X","destination_url":"https://x.example/","targeting":{"countries":["DE"],"devices":["mobile"]},"events":[{"name":"purchase","payout":` + goodRules + `}]}`,
		`{"advertiser_id":1,"name":"X","destination_url":"https://x.example/","events":[{"name":"lead","payout":{"rules":[{"rate":{"percent":"x"}}]}}]}`,
		`{"advertiser_id":1,"name":"X","destination_url":"https://x.example/","events":[{"name":"a","payout":[]},{"name":"b","revenue":"s"}]}`,
		`{"advertiser_id":-1,"hold_days":1e99,"targeting":{"countries":null}}`,
		`{"events":[{"name":"a","payout":{"default":{"percent":"8"},"bonuses":[{"when":{"order_amount_gte":"x"}}],"tiers":[{}],"caps":{"daily_conversions":-1}}}]}`,
		`{"ADVERTISER_ID":1}`, `[]`, `null`, `"x"`, `{`, `{"a":1}{`, ``, "\xff",
	} {
		f.Add(seed)
	}
	e := newEnv(f)
	f.Fuzz(func(t *testing.T, body string) {
		status, raw := e.as(t).doRaw("POST", "/api/v1/offers", adminKey, body)
		switch status {
		case http.StatusCreated:
			return
		case http.StatusBadRequest:
			var b map[string]any
			if err := json.Unmarshal([]byte(raw), &b); err != nil {
				t.Fatalf("400 body is not JSON: %q", raw)
			}
			checkErrorShape(t, b)
			if b["error"].(map[string]any)["code"] != "invalid_argument" {
				t.Fatalf("400 with code %v", b["error"])
			}
		default:
			t.Fatalf("status %d for %q: %s", status, body, raw)
		}
	})
}
