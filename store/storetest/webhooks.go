package storetest

import (
	"testing"
	"time"

	"github.com/pactum/pactum"
)

// testShopSecrets: secrets are stored per advertiser and platform, replaced, removed, and
// advertiser reads name the platforms that have one.
func testShopSecrets(t *testing.T, s pactum.Store) {
	a, b := newAdvertiser(t, s, "A"), newAdvertiser(t, s, "B")
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	_, err := s.ShopSecret(ctx, a.ID, pactum.PlatformShopify)
	wantCode(t, err, pactum.ENOTFOUND, "")
	wantCode(t, s.SetShopSecret(ctx, 999, pactum.PlatformShopify, "x", at), pactum.EINVALID, "advertiser_id")
	must(t, s.SetShopSecret(ctx, a.ID, pactum.PlatformShopify, "shpss_one", at))
	must(t, s.SetShopSecret(ctx, a.ID, pactum.PlatformShopify, "shpss_two", at))
	must(t, s.SetShopSecret(ctx, a.ID, pactum.PlatformWooCommerce, "wc", at))
	must(t, s.SetShopSecret(ctx, b.ID, pactum.PlatformWooCommerce, "wc-b", at))
	got, err := s.ShopSecret(ctx, a.ID, pactum.PlatformShopify)
	must(t, err)
	wantEqual(t, "replaced secret", got, "shpss_two")
	adv, err := s.Advertiser(ctx, a.ID)
	must(t, err)
	wantEqual(t, "platforms with a secret", adv.ShopSecrets, []string{pactum.PlatformShopify, pactum.PlatformWooCommerce})
	must(t, s.SetShopSecret(ctx, a.ID, pactum.PlatformShopify, "", at))
	_, err = s.ShopSecret(ctx, a.ID, pactum.PlatformShopify)
	wantCode(t, err, pactum.ENOTFOUND, "")
	list, err := s.ListAdvertisers(ctx, pactum.Page{})
	must(t, err)
	wantEqual(t, "platforms in a list", [][]string{list[0].ShopSecrets, list[1].ShopSecrets},
		[][]string{{pactum.PlatformWooCommerce}, {pactum.PlatformWooCommerce}})
}

// testWebhookLog: webhooks are saved, found by their delivery id (once per advertiser and
// platform), changed by a replay, listed without bodies, and pruned.
func testWebhookLog(t *testing.T, s pactum.Store) {
	a, b := newAdvertiser(t, s, "A"), newAdvertiser(t, s, "B")
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	failed := pactum.Webhook{AdvertiserID: a.ID, Platform: pactum.PlatformShopify, Topic: "orders/create", DeliveryID: "d-1",
		OfferID: 7, ReceivedAt: at, Status: 422, Outcome: pactum.WebhookFailed, Reason: "no line items", OrderID: "820982911946154508",
		Body: []byte(`{"id":820982911946154508}`), UpdatedAt: at}
	must(t, s.SaveWebhook(ctx, &failed))
	got, err := s.Webhook(ctx, failed.ID)
	must(t, err)
	wantEqual(t, "webhook read back", got, failed)
	got, err = s.WebhookByDelivery(ctx, a.ID, pactum.PlatformShopify, "d-1")
	must(t, err)
	wantEqual(t, "by delivery id", got.ID, failed.ID)
	_, err = s.WebhookByDelivery(ctx, b.ID, pactum.PlatformShopify, "d-1")
	wantCode(t, err, pactum.ENOTFOUND, "")
	again := failed
	again.ID = 0
	wantCode(t, s.SaveWebhook(ctx, &again), pactum.ECONFLICT, "delivery_id")
	// The same delivery id elsewhere, and webhooks without one, are other webhooks.
	other := pactum.Webhook{AdvertiserID: b.ID, Platform: pactum.PlatformShopify, Topic: "orders/paid", DeliveryID: "d-1",
		ReceivedAt: at.Add(time.Hour), Status: 200, Outcome: pactum.WebhookApplied, ConversionID: 0, UpdatedAt: at}
	must(t, s.SaveWebhook(ctx, &other))
	var plain []int64
	for range 2 {
		w := pactum.Webhook{AdvertiserID: a.ID, Platform: pactum.PlatformWooCommerce, Topic: "order.updated",
			ReceivedAt: at.Add(48 * time.Hour), Status: 200, Outcome: pactum.WebhookIgnored, UpdatedAt: at}
		must(t, s.SaveWebhook(ctx, &w))
		plain = append(plain, w.ID)
	}
	// A replay that worked: its body is no longer kept.
	failed.Status, failed.Outcome, failed.Reason, failed.ConversionID, failed.Replays, failed.Body = 200, pactum.WebhookApplied, "", 0, 1, nil
	failed.UpdatedAt = at.Add(2 * time.Hour)
	must(t, s.SaveWebhook(ctx, &failed))
	got, err = s.Webhook(ctx, failed.ID)
	must(t, err)
	wantEqual(t, "replayed webhook", got, failed)
	ghost := pactum.Webhook{ID: 999, Outcome: pactum.WebhookFailed}
	wantCode(t, s.SaveWebhook(ctx, &ghost), pactum.ENOTFOUND, "")

	list, err := s.ListWebhooks(ctx, pactum.WebhookFilter{AdvertiserID: a.ID}, pactum.Page{})
	must(t, err)
	wantEqual(t, "advertiser A's log", ids(list, func(w pactum.Webhook) int64 { return w.ID }), []int64{failed.ID, plain[0], plain[1]})
	list, err = s.ListWebhooks(ctx, pactum.WebhookFilter{Outcome: pactum.WebhookApplied}, pactum.Page{})
	must(t, err)
	wantEqual(t, "applied ones", ids(list, func(w pactum.Webhook) int64 { return w.ID }), []int64{failed.ID, other.ID})
	for _, w := range list {
		if w.Body != nil {
			t.Fatalf("list has a body: %s", w.Body)
		}
	}
	n, err := s.PruneWebhooks(ctx, at.Add(24*time.Hour))
	must(t, err)
	wantEqual(t, "pruned", n, int64(2))
	list, err = s.ListWebhooks(ctx, pactum.WebhookFilter{}, pactum.Page{})
	must(t, err)
	wantEqual(t, "after pruning", ids(list, func(w pactum.Webhook) int64 { return w.ID }), plain)
}
