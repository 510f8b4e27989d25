package pactum

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// DateLayout is how a calendar day is written in rates files, in JSON and in query parameters.
const DateLayout = "2006-01-02"

// FXRate is one reference rate in the ECB's convention: one euro buys PerEUR units of Currency
// on Date ("1 EUR = 1.0512 USD"). Rates are quoted against the euro only; a rate between two
// other currencies is crossed through it (package fx).
type FXRate struct {
	Date     time.Time // UTC midnight of the day the rate is for
	Currency string
	PerEUR   decimal.Decimal
}

// fxRateJSON is how an FXRate travels: the day as "2026-11-20", the rate as an exact string.
type fxRateJSON struct {
	Date       string `json:"date"`
	Currency   string `json:"currency"`
	RatePerEUR string `json:"rate_per_eur"`
}

// MarshalJSON writes {"date":"2026-11-20","currency":"USD","rate_per_eur":"1.0512"}.
func (r FXRate) MarshalJSON() ([]byte, error) {
	return json.Marshal(fxRateJSON{Date: r.Date.UTC().Format(DateLayout), Currency: r.Currency, RatePerEUR: r.PerEURString()})
}

// UnmarshalJSON reads what MarshalJSON writes and checks it as Validate does.
func (r *FXRate) UnmarshalJSON(b []byte) error {
	var in fxRateJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	date, err := ParseDate(in.Date, "date")
	if err != nil {
		return err
	}
	rate, err := ParseDecimal(in.RatePerEUR, "rate_per_eur")
	if err != nil {
		return err
	}
	v := FXRate{Date: date, Currency: in.Currency, PerEUR: rate}
	if err := v.Validate(); err != nil {
		return err
	}
	*r = v
	return nil
}

// ParseDate parses a day written as DateLayout ("2026-11-20") into UTC midnight; field names the
// input in the error.
func ParseDate(s, field string) (time.Time, error) {
	d, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, FieldError(field, "%q is not a date such as \"2026-11-20\"", s)
	}
	return d, nil
}

// Validate checks a rate as every way in (files, the API, the stores) must: a day at UTC
// midnight, a currency Pactum keeps rates of that day for (ValidRateCurrency), and a positive rate. EUR is refused: it is the base, one
// euro per euro by definition, and a stored EUR row could only ever disagree with that. Errors
// name the fields as JSON does: date, currency, rate_per_eur.
func (r FXRate) Validate() error {
	if r.Date.IsZero() || r.Date.Location() != time.UTC || !r.Date.Equal(r.Date.Truncate(24*time.Hour)) {
		return FieldError("date", "must be a day at UTC midnight, not %s", r.Date)
	}
	switch {
	case r.Currency == "EUR":
		return FieldError("currency", "EUR is the base of the rates (1 by definition); leave it out")
	case !ValidRateCurrency(r.Currency, r.Date):
		if end, ok := WithdrawnCurrency(r.Currency); ok {
			return FieldError("currency", "%s was withdrawn on %s: its rates are taken for the days before only", r.Currency, end.Format(DateLayout))
		}
		return FieldError("currency", "%q is not a supported ISO 4217 currency code such as \"USD\"", r.Currency)
	}
	if !r.PerEUR.IsPositive() {
		return FieldError("rate_per_eur", "must be positive, not %s", r.PerEUR)
	}
	return nil
}

// PerEURString writes the rate with the digits it was given, trailing zeros included ("161.20",
// where decimal's String writes "161.2"), so that a stored and shown rate reads as published.
func (r FXRate) PerEURString() string {
	if exp := r.PerEUR.Exponent(); exp < 0 {
		return r.PerEUR.StringFixed(-exp)
	}
	return r.PerEUR.String()
}

// String renders a rate for messages and logs: "2026-11-20 USD 1.0512".
func (r FXRate) String() string {
	return fmt.Sprintf("%s %s %s", r.Date.UTC().Format(DateLayout), r.Currency, r.PerEURString())
}
