package api

import (
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
	o := pactum.NewJSONObject(b)
	o.Int("id", v.ID)
	o.Int("offer_id", v.OfferID)
	o.Int("advertiser_id", v.AdvertiserID)
	o.Str("event", v.Event)
	pactum.JSONNullable(&o, "partner_id", v.PartnerID, (*pactum.JSONObject).Int)
	o.Str("click_id", v.ClickID)
	o.Str("order_id", v.OrderID)
	o.Str("currency", v.Currency)
	o.Str("amount", v.Amount)
	o.Objects("items", v.Items == nil, len(v.Items), func(e *pactum.JSONObject, i int) { v.Items[i].members(e) })
	o.Str("coupon", v.Coupon)
	o.Str("customer_id", v.CustomerID)
	o.Bool("new_customer", v.NewCustomer)
	o.Str("country", v.Country)
	o.Str("attribution", v.Attribution)
	o.Str("status", v.Status)
	o.Str("reason", v.Reason)
	o.Bool("held", v.Held)
	o.List("flags", v.Flags == nil, len(v.Flags), func(b []byte, i int) []byte { return pactum.AppendJSONString(b, v.Flags[i]) })
	o.Objects("reasons", v.Reasons == nil, len(v.Reasons), func(e *pactum.JSONObject, i int) {
		e.Str("code", v.Reasons[i].Code)
		e.Str("description", v.Reasons[i].Description)
	})
	o.Str("source", v.Source)
	o.Time("time", v.Time)
	o.Object("commission", v.Commission.members)
	o.Str("refunded_amount", v.RefundedAmount)
	o.Objects("refunds", v.Refunds == nil, len(v.Refunds), func(e *pactum.JSONObject, i int) { v.Refunds[i].members(e) })
	o.Time("created_at", v.CreatedAt)
	o.Time("updated_at", v.UpdatedAt)
	if v.Duplicate != nil {
		o.Bool("duplicate", *v.Duplicate)
	}
	if v.Error != nil {
		o.Object("error", func(e *pactum.JSONObject) {
			e.Str("code", v.Error.Code)
			e.Str("message", v.Error.Message)
		})
	}
	return o.End()
}

func (it *lineItemJSON) members(o *pactum.JSONObject) {
	o.Str("sku", it.SKU)
	o.Str("category", it.Category)
	o.Int("quantity", it.Quantity)
	o.Str("unit_price", it.UnitPrice)
	o.Str("discount", it.Discount)
	o.Int("refunded_quantity", it.RefundedQuantity)
}

func (c *commissionJSON) members(o *pactum.JSONObject) {
	o.Str("payout", c.Payout)
	if c.Revenue != nil {
		o.Str("revenue", *c.Revenue)
	}
	o.Raw("payout_breakdown", c.PayoutBreakdown)
	if len(c.RevenueBreakdown) > 0 {
		o.Raw("revenue_breakdown", c.RevenueBreakdown)
	}
	o.Str("partner_currency", c.PartnerCurrency)
	o.Str("partner_payout", c.PartnerPayout)
	pactum.JSONNullable(o, "fx_rate", c.FXRate, (*pactum.JSONObject).Str)
	pactum.JSONNullable(o, "approve_at", c.ApproveAt, (*pactum.JSONObject).Time)
	pactum.JSONNullable(o, "approved_at", c.ApprovedAt, (*pactum.JSONObject).Time)
	pactum.JSONNullable(o, "payout_id", c.PayoutID, (*pactum.JSONObject).Int)
}

func (r *refundJSON) members(o *pactum.JSONObject) {
	if r.ID != "" {
		o.Str("id", r.ID)
	}
	o.Time("time", r.Time)
	o.Str("amount", r.Amount)
	o.Objects("items", r.Items == nil, len(r.Items), func(e *pactum.JSONObject, i int) {
		e.Str("sku", r.Items[i].SKU)
		e.Int("quantity", r.Items[i].Quantity)
	})
	o.Str("payout_before", r.PayoutBefore)
	o.Str("payout_after", r.PayoutAfter)
	if r.RevenueBefore != nil {
		o.Str("revenue_before", *r.RevenueBefore)
	}
	if r.RevenueAfter != nil {
		o.Str("revenue_after", *r.RevenueAfter)
	}
}
