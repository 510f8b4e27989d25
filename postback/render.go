package postback

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/macro"
)

// Subject is what a delivery tells: the change (the conversion's status and figures right after
// it), the conversion it changed (its ids, which do not change), and the conversion's click if
// it is stored (its sub ids, source and device; zero without one).
type Subject struct {
	Change     pactum.Change
	Conversion pactum.Conversion
	Click      pactum.Visit
}

// Render makes the delivery of event to postback p about s: its URL with the macros expanded,
// the JSON body of a POST, and its idempotency key. The URL is in the form it is sent and
// signed in (url.URL.String); one that does not parse (which the checks of a saved template
// should make impossible) is kept as expanded, and its attempt fails in the delivery log
// rather than the delivery being lost or holding up the others.
func Render(p pactum.Postback, event string, s Subject, now time.Time) pactum.PostbackDelivery {
	vals := values(s)
	raw := string(macro.Compile(p.URL).Expand(nil, &vals))
	if u, err := url.Parse(raw); err == nil {
		raw = u.String()
	}
	d := pactum.PostbackDelivery{
		PostbackID: p.ID, PartnerID: p.PartnerID, ConversionID: s.Change.ConversionID, Position: s.Change.Position,
		Event: event, Method: p.Method, URL: raw, Status: pactum.DeliveryPending, NextAt: now, CreatedAt: now,
		IdempotencyKey: fmt.Sprintf("pb%d-c%d-%s-%d", p.ID, s.Change.ConversionID, strings.TrimPrefix(event, "conversion."), s.Change.Position),
	}
	if p.Method == "POST" {
		d.Body = body(event, s)
	}
	return d
}

// values are the macros of a delivery: section 3's, with {status}, {reason} and {commission}
// ({payout}) from the change.
func values(s Subject) macro.Values {
	c, cv, click := s.Change, s.Conversion, s.Click
	var v macro.Values
	v[macro.ClickID] = cv.ClickID
	v[macro.OfferID] = strconv.FormatInt(c.OfferID, 10)
	if c.PartnerID != 0 {
		v[macro.PartnerID] = strconv.FormatInt(c.PartnerID, 10)
	}
	for i := range 5 {
		v[macro.Sub1+macro.Name(i)] = click.Sub[i]
	}
	v[macro.Source] = click.Source
	v[macro.Country] = country(cv, click)
	v[macro.Device] = click.Device
	v[macro.Event] = cv.Event
	v[macro.OrderID] = cv.OrderID
	v[macro.Amount] = money(c.Amount, c.Currency)
	v[macro.Currency] = c.Currency
	v[macro.Payout] = money(c.Payout, c.Currency)
	v[macro.Coupon] = cv.Coupon
	if c.ConversionID != 0 {
		v[macro.ConversionID] = strconv.FormatInt(c.ConversionID, 10)
	}
	v[macro.Timestamp] = strconv.FormatInt(c.Time.Unix(), 10)
	v[macro.Status] = c.Status
	v[macro.Reason] = c.Reason
	return v
}

func country(cv pactum.Conversion, click pactum.Visit) string {
	if cv.Country != "" && cv.Country != "XX" {
		return cv.Country
	}
	return click.Country
}

func money(d decimal.Decimal, currency string) string {
	if currency == "" {
		return ""
	}
	return pactum.FormatAmount(d, currency)
}

// bodyJSON is the body of a POST postback: the event and the conversion as the change left it.
type bodyJSON struct {
	Event      string         `json:"event"`
	Time       time.Time      `json:"time"`
	Conversion conversionJSON `json:"conversion"`
}

type conversionJSON struct {
	ID             int64     `json:"id"`
	OfferID        int64     `json:"offer_id"`
	PartnerID      int64     `json:"partner_id"`
	Event          string    `json:"event"`
	ClickID        string    `json:"click_id"`
	OrderID        string    `json:"order_id"`
	Status         string    `json:"status"`
	Reason         string    `json:"reason"`
	Currency       string    `json:"currency"`
	Amount         string    `json:"amount"`
	Payout         string    `json:"payout"`
	RefundedAmount string    `json:"refunded_amount"`
	Coupon         string    `json:"coupon"`
	Country        string    `json:"country"`
	Sub1           string    `json:"sub1"`
	Sub2           string    `json:"sub2"`
	Sub3           string    `json:"sub3"`
	Sub4           string    `json:"sub4"`
	Sub5           string    `json:"sub5"`
	Source         string    `json:"source"`
	Device         string    `json:"device"`
	Time           time.Time `json:"time"`
}

// body is the JSON of a POST; its fields are strings, numbers and times, which always encode.
func body(event string, s Subject) string {
	c, cv, click := s.Change, s.Conversion, s.Click
	out := bodyJSON{Event: event, Time: c.Time.UTC(), Conversion: conversionJSON{
		ID: c.ConversionID, OfferID: c.OfferID, PartnerID: c.PartnerID, Event: cv.Event, ClickID: cv.ClickID,
		OrderID: cv.OrderID, Status: c.Status, Reason: c.Reason, Currency: c.Currency,
		Amount: money(c.Amount, c.Currency), Payout: money(c.Payout, c.Currency),
		RefundedAmount: money(c.RefundedAmount, c.Currency), Coupon: cv.Coupon, Country: country(cv, click),
		Sub1: click.Sub[0], Sub2: click.Sub[1], Sub3: click.Sub[2], Sub4: click.Sub[3], Sub5: click.Sub[4],
		Source: click.Source, Device: click.Device, Time: cv.Time.UTC(),
	}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(out)
	return strings.TrimSuffix(buf.String(), "\n")
}

// Sample is the subject of a test send: a made-up sale of 100.00 EUR earning 10.00, pending,
// on p's offer (or offer 0), so that a partner sees what its receiver will get.
func Sample(p pactum.Postback, now time.Time) Subject {
	now = now.UTC().Truncate(time.Second)
	return Subject{
		Change: pactum.Change{Kind: pactum.ChangeCreated, Time: now, OfferID: p.OfferID, PartnerID: p.PartnerID,
			Status: pactum.ConversionPending, Currency: "EUR", Amount: decimal.New(10000, -2), Payout: decimal.New(1000, -2)},
		Conversion: pactum.Conversion{Event: "purchase", ClickID: "TEST-CLICK-ID", OrderID: "TEST-ORDER", Time: now},
		Click:      pactum.Visit{Sub: [5]string{"test-sub1"}, Source: "test", Device: pactum.DeviceDesktop, Country: "DE"},
	}
}

// MaskURL returns raw with the values of query parameters whose names look like secrets
// (token, secret, key, password, auth, signature...) replaced by "***", for the delivery log:
// a partner's URL often carries its tracker's own token.
func MaskURL(raw string) string {
	base, query, ok := strings.Cut(raw, "?")
	if !ok {
		return raw
	}
	query, fragment, hasFragment := strings.Cut(query, "#")
	params := strings.Split(query, "&")
	for i, p := range params {
		name, _, hasValue := strings.Cut(p, "=")
		if hasValue && secretName(name) {
			params[i] = name + "=***"
		}
	}
	out := base + "?" + strings.Join(params, "&")
	if hasFragment {
		out += "#" + fragment
	}
	return out
}

func secretName(name string) bool {
	if n, err := url.QueryUnescape(name); err == nil {
		name = n
	}
	name = strings.ToLower(name)
	for _, s := range []string{"token", "secret", "key", "pass", "auth", "sig", "security", "session", "credential"} {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}
