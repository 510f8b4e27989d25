package web

import (
	"net/http"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

type couponsData struct {
	Coupons []pactum.Coupon
	Next    string
	Offers  map[int64]string
}

// couponsPage lists the partner's coupon codes: a sale that carries one is the partner's, even
// without a click.
func (s *Server) couponsPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	page, err := s.program.ListCoupons(r.Context(), v.Caller, program.Owners{}, listPage(r))
	if err != nil {
		return err
	}
	d := couponsData{Coupons: page.Items, Next: nextURL(r, page.Next), Offers: map[int64]string{}}
	for _, c := range page.Items {
		if c.OfferID == 0 {
			continue
		}
		if _, ok := d.Offers[c.OfferID]; !ok {
			if o, err := s.program.Offer(r.Context(), v.Caller, c.OfferID); err == nil {
				d.Offers[c.OfferID] = o.Name
			}
		}
	}
	s.render(w, r, v, http.StatusOK, "coupons", "Coupons", d)
	return nil
}
