package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/commission"
)

// Bounds of a simulation, which holds its conversions in memory: a year of a busy program's
// sales of one event fits; more is a request to narrow the range.
const (
	maxSimulateDays        = 366
	maxSimulateConversions = 200_000
)

type simulateInput struct {
	Event  string          `json:"event"`
	Payout json.RawMessage `json:"payout"`
	From   string          `json:"from"`
	To     string          `json:"to"`
}

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

var errTooManyToSimulate = errors.New("too many conversions to simulate")

// simulate replays the offer's conversions of one event in [from, to) against a draft payout
// rule set and answers, per partner, what they earn now against what the draft would pay. It
// only reads: the draft is not saved and no conversion changes.
func (a *API) simulate(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := c.allow("simulate offers' rules", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return err
	}
	id, err := pathID(r, "offer")
	if err != nil {
		return err
	}
	o, err := a.offerFor(r, c, id)
	if err != nil {
		return err
	}
	var in simulateInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Event == "" && len(o.Events) == 1 {
		in.Event = o.Events[0].Name
	}
	if in.Event == "" {
		return pactum.FieldError("event", "is required: the offer has %d events", len(o.Events))
	}
	if p := bytes.TrimSpace(in.Payout); len(p) == 0 || bytes.Equal(p, []byte("null")) {
		return pactum.FieldError("payout", "is required: the draft payout rule set, such as {\"default\":{\"percent\":\"10\"}}")
	}
	from, err := bodyTime("from", in.From)
	if err != nil {
		return err
	}
	to, err := bodyTime("to", in.To)
	if err != nil {
		return err
	}
	if !to.After(from) {
		return pactum.FieldError("to", "must be after from")
	}
	if to.Sub(from) > maxSimulateDays*24*time.Hour {
		return pactum.FieldError("to", "must be at most %d days after from", maxSimulateDays)
	}
	// The draft is checked before the conversions are read, so that a typo costs no scan.
	if _, err := a.rules.Simulate(o, in.Event, in.Payout, nil, nil); err != nil {
		return err
	}

	var convs []pactum.Conversion
	f := pactum.ConversionFilter{OfferID: o.ID, Event: in.Event, From: from, To: to}
	err = a.store.EachConversion(r.Context(), f, func(cv pactum.Conversion) error {
		if len(convs) == maxSimulateConversions {
			return errTooManyToSimulate
		}
		convs = append(convs, cv)
		return nil
	})
	if errors.Is(err, errTooManyToSimulate) {
		return pactum.FieldError("from", "the range holds more than %d conversions: narrow it", maxSimulateConversions)
	} else if err != nil {
		return err
	}
	partners := map[int64]pactum.Partner{}
	for _, cv := range convs {
		if _, ok := partners[cv.PartnerID]; ok || cv.PartnerID == 0 {
			continue
		}
		p, err := a.store.Partner(r.Context(), cv.PartnerID)
		if isNotFound(err) {
			p = pactum.Partner{ID: cv.PartnerID} // gone since: matched by id only
		} else if err != nil {
			return err
		}
		partners[cv.PartnerID] = p
	}
	sim, err := a.rules.Simulate(o, in.Event, in.Payout, partners, convs)
	if err != nil {
		return err
	}
	out := simulationJSON{Currency: sim.Currency, Event: in.Event, From: from, To: to,
		Partners: make([]partnerFiguresJSON, 0, len(sim.Partners)), Total: figuresView(sim.Total, sim.Currency), Skipped: sim.Skipped}
	for _, p := range sim.Partners {
		out.Partners = append(out.Partners, partnerFiguresJSON{PartnerID: p.PartnerID, figuresJSON: figuresView(p.Figures, sim.Currency)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// bodyTime parses a required RFC 3339 time of a request body.
func bodyTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, pactum.FieldError(field, "is required: an RFC 3339 time such as \"2026-11-01T00:00:00Z\"")
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, pactum.FieldError(field, "must be an RFC 3339 time such as \"2026-11-01T00:00:00Z\", not %q", s)
	}
	return t.UTC(), nil
}
