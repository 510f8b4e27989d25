package conversion

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/bus"
	"github.com/pactum/pactum/rules"
)

// maxAmount bounds an order: far above any real basket, and far enough below what the store
// keeps in 64-bit minor units that commissions on it fit too.
var maxAmount = decimal.New(1, 12)

// Submit validates and resolves in, logs it durably and returns what the processor made of it:
// the new conversion, the existing one when in is a duplicate, or a stored conversion with
// status rejected and a reason. Errors about the input are *pactum.Error naming the field (or
// EFORBIDDEN for a pixel on an offer that takes none); EUNAVAILABLE means the log did not take it.
//
// Every intake (the API, postbacks, the pixel, shop webhooks) reports through Submit, so its
// checks are the one rule for each field: text is refused, never cleaned or cut
// (pactum.CheckText, pactum.MaxID), money with more decimals than the currency has is refused,
// and an order has at most pactum.MaxItems lines. These limits also keep a record far below the
// event log's 1 MiB limit, so that a large order is a 400 naming the field rather than an
// unavailable log.
//
// When ctx ends first, Submit returns ctx's error, but a conversion that reached the log is
// still processed: reporting it again is answered as a duplicate when it has an order id. When
// the processor takes longer than Config.AnswerWait, Submit returns pactum.ErrQueued.
func (p *Pipeline) Submit(ctx context.Context, in pactum.ConversionInput) (pactum.ConversionResult, error) {
	rec, err := p.resolve(ctx, in)
	if err != nil {
		return pactum.ConversionResult{}, err
	}
	id, ch := p.wait()
	rec.Request, rec.ReplyTo = id, p.cfg.ReplyTo
	data, err := rec.encode()
	if err != nil {
		p.forget(id)
		return pactum.ConversionResult{}, fmt.Errorf("encode conversion: %w", err)
	}
	if err := p.cfg.Log.Append(ctx, bus.TypeConversion, data); err != nil {
		p.forget(id)
		if ctx.Err() != nil {
			return pactum.ConversionResult{}, ctx.Err()
		}
		p.log.Error("appending a conversion to the event log failed", "err", err)
		return pactum.ConversionResult{}, pactum.Errorf(pactum.EUNAVAILABLE, "the conversion could not be recorded; try again")
	}
	timer := time.NewTimer(p.cfg.AnswerWait)
	defer timer.Stop()
	select {
	case o := <-ch:
		return o.res, o.err
	case <-timer.C:
		p.forget(id)
		return pactum.ConversionResult{}, pactum.ErrQueued
	case <-ctx.Done():
		p.forget(id)
		return pactum.ConversionResult{}, ctx.Err()
	}
}

// resolve checks in and works out everything Apply needs that does not depend on the store's
// state at the time: the offer, the event, the click, the currency and the amount.
func (p *Pipeline) resolve(ctx context.Context, in pactum.ConversionInput) (record, error) {
	// Text first, before anything is looked up by it: an id is refused, never rewritten (a
	// byte dropped from an order id could merge two orders into one).
	for _, f := range []struct{ name, value string }{
		{"click_id", in.ClickID}, {"event", in.Event}, {"order_id", in.OrderID}, {"currency", in.Currency},
		{"coupon", in.Coupon}, {"customer_id", in.CustomerID}, {"country", in.Country},
	} {
		if err := pactum.CheckText(f.name, f.value, pactum.MaxID); err != nil {
			return record{}, err
		}
	}
	rec := record{
		ClickID: in.ClickID, OrderID: in.OrderID, Coupon: in.Coupon, CustomerID: in.CustomerID,
		NewCustomer: in.NewCustomer, Status: in.Status, AdvertiserID: in.AdvertiserID,
		Source: in.Source, Time: in.Time,
	}
	if rec.Time.IsZero() {
		rec.Time = p.cfg.Now()
	}
	rec.Time = rec.Time.UTC()

	offerID := in.OfferID
	if in.ClickID != "" {
		click, err := p.cfg.Signer.Parse(in.ClickID)
		if err != nil {
			return record{}, err // an *pactum.Error about click_id
		}
		if in.OfferID != 0 && in.OfferID != click.OfferID {
			return record{}, pactum.FieldError("offer_id", "is %d but the click was on offer %d", in.OfferID, click.OfferID)
		}
		offerID, rec.ClickPartnerID, rec.ClickTime = click.OfferID, click.PartnerID, click.Time
	}
	switch {
	case offerID == 0:
		return record{}, pactum.FieldError("offer_id", "is required: a conversion needs one of click_id or offer_id")
	case offerID < 0:
		return record{}, pactum.FieldError("offer_id", "must be a positive id, not %d", offerID)
	}
	offer, err := p.cfg.Store.Offer(ctx, offerID)
	// Another advertiser's offer is answered exactly as a missing one, before anything else
	// about it, so that an advertiser learns nothing of another's offers, not even that they exist.
	if pactum.ErrorCode(err) == pactum.ENOTFOUND || err == nil && in.AdvertiserID != 0 && in.AdvertiserID != offer.AdvertiserID {
		if in.ClickID != "" {
			return record{}, pactum.FieldError("click_id", "is not a click on an offer of yours")
		}
		return record{}, pactum.FieldError("offer_id", "offer %d does not exist", offerID)
	} else if err != nil {
		return record{}, fmt.Errorf("offer %d: %w", offerID, err)
	}
	if in.Source == pactum.SourcePixel && !offer.AcceptPixel {
		return record{}, pactum.Errorf(pactum.EFORBIDDEN,
			"offer %d does not take browser pixel conversions: report them by postback, or set the offer's accept_pixel", offerID)
	}
	rec.OfferID = offer.ID

	ev, err := event(offer, in.Event, in.EventID)
	if err != nil {
		return record{}, err
	}
	rec.Event = ev.Name

	switch c := strings.ToUpper(in.Currency); c {
	case "", offer.Currency:
		rec.Currency = offer.Currency
	default:
		return record{}, pactum.FieldError("currency", "is %q but offer %d is in %s: report the order in %s", in.Currency, offer.ID, offer.Currency, offer.Currency)
	}

	switch in.Status {
	case "", pactum.ConversionApproved, pactum.ConversionRejected:
	default:
		return record{}, pactum.FieldError("status", "must be %q, %q or left out (pending), not %q", pactum.ConversionApproved, pactum.ConversionRejected, in.Status)
	}
	rec.Country = pactum.CountryCode(in.Country)
	if rec.Country == "" && in.Country != "" && !strings.EqualFold(in.Country, "XX") {
		return record{}, pactum.FieldError("country", "%q is not a country code such as \"DE\" (ISO 3166-1 alpha-2)", in.Country)
	}

	if err := order(&rec, in); err != nil {
		return record{}, err
	}
	return rec, nil
}

// event finds the offer's event by name (exactly, else ignoring case, as postbacks are typed by
// hand) or by number; with neither, "purchase", else the offer's first event.
func event(o pactum.Offer, name string, id int64) (pactum.OfferEvent, error) {
	if len(o.Events) == 0 {
		return pactum.OfferEvent{}, pactum.FieldError("event", "offer %d has no events", o.ID)
	}
	if name == "" && id == 0 {
		if ev, ok := byName(o, "purchase"); ok {
			return ev, nil
		}
		return o.Events[0], nil
	}
	if name != "" {
		ev, ok := byName(o, name)
		if !ok {
			return pactum.OfferEvent{}, pactum.FieldError("event", "offer %d has no event %q", o.ID, name)
		}
		if id != 0 && ev.ID != id {
			return pactum.OfferEvent{}, pactum.FieldError("event", "event %q of offer %d is number %d, not %d", ev.Name, o.ID, ev.ID, id)
		}
		return ev, nil
	}
	for _, ev := range o.Events {
		if ev.ID == id {
			return ev, nil
		}
	}
	return pactum.OfferEvent{}, pactum.FieldError("event", "offer %d has no event number %d", o.ID, id)
}

// DefaultEvent is the event a conversion reported without one goes to: "purchase", else the
// offer's first event.
func DefaultEvent(o pactum.Offer) (pactum.OfferEvent, error) { return event(o, "", 0) }

func byName(o pactum.Offer, name string) (pactum.OfferEvent, bool) {
	for _, ev := range o.Events {
		if ev.Name == name {
			return ev, true
		}
	}
	for _, ev := range o.Events {
		if strings.EqualFold(ev.Name, name) {
			return ev, true
		}
	}
	return pactum.OfferEvent{}, false
}

// order sets the record's amount and items: with items and no amount, the amount is their
// sum; without either, 0 (a lead). rules.ValidateOrder checks the rest, with the same errors a
// rule set's evaluation would give.
func order(rec *record, in pactum.ConversionInput) error {
	cur := rec.Currency
	if len(in.Items) > pactum.MaxItems {
		return pactum.FieldError("items", "must list at most %d items", pactum.MaxItems)
	}
	if len(in.Items) > 0 {
		rec.Items = make([]pactum.LineItem, len(in.Items))
	}
	sum := decimal.Zero
	for i, it := range in.Items {
		if err := item(it, cur); err != nil {
			return pactum.WithFieldPrefix(err, "items["+strconv.Itoa(i)+"]")
		}
		// Refunds come later, through the refund endpoint, never with the order.
		it.RefundedQuantity = 0
		rec.Items[i] = it
		sum = sum.Add(it.UnitPrice.Mul(decimal.NewFromInt(it.Quantity)).Sub(it.Discount))
	}
	switch {
	case in.AmountGiven:
		rec.Amount = in.Amount
		if err := finestUnit("amount", rec.Amount, cur); err != nil {
			return err
		}
	case len(in.Items) > 0 && !sum.IsNegative():
		rec.Amount = pactum.Round(sum, cur)
	default:
		// No amount, or items that cannot add up (a discount larger than its line): validation
		// below then names the line at fault rather than the amount.
		rec.Amount = decimal.Zero
	}
	if rec.Amount.GreaterThan(maxAmount) || sum.GreaterThan(maxAmount) {
		return pactum.FieldError("amount", "must be at most %s", maxAmount)
	}
	items := make([]rules.Item, len(rec.Items))
	for i, it := range rec.Items {
		items[i] = rules.Item{SKU: it.SKU, Category: it.Category, Quantity: it.Quantity, UnitPrice: it.UnitPrice, Discount: it.Discount}
	}
	return rules.ValidateOrder(rules.Order{Event: rec.Event, Currency: cur, Amount: rec.Amount, Items: items})
}

// item checks one line of an order in currency cur, naming the field within the line. Quantities
// and money are checked line by line before they are added up, so that an error names the line
// at fault, not the order's amount.
func item(it pactum.LineItem, cur string) error {
	if err := pactum.CheckText("sku", it.SKU, pactum.MaxID); err != nil {
		return err
	}
	if err := pactum.CheckText("category", it.Category, pactum.MaxID); err != nil {
		return err
	}
	if err := rules.ValidateItem(rules.Item{Quantity: it.Quantity, UnitPrice: it.UnitPrice, Discount: it.Discount}); err != nil {
		return err
	}
	if err := finestUnit("unit_price", it.UnitPrice, cur); err != nil {
		return err
	}
	return finestUnit("discount", it.Discount, cur)
}

// finestUnit refuses an amount with more decimals than currency cur has, naming field.
func finestUnit(field string, amount decimal.Decimal, cur string) error {
	if !amount.Equal(pactum.Round(amount, cur)) {
		return pactum.FieldError(field, "%s has more decimals than %s allows (%d)", amount.String(), cur, pactum.MinorUnits(cur))
	}
	return nil
}
