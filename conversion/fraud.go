package conversion

import (
	"context"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/fraud"
)

// judge runs the offer's conversion fraud rules (package fraud) on c, attributed to an active
// partner, inside the event transaction: it reads only what a rule that is not off needs, in one
// statement (the click's address and flags by its id, bounded counts of the partner's earlier
// conversions; and once a day per partner its history), and returns the decision and the click
// as read (its report dimensions are then the keeper's: Config.Stored). It also keeps the
// click's address on c (Conversion.IP) for later repeated_ip counts. Errors are store failures.
func (p *Pipeline) judge(ctx context.Context, tx pactum.EventTx, o pactum.Offer, partner pactum.Partner, c *pactum.Conversion) (fraud.Decision, pactum.ClickSource, error) {
	pol := fraud.For(o)
	f := fraud.Facts{
		HasClick:      c.Attribution == pactum.AttributionClick && !c.ClickTime.IsZero(),
		ClickAge:      c.Time.Sub(c.ClickTime),
		MinConversion: time.Duration(o.MinConversionSeconds) * time.Second,
		CustomerID:    c.CustomerID,
		PartnerEmails: []string{partner.Email, partner.PayPalEmail},
	}
	q := pactum.FraudHistoryQuery{OfferID: o.ID, PartnerID: partner.ID, RepeatCap: fraud.RepeatCap,
		RepeatSince: c.Time.AddDate(0, 0, -fraud.RepeatWindowDays)}
	if f.HasClick && (pol.Needs(pactum.ReasonFlaggedClick) || pol.Needs(pactum.ReasonRepeatedIP)) {
		q.ClickID, q.SameIP = c.ClickID, pol.Needs(pactum.ReasonRepeatedIP)
	}
	if pol.Needs(pactum.ReasonRepeatedCustomer) {
		q.CustomerID = c.CustomerID
	}
	if pol.Needs(pactum.ReasonVelocity) {
		history, err := p.history(ctx, tx, o.ID, partner.ID, c.Time)
		if err != nil {
			return fraud.Decision{}, pactum.ClickSource{}, err
		}
		// The last hour is counted up to where its history makes it suspicious.
		f.History, q.HourStart, q.HourCap = history, c.Time.Add(-time.Hour), fraud.VelocityCap(history)
	}
	var h pactum.FraudHistory
	if q.ClickID != "" || q.CustomerID != "" || q.HourCap > 0 {
		var err error
		if h, err = tx.FraudHistory(ctx, q); err != nil {
			return fraud.Decision{}, pactum.ClickSource{}, err
		}
		// A conversion that overtook its click (distributed deployments) is judged without it.
		f.ClickFlagged, c.IP = h.Click.Flagged, h.Click.IP
		f.SameIP, f.SameCustomer = h.SameIP, h.SameCustomer
		f.LastHour = h.LastHour + 1 // and this one
	}
	return pol.Conversion(pol.Fired(f)), h.Click, nil
}

// history returns a partner's conversions of an offer over the fraud.VelocityDays UTC days
// before at's, from the report rollups. Those days are over, so each process reads them once a
// day per partner and offer and remembers them (a refund or a late rollup since changes them
// little, and only until the next day).
func (p *Pipeline) history(ctx context.Context, tx pactum.EventTx, offerID, partnerID int64, at time.Time) (int64, error) {
	day := at.UTC().Truncate(24 * time.Hour)
	key := historyKey{offerID, partnerID}
	p.historyMu.Lock()
	if !p.historyDay.Equal(day) {
		p.historyDay, p.histories = day, map[historyKey]int64{}
	}
	n, ok := p.histories[key]
	p.historyMu.Unlock()
	if ok {
		return n, nil
	}
	h, err := tx.FraudHistory(ctx, pactum.FraudHistoryQuery{OfferID: offerID, PartnerID: partnerID,
		HistoryFrom: day.AddDate(0, 0, -fraud.VelocityDays), HistoryTo: day})
	if err != nil {
		return 0, err
	}
	p.historyMu.Lock()
	if p.historyDay.Equal(day) {
		p.histories[key] = h.History
	}
	p.historyMu.Unlock()
	return h.History, nil
}

type historyKey struct{ offer, partner int64 }

// hold applies d to c, whose status decide set: every code is kept in Flags; a rule that
// rejects makes it rejected (decide did, with d.Reason), and one that holds it for review keeps
// it pending with no end to its hold period (pactum.Conversion.Held), whatever the shop asked,
// until a person decides. A capped conversion stays capped: it earns nothing either way.
func hold(c *pactum.Conversion, d fraud.Decision) {
	c.Flags = d.Flags
	if d.Review && (c.Status == pactum.ConversionPending || c.Status == pactum.ConversionApproved) {
		c.Status, c.Reason, c.ApproveAt, c.ApprovedAt = pactum.ConversionPending, d.Reason, time.Time{}, time.Time{}
	}
}
