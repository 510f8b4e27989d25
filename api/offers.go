package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

type offerJSON struct {
	ID                    int64           `json:"id"`
	AdvertiserID          int64           `json:"advertiser_id"`
	Name                  string          `json:"name"`
	Status                string          `json:"status"`
	DestinationURL        string          `json:"destination_url"`
	FallbackURL           string          `json:"fallback_url"`
	Currency              string          `json:"currency"`
	AttributionWindowDays int             `json:"attribution_window_days"`
	AttributionModel      string          `json:"attribution_model"`
	MinConversionSeconds  int             `json:"min_conversion_seconds"`
	ReturningCustomers    bool            `json:"returning_customers"`
	AcceptPixel           bool            `json:"accept_pixel"`
	HoldDays              int             `json:"hold_days"`
	Targeting             targetingJSON   `json:"targeting"`
	Visibility            string          `json:"visibility"`
	Events                []offerEventDoc `json:"events"`
	// Fraud are the offer's fraud rules: for the program's side only, not partners.
	Fraud     *fraudJSON `json:"fraud,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

type targetingJSON struct {
	Countries []string `json:"countries"`
	Devices   []string `json:"devices"`
}

// offerEventDoc is an event as it is answered; an empty rule set is left out.
type offerEventDoc struct {
	ID           int64           `json:"id"`
	Name         string          `json:"name"`
	AllowRepeats bool            `json:"allow_repeats"`
	Payout       json.RawMessage `json:"payout,omitempty"`
	Revenue      json.RawMessage `json:"revenue,omitempty"`
}

// offerView renders o for c, without the revenue rule sets for callers who may not see revenue.
func offerView(c program.Caller) func(pactum.Offer) offerJSON {
	return func(o pactum.Offer) offerJSON {
		out := offerJSON{
			ID: o.ID, AdvertiserID: o.AdvertiserID, Name: o.Name, Status: o.Status,
			DestinationURL: o.DestinationURL, FallbackURL: o.FallbackURL, Currency: o.Currency,
			AttributionWindowDays: o.AttributionWindowDays, AttributionModel: o.AttributionModel,
			MinConversionSeconds: o.MinConversionSeconds, ReturningCustomers: o.ReturningCustomers, AcceptPixel: o.AcceptPixel,
			HoldDays: o.HoldDays, Visibility: o.Visibility,
			Targeting: targetingJSON{Countries: nonNil(o.Targeting.Countries), Devices: nonNil(o.Targeting.Devices)},
			Events:    make([]offerEventDoc, 0, len(o.Events)),
			CreatedAt: o.CreatedAt.UTC(), UpdatedAt: o.UpdatedAt.UTC(),
		}
		if c.SeesRevenue() {
			out.Fraud = fraudView(o.Fraud)
		}
		for _, e := range o.Events {
			ev := offerEventDoc{ID: e.ID, Name: e.Name, AllowRepeats: e.AllowRepeats, Payout: e.Payout, Revenue: e.Revenue}
			if !c.SeesRevenue() {
				ev.Revenue = nil
			}
			out.Events = append(out.Events, ev)
		}
		return out
	}
}

func (a *API) createOffer(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	var in program.OfferInput
	if err := decode(r, &in); err != nil {
		return err
	}
	o, err := a.program.CreateOffer(r.Context(), c, in)
	if err != nil {
		return err
	}
	return created(w, "/api/v1/offers/"+strconv.FormatInt(o.ID, 10), offerView(c)(o))
}

func (a *API) listOffers(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	p, err := readPage(r)
	if err != nil {
		return err
	}
	var q program.OfferQuery
	if q.AdvertiserID, err = queryID(r, "advertiser_id"); err != nil {
		return err
	}
	q.Status = r.URL.Query().Get("status")
	page, err := a.program.ListOffers(r.Context(), c, q, p)
	return answerList(w, page, err, offerView(c))
}

func (a *API) getOffer(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "offer")
	if err != nil {
		return err
	}
	o, err := a.program.Offer(r.Context(), c, id)
	return ok(w, offerView(c)(o), err)
}

func (a *API) patchOffer(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "offer")
	if err != nil {
		return err
	}
	if _, err := a.program.Offer(r.Context(), c, id); err != nil {
		return err
	}
	var in program.OfferInput
	if err := decode(r, &in); err != nil {
		return err
	}
	o, err := a.program.UpdateOffer(r.Context(), c, id, in)
	return ok(w, offerView(c)(o), err)
}

// fraudJSON is a program's or an offer's fraud rules as answered: every field, empty where
// nothing is set (the level's defaults, the program's for an offer).
type fraudJSON struct {
	Level                  string            `json:"level"`
	Rules                  map[string]string `json:"rules"`
	BlockedIPs             []string          `json:"blocked_ips"`
	DuplicateWindowSeconds int               `json:"duplicate_window_seconds"`
	MaxConversionSeconds   int               `json:"max_conversion_seconds"`
}

func fraudView(s pactum.FraudSettings) *fraudJSON {
	rules := s.Rules
	if rules == nil {
		rules = map[string]string{}
	}
	return &fraudJSON{Level: s.Level, Rules: rules, BlockedIPs: nonNil(s.BlockedIPs),
		DuplicateWindowSeconds: s.DuplicateWindowSeconds, MaxConversionSeconds: s.MaxConversionSeconds}
}
