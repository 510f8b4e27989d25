package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

type partnerJSON struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Email        string `json:"email"`
	Kind         string `json:"kind"`
	Status       string `json:"status"`
	Currency     string `json:"currency"`
	MinPayout    string `json:"min_payout"`
	PayoutMethod string `json:"payout_method"`
	// Where the partner is paid; nil, and so left out, for callers who may not see it
	// (program.Caller.SeesPartnerAccount).
	PayPalEmail *string   `json:"paypal_email,omitempty"`
	IBAN        *string   `json:"iban,omitempty"`
	BIC         *string   `json:"bic,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// partnerView returns how c sees partners.
func partnerView(c program.Caller) func(pactum.Partner) partnerJSON {
	return func(p pactum.Partner) partnerJSON {
		out := partnerJSON{
			ID: p.ID, Name: p.Name, Email: p.Email, Kind: p.Kind, Status: p.Status, Currency: p.Currency,
			MinPayout: pactum.FormatAmount(p.MinPayout, p.Currency), PayoutMethod: p.PayoutMethod,
			CreatedAt: p.CreatedAt.UTC(),
		}
		if c.SeesPartnerAccount(p.ID) {
			out.PayPalEmail, out.IBAN, out.BIC = &p.PayPalEmail, &p.IBAN, &p.BIC
		}
		return out
	}
}

func (a *API) createPartner(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	var in program.PartnerInput
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := a.program.CreatePartner(r.Context(), c, in)
	if err != nil {
		return err
	}
	return created(w, "/api/v1/partners/"+strconv.FormatInt(p.ID, 10), partnerView(c)(p))
}

func (a *API) listPartners(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	p, err := readPage(r)
	if err != nil {
		return err
	}
	page, err := a.program.ListPartners(r.Context(), c, p)
	return answerList(w, page, err, partnerView(c))
}

func (a *API) getPartner(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "partner")
	if err != nil {
		return err
	}
	p, err := a.program.Partner(r.Context(), c, id)
	return ok(w, partnerView(c)(p), err)
}

func (a *API) patchPartner(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "partner")
	if err != nil {
		return err
	}
	if _, err := a.program.Partner(r.Context(), c, id); err != nil {
		return err
	}
	var in program.PartnerInput
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := a.program.UpdatePartner(r.Context(), c, id, in)
	return ok(w, partnerView(c)(p), err)
}
