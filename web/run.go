package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/answer"
	"github.com/pactum/pactum/program"
)

// A payout run: its payouts, the payment files (program.ExportRun, as the API's export), and
// the forms that mark each payout paid or failed.

type runData struct {
	Form    *form
	Run     pactum.PayoutRun
	Payouts []pactum.Payout
	Names   map[int64]string
	Pending bool
}

// runPage shows one run.
func (s *Server) runPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.renderRun(w, r, v, newForm(nil))
}

func (s *Server) renderRun(w http.ResponseWriter, r *http.Request, v *viewer, f *form) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	run, err := s.program.Run(r.Context(), v.Caller, id)
	if err != nil {
		return err
	}
	payouts, err := s.program.RunPayouts(r.Context(), run)
	if err != nil {
		return err
	}
	d := runData{Form: f, Run: run, Payouts: payouts, Names: map[int64]string{}}
	for _, p := range payouts {
		d.Pending = d.Pending || p.Status == pactum.PayoutPending
		if partner, err := s.program.Partner(r.Context(), v.Caller, p.PartnerID); err == nil {
			d.Names[p.PartnerID] = partner.Name
		}
	}
	s.render(w, r, v, f.Status, "run", fmt.Sprintf("Payout run %d", run.ID), d)
	return nil
}

// exportRun answers a run's payment file; a file the stored data does not allow (a partner
// without an IBAN) is shown on the run's page, saying what to fix.
func (s *Server) exportRun(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	file, err := s.program.ExportRun(r.Context(), v.Caller, id, q.Get("format"), q.Get("currency"))
	if err != nil {
		f := newForm(nil)
		if err := f.fail(err, func(string) string { return "" }); err != nil {
			return err
		}
		if field := pactum.ErrorField(err); field != "" {
			f.Problem = fmt.Sprintf("The %s file cannot be made: %s (%s).", q.Get("format"), pactum.ErrorMessage(err), field)
		}
		return s.renderRun(w, r, v, f)
	}
	answer.WriteFile(w, file.ContentType, file.Filename, file.Body)
	return nil
}

// settlePayout marks a pending payout paid (with the payment's reference) or failed (with why).
func (s *Server) settlePayout(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, f, err := postedID(r)
	if err != nil {
		return err
	}
	in := program.SettleInput{Status: f.Get("status"), Reference: f.Get(fmt.Sprintf("reference.%d", id)),
		Reason: f.Get(fmt.Sprintf("reason.%d", id))}
	p, err := s.program.SettlePayout(r.Context(), v.Caller, id, in)
	if err != nil {
		if err := f.fail(err, func(field string) string { return fmt.Sprintf("%s.%d", field, id) }); err != nil {
			return err
		}
		if p, err = s.program.Payout(r.Context(), v.Caller, id); err != nil {
			return err
		}
		r.SetPathValue("id", strconv.FormatInt(p.RunID, 10))
		return s.renderRun(w, r, v, f)
	}
	s.redirect(w, r, fmt.Sprintf("/console/payouts/runs/%d", p.RunID), fmt.Sprintf("Payout %d is marked %s.", p.ID, p.Status))
	return nil
}
