package web

import (
	"fmt"
	"net/http"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// A partner's commissions: its conversions (program scopes the list to them whatever the query
// asks), each with the breakdown in words, and one commission's page.

type commissionsData struct {
	Form        *form
	Commissions []commissionView
	Next        string
	Statuses    []string
}

type commissionView struct {
	pactum.Conversion
	Words *breakdownWords
}

// commissionsPage lists the partner's commissions, newest ids last, by status.
func (s *Server) commissionsPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f, _, page, err := s.listConversions(r, v)
	if err != nil {
		return err
	}
	d := commissionsData{Form: f, Next: nextURL(r, page.Next), Statuses: program.ConversionStatuses}
	for _, cv := range page.Items {
		d.Commissions = append(d.Commissions, commissionView{Conversion: cv, Words: describeBreakdown(cv.PayoutBreakdown)})
	}
	s.render(w, r, v, f.Status, "commissions", "Commissions", d)
	return nil
}

// commissionPage shows one of the partner's commissions; another partner's is not found.
func (s *Server) commissionPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	cv, err := s.pathConversion(r, v)
	if err != nil {
		return err
	}
	s.render(w, r, v, http.StatusOK, "commission", fmt.Sprintf("Commission #%d", cv.ID),
		commissionView{Conversion: cv, Words: describeBreakdown(cv.PayoutBreakdown)})
	return nil
}
