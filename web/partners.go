package web

import (
	"net/http"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

type partnersData struct {
	Partners []pactum.Partner
	Next     string
}

// partnersPage lists the program's partners with their status, and approve or suspend buttons.
func (s *Server) partnersPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	page, err := s.program.ListPartners(r.Context(), v.Caller, listPage(r))
	if err != nil {
		return err
	}
	s.render(w, r, v, http.StatusOK, "partners", "Partners", partnersData{Partners: page.Items, Next: nextURL(r, page.Next)})
	return nil
}

// setPartnerStatus approves (active) or suspends a partner, through the same change as the
// API's PATCH.
func (s *Server) setPartnerStatus(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	status := r.PostFormValue("status")
	p, err := s.program.UpdatePartner(r.Context(), v.Caller, id, program.PartnerInput{Status: &status})
	if err != nil {
		return err
	}
	verb := "approved: its links work and it earns commissions"
	if p.Status != pactum.PartnerActive {
		verb = p.Status + ": its links go to the fallback and its sales earn nothing until it is approved again"
	}
	s.redirect(w, r, "/console/partners", p.Name+" is "+verb+".")
	return nil
}
