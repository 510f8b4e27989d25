package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// The console's coupons: the codes bound to partners on the viewer's offers (program.ListCoupons
// scopes them: an advertiser sees those on its own offers), filtered by offer and partner; a page
// that binds a new code (program.CreateCoupon: an advertiser must name one of its offers), and a
// button that deletes one (program.DeleteCoupon).

// consoleCouponsPage lists coupons, oldest first, filtered by ?offer_id= and ?partner_id=.
func (s *Server) consoleCouponsPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	list, err := listOwned(s, r, v, s.program.ListCoupons)
	if err != nil {
		return err
	}
	s.render(w, r, v, list.Form.Status, "console_coupons", "Coupons", list)
	return nil
}

type newCouponData struct {
	Form    *form
	Choices *choices
}

// newCouponPage shows the form of a new coupon, with ?offer_id= and ?partner_id= chosen.
func (s *Server) newCouponPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f := newForm(nil)
	f.Values.Set("offer_id", r.URL.Query().Get("offer_id"))
	f.Values.Set("partner_id", r.URL.Query().Get("partner_id"))
	return s.renderNewCoupon(w, r, v, f)
}

// createCoupon binds a code to a partner and shows the partner's coupons.
func (s *Server) createCoupon(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f, err := readForm(r)
	if err != nil {
		return err
	}
	code := strings.TrimSpace(f.Get("code"))
	in := program.CouponInput{Code: &code}
	o, err := formOwners(f)
	var cp pactum.Coupon
	if err == nil {
		in.OfferID, in.PartnerID = &o.OfferID, &o.PartnerID
		cp, err = s.program.CreateCoupon(r.Context(), v.Caller, in)
	}
	if err != nil {
		if err := f.fail(err, nil); err != nil {
			return err
		}
		return s.renderNewCoupon(w, r, v, f)
	}
	whose := fmt.Sprintf("partner %d", cp.PartnerID)
	if p, err := s.program.Partner(r.Context(), v.Caller, cp.PartnerID); err == nil {
		whose = p.Name // advertisers do not see partners' names
	}
	s.redirect(w, r, "/console/coupons?partner_id="+strconv.FormatInt(cp.PartnerID, 10),
		fmt.Sprintf("Coupon %s is ready: a sale that carries it is %s's, even without a click. Send the code to them.", cp.Code, whose))
	return nil
}

func (s *Server) renderNewCoupon(w http.ResponseWriter, r *http.Request, v *viewer, f *form) error {
	c, err := s.choices(r, v)
	if err != nil {
		return err
	}
	s.render(w, r, v, f.Status, "console_coupon", "New coupon", newCouponData{Form: f, Choices: c})
	return nil
}

// deleteCoupon unbinds a code: sales that carry it are no longer attributed by it. The list
// comes back with the filters it had (the form's offer_id and partner_id).
func (s *Server) deleteCoupon(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f, err := readForm(r)
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	if err := s.program.DeleteCoupon(r.Context(), v.Caller, code); err != nil {
		return err
	}
	back := url.Values{}
	for _, name := range []string{"offer_id", "partner_id"} {
		if id, err := f.id(name); err == nil && id != 0 {
			back.Set(name, strconv.FormatInt(id, 10))
		}
	}
	to := "/console/coupons"
	if len(back) > 0 {
		to += "?" + back.Encode()
	}
	s.redirect(w, r, to, fmt.Sprintf("Coupon %s is deleted: sales that carry it are no longer attributed by it.", strings.ToUpper(code)))
	return nil
}
