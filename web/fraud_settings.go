package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/fraud"
	"github.com/pactum/pactum/program"
)

// Fraud settings (SPEC section 13, docs/fraud.md): a program's (its offers' defaults) and an
// offer's (a tab of the offer editor), each saved as the API's PATCH saves them, through
// program.Service.UpdateAdvertiser and UpdateOffer, which check them (fraud.Check). The inputs
// are named as the service names the fields (fraud.level, fraud.rules.datacenter,
// fraud.blocked_ips...), so each error is shown at its input; an error on one entry of the
// block list (fraud.blocked_ips[2]) is shown at the list, naming the line.

type fraudSettingsData struct {
	Form    *form
	Program bool  // a program's settings, else an offer's
	ID      int64 // the program's or the offer's
	Action  string
	Inherit string // what "no level" means here
	Levels  []string
	Rules   []ruleRow
	Labels  map[string]string // each input's name for the error summary
}

// ruleRow is one rule of the settings: its actions at each level, what it does now, and the
// actions this form may give it.
type ruleRow struct {
	reasonWords
	Click                     bool
	Input                     string
	Relaxed, Moderate, Strict string
	Now                       string // with the settings saved
	Actions                   []string
}

// programFraudList leads to the fraud settings of each program the viewer may change: an
// advertiser straight to its own.
func (s *Server) programFraudList(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if !v.Caller.IsAdmin() {
		http.Redirect(w, r, fmt.Sprintf("/console/settings/fraud/%d", v.Caller.AdvertiserID), http.StatusSeeOther)
		return nil
	}
	page, err := s.program.ListAdvertisers(r.Context(), v.Caller, listPage(r))
	if err != nil {
		return err
	}
	type programRow struct {
		pactum.Advertiser
		Policy *fraud.Policy
	}
	var rows []programRow
	for _, a := range page.Items {
		rows = append(rows, programRow{a, policyOf(pactum.Offer{ProgramFraud: a.Fraud})})
	}
	s.render(w, r, v, http.StatusOK, "fraud_programs", "Fraud rules", struct {
		Programs []programRow
		Next     string
	}{rows, nextURL(r, page.Next)})
	return nil
}

// fraudOf is what a page of fraud settings is of: a program or an offer, read for the viewer.
type fraudOf struct {
	Title, Path string
	Settings    pactum.FraudSettings
	Policy      *fraud.Policy // its rules in effect with the saved settings
	Program     bool
	Inherit     string // what "no level" means for it
	// Save replaces its settings through the program and says what that did.
	Save func(pactum.FraudSettings) (string, error)
}

// fraudSubject reads the program or offer of a request's path.
type fraudSubject func(r *http.Request, v *viewer) (*fraudOf, error)

func (s *Server) programFraudPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.fraudPage(w, r, v, s.programFraud)
}
func (s *Server) saveProgramFraud(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.saveFraud(w, r, v, s.programFraud)
}
func (s *Server) offerFraudPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.fraudPage(w, r, v, s.offerFraud)
}
func (s *Server) saveOfferFraud(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.saveFraud(w, r, v, s.offerFraud)
}

// programFraud is the program of the path's {id}: its settings are its offers' defaults.
func (s *Server) programFraud(r *http.Request, v *viewer) (*fraudOf, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	adv, err := s.program.Advertiser(r.Context(), v.Caller, id)
	if err != nil {
		return nil, err
	}
	return &fraudOf{Title: "Fraud rules: " + adv.Name, Path: fmt.Sprintf("/console/settings/fraud/%d", adv.ID), Settings: adv.Fraud,
		Policy: policyOf(pactum.Offer{ProgramFraud: adv.Fraud}), Program: true, Inherit: "Moderate (the default)",
		Save: func(in pactum.FraudSettings) (string, error) {
			_, err := s.program.UpdateAdvertiser(r.Context(), v.Caller, adv.ID, program.AdvertiserInput{Fraud: &in})
			return fmt.Sprintf("The fraud rules of %s are saved: its offers follow them from their next click or sale, unless an offer sets its own.", adv.Name), err
		}}, nil
}

// offerFraud is the offer of the path's {id}, beside its program's settings, which it inherits.
func (s *Server) offerFraud(r *http.Request, v *viewer) (*fraudOf, error) {
	o, err := s.pathOffer(r, v)
	if err != nil {
		return nil, err
	}
	return &fraudOf{Title: "Fraud rules: " + o.Name, Path: fmt.Sprintf("/console/offers/%d/fraud", o.ID), Settings: o.Fraud,
		Policy: policyOf(o), Inherit: "The program's: " + fraud.For(pactum.Offer{ProgramFraud: o.ProgramFraud}).Level,
		Save: func(in pactum.FraudSettings) (string, error) {
			_, err := s.program.UpdateOffer(r.Context(), v.Caller, o.ID, program.OfferInput{Fraud: &in})
			return fmt.Sprintf("The fraud rules of offer %q are saved: they judge its clicks and sales from now on.", o.Name), err
		}}, nil
}

// fraudPage shows the saved settings of what of reads.
func (s *Server) fraudPage(w http.ResponseWriter, r *http.Request, v *viewer, of fraudSubject) error {
	x, err := of(r, v)
	if err != nil {
		return err
	}
	s.renderFraud(w, r, v, fraudForm(x.Settings), x)
	return nil
}

// saveFraud replaces the settings of what of reads with the form's, as the API's PATCH does;
// an error is shown at its input.
func (s *Server) saveFraud(w http.ResponseWriter, r *http.Request, v *viewer, of fraudSubject) error {
	x, err := of(r, v)
	if err != nil {
		return err
	}
	f, err := readForm(r)
	if err != nil {
		return err
	}
	in, lines, err := readFraud(f)
	var notice string
	if err == nil {
		notice, err = x.Save(in)
	}
	if err != nil {
		if err := failFraud(f, err, lines); err != nil {
			return err
		}
		s.renderFraud(w, r, v, f, x)
		return nil
	}
	s.redirect(w, r, x.Path, notice)
	return nil
}

func (s *Server) renderFraud(w http.ResponseWriter, r *http.Request, v *viewer, f *form, x *fraudOf) {
	d := newFraudSettings(f, x.Policy)
	d.Program, d.Action, d.Inherit = x.Program, x.Path, x.Inherit
	d.ID, _ = pathID(r, "id")
	s.render(w, r, v, f.Status, "fraud_settings", x.Title, d)
}

// policyOf is o's fraud policy, for a page to show.
func policyOf(o pactum.Offer) *fraud.Policy {
	p := fraud.For(o)
	return &p
}

// newFraudSettings lays out the rules of the form, with what each does under the saved policy.
func newFraudSettings(f *form, saved *fraud.Policy) fraudSettingsData {
	d := fraudSettingsData{Form: f, Levels: fraud.Levels, Labels: map[string]string{
		"fraud.level": "Level", "fraud.blocked_ips": "Blocked addresses",
		"fraud.duplicate_window_seconds": "Duplicate window", "fraud.max_conversion_seconds": "Longest time from click to sale",
	}}
	for _, rule := range fraud.Rules {
		row := ruleRow{reasonWords: wordsOf(rule.Code), Click: rule.Click, Input: "fraud.rules." + rule.Code,
			Relaxed: rule.Relaxed, Moderate: rule.Moderate, Strict: rule.Strict, Now: saved.Action(rule.Code)}
		for _, a := range fraud.Actions {
			if a != pactum.ActionReview || !rule.Click {
				row.Actions = append(row.Actions, a)
			}
		}
		d.Labels[row.Input] = "Rule “" + row.Title + "”"
		d.Rules = append(d.Rules, row)
	}
	return d
}

// fraudForm fills the inputs from saved settings.
func fraudForm(s pactum.FraudSettings) *form {
	f := newForm(nil)
	f.Values.Set("fraud.level", s.Level)
	for code, action := range s.Rules {
		f.Values.Set("fraud.rules."+code, action)
	}
	f.Values.Set("fraud.blocked_ips", strings.Join(s.BlockedIPs, "\n"))
	for name, n := range map[string]int{"fraud.duplicate_window_seconds": s.DuplicateWindowSeconds,
		"fraud.max_conversion_seconds": s.MaxConversionSeconds} {
		if n != 0 {
			f.Values.Set(name, strconv.Itoa(n))
		}
	}
	return f
}

// readFraud reads the form's settings as the program takes them, and the line of the block
// list each entry came from.
func readFraud(f *form) (pactum.FraudSettings, []int, error) {
	s := pactum.FraudSettings{Level: strings.TrimSpace(f.Get("fraud.level"))}
	for _, rule := range fraud.Rules {
		if a := strings.TrimSpace(f.Get("fraud.rules." + rule.Code)); a != "" {
			if s.Rules == nil {
				s.Rules = map[string]string{}
			}
			s.Rules[rule.Code] = a
		}
	}
	var lines []int
	for i, line := range strings.Split(f.Get("fraud.blocked_ips"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			s.BlockedIPs = append(s.BlockedIPs, line)
			lines = append(lines, i+1)
		}
	}
	for name, to := range map[string]*int{"fraud.duplicate_window_seconds": &s.DuplicateWindowSeconds,
		"fraud.max_conversion_seconds": &s.MaxConversionSeconds} {
		n, err := f.number(name)
		if err != nil {
			return s, lines, err
		}
		if n != nil {
			*to = *n
		}
	}
	return s, lines, nil
}

var blockedEntry = regexp.MustCompile(`^fraud\.blocked_ips\[(\d+)\]$`)

// failFraud shows the program's error at its input: an entry of the block list at the list,
// naming its line.
func failFraud(f *form, err error, lines []int) error {
	field := pactum.ErrorField(err)
	m := blockedEntry.FindStringSubmatch(field)
	if err := f.fail(err, func(field string) string {
		if blockedEntry.MatchString(field) {
			return "fraud.blocked_ips"
		}
		return field
	}); err != nil || m == nil {
		return err
	}
	if i, _ := strconv.Atoi(m[1]); i < len(lines) {
		f.Errors["fraud.blocked_ips"] = fmt.Sprintf("Line %d: %s", lines[i], f.Errors["fraud.blocked_ips"])
	}
	return nil
}
