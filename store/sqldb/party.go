package sqldb

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

const (
	// The platforms with a webhook secret are read with the advertiser, never the secrets.
	advertiserColumns = `SELECT id, name, currency, postback_token_hash, postback_ips, payout_schedule,
		payout_weekday, payout_day, net_days, legal_name, iban, bic, fraud, created_at,
		EXISTS (SELECT 1 FROM shop_secrets WHERE advertiser_id = advertisers.id AND platform = 'shopify'),
		EXISTS (SELECT 1 FROM shop_secrets WHERE advertiser_id = advertisers.id AND platform = 'woocommerce')
		FROM advertisers`
	advertiserByID    = advertiserColumns + ` WHERE id = ?`
	advertiserByToken = advertiserColumns + ` WHERE postback_token_hash = ?`
	insertAdvertiser  = `INSERT INTO advertisers (name, currency, postback_token_hash, postback_ips, payout_schedule,
		payout_weekday, payout_day, net_days, legal_name, iban, bic, fraud, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	updateAdvertiser = `UPDATE advertisers SET name = ?, currency = ?, postback_token_hash = ?, postback_ips = ?,
		payout_schedule = ?, payout_weekday = ?, payout_day = ?, net_days = ?, legal_name = ?, iban = ?, bic = ?,
		fraud = ? WHERE id = ? RETURNING created_at`
)

// CreateAdvertiser stores a and sets its ID (and CreatedAt if zero). An empty PayoutSchedule
// and a zero PayoutWeekday or PayoutDay, which no program can have, are set to the defaults, as
// the columns' defaults set them for programs created before payouts existed.
func (s *Store) CreateAdvertiser(ctx context.Context, a *pactum.Advertiser) error {
	ips, err := jsonList(a.PostbackIPs)
	if err != nil {
		return fmt.Errorf("create advertiser: encode postback_ips: %w", err)
	}
	a.CreatedAt = stamp(a.CreatedAt)
	if a.PayoutSchedule == "" {
		a.PayoutSchedule = pactum.DefaultPayoutSchedule
	}
	if a.PayoutWeekday == 0 {
		a.PayoutWeekday = pactum.DefaultPayoutWeekday
	}
	if a.PayoutDay == 0 {
		a.PayoutDay = pactum.DefaultPayoutDay
	}
	fraud, err := fraudJSON(a.Fraud)
	if err != nil {
		return fmt.Errorf("create advertiser: %w", err)
	}
	unlock := s.lockWrites()
	err = s.w.QueryRowContext(ctx, s.q(insertAdvertiser),
		a.Name, a.Currency, nullBytes(a.PostbackTokenHash), ips, a.PayoutSchedule, a.PayoutWeekday, a.PayoutDay,
		a.NetDays, a.LegalName, a.IBAN, a.BIC, fraud, micros(a.CreatedAt)).Scan(&a.ID)
	unlock()
	if err != nil {
		return fmt.Errorf("create advertiser: %w", s.writeError(err, "postback_token", "an advertiser"))
	}
	return nil
}

// Advertiser returns the advertiser with id.
func (s *Store) Advertiser(ctx context.Context, id int64) (pactum.Advertiser, error) {
	a, err := scanAdvertiser(s.r.QueryRowContext(ctx, s.q(advertiserByID), id))
	if err != nil {
		return pactum.Advertiser{}, fmt.Errorf("advertiser: %w", notFound(err, "advertiser %d not found", id))
	}
	return a, nil
}

// AdvertiserByPostbackToken returns the advertiser whose postback token hashes to tokenHash.
func (s *Store) AdvertiserByPostbackToken(ctx context.Context, tokenHash []byte) (pactum.Advertiser, error) {
	if len(tokenHash) == 0 {
		return pactum.Advertiser{}, pactum.Errorf(pactum.ENOTFOUND, "no advertiser has this postback token")
	}
	a, err := scanAdvertiser(s.r.QueryRowContext(ctx, s.q(advertiserByToken), tokenHash))
	if err != nil {
		return pactum.Advertiser{}, fmt.Errorf("advertiser by postback token: %w", notFound(err, "no advertiser has this postback token"))
	}
	return a, nil
}

// ListAdvertisers returns a page of advertisers by id.
func (s *Store) ListAdvertisers(ctx context.Context, p pactum.Page) ([]pactum.Advertiser, error) {
	var w where
	query, args := w.page(advertiserColumns, "id", p)
	out, err := list(ctx, s.r, s.q(query), args, scanAdvertiser)
	if err != nil {
		return nil, fmt.Errorf("list advertisers: %w", err)
	}
	return out, nil
}

// UpdateAdvertiser stores every field of a but its ID and CreatedAt, and reads back CreatedAt.
func (s *Store) UpdateAdvertiser(ctx context.Context, a *pactum.Advertiser) error {
	ips, err := jsonList(a.PostbackIPs)
	if err != nil {
		return fmt.Errorf("update advertiser: encode postback_ips: %w", err)
	}
	fraud, err := fraudJSON(a.Fraud)
	if err != nil {
		return fmt.Errorf("update advertiser: %w", err)
	}
	var created int64
	unlock := s.lockWrites()
	err = s.w.QueryRowContext(ctx, s.q(updateAdvertiser),
		a.Name, a.Currency, nullBytes(a.PostbackTokenHash), ips, a.PayoutSchedule, a.PayoutWeekday, a.PayoutDay,
		a.NetDays, a.LegalName, a.IBAN, a.BIC, fraud, a.ID).Scan(&created)
	unlock()
	if err != nil {
		err = notFound(s.writeError(err, "postback_token", "an advertiser"), "advertiser %d not found", a.ID)
		return fmt.Errorf("update advertiser: %w", err)
	}
	a.CreatedAt = fromMicros(created)
	return nil
}

func scanAdvertiser(row scanner) (pactum.Advertiser, error) {
	var a pactum.Advertiser
	var ips, fraud string
	var created int64
	var shopify, woocommerce bool
	if err := row.Scan(&a.ID, &a.Name, &a.Currency, &a.PostbackTokenHash, &ips, &a.PayoutSchedule, &a.PayoutWeekday,
		&a.PayoutDay, &a.NetDays, &a.LegalName, &a.IBAN, &a.BIC, &fraud, &created, &shopify, &woocommerce); err != nil {
		return a, err
	}
	if err := readFraud(fraud, &a.Fraud); err != nil {
		return a, fmt.Errorf("advertiser %d: %w", a.ID, err)
	}
	a.CreatedAt = fromMicros(created)
	for _, p := range []struct {
		set  bool
		name string
	}{{shopify, pactum.PlatformShopify}, {woocommerce, pactum.PlatformWooCommerce}} {
		if p.set {
			a.ShopSecrets = append(a.ShopSecrets, p.name)
		}
	}
	if err := readJSONList(ips, &a.PostbackIPs); err != nil {
		return a, fmt.Errorf("advertiser %d: decode postback_ips: %w", a.ID, err)
	}
	return a, nil
}

const (
	partnerColumns = `SELECT id, name, email, kind, status, currency, min_payout, payout_method, paypal_email,
		iban, bic, created_at FROM partners`
	partnerByID   = partnerColumns + ` WHERE id = ?`
	insertPartner = `INSERT INTO partners (name, email, kind, status, currency, min_payout, payout_method,
		paypal_email, iban, bic, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	updatePartner = `UPDATE partners SET name = ?, email = ?, kind = ?, status = ?, currency = ?, min_payout = ?,
		payout_method = ?, paypal_email = ?, iban = ?, bic = ? WHERE id = ? RETURNING created_at`
)

// CreatePartner stores p and sets its ID (and CreatedAt if zero).
func (s *Store) CreatePartner(ctx context.Context, p *pactum.Partner) error {
	minPayout, err := minor(p.MinPayout, p.Currency, "min_payout")
	if err != nil {
		return fmt.Errorf("create partner: %w", err)
	}
	p.CreatedAt = stamp(p.CreatedAt)
	unlock := s.lockWrites()
	err = s.w.QueryRowContext(ctx, s.q(insertPartner), p.Name, p.Email, p.Kind, p.Status, p.Currency,
		minPayout, p.PayoutMethod, p.PayPalEmail, p.IBAN, p.BIC, micros(p.CreatedAt)).Scan(&p.ID)
	unlock()
	if err != nil {
		return fmt.Errorf("create partner: %w", err)
	}
	return nil
}

// Partner returns the partner with id.
func (s *Store) Partner(ctx context.Context, id int64) (pactum.Partner, error) {
	p, err := scanPartner(s.r.QueryRowContext(ctx, s.q(partnerByID), id))
	if err != nil {
		return pactum.Partner{}, fmt.Errorf("partner: %w", notFound(err, "partner %d not found", id))
	}
	return p, nil
}

// ListPartners returns a page of partners by id.
func (s *Store) ListPartners(ctx context.Context, p pactum.Page) ([]pactum.Partner, error) {
	var w where
	query, args := w.page(partnerColumns, "id", p)
	out, err := list(ctx, s.r, s.q(query), args, scanPartner)
	if err != nil {
		return nil, fmt.Errorf("list partners: %w", err)
	}
	return out, nil
}

// UpdatePartner stores every field of p but its ID and CreatedAt, and reads back CreatedAt.
func (s *Store) UpdatePartner(ctx context.Context, p *pactum.Partner) error {
	minPayout, err := minor(p.MinPayout, p.Currency, "min_payout")
	if err != nil {
		return fmt.Errorf("update partner: %w", err)
	}
	var created int64
	unlock := s.lockWrites()
	err = s.w.QueryRowContext(ctx, s.q(updatePartner), p.Name, p.Email, p.Kind, p.Status, p.Currency,
		minPayout, p.PayoutMethod, p.PayPalEmail, p.IBAN, p.BIC, p.ID).Scan(&created)
	unlock()
	if err != nil {
		return fmt.Errorf("update partner: %w", notFound(err, "partner %d not found", p.ID))
	}
	p.CreatedAt = fromMicros(created)
	return nil
}

func scanPartner(row scanner) (pactum.Partner, error) {
	var p pactum.Partner
	var minPayout, created int64
	err := row.Scan(&p.ID, &p.Name, &p.Email, &p.Kind, &p.Status, &p.Currency, &minPayout, &p.PayoutMethod,
		&p.PayPalEmail, &p.IBAN, &p.BIC, &created)
	p.MinPayout = pactum.FromMinor(minPayout, p.Currency)
	p.CreatedAt = fromMicros(created)
	return p, err
}

// minor converts an amount to the integer minor units the schema stores. An amount finer than
// the currency's minor unit (or too large for 64 bits) is refused rather than silently rounded.
func minor(amount decimal.Decimal, currency, field string) (int64, error) {
	m, ok := pactum.ExactMinor(amount, currency)
	if !ok {
		return 0, pactum.FieldError(field, "%s is not a whole number of %s minor units", amount, currency)
	}
	return m, nil
}

// fraudJSON encodes a program's or an offer's fraud settings for their column.
func fraudJSON(f pactum.FraudSettings) (string, error) {
	b, err := json.Marshal(f)
	if err != nil {
		return "", fmt.Errorf("encode fraud settings: %w", err)
	}
	return string(b), nil
}

func readFraud(s string, f *pactum.FraudSettings) error {
	if err := json.Unmarshal([]byte(s), f); err != nil {
		return fmt.Errorf("decode fraud settings: %w", err)
	}
	return nil
}
