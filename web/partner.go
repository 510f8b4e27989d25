package web

import (
	"net/http"

	"github.com/pactum/pactum"
)

// A partner's page in the console: who it is, its scorecard beside the program (value, the
// program's, its rank) over the period, its daily trend, and approve or suspend.

type partnerData struct {
	Form      *form
	Partner   pactum.Partner
	Period    period
	Scorecard scorecardView
}

func (s *Server) partnerPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.program.Partner(r.Context(), v.Caller, id)
	if err != nil {
		return err
	}
	f := newForm(r.URL.Query())
	per := readPeriod(f)
	sc, err := s.scorecard(r.Context(), v.Caller, id, per)
	if err != nil {
		return err
	}
	d := partnerData{Form: f, Partner: p, Period: per, Scorecard: viewScorecard(sc, "partner", p.Name)}
	s.render(w, r, v, f.Status, "partner", p.Name, d)
	return nil
}
