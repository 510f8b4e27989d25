package program

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/fraud"
	"github.com/pactum/pactum/macro"
	"github.com/pactum/pactum/rules"
)

// Bounds of an offer's numbers: a year is longer than any attribution window or hold period
// the incumbents allow.
const (
	maxWindowDays = 365
	maxHoldDays   = 365
	maxEvents     = 50
	maxTargets    = 300
	// maxMinConversionSeconds: a day. A sale that comes a day after its click is no bot.
	maxMinConversionSeconds = 86400
)

var eventNameRe = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)

// OfferInput is the body of a create or a change; nil fields were not sent. Targeting's lists
// are changed one by one; events are replaced as a whole.
type OfferInput struct {
	AdvertiserID          *int64             `json:"advertiser_id"`
	Name                  *string            `json:"name"`
	Status                *string            `json:"status"`
	DestinationURL        *string            `json:"destination_url"`
	FallbackURL           *string            `json:"fallback_url"`
	Currency              *string            `json:"currency"`
	AttributionWindowDays *int               `json:"attribution_window_days"`
	AttributionModel      *string            `json:"attribution_model"`
	MinConversionSeconds  *int               `json:"min_conversion_seconds"`
	ReturningCustomers    *bool              `json:"returning_customers"`
	AcceptPixel           *bool              `json:"accept_pixel"`
	HoldDays              *int               `json:"hold_days"`
	Targeting             *TargetingInput    `json:"targeting"`
	Visibility            *string            `json:"visibility"`
	Events                *[]OfferEventInput `json:"events"`
	// Fraud replaces the offer's fraud rules as a whole (package fraud checks them).
	Fraud *pactum.FraudSettings `json:"fraud"`
}

// TargetingInput changes an offer's targeting list by list.
type TargetingInput struct {
	Countries *[]string `json:"countries"`
	Devices   *[]string `json:"devices"`
}

// OfferEventInput is an event as it is read and written: rule sets are passed through as the
// JSON that rules.Parse accepted. ID is Pactum's: a client may send it back as it got it, and it
// is otherwise ignored (events are matched by name).
type OfferEventInput struct {
	ID           int64           `json:"id"`
	Name         string          `json:"name"`
	AllowRepeats bool            `json:"allow_repeats"`
	Payout       json.RawMessage `json:"payout,omitempty"`
	Revenue      json.RawMessage `json:"revenue,omitempty"`
}

// apply copies the fields that were sent into o, except advertiser_id, which the operations
// check against the caller first.
func (in OfferInput) apply(o *pactum.Offer) error {
	set(&o.Name, in.Name, strings.TrimSpace)
	set(&o.Status, in.Status, nil)
	set(&o.DestinationURL, in.DestinationURL, strings.TrimSpace)
	set(&o.FallbackURL, in.FallbackURL, strings.TrimSpace)
	set(&o.Currency, in.Currency, nil)
	set(&o.AttributionModel, in.AttributionModel, nil)
	set(&o.Visibility, in.Visibility, nil)
	setInt(&o.AttributionWindowDays, in.AttributionWindowDays)
	setInt(&o.HoldDays, in.HoldDays)
	setInt(&o.MinConversionSeconds, in.MinConversionSeconds)
	if in.AcceptPixel != nil {
		o.AcceptPixel = *in.AcceptPixel
	}
	if in.ReturningCustomers != nil {
		o.ReturningCustomers = *in.ReturningCustomers
	}
	if t := in.Targeting; t != nil {
		if t.Countries != nil {
			o.Targeting.Countries = *t.Countries
		}
		if t.Devices != nil {
			o.Targeting.Devices = *t.Devices
		}
	}
	if in.Events != nil {
		events, err := numberEvents(o.Events, *in.Events)
		if err != nil {
			return err
		}
		o.Events = events
	}
	return setFraud(&o.Fraud, in.Fraud)
}

// setFraud replaces settings with sent, checked, when it was sent.
func setFraud(settings *pactum.FraudSettings, sent *pactum.FraudSettings) error {
	if sent == nil {
		return nil
	}
	s, err := fraud.Check("fraud", *sent)
	if err != nil {
		return err
	}
	*settings = s
	return nil
}

// numberEvents gives each event of a new list its id: the id of the event of the same name in
// the old list, else one more than the highest id so far. Postbacks name events by these ids
// (goal_id), so an id never moves to another event while the event is there. An id sent by the
// client must be the one its event has, so that a rename (which makes a new event) is not
// mistaken for a change of the old one.
func numberEvents(old []pactum.OfferEvent, docs []OfferEventInput) ([]pactum.OfferEvent, error) {
	ids := map[string]int64{}
	names := map[int64]string{}
	var top int64
	for _, e := range old {
		if e.ID == 0 {
			continue // stored before events had ids: numbered below like a new one
		}
		ids[e.Name], names[e.ID] = e.ID, e.Name
		top = max(top, e.ID)
	}
	events := make([]pactum.OfferEvent, len(docs))
	for i, d := range docs {
		id, known := ids[d.Name]
		if d.ID != 0 && d.ID != id {
			field := fmt.Sprintf("events[%d].id", i)
			if other, taken := names[d.ID]; taken {
				return nil, pactum.FieldError(field, "is event %q's id, not %q's: ids are Pactum's and an event's name cannot change", other, d.Name)
			}
			if known {
				return nil, pactum.FieldError(field, "is %d but event %q has id %d: ids are Pactum's; send it back as it is or leave it out", d.ID, d.Name, id)
			}
		}
		if !known {
			top++
			id = top
			// A name listed twice is refused by checkEvents; it must not take two ids meanwhile.
			ids[d.Name] = id
		}
		events[i] = pactum.OfferEvent{ID: id, Name: d.Name, AllowRepeats: d.AllowRepeats, Payout: d.Payout, Revenue: d.Revenue}
	}
	return events, nil
}

// ValidateOffer checks o as it would be stored, after a create or a change, and compacts its
// rule sets. The advertiser is checked by the operations.
func ValidateOffer(o *pactum.Offer) error {
	if err := checkName("name", o.Name); err != nil {
		return err
	}
	if err := CheckOneOf("status", o.Status, pactum.OfferActive, pactum.OfferPaused, pactum.OfferArchived); err != nil {
		return err
	}
	var err error
	if o.DestinationURL, err = normalizeURL(o.DestinationURL, "destination_url"); err != nil {
		return err
	}
	if o.FallbackURL != "" {
		if o.FallbackURL, err = normalizeURL(o.FallbackURL, "fallback_url"); err != nil {
			return err
		}
	}
	if err := checkCurrency("currency", o.Currency); err != nil {
		return err
	}
	if o.AttributionWindowDays < 1 || o.AttributionWindowDays > maxWindowDays {
		return pactum.FieldError("attribution_window_days", "must be from 1 to %d days", maxWindowDays)
	}
	if err := CheckOneOf("attribution_model", o.AttributionModel, pactum.LastClick, pactum.FirstClick); err != nil {
		return err
	}
	if o.MinConversionSeconds < 0 || o.MinConversionSeconds > maxMinConversionSeconds {
		return pactum.FieldError("min_conversion_seconds", "must be from 0 to %d seconds", maxMinConversionSeconds)
	}
	if o.HoldDays < 0 || o.HoldDays > maxHoldDays {
		return pactum.FieldError("hold_days", "must be from 0 to %d days", maxHoldDays)
	}
	if err := checkTargeting(&o.Targeting); err != nil {
		return err
	}
	if err := CheckOneOf("visibility", o.Visibility, pactum.VisibilityPublic, pactum.VisibilityApproval, pactum.VisibilityPrivate); err != nil {
		return err
	}
	return checkEvents(o.Events, o.Currency)
}

// normalizeURL validates a URL template and returns it as it is stored: its host in the ASCII
// (punycode) form browsers go to (macro.NormalizeURL). Anything it returns other than a
// *pactum.Error is still about the user's input, so it is reported as such rather than as a 500.
func normalizeURL(s, field string) (string, error) {
	n, err := macro.NormalizeURL(s, field)
	return n, asFieldError(err, field)
}

func asFieldError(err error, field string) error {
	var pe *pactum.Error
	if err == nil || errors.As(err, &pe) {
		return err
	}
	return pactum.FieldError(field, "%v", err)
}

func checkTargeting(t *pactum.Targeting) error {
	if len(t.Countries) > maxTargets {
		return pactum.FieldError("targeting.countries", "must list at most %d countries", maxTargets)
	}
	seen := map[string]bool{}
	for i, c := range t.Countries {
		field := fmt.Sprintf("targeting.countries[%d]", i)
		if !pactum.ValidCountry(c) {
			return pactum.FieldError(field, "must be an assigned ISO 3166-1 alpha-2 country code in upper case such as \"DE\", not %q", c)
		}
		if seen[c] {
			return pactum.FieldError(field, "%q is listed twice", c)
		}
		seen[c] = true
	}
	if len(t.Devices) > maxTargets {
		return pactum.FieldError("targeting.devices", "must list at most %d devices", maxTargets)
	}
	seen = map[string]bool{}
	for i, d := range t.Devices {
		field := fmt.Sprintf("targeting.devices[%d]", i)
		if err := CheckOneOf(field, d, pactum.DeviceDesktop, pactum.DeviceMobile, pactum.DeviceTablet, pactum.DeviceOther); err != nil {
			return err
		}
		if seen[d] {
			return pactum.FieldError(field, "%q is listed twice", d)
		}
		seen[d] = true
	}
	return nil
}

// checkEvents validates events and their rule sets (rules.Parse), and stores each rule set
// compacted, with null and empty ones dropped.
func checkEvents(events []pactum.OfferEvent, currency string) error {
	if len(events) == 0 {
		return pactum.FieldError("events", "must list at least one event, such as {\"name\":\"purchase\"}")
	}
	if len(events) > maxEvents {
		return pactum.FieldError("events", "must list at most %d events", maxEvents)
	}
	seen := map[string]bool{}
	for i := range events {
		e := &events[i]
		field := fmt.Sprintf("events[%d]", i)
		if err := checkPattern(field+".name", e.Name, eventNameRe, "a lower-case name of letters, digits and _ such as \"purchase\""); err != nil {
			return err
		}
		if seen[e.Name] {
			return pactum.FieldError(field+".name", "event %q is listed twice", e.Name)
		}
		seen[e.Name] = true
		var err error
		if e.Payout, err = CheckRuleSet(e.Payout, currency, field+".payout"); err != nil {
			return err
		}
		if e.Revenue, err = CheckRuleSet(e.Revenue, currency, field+".revenue"); err != nil {
			return err
		}
	}
	return nil
}

// CheckRuleSet validates a rule set (rules.Parse) with errors naming field, and returns it
// compacted; an empty or null one is nil.
func CheckRuleSet(raw json.RawMessage, currency, field string) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	if _, err := rules.Parse(raw, currency); err != nil {
		return nil, asFieldError(pactum.WithFieldPrefix(err, field), field)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, pactum.FieldError(field, "is not valid JSON")
	}
	return buf.Bytes(), nil
}

// defaultEvents is what an offer created without events tracks: one purchase event that earns
// nothing until its rules are set.
func defaultEvents() []pactum.OfferEvent {
	return []pactum.OfferEvent{{ID: 1, Name: "purchase"}}
}

// ownAdvertiser resolves the advertiser an offer is created for or moved to. An advertiser key
// may only name itself.
func (s *Service) ownAdvertiser(ctx context.Context, c Caller, id int64) (pactum.Advertiser, error) {
	if c.IsAdvertiser() && id != c.AdvertiserID {
		return pactum.Advertiser{}, Denied("an advertiser key may only manage its own offers (advertiser_id %d)", c.AdvertiserID)
	}
	if id < 1 {
		return pactum.Advertiser{}, pactum.FieldError("advertiser_id", "is required")
	}
	adv, err := s.store.Advertiser(ctx, id)
	if isNotFound(err) {
		return adv, pactum.FieldError("advertiser_id", "advertiser %d does not exist", id)
	}
	return adv, err
}

// CreateOffer makes an offer of the caller's advertiser (an admin names one), with the defaults
// of SPEC sections 4 and 6 for what in leaves out.
func (s *Service) CreateOffer(ctx context.Context, c Caller, in OfferInput) (pactum.Offer, error) {
	if err := c.Allow("create offers", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return pactum.Offer{}, err
	}
	advID := c.AdvertiserID
	if in.AdvertiserID != nil {
		advID = *in.AdvertiserID
	}
	adv, err := s.ownAdvertiser(ctx, c, advID)
	if err != nil {
		return pactum.Offer{}, err
	}
	now := s.now().UTC()
	o := pactum.Offer{
		AdvertiserID: adv.ID, Status: pactum.OfferActive, Currency: adv.Currency,
		AttributionWindowDays: pactum.DefaultAttributionWindowDays, AttributionModel: pactum.LastClick,
		HoldDays: pactum.DefaultHoldDays, Visibility: pactum.VisibilityPublic, Events: defaultEvents(),
		CreatedAt: now, UpdatedAt: now,
	}
	if in.Events != nil {
		o.Events = nil // a new offer's events are numbered from 1
	}
	if err := in.apply(&o); err != nil {
		return o, err
	}
	if err := ValidateOffer(&o); err != nil {
		return o, err
	}
	if err := s.store.CreateOffer(ctx, &o); err != nil {
		return o, err
	}
	s.changed()
	return o, nil
}

// OfferQuery filters a list of offers; zero fields match everything.
type OfferQuery struct {
	AdvertiserID int64
	Status       string
}

// ListOffers lists the offers the caller may see: an advertiser its own, a partner those it may
// promote.
func (s *Service) ListOffers(ctx context.Context, c Caller, q OfferQuery, p pactum.Page) (Page[pactum.Offer], error) {
	f := pactum.OfferFilter{AdvertiserID: q.AdvertiserID, Status: q.Status}
	if f.Status != "" {
		if err := CheckOneOf("status", f.Status, pactum.OfferActive, pactum.OfferPaused, pactum.OfferArchived); err != nil {
			return Page[pactum.Offer]{}, err
		}
	}
	empty := Page[pactum.Offer]{Items: []pactum.Offer{}}
	var keep func(pactum.Offer) bool
	switch {
	case c.IsAdvertiser():
		if f.AdvertiserID != 0 && f.AdvertiserID != c.AdvertiserID {
			return empty, nil
		}
		f.AdvertiserID = c.AdvertiserID
	case c.IsPartner():
		if f.Status != "" && f.Status != pactum.OfferActive {
			return empty, nil
		}
		f.Status = pactum.OfferActive
		keep = PartnerMayPromote
	}
	fetch := func(pg pactum.Page) ([]pactum.Offer, error) { return s.store.ListOffers(ctx, f, pg) }
	return collect(p, fetch, func(o pactum.Offer) int64 { return o.ID }, keep)
}

// Offer returns offer id if the caller may see it.
func (s *Service) Offer(ctx context.Context, c Caller, id int64) (pactum.Offer, error) {
	o, err := s.store.Offer(ctx, id)
	if err != nil {
		return o, orNotFound(err, "offer", id)
	}
	if !c.CanSeeOffer(o) {
		return pactum.Offer{}, NotFound("offer", id)
	}
	return o, nil
}

// offerField loads offer id, named by a field of the caller's input, if the caller may see it:
// one it may not see is reported exactly like a missing one.
func (s *Service) offerField(ctx context.Context, c Caller, field string, id int64) (pactum.Offer, error) {
	o, err := s.Offer(ctx, c, id)
	if isNotFound(err) {
		return o, pactum.FieldError(field, "offer %d does not exist", id)
	}
	return o, err
}

// UpdateOffer changes offer id as in says. An offer with conversions keeps its currency.
func (s *Service) UpdateOffer(ctx context.Context, c Caller, id int64, in OfferInput) (pactum.Offer, error) {
	if err := c.Allow("change offers", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return pactum.Offer{}, err
	}
	o, err := s.Offer(ctx, c, id)
	if err != nil {
		return o, err
	}
	if in.AdvertiserID != nil && *in.AdvertiserID != o.AdvertiserID {
		if _, err := s.ownAdvertiser(ctx, c, *in.AdvertiserID); err != nil {
			return o, err
		}
		o.AdvertiserID = *in.AdvertiserID
	}
	currency := o.Currency
	if err := in.apply(&o); err != nil {
		return o, err
	}
	o.UpdatedAt = s.now().UTC()
	if err := ValidateOffer(&o); err != nil {
		return o, err
	}
	if o.Currency != currency {
		// Conversions keep the offer's currency, and tiers and caps add them up: an offer with
		// conversions keeps its currency. A new program gets a new offer.
		n, err := s.store.CountConversions(ctx, pactum.ConversionFilter{OfferID: o.ID})
		if err != nil {
			return o, err
		}
		if n > 0 {
			return o, &pactum.Error{Code: pactum.ECONFLICT, Field: "currency",
				Message: fmt.Sprintf("offer %d has %d conversions in %s; its currency cannot change", o.ID, n, currency)}
		}
	}
	if err := s.store.UpdateOffer(ctx, &o); err != nil {
		return o, err
	}
	s.changed()
	return o, nil
}
