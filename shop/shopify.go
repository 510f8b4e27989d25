package shop

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

// Shopify's webhook topics that Pactum acts on (X-Shopify-Topic).
const (
	ShopifyOrdersCreate  = "orders/create"
	ShopifyOrdersPaid    = "orders/paid"
	ShopifyRefundsCreate = "refunds/create"
)

// shopifyOrder is the part of Shopify's Order resource (REST Admin API, the body of orders/create
// and orders/paid) that Pactum reads.
type shopifyOrder struct {
	ID            text   `json:"id"`
	Currency      string `json:"currency"`
	Test          bool   `json:"test"`
	LandingSite   string `json:"landing_site"`
	DiscountCodes []struct {
		Code string `json:"code"`
	} `json:"discount_codes"`
	NoteAttributes []struct {
		Name  string `json:"name"`
		Value text   `json:"value"`
	} `json:"note_attributes"`
	Customer *struct {
		ID          text         `json:"id"`
		OrdersCount *json.Number `json:"orders_count"`
	} `json:"customer"`
	BillingAddress *struct {
		CountryCode string `json:"country_code"`
	} `json:"billing_address"`
	ShippingAddress *struct {
		CountryCode string `json:"country_code"`
	} `json:"shipping_address"`
	LineItems []shopifyLine `json:"line_items"`
}

type shopifyLine struct {
	ID                  text        `json:"id"`
	VariantID           text        `json:"variant_id"`
	ProductID           text        `json:"product_id"`
	SKU                 string      `json:"sku"`
	Quantity            json.Number `json:"quantity"`
	Price               text        `json:"price"`
	DiscountAllocations []struct {
		Amount text `json:"amount"`
	} `json:"discount_allocations"`
}

// sku is how Pactum names the line: its SKU, else its variant, product or line id.
func (l shopifyLine) sku() string {
	return sku(l.SKU, alias{"variant-", l.VariantID}, alias{"product-", l.ProductID}, alias{"line-", l.ID})
}

// ParseShopifyOrder reads the body of orders/create or orders/paid. Each line is its SKU,
// quantity and price (the shop's currency) with its discount allocations (the codes and
// automatic discounts that went to it) as the line's discount; lines of no units are left out.
// The click id comes from the note attributes the storefront snippet sets (pactum_click_id),
// else from the landing URL; the customer is new when Shopify counts at most this one order of
// theirs. test reports an order Shopify marks as a test.
func ParseShopifyOrder(body []byte) (o Order, test bool, err error) {
	var in shopifyOrder
	if err := decode(body, &in); err != nil {
		return o, false, err
	}
	if o.ID, err = id(in.ID, "id"); err != nil {
		return o, false, err
	}
	o.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	if !pactum.ValidCurrency(o.Currency) {
		return o, false, unmappable("currency", "%q is not a currency Pactum knows", in.Currency)
	}
	for i, l := range in.LineItems {
		field := fmt.Sprintf("line_items[%d]", i)
		q, err := quantity(l.Quantity, field+".quantity")
		if err != nil {
			return o, false, err
		}
		if q == 0 {
			continue
		}
		price, err := amount(l.Price, o.Currency, field+".price")
		if err != nil {
			return o, false, err
		}
		discount := decimal.Zero
		for j, a := range l.DiscountAllocations {
			d, err := amount(a.Amount, o.Currency, fmt.Sprintf("%s.discount_allocations[%d].amount", field, j))
			if err != nil {
				return o, false, err
			}
			discount = discount.Add(d)
		}
		line := pactum.LineItem{SKU: l.sku(), Quantity: q, UnitPrice: price, Discount: discount}
		if line.SKU == "" {
			return o, false, unmappable(field+".sku", "the line has no SKU, variant, product or line id")
		}
		o.Items = append(o.Items, line)
	}
	if len(o.Items) == 0 {
		return o, false, unmappable("line_items", "the order has no line with units")
	}
	for _, c := range in.DiscountCodes {
		if code := strings.TrimSpace(c.Code); code != "" {
			o.Coupons = append(o.Coupons, code)
		}
	}
	for _, a := range in.NoteAttributes {
		if clickAttribute(a.Name) && strings.TrimSpace(string(a.Value)) != "" {
			o.ClickID = strings.TrimSpace(string(a.Value))
			break
		}
	}
	if o.ClickID == "" {
		o.ClickID = clickFromURL(in.LandingSite)
	}
	if c := in.Customer; c != nil {
		o.CustomerID = strings.TrimSpace(string(c.ID))
		if c.OrdersCount != nil {
			n, err := c.OrdersCount.Int64()
			o.NewCustomer = err == nil && n <= 1
		}
	}
	switch {
	case in.BillingAddress != nil && in.BillingAddress.CountryCode != "":
		o.Country = in.BillingAddress.CountryCode
	case in.ShippingAddress != nil:
		o.Country = in.ShippingAddress.CountryCode
	}
	return o, in.Test, nil
}

// shopifyRefund is the part of Shopify's Refund resource (the body of refunds/create) that
// Pactum reads.
type shopifyRefund struct {
	ID              text `json:"id"`
	OrderID         text `json:"order_id"`
	RefundLineItems []struct {
		Quantity json.Number `json:"quantity"`
		LineItem shopifyLine `json:"line_item"`
	} `json:"refund_line_items"`
}

// ParseShopifyRefund reads the body of refunds/create: the refunded units of each line, named
// as ParseShopifyOrder names them. A refund of no line (shipping, an amount by hand) has no
// items: it changes no commission.
func ParseShopifyRefund(body []byte) (Refund, error) {
	var in shopifyRefund
	var r Refund
	if err := decode(body, &in); err != nil {
		return r, err
	}
	refundID, err := id(in.ID, "id")
	if err != nil {
		return r, err
	}
	r.ID = "shopify-" + refundID
	if r.OrderID, err = id(in.OrderID, "order_id"); err != nil {
		return r, err
	}
	for i, rl := range in.RefundLineItems {
		field := fmt.Sprintf("refund_line_items[%d]", i)
		q, err := quantity(rl.Quantity, field+".quantity")
		if err != nil {
			return r, err
		}
		s := rl.LineItem.sku()
		if s == "" {
			return r, unmappable(field+".line_item", "names no line: no SKU, variant, product or line id")
		}
		if q > 0 {
			r.Items = addUnits(r.Items, s, q)
		}
	}
	return r, nil
}

// addUnits adds q units of sku to items, merging lines of one SKU.
func addUnits(items []pactum.RefundItem, sku string, q int64) []pactum.RefundItem {
	for i := range items {
		if items[i].SKU == sku {
			items[i].Quantity += q
			return items
		}
	}
	return append(items, pactum.RefundItem{SKU: sku, Quantity: q})
}
