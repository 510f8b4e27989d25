package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// The offer editor: an offer's settings, its events and each event's payout rules in the rule
// editor (ruleset_form.go), created or changed through program.Service as the API's POST and
// PATCH are, so the same rules say what is valid and each error is shown at its input.

type offerData struct {
	Form         *form
	Offer        pactum.Offer // zero for a new one
	New          bool
	Advertisers  []pactum.Advertiser // the choice of an admin; empty for an advertiser
	Events       []eventView
	SeesRevenue  bool
	Statuses     []string
	Visibilities []string
	Models       []string
	Devices      []string
}

type eventView struct {
	N       int // 1-based, for labels
	P       string
	RuleSet ruleSetView
}

// newOfferPage shows an empty offer with one purchase event.
func (s *Server) newOfferPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f := newForm(nil)
	f.Values.Set("status", pactum.OfferActive)
	f.Values.Set("visibility", pactum.VisibilityPublic)
	f.Values.Set("attribution_model", pactum.LastClick)
	f.Values.Set("attribution_window_days", strconv.Itoa(pactum.DefaultAttributionWindowDays))
	f.Values.Set("hold_days", strconv.Itoa(pactum.DefaultHoldDays))
	f.Values.Set("events.n", "1")
	f.Values.Set("e0.name", "purchase")
	f.Values.Set("e0.default.kind", "percent")
	return s.renderOffer(w, r, v, f, pactum.Offer{})
}

// editOfferPage shows a stored offer in the editor.
func (s *Server) editOfferPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	o, err := s.pathOffer(r, v)
	if err != nil {
		return err
	}
	return s.renderOffer(w, r, v, offerForm(o), o)
}

// offerForm fills the editor's inputs from o.
func offerForm(o pactum.Offer) *form {
	f := newForm(nil)
	set := f.Values.Set
	set("advertiser_id", strconv.FormatInt(o.AdvertiserID, 10))
	set("name", o.Name)
	set("status", o.Status)
	set("destination_url", o.DestinationURL)
	set("fallback_url", o.FallbackURL)
	set("currency", o.Currency)
	set("attribution_window_days", strconv.Itoa(o.AttributionWindowDays))
	set("attribution_model", o.AttributionModel)
	set("min_conversion_seconds", strconv.Itoa(o.MinConversionSeconds))
	set("hold_days", strconv.Itoa(o.HoldDays))
	set("visibility", o.Visibility)
	set("targeting_countries", strings.Join(o.Targeting.Countries, ", "))
	f.Values["targeting_devices"] = o.Targeting.Devices
	if o.AcceptPixel {
		set("accept_pixel", "on")
	}
	if o.ReturningCustomers {
		set("returning_customers", "on")
	}
	set("events.n", strconv.Itoa(len(o.Events)))
	for i, e := range o.Events {
		p := fmt.Sprintf("e%d", i)
		set(p+".name", e.Name)
		if e.AllowRepeats {
			set(p+".repeats", "on")
		}
		set(p+".default.kind", "percent")
		setRuleSet(f, p, e.Payout)
		set(p+".revenue", string(e.Revenue))
	}
	return f
}

// createOffer makes an offer from the editor; errors are shown at their inputs.
func (s *Server) createOffer(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.saveOffer(w, r, v, pactum.Offer{})
}

// updateOffer changes a stored offer from the editor.
func (s *Server) updateOffer(w http.ResponseWriter, r *http.Request, v *viewer) error {
	o, err := s.pathOffer(r, v)
	if err != nil {
		return err
	}
	return s.saveOffer(w, r, v, o)
}

func (s *Server) saveOffer(w http.ResponseWriter, r *http.Request, v *viewer, o pactum.Offer) error {
	f, err := readForm(r)
	if err != nil {
		return err
	}
	if list := f.Get("add"); list != "" {
		// "Add a rule" and the like: one more empty row, nothing saved yet.
		n, _ := strconv.Atoi(f.Get(list + ".n"))
		f.Values.Set(list+".n", strconv.Itoa(n+1))
		return s.renderOffer(w, r, v, f, o)
	}
	in, err := readOffer(f, v.Caller)
	if err == nil {
		if o.ID == 0 {
			o, err = s.program.CreateOffer(r.Context(), v.Caller, in.OfferInput)
		} else {
			o, err = s.program.UpdateOffer(r.Context(), v.Caller, o.ID, in.OfferInput)
		}
	}
	if err != nil {
		if err := f.fail(err, in.input); err != nil {
			return err
		}
		return s.renderOffer(w, r, v, f, o)
	}
	s.redirect(w, r, fmt.Sprintf("/console/offers/%d", o.ID),
		fmt.Sprintf("Offer %q is saved. Try a change of its rules on past sales in the simulator before you save it.", o.Name))
	return nil
}

func (s *Server) renderOffer(w http.ResponseWriter, r *http.Request, v *viewer, f *form, o pactum.Offer) error {
	d := offerData{Form: f, Offer: o, New: o.ID == 0, SeesRevenue: v.Caller.SeesRevenue(),
		Statuses:     []string{pactum.OfferActive, pactum.OfferPaused, pactum.OfferArchived},
		Visibilities: []string{pactum.VisibilityPublic, pactum.VisibilityApproval, pactum.VisibilityPrivate},
		Models:       []string{pactum.LastClick, pactum.FirstClick},
		Devices:      []string{pactum.DeviceDesktop, pactum.DeviceMobile, pactum.DeviceTablet, pactum.DeviceOther},
	}
	if v.Caller.IsAdmin() {
		page, err := s.program.ListAdvertisers(r.Context(), v.Caller, pactum.Page{Limit: program.MaxPage})
		if err != nil {
			return err
		}
		d.Advertisers = page.Items
	}
	n, _ := strconv.Atoi(f.Get("events.n"))
	for i := range min(max(n, 1), maxRows) {
		p := fmt.Sprintf("e%d", i)
		d.Events = append(d.Events, eventView{N: i + 1, P: p, RuleSet: newRuleSetView(f, p, "Payout")})
	}
	title := "New offer"
	if o.ID != 0 {
		title = "Offer: " + o.Name
	}
	s.render(w, r, v, f.Status, "offer", title, d)
	return nil
}

// offerInput is an offer read from the editor, with what maps each event back to its inputs.
type offerInput struct {
	program.OfferInput
	events []int          // the form's event of each event sent
	rules  []ruleSetInput // each event's payout rule set
}

// readOffer reads the editor's inputs as the program's OfferInput.
func readOffer(f *form, c program.Caller) (offerInput, error) {
	var in offerInput
	text := func(name string) *string { v := f.Get(name); return &v }
	if c.IsAdmin() {
		id, err := f.id("advertiser_id")
		if err != nil {
			return in, err
		}
		if id != 0 {
			in.AdvertiserID = &id
		}
	}
	in.Name, in.Status = text("name"), text("status")
	in.DestinationURL, in.FallbackURL = text("destination_url"), text("fallback_url")
	if cur := strings.ToUpper(strings.TrimSpace(f.Get("currency"))); cur != "" {
		in.Currency = &cur
	}
	in.AttributionModel, in.Visibility = text("attribution_model"), text("visibility")
	for name, to := range map[string]**int{"attribution_window_days": &in.AttributionWindowDays,
		"hold_days": &in.HoldDays, "min_conversion_seconds": &in.MinConversionSeconds} {
		n, err := f.number(name)
		if err != nil {
			return in, err
		}
		*to = n
	}
	pixel, returning := f.Get("accept_pixel") == "on", f.Get("returning_customers") == "on"
	in.AcceptPixel, in.ReturningCustomers = &pixel, &returning
	countries := []string{}
	for _, c := range strings.Split(f.Get("targeting_countries"), ",") {
		if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
			countries = append(countries, c)
		}
	}
	devices := append([]string{}, f.Values["targeting_devices"]...)
	in.Targeting = &program.TargetingInput{Countries: &countries, Devices: &devices}

	n, _ := strconv.Atoi(f.Get("events.n"))
	events := []program.OfferEventInput{}
	for i := range min(n, maxRows) {
		p := fmt.Sprintf("e%d", i)
		path := fmt.Sprintf("events[%d]", len(events))
		rs, err := readRuleSet(f, p, path+".payout")
		name, revenue := strings.TrimSpace(f.Get(p+".name")), strings.TrimSpace(f.Get(p+".revenue"))
		if name == "" && rs.JSON == nil && revenue == "" && err == nil {
			continue // an event added and left empty
		}
		in.events = append(in.events, i)
		in.rules = append(in.rules, rs)
		if err != nil {
			return in, err
		}
		e := program.OfferEventInput{Name: name, AllowRepeats: f.Get(p+".repeats") == "on", Payout: rs.JSON}
		if revenue != "" && c.SeesRevenue() {
			if !json.Valid([]byte(revenue)) {
				return in, pactum.FieldError(path+".revenue", "is not valid JSON: write the revenue rule set as the API takes it, such as {\"default\":{\"percent\":\"12\"}}")
			}
			e.Revenue = json.RawMessage(revenue)
		}
		events = append(events, e)
	}
	in.Events = &events
	return in, nil
}

var (
	eventPath   = regexp.MustCompile(`^events\[(\d+)\](?:\.(\w+))?`)
	targetsPath = regexp.MustCompile(`^targeting\.(countries|devices)`)
)

// input returns the input an error on field is shown at.
func (in offerInput) input(field string) string {
	if m := payoutPath.FindStringSubmatch(field); m != nil && m[1] != "" {
		i, _ := strconv.Atoi(m[1])
		if i < len(in.events) {
			return in.rules[i].input(strconv.Itoa(in.events[i]), m[2])
		}
	}
	if m := eventPath.FindStringSubmatch(field); m != nil {
		i, _ := strconv.Atoi(m[1])
		if i < len(in.events) {
			p := fmt.Sprintf("e%d", in.events[i])
			if m[2] == "revenue" {
				return p + ".revenue"
			}
			return p + ".name"
		}
	}
	if m := targetsPath.FindStringSubmatch(field); m != nil {
		return "targeting_" + m[1]
	}
	return field
}
