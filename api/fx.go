package api

import (
	"bytes"
	"mime"
	"net/http"
	"strings"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/fx"
	"github.com/pactum/pactum/program"
)

type fxLoadedJSON struct {
	Loaded int `json:"loaded"`
	// Skipped lists the columns of an ECB file whose currencies Pactum does not know.
	Skipped []string `json:"skipped_currencies,omitempty"`
}

// putFXRates loads rates from {"rates":[...]} or, with Content-Type text/csv, from a file in
// either layout fx.Parse reads.
func (a *API) putFXRates(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	var rates []pactum.FXRate
	var skipped []string
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "text/csv":
		body, err := readAll(r)
		if err != nil {
			return pactum.Errorf(pactum.EINVALID, "%s; load bigger files with pactum fx load", pactum.ErrorMessage(err))
		}
		if len(body) == 0 {
			return pactum.Errorf(pactum.EINVALID, "request body is empty")
		}
		parsed, err := fx.Decode(bytes.NewReader(body))
		if err != nil {
			return err
		}
		rates, skipped = parsed.Rates, parsed.Skipped
	case "", "application/json", "application/x-www-form-urlencoded":
		// The last is what `curl -d` sends: the body is JSON all the same, as on every other
		// endpoint, which do not look at the type at all.
		var in program.FXRatesInput
		if err := decode(r, &in); err != nil {
			return err
		}
		var err error
		if rates, err = in.Parse(); err != nil {
			return err
		}
	default:
		return pactum.Errorf(pactum.EINVALID, "Content-Type %s is not read here: send application/json or text/csv", mediaType)
	}
	n, err := a.program.PutFXRates(r.Context(), c, rates)
	return ok(w, fxLoadedJSON{Loaded: n, Skipped: skipped}, err)
}

// listFXRates lists the stored rates, newest first: ?currency= selects one currency, ?from= and
// ?to= (days, both inclusive) a range. The cursor is the date and currency of the last rate of
// the page before.
func (a *API) listFXRates(w http.ResponseWriter, r *http.Request, _ program.Caller) error {
	q := program.FXQuery{Currency: r.URL.Query().Get("currency")}
	var err error
	if q.From, err = queryDate(r, "from"); err != nil {
		return err
	}
	if q.To, err = queryDate(r, "to"); err != nil {
		return err
	}
	if q.Limit, err = queryLimit(r); err != nil {
		return err
	}
	if s := r.URL.Query().Get("cursor"); s != "" {
		date, cur, _ := strings.Cut(s, ".")
		d, err := pactum.ParseDate(date, "cursor")
		if err != nil || !pactum.ValidCurrency(cur) {
			return pactum.FieldError("cursor", "is not a cursor from a previous answer")
		}
		q.After = &pactum.FXRate{Date: d, Currency: cur}
	}
	rates, more, err := a.program.ListFXRates(r.Context(), q)
	if err != nil {
		return err
	}
	out := list[pactum.FXRate]{Data: rates}
	if more {
		last := rates[len(rates)-1]
		out.NextCursor = last.Date.Format(pactum.DateLayout) + "." + last.Currency
	}
	writeJSON(w, http.StatusOK, out)
	return nil
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
func (a *API) convertFX(w http.ResponseWriter, r *http.Request, _ program.Caller) error {
	q := r.URL.Query()
	day, err := queryDate(r, "date")
	if err != nil {
		return err
	}
	cv, err := a.program.ConvertFX(r.Context(), q.Get("from"), q.Get("to"), day, q.Get("amount"))
	if err != nil {
		return err
	}
	out := fxConversionJSON{From: cv.From, To: cv.To, Date: cv.Date.Format(pactum.DateLayout), Rate: cv.Rate.String(),
		AsOf: cv.AsOf.Format(pactum.DateLayout)}
	if q.Get("amount") != "" {
		out.Amount, out.Converted = pactum.FormatAmount(cv.Amount, cv.From), pactum.FormatAmount(cv.Converted, cv.To)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
