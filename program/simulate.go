package program

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

// SimulateInput is a draft payout rule set to replay an offer's conversions of one event in
// [From, To) against (RFC 3339 times).
type SimulateInput struct {
	Event  string          `json:"event"`
	Payout json.RawMessage `json:"payout"`
	From   string          `json:"from"`
	To     string          `json:"to"`
}

// Simulation is what a draft would pay compared with what the offer's rules pay now.
type Simulation struct {
	commission.Simulation
	Event    string
	From, To time.Time
}

var errTooManyToSimulate = errors.New("too many conversions to simulate")

// Simulate replays offer id's conversions of one event against a draft payout rule set and
// answers, per partner, what they earn now against what the draft would pay. It only reads: the
// draft is not saved and no conversion changes.
func (s *Service) Simulate(ctx context.Context, c Caller, id int64, in SimulateInput) (Simulation, error) {
	if err := c.Allow("simulate offers' rules", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return Simulation{}, err
	}
	o, err := s.Offer(ctx, c, id)
	if err != nil {
		return Simulation{}, err
	}
	if in.Event == "" && len(o.Events) == 1 {
		in.Event = o.Events[0].Name
	}
	if in.Event == "" {
		return Simulation{}, pactum.FieldError("event", "is required: the offer has %d events", len(o.Events))
	}
	if p := bytes.TrimSpace(in.Payout); len(p) == 0 || bytes.Equal(p, []byte("null")) {
		return Simulation{}, pactum.FieldError("payout", "is required: the draft payout rule set, such as {\"default\":{\"percent\":\"10\"}}")
	}
	from, err := parseTime("from", in.From)
	if err != nil {
		return Simulation{}, err
	}
	to, err := parseTime("to", in.To)
	if err != nil {
		return Simulation{}, err
	}
	if !to.After(from) {
		return Simulation{}, pactum.FieldError("to", "must be after from")
	}
	if to.Sub(from) > maxSimulateDays*24*time.Hour {
		return Simulation{}, pactum.FieldError("to", "must be at most %d days after from", maxSimulateDays)
	}
	// The draft is checked before the conversions are read, so that a typo costs no scan.
	if _, err := s.rules.Simulate(o, in.Event, in.Payout, nil, nil); err != nil {
		return Simulation{}, err
	}

	var convs []pactum.Conversion
	f := pactum.ConversionFilter{OfferID: o.ID, Event: in.Event, From: from, To: to}
	err = s.store.EachConversion(ctx, f, func(cv pactum.Conversion) error {
		if len(convs) == maxSimulateConversions {
			return errTooManyToSimulate
		}
		convs = append(convs, cv)
		return nil
	})
	if errors.Is(err, errTooManyToSimulate) {
		return Simulation{}, pactum.FieldError("from", "the range holds more than %d conversions: narrow it", maxSimulateConversions)
	} else if err != nil {
		return Simulation{}, err
	}
	partners := map[int64]pactum.Partner{}
	for _, cv := range convs {
		if _, ok := partners[cv.PartnerID]; ok || cv.PartnerID == 0 {
			continue
		}
		p, err := s.store.Partner(ctx, cv.PartnerID)
		if isNotFound(err) {
			p = pactum.Partner{ID: cv.PartnerID} // gone since: matched by id only
		} else if err != nil {
			return Simulation{}, err
		}
		partners[cv.PartnerID] = p
	}
	sim, err := s.rules.Simulate(o, in.Event, in.Payout, partners, convs)
	if err != nil {
		return Simulation{}, err
	}
	return Simulation{Simulation: sim, Event: in.Event, From: from, To: to}, nil
}

// parseTime parses a required RFC 3339 time.
func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, pactum.FieldError(field, "is required: an RFC 3339 time such as \"2026-11-01T00:00:00Z\"")
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, pactum.FieldError(field, "must be an RFC 3339 time such as \"2026-11-01T00:00:00Z\", not %q", s)
	}
	return t.UTC(), nil
}
