package web

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// The simulator: a draft of one event's payout rules, in the rule editor, replayed against the
// offer's conversions of a date range (program.Service.Simulate): what each partner earns now
// and what the draft would pay. Nothing is saved.

type simulateData struct {
	Form    *form
	Offer   pactum.Offer
	Events  []string
	RuleSet ruleSetView
	Result  *program.Simulation
	Names   map[int64]string // partner names the viewer may see
}

// simulatePage shows the draft form, filled with the event's current rules and the last 30 days.
func (s *Server) simulatePage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	o, err := s.pathOffer(r, v)
	if err != nil {
		return err
	}
	f := newForm(nil)
	event := r.URL.Query().Get("event")
	i := slices.IndexFunc(o.Events, func(e pactum.OfferEvent) bool { return e.Name == event })
	if i < 0 {
		i = 0
	}
	today := s.program.Now().UTC().Truncate(24 * time.Hour)
	f.Values.Set("event", o.Events[i].Name)
	f.Values.Set("from", today.AddDate(0, 0, -30).Format(time.DateOnly))
	f.Values.Set("to", today.Format(time.DateOnly))
	f.Values.Set("e0.default.kind", "percent")
	setRuleSet(f, "e0", o.Events[i].Payout)
	return s.renderSimulation(w, r, v, f, o, nil)
}

// simulate runs the draft and shows the comparison under the form, which stays as sent so the
// draft can be changed and run again.
func (s *Server) simulate(w http.ResponseWriter, r *http.Request, v *viewer) error {
	o, err := s.pathOffer(r, v)
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	if list := f.Get("add"); list != "" {
		n := rowCount(f, list)
		f.Values.Set(list+".n", fmt.Sprint(n+1))
		return s.renderSimulation(w, r, v, f, o, nil)
	}
	rs, err := readRuleSet(f, "e0", "payout")
	var sim program.Simulation
	if err == nil {
		in := program.SimulateInput{Event: f.Get("event"), Payout: rs.JSON}
		in.From, in.To, err = dayRange(f)
		if err == nil {
			sim, err = s.program.Simulate(r.Context(), v.Caller, o.ID, in)
		}
	}
	if err != nil {
		mapField := func(field string) string {
			if m := payoutPath.FindStringSubmatch(field); m != nil {
				return rs.input("0", m[2])
			}
			return field
		}
		if err := f.fail(err, mapField); err != nil {
			return err
		}
		return s.renderSimulation(w, r, v, f, o, nil)
	}
	return s.renderSimulation(w, r, v, f, o, &sim)
}

// dayRange reads the form's from and to days (both inclusive) as the simulation's RFC 3339 range.
func dayRange(f *form) (from, to string, err error) {
	a, err := time.Parse(time.DateOnly, f.Get("from"))
	if err != nil {
		return "", "", pactum.FieldError("from", "must be a day such as 2026-11-01")
	}
	b, err := time.Parse(time.DateOnly, f.Get("to"))
	if err != nil {
		return "", "", pactum.FieldError("to", "must be a day such as 2026-11-30")
	}
	return a.Format(time.RFC3339), b.AddDate(0, 0, 1).Format(time.RFC3339), nil
}

// pathOffer is the offer of the path's {id}, if the viewer may see it.
func (s *Server) pathOffer(r *http.Request, v *viewer) (pactum.Offer, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return pactum.Offer{}, err
	}
	return s.program.Offer(r.Context(), v.Caller, id)
}

func (s *Server) renderSimulation(w http.ResponseWriter, r *http.Request, v *viewer, f *form, o pactum.Offer, sim *program.Simulation) error {
	d := simulateData{Form: f, Offer: o, RuleSet: newRuleSetView(f, "e0", "Draft payout"), Result: sim, Names: map[int64]string{}}
	for _, e := range o.Events {
		d.Events = append(d.Events, e.Name)
	}
	if sim != nil {
		for _, p := range sim.Partners {
			if partner, err := s.program.Partner(r.Context(), v.Caller, p.PartnerID); err == nil {
				d.Names[p.PartnerID] = partner.Name
			}
		}
	}
	s.render(w, r, v, f.Status, "simulate", "Simulator: "+o.Name, d)
	return nil
}
