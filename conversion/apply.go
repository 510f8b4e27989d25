package conversion

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/commission"
	"github.com/pactum/pactum/fraud"
	"github.com/pactum/pactum/rules"
)

// Apply processes one logged conversion inside the event transaction tx: attribution, dedup,
// commission and storage. It returns the func that hands the result to the Submit waiting for
// it, which the caller must call only after tx has committed.
//
// An error means the store failed and the whole batch must be retried; Apply then runs again
// on a rolled-back transaction and, since everything it decides comes from the record and what
// tx reads, decides the same. Anything wrong with the conversion itself is an answer to the
// waiting request, never an error here, and an unreadable record is logged and skipped: the log
// must not stop at one bad entry.
func (p *Pipeline) Apply(ctx context.Context, tx pactum.EventTx, data []byte) (deliver func(), err error) {
	rec, err := decodeRecord(data)
	if err != nil {
		p.log.Error("skipping an unreadable conversion in the event log", "err", err)
		return func() {}, nil
	}
	o, err := p.apply(ctx, tx, &rec)
	if err != nil {
		return nil, err
	}
	if o.err != nil {
		p.log.Warn("conversion not stored", "request", rec.Request, "offer", rec.OfferID, "event", rec.Event, "err", o.err)
	}
	// One copy of the outcome on the heap, which both closures share.
	deliver = p.deliverer(rec.ReplyTo, rec.Request, &o)
	if p.cfg.Stored != nil && o.err == nil && !o.res.Duplicate {
		answer := deliver
		deliver = func() {
			p.cfg.Stored(&o.res.Conversion, o.click, o.lines)
			answer()
		}
	}
	return deliver, nil
}

// apply returns the outcome for the waiting request, or an error when the store failed.
func (p *Pipeline) apply(ctx context.Context, tx pactum.EventTx, r *record) (outcome, error) {
	offer, err := p.cfg.Store.Offer(ctx, r.OfferID)
	if pactum.ErrorCode(err) == pactum.ENOTFOUND {
		return outcome{err: pactum.FieldError("offer_id", "offer %d does not exist", r.OfferID)}, nil
	} else if err != nil {
		return outcome{}, fmt.Errorf("offer %d: %w", r.OfferID, err)
	}
	// The offer is read again rather than carried in the record: it may have changed since
	// Submit, and what it says now is what the conversion is processed under.
	ev, ok := commission.Event(offer, r.Event)
	if !ok {
		return outcome{err: pactum.FieldError("event", "offer %d no longer has an event %q", offer.ID, r.Event)}, nil
	}

	c := &pactum.Conversion{
		OfferID: offer.ID, AdvertiserID: offer.AdvertiserID, Event: ev.Name,
		ClickID: r.ClickID, ClickTime: r.ClickTime, OrderID: r.OrderID,
		DedupKey: dedupKey(offer.ID, ev, r.OrderID, r.ClickID),
		Currency: r.Currency, Amount: r.Amount, Items: r.Items,
		Coupon: r.Coupon, CustomerID: r.CustomerID, NewCustomer: r.NewCustomer, Country: r.Country,
		Status: pactum.ConversionPending, Source: r.Source, Time: r.Time,
		Payout: decimal.Zero, Revenue: decimal.Zero, RefundedAmount: decimal.Zero,
	}
	a, err := attribute(ctx, tx, offer, r)
	if err != nil {
		return outcome{}, err
	}
	c.PartnerID, c.Attribution = a.partnerID, a.how
	var partner pactum.Partner
	var verdict fraud.Decision
	var click pactum.ClickSource
	var lines pactum.LineCommissions
	if c.PartnerID != 0 {
		partner, err = p.cfg.Store.Partner(ctx, c.PartnerID)
		switch {
		case pactum.ErrorCode(err) == pactum.ENOTFOUND:
			partner = pactum.Partner{}
		case err != nil:
			return outcome{}, fmt.Errorf("partner %d: %w", c.PartnerID, err)
		}
		if partner.ID == 0 || partner.Status != pactum.PartnerActive {
			// Earns nothing, so there is nothing to compute.
			if a.reason == "" {
				a.reason = pactum.ReasonPartnerInactive
			}
		} else {
			var problem error
			lines, problem, err = p.commission(ctx, tx, offer, ev, partner, c)
			if err != nil {
				return outcome{}, err
			}
			if problem != nil {
				return outcome{err: problem}, nil
			}
			if verdict, click, err = p.judge(ctx, tx, offer, partner, c); err != nil {
				return outcome{}, err
			}
			if verdict.Reject && a.reason == "" {
				a.reason = verdict.Reason
			}
		}
	}
	decide(c, a.reason, r.Status)
	c.ApproveAt = c.Time.AddDate(0, 0, offer.HoldDays)
	if c.Status == pactum.ConversionApproved {
		c.ApprovedAt = c.Time
	}
	hold(c, verdict)
	p.ledgerCurrency(c, partner)

	existing, dup, err := tx.InsertConversion(ctx, c)
	if pactum.ErrorCode(err) == pactum.EINVALID {
		// The store refused the conversion before writing anything (an amount or payout it
		// cannot hold): that is this request's answer. Retrying the batch would refuse it
		// again, forever, and stop the log behind it.
		return outcome{err: err}, nil
	} else if err != nil {
		return outcome{}, fmt.Errorf("insert conversion: %w", err)
	}
	if dup {
		return outcome{res: pactum.ConversionResult{Conversion: existing, Duplicate: true}}, nil
	}
	o := outcome{res: pactum.ConversionResult{Conversion: *c}, lines: lines}
	if click.Found {
		o.click = &click.Dims
	}
	return o, nil
}

// ledgerCurrency sets the currency c credits its partner in: the partner's, at the rate of the
// conversion's day when one is known, else the offer's (and the partner is paid in that).
func (p *Pipeline) ledgerCurrency(c *pactum.Conversion, partner pactum.Partner) {
	c.LedgerCurrency, c.FXRate = c.Currency, decimal.Zero
	if p.cfg.Rates == nil || partner.Currency == "" || partner.Currency == c.Currency {
		return
	}
	rate, _, err := p.cfg.Rates.Rate(c.Currency, partner.Currency, c.Time)
	if err != nil {
		p.missingRates.Add(1)
		p.log.Warn("no exchange rate: the partner is credited in the offer's currency",
			"from", c.Currency, "to", partner.Currency, "day", c.Time.Format(time.DateOnly), "err", err)
		return
	}
	c.LedgerCurrency, c.FXRate = partner.Currency, rate
}

// commission sets c's payout and revenue. The partner's stats cost a query, so they are read
// only when a rule set looks at them: payout tiers and caps, and revenue tiers (revenue takes
// the partner's monthly sales, not its caps). problem is what to answer the request with when
// the offer's rules cannot price the conversion; err is a store failure.
func (p *Pipeline) commission(ctx context.Context, tx pactum.EventTx, o pactum.Offer, ev pactum.OfferEvent, partner pactum.Partner, c *pactum.Conversion) (lines pactum.LineCommissions, problem, err error) {
	payout, err := p.cfg.Rules.RuleSet(ev.Payout, o.Currency)
	if err != nil {
		return lines, pactum.WithFieldPrefix(err, "payout"), nil
	}
	revenue, err := p.cfg.Rules.RuleSet(ev.Revenue, o.Currency)
	if err != nil {
		return lines, pactum.WithFieldPrefix(err, "revenue"), nil
	}
	if c.Country == "" && c.ClickID != "" && (payout.UsesCountry() || revenue.UsesCountry()) {
		// The rules pay by country and the shop did not say where the order was placed: where
		// the visitor clicked, then. Read only for such rules, as every conversion waits for
		// this transaction in turn.
		if c.Country, err = tx.ClickCountry(ctx, c.ClickID); err != nil {
			return lines, nil, fmt.Errorf("country of click %s: %w", c.ClickID, err)
		}
	}
	var stats pactum.PartnerStats
	if len(payout.Tiers) > 0 || hasCaps(payout.Caps) || len(revenue.Tiers) > 0 {
		t := c.Time.UTC()
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		month := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		if stats, err = tx.PartnerStats(ctx, o.ID, partner.ID, day, month); err != nil {
			return lines, nil, fmt.Errorf("partner stats: %w", err)
		}
	}
	if lines, err = p.cfg.Rules.Compute(o, partner, c, stats); err != nil {
		// Submit validated the order and the offer's rules were validated when saved, so this
		// is an offer changed in between or a bug: retrying would fail the same way and stop
		// the log, so it is the request's answer instead.
		return lines, err, nil
	}
	return lines, nil, nil
}

func hasCaps(c rules.Caps) bool {
	return c.DailyConversions > 0 || c.MonthlyConversions > 0 || c.DailyPayout.Valid || c.MonthlyPayout.Valid
}

// decide sets the status: a rejection by attribution (rejected is its reason) stands, over a
// cap too; otherwise the advertiser may
// approve a pending conversion (not a capped one: the cap decides what the partner earns) or
// reject any. A rejected conversion earns nothing and owes nothing; its breakdowns keep what it
// would have earned, so that the partner can see what was refused.
func decide(c *pactum.Conversion, rejected, asked string) {
	switch {
	case rejected != "":
		c.Status, c.Reason = pactum.ConversionRejected, rejected
	case asked == pactum.ConversionRejected:
		c.Status, c.Reason = pactum.ConversionRejected, pactum.ReasonAdvertiserDenied
	case asked == pactum.ConversionApproved && c.Status == pactum.ConversionPending:
		c.Status = pactum.ConversionApproved
	}
	if c.Status == pactum.ConversionRejected {
		c.Payout, c.Revenue = decimal.Zero, decimal.Zero
	}
}

// dedupKey makes one conversion per (offer, event, order id); without an order id, one per
// (click id, event) unless the event allows repeats; otherwise none (SPEC section 4).
func dedupKey(offerID int64, ev pactum.OfferEvent, orderID, clickID string) string {
	switch {
	case orderID != "":
		return pactum.OrderKey(offerID, ev.Name, orderID)
	case clickID != "" && !ev.AllowRepeats:
		return "c:" + clickID + ":" + ev.Name
	}
	return ""
}
