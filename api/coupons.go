package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

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

func (a *API) createCoupon(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	var in program.CouponInput
	if err := decode(r, &in); err != nil {
		return err
	}
	cp, err := a.program.CreateCoupon(r.Context(), c, in)
	if err != nil {
		return err
	}
	return created(w, "/api/v1/coupons/"+url.PathEscape(cp.Code), couponView(cp))
}

func (a *API) getCoupon(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	cp, err := a.program.Coupon(r.Context(), c, r.PathValue("code"))
	return ok(w, couponView(cp), err)
}

func (a *API) deleteCoupon(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	if err := a.program.DeleteCoupon(r.Context(), c, r.PathValue("code")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listCoupons(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	p, err := readPage(r)
	if err != nil {
		return err
	}
	o, err := queryOwners(r)
	if err != nil {
		return err
	}
	page, err := a.program.ListCoupons(r.Context(), c, o, p)
	return answerList(w, page, err, couponView)
}
