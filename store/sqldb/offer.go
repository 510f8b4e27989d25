package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pactum/pactum"
)

const (
	offerColumns = `SELECT id, advertiser_id, name, status, destination_url, fallback_url, currency,
		attribution_window_days, attribution_model, min_conversion_seconds, returning_customers, accept_pixel, hold_days,
		targeting, visibility, events, fraud,
		COALESCE((SELECT a.fraud FROM advertisers a WHERE a.id = offers.advertiser_id), '{}'), created_at, updated_at
		FROM offers`
	offerByID   = offerColumns + ` WHERE id = ?`
	insertOffer = `INSERT INTO offers (advertiser_id, name, status, destination_url, fallback_url, currency,
		attribution_window_days, attribution_model, min_conversion_seconds, returning_customers, accept_pixel, hold_days,
		targeting, visibility, events, fraud, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	updateOffer = `UPDATE offers SET advertiser_id = ?, name = ?, status = ?, destination_url = ?, fallback_url = ?,
		currency = ?, attribution_window_days = ?, attribution_model = ?, min_conversion_seconds = ?,
		returning_customers = ?, accept_pixel = ?, hold_days = ?, targeting = ?, visibility = ?, events = ?, fraud = ?, updated_at = ?
		WHERE id = ? RETURNING created_at`
)

// CreateOffer stores o and sets its ID, CreatedAt (if zero) and UpdatedAt.
func (s *Store) CreateOffer(ctx context.Context, o *pactum.Offer) error {
	targeting, events, fraud, err := offerJSON(o)
	if err != nil {
		return fmt.Errorf("create offer: %w", err)
	}
	created := stamp(o.CreatedAt)
	var id int64
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.exists(ctx, tx, "advertisers", "advertiser_id", o.AdvertiserID); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, s.q(insertOffer), o.AdvertiserID, o.Name, o.Status, o.DestinationURL,
			o.FallbackURL, o.Currency, o.AttributionWindowDays, o.AttributionModel, o.MinConversionSeconds,
			o.ReturningCustomers, o.AcceptPixel, o.HoldDays, targeting,
			o.Visibility, events, fraud, micros(created), micros(created)).Scan(&id)
	})
	if err != nil {
		return fmt.Errorf("create offer: %w", s.writeError(err, "", "an offer"))
	}
	o.ID, o.CreatedAt, o.UpdatedAt = id, created, created
	return nil
}

// Offer returns the offer with id.
func (s *Store) Offer(ctx context.Context, id int64) (pactum.Offer, error) {
	o, err := scanOffer(s.r.QueryRowContext(ctx, s.q(offerByID), id))
	if err != nil {
		return pactum.Offer{}, fmt.Errorf("offer: %w", notFound(err, "offer %d not found", id))
	}
	return o, nil
}

// ListOffers returns a page of the offers that match f, by id.
func (s *Store) ListOffers(ctx context.Context, f pactum.OfferFilter, p pactum.Page) ([]pactum.Offer, error) {
	var w where
	if f.AdvertiserID != 0 {
		w.add("advertiser_id = ?", f.AdvertiserID)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	query, args := w.page(offerColumns, "id", p)
	out, err := list(ctx, s.r, s.q(query), args, scanOffer)
	if err != nil {
		return nil, fmt.Errorf("list offers: %w", err)
	}
	return out, nil
}

// UpdateOffer stores every field of o but its ID and CreatedAt, sets UpdatedAt and reads back
// CreatedAt.
func (s *Store) UpdateOffer(ctx context.Context, o *pactum.Offer) error {
	targeting, events, fraud, err := offerJSON(o)
	if err != nil {
		return fmt.Errorf("update offer: %w", err)
	}
	updated := stamp(time.Time{})
	var created int64
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.exists(ctx, tx, "advertisers", "advertiser_id", o.AdvertiserID); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, s.q(updateOffer), o.AdvertiserID, o.Name, o.Status, o.DestinationURL,
			o.FallbackURL, o.Currency, o.AttributionWindowDays, o.AttributionModel, o.MinConversionSeconds,
			o.ReturningCustomers, o.AcceptPixel, o.HoldDays, targeting,
			o.Visibility, events, fraud, micros(updated), o.ID).Scan(&created)
		return notFound(err, "offer %d not found", o.ID)
	})
	if err != nil {
		return fmt.Errorf("update offer: %w", s.writeError(err, "", "an offer"))
	}
	o.CreatedAt, o.UpdatedAt = fromMicros(created), updated
	return nil
}

// offerJSON encodes the JSON columns of o.
func offerJSON(o *pactum.Offer) (targeting, events, fraud string, err error) {
	t, err := json.Marshal(o.Targeting)
	if err != nil {
		return "", "", "", fmt.Errorf("encode targeting: %w", err)
	}
	e, err := json.Marshal(o.Events)
	if err != nil {
		return "", "", "", pactum.FieldError("events", "not valid JSON: %v", err)
	}
	f, err := fraudJSON(o.Fraud)
	return string(t), string(e), f, err
}

func scanOffer(row scanner) (pactum.Offer, error) {
	var o pactum.Offer
	var targeting, events, fraud, programFraud string
	var created, updated int64
	err := row.Scan(&o.ID, &o.AdvertiserID, &o.Name, &o.Status, &o.DestinationURL, &o.FallbackURL, &o.Currency,
		&o.AttributionWindowDays, &o.AttributionModel, &o.MinConversionSeconds, &o.ReturningCustomers, &o.AcceptPixel, &o.HoldDays,
		&targeting, &o.Visibility, &events, &fraud, &programFraud,
		&created, &updated)
	if err != nil {
		return o, err
	}
	if err := json.Unmarshal([]byte(targeting), &o.Targeting); err != nil {
		return o, fmt.Errorf("offer %d: decode targeting: %w", o.ID, err)
	}
	if err := json.Unmarshal([]byte(events), &o.Events); err != nil {
		return o, fmt.Errorf("offer %d: decode events: %w", o.ID, err)
	}
	if err := readFraud(fraud, &o.Fraud); err != nil {
		return o, fmt.Errorf("offer %d: %w", o.ID, err)
	}
	if err := readFraud(programFraud, &o.ProgramFraud); err != nil {
		return o, fmt.Errorf("offer %d: program's %w", o.ID, err)
	}
	o.CreatedAt, o.UpdatedAt = fromMicros(created), fromMicros(updated)
	return o, nil
}
