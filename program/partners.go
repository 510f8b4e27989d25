package program

import (
	"context"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
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

// PartnerInput is the body of a create or a change; nil fields were not sent.
type PartnerInput struct {
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

// apply copies what in sent into p and validates the result.
func (in PartnerInput) apply(p *pactum.Partner) error {
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
	if err := CheckEmail("email", p.Email); err != nil {
		return err
	}
	if err := CheckOneOf("kind", p.Kind, pactum.KindAffiliate, pactum.KindInfluencer, pactum.KindB2B, pactum.KindReferral); err != nil {
		return err
	}
	if err := CheckOneOf("status", p.Status, pactum.PartnerPending, pactum.PartnerActive, pactum.PartnerSuspended); err != nil {
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
	if err := CheckOneOf("payout_method", p.PayoutMethod, PayoutSEPA, PayoutPayPal, PayoutManual); err != nil {
		return err
	}
	// The details are not required by the method: a partner is often set up before it sends
	// them, and the SEPA and PayPal exports refuse a payout without them, naming the partner.
	if p.PayPalEmail != "" {
		if err := CheckEmail("paypal_email", p.PayPalEmail); err != nil {
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

// CreatePartner adds a partner to the program, active and paid manually unless in says otherwise.
func (s *Service) CreatePartner(ctx context.Context, c Caller, in PartnerInput) (pactum.Partner, error) {
	if err := c.Allow("create partners", pactum.RoleAdmin); err != nil {
		return pactum.Partner{}, err
	}
	p := pactum.Partner{
		Kind: pactum.KindAffiliate, Status: pactum.PartnerActive, Currency: DefaultCurrency,
		MinPayout: defaultMinPayout, PayoutMethod: PayoutManual, CreatedAt: s.now().UTC(),
	}
	if err := in.apply(&p); err != nil {
		return p, err
	}
	if err := s.store.CreatePartner(ctx, &p); err != nil {
		return p, err
	}
	s.changed()
	return p, nil
}

// ListPartners lists the partners the caller may see: all for an admin, itself for a partner.
func (s *Service) ListPartners(ctx context.Context, c Caller, p pactum.Page) (Page[pactum.Partner], error) {
	if err := c.Allow("list partners", pactum.RoleAdmin, pactum.RolePartner); err != nil {
		return Page[pactum.Partner]{}, err
	}
	fetch := func(pg pactum.Page) ([]pactum.Partner, error) { return s.store.ListPartners(ctx, pg) }
	if c.IsPartner() {
		fetch = onlyOne(ctx, c.PartnerID, s.store.Partner)
	}
	return collect(p, fetch, func(p pactum.Partner) int64 { return p.ID }, nil)
}

// Partner returns partner id if the caller may see it.
func (s *Service) Partner(ctx context.Context, c Caller, id int64) (pactum.Partner, error) {
	if err := c.Allow("read partners", pactum.RoleAdmin, pactum.RolePartner); err != nil {
		return pactum.Partner{}, err
	}
	if !c.CanSeePartner(id) {
		return pactum.Partner{}, NotFound("partner", id)
	}
	p, err := s.store.Partner(ctx, id)
	return p, orNotFound(err, "partner", id)
}

// UpdatePartner changes partner id as in says.
func (s *Service) UpdatePartner(ctx context.Context, c Caller, id int64, in PartnerInput) (pactum.Partner, error) {
	if err := c.Allow("change partners", pactum.RoleAdmin); err != nil {
		return pactum.Partner{}, err
	}
	p, err := s.store.Partner(ctx, id)
	if err != nil {
		return p, orNotFound(err, "partner", id)
	}
	if err := in.apply(&p); err != nil {
		return p, err
	}
	if err := s.store.UpdatePartner(ctx, &p); err != nil {
		return p, err
	}
	s.changed()
	return p, nil
}
