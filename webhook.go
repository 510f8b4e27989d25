package pactum

import (
	"context"
	"time"
)

// Shop platforms whose order webhooks Pactum takes (SPEC section 12).
const (
	PlatformShopify     = "shopify"
	PlatformWooCommerce = "woocommerce"
)

// Platforms are the shop platforms, in the order answers list them.
var Platforms = []string{PlatformShopify, PlatformWooCommerce}

// What became of a webhook.
const (
	// WebhookApplied: it made a conversion, or refunded or rejected one.
	WebhookApplied = "applied"
	// WebhookDuplicate: it changed nothing it had not changed before: the same delivery again,
	// an order reported already, a refund applied already.
	WebhookDuplicate = "duplicate"
	// WebhookIgnored: a topic or an order state Pactum does not act on (an order not paid yet).
	WebhookIgnored = "ignored"
	// WebhookFailed: it could not be mapped to a conversion (answered 422 with the reason) or
	// not processed (5xx); its body is kept so that the advertiser can replay it.
	WebhookFailed = "failed"
	// WebhookQueued: its conversion is recorded and waits to be processed (answered 202).
	WebhookQueued = "queued"
)

// Webhook is one verified webhook in the advertiser's webhook log. A webhook that fails
// verification is not kept: it changes nothing.
type Webhook struct {
	ID           int64
	AdvertiserID int64
	Platform     string
	Topic        string
	// DeliveryID is the platform's id of the delivery (X-Shopify-Webhook-Id,
	// X-WC-Webhook-Delivery-ID), the same when the platform sends it again; "" without one.
	DeliveryID string
	// OfferID is the webhook URL's ?offer_id=, 0 without one.
	OfferID      int64
	ReceivedAt   time.Time
	Status       int // the HTTP status answered
	Outcome      string
	Reason       string
	OrderID      string
	ConversionID int64
	// Body is the webhook as it came, kept while it can be replayed (a failed one); nil for the
	// others, which have no use for the customer data it holds.
	Body      []byte
	Replays   int
	UpdatedAt time.Time
}

// WebhookFilter selects webhooks; zero fields match everything.
type WebhookFilter struct {
	AdvertiserID int64
	Outcome      string
}

// WebhookStore keeps shops' webhook secrets and the webhook log.
type WebhookStore interface {
	// SetShopSecret stores the secret that signs an advertiser's webhooks from platform,
	// replacing any; "" removes it. Advertiser reads say which platforms have one
	// (Advertiser.ShopSecrets), never the secret.
	SetShopSecret(ctx context.Context, advertiserID int64, platform, secret string, at time.Time) error
	// ShopSecret returns the secret, ENOTFOUND when none is set.
	ShopSecret(ctx context.Context, advertiserID int64, platform string) (string, error)
	// SaveWebhook inserts w (ID 0; its ID is set) or updates the row with w's ID (all but its
	// advertiser, platform, delivery id and time of receipt). A second webhook with the same
	// advertiser, platform and DeliveryID is an ECONFLICT.
	SaveWebhook(ctx context.Context, w *Webhook) error
	// Webhook returns a webhook with its body.
	Webhook(ctx context.Context, id int64) (Webhook, error)
	// WebhookByDelivery returns the webhook of a platform's delivery id (ENOTFOUND if none).
	WebhookByDelivery(ctx context.Context, advertiserID int64, platform, deliveryID string) (Webhook, error)
	// ListWebhooks lists webhooks that match f, by id, without their bodies.
	ListWebhooks(ctx context.Context, f WebhookFilter, p Page) ([]Webhook, error)
	// PruneWebhooks deletes webhooks received before before, and returns how many.
	PruneWebhooks(ctx context.Context, before time.Time) (int64, error)
}
