package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pactum/pactum/shop"
)

const (
	shopifySecret = "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"
	wooSecret     = "wc-secret-for-tests"
)

func shopPayload(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../shop/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// hook sends a shop's webhook as the platform does: signed with secret ("" leaves the signature
// out), with its topic and delivery id.
func (e *env) hook(platform, path, topic, delivery, secret, body string) (int, map[string]any) {
	e.t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	h := map[string][3]string{
		"shopify":     {"X-Shopify-Topic", "X-Shopify-Webhook-Id", "X-Shopify-Hmac-Sha256"},
		"woocommerce": {"X-WC-Webhook-Topic", "X-WC-Webhook-Delivery-ID", "X-WC-Webhook-Signature"},
	}[platform]
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(h[0], topic)
	if delivery != "" {
		req.Header.Set(h[1], delivery)
	}
	if secret != "" {
		req.Header.Set(h[2], shop.Sign([]byte(body), secret))
	}
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	var m map[string]any
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			e.t.Fatalf("POST %s: %v\n%s", path, err, rec.Body.String())
		}
	}
	return rec.Code, m
}

// conversion reads conversion id as the admin.
func (e *env) conversion(id any) map[string]any {
	e.t.Helper()
	status, cv := e.do("GET", fmt.Sprint("/api/v1/conversions/", id), adminKey, "")
	if status != http.StatusOK {
		e.t.Fatalf("conversion %v: %d %v", id, status, cv)
	}
	return cv
}

func (e *env) count(path string) int {
	e.t.Helper()
	_, list := e.do("GET", path, adminKey, "")
	return len(list["data"].([]any))
}

func payout(cv map[string]any) string { return cv["commission"].(map[string]any)["payout"].(string) }

// TestShopifyWebhooks: Shopify's orders/create with three lines, discount allocations and a
// discount code becomes a conversion whose commission is right to the cent; a wrong signature is
// 401 and stores nothing; an order that cannot be mapped is 422, logged, and replayed once fixed;
// the same delivery, the same order and the same refund again change nothing; refunds/create
// shrinks the commission.
func TestShopifyWebhooks(t *testing.T) {
	e, signer := pipelineEnv(t)
	order := shopPayload(t, "shopify_order.json")
	const hook = "/webhooks/shopify/1"

	// The advertiser sets its app's secret; answers say only that it is set.
	if status, body := e.do("PATCH", "/api/v1/advertisers/1", e.adv1, `{"shopify_secret":"short"}`); status != http.StatusBadRequest ||
		body["error"].(map[string]any)["field"] != "shopify_secret" {
		t.Fatalf("short secret: %d %v", status, body)
	}
	status, adv := e.do("PATCH", "/api/v1/advertisers/1", e.adv1, `{"shopify_secret":"`+shopifySecret+`"}`)
	if status != http.StatusOK || fmt.Sprint(adv["shopify_secret"]) != "map[set:true]" || fmt.Sprint(adv["woocommerce_secret"]) != "map[set:false]" ||
		strings.Contains(fmt.Sprint(adv), shopifySecret) {
		t.Fatalf("set secret: %d %v", status, adv)
	}

	// Wrong signatures, unknown advertisers, no signature: 401, and nothing is stored.
	for _, tt := range []struct{ path, secret string }{
		{hook + "?offer_id=1", "another secret"}, {"/webhooks/shopify/2?offer_id=2", shopifySecret},
		{"/webhooks/shopify/99", shopifySecret}, {hook + "?offer_id=1", ""},
	} {
		if status, body := e.hook("shopify", tt.path, shop.ShopifyOrdersCreate, "wh-bad", tt.secret, order); status != http.StatusUnauthorized {
			t.Fatalf("%s signed with %q: %d %v", tt.path, tt.secret, status, body)
		}
	}
	tampered := strings.Replace(order, `"quantity": 2`, `"quantity": 20`, 1)
	req := httptest.NewRequest("POST", hook+"?offer_id=1", strings.NewReader(tampered))
	req.Header.Set("X-Shopify-Topic", shop.ShopifyOrdersCreate)
	req.Header.Set("X-Shopify-Hmac-Sha256", shop.Sign([]byte(order), shopifySecret))
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("a body changed after signing: %d", rec.Code)
	}
	if n := e.count("/api/v1/conversions"); n != 0 {
		t.Fatalf("%d conversions after refused webhooks", n)
	}
	if n := e.count("/api/v1/webhooks/log"); n != 0 {
		t.Fatalf("%d webhooks logged after refused ones", n)
	}

	// Advertiser 1 has two active offers: without ?offer_id= the order cannot be mapped.
	status, body := e.hook("shopify", hook, shop.ShopifyOrdersCreate, "wh-ambiguous", shopifySecret, order)
	errObj, _ := body["error"].(map[string]any)
	if status != http.StatusUnprocessableEntity || errObj["field"] != "offer_id" || !strings.Contains(errObj["message"].(string), "?offer_id=") {
		t.Fatalf("ambiguous offer: %d %v", status, body)
	}
	_, log := e.do("GET", "/api/v1/webhooks/log", e.adv1, "")
	failed := log["data"].([]any)[0].(map[string]any)
	if failed["outcome"] != "failed" || failed["http_status"] != float64(422) || failed["replayable"] != true ||
		failed["order_id"] != "820982911946154508" || !strings.Contains(failed["reason"].(string), "offer_id") {
		t.Fatalf("failed webhook in the log: %v", failed)
	}

	// With the offer named: a conversion, to the cent.
	status, body = e.hook("shopify", hook+"?offer_id=1", shop.ShopifyOrdersCreate, "wh-1", shopifySecret, order)
	if status != http.StatusOK || body["outcome"] != "applied" || body["order_id"] != "820982911946154508" || body["duplicate"] != false {
		t.Fatalf("orders/create: %d %v", status, body)
	}
	convID := body["conversion_id"]
	cv := e.conversion(convID)
	// SHOE-9 2 x 99.90 - 19.98 at 12.00 a unit: 24.00; SOCK-1 3 x 12.50 - 3.75 at 8%: 2.70;
	// variant-39072856 49.00 - 4.90 at 8%: 3.53; new customer 5.00; 2% of 257.67: 5.15.
	if cv["order_id"] != "820982911946154508" || cv["amount"] != "257.67" || payout(cv) != "40.38" || cv["attribution"] != "coupon" ||
		cv["partner_id"] != float64(1) || cv["coupon"] != "ANNA10" || cv["new_customer"] != true || cv["customer_id"] != "115310627314723954" ||
		cv["country"] != "DE" || cv["source"] != "webhook" || cv["click_id"] != "" {
		t.Fatalf("conversion: %v", cv)
	}
	if !strings.Contains(body["reason"].(string), `click id "NOT-A-PACTUM-CLICK-EITHER" ignored`) {
		t.Fatalf("reason %q: want the foreign click id noted", body["reason"])
	}

	// The same delivery again: the same answer, nothing new, not even in the log.
	logged := e.count("/api/v1/webhooks/log")
	status, body = e.hook("shopify", hook+"?offer_id=1", shop.ShopifyOrdersCreate, "wh-1", shopifySecret, order)
	if status != http.StatusOK || body["duplicate"] != true || body["conversion_id"] != convID {
		t.Fatalf("same delivery: %d %v", status, body)
	}
	// The same order in another delivery (orders/paid): a duplicate conversion.
	status, body = e.hook("shopify", hook+"?offer_id=1", shop.ShopifyOrdersPaid, "wh-2", shopifySecret, order)
	if status != http.StatusOK || body["outcome"] != "duplicate" || body["conversion_id"] != convID {
		t.Fatalf("orders/paid: %d %v", status, body)
	}
	if n := e.count("/api/v1/conversions"); n != 1 {
		t.Fatalf("%d conversions for one order", n)
	}
	if n := e.count("/api/v1/webhooks/log"); n != logged+1 {
		t.Fatalf("log grew by %d", n-logged)
	}

	// The failed one replayed: its order is a conversion already.
	status, replay := e.do("POST", fmt.Sprint("/api/v1/webhooks/log/", failed["id"], "/replay"), e.adv1, "")
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("replay with two offers: %d %v", status, replay)
	}
	status, replay = e.do("POST", fmt.Sprint("/api/v1/webhooks/log/", failed["id"], "/replay?offer_id=1"), e.adv1, "")
	if status != http.StatusOK || replay["outcome"] != "duplicate" || replay["replays"] != float64(2) || replay["replayable"] != false ||
		replay["offer_id"] != float64(1) {
		t.Fatalf("replay naming the offer: %d %v", status, replay)
	}
	if status, _ := e.do("POST", fmt.Sprint("/api/v1/webhooks/log/", failed["id"], "/replay"), e.adv1, ""); status != http.StatusConflict {
		t.Fatalf("replay of a webhook that did not fail: %d", status)
	}

	// A refund of one pair of shoes: that line's 24.00 halves, the 2% bonus follows the amount.
	refund := shopPayload(t, "shopify_refund.json")
	status, body = e.hook("shopify", hook+"?offer_id=1", shop.ShopifyRefundsCreate, "wh-3", shopifySecret, refund)
	if status != http.StatusOK || body["outcome"] != "applied" || body["conversion_id"] != convID {
		t.Fatalf("refunds/create: %d %v", status, body)
	}
	cv = e.conversion(convID)
	if payout(cv) != "26.58" || cv["refunded_amount"] != "89.91" || cv["status"] != "pending" {
		t.Fatalf("after the refund: payout %s, refunded %v, %v", payout(cv), cv["refunded_amount"], cv["status"])
	}
	// The same refund in another delivery changes nothing.
	status, body = e.hook("shopify", hook+"?offer_id=1", shop.ShopifyRefundsCreate, "wh-4", shopifySecret, refund)
	if status != http.StatusOK || body["outcome"] != "duplicate" {
		t.Fatalf("refund again: %d %v", status, body)
	}
	if cv = e.conversion(convID); payout(cv) != "26.58" {
		t.Fatalf("payout after the refund again: %s", payout(cv))
	}

	// A refund of an order Pactum does not know: 422, kept for a replay.
	status, body = e.hook("shopify", hook+"?offer_id=1", shop.ShopifyRefundsCreate, "wh-5", shopifySecret,
		strings.Replace(refund, `"order_id": 820982911946154508`, `"order_id": 18446744073709551617`, 1))
	if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body), "18446744073709551617 has no conversion") {
		t.Fatalf("refund of an unknown order: %d %v", status, body)
	}

	// A click id Pactum issued attributes the order to its partner, order ids beyond 2^63 keep
	// every digit, and a topic Pactum does not act on is answered 200 and logged as ignored.
	clicked := strings.Replace(strings.Replace(order, "NOT-A-PACTUM-CLICK-EITHER", click(t, signer, 2, 2*time.Hour), 1),
		`"id": 820982911946154508`, `"id": 99999999999999999999`, 1)
	status, body = e.hook("shopify", hook+"?offer_id=1", shop.ShopifyOrdersCreate, "wh-6", shopifySecret, clicked)
	if status != http.StatusOK || body["outcome"] != "applied" {
		t.Fatalf("order with a click: %d %v", status, body)
	}
	cv = e.conversion(body["conversion_id"])
	if cv["attribution"] != "click" || cv["partner_id"] != float64(2) || cv["order_id"] != "99999999999999999999" {
		t.Fatalf("clicked order: %v", cv)
	}
	status, body = e.hook("shopify", hook+"?offer_id=1", "customers/create", "wh-7", shopifySecret, `{"id":1}`)
	if status != http.StatusOK || body["outcome"] != "ignored" {
		t.Fatalf("another topic: %d %v", status, body)
	}
	// A test order proves the wiring and earns nothing.
	status, body = e.hook("shopify", hook+"?offer_id=1", shop.ShopifyOrdersCreate, "wh-8", shopifySecret,
		strings.Replace(strings.Replace(order, `"test": false`, `"test": true`, 1), `"id": 820982911946154508`, `"id": 5`, 1))
	if status != http.StatusOK || body["outcome"] != "ignored" || !strings.Contains(body["reason"].(string), "test order") {
		t.Fatalf("test order: %d %v", status, body)
	}

	// The log: the advertiser's own; one webhook with its body while it can be replayed.
	if status, _ := e.do("GET", "/api/v1/webhooks/log", e.p1, ""); status != http.StatusForbidden {
		t.Fatalf("a partner reads the log: %d", status)
	}
	if n := len(mustList(t, e, "/api/v1/webhooks/log", e.adv2)); n != 0 {
		t.Fatalf("advertiser 2 sees %d of advertiser 1's webhooks", n)
	}
	all := mustList(t, e, "/api/v1/webhooks/log?outcome=failed", e.adv1)
	if len(all) != 1 {
		t.Fatalf("failed webhooks: %v", all)
	}
	_, one := e.do("GET", fmt.Sprint("/api/v1/webhooks/log/", all[0].(map[string]any)["id"]), e.adv1, "")
	if !strings.Contains(fmt.Sprint(one["body"]), "refund_line_items") {
		t.Fatalf("failed webhook without its body: %v", one)
	}
	if status, _ := e.do("GET", fmt.Sprint("/api/v1/webhooks/log/", all[0].(map[string]any)["id"]), e.adv2, ""); status != http.StatusNotFound {
		t.Fatalf("advertiser 2 reads advertiser 1's webhook: %d", status)
	}

	// A secret removed: every webhook is refused again.
	status, adv = e.do("PATCH", "/api/v1/advertisers/1", adminKey, `{"shopify_secret":""}`)
	if status != http.StatusOK || fmt.Sprint(adv["shopify_secret"]) != "map[set:false]" {
		t.Fatalf("remove the secret: %d %v", status, adv)
	}
	if status, _ := e.hook("shopify", hook+"?offer_id=1", shop.ShopifyOrdersCreate, "wh-9", shopifySecret, order); status != http.StatusUnauthorized {
		t.Fatalf("webhook after the secret was removed: %d", status)
	}
}

func mustList(t *testing.T, e *env, path, key string) []any {
	t.Helper()
	status, list := e.do("GET", path, key, "")
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %v", path, status, list)
	}
	return list["data"].([]any)
}

// TestWooCommerceWebhooks: the first ping is 200; a paid order is a conversion to the cent with
// its coupon; a partial refund shrinks the commission by its share of the order; a refunded
// order is reversed; a cancelled one rejected; an unpaid one ignored.
func TestWooCommerceWebhooks(t *testing.T) {
	e, _ := pipelineEnv(t)
	// Advertiser 1's other offer paused: its one active offer takes the orders without ?offer_id=.
	if status, _ := e.do("PATCH", "/api/v1/offers/3", e.adv1, `{"status":"paused"}`); status != http.StatusOK {
		t.Fatal("pause offer 3")
	}
	const hook = "/webhooks/woocommerce/1"
	order := shopPayload(t, "woocommerce_order.json")

	// WooCommerce pings a new webhook, unsigned, before it is saved with its secret.
	req := httptest.NewRequest("POST", hook, strings.NewReader("webhook_id=12"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"ping":true`) {
		t.Fatalf("ping: %d %s", rec.Code, rec.Body.String())
	}
	if status, _ := e.do("PATCH", "/api/v1/advertisers/1", adminKey, `{"woocommerce_secret":"`+wooSecret+`"}`); status != http.StatusOK {
		t.Fatal("set the secret")
	}
	if status, _ := e.hook("woocommerce", hook, shop.WooOrderCreated, "d-0", "wrong-secret-1", order); status != http.StatusUnauthorized {
		t.Fatalf("wrong signature: %d", status)
	}

	// Paid: SHOE-9 24.00, SOCK-1 2.70, 3 stickers for 9.00 at 8% 0.72, 2% of 222.57 4.45.
	status, body := e.hook("woocommerce", hook, shop.WooOrderCreated, "d-1", wooSecret, order)
	if status != http.StatusOK || body["outcome"] != "applied" {
		t.Fatalf("order.created: %d %v", status, body)
	}
	id := body["conversion_id"]
	cv := e.conversion(id)
	if cv["order_id"] != "727" || cv["amount"] != "222.57" || payout(cv) != "31.87" || cv["attribution"] != "coupon" || cv["customer_id"] != "26" {
		t.Fatalf("conversion: %v", cv)
	}

	// A refund of 54.14 of 270.69 (a fifth) takes a fifth of the commissionable 222.57: 44.52.
	withRefund := strings.Replace(order, `"refunds": []`, `"refunds": [{"id": 801, "reason": "one size too small", "total": "-54.14"}]`, 1)
	status, body = e.hook("woocommerce", hook, shop.WooOrderUpdated, "d-2", wooSecret, withRefund)
	if status != http.StatusOK || body["outcome"] != "applied" {
		t.Fatalf("partial refund: %d %v", status, body)
	}
	if cv = e.conversion(id); payout(cv) != "25.50" || cv["refunded_amount"] != "44.52" {
		t.Fatalf("after the partial refund: %s, refunded %v", payout(cv), cv["refunded_amount"])
	}
	status, body = e.hook("woocommerce", hook, shop.WooOrderUpdated, "d-3", wooSecret, withRefund)
	if status != http.StatusOK || body["outcome"] != "duplicate" || payout(e.conversion(id)) != "25.50" {
		t.Fatalf("the same refund again: %d %v", status, body)
	}

	// Refunded in full: reversed.
	refunded := strings.Replace(withRefund, `"status": "processing"`, `"status": "refunded"`, 1)
	status, body = e.hook("woocommerce", hook, shop.WooOrderUpdated, "d-4", wooSecret, refunded)
	if status != http.StatusOK || body["outcome"] != "applied" {
		t.Fatalf("refunded: %d %v", status, body)
	}
	if cv = e.conversion(id); cv["status"] != "reversed" || payout(cv) != "0.00" {
		t.Fatalf("after the full refund: %v %s", cv["status"], payout(cv))
	}

	// Unpaid orders are not sales; a cancelled one rejects its conversion.
	other := strings.Replace(order, `"id": 727`, `"id": 728`, 1)
	status, body = e.hook("woocommerce", hook, shop.WooOrderCreated, "d-5", wooSecret, strings.Replace(other, `"status": "processing"`, `"status": "pending"`, 1))
	if status != http.StatusOK || body["outcome"] != "ignored" {
		t.Fatalf("pending order: %d %v", status, body)
	}
	_, body = e.hook("woocommerce", hook, shop.WooOrderUpdated, "d-6", wooSecret, other)
	id2 := body["conversion_id"]
	status, body = e.hook("woocommerce", hook, shop.WooOrderUpdated, "d-7", wooSecret, strings.Replace(other, `"status": "processing"`, `"status": "cancelled"`, 1))
	if status != http.StatusOK || body["outcome"] != "applied" {
		t.Fatalf("cancelled: %d %v", status, body)
	}
	if cv = e.conversion(id2); cv["status"] != "rejected" || cv["reason"] != "order cancelled in WooCommerce" {
		t.Fatalf("after the cancellation: %v %v", cv["status"], cv["reason"])
	}

	// An order in a currency the offer is not in cannot be mapped.
	status, body = e.hook("woocommerce", hook, shop.WooOrderCreated, "d-8", wooSecret,
		strings.Replace(strings.Replace(order, `"id": 727`, `"id": 729`, 1), `"currency": "EUR"`, `"currency": "USD"`, 1))
	if status != http.StatusUnprocessableEntity || body["error"].(map[string]any)["field"] != "currency" {
		t.Fatalf("order in USD: %d %v", status, body)
	}
}
