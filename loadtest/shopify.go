package loadtest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The order of shopify mode: ten lines, as Shopify's orders/create webhook carries them (with
// their price sets, taxes and discount allocations, so that a body weighs what a real one does,
// about 13 KB), 10% off each line by the discount code. The demo offer pays a fixed amount per
// unit of SHOE-9 and a percentage on the rest; every other order is a new customer's.
var shopifyLines = func() string {
	skus := []struct {
		sku, price, discount string
		qty                  int
	}{
		{"SHOE-9", "99.90", "9.99", 1}, {"SOCK-1", "9.95", "1.99", 2}, {"CAP-3", "24.00", "2.40", 1},
		{"TEE-4", "29.00", "2.90", 1}, {"BOTTLE-5", "14.50", "2.90", 2}, {"BAND-6", "6.00", "1.80", 3},
		{"GEL-7", "2.50", "1.00", 4}, {"LACE-8", "3.90", "0.39", 1}, {"INSOLE-9", "19.90", "1.99", 1},
		{"JACKET-10", "89.00", "8.90", 1},
	}
	var b strings.Builder
	for i, l := range skus {
		if i > 0 {
			b.WriteByte(',')
		}
		money := func(a string) string {
			return `{"shop_money":{"amount":"` + a + `","currency_code":"EUR"},"presentment_money":{"amount":"` + a + `","currency_code":"EUR"}}`
		}
		id := strconv.Itoa(866550311766439000 + i)
		fmt.Fprintf(&b, `{"id":%s,"admin_graphql_api_id":"gid://shopify/LineItem/%s","fulfillable_quantity":%d,`+
			`"fulfillment_service":"manual","fulfillment_status":null,"gift_card":false,"grams":300,"name":"Product %d",`+
			`"price":"%s","price_set":%s,"product_exists":true,"product_id":%d,"properties":[],"quantity":%d,`+
			`"requires_shipping":true,"sku":"%s","taxable":true,"title":"Product %d","total_discount":"0.00",`+
			`"total_discount_set":%s,"variant_id":%d,"variant_inventory_management":"shopify","variant_title":null,`+
			`"vendor":"Northwind","tax_lines":[{"channel_liable":false,"price":"1.00","price_set":%s,"rate":0.19,"title":"MwSt"}],`+
			`"duties":[],"discount_allocations":[{"amount":"%s","amount_set":%s,"discount_application_index":0}]}`,
			id, id, l.qty, i, l.price, money(l.price), 7513594+i, l.qty, l.sku, i, money("0.00"), 34505432+i,
			money("1.00"), l.discount, money(l.discount))
	}
	return b.String()
}()

// shopifyHead and shopifyTail surround an order's id and customer.
const shopifyHead = `{"id":`

const shopifyTail = `,"currency":"EUR","presentment_currency":"EUR","financial_status":"paid","test":false,` +
	`"confirmed":true,"created_at":"2026-11-20T11:02:13+01:00","email":"jon.doe@example.com","gateway":"shopify_payments",` +
	`"landing_site":"/products/trail-shoe?utm_source=instagram","name":"#1001","note":null,"note_attributes":[],` +
	`"source_name":"web","taxes_included":true,"total_price":"300.00","subtotal_price":"300.00","total_discounts":"33.86",` +
	`"billing_address":{"first_name":"Jon","last_name":"Doe","address1":"Hauptstr. 1","city":"Berlin","zip":"10115",` +
	`"country":"Germany","country_code":"DE"},"shipping_address":{"first_name":"Jon","last_name":"Doe",` +
	`"address1":"Hauptstr. 1","city":"Berlin","zip":"10115","country":"Germany","country_code":"DE"},` +
	`"shipping_lines":[{"id":1,"code":"Standard","price":"4.90","title":"Standard","tax_lines":[],"discount_allocations":[]}],` +
	`"discount_applications":[{"target_type":"line_item","type":"discount_code","value":"10.0","value_type":"percentage",` +
	`"allocation_method":"across","target_selection":"all","code":%s}],"discount_codes":[{"code":%s,"amount":"33.86","type":"percentage"}],` +
	`"line_items":[` + "%s" + `]}`

// shopifyOrders bounds the order numbers of one run, which its order ids count from a base of
// its own.
const shopifyOrders = 100_000_000

// newShopify sets c up for shopify mode: order ids of 18 digits, beyond 2^53 as Shopify's are,
// numbered from a base of the run's own.
func (c *conversions) newShopify(cfg Config, runID [4]byte) error {
	coupon, err := json.Marshal(cfg.Coupon)
	if err != nil {
		return err
	}
	c.shopify, c.secret = true, []byte(cfg.ShopSecret)
	c.base = 100_000_000_000_000_000 + int64(binary.BigEndian.Uint32(runID[:])%1_000_000_000)*shopifyOrders
	c.orderPrefix = "" // order ids are numbers: orderNumber subtracts the base
	tail := fmt.Sprintf(shopifyTail, coupon, coupon, shopifyLines)
	c.tail = `,"customer":{"id":115310627314723954,"orders_count":3}` + tail
	c.tailNew = `,"customer":{"id":115310627314723955,"orders_count":1}` + tail
	return nil
}

// shopifyNumber is n for an order id of this run: the base plus n.
func (c *conversions) shopifyNumber(orderID string) (int64, bool) {
	v, err := strconv.ParseInt(orderID, 10, 64)
	n := v - c.base
	return n, err == nil && n >= 0 && n < shopifyOrders
}

// appendShopify appends the JSON of order n to b.
func (c *conversions) appendShopify(b []byte, n int64) []byte {
	b = append(b, shopifyHead...)
	b = strconv.AppendInt(b, c.base+n, 10)
	if n%2 == 1 {
		return append(b, c.tailNew...)
	}
	return append(b, c.tail...)
}

// shopifyOrder returns the worker's request with its next order, signed, sent to its target's
// Config.Path as Shopify sends orders/create.
func (w *worker) shopifyOrder() *http.Request {
	r, c, ep := w.r, w.r.conv, w.ep
	if w.req == nil {
		u, _ := url.Parse(ep.prefix) // validated in withDefaults
		u.Path, u.RawPath, u.RawQuery, u.Fragment = "", "", "", ""
		u.Opaque = ep.basePath + strings.Join(r.parts, "")
		h := make(http.Header, 6)
		h.Set("Content-Type", "application/json")
		h.Set("X-Shopify-Topic", "orders/create")
		h.Set("X-Shopify-Shop-Domain", "northwind.myshopify.com")
		h.Set("X-Shopify-Api-Version", "2024-10")
		w.req = (&http.Request{
			Method: http.MethodPost, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h, Host: u.Host,
		}).WithContext(r.ctx)
		w.mac = hmac.New(sha256.New, c.secret)
	}
	if w.body == nil || !w.body.closed.Load() {
		w.body, w.buf = new(requestBody), nil
	}
	w.order = w.nextOrder
	w.nextOrder += c.stride
	w.buf = c.appendShopify(w.buf[:0], w.order)
	w.mac.Reset()
	w.mac.Write(w.buf)
	w.req.Header["X-Shopify-Hmac-Sha256"] = []string{base64.StdEncoding.EncodeToString(w.mac.Sum(nil))}
	w.req.Header["X-Shopify-Webhook-Id"] = []string{strconv.FormatInt(c.base+w.order, 36)}
	w.body.Reset(w.buf)
	w.body.closed.Store(false)
	w.req.Body = w.body
	w.req.ContentLength = int64(len(w.buf))
	return w.req
}

// newRunID draws the id that keeps a run's orders apart from earlier runs'.
func newRunID() ([4]byte, error) {
	var id [4]byte
	_, err := rand.Read(id[:])
	return id, err
}
