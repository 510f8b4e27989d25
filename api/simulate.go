package api

import (
	"net/http"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/commission"
	"github.com/pactum/pactum/program"
)

type simulationJSON struct {
	Currency string               `json:"currency"`
	Event    string               `json:"event"`
	From     time.Time            `json:"from"`
	To       time.Time            `json:"to"`
	Partners []partnerFiguresJSON `json:"partners"`
	Total    figuresJSON          `json:"total"`
	// Skipped counts conversions the draft could not price (see commission.Simulation).
	Skipped int64 `json:"skipped"`
}

type figuresJSON struct {
	Conversions int64  `json:"conversions"`
	Current     string `json:"current"`
	Draft       string `json:"draft"`
	Difference  string `json:"difference"`
}

type partnerFiguresJSON struct {
	PartnerID int64 `json:"partner_id"`
	figuresJSON
}

func figuresView(f commission.Figures, cur string) figuresJSON {
	return figuresJSON{Conversions: f.Conversions, Current: pactum.FormatAmount(f.Current, cur),
		Draft: pactum.FormatAmount(f.Draft, cur), Difference: pactum.FormatAmount(f.Difference, cur)}
}

// simulate answers what a draft payout rule set would pay per partner against the offer's rules.
func (a *API) simulate(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "offer")
	if err != nil {
		return err
	}
	if _, err := a.program.Offer(r.Context(), c, id); err != nil {
		return err
	}
	var in program.SimulateInput
	if err := decode(r, &in); err != nil {
		return err
	}
	sim, err := a.program.Simulate(r.Context(), c, id, in)
	if err != nil {
		return err
	}
	out := simulationJSON{Currency: sim.Currency, Event: sim.Event, From: sim.From, To: sim.To,
		Partners: make([]partnerFiguresJSON, 0, len(sim.Partners)), Total: figuresView(sim.Total, sim.Currency), Skipped: sim.Skipped}
	for _, p := range sim.Partners {
		out.Partners = append(out.Partners, partnerFiguresJSON{PartnerID: p.PartnerID, figuresJSON: figuresView(p.Figures, sim.Currency)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
