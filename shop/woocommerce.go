package shop

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

// WooCommerce's webhook topics that Pactum acts on (X-WC-Webhook-Topic).
const (
	WooOrderCreated = "order.created"
	WooOrderUpdated = "order.updated"
)

// WooCommerce order statuses (REST API v3).
const (
	WooPending    = "pending"
	WooProcessing = "processing"
	WooOnHold     = "on-hold"
	WooCompleted  = "completed"
	WooCancelled  = "cancelled"
	WooRefunded   = "refunded"
	WooFailed     = "failed"
)

// WooOrder is a WooCommerce order: what Pactum reports, and what says where the order is in its
// life.
type WooOrder struct {
	Order
	Status string
	// Total is what the customer paid in all (lines, shipping, fees, taxes), against which a
	// refund's share is measured.
	Total   decimal.Decimal
	Refunds []WooRefund
}

// WooRefund is one of an order's refunds: WooCommerce's order gives only its total.
type WooRefund struct {
	ID     string // "woocommerce-<id>"
	Amount decimal.Decimal
}

// wooOrder is the part of WooCommerce's order (REST API v3, the body of order.created and
// order.updated) that Pactum reads.
type wooOrder struct {
	ID         text   `json:"id"`
	Status     string `json:"status"`
	Currency   string `json:"currency"`
	Total      text   `json:"total"`
	CustomerID text   `json:"customer_id"`
	Billing    *struct {
		Country string `json:"country"`
	} `json:"billing"`
	MetaData []struct {
		Key   string          `json:"key"`
		Value json.RawMessage `json:"value"`
	} `json:"meta_data"`
	LineItems []struct {
		ID          text        `json:"id"`
		ProductID   text        `json:"product_id"`
		VariationID text        `json:"variation_id"`
		SKU         string      `json:"sku"`
		Quantity    json.Number `json:"quantity"`
		Subtotal    text        `json:"subtotal"`
		Total       text        `json:"total"`
	} `json:"line_items"`
	CouponLines []struct {
		Code string `json:"code"`
	} `json:"coupon_lines"`
	Refunds []struct {
		ID    text `json:"id"`
		Total text `json:"total"`
	} `json:"refunds"`
}

// ParseWooOrder reads the body of order.created or order.updated. A line is its SKU (else its
// variation or product id) and quantity, its unit price the line's subtotal (before coupons,
// without tax) divided by the quantity, and its discount what coupons took off the line
// (subtotal − total). A subtotal that does not divide into whole cents is rounded up to the
// cent per unit and the difference added to the discount, so that the line's net amount is
// exactly the shop's total. The click id comes from the order's meta data pactum_click_id
// (which the checkout snippet stores); coupons from coupon_lines; refunds with their totals.
func ParseWooOrder(body []byte) (WooOrder, error) {
	var in wooOrder
	var o WooOrder
	if err := decode(body, &in); err != nil {
		return o, err
	}
	var err error
	if o.ID, err = id(in.ID, "id"); err != nil {
		return o, err
	}
	o.Status = strings.TrimSpace(in.Status)
	o.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	if !pactum.ValidCurrency(o.Currency) {
		return o, unmappable("currency", "%q is not a currency Pactum knows", in.Currency)
	}
	if o.Total, err = amount(in.Total, o.Currency, "total"); err != nil {
		return o, err
	}
	for i, l := range in.LineItems {
		field := fmt.Sprintf("line_items[%d]", i)
		q, err := quantity(l.Quantity, field+".quantity")
		if err != nil {
			return o, err
		}
		if q == 0 {
			continue
		}
		subtotal, err := amount(l.Subtotal, o.Currency, field+".subtotal")
		if err != nil {
			return o, err
		}
		total, err := amount(l.Total, o.Currency, field+".total")
		if err != nil {
			return o, err
		}
		line := pactum.LineItem{SKU: sku(l.SKU, alias{"variation-", l.VariationID}, alias{"product-", l.ProductID}, alias{"line-", l.ID}), Quantity: q}
		if line.SKU == "" {
			return o, unmappable(field+".sku", "the line has no SKU, variation, product or line id")
		}
		line.UnitPrice, line.Discount = unitPrice(subtotal, total, q, o.Currency)
		o.Items = append(o.Items, line)
	}
	if len(o.Items) == 0 {
		return o, unmappable("line_items", "the order has no line with units")
	}
	for _, c := range in.CouponLines {
		if code := strings.TrimSpace(c.Code); code != "" {
			o.Coupons = append(o.Coupons, code)
		}
	}
	for _, m := range in.MetaData {
		var v string
		if clickAttribute(m.Key) && json.Unmarshal(m.Value, &v) == nil && strings.TrimSpace(v) != "" {
			o.ClickID = strings.TrimSpace(v)
			break
		}
	}
	if c := strings.TrimSpace(string(in.CustomerID)); c != "" && c != "0" { // 0 is a guest
		o.CustomerID = c
	}
	if in.Billing != nil {
		o.Country = in.Billing.Country
	}
	for i, r := range in.Refunds {
		field := fmt.Sprintf("refunds[%d]", i)
		rid, err := id(r.ID, field+".id")
		if err != nil {
			return o, err
		}
		// WooCommerce writes refund totals negative ("-10.00").
		a, err := amount(text(strings.TrimPrefix(strings.TrimSpace(string(r.Total)), "-")), o.Currency, field+".total")
		if err != nil {
			return o, err
		}
		o.Refunds = append(o.Refunds, WooRefund{ID: "woocommerce-" + rid, Amount: a})
	}
	return o, nil
}

// unitPrice splits a line of q units, subtotal before coupons and total after, into a unit
// price and the line's discount such that q × price − discount = total exactly.
func unitPrice(subtotal, total decimal.Decimal, q int64, currency string) (price, discount decimal.Decimal) {
	n := decimal.NewFromInt(q)
	price = subtotal.Div(n)
	if !price.Mul(n).Equal(subtotal) || !price.Equal(pactum.Round(price, currency)) {
		unit := decimal.New(1, -pactum.MinorUnits(currency))
		price = subtotal.Div(n).Div(unit).Ceil().Mul(unit)
	}
	return price, price.Mul(n).Sub(total)
}

// IsWooPing reports whether a webhook is the ping WooCommerce sends when a webhook is saved: a
// short form body webhook_id=N, unsigned.
func IsWooPing(body []byte) bool {
	if len(body) > 64 {
		return false
	}
	v, err := url.ParseQuery(string(body))
	id := v.Get("webhook_id")
	return err == nil && len(v) == 1 && id != "" && strings.Trim(id, "0123456789") == ""
}
