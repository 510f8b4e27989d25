package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/fx"
)

// Currency reference rates (SPEC section 2). An admin loads them; every role reads them and
// converts with them, since partners and advertisers see amounts in several currencies.

// registerFX mounts the currency rate endpoints.
func (a *API) registerFX(mux *http.ServeMux) {
	a.handle(mux, "POST /api/v1/fx-rates", a.putFXRates)
	a.handle(mux, "GET /api/v1/fx-rates", a.listFXRates)
	a.handle(mux, "GET /api/v1/fx-rates/convert", a.convertFX)
}

type fxRatesInput struct {
	Rates []fxRateInput `json:"rates"`
}

type fxRateInput struct {
	Date       string `json:"date"`
	Currency   string `json:"currency"`
	RatePerEUR string `json:"rate_per_eur"`
}

// parse checks the rates of a JSON body as Parse checks a file's: each valid, and no two
// different rates for one currency and day.
func (in fxRatesInput) parse() ([]pactum.FXRate, error) {
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

type fxLoadedJSON struct {
	Loaded int `json:"loaded"`
	// Skipped lists the columns of an ECB file whose currencies Pactum does not know.
	Skipped []string `json:"skipped_currencies,omitempty"`
}

// putFXRates loads rates from {"rates":[...]} or, with Content-Type text/csv, from a file in
// either layout fx.Parse reads.
func (a *API) putFXRates(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := c.allow("load currency rates", pactum.RoleAdmin); err != nil {
		return err
	}
	var rates []pactum.FXRate
	var skipped []string
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "text/csv":
		body, err := readBody(r)
		if err != nil {
			return err
		}
		parsed, err := fx.Decode(bytes.NewReader(body))
		if err != nil {
			return err
		}
		rates, skipped = parsed.Rates, parsed.Skipped
	case "", "application/json", "application/x-www-form-urlencoded":
		// The last is what `curl -d` sends: the body is JSON all the same, as on every other
		// endpoint, which do not look at the type at all.
		var in fxRatesInput
		if err := decode(r, &in); err != nil {
			return err
		}
		var err error
		if rates, err = in.parse(); err != nil {
			return err
		}
	default:
		return pactum.Errorf(pactum.EINVALID, "Content-Type %s is not read here: send application/json or text/csv", mediaType)
	}
	n, err := a.store.PutFXRates(r.Context(), rates)
	if err != nil {
		return err
	}
	// Reloaded before the answer, so that the caller reads what it loaded; other processes
	// reload on the change notice.
	if err := a.rates.Reload(r.Context()); err != nil {
		return err
	}
	a.changed()
	writeJSON(w, http.StatusOK, fxLoadedJSON{Loaded: n, Skipped: skipped})
	return nil
}

// readBody reads a body that is not JSON, with decode's answers to one too large or empty.
func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, pactum.Errorf(pactum.EINVALID, "request body is larger than %d bytes; load bigger files with pactum fx load", tooBig.Limit)
	} else if err != nil {
		return nil, pactum.Errorf(pactum.EINVALID, "could not read the request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, pactum.Errorf(pactum.EINVALID, "request body is empty")
	}
	return body, nil
}

// listFXRates lists the stored rates, newest first: ?currency= selects one currency, ?from= and
// ?to= (days, both inclusive) a range. The cursor is the date and currency of the last rate of
// the page before.
func (a *API) listFXRates(w http.ResponseWriter, r *http.Request, _ caller) error {
	q := r.URL.Query()
	currency := q.Get("currency")
	if currency != "" {
		if err := checkCurrency("currency", currency); err != nil {
			return err
		}
	}
	from, err := queryDate(r, "from")
	if err != nil {
		return err
	}
	to, err := queryDate(r, "to")
	if err != nil {
		return err
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return pactum.FieldError("to", "must not be before from")
	}
	limit, err := queryLimit(r)
	if err != nil {
		return err
	}
	var after *pactum.FXRate
	if s := q.Get("cursor"); s != "" {
		date, cur, _ := strings.Cut(s, ".")
		d, err := pactum.ParseDate(date, "cursor")
		if err != nil || !pactum.ValidCurrency(cur) {
			return pactum.FieldError("cursor", "is not a cursor from a previous answer")
		}
		after = &pactum.FXRate{Date: d, Currency: cur}
	}

	snap, err := a.rates.Snapshot(r.Context())
	if err != nil {
		return err
	}
	out := list[pactum.FXRate]{Data: []pactum.FXRate{}}
loop:
	for _, rate := range snap.Newest {
		switch {
		case !from.IsZero() && rate.Date.Before(from):
			break loop // newest first: the rest are older still
		case currency != "" && rate.Currency != currency,
			!to.IsZero() && rate.Date.After(to),
			after != nil && (rate.Date.After(after.Date) || rate.Date.Equal(after.Date) && rate.Currency <= after.Currency):
			continue
		case len(out.Data) == limit:
			last := out.Data[limit-1]
			out.NextCursor = last.Date.Format(pactum.DateLayout) + "." + last.Currency
			break loop
		}
		out.Data = append(out.Data, rate)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// queryDate parses an optional day filter such as ?from=2026-11-01.
func queryDate(r *http.Request, name string) (time.Time, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	return pactum.ParseDate(s, name)
}

// queryLimit parses ?limit= as readPage does, for a list whose cursor is not an id.
func queryLimit(r *http.Request) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return defaultLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, pactum.FieldError("limit", "must be a whole number from 1 to %d", maxLimit)
	}
	return min(n, maxLimit), nil
}

type fxConversionJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
	Date string `json:"date"`
	// Rate converts an amount in From into To: amount × rate, then rounded to To's minor unit.
	Rate string `json:"rate"`
	// AsOf is the day of the reference rates used: Date, or the working day before.
	AsOf      string `json:"as_of"`
	Amount    string `json:"amount,omitempty"`
	Converted string `json:"converted,omitempty"`
}

// convertFX answers the rate from one currency to another on a day (today by default) and, with
// ?amount=, the amount converted.
func (a *API) convertFX(w http.ResponseWriter, r *http.Request, _ caller) error {
	q := r.URL.Query()
	from, to := q.Get("from"), q.Get("to")
	for _, f := range []struct{ name, code string }{{"from", from}, {"to", to}} {
		if f.code == "" {
			return pactum.FieldError(f.name, "is required: a currency code such as \"USD\"")
		}
		if err := checkCurrency(f.name, f.code); err != nil {
			return err
		}
	}
	day, err := queryDate(r, "date")
	if err != nil {
		return err
	}
	if day.IsZero() {
		day = a.now().UTC().Truncate(24 * time.Hour)
	}
	var amount decimal.Decimal
	s := q.Get("amount")
	if s != "" {
		if amount, err = pactum.ParseAmount(s, from, "amount"); err != nil {
			return err
		}
	}
	snap, err := a.rates.Snapshot(r.Context())
	if err != nil {
		return err
	}
	converted, rate, asOf, err := snap.Table.Convert(amount, from, to, day)
	if err != nil {
		return err
	}
	out := fxConversionJSON{From: from, To: to, Date: day.Format(pactum.DateLayout), Rate: rate.String(), AsOf: asOf.Format(pactum.DateLayout)}
	if s != "" {
		out.Amount, out.Converted = pactum.FormatAmount(amount, from), pactum.FormatAmount(converted, to)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
