package report

import (
	"context"
	"strconv"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/fraud"
	"github.com/pactum/pactum/program"
)

// FraudScore is a partner's fraud score over the last fraud.ScoreDays days until now, with its
// signals, in c's scope (FraudCounts says whose counts, and when it is not found).
func (s *Service) FraudScore(ctx context.Context, c program.Caller, partnerID int64) (pactum.FraudScore, error) {
	to := s.Now().UTC()
	from := to.AddDate(0, 0, -fraud.ScoreDays)
	counts, err := s.FraudCounts(ctx, c, partnerID, from, to)
	if err != nil {
		return pactum.FraudScore{}, err
	}
	return fraud.Score(partnerID, counts, from, to), nil
}

// FraudCounts counts what a partner's fraud score is made of over [from, to), in c's scope (an
// advertiser's offers only): clicks and conversions by reason from the rollups, as a report
// grouped by reason has them (so a flagged click counts under its codes), and the conversions
// held or rejected now from the store. Admins and advertisers only; a partner unknown, or, for
// an advertiser, without a click or conversion on its offers, is not found.
func (s *Service) FraudCounts(ctx context.Context, c program.Caller, partnerID int64, from, to time.Time) (pactum.FraudCounts, error) {
	var n pactum.FraudCounts
	if err := c.Allow("see fraud scores", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return n, err
	}
	cat, err := s.catalog(ctx)
	if err != nil {
		return n, err
	}
	if _, ok := cat.partners[partnerID]; !ok {
		return n, program.NotFound("partner", partnerID)
	}
	// One query per currency of the offers, so that counts never wait for an exchange rate.
	byCurrency := map[string][]string{}
	for id, o := range cat.offers {
		if c.IsAdvertiser() && o.AdvertiserID != c.AdvertiserID {
			continue
		}
		byCurrency[o.Currency] = append(byCurrency[o.Currency], strconv.FormatInt(id, 10))
	}
	partner := strconv.FormatInt(partnerID, 10)
	for cur, offers := range byCurrency {
		req := Request{GroupBy: []string{"reason"}, Metrics: []string{"clicks", "invalid_clicks", "conversions", "refunds"},
			From: from, To: to, Location: time.UTC, Currency: cur, Limit: MaxLimit,
			Filters: map[string][]string{"partner": {partner}, "offer": offers}}
		q, err := s.sum(ctx, c, req, cat, from, to)
		if err != nil {
			return n, err
		}
		for _, g := range q.out {
			reason, clicks := g.values[0], g.m.Clicks+g.m.InvalidClicks
			n.Clicks += clicks
			n.Conversions += g.m.Conversions
			n.Refunded += g.m.Refunds
			if reason == "" {
				continue
			}
			n.FlaggedClicks += clicks
			if pactum.HasReason(reason, pactum.ReasonDuplicateClick) {
				n.DuplicateClicks += clicks
			}
			if pactum.HasReason(reason, pactum.ReasonDataCenter) {
				n.DataCenter += clicks
			}
			if pactum.HasReason(reason, pactum.ReasonTooFast) {
				n.TooFast += g.m.Conversions
			}
		}
	}
	f := pactum.ConversionFilter{PartnerID: partnerID, From: from, To: to}
	if c.IsAdvertiser() {
		f.AdvertiserID = c.AdvertiserID
	}
	held := f
	held.Held = true
	if n.Held, err = s.store.CountConversions(ctx, held); err != nil {
		return n, err
	}
	f.Status = pactum.ConversionRejected
	if n.Rejected, err = s.store.CountConversions(ctx, f); err != nil {
		return n, err
	}
	if c.IsAdvertiser() && n.Clicks == 0 && n.Conversions == 0 {
		return n, program.NotFound("partner", partnerID)
	}
	return n, nil
}
