package api

import (
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/pactum/pactum"
)

// defaultCurrency is the currency of advertisers and partners created without one.
const defaultCurrency = "EUR"

// maxPostbackIPs bounds an advertiser's allow-list: a shop's servers, not the internet.
const maxPostbackIPs = 100

// Bounds of a program's payout settings. Monthly runs stop at day 28 so that every month has
// the day; net days stop at a year like an offer's hold period.
const (
	maxPayoutDay = 28
	maxNetDays   = 365
)

type advertiserJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Currency string `json:"currency"`
	// PostbackIPs are addresses and CIDRs whose postbacks need no token.
	PostbackIPs    []string `json:"postback_ips"`
	PayoutSchedule string   `json:"payout_schedule"`
	PayoutWeekday  int      `json:"payout_weekday"`
	PayoutDay      int      `json:"payout_day"`
	NetDays        int      `json:"net_days"`
	// The account the program pays from; nil, and so left out, for callers other than an
	// admin and the advertiser itself (see advertiserViewFor).
	LegalName *string `json:"legal_name,omitempty"`
	IBAN      *string `json:"iban,omitempty"`
	BIC       *string `json:"bic,omitempty"`
	// PostbackToken is set only in the answer to the create: only its hash is stored.
	PostbackToken string    `json:"postback_token,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

// advertiserViewFor returns how c sees advertisers. Only admins and an advertiser's own keys
// read advertisers today; the account details are still left out for anyone else so that a
// future reader (a partner looking at the programs it works with) cannot leak them by accident.
func advertiserViewFor(c caller) func(pactum.Advertiser) advertiserJSON {
	return func(adv pactum.Advertiser) advertiserJSON {
		out := advertiserJSON{ID: adv.ID, Name: adv.Name, Currency: adv.Currency, PostbackIPs: nonNil(adv.PostbackIPs),
			PayoutSchedule: adv.PayoutSchedule, PayoutWeekday: adv.PayoutWeekday, PayoutDay: adv.PayoutDay,
			NetDays: adv.NetDays, CreatedAt: adv.CreatedAt.UTC()}
		if c.admin() || c.advertiser() && c.advertiserID == adv.ID {
			out.LegalName, out.IBAN, out.BIC = &adv.LegalName, &adv.IBAN, &adv.BIC
		}
		return out
	}
}

// advertiserInput is the body of a create or a PATCH; nil fields were not sent.
type advertiserInput struct {
	Name           *string   `json:"name"`
	Currency       *string   `json:"currency"`
	PostbackIPs    *[]string `json:"postback_ips"`
	PayoutSchedule *string   `json:"payout_schedule"`
	PayoutWeekday  *int      `json:"payout_weekday"`
	PayoutDay      *int      `json:"payout_day"`
	NetDays        *int      `json:"net_days"`
	LegalName      *string   `json:"legal_name"`
	IBAN           *string   `json:"iban"`
	BIC            *string   `json:"bic"`
}

func (in advertiserInput) apply(adv *pactum.Advertiser) error {
	if in.Name != nil {
		adv.Name = strings.TrimSpace(*in.Name)
	}
	if in.Currency != nil {
		adv.Currency = *in.Currency
	}
	if in.PostbackIPs != nil {
		ips, err := checkPostbackIPs(*in.PostbackIPs)
		if err != nil {
			return err
		}
		adv.PostbackIPs = ips
	}
	set(&adv.PayoutSchedule, in.PayoutSchedule, nil)
	setInt(&adv.PayoutWeekday, in.PayoutWeekday)
	setInt(&adv.PayoutDay, in.PayoutDay)
	setInt(&adv.NetDays, in.NetDays)
	set(&adv.LegalName, in.LegalName, strings.TrimSpace)
	set(&adv.IBAN, in.IBAN, nil)
	set(&adv.BIC, in.BIC, nil)
	if err := checkName("name", adv.Name); err != nil {
		return err
	}
	if err := checkCurrency("currency", adv.Currency); err != nil {
		return err
	}
	if err := checkOneOf("payout_schedule", adv.PayoutSchedule, pactum.PayoutWeekly, pactum.PayoutMonthly, pactum.PayoutManual); err != nil {
		return err
	}
	// Weekday and day are checked whatever the schedule, so that switching schedules later
	// never finds a stored value out of range.
	if adv.PayoutWeekday < 1 || adv.PayoutWeekday > 7 {
		return pactum.FieldError("payout_weekday", "must be from 1 (Monday) to 7 (Sunday), not %d", adv.PayoutWeekday)
	}
	if adv.PayoutDay < 1 || adv.PayoutDay > maxPayoutDay {
		return pactum.FieldError("payout_day", "must be from 1 to %d, so that every month has it, not %d", maxPayoutDay, adv.PayoutDay)
	}
	if adv.NetDays < 0 || adv.NetDays > maxNetDays {
		return pactum.FieldError("net_days", "must be from 0 to %d days, not %d", maxNetDays, adv.NetDays)
	}
	if err := checkText("legal_name", adv.LegalName); err != nil {
		return err
	}
	var err error
	if adv.IBAN, err = checkIBAN("iban", adv.IBAN); err != nil {
		return err
	}
	adv.BIC, err = checkBIC("bic", adv.BIC)
	return err
}

// checkPostbackIPs validates an allow-list of addresses ("203.0.113.7", "2001:db8::1") and
// CIDRs ("203.0.113.0/24") and returns it in canonical form, so that the edge compares like
// with like. A CIDR with host bits set ("10.1.2.3/8") is refused rather than widened silently:
// it is more likely a typo than a wish to allow 10.0.0.0/8.
func checkPostbackIPs(list []string) ([]string, error) {
	if len(list) > maxPostbackIPs {
		return nil, pactum.FieldError("postback_ips", "must list at most %d addresses or CIDRs", maxPostbackIPs)
	}
	out := make([]string, 0, len(list))
	seen := map[string]bool{}
	for i, s := range list {
		field := fmt.Sprintf("postback_ips[%d]", i)
		s = strings.TrimSpace(s)
		var canon string
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, pactum.FieldError(field, "%q is not an IP address or CIDR such as \"203.0.113.0/24\"", s)
			}
			if p.Masked() != p {
				return nil, pactum.FieldError(field, "%q has bits set past its /%d: did you mean %q?", s, p.Bits(), p.Masked().String())
			}
			canon = p.String()
		} else {
			addr, err := netip.ParseAddr(s)
			if err != nil || addr.Zone() != "" {
				return nil, pactum.FieldError(field, "%q is not an IP address or CIDR such as \"203.0.113.7\"", s)
			}
			canon = addr.Unmap().String()
		}
		if seen[canon] {
			return nil, pactum.FieldError(field, "%q is listed twice", s)
		}
		seen[canon] = true
		out = append(out, canon)
	}
	return out, nil
}

func (a *API) createAdvertiser(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := c.allow("create advertisers", pactum.RoleAdmin); err != nil {
		return err
	}
	var in advertiserInput
	if err := decode(r, &in); err != nil {
		return err
	}
	adv := pactum.Advertiser{Currency: defaultCurrency, PayoutSchedule: pactum.DefaultPayoutSchedule,
		PayoutWeekday: pactum.DefaultPayoutWeekday, PayoutDay: pactum.DefaultPayoutDay, CreatedAt: a.now().UTC()}
	if err := in.apply(&adv); err != nil {
		return err
	}
	token, hash := GenerateKey("pt_")
	adv.PostbackTokenHash = hash
	if err := a.store.CreateAdvertiser(r.Context(), &adv); err != nil {
		return err
	}
	a.changed()
	out := advertiserViewFor(c)(adv)
	out.PostbackToken = token
	w.Header().Set("Location", "/api/v1/advertisers/"+strconv.FormatInt(adv.ID, 10))
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (a *API) listAdvertisers(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := c.allow("list advertisers", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return err
	}
	p, err := readPage(r)
	if err != nil {
		return err
	}
	fetch := func(pg pactum.Page) ([]pactum.Advertiser, error) {
		return a.store.ListAdvertisers(r.Context(), pg)
	}
	if c.advertiser() {
		// An advertiser's list is its own record; no need to scan everyone else's.
		fetch = func(pg pactum.Page) ([]pactum.Advertiser, error) {
			if c.advertiserID <= pg.After {
				return nil, nil
			}
			adv, err := a.store.Advertiser(r.Context(), c.advertiserID)
			if err != nil {
				return nil, err
			}
			return []pactum.Advertiser{adv}, nil
		}
	}
	items, next, err := collect(p, fetch, func(adv pactum.Advertiser) int64 { return adv.ID }, nil)
	if err != nil {
		return err
	}
	return answerList(w, items, next, advertiserViewFor(c))
}

// advertiserFor loads advertiser id if c may see it.
func (a *API) advertiserFor(r *http.Request, c caller) (pactum.Advertiser, error) {
	if err := c.allow("read advertisers", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return pactum.Advertiser{}, err
	}
	id, err := pathID(r, "advertiser")
	if err != nil {
		return pactum.Advertiser{}, err
	}
	if c.advertiser() && id != c.advertiserID {
		return pactum.Advertiser{}, notFound("advertiser", id)
	}
	adv, err := a.store.Advertiser(r.Context(), id)
	return adv, orNotFound(err, "advertiser", id)
}

func (a *API) getAdvertiser(w http.ResponseWriter, r *http.Request, c caller) error {
	adv, err := a.advertiserFor(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, advertiserViewFor(c)(adv))
	return nil
}

func (a *API) patchAdvertiser(w http.ResponseWriter, r *http.Request, c caller) error {
	adv, err := a.advertiserFor(r, c)
	if err != nil {
		return err
	}
	var in advertiserInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := in.apply(&adv); err != nil {
		return err
	}
	if err := a.store.UpdateAdvertiser(r.Context(), &adv); err != nil {
		return err
	}
	a.changed()
	writeJSON(w, http.StatusOK, advertiserViewFor(c)(adv))
	return nil
}
