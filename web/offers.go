package web

import (
	"net/http"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

type offersData struct {
	Offers   []pactum.Offer
	Next     string
	CanWrite bool
}

// offersPage lists the offers the viewer may see: an admin all, an advertiser its own.
func (s *Server) offersPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	page, err := s.program.ListOffers(r.Context(), v.Caller, program.OfferQuery{}, listPage(r))
	if err != nil {
		return err
	}
	s.render(w, r, v, http.StatusOK, "offers", "Offers", offersData{Offers: page.Items, Next: nextURL(r, page.Next),
		CanWrite: v.Caller.IsAdmin() || v.Caller.IsAdvertiser()})
	return nil
}
