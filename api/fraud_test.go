package api_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

// Fraud settings through the API: checked, naming the field, nothing changed by a refused one;
// shown to the program's side only; the review queue and decisions scoped like conversions.
func TestFraudAPI(t *testing.T) {
	e := newEnv(t)
	held := func(offer, partner int64, reason string) pactum.Conversion {
		c := pactum.Conversion{OfferID: offer, PartnerID: partner, Amount: decimal.RequireFromString("10.00"),
			Reason: reason, Flags: reason + "+repeated_ip", CustomerID: "anna@example.com"}
		return e.seed(c) // ApproveAt zero and pending: held
	}
	h1 := held(1, 1, "self_referral") // offer 1, advertiser 1
	h2 := held(2, 2, "flagged_click") // offer 2, advertiser 2
	runSteps(t, e, []step{
		{name: "level", method: "PATCH", path: "/api/v1/offers/1", key: adminKey, body: `{"fraud":{"level":"paranoid"}}`,
			status: 400, want: map[string]any{"error.field": "fraud.level"}},
		{name: "unknown rule", method: "PATCH", path: "/api/v1/offers/1", key: adminKey, body: `{"fraud":{"rules":{"bots":"off"}}}`,
			status: 400, want: map[string]any{"error.field": "fraud.rules.bots"}},
		{name: "block list entry", method: "PATCH", path: "/api/v1/advertisers/1", key: e.adv1, body: `{"fraud":{"blocked_ips":["10.0.0.1/8"]}}`,
			status: 400, want: map[string]any{"error.field": "fraud.blocked_ips[0]"}},
		{name: "unknown field", method: "PATCH", path: "/api/v1/offers/1", key: adminKey, body: `{"fraud":{"levels":"strict"}}`,
			status: 400, want: map[string]any{"error.field": "fraud.levels"}},
		{name: "advertiser sets its offer's", method: "PATCH", path: "/api/v1/offers/1", key: e.adv1,
			body: `{"fraud":{"level":"strict","rules":{"datacenter":"flag"},"blocked_ips":["2001:DB8::/32"]}}`, status: 200, wantChange: true,
			want: map[string]any{"fraud.level": "strict", "fraud.rules.datacenter": "flag", "fraud.blocked_ips.0": "2001:db8::/32",
				"fraud.duplicate_window_seconds": 0}},
		{name: "advertiser sets its program's", method: "PATCH", path: "/api/v1/advertisers/1", key: e.adv1,
			body: `{"fraud":{"duplicate_window_seconds":600}}`, status: 200, wantChange: true,
			want: map[string]any{"fraud.duplicate_window_seconds": 600, "fraud.level": ""}},
		{name: "partners do not see fraud settings", method: "GET", path: "/api/v1/offers/1", key: e.p1, status: 200,
			want: map[string]any{"fraud": absent}},

		{name: "partners have no queue", method: "GET", path: "/api/v1/review", key: e.p1, status: 403},
		{name: "admin's queue", method: "GET", path: "/api/v1/review", key: adminKey, status: 200,
			want: map[string]any{"#data": 2, "data.0.id": h1.ID, "data.0.held": true, "data.0.reason": "self_referral",
				"data.0.flags.1": "repeated_ip", "data.0.reasons.0.code": "self_referral", "data.0.commission.approve_at": nil}},
		{name: "advertiser's queue is its offers'", method: "GET", path: "/api/v1/review", key: e.adv2, status: 200,
			want: map[string]any{"#data": 1, "data.0.id": h2.ID}},
		{name: "the queue by reason", method: "GET", path: "/api/v1/review?reason=flagged_click", key: adminKey, status: 200,
			want: map[string]any{"#data": 1, "data.0.id": h2.ID}},
		{name: "a reason that holds nothing", method: "GET", path: "/api/v1/review?reason=datacenter", key: adminKey, status: 400,
			want: map[string]any{"error.field": "reason"}},
		{name: "a malformed decision decides nothing", method: "POST", path: "/api/v1/review/decisions", key: adminKey,
			body:   `{"decisions":[{"id":1,"decision":"approve"},{"id":2,"decision":"maybe"}]}`,
			status: 400, want: map[string]any{"error.field": "decisions[1].decision"}},
		{name: "no decisions", method: "POST", path: "/api/v1/review/decisions", key: adminKey, body: `{"decisions":[]}`,
			status: 400, want: map[string]any{"error.field": "decisions"}},
		{name: "another advertiser's is not found", method: "POST", path: "/api/v1/review/decisions", key: e.adv1,
			body: `{"decisions":[{"id":2,"decision":"approve"},{"id":1,"decision":"release"}]}`, status: 200,
			want: map[string]any{"results.0.status": 404, "results.0.error.code": "not_found",
				"results.1.status": 200, "results.1.conversion.held": false, "results.1.conversion.status": "pending"}},
		{name: "a released one is not held any more", method: "POST", path: "/api/v1/review/decisions", key: adminKey,
			body: `{"decisions":[{"id":1,"decision":"reject"},{"id":2,"decision":"reject","reason":"checked by hand"}]}`, status: 200,
			want: map[string]any{"results.0.status": 409, "results.1.conversion.status": "rejected", "results.1.conversion.reason": "checked by hand"}},
		{name: "partners have no scores", method: "GET", path: "/api/v1/partners/1/fraud-score", key: e.p1, status: 403},
		{name: "a score", method: "GET", path: "/api/v1/partners/1/fraud-score", key: adminKey, status: 200,
			want: map[string]any{"partner_id": 1, "#signals": 6}},
		{name: "no traffic on the advertiser's offers", method: "GET", path: "/api/v1/partners/2/fraud-score", key: e.adv1, status: 404},
		{name: "unknown partner", method: "GET", path: "/api/v1/partners/99/fraud-score", key: adminKey, status: 404},
	})
}
