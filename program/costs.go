package program

import (
	"context"
	"strings"
	"time"

	"github.com/pactum/pactum"
)

// maxCostDays bounds a cost's period: a deal runs for days or months, not decades.
const maxCostDays = 3 * 366

// CostInput is a flat fee paid to a partner for a period (an influencer's deal): it is spread
// evenly over the period's days in reports, so that ROAS counts it.
type CostInput struct {
	AdvertiserID *int64  `json:"advertiser_id"`
	Amount       *string `json:"amount"`
	Currency     *string `json:"currency"`
	From         *string `json:"from"`
	To           *string `json:"to"`
	Note         *string `json:"note"`
}

// AddCost records a cost of partner id for a program: an admin for any, an advertiser for its
// own. The currency defaults to the program's.
func (s *Service) AddCost(ctx context.Context, c Caller, partnerID int64, in CostInput) (pactum.PartnerCost, error) {
	if err := c.Allow("record partner costs", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return pactum.PartnerCost{}, err
	}
	if _, err := s.store.Partner(ctx, partnerID); err != nil {
		return pactum.PartnerCost{}, orNotFound(err, "partner", partnerID)
	}
	cost := pactum.PartnerCost{PartnerID: partnerID, AdvertiserID: c.AdvertiserID, CreatedAt: s.now().UTC()}
	if in.AdvertiserID != nil {
		if c.IsAdvertiser() && *in.AdvertiserID != c.AdvertiserID {
			return cost, Denied("an advertiser key records costs of its own program only (advertiser_id %d)", c.AdvertiserID)
		}
		cost.AdvertiserID = *in.AdvertiserID
	}
	if cost.AdvertiserID < 1 {
		return cost, pactum.FieldError("advertiser_id", "is required: the program that pays the cost")
	}
	adv, err := s.store.Advertiser(ctx, cost.AdvertiserID)
	if isNotFound(err) {
		return cost, pactum.FieldError("advertiser_id", "advertiser %d does not exist", cost.AdvertiserID)
	} else if err != nil {
		return cost, err
	}
	cost.Currency = adv.Currency
	set(&cost.Currency, in.Currency, strings.TrimSpace)
	if err := checkCurrency("currency", cost.Currency); err != nil {
		return cost, err
	}
	if in.Amount == nil {
		return cost, pactum.FieldError("amount", "is required: the fee, such as \"3000.00\"")
	}
	if cost.Amount, err = pactum.ParseAmount(*in.Amount, cost.Currency, "amount"); err != nil {
		return cost, err
	}
	if !cost.Amount.IsPositive() {
		return cost, pactum.FieldError("amount", "must be more than 0")
	}
	for _, f := range []struct {
		field string
		in    *string
		out   *time.Time
	}{{"from", in.From, &cost.From}, {"to", in.To, &cost.To}} {
		if f.in == nil {
			return cost, pactum.FieldError(f.field, "is required: a day such as 2026-11-01")
		}
		if *f.out, err = pactum.ParseDate(*f.in, f.field); err != nil {
			return cost, err
		}
	}
	if cost.To.Before(cost.From) {
		return cost, pactum.FieldError("to", "must not be before from")
	}
	if cost.To.Sub(cost.From) > maxCostDays*24*time.Hour {
		return cost, pactum.FieldError("to", "a cost covers at most %d days", maxCostDays)
	}
	set(&cost.Note, in.Note, strings.TrimSpace)
	if err := checkText("note", cost.Note); err != nil {
		return cost, err
	}
	return cost, s.store.AddCost(ctx, &cost)
}

// Costs lists partner id's costs: an admin all, an advertiser its program's, the partner its own.
func (s *Service) Costs(ctx context.Context, c Caller, partnerID int64) ([]pactum.PartnerCost, error) {
	if c.IsPartner() && c.PartnerID != partnerID {
		return nil, NotFound("partner", partnerID)
	}
	if _, err := s.store.Partner(ctx, partnerID); err != nil {
		return nil, orNotFound(err, "partner", partnerID)
	}
	return s.store.Costs(ctx, pactum.CostFilter{PartnerIDs: []int64{partnerID}, AdvertiserID: c.AdvertiserID})
}
