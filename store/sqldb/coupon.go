package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pactum/pactum"
)

const (
	couponColumns = `SELECT id, code, partner_id, offer_id, created_at FROM coupons`
	couponByCode  = couponColumns + ` WHERE code = ?`
	insertCoupon  = `INSERT INTO coupons (code, partner_id, offer_id, created_at) VALUES (?, ?, ?, ?) RETURNING id`
	deleteCoupon  = `DELETE FROM coupons WHERE code = ?`
)

// CouponKey is how a coupon code is stored and looked up: coupon codes are case-insensitive
// ("anna10" at checkout is ANNA10), so the store keeps them upper-cased. The folding is done in
// Go rather than with SQL lower()/upper(), which SQLite applies to ASCII only and PostgreSQL per
// collation: both databases then agree on which codes collide.
func CouponKey(code string) string { return strings.ToUpper(code) }

// CreateCoupon stores c with its code upper-cased (see CouponKey) and sets CreatedAt if zero.
// OfferID 0 binds the coupon to every offer.
func (s *Store) CreateCoupon(ctx context.Context, c *pactum.Coupon) error {
	if c.Code == "" {
		return fmt.Errorf("create coupon: %w", pactum.FieldError("code", "must not be empty"))
	}
	code, created := CouponKey(c.Code), stamp(c.CreatedAt)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.exists(ctx, tx, "partners", "partner_id", c.PartnerID); err != nil {
			return err
		}
		if c.OfferID != 0 {
			if err := s.exists(ctx, tx, "offers", "offer_id", c.OfferID); err != nil {
				return err
			}
		}
		return tx.QueryRowContext(ctx, s.q(insertCoupon), code, c.PartnerID, nullID(c.OfferID), micros(created)).Scan(&c.ID)
	})
	if err != nil {
		return fmt.Errorf("create coupon: %w", s.writeError(err, "code", "a coupon"))
	}
	c.Code, c.CreatedAt = code, created
	return nil
}

// Coupon returns the coupon with code, in any case.
func (s *Store) Coupon(ctx context.Context, code string) (pactum.Coupon, error) {
	c, err := scanCoupon(s.r.QueryRowContext(ctx, s.q(couponByCode), CouponKey(code)))
	if err != nil {
		return pactum.Coupon{}, fmt.Errorf("coupon: %w", notFound(err, "coupon %q not found", code))
	}
	return c, nil
}

// ListCoupons returns a page of the coupons that match f, in the order they were created.
func (s *Store) ListCoupons(ctx context.Context, f pactum.CouponFilter, p pactum.Page) ([]pactum.Coupon, error) {
	var w where
	if f.PartnerID != 0 {
		w.add("partner_id = ?", f.PartnerID)
	}
	if f.OfferID != 0 {
		w.add("offer_id = ?", f.OfferID)
	}
	if f.AdvertiserID != 0 {
		w.add(offersOfAdvertiser, f.AdvertiserID)
	}
	query, args := w.page(couponColumns, "id", p)
	out, err := list(ctx, s.r, s.q(query), args, scanCoupon)
	if err != nil {
		return nil, fmt.Errorf("list coupons: %w", err)
	}
	return out, nil
}

// DeleteCoupon deletes the coupon with code, in any case.
func (s *Store) DeleteCoupon(ctx context.Context, code string) error {
	unlock := s.lockWrites()
	res, err := s.w.ExecContext(ctx, s.q(deleteCoupon), CouponKey(code))
	unlock()
	if err != nil {
		return fmt.Errorf("delete coupon: %w", err)
	}
	return deleted(res, "coupon %q not found", code)
}

func scanCoupon(row scanner) (pactum.Coupon, error) {
	var c pactum.Coupon
	var offer sql.NullInt64
	var created int64
	err := row.Scan(&c.ID, &c.Code, &c.PartnerID, &offer, &created)
	c.OfferID, c.CreatedAt = offer.Int64, fromMicros(created)
	return c, err
}

// deleted returns ENOTFOUND unless res deleted a row.
func deleted(res sql.Result, format string, args ...any) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return pactum.Errorf(pactum.ENOTFOUND, format, args...)
	}
	return nil
}
