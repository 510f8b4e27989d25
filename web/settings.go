package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/fx"
	"github.com/pactum/pactum/program"
)

// Settings: users and invitations, API keys and exchange rates (admins), and each program's
// payout schedule (admins, and an advertiser its own). Each form posts to its own handler in
// this file, which shows the page again with its errors, or with the secret it made (an
// invitation link, an API key) once.

type settingsData struct {
	Admin       bool
	Self        int64
	Users       []pactum.User
	Invitations []pactum.Invitation
	Keys        []pactum.APIKey
	Rates       []pactum.FXRate
	Programs    []pactum.Advertiser
	Invite      *form
	Key         *form
	RatesForm   *form
	Schedules   map[int64]*form
	Secret      *secret
	Roles       []string
	Schedule    []string
	Weekdays    []string
}

// secret is something shown once: an invitation's link or an API key.
type secret struct {
	What, Value, Hint string
}

// settingsPage shows every section the viewer may use.
func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return s.renderSettings(w, r, v, settingsData{})
}

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, v *viewer, d settingsData) error {
	ctx, c := r.Context(), v.Caller
	d.Admin, d.Self = c.IsAdmin(), v.User.ID
	d.Roles = []string{pactum.RolePartner, pactum.RoleAdvertiser, pactum.RoleAdmin}
	d.Schedule = []string{pactum.PayoutMonthly, pactum.PayoutWeekly, pactum.PayoutManual}
	d.Weekdays = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	for _, f := range []**form{&d.Invite, &d.Key, &d.RatesForm} {
		if *f == nil {
			*f = newForm(nil)
		}
	}
	if d.Schedules == nil {
		d.Schedules = map[int64]*form{}
	}
	status := http.StatusOK
	for _, f := range []*form{d.Invite, d.Key, d.RatesForm} {
		status = max(status, f.Status)
	}
	if d.Admin {
		users, err := s.program.ListUsers(ctx, c, pactum.Page{Limit: program.MaxPage})
		if err != nil {
			return err
		}
		invs, err := s.program.ListInvitations(ctx, c, pactum.Page{Limit: program.MaxPage})
		if err != nil {
			return err
		}
		keys, err := s.program.ListAPIKeys(ctx, c, pactum.Page{Limit: program.MaxPage})
		if err != nil {
			return err
		}
		d.Users, d.Invitations, d.Keys = users.Items, invs.Items, keys.Items
	}
	rates, _, err := s.program.ListFXRates(ctx, program.FXQuery{Limit: 30})
	if err != nil {
		return err
	}
	d.Rates = rates
	progs, err := s.program.ListAdvertisers(ctx, c, pactum.Page{Limit: program.MaxPage})
	if err != nil && pactum.ErrorCode(err) != pactum.EFORBIDDEN {
		return err
	}
	d.Programs = progs.Items
	for _, a := range d.Programs {
		if f, ok := d.Schedules[a.ID]; ok {
			status = max(status, f.Status)
			continue
		}
		f := newForm(nil)
		f.Values.Set("payout_schedule", a.PayoutSchedule)
		f.Values.Set("payout_weekday", strconv.Itoa(a.PayoutWeekday))
		f.Values.Set("payout_day", strconv.Itoa(a.PayoutDay))
		f.Values.Set("net_days", strconv.Itoa(a.NetDays))
		d.Schedules[a.ID] = f
	}
	s.render(w, r, v, status, "settings", "Settings", d)
	return nil
}

// invite makes an invitation and shows its link once: Pactum sends no email, the admin passes
// the link on.
func (s *Server) invite(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f, err := readForm(r)
	if err != nil {
		return err
	}
	in := program.UserInput{Email: f.Get("email"), Role: f.Get("role")}
	in.PartnerID, err = f.id("partner_id")
	if err == nil {
		in.AdvertiserID, err = f.id("advertiser_id")
	}
	var inv pactum.Invitation
	var token string
	if err == nil {
		inv, token, err = s.program.InviteUser(r.Context(), v.Caller, in, v.User.ID)
	}
	if err != nil {
		if err := f.fail(err, nil); err != nil {
			return err
		}
		return s.renderSettings(w, r, v, settingsData{Invite: f})
	}
	link := s.origin(r) + "/invitations/" + token
	return s.renderSettings(w, r, v, settingsData{Secret: &secret{
		What:  "Invitation link for " + inv.Email,
		Value: link,
		Hint:  fmt.Sprintf("Send this link to %s yourself: Pactum sends no email. It works once, until %s, and is shown only now.", inv.Email, inv.Expires.UTC().Format("2 Jan 2006 15:04 UTC")),
	}})
}

// origin is the scheme and host the viewer reached this page at: the base of links to pass on.
func (s *Server) origin(r *http.Request) string {
	scheme := "http"
	if s.secure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// deleteInvitation withdraws an invitation: its link stops working.
func (s *Server) deleteInvitation(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.program.DeleteInvitation(r.Context(), v.Caller, id); err != nil {
		return err
	}
	s.redirect(w, r, "/console/settings", "The invitation is withdrawn: its link no longer works.")
	return nil
}

// deleteUser removes an account and ends its sessions.
func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.program.DeleteUser(r.Context(), v.Caller, id, v.User.ID); err != nil {
		return err
	}
	s.redirect(w, r, "/console/settings", "The user is removed and signed out everywhere.")
	return nil
}

// createAPIKey makes an API key and shows it once.
func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f, err := readForm(r)
	if err != nil {
		return err
	}
	in := program.APIKeyInput{Name: f.optional("key.name"), Role: f.optional("key.role")}
	var partner, advertiser int64
	partner, err = f.id("key.partner_id")
	if err == nil {
		advertiser, err = f.id("key.advertiser_id")
	}
	var k pactum.APIKey
	var key string
	if err == nil {
		in.PartnerID, in.AdvertiserID = &partner, &advertiser
		k, key, err = s.program.CreateAPIKey(r.Context(), v.Caller, in)
	}
	if err != nil {
		keyInput := func(field string) string { return "key." + strings.TrimPrefix(field, "key.") }
		if err := f.fail(err, keyInput); err != nil {
			return err
		}
		return s.renderSettings(w, r, v, settingsData{Key: f})
	}
	return s.renderSettings(w, r, v, settingsData{Secret: &secret{
		What: fmt.Sprintf("API key %d (%s, %s)", k.ID, k.Name, k.Role), Value: key,
		Hint: "Use it as Authorization: Bearer <key>. Only its hash is kept: it is shown only now.",
	}})
}

// deleteAPIKey revokes an API key at once.
func (s *Server) deleteAPIKey(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.program.DeleteAPIKey(r.Context(), v.Caller, id); err != nil {
		return err
	}
	s.redirect(w, r, "/console/settings", fmt.Sprintf("API key %d is revoked.", id))
	return nil
}

// loadRates stores exchange rates pasted as CSV: the ECB's layout or date,currency,rate_per_EUR.
func (s *Server) loadRates(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f, err := readForm(r)
	if err != nil {
		return err
	}
	text := strings.TrimSpace(f.Get("csv"))
	var n int
	if text == "" {
		err = pactum.FieldError("csv", "paste the rates: lines of date,currency,rate_per_EUR such as 2026-11-20,USD,1.0512, or the ECB's eurofxref.csv")
	} else {
		var parsed fx.Parsed
		if parsed, err = fx.Decode(strings.NewReader(text)); err == nil {
			n, err = s.program.PutFXRates(r.Context(), v.Caller, parsed.Rates)
		}
	}
	if err != nil {
		if err := f.fail(err, func(string) string { return "csv" }); err != nil {
			return err
		}
		if field := pactum.ErrorField(err); field != "" && field != "csv" {
			f.Errors["csv"] = field + ": " + f.Errors["csv"]
		}
		return s.renderSettings(w, r, v, settingsData{RatesForm: f})
	}
	s.redirect(w, r, "/console/settings#rates", fmt.Sprintf("%d exchange rates are loaded and in use.", n))
	return nil
}

// saveSchedule changes a program's payout schedule through the advertiser's PATCH rules.
func (s *Server) saveSchedule(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f, err := readForm(r)
	if err != nil {
		return err
	}
	id, err := f.id("advertiser_id")
	if err != nil || id == 0 {
		return pactum.Errorf(pactum.ENOTFOUND, "not found")
	}
	in := program.AdvertiserInput{PayoutSchedule: f.optional("payout_schedule")}
	for name, to := range map[string]**int{"payout_weekday": &in.PayoutWeekday, "payout_day": &in.PayoutDay, "net_days": &in.NetDays} {
		if *to, err = f.number(name); err != nil {
			break
		}
	}
	var adv pactum.Advertiser
	if err == nil {
		adv, err = s.program.UpdateAdvertiser(r.Context(), v.Caller, id, in)
	}
	if err != nil {
		if err := f.fail(err, nil); err != nil {
			return err
		}
		return s.renderSettings(w, r, v, settingsData{Schedules: map[int64]*form{id: f}})
	}
	s.redirect(w, r, "/console/settings#schedule", fmt.Sprintf("%s is paid %s from now on.", adv.Name, adv.PayoutSchedule))
	return nil
}
