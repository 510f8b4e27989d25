package conversion

import (
	"context"
	"fmt"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/fraud"
)

// judge runs the offer's conversion fraud rules (package fraud) on c, attributed to an active
// partner, inside the event transaction: it reads only what a rule that is not off needs (the
// click by its id, and bounded, indexed counts of the partner's earlier conversions), and returns
// the decision. It also keeps the click's address on c (Conversion.IP) for later repeated_ip
// counts. Errors are store failures.
func judge(ctx context.Context, tx pactum.EventTx, o pactum.Offer, partner pactum.Partner, c *pactum.Conversion) (fraud.Decision, error) {
	p := fraud.For(o)
	f := fraud.Facts{
		HasClick:      c.Attribution == pactum.AttributionClick && !c.ClickTime.IsZero(),
		ClickAge:      c.Time.Sub(c.ClickTime),
		MinConversion: time.Duration(o.MinConversionSeconds) * time.Second,
		CustomerID:    c.CustomerID,
		PartnerEmails: []string{partner.Email, partner.PayPalEmail},
	}
	if f.HasClick && (p.Needs(pactum.ReasonFlaggedClick) || p.Needs(pactum.ReasonRepeatedIP)) {
		click, err := tx.Click(ctx, c.ClickID)
		if err != nil {
			return fraud.Decision{}, fmt.Errorf("click %s: %w", c.ClickID, err)
		}
		if click != nil {
			// A conversion that overtook its click (distributed deployments) is judged without it.
			f.ClickFlagged = click.Bot || click.Flags != ""
			c.IP = click.IP
		}
	}
	q := pactum.FraudHistoryQuery{OfferID: o.ID, PartnerID: partner.ID, RepeatSince: c.Time.AddDate(0, 0, -fraud.RepeatWindowDays)}
	if p.Needs(pactum.ReasonRepeatedIP) {
		q.IP = c.IP
	}
	if p.Needs(pactum.ReasonRepeatedCustomer) {
		q.CustomerID = c.CustomerID
	}
	if p.Needs(pactum.ReasonVelocity) {
		day := c.Time.UTC().Truncate(24 * time.Hour)
		q.HourStart, q.HistoryFrom, q.HistoryTo = c.Time.Add(-time.Hour), day.AddDate(0, 0, -fraud.VelocityDays), day
	}
	if q.IP != "" || q.CustomerID != "" || !q.HourStart.IsZero() {
		h, err := tx.FraudHistory(ctx, q)
		if err != nil {
			return fraud.Decision{}, err
		}
		f.SameIP, f.SameCustomer, f.History = h.SameIP, h.SameCustomer, h.History
		f.LastHour = h.LastHour + 1 // and this one
	}
	return p.Conversion(p.Fired(f)), nil
}

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
