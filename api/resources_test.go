package api_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pactum/pactum/program"
)

const goodRules = `{"default":{"percent":"8"},"rules":[{"id":"hero","when":{"sku":["SHOE-9"]},"rate":{"fixed":"12.00","per":"unit"}}]}`

func TestResources(t *testing.T) {
	e := newEnv(t)
	runSteps(t, e, []step{
		// Advertisers.
		{name: "advertiser create", method: "POST", path: "/api/v1/advertisers", key: adminKey,
			body: `{"name":"  Hat Shop "}`, status: 201, wantChange: true,
			want: map[string]any{"id": 3, "name": "Hat Shop", "currency": "EUR", "created_at": "2025-03-01T12:00:00Z"},
			check: func(t *testing.T, e *env, b map[string]any) {
				if tok, _ := b["postback_token"].(string); !strings.HasPrefix(tok, "pt_") || len(tok) != 35 {
					t.Errorf("postback_token = %q", tok)
				}
			}},
		{name: "advertiser get hides token", method: "GET", path: "/api/v1/advertisers/3", key: adminKey,
			status: 200, want: map[string]any{"name": "Hat Shop", "postback_token": absent}},
		{name: "advertiser bad currency", method: "POST", path: "/api/v1/advertisers", key: adminKey,
			body: `{"name":"X","currency":"EURO"}`, status: 400,
			want: map[string]any{"error.code": "invalid_argument", "error.field": "currency"}},
		{name: "advertiser missing name", method: "POST", path: "/api/v1/advertisers", key: adminKey,
			body: `{}`, status: 400, want: map[string]any{"error.field": "name"}},
		{name: "advertiser patch", method: "PATCH", path: "/api/v1/advertisers/3", key: adminKey,
			body: `{"currency":"GBP"}`, status: 200, wantChange: true,
			want: map[string]any{"name": "Hat Shop", "currency": "GBP"}},
		{name: "advertiser patch bad", method: "PATCH", path: "/api/v1/advertisers/3", key: adminKey,
			body: `{"name":""}`, status: 400, want: map[string]any{"error.field": "name"}},
		{name: "advertiser missing", method: "GET", path: "/api/v1/advertisers/99", key: adminKey,
			status: 404, want: map[string]any{"error.code": "not_found"}},
		{name: "advertiser id not a number", method: "GET", path: "/api/v1/advertisers/abc", key: adminKey,
			status: 404},
		{name: "advertiser id with a sign", method: "GET", path: "/api/v1/advertisers/+1", key: adminKey,
			status: 404, want: map[string]any{"error.code": "not_found"}},
		{name: "advertiser id with a leading zero", method: "GET", path: "/api/v1/advertisers/01", key: adminKey,
			status: 404, want: map[string]any{"error.code": "not_found"}},
		{name: "advertiser list", method: "GET", path: "/api/v1/advertisers", key: adminKey,
			status: 200, want: map[string]any{"#data": 3, "data.0.id": 1, "next_cursor": absent}},

		// Partners.
		{name: "partner create defaults", method: "POST", path: "/api/v1/partners", key: adminKey,
			body: `{"name":"Cleo","email":"cleo@example.com"}`, status: 201, wantChange: true,
			want: map[string]any{"id": 3, "kind": "affiliate", "status": "active", "currency": "EUR",
				"min_payout": "50.00", "payout_method": "manual"}},
		{name: "partner create JPY", method: "POST", path: "/api/v1/partners", key: adminKey,
			body:   `{"name":"Daiki","email":"daiki@example.jp","kind":"b2b","currency":"JPY","min_payout":"5000","payout_method":"sepa","status":"pending"}`,
			status: 201, wantChange: true, want: map[string]any{"min_payout": "5000", "kind": "b2b", "status": "pending"}},
		{name: "partner bad email", method: "POST", path: "/api/v1/partners", key: adminKey,
			body: `{"name":"X","email":"not-an-email"}`, status: 400, want: map[string]any{"error.field": "email"}},
		{name: "partner bad kind", method: "POST", path: "/api/v1/partners", key: adminKey,
			body: `{"name":"X","email":"x@example.com","kind":"spammer"}`, status: 400, want: map[string]any{"error.field": "kind"}},
		{name: "partner bad min payout digits", method: "POST", path: "/api/v1/partners", key: adminKey,
			body: `{"name":"X","email":"x@example.com","min_payout":"10.005"}`, status: 400, want: map[string]any{"error.field": "min_payout"}},
		{name: "partner bad payout method", method: "POST", path: "/api/v1/partners", key: adminKey,
			body: `{"name":"X","email":"x@example.com","payout_method":"gold"}`, status: 400, want: map[string]any{"error.field": "payout_method"}},
		{name: "partner patch status", method: "PATCH", path: "/api/v1/partners/3", key: adminKey,
			body: `{"status":"suspended","min_payout":"75.5"}`, status: 200, wantChange: true,
			want: map[string]any{"status": "suspended", "min_payout": "75.50", "name": "Cleo"}},
		{name: "partner patch currency keeps digits honest", method: "PATCH", path: "/api/v1/partners/3", key: adminKey,
			body: `{"currency":"JPY"}`, status: 400, want: map[string]any{"error.field": "min_payout"}},

		// Offers.
		{name: "offer create defaults", method: "POST", path: "/api/v1/offers", key: adminKey,
			body:   `{"advertiser_id":2,"name":"Ebooks","destination_url":"https://books.example/e?c={click_id}&s={sub1}"}`,
			status: 201, wantChange: true,
			want: map[string]any{"id": 4, "currency": "USD", "status": "active", "attribution_window_days": 30,
				"attribution_model": "last_click", "hold_days": 30, "visibility": "public", "fallback_url": "",
				"#events": 1, "events.0.name": "purchase", "#targeting.countries": 0,
				"destination_url": "https://books.example/e?c={click_id}&s={sub1}"}},
		{name: "offer create full", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"advertiser_id":1,"name":"Boots","destination_url":"https://shoes.example/boots","fallback_url":"https://shoes.example/",
				"currency":"EUR","attribution_window_days":7,"attribution_model":"first_click","hold_days":0,
				"targeting":{"countries":["DE","AT"],"devices":["mobile"]},"visibility":"approval",
				"events":[{"name":"purchase","payout":` + goodRules + `,"revenue":{"default":{"percent":"10"}}},{"name":"lead","payout":{"default":{"fixed":"2.00"}}}]}`,
			status: 201, wantChange: true,
			want: map[string]any{"id": 5, "hold_days": 0, "targeting.countries.1": "AT", "targeting.devices.0": "mobile",
				"events.0.payout.rules.0.id": "hero", "events.0.revenue.default.percent": "10", "events.1.name": "lead"}},
		{name: "offer advertiser missing", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"name":"X","destination_url":"https://x.example/"}`, status: 400, want: map[string]any{"error.field": "advertiser_id"}},
		{name: "offer advertiser unknown", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"advertiser_id":77,"name":"X","destination_url":"https://x.example/"}`, status: 400, want: map[string]any{"error.field": "advertiser_id"}},
		{name: "offer destination missing", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"advertiser_id":1,"name":"X"}`, status: 400, want: map[string]any{"error.field": "destination_url"}},
		{name: "offer destination macro in host", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"advertiser_id":1,"name":"X","destination_url":"https://{sub1}.example/"}`, status: 400, want: map[string]any{"error.field": "destination_url"}},
		{name: "offer fallback bad", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"advertiser_id":1,"name":"X","destination_url":"https://x.example/","fallback_url":"javascript:alert(1)"}`, status: 400, want: map[string]any{"error.field": "fallback_url"}},
		{name: "offer window too long", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"advertiser_id":1,"name":"X","destination_url":"https://x.example/","attribution_window_days":400}`, status: 400, want: map[string]any{"error.field": "attribution_window_days"}},
		{name: "offer hold negative", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"advertiser_id":1,"name":"X","destination_url":"https://x.example/","hold_days":-1}`, status: 400, want: map[string]any{"error.field": "hold_days"}},
		{name: "offer bad country", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"advertiser_id":1,"name":"X","destination_url":"https://x.example/","targeting":{"countries":["DE","de"]}}`, status: 400, want: map[string]any{"error.field": "targeting.countries[1]"}},
		{name: "offer bad device", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"advertiser_id":1,"name":"X","destination_url":"https://x.example/","targeting":{"devices":["fridge"]}}`, status: 400, want: map[string]any{"error.field": "targeting.devices[0]"}},
		{name: "offer bad visibility", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"advertiser_id":1,"name":"X","destination_url":"https://x.example/","visibility":"secret"}`, status: 400, want: map[string]any{"error.field": "visibility"}},
		{name: "offer duplicate event", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"advertiser_id":1,"name":"X","destination_url":"https://x.example/","events":[{"name":"lead"},{"name":"lead"}]}`, status: 400, want: map[string]any{"error.field": "events[1].name"}},
		{name: "offer bad event name", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"advertiser_id":1,"name":"X","destination_url":"https://x.example/","events":[{"name":"Sale!"}]}`, status: 400, want: map[string]any{"error.field": "events[0].name"}},
		{name: "offer bad rule deep in events", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"advertiser_id":1,"name":"X","destination_url":"https://x.example/","events":[{"name":"purchase","payout":
				{"default":{"percent":"8"},"rules":[{"id":"a","when":{"sku":["A"]},"rate":{"percent":"3"}},{"id":"b","when":{"sku":["B"]},"rate":{"percent":"lots"}}]}}]}`,
			status: 400, want: map[string]any{"error.code": "invalid_argument", "error.field": "events[0].payout.rules[1].rate.percent"}},
		{name: "offer bad revenue rule", method: "POST", path: "/api/v1/offers", key: adminKey,
			body:   `{"advertiser_id":1,"name":"X","destination_url":"https://x.example/","events":[{"name":"purchase"},{"name":"lead","revenue":{"default":{"fixed":"1.001"}}}]}`,
			status: 400, want: map[string]any{"error.field": "events[1].revenue.default.fixed"}},
		{name: "offer unknown field", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"advertiser_id":1,"name":"X","destination_url":"https://x.example/","payout":"5"}`, status: 400,
			want: map[string]any{"error.field": "payout"}},
		{name: "offer unknown nested field", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"advertiser_id":1,"name":"X","destination_url":"https://x.example/","events":[{"name":"a"},{"name":"b","goal":1}]}`, status: 400,
			want: map[string]any{"error.field": "events[1].goal"}},
		{name: "offer wrong type", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"advertiser_id":"1","name":"X","destination_url":"https://x.example/"}`, status: 400,
			want: map[string]any{"error.field": "advertiser_id"}},
		{name: "offer wrong nested type", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"advertiser_id":1,"name":"X","destination_url":"https://x.example/","targeting":{"countries":["DE",7]}}`, status: 400,
			want: map[string]any{"error.field": "targeting.countries[1]"}},
		{name: "offer fractional days", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"advertiser_id":1,"name":"X","destination_url":"https://x.example/","hold_days":1.5}`, status: 400,
			want: map[string]any{"error.field": "hold_days"}},
		{name: "offer malformed JSON", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"advertiser_id":1,`, status: 400, want: map[string]any{"error.code": "invalid_argument", "error.field": absent}},
		{name: "offer trailing data", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"name":"X"} {}`, status: 400, want: map[string]any{"error.code": "invalid_argument"}},
		{name: "offer array body", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `[1,2]`, status: 400, want: map[string]any{"error.code": "invalid_argument"}},
		{name: "offer empty body", method: "POST", path: "/api/v1/offers", key: adminKey,
			status: 400, want: map[string]any{"error.code": "invalid_argument"}},
		{name: "offer patch applies only what is sent", method: "PATCH", path: "/api/v1/offers/5", key: adminKey,
			body: `{"status":"paused","targeting":{"devices":["desktop","tablet"]}}`, status: 200, wantChange: true,
			want: map[string]any{"status": "paused", "name": "Boots", "targeting.countries.0": "DE", "targeting.devices.1": "tablet",
				"attribution_window_days": 7, "events.0.payout.default.percent": "8"}},
		{name: "offer patch revalidates rules for the new currency", method: "PATCH", path: "/api/v1/offers/5", key: adminKey,
			body: `{"currency":"JPY"}`, status: 400, want: map[string]any{"error.field": "events[0].payout.rules[0].rate.fixed"}},
		{name: "offer patch bad", method: "PATCH", path: "/api/v1/offers/5", key: adminKey,
			body: `{"events":[]}`, status: 400, want: map[string]any{"error.field": "events"}},
		{name: "offer patch missing", method: "PATCH", path: "/api/v1/offers/99", key: adminKey,
			body: `{"name":"X"}`, status: 404},
		{name: "offer list by advertiser", method: "GET", path: "/api/v1/offers?advertiser_id=1", key: adminKey,
			status: 200, want: map[string]any{"#data": 3, "data.2.id": 5}},
		{name: "offer list bad filter", method: "GET", path: "/api/v1/offers?status=gone", key: adminKey,
			status: 400, want: map[string]any{"error.field": "status"}},

		// Links.
		{name: "link create with code", method: "POST", path: "/api/v1/links", key: adminKey,
			body: `{"offer_id":1,"partner_id":1,"code":"anna-shoes","sub1":"ig","source":"instagram"}`, status: 201, wantChange: true,
			want: map[string]any{"id": 1, "code": "anna-shoes", "url": "http://track.test/c/anna-shoes", "sub1": "ig", "sub2": "", "source": "instagram"}},
		{name: "link create generates code", method: "POST", path: "/api/v1/links", key: adminKey,
			body: `{"offer_id":1,"partner_id":2}`, status: 201, wantChange: true,
			check: func(t *testing.T, e *env, b map[string]any) {
				code, _ := b["code"].(string)
				if len(code) != 8 || strings.Trim(code, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != "" {
					t.Errorf("generated code %q", code)
				}
				if b["url"] != "http://track.test/c/"+code {
					t.Errorf("url = %v", b["url"])
				}
			}},
		{name: "link code taken", method: "POST", path: "/api/v1/links", key: adminKey,
			body: `{"offer_id":1,"partner_id":2,"code":"anna-shoes"}`, status: 409,
			want: map[string]any{"error.code": "conflict", "error.field": "code"}},
		{name: "link bad code", method: "POST", path: "/api/v1/links", key: adminKey,
			body: `{"offer_id":1,"partner_id":2,"code":"a b"}`, status: 400, want: map[string]any{"error.field": "code"}},
		{name: "link missing offer", method: "POST", path: "/api/v1/links", key: adminKey,
			body: `{"partner_id":2}`, status: 400, want: map[string]any{"error.field": "offer_id"}},
		{name: "link unknown offer", method: "POST", path: "/api/v1/links", key: adminKey,
			body: `{"offer_id":99,"partner_id":2}`, status: 400, want: map[string]any{"error.field": "offer_id"}},
		{name: "link unknown partner", method: "POST", path: "/api/v1/links", key: adminKey,
			body: `{"offer_id":1,"partner_id":99}`, status: 400, want: map[string]any{"error.field": "partner_id"}},
		{name: "link sub too long", method: "POST", path: "/api/v1/links", key: adminKey,
			body: `{"offer_id":1,"partner_id":2,"sub3":"` + strings.Repeat("x", 300) + `"}`, status: 400, want: map[string]any{"error.field": "sub3"}},
		{name: "link patch", method: "PATCH", path: "/api/v1/links/1", key: adminKey,
			body: `{"sub2":"story","code":"anna2"}`, status: 200, wantChange: true,
			want: map[string]any{"sub1": "ig", "sub2": "story", "code": "anna2", "url": "http://track.test/c/anna2"}},
		{name: "link patch cannot move", method: "PATCH", path: "/api/v1/links/1", key: adminKey,
			body: `{"partner_id":2}`, status: 400, want: map[string]any{"error.field": "partner_id"}},
		{name: "link get", method: "GET", path: "/api/v1/links/1", key: adminKey,
			status: 200, want: map[string]any{"code": "anna2", "offer_id": 1, "partner_id": 1}},

		// Coupons.
		{name: "coupon create", method: "POST", path: "/api/v1/coupons", key: adminKey,
			body: `{"code":"anna10","partner_id":1,"offer_id":1}`, status: 201, wantChange: true,
			want: map[string]any{"code": "ANNA10", "partner_id": 1, "offer_id": 1}},
		{name: "coupon without offer", method: "POST", path: "/api/v1/coupons", key: adminKey,
			body: `{"code":"BEN","partner_id":2}`, status: 201, wantChange: true,
			want: map[string]any{"code": "BEN", "offer_id": nil}},
		{name: "coupon taken", method: "POST", path: "/api/v1/coupons", key: adminKey,
			body: `{"code":"Anna10","partner_id":2}`, status: 409, want: map[string]any{"error.field": "code"}},
		{name: "coupon bad code", method: "POST", path: "/api/v1/coupons", key: adminKey,
			body: `{"code":"x","partner_id":2}`, status: 400, want: map[string]any{"error.field": "code"}},
		{name: "coupon missing partner", method: "POST", path: "/api/v1/coupons", key: adminKey,
			body: `{"code":"XY"}`, status: 400, want: map[string]any{"error.field": "partner_id"}},
		{name: "coupon unknown partner", method: "POST", path: "/api/v1/coupons", key: adminKey,
			body: `{"code":"XY","partner_id":42}`, status: 400, want: map[string]any{"error.field": "partner_id"}},
		{name: "coupon unknown offer", method: "POST", path: "/api/v1/coupons", key: adminKey,
			body: `{"code":"XY","partner_id":1,"offer_id":42}`, status: 400, want: map[string]any{"error.field": "offer_id"}},
		{name: "coupon get any case", method: "GET", path: "/api/v1/coupons/anna10", key: adminKey,
			status: 200, want: map[string]any{"code": "ANNA10"}},
		{name: "coupon list", method: "GET", path: "/api/v1/coupons?partner_id=1", key: adminKey,
			status: 200, want: map[string]any{"#data": 1, "data.0.code": "ANNA10"}},
		{name: "coupon delete", method: "DELETE", path: "/api/v1/coupons/BEN", key: adminKey,
			status: 204, wantChange: true},
		{name: "coupon delete again", method: "DELETE", path: "/api/v1/coupons/BEN", key: adminKey,
			status: 404, want: map[string]any{"error.code": "not_found"}},

		// Auth and routing.
		{name: "no key", method: "GET", path: "/api/v1/offers", status: 401, want: map[string]any{"error.code": "unauthenticated"}},
		{name: "wrong key", method: "GET", path: "/api/v1/offers", key: "pk_nope", status: 401, want: map[string]any{"error.code": "unauthenticated"}},
		{name: "partner cannot create offers", method: "POST", path: "/api/v1/offers", key: e.p1,
			body: `{"advertiser_id":1,"name":"X","destination_url":"https://x.example/"}`, status: 403,
			want: map[string]any{"error.code": "permission_denied"}},
		{name: "unknown endpoint", method: "GET", path: "/api/v1/nothing", key: adminKey, status: 404,
			want: map[string]any{"error.code": "not_found"}},
		{name: "bad limit", method: "GET", path: "/api/v1/links?limit=zero", key: adminKey, status: 400,
			want: map[string]any{"error.field": "limit"}},
		{name: "bad cursor", method: "GET", path: "/api/v1/links?cursor=x", key: adminKey, status: 400,
			want: map[string]any{"error.field": "cursor"}},
	})
}

func TestBodyTooLarge(t *testing.T) {
	e := newEnv(t)
	body := `{"name":"` + strings.Repeat("x", 2<<20) + `"}`
	status, b := e.do("POST", "/api/v1/advertisers", adminKey, body)
	if status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", status)
	}
	checkErrorShape(t, b)
}

func TestPostbackTokenStoredHashed(t *testing.T) {
	e := newEnv(t)
	b := e.mustCreate("/api/v1/advertisers", `{"name":"Hat Shop"}`)
	token := b["postback_token"].(string)
	adv, err := e.store.Advertiser(ctx(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(adv.PostbackTokenHash, []byte(token)) || !bytes.Equal(adv.PostbackTokenHash, program.HashKey(token)) {
		t.Errorf("stored %x, want the SHA-256 of the token", adv.PostbackTokenHash)
	}
	if got, err := e.store.AdvertiserByPostbackToken(ctx(), program.HashKey(token)); err != nil || got.ID != 3 {
		t.Errorf("AdvertiserByPostbackToken = %v, %v", got.ID, err)
	}
	for _, path := range []string{"/api/v1/advertisers/3", "/api/v1/advertisers"} {
		if _, raw := e.doRaw("GET", path, adminKey, ""); strings.Contains(raw, token) || strings.Contains(raw, "postback_token") {
			t.Errorf("GET %s shows the token: %s", path, raw)
		}
	}
}

func TestGenerateKey(t *testing.T) {
	k1, h1 := program.GenerateKey("pk_")
	k2, _ := program.GenerateKey("pk_")
	if !strings.HasPrefix(k1, "pk_") || len(k1) != 35 || k1 == k2 {
		t.Errorf("keys %q, %q", k1, k2)
	}
	if !bytes.Equal(h1, program.HashKey(k1)) || len(h1) != 32 {
		t.Errorf("hash %x", h1)
	}
}

// TestClientGoneIsNotAnError: a request whose client hung up fails in the store with its
// context canceled; that is logged as information, not as an internal error, and answered 503
// (it may have been carried out), not 200 with nothing.
func TestClientGoneIsNotAnError(t *testing.T) {
	var logs bytes.Buffer
	e := newEnvWith(t, func(_ *env, cfg *program.Config) {
		cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("POST", "/api/v1/advertisers", strings.NewReader(`{"name":"Gone","currency":"EUR"}`)).WithContext(ctx)
	req.Header.Set("Authorization", "Bearer "+adminKey)
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"code":"unavailable"`) {
		t.Errorf("answer %d %s", rec.Code, rec.Body.String())
	}
	if out := logs.String(); strings.Contains(out, "level=ERROR") || !strings.Contains(out, "canceled by the client") {
		t.Errorf("logs:\n%s", out)
	}
}
