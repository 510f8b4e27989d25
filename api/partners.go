package api

import (
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/pactum/pactum"
	"github.com/shopspring/decimal"
)

// Payout methods a partner can choose; the ledger exports SEPA and PayPal batches, and "manual"
// is paid outside Pactum.
const (
	PayoutSEPA   = "sepa"
	PayoutPayPal = "paypal"
	PayoutManual = "manual"
)

// defaultMinPayout is the SPEC's minimum payout, in the partner's currency.
var defaultMinPayout = decimal.New(50, 0)

type partnerJSON struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Email        string `json:"email"`
	Kind         string `json:"kind"`
	Status       string `json:"status"`
	Currency     string `json:"currency"`
	MinPayout    string `json:"min_payout"`
	PayoutMethod string `json:"payout_method"`
	// Where the partner is paid; nil, and so left out, for callers other than an admin and the
	// partner itself (see partnerViewFor).
	PayPalEmail *string   `json:"paypal_email,omitempty"`
	IBAN        *string   `json:"iban,omitempty"`
	BIC         *string   `json:"bic,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// partnerViewFor returns how c sees partners. Payment details go to admins and to the partner
// itself only, never to an advertiser: a program pays through Pactum's exports, and a partner
// working for several programs has not given its bank account to each of them. Advertisers
// cannot read partners today; this keeps the details out if they ever can.
func partnerViewFor(c caller) func(pactum.Partner) partnerJSON {
	return func(p pactum.Partner) partnerJSON {
		out := partnerJSON{
			ID: p.ID, Name: p.Name, Email: p.Email, Kind: p.Kind, Status: p.Status, Currency: p.Currency,
			MinPayout: pactum.FormatAmount(p.MinPayout, p.Currency), PayoutMethod: p.PayoutMethod,
			CreatedAt: p.CreatedAt.UTC(),
		}
		if c.admin() || c.partner() && c.partnerID == p.ID {
			out.PayPalEmail, out.IBAN, out.BIC = &p.PayPalEmail, &p.IBAN, &p.BIC
		}
		return out
	}
}

// partnerInput is the body of a create or a PATCH; nil fields were not sent.
type partnerInput struct {
	Name         *string `json:"name"`
	Email        *string `json:"email"`
	Kind         *string `json:"kind"`
	Status       *string `json:"status"`
	Currency     *string `json:"currency"`
	MinPayout    *string `json:"min_payout"`
	PayoutMethod *string `json:"payout_method"`
	PayPalEmail  *string `json:"paypal_email"`
	IBAN         *string `json:"iban"`
	BIC          *string `json:"bic"`
}

func (in partnerInput) apply(p *pactum.Partner) error {
	set(&p.Name, in.Name, strings.TrimSpace)
	set(&p.Email, in.Email, strings.TrimSpace)
	set(&p.Kind, in.Kind, nil)
	set(&p.Status, in.Status, nil)
	set(&p.Currency, in.Currency, nil)
	set(&p.PayoutMethod, in.PayoutMethod, nil)
	set(&p.PayPalEmail, in.PayPalEmail, strings.TrimSpace)
	set(&p.IBAN, in.IBAN, nil)
	set(&p.BIC, in.BIC, nil)
	if err := checkName("name", p.Name); err != nil {
		return err
	}
	if err := checkEmail("email", p.Email); err != nil {
		return err
	}
	if err := checkOneOf("kind", p.Kind, pactum.KindAffiliate, pactum.KindInfluencer, pactum.KindB2B, pactum.KindReferral); err != nil {
		return err
	}
	if err := checkOneOf("status", p.Status, pactum.PartnerPending, pactum.PartnerActive, pactum.PartnerSuspended); err != nil {
		return err
	}
	if err := checkCurrency("currency", p.Currency); err != nil {
		return err
	}
	// After the currency, because the amount's digits depend on it.
	if in.MinPayout != nil {
		m, err := pactum.ParseAmount(*in.MinPayout, p.Currency, "min_payout")
		if err != nil {
			return err
		}
		p.MinPayout = m
	}
	if p.MinPayout.IsNegative() {
		return pactum.FieldError("min_payout", "must not be negative")
	}
	if !pactum.Round(p.MinPayout, p.Currency).Equal(p.MinPayout) {
		return pactum.FieldError("min_payout", "has more decimals than %s allows; send it again with the new currency", p.Currency)
	}
	if err := checkOneOf("payout_method", p.PayoutMethod, PayoutSEPA, PayoutPayPal, PayoutManual); err != nil {
		return err
	}
	// The details are not required by the method: a partner is often set up before it sends
	// them, and the SEPA and PayPal exports refuse a payout without them, naming the partner.
	if p.PayPalEmail != "" {
		if err := checkEmail("paypal_email", p.PayPalEmail); err != nil {
			return err
		}
	}
	var err error
	if p.IBAN, err = checkIBAN("iban", p.IBAN); err != nil {
		return err
	}
	p.BIC, err = checkBIC("bic", p.BIC)
	return err
}

// set copies *from into *to when it was sent, through clean if given.
func set(to *string, from *string, clean func(string) string) {
	if from == nil {
		return
	}
	*to = *from
	if clean != nil {
		*to = clean(*to)
	}
}

// setInt copies *from into *to when it was sent.
func setInt(to *int, from *int) {
	if from != nil {
		*to = *from
	}
}

// checkEmail accepts a bare address such as "anna@example.com", not a display-name form, so that
// what is stored is what payouts and logins use.
func checkEmail(field, s string) error {
	if s == "" {
		return pactum.FieldError(field, "is required")
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || len(s) > maxText {
		return pactum.FieldError(field, "%q is not an email address such as \"anna@example.com\"", s)
	}
	return nil
}

func (a *API) createPartner(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := c.allow("create partners", pactum.RoleAdmin); err != nil {
		return err
	}
	var in partnerInput
	if err := decode(r, &in); err != nil {
		return err
	}
	p := pactum.Partner{
		Kind: pactum.KindAffiliate, Status: pactum.PartnerActive, Currency: defaultCurrency,
		MinPayout: defaultMinPayout, PayoutMethod: PayoutManual, CreatedAt: a.now().UTC(),
	}
	if err := in.apply(&p); err != nil {
		return err
	}
	if err := a.store.CreatePartner(r.Context(), &p); err != nil {
		return err
	}
	a.changed()
	w.Header().Set("Location", "/api/v1/partners/"+strconv.FormatInt(p.ID, 10))
	writeJSON(w, http.StatusCreated, partnerViewFor(c)(p))
	return nil
}

func (a *API) listPartners(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := c.allow("list partners", pactum.RoleAdmin, pactum.RolePartner); err != nil {
		return err
	}
	p, err := readPage(r)
	if err != nil {
		return err
	}
	fetch := func(pg pactum.Page) ([]pactum.Partner, error) {
		return a.store.ListPartners(r.Context(), pg)
	}
	if c.partner() {
		// A partner's list is its own record.
		fetch = func(pg pactum.Page) ([]pactum.Partner, error) {
			if c.partnerID <= pg.After {
				return nil, nil
			}
			p, err := a.store.Partner(r.Context(), c.partnerID)
			if err != nil {
				return nil, err
			}
			return []pactum.Partner{p}, nil
		}
	}
	items, next, err := collect(p, fetch, func(p pactum.Partner) int64 { return p.ID }, nil)
	if err != nil {
		return err
	}
	return answerList(w, items, next, partnerViewFor(c))
}

func (a *API) getPartner(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := c.allow("read partners", pactum.RoleAdmin, pactum.RolePartner); err != nil {
		return err
	}
	id, err := pathID(r, "partner")
	if err != nil {
		return err
	}
	if c.partner() && id != c.partnerID {
		return notFound("partner", id)
	}
	p, err := a.store.Partner(r.Context(), id)
	if err != nil {
		return orNotFound(err, "partner", id)
	}
	writeJSON(w, http.StatusOK, partnerViewFor(c)(p))
	return nil
}

func (a *API) patchPartner(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := c.allow("change partners", pactum.RoleAdmin); err != nil {
		return err
	}
	id, err := pathID(r, "partner")
	if err != nil {
		return err
	}
	p, err := a.store.Partner(r.Context(), id)
	if err != nil {
		return orNotFound(err, "partner", id)
	}
	var in partnerInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := in.apply(&p); err != nil {
		return err
	}
	if err := a.store.UpdatePartner(r.Context(), &p); err != nil {
		return err
	}
	a.changed()
	writeJSON(w, http.StatusOK, partnerViewFor(c)(p))
	return nil
}
