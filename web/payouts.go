package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// Payout runs: the list, and a form that runs a program's payouts now (program.CreateRun: the
// same program and day twice pays nothing twice).

type payoutsData struct {
	Form        *form
	Runs        []pactum.PayoutRun
	Next        string
	Advertisers []pactum.Advertiser // an admin's choice of program
	Today       string
}

// payoutsPage lists the runs the viewer may see, newest last, with the form to run one.
func (s *Server) payoutsPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.renderPayouts(w, r, v, newForm(nil))
}

func (s *Server) renderPayouts(w http.ResponseWriter, r *http.Request, v *viewer, f *form) error {
	page, err := s.program.ListRuns(r.Context(), v.Caller, program.Owners{}, listPage(r))
	if err != nil {
		return err
	}
	d := payoutsData{Form: f, Runs: page.Items, Next: nextURL(r, page.Next), Today: s.program.Now().UTC().Format("2006-01-02")}
	if v.Caller.IsAdmin() {
		advs, err := s.program.ListAdvertisers(r.Context(), v.Caller, pactum.Page{Limit: program.MaxPage})
		if err != nil {
			return err
		}
		d.Advertisers = advs.Items
	}
	s.render(w, r, v, f.Status, "payouts", "Payouts", d)
	return nil
}

// createRun runs a program's payouts for a day (today when none is given).
func (s *Server) createRun(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f, err := readForm(r)
	if err != nil {
		return err
	}
	in := program.RunInput{Date: strings.TrimSpace(f.Get("date"))}
	in.AdvertiserID, err = f.id("advertiser_id")
	var run pactum.PayoutRun
	var created bool
	if err == nil {
		run, created, err = s.program.CreateRun(r.Context(), v.Caller, in)
	}
	if err != nil {
		if err := f.fail(err, nil); err != nil {
			return err
		}
		return s.renderPayouts(w, r, v, f)
	}
	notice := fmt.Sprintf("Run %d of %s made %d payouts. Download a payment file below, pay it, then mark each payout paid.", run.ID, run.Date, run.Payouts)
	if !created {
		notice = fmt.Sprintf("This program was run for %s already (run %d): nothing was paid twice.", run.Date, run.ID)
	}
	s.redirect(w, r, fmt.Sprintf("/console/payouts/runs/%d", run.ID), notice)
	return nil
}
