package program

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/fx"
)

// Currency reference rates (SPEC section 2). An admin loads them; every role reads them and
// converts with them, since partners and advertisers see amounts in several currencies.

// FXRatesInput is a JSON load of rates.
type FXRatesInput struct {
	Rates []FXRateInput `json:"rates"`
}

// FXRateInput is one rate: how much of currency one euro buys on date.
type FXRateInput struct {
	Date       string `json:"date"`
	Currency   string `json:"currency"`
	RatePerEUR string `json:"rate_per_eur"`
}

// Parse checks the rates of a JSON load as fx.Parse checks a file's: each valid, and no two
// different rates for one currency and day.
func (in FXRatesInput) Parse() ([]pactum.FXRate, error) {
	if len(in.Rates) == 0 {
		return nil, pactum.FieldError("rates", "must list at least one rate")
	}
	type key struct {
		date     string
		currency string
	}
	seen := make(map[key]int)
	out := make([]pactum.FXRate, 0, len(in.Rates))
	for i, v := range in.Rates {
		field := fmt.Sprintf("rates[%d]", i)
		// Only the ISO spelling: fx.ParseRate also takes the ECB's "20 November 2026", which is
		// for its files.
		if _, err := pactum.ParseDate(v.Date, "date"); err != nil {
			return nil, pactum.WithFieldPrefix(err, field)
		}
		r, err := fx.ParseRate(v.Date, v.Currency, v.RatePerEUR)
		if err != nil {
			return nil, pactum.WithFieldPrefix(err, field)
		}
		k := key{v.Date, v.Currency}
		if j, ok := seen[k]; ok && !out[j].PerEUR.Equal(r.PerEUR) {
			return nil, pactum.FieldError(field+".rate_per_eur", "a second rate for %s on %s; rates[%d] has %s", v.Currency, v.Date, j, out[j].PerEUR)
		}
		seen[k] = len(out)
		out = append(out, r)
	}
	return out, nil
}

// PutFXRates stores rates, replacing those of the same day and currency, and returns how many.
// They are in force in this process when it returns; other processes reload on the change notice.
func (s *Service) PutFXRates(ctx context.Context, c Caller, rates []pactum.FXRate) (int, error) {
	if err := c.Allow("load currency rates", pactum.RoleAdmin); err != nil {
		return 0, err
	}
	n, err := s.store.PutFXRates(ctx, rates)
	if err != nil {
		return 0, err
	}
	if err := s.rates.Reload(ctx); err != nil {
		return 0, err
	}
	s.changed()
	return n, nil
}

// FXQuery selects stored rates: one currency, days from From to To (both inclusive), after the
// rate After (the cursor: newest first, then by currency), at most Limit.
type FXQuery struct {
	Currency string
	From, To time.Time
	After    *pactum.FXRate
	Limit    int
}

// ListFXRates lists the stored rates that match q, newest first, and whether there are more.
func (s *Service) ListFXRates(ctx context.Context, q FXQuery) (rates []pactum.FXRate, more bool, err error) {
	if q.Currency != "" {
		if err := checkCurrency("currency", q.Currency); err != nil {
			return nil, false, err
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return nil, false, pactum.FieldError("to", "must not be before from")
	}
	if q.Limit <= 0 || q.Limit > MaxPage {
		q.Limit = min(MaxPage, max(q.Limit, DefaultPage))
	}
	snap, err := s.rates.Snapshot(ctx)
	if err != nil {
		return nil, false, err
	}
	out := []pactum.FXRate{}
	for _, rate := range snap.Newest {
		switch {
		case !q.From.IsZero() && rate.Date.Before(q.From):
			return out, false, nil // newest first: the rest are older still
		case q.Currency != "" && rate.Currency != q.Currency,
			!q.To.IsZero() && rate.Date.After(q.To),
			q.After != nil && (rate.Date.After(q.After.Date) || rate.Date.Equal(q.After.Date) && rate.Currency <= q.After.Currency):
			continue
		case len(out) == q.Limit:
			return out, true, nil
		}
		out = append(out, rate)
	}
	return out, false, nil
}

// FXConversion is an amount converted from one currency into another on a day.
type FXConversion struct {
	From, To string
	Date     time.Time
	// Rate converts an amount in From into To: amount × rate, then rounded to To's minor unit.
	Rate decimal.Decimal
	// AsOf is the day of the reference rates used: Date, or the working day before.
	AsOf      time.Time
	Amount    decimal.Decimal
	Converted decimal.Decimal
}

// ConvertFX converts amount ("" for the rate alone) from one currency into another on day (the
// zero time: today).
func (s *Service) ConvertFX(ctx context.Context, from, to string, day time.Time, amount string) (FXConversion, error) {
	for _, f := range []struct{ name, code string }{{"from", from}, {"to", to}} {
		if f.code == "" {
			return FXConversion{}, pactum.FieldError(f.name, "is required: a currency code such as \"USD\"")
		}
		if err := checkCurrency(f.name, f.code); err != nil {
			return FXConversion{}, err
		}
	}
	if day.IsZero() {
		day = s.now().UTC().Truncate(24 * time.Hour)
	}
	out := FXConversion{From: from, To: to, Date: day}
	if amount != "" {
		var err error
		if out.Amount, err = pactum.ParseAmount(amount, from, "amount"); err != nil {
			return out, err
		}
	}
	snap, err := s.rates.Snapshot(ctx)
	if err != nil {
		return out, err
	}
	out.Converted, out.Rate, out.AsOf, err = snap.Table.Convert(out.Amount, from, to, day)
	return out, err
}
