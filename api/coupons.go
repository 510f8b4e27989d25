package api

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/pactum/pactum"
)

var couponCodeRe = regexp.MustCompile(`^[A-Za-z0-9_-]{2,64}$`)

type couponJSON struct {
	ID        int64  `json:"id"`
	Code      string `json:"code"`
	PartnerID int64  `json:"partner_id"`
	// OfferID is null for a coupon that counts on every offer.
	OfferID   *int64    `json:"offer_id"`
	CreatedAt time.Time `json:"created_at"`
}

func couponView(c pactum.Coupon) couponJSON {
	return couponJSON{ID: c.ID, Code: c.Code, PartnerID: c.PartnerID, OfferID: idOrNull(c.OfferID), CreatedAt: c.CreatedAt.UTC()}
}

type couponInput struct {
	Code      *string `json:"code"`
	PartnerID *int64  `json:"partner_id"`
	OfferID   *int64  `json:"offer_id"`
}

// createCoupon binds a code to a partner. Codes are case-insensitive (the store keeps them upper
// case), as shoppers type them. An advertiser must bind its coupons to one of its offers: a
// coupon without an offer would count on every advertiser's offers.
func (a *API) createCoupon(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := c.allow("create coupons", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return err
	}
	var in couponInput
	if err := decode(r, &in); err != nil {
		return err
	}
	var cp pactum.Coupon
	set(&cp.Code, in.Code, nil)
	if cp.Code == "" {
		return pactum.FieldError("code", "is required")
	}
	if err := checkPattern("code", cp.Code, couponCodeRe, "2 to 64 letters, digits, _ or -"); err != nil {
		return err
	}
	if in.PartnerID == nil || *in.PartnerID < 1 {
		return pactum.FieldError("partner_id", "is required")
	}
	cp.PartnerID = *in.PartnerID
	if in.OfferID != nil {
		cp.OfferID = *in.OfferID
	}
	if cp.OfferID == 0 && c.advertiser() {
		return pactum.FieldError("offer_id", "is required for an advertiser key")
	}
	if cp.OfferID != 0 {
		if _, err := a.offerFor(r, c, cp.OfferID); isNotFound(err) {
			return pactum.FieldError("offer_id", "offer %d does not exist", cp.OfferID)
		} else if err != nil {
			return err
		}
	}
	cp.CreatedAt = a.now().UTC()
	if err := a.store.CreateCoupon(r.Context(), &cp); err != nil {
		return err
	}
	a.changed()
	w.Header().Set("Location", "/api/v1/coupons/"+url.PathEscape(cp.Code))
	writeJSON(w, http.StatusCreated, couponView(cp))
	return nil
}

// canSeeCoupon reports whether c may read (and, for advertisers, delete) cp.
func (a *API) canSeeCoupon(r *http.Request, c caller, cp pactum.Coupon) (bool, error) {
	switch {
	case c.admin():
		return true, nil
	case c.partner():
		return cp.PartnerID == c.partnerID, nil
	case c.advertiser():
		if cp.OfferID == 0 {
			return false, nil
		}
		o, err := a.store.Offer(r.Context(), cp.OfferID)
		if isNotFound(err) {
			return false, nil
		}
		return err == nil && o.AdvertiserID == c.advertiserID, err
	}
	return false, nil
}

// couponFor loads the coupon of the path if c may see it.
func (a *API) couponFor(r *http.Request, c caller) (pactum.Coupon, error) {
	code := r.PathValue("code")
	cp, err := a.store.Coupon(r.Context(), code)
	if err != nil {
		return cp, orNotFound(err, "coupon", strconv.Quote(code))
	}
	ok, err := a.canSeeCoupon(r, c, cp)
	if err != nil {
		return cp, err
	} else if !ok {
		return pactum.Coupon{}, notFound("coupon", strconv.Quote(code))
	}
	return cp, nil
}

func (a *API) getCoupon(w http.ResponseWriter, r *http.Request, c caller) error {
	cp, err := a.couponFor(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, couponView(cp))
	return nil
}

func (a *API) deleteCoupon(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := c.allow("delete coupons", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return err
	}
	cp, err := a.couponFor(r, c)
	if err != nil {
		return err
	}
	if err := a.store.DeleteCoupon(r.Context(), cp.Code); err != nil {
		return orNotFound(err, "coupon", strconv.Quote(cp.Code))
	}
	a.changed()
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listCoupons lists the coupons the caller may see, paged by id like the other lists.
func (a *API) listCoupons(w http.ResponseWriter, r *http.Request, c caller) error {
	p, err := readPage(r)
	if err != nil {
		return err
	}
	o, ok, err := readOwners(r, c)
	if err != nil {
		return err
	} else if !ok {
		return answerList(w, []pactum.Coupon(nil), "", couponView)
	}
	f := pactum.CouponFilter{OfferID: o.offerID, PartnerID: o.partnerID, AdvertiserID: o.advertiserID}
	fetch := func(pg pactum.Page) ([]pactum.Coupon, error) { return a.store.ListCoupons(r.Context(), f, pg) }
	items, next, err := collect(p, fetch, func(cp pactum.Coupon) int64 { return cp.ID }, nil)
	if err != nil {
		return err
	}
	return answerList(w, items, next, couponView)
}
