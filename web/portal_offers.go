package web

import (
	"net/http"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

type portalOffersData struct {
	Offers []portalOffer
	Next   string
}

// portalOffer is an offer as a partner weighs it: what it pays, in words.
type portalOffer struct {
	pactum.Offer
	Pays []string // per event: "purchase: 8% of the sale; SHOE-9: 12.00 per unit"
}

// portalOffersPage lists the offers the partner may promote (the program's rule: active and
// public), each with what it pays and a way to a link.
func (s *Server) portalOffersPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	page, err := s.program.ListOffers(r.Context(), v.Caller, program.OfferQuery{}, listPage(r))
	if err != nil {
		return err
	}
	d := portalOffersData{Next: nextURL(r, page.Next)}
	for _, o := range page.Items {
		po := portalOffer{Offer: o}
		for _, e := range o.Events {
			po.Pays = append(po.Pays, e.Name+": "+describeRuleSet(e.Payout, o.Currency))
		}
		d.Offers = append(d.Offers, po)
	}
	s.render(w, r, v, http.StatusOK, "portal_offers", "Offers you can promote", d)
	return nil
}
