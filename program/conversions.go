package program

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/commission"
	"github.com/pactum/pactum/fraud"
)

// ConversionStatuses are the statuses a conversion can have, to filter lists by.
var ConversionStatuses = []string{
	pactum.ConversionPending, pactum.ConversionApproved, pactum.ConversionRejected,
	pactum.ConversionReversed, pactum.ConversionCapped, pactum.ConversionPaid,
}

// ConversionReport is a conversion as the API's JSON reports it (SPEC section 4). Amounts are
// strings, as money is in JSON. What it carries is checked by the conversion intake that every
// surface shares (conversion.Pipeline), which names the field of anything it refuses; Input only
// reads the amounts.
type ConversionReport struct {
	OfferID     int64        `json:"offer_id"`
	Event       string       `json:"event"`
	OrderID     string       `json:"order_id"`
	Currency    string       `json:"currency"`
	Amount      *string      `json:"amount"`
	ClickID     string       `json:"click_id"`
	Coupon      string       `json:"coupon"`
	CustomerID  string       `json:"customer_id"`
	NewCustomer bool         `json:"new_customer"`
	Country     string       `json:"country"`
	Status      string       `json:"status"`
	Items       []LineReport `json:"items"`
}

// LineReport is one line of a reported order.
type LineReport struct {
	SKU       string  `json:"sku"`
	Category  string  `json:"category"`
	Quantity  int64   `json:"quantity"`
	UnitPrice *string `json:"unit_price"`
	Discount  *string `json:"discount"`
}

// Input reads the report's amounts and returns it as the intake takes it.
func (r ConversionReport) Input() (pactum.ConversionInput, error) {
	out := pactum.ConversionInput{
		OfferID: r.OfferID, Event: r.Event, OrderID: r.OrderID, Currency: r.Currency, ClickID: r.ClickID,
		Coupon: r.Coupon, CustomerID: r.CustomerID, NewCustomer: r.NewCustomer, Country: r.Country,
		Status: r.Status, Source: pactum.SourceAPI,
	}
	if out.Status == pactum.ConversionPending {
		out.Status = ""
	}
	if r.OfferID < 0 {
		return out, pactum.FieldError("offer_id", "must be a positive id")
	}
	if r.Amount != nil {
		amount, err := pactum.ParseDecimal(*r.Amount, "amount")
		if err != nil {
			return out, err
		}
		out.Amount, out.AmountGiven = amount, true
	}
	if len(r.Items) > pactum.MaxItems {
		return out, pactum.FieldError("items", "must list at most %d items", pactum.MaxItems)
	}
	if len(r.Items) > 0 {
		out.Items = make([]pactum.LineItem, 0, len(r.Items))
	}
	for i, it := range r.Items {
		li, err := it.lineItem()
		if err != nil {
			return out, pactum.WithFieldPrefix(err, "items["+strconv.Itoa(i)+"]")
		}
		out.Items = append(out.Items, li)
	}
	return out, nil
}

// lineItem parses one line of a report, naming the field within the line.
func (it LineReport) lineItem() (pactum.LineItem, error) {
	li := pactum.LineItem{SKU: it.SKU, Category: it.Category, Quantity: it.Quantity}
	if it.UnitPrice == nil {
		return li, pactum.FieldError("unit_price", "is required")
	}
	var err error
	if li.UnitPrice, err = pactum.ParseDecimal(*it.UnitPrice, "unit_price"); err != nil {
		return li, err
	}
	if it.Discount != nil {
		li.Discount, err = pactum.ParseDecimal(*it.Discount, "discount")
	}
	return li, err
}

// ReportConversion reports a conversion through the intake, as a shop's server would with a
// postback: admins for any offer, an advertiser for its own offers only (the intake refuses
// another's offer exactly as a missing one).
func (s *Service) ReportConversion(ctx context.Context, c Caller, in pactum.ConversionInput) (pactum.ConversionResult, error) {
	if err := c.Allow("report conversions", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return pactum.ConversionResult{}, err
	}
	if s.conversions == nil {
		return pactum.ConversionResult{}, pactum.Errorf(pactum.EUNAVAILABLE, "conversion intake is not running")
	}
	in.AdvertiserID = c.AdvertiserID
	in.Time = s.now().UTC()
	return s.conversions.Submit(ctx, in)
}

// ConversionQuery filters a list of conversions; zero fields match everything.
type ConversionQuery struct {
	Owners
	Event  string
	Status string
	// Reason: those whose reason holds this fraud rule's code (a held conversion's rules, a
	// rejected one's), such as self_referral.
	Reason   string
	From, To time.Time
}

// filter checks q and narrows it to what c may see; ok is false when c asked for someone else's.
func (q ConversionQuery) filter(c Caller) (f pactum.ConversionFilter, ok bool, err error) {
	if q.Status != "" {
		if err := CheckOneOf("status", q.Status, ConversionStatuses...); err != nil {
			return f, false, err
		}
	}
	if q.Reason != "" {
		if err := CheckOneOf("reason", q.Reason, fraud.ConversionCodes()...); err != nil {
			return f, false, err
		}
	}
	if err := checkRange(q.From, q.To); err != nil {
		return f, false, err
	}
	o, ok := c.Scope(q.Owners)
	f = pactum.ConversionFilter{OfferID: o.OfferID, PartnerID: o.PartnerID, AdvertiserID: o.AdvertiserID,
		Event: q.Event, Status: q.Status, Reason: q.Reason, From: q.From, To: q.To}
	return f, ok, nil
}

// checkRange checks a from (inclusive) and to (exclusive) filter.
func checkRange(from, to time.Time) error {
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		return pactum.FieldError("to", "must be after from")
	}
	return nil
}

// ListConversions lists the conversions the caller may see that match q.
func (s *Service) ListConversions(ctx context.Context, c Caller, q ConversionQuery, p pactum.Page) (Page[pactum.Conversion], error) {
	f, ok, err := q.filter(c)
	if err != nil || !ok {
		return Page[pactum.Conversion]{Items: []pactum.Conversion{}}, err
	}
	fetch := func(pg pactum.Page) ([]pactum.Conversion, error) { return s.store.ListConversions(ctx, f, pg) }
	return collect(p, fetch, func(cv pactum.Conversion) int64 { return cv.ID }, nil)
}

// CountConversions counts the conversions the caller may see that match q.
func (s *Service) CountConversions(ctx context.Context, c Caller, q ConversionQuery) (int64, error) {
	f, ok, err := q.filter(c)
	if err != nil || !ok {
		return 0, err
	}
	return s.store.CountConversions(ctx, f)
}

// Conversion returns conversion id if the caller may see it.
func (s *Service) Conversion(ctx context.Context, c Caller, id int64) (pactum.Conversion, error) {
	cv, err := s.store.Conversion(ctx, id)
	if err != nil {
		return cv, orNotFound(err, "conversion", id)
	}
	if !c.CanSeeConversion(cv) {
		return pactum.Conversion{}, NotFound("conversion", id)
	}
	return cv, nil
}

// changeConversion applies change to conversion id, for admins and the offer's advertiser, in
// one store transaction, and returns the conversion as it is after.
func (s *Service) changeConversion(ctx context.Context, c Caller, id int64, action string, change func(*pactum.Conversion, time.Time) error) (pactum.Conversion, error) {
	if err := c.Allow(action, pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return pactum.Conversion{}, err
	}
	if _, err := s.Conversion(ctx, c, id); err != nil {
		return pactum.Conversion{}, err
	}
	now := s.now().UTC()
	out, err := s.store.UpdateConversion(ctx, id, func(x *pactum.Conversion) error {
		if !c.CanChangeConversion(*x) {
			return NotFound("conversion", id)
		}
		return change(x, now)
	})
	if err != nil {
		return pactum.Conversion{}, orNotFound(err, "conversion", id)
	}
	return out, nil
}

// RefundInput is a refund: by items or by amount.
type RefundInput struct {
	Items  *[]pactum.RefundItem `json:"items"`
	Amount *string              `json:"amount"`
	// RefundID names the refund so that sending it again changes nothing.
	RefundID *string `json:"refund_id"`
}

// RefundConversion refunds conversion id in part or in full: its commission shrinks by the
// refunded lines, and what was paid already is clawed back from the next payout.
func (s *Service) RefundConversion(ctx context.Context, c Caller, id int64, in RefundInput) (pactum.Conversion, error) {
	return s.changeConversion(ctx, c, id, "refund conversions", func(cv *pactum.Conversion, now time.Time) error {
		if in.RefundID == nil {
			return refund(cv, in, now)
		}
		rid := strings.TrimSpace(*in.RefundID)
		if rid == "" {
			return pactum.FieldError("refund_id", "must not be empty; leave it out to refund without one")
		}
		if err := pactum.CheckText("refund_id", rid, pactum.MaxID); err != nil {
			return err
		}
		for _, done := range cv.Refunds {
			if done.ID == rid {
				return nil // already applied: answer the conversion as it is
			}
		}
		if err := refund(cv, in, now); err != nil {
			return err
		}
		cv.Refunds[len(cv.Refunds)-1].ID = rid
		return nil
	})
}

// refund applies the refund in to cv: by items or by amount.
func refund(cv *pactum.Conversion, in RefundInput, now time.Time) error {
	switch {
	case in.Items != nil && in.Amount != nil:
		return pactum.FieldError("amount", "send either items or an amount, not both")
	case in.Amount != nil:
		amount, err := pactum.ParseDecimal(strings.TrimSpace(*in.Amount), "amount")
		if err != nil {
			return err
		}
		return commission.Refund(cv, nil, amount, true, now)
	case in.Items != nil:
		return commission.Refund(cv, *in.Items, decimal.Zero, false, now)
	}
	return pactum.FieldError("items", "send the refunded items as [{\"sku\",\"quantity\"}], or an amount")
}

// ApproveConversion approves a pending conversion by hand, before its hold period ends.
func (s *Service) ApproveConversion(ctx context.Context, c Caller, id int64) (pactum.Conversion, error) {
	return s.changeConversion(ctx, c, id, "approve conversions", commission.Approve)
}

// RejectConversion rejects a pending or approved conversion by hand, for reason.
func (s *Service) RejectConversion(ctx context.Context, c Caller, id int64, reason string) (pactum.Conversion, error) {
	return s.changeConversion(ctx, c, id, "reject conversions", func(cv *pactum.Conversion, now time.Time) error {
		return commission.Reject(cv, reason, now)
	})
}
