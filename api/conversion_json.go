package api

import (
	"strconv"
	"time"

	"github.com/pactum/pactum"
)

// The conversion view encodes itself: it is the answer on every conversion's path, and
// encoding/json spends most of its time there re-scanning the commission breakdowns (already
// valid JSON: the rules engine wrote them and the store checked them) and reflecting over some
// forty fields (BenchmarkConversionAnswer). The struct tags stay the reference: a test holds
// this encoder to what encoding/json makes of them.

// MarshalJSON encodes v as appendJSON does, for the answers that list conversions.
func (v conversionJSON) MarshalJSON() ([]byte, error) {
	return v.appendJSON(nil), nil
}

// appendJSON appends v as a JSON object, its members in the struct's order.
func (v *conversionJSON) appendJSON(b []byte) []byte {
	o := jsonObject{b: append(b, '{')}
	o.int("id", v.ID)
	o.int("offer_id", v.OfferID)
	o.int("advertiser_id", v.AdvertiserID)
	o.str("event", v.Event)
	nullable(&o, "partner_id", v.PartnerID, (*jsonObject).int)
	o.str("click_id", v.ClickID)
	o.str("order_id", v.OrderID)
	o.str("currency", v.Currency)
	o.str("amount", v.Amount)
	o.objects("items", v.Items == nil, len(v.Items), func(e *jsonObject, i int) { v.Items[i].members(e) })
	o.str("coupon", v.Coupon)
	o.str("customer_id", v.CustomerID)
	o.bool("new_customer", v.NewCustomer)
	o.str("country", v.Country)
	o.str("attribution", v.Attribution)
	o.str("status", v.Status)
	o.str("reason", v.Reason)
	o.bool("held", v.Held)
	o.list("flags", v.Flags == nil, len(v.Flags), func(b []byte, i int) []byte { return pactum.AppendJSONString(b, v.Flags[i]) })
	o.objects("reasons", v.Reasons == nil, len(v.Reasons), func(e *jsonObject, i int) {
		e.str("code", v.Reasons[i].Code)
		e.str("description", v.Reasons[i].Description)
	})
	o.str("source", v.Source)
	o.time("time", v.Time)
	o.object("commission", v.Commission.members)
	o.str("refunded_amount", v.RefundedAmount)
	o.objects("refunds", v.Refunds == nil, len(v.Refunds), func(e *jsonObject, i int) { v.Refunds[i].members(e) })
	o.time("created_at", v.CreatedAt)
	o.time("updated_at", v.UpdatedAt)
	if v.Duplicate != nil {
		o.bool("duplicate", *v.Duplicate)
	}
	if v.Error != nil {
		o.object("error", func(e *jsonObject) {
			e.str("code", v.Error.Code)
			e.str("message", v.Error.Message)
		})
	}
	return o.end()
}

func (it *lineItemJSON) members(o *jsonObject) {
	o.str("sku", it.SKU)
	o.str("category", it.Category)
	o.int("quantity", it.Quantity)
	o.str("unit_price", it.UnitPrice)
	o.str("discount", it.Discount)
	o.int("refunded_quantity", it.RefundedQuantity)
}

func (c *commissionJSON) members(o *jsonObject) {
	o.str("payout", c.Payout)
	if c.Revenue != nil {
		o.str("revenue", *c.Revenue)
	}
	o.raw("payout_breakdown", c.PayoutBreakdown)
	if len(c.RevenueBreakdown) > 0 {
		o.raw("revenue_breakdown", c.RevenueBreakdown)
	}
	o.str("partner_currency", c.PartnerCurrency)
	o.str("partner_payout", c.PartnerPayout)
	nullable(o, "fx_rate", c.FXRate, (*jsonObject).str)
	nullable(o, "approve_at", c.ApproveAt, (*jsonObject).time)
	nullable(o, "approved_at", c.ApprovedAt, (*jsonObject).time)
	nullable(o, "payout_id", c.PayoutID, (*jsonObject).int)
}

func (r *refundJSON) members(o *jsonObject) {
	if r.ID != "" {
		o.str("id", r.ID)
	}
	o.time("time", r.Time)
	o.str("amount", r.Amount)
	o.objects("items", r.Items == nil, len(r.Items), func(e *jsonObject, i int) {
		e.str("sku", r.Items[i].SKU)
		e.int("quantity", r.Items[i].Quantity)
	})
	o.str("payout_before", r.PayoutBefore)
	o.str("payout_after", r.PayoutAfter)
	if r.RevenueBefore != nil {
		o.str("revenue_before", *r.RevenueBefore)
	}
	if r.RevenueAfter != nil {
		o.str("revenue_after", *r.RevenueAfter)
	}
}

// jsonObject appends the members of a JSON object whose "{" is in b already; end closes it.
// Keys are written as given: they are this package's constants.
type jsonObject struct {
	b    []byte
	more bool
}

func (o *jsonObject) key(k string) {
	if o.more {
		o.b = append(o.b, ',')
	}
	o.more = true
	o.b = append(o.b, '"')
	o.b = append(o.b, k...)
	o.b = append(o.b, '"', ':')
}

func (o *jsonObject) end() []byte { return append(o.b, '}') }

func (o *jsonObject) str(k, v string) {
	o.key(k)
	o.b = pactum.AppendJSONString(o.b, v)
}

func (o *jsonObject) int(k string, v int64) {
	o.key(k)
	o.b = strconv.AppendInt(o.b, v, 10)
}

func (o *jsonObject) bool(k string, v bool) {
	o.key(k)
	o.b = strconv.AppendBool(o.b, v)
}

// time appends t as encoding/json does (time.Time's MarshalJSON: RFC 3339 with nanoseconds).
func (o *jsonObject) time(k string, t time.Time) {
	o.key(k)
	o.b = append(o.b, '"')
	o.b = t.AppendFormat(o.b, time.RFC3339Nano)
	o.b = append(o.b, '"')
}

// nullable appends *v by put, or null when v is nil.
func nullable[T any](o *jsonObject, k string, v *T, put func(*jsonObject, string, T)) {
	if v == nil {
		o.key(k)
		o.b = append(o.b, "null"...)
		return
	}
	put(o, k, *v)
}

// raw appends JSON that is valid already (nil: null).
func (o *jsonObject) raw(k string, v []byte) {
	o.key(k)
	if v == nil {
		v = []byte("null")
	}
	o.b = append(o.b, v...)
}

// object appends a member that is an object, its members by members.
func (o *jsonObject) object(k string, members func(*jsonObject)) {
	o.key(k)
	e := jsonObject{b: append(o.b, '{')}
	members(&e)
	o.b = e.end()
}

// objects appends an array of n objects, the members of each by members (null when isNil).
func (o *jsonObject) objects(k string, isNil bool, n int, members func(e *jsonObject, i int)) {
	o.list(k, isNil, n, func(b []byte, i int) []byte {
		e := jsonObject{b: append(b, '{')}
		members(&e, i)
		return e.end()
	})
}

// list appends a JSON array of n elements, each by elem (null when isNil, as encoding/json
// writes a nil slice).
func (o *jsonObject) list(k string, isNil bool, n int, elem func(b []byte, i int) []byte) {
	o.key(k)
	if isNil {
		o.b = append(o.b, "null"...)
		return
	}
	o.b = append(o.b, '[')
	for i := range n {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = elem(o.b, i)
	}
	o.b = append(o.b, ']')
}
