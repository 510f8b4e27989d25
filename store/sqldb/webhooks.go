package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/pactum/pactum"
)

// Shops' webhook secrets and the webhook log (pactum.WebhookStore).

const (
	setShopSecret = `INSERT INTO shop_secrets (advertiser_id, platform, secret, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (advertiser_id, platform) DO UPDATE SET secret = excluded.secret, updated_at = excluded.updated_at`
	webhookFields = `id, advertiser_id, platform, topic, delivery_id, offer_id, received_at, status, outcome, reason,
		order_id, conversion_id, replays, updated_at`
	webhookColumns = `SELECT ` + webhookFields + `, body FROM webhooks`
	insertWebhook  = `INSERT INTO webhooks (advertiser_id, platform, topic, delivery_id, offer_id, received_at, status,
		outcome, reason, order_id, conversion_id, replays, updated_at, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	updateWebhook = `UPDATE webhooks SET topic = ?, offer_id = ?, status = ?, outcome = ?, reason = ?, order_id = ?,
		conversion_id = ?, replays = ?, updated_at = ?, body = ? WHERE id = ?`
)

// SetShopSecret stores (or with "" removes) an advertiser's webhook secret for platform.
func (s *Store) SetShopSecret(ctx context.Context, advertiserID int64, platform, secret string, at time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if secret == "" {
			_, err := tx.ExecContext(ctx, s.q(`DELETE FROM shop_secrets WHERE advertiser_id = ? AND platform = ?`), advertiserID, platform)
			return err
		}
		if err := s.exists(ctx, tx, "advertisers", "advertiser_id", advertiserID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(setShopSecret), advertiserID, platform, secret, micros(stamp(at)))
		return err
	})
	if err != nil {
		return fmt.Errorf("set %s secret of advertiser %d: %w", platform, advertiserID, err)
	}
	return nil
}

// ShopSecret returns an advertiser's webhook secret for platform.
func (s *Store) ShopSecret(ctx context.Context, advertiserID int64, platform string) (string, error) {
	var secret string
	err := s.r.QueryRowContext(ctx, s.q(`SELECT secret FROM shop_secrets WHERE advertiser_id = ? AND platform = ?`),
		advertiserID, platform).Scan(&secret)
	if err != nil {
		return "", fmt.Errorf("%s secret of advertiser %d: %w", platform, advertiserID, notFound(err, "no %s secret is set", platform))
	}
	return secret, nil
}

// SaveWebhook inserts or updates a webhook of the log. It writes through the event log's
// connection, whose commits do not wait for the disk (SQLite's synchronous=NORMAL; the same pool
// in PostgreSQL): a log row is a record of what a webhook did, whose effects (its conversion,
// refund or rejection) are durable on their own paths. A crash can lose the latest rows; the
// shop sending such a webhook again then finds its order or refund done, and it changes
// nothing. Waiting for the disk for each row made the log, not the orders, the limit of
// webhooks per second.
func (s *Store) SaveWebhook(ctx context.Context, w *pactum.Webhook) error {
	w.ReceivedAt, w.UpdatedAt = stamp(w.ReceivedAt), stamp(w.UpdatedAt)
	err := s.inTxOn(ctx, s.ev, func(tx *sql.Tx) error {
		if w.ID == 0 {
			return tx.QueryRowContext(ctx, s.q(insertWebhook), w.AdvertiserID, w.Platform, w.Topic, nullString(w.DeliveryID),
				nullID(w.OfferID), micros(w.ReceivedAt), w.Status, w.Outcome, w.Reason, w.OrderID, nullID(w.ConversionID),
				w.Replays, micros(w.UpdatedAt), w.Body).Scan(&w.ID)
		}
		res, err := tx.ExecContext(ctx, s.q(updateWebhook), w.Topic, nullID(w.OfferID), w.Status, w.Outcome, w.Reason, w.OrderID,
			nullID(w.ConversionID), w.Replays, micros(w.UpdatedAt), w.Body, w.ID)
		if err != nil {
			return err
		}
		return deleted(res, "webhook %d not found", w.ID)
	})
	if err != nil {
		return fmt.Errorf("save webhook: %w", s.writeError(err, "delivery_id", "a webhook"))
	}
	return nil
}

// Webhook returns the webhook with id, with its body.
func (s *Store) Webhook(ctx context.Context, id int64) (pactum.Webhook, error) {
	w, err := scanWebhook(s.r.QueryRowContext(ctx, s.q(webhookColumns+` WHERE id = ?`), id))
	if err != nil {
		return pactum.Webhook{}, fmt.Errorf("webhook: %w", notFound(err, "webhook %d not found", id))
	}
	return w, nil
}

// WebhookByDelivery returns the webhook of a platform's delivery id.
func (s *Store) WebhookByDelivery(ctx context.Context, advertiserID int64, platform, deliveryID string) (pactum.Webhook, error) {
	w, err := scanWebhook(s.r.QueryRowContext(ctx, s.q(webhookColumns+` WHERE advertiser_id = ? AND platform = ? AND delivery_id = ?`),
		advertiserID, platform, deliveryID))
	if err != nil {
		return pactum.Webhook{}, fmt.Errorf("webhook by delivery: %w", notFound(err, "no webhook with delivery id %q", deliveryID))
	}
	return w, nil
}

// ListWebhooks returns a page of webhooks matching f, by id, without bodies.
func (s *Store) ListWebhooks(ctx context.Context, f pactum.WebhookFilter, p pactum.Page) ([]pactum.Webhook, error) {
	var w where
	if f.AdvertiserID != 0 {
		w.add("advertiser_id = ?", f.AdvertiserID)
	}
	if f.Outcome != "" {
		w.add("outcome = ?", f.Outcome)
	}
	query, args := w.page(`SELECT `+webhookFields+`, NULL FROM webhooks`, "id", p)
	out, err := list(ctx, s.r, s.q(query), args, scanWebhook)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return out, nil
}

// PruneWebhooks deletes webhooks received before before.
func (s *Store) PruneWebhooks(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM webhooks WHERE received_at < ?`), micros(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune webhooks: %w", err)
	}
	return n, nil
}

func scanWebhook(row scanner) (pactum.Webhook, error) {
	var w pactum.Webhook
	var delivery sql.NullString
	var offer, conversion sql.NullInt64
	var received, updated int64
	err := row.Scan(&w.ID, &w.AdvertiserID, &w.Platform, &w.Topic, &delivery, &offer, &received, &w.Status, &w.Outcome,
		&w.Reason, &w.OrderID, &conversion, &w.Replays, &updated, &w.Body)
	w.DeliveryID, w.OfferID, w.ConversionID = delivery.String, offer.Int64, conversion.Int64
	w.ReceivedAt, w.UpdatedAt = fromMicros(received), fromMicros(updated)
	return w, err
}
