package api

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/answer"
	"github.com/pactum/pactum/program"
)

// maxWebhookBody bounds a shop's webhook: a Shopify order of 500 lines, each with its price
// sets, taxes and discount allocations, is a few MB.
const maxWebhookBody = 8 << 20

// shopHeaders are the headers a platform's webhooks carry their topic, delivery id and
// signature in.
var shopHeaders = map[string]struct{ topic, delivery, signature string }{
	pactum.PlatformShopify:     {"X-Shopify-Topic", "X-Shopify-Webhook-Id", "X-Shopify-Hmac-Sha256"},
	pactum.PlatformWooCommerce: {"X-WC-Webhook-Topic", "X-WC-Webhook-Delivery-ID", "X-WC-Webhook-Signature"},
}

// registerWebhooks mounts the shops' webhook URLs (SPEC section 12). They carry no API key: the
// shop signs each body with the advertiser's secret, which the program checks.
func (a *API) registerWebhooks(mux *http.ServeMux) {
	for _, platform := range pactum.Platforms {
		pattern := "POST /webhooks/" + platform + "/{advertiser_id}"
		a.routes = append(a.routes, pattern)
		mux.HandleFunc(pattern, a.webhook(platform))
	}
}

// webhookAnswer is the answer to a webhook the program took.
type webhookAnswer struct {
	WebhookID    int64  `json:"webhook_id,omitempty"`
	Outcome      string `json:"outcome"`
	Reason       string `json:"reason,omitempty"`
	OrderID      string `json:"order_id,omitempty"`
	ConversionID *int64 `json:"conversion_id,omitempty"`
	Duplicate    bool   `json:"duplicate"`
}

func (a *API) webhook(platform string) http.HandlerFunc {
	h := shopHeaders[platform]
	return func(w http.ResponseWriter, r *http.Request) {
		defer a.recoverPanic(w, r)
		advertiserID, err := pathInt(r, "advertiser_id", "advertiser")
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		offerID, err := queryID(r, "offer_id")
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			a.writeError(w, r, pactum.Errorf(pactum.EINVALID, "the webhook is larger than %d bytes", tooBig.Limit))
			return
		} else if err != nil {
			a.writeError(w, r, pactum.Errorf(pactum.EINVALID, "could not read the webhook"))
			return
		}
		res, err := a.program.ReceiveWebhook(r.Context(), program.WebhookInput{
			Platform: platform, AdvertiserID: advertiserID, OfferID: offerID, Topic: r.Header.Get(h.topic),
			DeliveryID: r.Header.Get(h.delivery), Signature: r.Header.Get(h.signature), Body: body,
		})
		switch {
		case pactum.ErrorCode(err) == pactum.EUNAUTHORIZED:
			a.logger.InfoContext(r.Context(), "shop webhook refused: its signature does not verify",
				"platform", platform, "advertiser", advertiserID, "remote", r.RemoteAddr)
			answer.WriteError(w, http.StatusUnauthorized, err)
			return
		case err != nil:
			a.writeError(w, r, err)
			return
		case res.Ping:
			writeJSON(w, http.StatusOK, map[string]bool{"ping": true})
			return
		}
		wh := res.Webhook
		writeJSON(w, wh.Status, webhookAnswer{WebhookID: wh.ID, Outcome: wh.Outcome, Reason: wh.Reason, OrderID: wh.OrderID,
			ConversionID: idOrNull(wh.ConversionID), Duplicate: res.Duplicate})
	}
}

type webhookJSON struct {
	ID           int64     `json:"id"`
	AdvertiserID int64     `json:"advertiser_id"`
	Platform     string    `json:"platform"`
	Topic        string    `json:"topic"`
	DeliveryID   string    `json:"delivery_id"`
	OfferID      *int64    `json:"offer_id"`
	ReceivedAt   time.Time `json:"received_at"`
	// HTTPStatus is what Pactum answered the shop.
	HTTPStatus   int    `json:"http_status"`
	Outcome      string `json:"outcome"`
	Reason       string `json:"reason"`
	OrderID      string `json:"order_id"`
	ConversionID *int64 `json:"conversion_id"`
	// Replayable is true while the webhook's body is kept: it failed.
	Replayable bool      `json:"replayable"`
	Replays    int       `json:"replays"`
	UpdatedAt  time.Time `json:"updated_at"`
	// Body is the webhook as the shop sent it, in the answer about one replayable webhook.
	Body *string `json:"body,omitempty"`
}

func webhookView(wh pactum.Webhook) webhookJSON {
	return webhookJSON{ID: wh.ID, AdvertiserID: wh.AdvertiserID, Platform: wh.Platform, Topic: wh.Topic, DeliveryID: wh.DeliveryID,
		OfferID: idOrNull(wh.OfferID), ReceivedAt: wh.ReceivedAt.UTC(), HTTPStatus: wh.Status, Outcome: wh.Outcome, Reason: wh.Reason,
		OrderID: wh.OrderID, ConversionID: idOrNull(wh.ConversionID), Replayable: wh.Outcome == pactum.WebhookFailed,
		Replays: wh.Replays, UpdatedAt: wh.UpdatedAt.UTC()}
}

// webhookWithBody is webhookView with the body, which only the answer about one webhook shows.
func webhookWithBody(wh pactum.Webhook) webhookJSON {
	out := webhookView(wh)
	if wh.Body != nil {
		b := string(wh.Body)
		out.Body = &b
	}
	return out
}

func (a *API) listWebhooks(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	p, err := readPage(r)
	if err != nil {
		return err
	}
	advertiserID, err := queryID(r, "advertiser_id")
	if err != nil {
		return err
	}
	page, err := a.program.ListWebhooks(r.Context(), c, program.WebhookQuery{AdvertiserID: advertiserID, Outcome: r.URL.Query().Get("outcome")}, p)
	return answerList(w, page, err, webhookView)
}

func (a *API) getWebhook(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "webhook")
	if err != nil {
		return err
	}
	wh, err := a.program.Webhook(r.Context(), c, id)
	return ok(w, webhookWithBody(wh), err)
}

func (a *API) replayWebhook(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "webhook")
	if err != nil {
		return err
	}
	offerID, err := queryID(r, "offer_id")
	if err != nil {
		return err
	}
	wh, err := a.program.ReplayWebhook(r.Context(), c, id, offerID)
	return ok(w, webhookView(wh), err)
}
