package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pactum/pactum"
)

// TestPartnerScope: a partner key sees its own partner record, links, coupons and clicks, the
// active public offers, and nothing of the other partner's; another partner's link is 404.
func TestPartnerScope(t *testing.T) {
	e := newEnv(t)
	e.mustCreate("/api/v1/links", `{"offer_id":1,"partner_id":1,"code":"p1-link"}`) // 1
	e.mustCreate("/api/v1/links", `{"offer_id":1,"partner_id":2,"code":"p2-link"}`) // 2
	e.mustCreate("/api/v1/coupons", `{"code":"P1CODE","partner_id":1}`)
	e.mustCreate("/api/v1/coupons", `{"code":"P2CODE","partner_id":2,"offer_id":1}`)
	e.mustCreate("/api/v1/offers", `{"advertiser_id":1,"name":"Paused","status":"paused","destination_url":"https://x.example/"}`) // 4

	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	var clicks []pactum.Visit
	for i := range 5 {
		clicks = append(clicks, pactum.Visit{ClickID: fmt.Sprintf("c1-%d", i), Time: t0.Add(time.Duration(i) * time.Hour),
			OfferID: 1, PartnerID: 1, LinkID: 1, Sub: [5]string{"ig"}, IP: "192.0.2.1", Device: "mobile", Country: "DE", Unique: i == 0})
	}
	for i := range 3 {
		clicks = append(clicks, pactum.Visit{ClickID: fmt.Sprintf("c2-%d", i), Time: t0.Add(time.Duration(i) * time.Hour),
			OfferID: 2, PartnerID: 2, Rejected: pactum.RejectCountry})
	}
	e.applyVisits(clicks)

	runSteps(t, e, []step{
		{name: "p1 reads itself", method: "GET", path: "/api/v1/partners/1", key: e.p1, status: 200,
			want: map[string]any{"name": "Anna"}},
		{name: "p1 cannot read p2", method: "GET", path: "/api/v1/partners/2", key: e.p1, status: 404},
		{name: "p1 lists only itself", method: "GET", path: "/api/v1/partners", key: e.p1, status: 200,
			want: map[string]any{"#data": 1, "data.0.id": 1}},
		{name: "p1 cannot change itself", method: "PATCH", path: "/api/v1/partners/1", key: e.p1, body: `{"status":"active"}`, status: 403},
		{name: "p1 cannot create partners", method: "POST", path: "/api/v1/partners", key: e.p1, body: `{}`, status: 403},
		{name: "p1 cannot list advertisers", method: "GET", path: "/api/v1/advertisers", key: e.p1, status: 403},
		{name: "p1 cannot manage keys", method: "GET", path: "/api/v1/api-keys", key: e.p1, status: 403},

		{name: "p1 sees active public offers", method: "GET", path: "/api/v1/offers", key: e.p1, status: 200,
			want: map[string]any{"#data": 2, "data.0.id": 1, "data.1.id": 2}},
		{name: "p1 cannot see a private offer", method: "GET", path: "/api/v1/offers/3", key: e.p1, status: 404},
		{name: "p1 cannot see a paused offer", method: "GET", path: "/api/v1/offers/4", key: e.p1, status: 404},
		{name: "p1 cannot change offers", method: "PATCH", path: "/api/v1/offers/1", key: e.p1, body: `{"name":"x"}`, status: 403},

		{name: "p1 lists its links", method: "GET", path: "/api/v1/links", key: e.p1, status: 200,
			want: map[string]any{"#data": 1, "data.0.code": "p1-link"}},
		{name: "p1 asking for p2's links gets none", method: "GET", path: "/api/v1/links?partner_id=2", key: e.p1, status: 200,
			want: map[string]any{"#data": 0}},
		{name: "p1 reads its link", method: "GET", path: "/api/v1/links/1", key: e.p1, status: 200},
		{name: "p1 gets 404 for p2's link", method: "GET", path: "/api/v1/links/2", key: e.p1, status: 404,
			want: map[string]any{"error.code": "not_found", "error.message": "link 2 not found"}},
		{name: "missing link reads the same", method: "GET", path: "/api/v1/links/999", key: e.p1, status: 404,
			want: map[string]any{"error.message": "link 999 not found"}},
		{name: "p1 cannot change p2's link", method: "PATCH", path: "/api/v1/links/2", key: e.p1, body: `{"sub1":"x"}`, status: 404},
		{name: "p1 changes its link", method: "PATCH", path: "/api/v1/links/1", key: e.p1, body: `{"sub1":"tt"}`, status: 200,
			wantChange: true, want: map[string]any{"sub1": "tt"}},
		{name: "p1 creates a link for itself", method: "POST", path: "/api/v1/links", key: e.p1, body: `{"offer_id":2}`,
			status: 201, wantChange: true, want: map[string]any{"partner_id": 1, "offer_id": 2}},
		{name: "p1 cannot create a link for p2", method: "POST", path: "/api/v1/links", key: e.p1, body: `{"offer_id":1,"partner_id":2}`,
			status: 403, want: map[string]any{"error.code": "permission_denied"}},
		{name: "p1 cannot link a private offer", method: "POST", path: "/api/v1/links", key: e.p1, body: `{"offer_id":3}`,
			status: 400, want: map[string]any{"error.field": "offer_id", "error.message": "offer 3 does not exist"}},

		{name: "p1 lists its coupons", method: "GET", path: "/api/v1/coupons", key: e.p1, status: 200,
			want: map[string]any{"#data": 1, "data.0.code": "P1CODE"}},
		{name: "p1 reads its coupon", method: "GET", path: "/api/v1/coupons/P1CODE", key: e.p1, status: 200},
		{name: "p1 gets 404 for p2's coupon", method: "GET", path: "/api/v1/coupons/P2CODE", key: e.p1, status: 404},
		{name: "p1 cannot create coupons", method: "POST", path: "/api/v1/coupons", key: e.p1, body: `{"code":"MINE","partner_id":1}`, status: 403},
		{name: "p1 cannot delete coupons", method: "DELETE", path: "/api/v1/coupons/P1CODE", key: e.p1, status: 403},

		{name: "p1 lists its clicks", method: "GET", path: "/api/v1/clicks", key: e.p1, status: 200,
			want: map[string]any{"#data": 5, "data.0.click_id": "c1-0", "data.0.partner_id": 1, "data.0.link_id": 1,
				"data.0.sub1": "ig", "data.0.ip": absent, "data.0.user_agent": absent, "data.0.device": "mobile", "data.0.country": "DE",
				"data.0.unique": true, "data.1.unique": false, "data.0.bot": false, "data.0.rejected": "",
				"data.0.time": "2025-03-01T10:00:00Z"}},
		{name: "p1 counts its clicks", method: "GET", path: "/api/v1/clicks/count", key: e.p1, status: 200,
			want: map[string]any{"count": 5}},
		{name: "p1 counts in a time range", method: "GET", path: "/api/v1/clicks/count?from=2025-03-01T11:00:00Z&to=2025-03-01T13:00:00%2B00:00", key: e.p1,
			status: 200, want: map[string]any{"count": 2}},
		{name: "p1 asking for p2's clicks gets none", method: "GET", path: "/api/v1/clicks?partner_id=2", key: e.p1, status: 200,
			want: map[string]any{"#data": 0}},
		{name: "p1 asking for p2's count gets zero", method: "GET", path: "/api/v1/clicks/count?partner_id=2", key: e.p1, status: 200,
			want: map[string]any{"count": 0}},
		{name: "p2 lists its clicks", method: "GET", path: "/api/v1/clicks", key: e.p2, status: 200,
			want: map[string]any{"#data": 3, "data.0.partner_id": 2, "data.0.link_id": nil, "data.0.rejected": "country_not_allowed"}},
		{name: "p2 counts its clicks", method: "GET", path: "/api/v1/clicks/count", key: e.p2, status: 200,
			want: map[string]any{"count": 3}},
		{name: "admin counts all clicks", method: "GET", path: "/api/v1/clicks/count", key: adminKey, status: 200,
			want: map[string]any{"count": 8}},
		{name: "bad from", method: "GET", path: "/api/v1/clicks?from=yesterday", key: adminKey, status: 400,
			want: map[string]any{"error.field": "from"}},
		{name: "to before from", method: "GET", path: "/api/v1/clicks/count?from=2025-03-02T00:00:00Z&to=2025-03-01T00:00:00Z", key: adminKey,
			status: 400, want: map[string]any{"error.field": "to"}},
	})

	// Partners never see revenue rule sets.
	e.do("PATCH", "/api/v1/offers/1", adminKey, `{"events":[{"name":"purchase","payout":{"default":{"percent":"5"}},"revenue":{"default":{"percent":"9"}}}]}`)
	if _, raw := e.doRaw("GET", "/api/v1/offers/1", e.p1, ""); strings.Contains(raw, "revenue") || !strings.Contains(raw, "payout") {
		t.Errorf("partner's view of an offer: %s", raw)
	}
	if _, raw := e.doRaw("GET", "/api/v1/offers/1", e.adv1, ""); !strings.Contains(raw, "revenue") {
		t.Errorf("advertiser's view of an offer lacks revenue: %s", raw)
	}
}

// TestAdvertiserScope: an advertiser key manages its own record, offers and what hangs off them.
func TestAdvertiserScope(t *testing.T) {
	e := newEnv(t)
	e.mustCreate("/api/v1/links", `{"offer_id":1,"partner_id":1}`) // 1, advertiser 1
	e.mustCreate("/api/v1/links", `{"offer_id":2,"partner_id":1}`) // 2, advertiser 2
	e.mustCreate("/api/v1/coupons", `{"code":"ANY","partner_id":1}`)
	e.mustCreate("/api/v1/coupons", `{"code":"BOOKS","partner_id":1,"offer_id":2}`)
	clicks := []pactum.Visit{
		{ClickID: "a", Time: time.Now(), OfferID: 1, PartnerID: 1},
		{ClickID: "b", Time: time.Now(), OfferID: 3, PartnerID: 2},
		{ClickID: "c", Time: time.Now(), OfferID: 2, PartnerID: 1},
	}
	e.applyVisits(clicks)
	runSteps(t, e, []step{
		{name: "reads itself", method: "GET", path: "/api/v1/advertisers/1", key: e.adv1, status: 200},
		{name: "lists itself", method: "GET", path: "/api/v1/advertisers", key: e.adv1, status: 200,
			want: map[string]any{"#data": 1, "data.0.id": 1}},
		{name: "cannot read another", method: "GET", path: "/api/v1/advertisers/2", key: e.adv1, status: 404},
		{name: "renames itself", method: "PATCH", path: "/api/v1/advertisers/1", key: e.adv1, body: `{"name":"Shoes Inc"}`,
			status: 200, wantChange: true},
		{name: "cannot create advertisers", method: "POST", path: "/api/v1/advertisers", key: e.adv1, body: `{"name":"X"}`, status: 403},
		{name: "cannot create partners", method: "POST", path: "/api/v1/partners", key: e.adv1, body: `{}`, status: 403},
		{name: "cannot read partners", method: "GET", path: "/api/v1/partners/1", key: e.adv1, status: 403},

		{name: "lists only its offers", method: "GET", path: "/api/v1/offers", key: e.adv1, status: 200,
			want: map[string]any{"#data": 2, "data.0.id": 1, "data.1.id": 3}},
		{name: "another's offer is 404", method: "GET", path: "/api/v1/offers/2", key: e.adv1, status: 404},
		{name: "creates an offer for itself", method: "POST", path: "/api/v1/offers", key: e.adv1,
			body: `{"name":"Sandals","destination_url":"https://shoes.example/sandals"}`, status: 201, wantChange: true,
			want: map[string]any{"advertiser_id": 1, "currency": "EUR"}},
		{name: "cannot create for another", method: "POST", path: "/api/v1/offers", key: e.adv1,
			body: `{"advertiser_id":2,"name":"X","destination_url":"https://x.example/"}`, status: 403},
		{name: "cannot move an offer away", method: "PATCH", path: "/api/v1/offers/1", key: e.adv1, body: `{"advertiser_id":2}`, status: 403},
		{name: "cannot change another's offer", method: "PATCH", path: "/api/v1/offers/2", key: e.adv1, body: `{"name":"X"}`, status: 404},

		{name: "lists links on its offers", method: "GET", path: "/api/v1/links", key: e.adv1, status: 200,
			want: map[string]any{"#data": 1, "data.0.id": 1}},
		{name: "link on another's offer is 404", method: "GET", path: "/api/v1/links/2", key: e.adv1, status: 404},
		{name: "creates a link on its offer", method: "POST", path: "/api/v1/links", key: e.adv1, body: `{"offer_id":3,"partner_id":2}`,
			status: 201, wantChange: true},
		{name: "cannot link another's offer", method: "POST", path: "/api/v1/links", key: e.adv1, body: `{"offer_id":2,"partner_id":2}`,
			status: 400, want: map[string]any{"error.field": "offer_id"}},

		{name: "coupon needs its offer", method: "POST", path: "/api/v1/coupons", key: e.adv1, body: `{"code":"SHOES","partner_id":1}`,
			status: 400, want: map[string]any{"error.field": "offer_id"}},
		{name: "creates a coupon", method: "POST", path: "/api/v1/coupons", key: e.adv1, body: `{"code":"SHOES","partner_id":1,"offer_id":1}`,
			status: 201, wantChange: true},
		{name: "lists its coupons", method: "GET", path: "/api/v1/coupons", key: e.adv1, status: 200,
			want: map[string]any{"#data": 1, "data.0.code": "SHOES"}},
		{name: "another's coupon is 404", method: "GET", path: "/api/v1/coupons/BOOKS", key: e.adv1, status: 404},
		{name: "cannot delete another's coupon", method: "DELETE", path: "/api/v1/coupons/BOOKS", key: e.adv1, status: 404},
		{name: "deletes its coupon", method: "DELETE", path: "/api/v1/coupons/shoes", key: e.adv1, status: 204, wantChange: true},

		{name: "clicks on its offers", method: "GET", path: "/api/v1/clicks", key: e.adv1, status: 200,
			want: map[string]any{"#data": 2, "data.0.click_id": "a", "data.1.click_id": "b"}},
		{name: "count on its offers", method: "GET", path: "/api/v1/clicks/count", key: e.adv1, status: 200,
			want: map[string]any{"count": 2}},
		{name: "count for another advertiser is zero", method: "GET", path: "/api/v1/clicks/count?advertiser_id=2", key: e.adv1, status: 200,
			want: map[string]any{"count": 0}},
		{name: "cannot manage keys", method: "POST", path: "/api/v1/api-keys", key: e.adv1, body: `{"role":"admin"}`, status: 403},
	})
}

// TestPaging walks 120 links with limit 50: 50, 50, 20, and a cursor only while more remain.
func TestPaging(t *testing.T) {
	e := newEnv(t)
	for i := range 120 {
		e.mustCreate("/api/v1/links", fmt.Sprintf(`{"offer_id":1,"partner_id":%d}`, 1+i%2))
	}
	var ids []float64
	cursor, pages := "", 0
	for {
		path := "/api/v1/links?limit=50"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		status, b := e.do("GET", path, adminKey, "")
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d %v", path, status, b)
		}
		pages++
		data := b["data"].([]any)
		for _, d := range data {
			ids = append(ids, d.(map[string]any)["id"].(float64))
		}
		next, _ := b["next_cursor"].(string)
		if next == "" {
			if len(data) != 20 {
				t.Errorf("last page has %d links, want 20", len(data))
			}
			break
		}
		if len(data) != 50 {
			t.Errorf("page %d has %d links, want 50", pages, len(data))
		}
		cursor = next
	}
	if pages != 3 || len(ids) != 120 {
		t.Fatalf("%d pages, %d links; want 3 pages, 120 links", pages, len(ids))
	}
	for i, id := range ids {
		if id != float64(i+1) {
			t.Fatalf("link %d has id %v: pages overlap or skip", i, id)
		}
	}
	// A partner's pages hold only its own links.
	status, b := e.do("GET", "/api/v1/links?limit=1000", e.p2, "")
	if status != http.StatusOK || len(b["data"].([]any)) != 60 || b["next_cursor"] != nil {
		t.Errorf("partner 2's links: %d, %d items, next %v", status, len(b["data"].([]any)), b["next_cursor"])
	}
	// A limit above the maximum is lowered to it.
	if status, _ := e.do("GET", "/api/v1/links?limit=5000", adminKey, ""); status != http.StatusOK {
		t.Errorf("limit=5000: status %d", status)
	}
}

func TestCouponPaging(t *testing.T) {
	e := newEnv(t)
	for i := range 7 {
		e.mustCreate("/api/v1/coupons", fmt.Sprintf(`{"code":"C%d","partner_id":1}`, i))
	}
	var codes []string
	for cursor := ""; ; {
		_, b := e.do("GET", "/api/v1/coupons?limit=3&cursor="+cursor, e.p1, "")
		for _, d := range b["data"].([]any) {
			codes = append(codes, d.(map[string]any)["code"].(string))
		}
		next, _ := b["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	if got := strings.Join(codes, ","); got != "C0,C1,C2,C3,C4,C5,C6" {
		t.Errorf("coupons paged as %s", got)
	}
}

// TestAPIKeys: keys are made by admins, shown once, work for their role, and stop working when
// deleted.
func TestAPIKeys(t *testing.T) {
	e := newEnv(t)
	var key string
	runSteps(t, e, []step{
		{name: "create admin key", method: "POST", path: "/api/v1/api-keys", key: adminKey,
			body: `{"name":"ci","role":"admin"}`, status: 201,
			want: map[string]any{"id": 5, "role": "admin", "partner_id": nil},
			check: func(t *testing.T, e *env, b map[string]any) {
				key, _ = b["key"].(string)
				if !strings.HasPrefix(key, "pk_") {
					t.Errorf("key %q", key)
				}
			}},
		{name: "partner key needs partner", method: "POST", path: "/api/v1/api-keys", key: adminKey,
			body: `{"role":"partner"}`, status: 400, want: map[string]any{"error.field": "partner_id"}},
		{name: "partner key with advertiser", method: "POST", path: "/api/v1/api-keys", key: adminKey,
			body: `{"role":"partner","partner_id":1,"advertiser_id":1}`, status: 400, want: map[string]any{"error.field": "advertiser_id"}},
		{name: "admin key with partner", method: "POST", path: "/api/v1/api-keys", key: adminKey,
			body: `{"role":"admin","partner_id":1}`, status: 400, want: map[string]any{"error.field": "partner_id"}},
		{name: "advertiser key for unknown advertiser", method: "POST", path: "/api/v1/api-keys", key: adminKey,
			body: `{"role":"advertiser","advertiser_id":9}`, status: 400, want: map[string]any{"error.field": "advertiser_id"}},
		{name: "bad role", method: "POST", path: "/api/v1/api-keys", key: adminKey,
			body: `{"role":"root"}`, status: 400, want: map[string]any{"error.field": "role"}},
		{name: "list hides keys", method: "GET", path: "/api/v1/api-keys", key: adminKey, status: 200,
			want: map[string]any{"#data": 5, "data.0.key": absent, "data.2.partner_id": 1, "data.2.role": "partner"}},
		{name: "one key, without the key", method: "GET", path: "/api/v1/api-keys/3", key: adminKey, status: 200,
			want: map[string]any{"id": 3, "key": absent, "partner_id": 1, "role": "partner"}},
		{name: "one key as an advertiser", method: "GET", path: "/api/v1/api-keys/3", key: e.adv1, status: 403,
			want: map[string]any{"error.message": "an advertiser key may not manage API keys"}},
		{name: "no such key", method: "GET", path: "/api/v1/api-keys/99", key: adminKey, status: 404},
	})
	if status, _ := e.do("GET", "/api/v1/api-keys", key, ""); status != http.StatusOK {
		t.Fatalf("new admin key: status %d", status)
	}
	if status, _ := e.do("DELETE", "/api/v1/api-keys/5", key, ""); status != http.StatusNoContent {
		t.Fatalf("delete: status %d", status)
	}
	if status, _ := e.do("GET", "/api/v1/api-keys", key, ""); status != http.StatusUnauthorized {
		t.Errorf("deleted key: status %d, want 401", status)
	}
	if status, _ := e.do("DELETE", "/api/v1/api-keys/5", adminKey, ""); status != http.StatusNotFound {
		t.Errorf("delete again: status %d, want 404", status)
	}
	if status, _ := e.do("GET", "/api/v1/api-keys/5", adminKey, ""); status != http.StatusNotFound {
		t.Errorf("read a deleted key: status %d, want 404", status)
	}
}
