// Package shop reads shops' order webhooks (Shopify, WooCommerce): it checks their signatures
// and maps their orders and refunds to what Pactum reports, without the store or HTTP, so that
// every parser of this untrusted input is a pure function a fuzz test can drive. Package program
// decides what to do with the result (report, refund, reject) for the advertiser the webhook
// authenticated.
//
// Amounts are read from the JSON text as decimals, never through floating point: a price sent
// as a JSON number keeps every digit it was written with, and one with more decimals than its
// currency has is refused, not rounded. Ids are kept as the text they were sent as, so an order
// id beyond 2^53 keeps every digit.
package shop

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

// Order is a shop's order as Pactum reports it.
type Order struct {
	ID       string
	Currency string
	Items    []pactum.LineItem
	// Coupons are the order's discount codes, in the shop's order; the first one bound to a
	// partner attributes the sale.
	Coupons     []string
	ClickID     string
	CustomerID  string
	NewCustomer bool
	Country     string
}

// Refund is a refund of some of an order's lines.
type Refund struct {
	// ID names the refund for Pactum ("shopify-1234"), so that a refund sent twice is applied once.
	ID      string
	OrderID string
	Items   []pactum.RefundItem
}

// Verify reports whether signature is the base64 HMAC-SHA256 of body with secret, as Shopify
// (X-Shopify-Hmac-Sha256) and WooCommerce (X-WC-Webhook-Signature) sign webhooks. The
// comparison takes the same time wherever the signatures differ.
func Verify(body []byte, secret, signature string) bool {
	if secret == "" || signature == "" {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(signature))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// Sign returns the signature Verify accepts: for tests, benchmarks and the docs' examples.
func Sign(body []byte, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// unmappable is the error of a webhook that cannot be mapped to a conversion: 422 with the
// reason, naming the place in the shop's JSON (SPEC section 12).
func unmappable(field, format string, args ...any) error {
	return pactum.PreconditionError(field, format, args...)
}

// decode reads a webhook body into v: valid UTF-8 only (a replaced byte could change an id),
// numbers kept as their text, one JSON value.
func decode(body []byte, v any) error {
	if !utf8.Valid(body) {
		return unmappable("", "the webhook body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return unmappable("", "the webhook body is not the JSON expected: %s", jsonProblem(err))
	}
	return nil
}

// jsonProblem says what encoding/json found, naming the field where it can.
func jsonProblem(err error) string {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) && typ.Field != "" {
		return fmt.Sprintf("%s is %s", typ.Field, typ.Value)
	}
	return err.Error()
}

// text is a JSON string or number kept as its text: ids and prices arrive as either.
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*t = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		*t = text(b)
	default:
		return fmt.Errorf("%.20s is not a string or a number", b)
	}
	return nil
}

// id reads an id the shop gives: digits (or a string) that are not empty.
func id(t text, field string) (string, error) {
	s := strings.TrimSpace(string(t))
	if s == "" || s == "0" {
		return "", unmappable(field, "is missing")
	}
	if err := pactum.CheckText(field, s, pactum.MaxID); err != nil {
		return "", unmappable(field, "%s", pactum.ErrorMessage(err))
	}
	return s, nil
}

// amount reads money in currency: a decimal with at most the currency's digits once trailing
// zeros are dropped ("1200.00" is 1200 JPY, "12.345" is refused in EUR), not negative.
func amount(t text, currency, field string) (decimal.Decimal, error) {
	s := strings.TrimSpace(string(t))
	if s == "" {
		return decimal.Zero, nil
	}
	d, err := pactum.ParseDecimal(s, field)
	if err != nil {
		return d, unmappable(field, "%s", pactum.ErrorMessage(err))
	}
	if !d.Equal(pactum.Round(d, currency)) {
		return d, unmappable(field, "%s has more decimals than %s allows (%d)", s, currency, pactum.MinorUnits(currency))
	}
	if d.IsNegative() {
		return d, unmappable(field, "must not be negative, not %s", s)
	}
	return pactum.Round(d, currency), nil
}

// quantity reads a line's quantity.
func quantity(n json.Number, field string) (int64, error) {
	q, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil || q < 0 || q > 1_000_000_000 {
		return 0, unmappable(field, "must be a whole number of units, not %q", string(n))
	}
	return q, nil
}

// alias is another name of a line than its SKU: an id of the shop's, with a prefix saying which.
type alias struct {
	prefix string
	id     text
}

// sku names a line for Pactum: its SKU, else the first of its other names the shop gave
// (variant, product or line id), so that lines without a SKU can still be told apart and
// refunded.
func sku(s string, aliases ...alias) string {
	if s = strings.TrimSpace(s); s != "" {
		return s
	}
	for _, a := range aliases {
		if v := strings.TrimSpace(string(a.id)); v != "" && v != "0" {
			return a.prefix + v
		}
	}
	return ""
}

// clickParams are the query parameters a landing URL may carry the click id in: the names
// sdk.js reads.
var clickParams = []string{"click_id", "clickid", "transaction_id", "pactum_click_id"}

// clickFromURL reads a click id from a landing URL or path ("/?click_id=..."), or "".
func clickFromURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return ""
	}
	q := u.Query()
	for _, name := range clickParams {
		if v := q.Get(name); v != "" {
			return v
		}
	}
	return ""
}

// clickAttribute reports whether a note attribute or meta key names the click id.
func clickAttribute(name string) bool {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "pactum_click_id", "_pactum_click_id", "click_id", "clickid":
		return true
	}
	return false
}
