package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
	"github.com/pactum/pactum/shop"
)

const shopifySecret = "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"

// TestIntegrations: an advertiser sets and removes its shops' webhook secrets (never shown
// back, not even with an error) and the addresses whose postbacks need no token; errors at
// their field; another program's settings are not its to change.
func TestIntegrations(t *testing.T) {
	s := newSite(t)
	s.otherProgram()
	shopUser := s.login("shop@example.com")
	body := shopUser.shows("/console/settings/integrations", "Shoe Shop", s.srv.URL+"/webhooks/shopify/1", s.srv.URL+"/webhooks/woocommerce/1",
		"http://track.test/postback?click_id={click_id}", "no secret", "cannot show the token again")
	if strings.Contains(body, "Hat Shop") {
		t.Error("an advertiser sees another program's settings")
	}
	shopUser.expectFieldErrors("/console/settings/programs/1/shop-secret", []formCase{
		{"no secret", url.Values{"platform": {"shopify"}, "action": {"set"}, "shopify_secret.1": {""}}, "f-shopify_secret-1", 400},
		{"a short secret", url.Values{"platform": {"shopify"}, "action": {"set"}, "shopify_secret.1": {"abc12"}}, "f-shopify_secret-1", 400},
		{"spaces around it", url.Values{"platform": {"woocommerce"}, "action": {"set"}, "woocommerce_secret.1": {" wc-secret-1234 "}}, "f-woocommerce_secret-1", 400},
	})
	shopUser.expectFieldErrors("/console/settings/programs/1/postback-ips", []formCase{
		{"an address with host bits", url.Values{"postback_ips.1": {"203.0.113.7\n10.1.2.3/8"}}, "f-postback_ips-1", 400},
		{"not an address", url.Values{"postback_ips.1": {"shop.example"}}, "f-postback_ips-1", 400},
	})
	if _, body := shopUser.post("/console/settings/programs/1/shop-secret", url.Values{"platform": {"shopify"}, "action": {"set"}, "shopify_secret.1": {"abc12"}}); strings.Contains(body, "abc12") {
		t.Error("a refused secret is shown back")
	}
	resp, _ := shopUser.post("/console/settings/programs/1/shop-secret", url.Values{"platform": {"shopify"}, "action": {"set"}, "shopify_secret.1": {shopifySecret}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/settings/integrations#program-1" {
		t.Fatalf("set the secret: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got, err := s.store.ShopSecret(ctx, 1, pactum.PlatformShopify); err != nil || got != shopifySecret {
		t.Fatalf("stored secret %q, %v", got, err)
	}
	_, body = shopUser.get("/console/settings/integrations")
	if !strings.Contains(body, "Shoe Shop&#39;s Shopify secret is set") || !strings.Contains(body, "secret set</span>") || strings.Contains(body, shopifySecret) {
		t.Fatalf("the page does not say the secret is set, or shows it:\n%s", body)
	}
	resp, _ = shopUser.post("/console/settings/programs/1/postback-ips", url.Values{"postback_ips.1": {"203.0.113.7, 198.51.100.0/24"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save addresses: %d", resp.StatusCode)
	}
	if a, _ := s.store.Advertiser(ctx, 1); strings.Join(a.PostbackIPs, " ") != "203.0.113.7 198.51.100.0/24" {
		t.Fatalf("stored addresses %v", a.PostbackIPs)
	}
	if _, body := shopUser.get("/console/settings/integrations"); !strings.Contains(body, "203.0.113.7\n198.51.100.0/24</textarea>") {
		t.Error("the stored addresses are not shown one a line")
	}
	// Another program's id in the URL, or an unknown platform: not found, nothing changed.
	for _, tt := range []struct {
		path string
		form url.Values
	}{
		{"/console/settings/programs/2/shop-secret", url.Values{"platform": {"shopify"}, "action": {"set"}, "shopify_secret.2": {shopifySecret}}},
		{"/console/settings/programs/2/postback-ips", url.Values{"postback_ips.2": {"203.0.113.9"}}},
		{"/console/settings/programs/1/shop-secret", url.Values{"platform": {"magento"}, "action": {"set"}}},
	} {
		if resp, _ := shopUser.post(tt.path, tt.form); resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s %v: %d", tt.path, tt.form, resp.StatusCode)
		}
	}
	if _, err := s.store.ShopSecret(ctx, 2, pactum.PlatformShopify); pactum.ErrorCode(err) != pactum.ENOTFOUND {
		t.Error("advertiser 1 set advertiser 2's secret")
	}
	// Refused from another site; then removed.
	shopUser.header.Set("Sec-Fetch-Site", "cross-site")
	shopUser.post("/console/settings/programs/1/shop-secret", url.Values{"platform": {"shopify"}, "action": {"remove"}})
	shopUser.header = http.Header{}
	if _, err := s.store.ShopSecret(ctx, 1, pactum.PlatformShopify); err != nil {
		t.Fatal("a cross-site post removed the secret")
	}
	shopUser.post("/console/settings/programs/1/shop-secret", url.Values{"platform": {"shopify"}, "action": {"remove"}})
	if _, err := s.store.ShopSecret(ctx, 1, pactum.PlatformShopify); pactum.ErrorCode(err) != pactum.ENOTFOUND {
		t.Fatalf("the removed secret: %v", err)
	}
	// The admin sees every program's.
	if _, body := s.login("admin@example.com").get("/console/settings/integrations"); !strings.Contains(body, "Hat Shop") || !strings.Contains(body, "Shoe Shop") {
		t.Error("the admin does not see every program")
	}
}

// TestWebhookLog: a Shopify order that cannot be mapped (two active offers, none named) is in
// the log with its body; the filter finds it; its replay names the offer at its field, and with
// the offer applies it; another advertiser reaches none of it.
func TestWebhookLog(t *testing.T) {
	s := newSite(t)
	s.otherProgram()
	if _, err := program.CreateUser(ctx, s.store, program.UserInput{Email: "hats@example.com", Role: pactum.RoleAdvertiser, AdvertiserID: 2},
		cheap.Hash(password), now); err != nil {
		t.Fatal(err)
	}
	shopUser := s.login("shop@example.com")
	if _, body := shopUser.get("/console/settings/webhooks"); !strings.Contains(body, "No webhooks yet") {
		t.Fatal("the log has no empty state")
	}
	secret, adv, name, dest := shopifySecret, int64(1), "Winter boots", "https://shoes.example/winter"
	if _, err := s.program.UpdateAdvertiser(ctx, program.Admin, 1, program.AdvertiserInput{ShopifySecret: &secret}); err != nil {
		t.Fatal(err)
	}
	events := []program.OfferEventInput{{Name: "purchase", Payout: json.RawMessage(`{"default":{"percent":"5"}}`)}}
	if _, err := s.program.CreateOffer(ctx, program.Admin, program.OfferInput{AdvertiserID: &adv, Name: &name, DestinationURL: &dest, Events: &events}); err != nil {
		t.Fatal(err)
	}
	order, err := os.ReadFile("../shop/testdata/shopify_order.json")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.program.ReceiveWebhook(ctx, program.WebhookInput{Platform: pactum.PlatformShopify, AdvertiserID: 1, Topic: shop.ShopifyOrdersCreate,
		DeliveryID: "wh-1", Signature: shop.Sign(order, shopifySecret), Body: order})
	if pactum.ErrorCode(err) != pactum.EPRECONDITION {
		t.Fatalf("an order with two active offers and none named: %v", err)
	}

	shopUser.shows("/console/settings/webhooks", `href="/console/settings/webhooks/1"`, `<span class="badge failed">failed</span>`,
		"orders/create", "820982911946154508", "several active offers")
	if _, body := shopUser.get("/console/settings/webhooks?outcome=applied"); !strings.Contains(body, "No webhook matches these filters") {
		t.Error("?outcome=applied shows the failed one")
	}
	if resp, body := shopUser.get("/console/settings/webhooks?outcome=lost"); resp.StatusCode != 400 || !strings.Contains(body, `id="f-outcome-error"`) {
		t.Errorf("?outcome=lost: %d", resp.StatusCode)
	}
	_, body := shopUser.get("/console/settings/webhooks/1")
	if !strings.Contains(body, "Body, as it came") || !strings.Contains(body, "jon.doe@example.com") || !strings.Contains(body, "Replay webhook 1") {
		t.Fatal("the failed webhook's page lacks its body or its replay")
	}
	// Replayed as it came, it fails again, at the offer; with the offer, it applies.
	resp, body := shopUser.post("/console/settings/webhooks/1/replay", url.Values{"offer_id": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-offer_id-error"`) || !strings.Contains(body, "several active offers") {
		t.Fatalf("replay without an offer: %d\n%s", resp.StatusCode, errorsOf(body))
	}
	resp, _ = shopUser.post("/console/settings/webhooks/1/replay", url.Values{"offer_id": {"1"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/settings/webhooks/1" {
		t.Fatalf("replay with offer 1: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = shopUser.get("/console/settings/webhooks/1")
	if !strings.Contains(body, "Replayed: applied") || !strings.Contains(body, `<span class="badge applied">applied</span>`) ||
		strings.Contains(body, "jon.doe@example.com") || strings.Contains(body, "Replay webhook 1") || !strings.Contains(body, "2×") {
		t.Fatalf("after the replay:\n%s", errorsOf(body))
	}
	if resp, body := shopUser.post("/console/settings/webhooks/1/replay", nil); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "only a failed webhook") {
		t.Errorf("replaying an applied webhook: %d", resp.StatusCode)
	}

	// Another advertiser: not in its log, not found by id, not replayed.
	hats := s.login("hats@example.com")
	if _, body := hats.get("/console/settings/webhooks?advertiser_id=1"); strings.Contains(body, "/console/settings/webhooks/1") {
		t.Error("?advertiser_id=1 shows advertiser 1's webhook to advertiser 2")
	}
	if resp, body := hats.get("/console/settings/webhooks/1"); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "820982911946154508") {
		t.Errorf("advertiser 2 GET webhook 1: %d", resp.StatusCode)
	}
	if resp, _ := hats.post("/console/settings/webhooks/1/replay", url.Values{"offer_id": {"2"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("advertiser 2 replaying webhook 1: %d", resp.StatusCode)
	}
	// The admin filters by program; a partner has no log.
	admin := s.login("admin@example.com")
	if _, body := admin.get("/console/settings/webhooks?advertiser_id=2"); strings.Contains(body, "/console/settings/webhooks/1\"") {
		t.Error("the admin's filter by program 2 shows program 1's webhook")
	}
	if _, body := admin.get("/console/settings/webhooks?advertiser_id=1"); !strings.Contains(body, "/console/settings/webhooks/1\"") {
		t.Error("the admin's filter by program 1 hides its webhook")
	}
	if resp, _ := s.login("anna@example.com").get("/console/settings/webhooks/1"); resp.Request.URL.Path != "/portal/dashboard" {
		t.Errorf("a partner at the webhook log ends at %s", resp.Request.URL.Path)
	}
}
