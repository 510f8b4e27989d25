package program

import (
	"context"
	"regexp"
	"strconv"

	"github.com/pactum/pactum"
)

var couponCodeRe = regexp.MustCompile(`^[A-Za-z0-9_-]{2,64}$`)

// CouponInput is the body of a create.
type CouponInput struct {
	Code      *string `json:"code"`
	PartnerID *int64  `json:"partner_id"`
	OfferID   *int64  `json:"offer_id"`
}

// CreateCoupon binds a code to a partner. Codes are case-insensitive (the store keeps them upper
// case), as shoppers type them. An advertiser must bind its coupons to one of its offers: a
// coupon without an offer would count on every advertiser's offers.
func (s *Service) CreateCoupon(ctx context.Context, c Caller, in CouponInput) (pactum.Coupon, error) {
	if err := c.Allow("create coupons", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return pactum.Coupon{}, err
	}
	var cp pactum.Coupon
	set(&cp.Code, in.Code, nil)
	if cp.Code == "" {
		return cp, pactum.FieldError("code", "is required")
	}
	if err := checkPattern("code", cp.Code, couponCodeRe, "2 to 64 letters, digits, _ or -"); err != nil {
		return cp, err
	}
	if in.PartnerID == nil || *in.PartnerID < 1 {
		return cp, pactum.FieldError("partner_id", "is required")
	}
	cp.PartnerID = *in.PartnerID
	if in.OfferID != nil {
		cp.OfferID = *in.OfferID
	}
	if cp.OfferID == 0 && c.IsAdvertiser() {
		return cp, pactum.FieldError("offer_id", "is required for an advertiser key")
	}
	if cp.OfferID != 0 {
		if _, err := s.offerField(ctx, c, "offer_id", cp.OfferID); err != nil {
			return cp, err
		}
	}
	cp.CreatedAt = s.now().UTC()
	if err := s.store.CreateCoupon(ctx, &cp); err != nil {
		return cp, err
	}
	s.changed()
	return cp, nil
}

// canSeeCoupon reports whether c may read (and, for advertisers, delete) cp. A coupon without
// an offer counts on every advertiser's offers, so it is no advertiser's.
func (s *Service) canSeeCoupon(ctx context.Context, c Caller, cp pactum.Coupon) (bool, error) {
	if c.IsPartner() {
		return cp.PartnerID == c.PartnerID, nil
	}
	return s.mayChangeOffer(ctx, c, cp.OfferID)
}

// Coupon returns the coupon with code if the caller may see it.
func (s *Service) Coupon(ctx context.Context, c Caller, code string) (pactum.Coupon, error) {
	cp, err := s.store.Coupon(ctx, code)
	if err != nil {
		return cp, orNotFound(err, "coupon", strconv.Quote(code))
	}
	ok, err := s.canSeeCoupon(ctx, c, cp)
	if err != nil {
		return cp, err
	} else if !ok {
		return pactum.Coupon{}, NotFound("coupon", strconv.Quote(code))
	}
	return cp, nil
}

// DeleteCoupon unbinds a code: sales that carry it are no longer attributed by it.
func (s *Service) DeleteCoupon(ctx context.Context, c Caller, code string) error {
	if err := c.Allow("delete coupons", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return err
	}
	cp, err := s.Coupon(ctx, c, code)
	if err != nil {
		return err
	}
	if err := s.store.DeleteCoupon(ctx, cp.Code); err != nil {
		return orNotFound(err, "coupon", strconv.Quote(cp.Code))
	}
	s.changed()
	return nil
}

// ListCoupons lists the coupons the caller may see that match o, paged by id.
func (s *Service) ListCoupons(ctx context.Context, c Caller, o Owners, p pactum.Page) (Page[pactum.Coupon], error) {
	o, ok := c.Scope(o)
	if !ok {
		return Page[pactum.Coupon]{Items: []pactum.Coupon{}}, nil
	}
	f := pactum.CouponFilter{OfferID: o.OfferID, PartnerID: o.PartnerID, AdvertiserID: o.AdvertiserID}
	fetch := func(pg pactum.Page) ([]pactum.Coupon, error) { return s.store.ListCoupons(ctx, f, pg) }
	return collect(p, fetch, func(cp pactum.Coupon) int64 { return cp.ID }, nil)
}
