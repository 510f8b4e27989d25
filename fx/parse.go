// Package fx reads currency reference rates and crosses them into conversion rates (SPEC
// section 2): Parse reads the files, a Table answers the rate of a day. It does no I/O of its
// own; the stores keep the rates (pactum.FXStore.PutFXRates) and the API and the CLI feed them.
package fx

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/pactum/pactum"
)

// Bounds on one file. The ECB's whole history since 1999 (eurofxref-hist.csv) is about 2 MB
// with some 200,000 values; the bounds leave room for years more and for the long layout's
// wordier lines, while refusing what no rates file is before it fills the memory.
const (
	MaxBytes   = 32 << 20
	MaxRates   = 1_000_000
	maxColumns = 256 // the ECB's files have about 45
)

// maxBytes is MaxBytes, lowered by tests.
var maxBytes int64 = MaxBytes

// ecbLongDate is how the ECB's daily file (eurofxref.csv) writes its day: "20 November 2026".
const ecbLongDate = "2 January 2006"

// Parsed is what Decode found in a file.
type Parsed struct {
	// Rates are ordered by date, then currency.
	Rates []pactum.FXRate
	// Skipped lists the columns of an ECB file whose currencies Pactum does not know, such as
	// the currencies the euro replaced before 2015 (CYP, SIT...) in the history file (HRK's
	// rates are kept, pactum.ValidRateCurrency), and EUR, the base:
	// they are left out, not refused, so that the ECB's files load as published.
	Skipped []string
}

// Parse reads rates in either of two CSV layouts:
//
//   - the ECB's own files, eurofxref.csv and eurofxref-hist.csv: a header "Date, USD, JPY, ..."
//     and one row per day, "N/A" (or nothing) where a currency has no rate that day;
//   - the long layout, one rate a line: date,currency,rate_per_EUR, with that header or without.
//
// Dates are YYYY-MM-DD, or "20 November 2026" as the ECB's daily file writes them. Each value is
// checked (pactum.FXRate.Validate); errors are *pactum.Error with a field naming the line and
// the column ("line 12, USD"). The same rate given twice is taken once; two different rates for
// one currency and day are an error.
func Parse(r io.Reader) ([]pactum.FXRate, error) {
	p, err := Decode(r)
	return p.Rates, err
}

// Decode is Parse that also says which ECB columns it skipped.
func Decode(r io.Reader) (Parsed, error) {
	lr := &limitedReader{r: r, left: maxBytes}
	cr := csv.NewReader(lr)
	cr.FieldsPerRecord = -1 // counted here, to name the line in the error
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	d := decoder{cr: cr, seen: make(map[rateKey]seenRate)}
	err := d.run()
	if errors.Is(err, errTooBig) {
		return Parsed{}, pactum.Errorf(pactum.EINVALID, "the file is larger than %d bytes; split it", maxBytes)
	} else if err != nil {
		return Parsed{}, err
	}
	if len(d.rates) == 0 {
		return Parsed{}, pactum.Errorf(pactum.EINVALID, `no rates found: want the ECB's CSV ("Date, USD, JPY, ...") or lines of date,currency,rate_per_EUR`)
	}
	slices.SortFunc(d.rates, compareRates)
	return Parsed{Rates: d.rates, Skipped: d.skipped}, nil
}

// ParseRate makes a rate of its three fields as a file or a request spells them. Errors name
// the fields as JSON does: date, currency, rate_per_eur.
func ParseRate(date, currency, rate string) (pactum.FXRate, error) {
	day, err := parseDay(date)
	if err != nil {
		return pactum.FXRate{}, err
	}
	perEUR, err := pactum.ParseDecimal(rate, "rate_per_eur")
	if err != nil {
		return pactum.FXRate{}, err
	}
	r := pactum.FXRate{Date: day, Currency: currency, PerEUR: perEUR}
	if err := r.Validate(); err != nil {
		return pactum.FXRate{}, err
	}
	return r, nil
}

// parseDay reads a date in either spelling.
func parseDay(s string) (time.Time, error) {
	if d, err := time.Parse(pactum.DateLayout, s); err == nil {
		return d, nil
	}
	if d, err := time.Parse(ecbLongDate, s); err == nil {
		return d, nil
	}
	return time.Time{}, pactum.FieldError("date", "%q is not a date such as \"2026-11-20\"", s)
}

type rateKey struct {
	day      int64
	currency string
}

// seenRate is where a rate of the file is, to tell a repeated rate from a conflicting one.
type seenRate struct {
	line  int
	index int // in decoder.rates
}

// decoder holds the state of one Decode.
type decoder struct {
	cr      *csv.Reader
	rates   []pactum.FXRate
	skipped []string
	seen    map[rateKey]seenRate
	line    int // of the record being read
}

// column is a column of an ECB file.
type column struct {
	currency string
	skip     bool // a currency Pactum does not know, or the trailing empty column
}

func (d *decoder) run() error {
	first, err := d.next()
	if err == io.EOF {
		return nil
	} else if err != nil {
		return err
	}
	if len(first) > 0 {
		// Spreadsheets save UTF-8 with a byte order mark.
		first[0] = strings.TrimPrefix(first[0], "\ufeff")
	}
	if !strings.EqualFold(strings.TrimSpace(first[0]), "date") {
		// The long layout without its header.
		if err := d.longRow(first); err != nil {
			return err
		}
		return d.long()
	}
	if len(first) == 3 && strings.EqualFold(strings.TrimSpace(first[1]), "currency") {
		if !strings.EqualFold(strings.TrimSpace(first[2]), "rate_per_eur") {
			return d.fieldError("column 3", "the header of the long layout is date,currency,rate_per_EUR, not %q", first[2])
		}
		return d.long()
	}
	cols, err := d.header(first)
	if err != nil {
		return err
	}
	return d.wide(cols)
}

// next reads one record, turning the CSV reader's syntax errors into errors that name the line.
func (d *decoder) next() ([]string, error) {
	rec, err := d.cr.Read()
	var pe *csv.ParseError
	if errors.As(err, &pe) && !errors.Is(err, errTooBig) {
		return nil, &pactum.Error{Code: pactum.EINVALID, Field: fmt.Sprintf("line %d, column %d", pe.Line, pe.Column),
			Message: "is not valid CSV: " + pe.Err.Error()}
	} else if err != nil && err != io.EOF {
		return nil, fmt.Errorf("read rates after line %d: %w", d.line, err)
	} else if err != nil {
		return nil, err
	}
	d.line, _ = d.cr.FieldPos(0)
	return rec, nil
}

// fieldError is an error about a column of the current line, or about the whole line if column
// is empty.
func (d *decoder) fieldError(column, format string, args ...any) error {
	field := fmt.Sprintf("line %d", d.line)
	if column != "" {
		field += ", " + column
	}
	return &pactum.Error{Code: pactum.EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// header reads the ECB's header: "Date", then one currency a column, and after the ECB's
// trailing comma an empty column.
func (d *decoder) header(rec []string) ([]column, error) {
	if len(rec) > maxColumns {
		return nil, d.fieldError("", "the header has %d columns; at most %d are read", len(rec), maxColumns)
	}
	if len(rec) < 2 || len(rec) == 2 && strings.TrimSpace(rec[1]) == "" {
		return nil, d.fieldError("column 2", "the header names no currency: want \"Date, USD, JPY, ...\"")
	}
	cols := make([]column, 0, len(rec)-1)
	seen := make(map[string]bool)
	for i, name := range rec[1:] {
		name = strings.TrimSpace(name)
		switch {
		case name == "" && i == len(rec)-2:
			cols = append(cols, column{skip: true})
			continue
		case !isCurrencyCode(name):
			return nil, d.fieldError(fmt.Sprintf("column %d", i+2), "%q is not a currency code such as \"USD\"", name)
		case seen[name]:
			return nil, d.fieldError(fmt.Sprintf("column %d", i+2), "%s is in the header twice", name)
		}
		seen[name] = true
		c := column{currency: name}
		// A withdrawn currency's column is read: its values after the day it was withdrawn are
		// N/A in the ECB's file, and a rate there would be refused by Validate.
		if _, withdrawn := pactum.WithdrawnCurrency(name); name == "EUR" || !pactum.ValidCurrency(name) && !withdrawn {
			c.skip = true
			d.skipped = append(d.skipped, name)
		}
		cols = append(cols, c)
	}
	return cols, nil
}

// isCurrencyCode reports whether s is spelled as an ISO 4217 code: three capital letters.
func isCurrencyCode(s string) bool {
	return len(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] >= 'A' && s[2] <= 'Z'
}

// wide reads the rows of an ECB file.
func (d *decoder) wide(cols []column) error {
	for {
		rec, err := d.next()
		if err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		// The ECB ends every line with a comma; a row that leaves out only that empty column is fine.
		if len(rec) != len(cols)+1 && !(len(rec) == len(cols) && cols[len(cols)-1].currency == "") {
			return d.fieldError("", "has %d columns, the header %d", len(rec), len(cols)+1)
		}
		day, err := parseDay(strings.TrimSpace(rec[0]))
		if err != nil {
			return d.fieldError("Date", "%s", pactum.ErrorMessage(err))
		}
		for i, v := range rec[1:] {
			c := cols[i]
			v = strings.TrimSpace(v)
			if v == "" || v == "N/A" || c.skip {
				continue
			}
			perEUR, err := pactum.ParseDecimal(v, "")
			r := pactum.FXRate{Date: day, Currency: c.currency, PerEUR: perEUR}
			if err == nil {
				err = r.Validate()
			}
			if err != nil {
				return d.fieldError(c.currency, "%s", pactum.ErrorMessage(err))
			}
			if err := d.add(r, c.currency); err != nil {
				return err
			}
		}
	}
}

// long reads the rest of a file in the long layout.
func (d *decoder) long() error {
	for {
		rec, err := d.next()
		if err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if err := d.longRow(rec); err != nil {
			return err
		}
	}
}

// longColumns are the long layout's columns as errors name them.
var longColumns = map[string]string{"date": "date", "currency": "currency", "rate_per_eur": "rate_per_EUR"}

func (d *decoder) longRow(rec []string) error {
	if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
		return nil
	}
	if len(rec) != 3 {
		return d.fieldError("", "has %d columns; want 3: date,currency,rate_per_EUR", len(rec))
	}
	r, err := ParseRate(strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1]), strings.TrimSpace(rec[2]))
	if err != nil {
		return d.fieldError(longColumns[pactum.ErrorField(err)], "%s", pactum.ErrorMessage(err))
	}
	return d.add(r, "rate_per_EUR")
}

// add appends r unless the file had it already.
func (d *decoder) add(r pactum.FXRate, column string) error {
	k := rateKey{day: r.Date.Unix(), currency: r.Currency}
	if prev, ok := d.seen[k]; ok {
		if d.rates[prev.index].PerEUR.Equal(r.PerEUR) {
			return nil
		}
		return d.fieldError(column, "a second rate for %s on %s; line %d has %s", r.Currency, r.Date.Format(pactum.DateLayout), prev.line, d.rates[prev.index].PerEUR)
	}
	if len(d.rates) == MaxRates {
		return d.fieldError(column, "the file has more than %d rates; split it", MaxRates)
	}
	d.seen[k] = seenRate{line: d.line, index: len(d.rates)}
	d.rates = append(d.rates, r)
	return nil
}

func compareRates(a, b pactum.FXRate) int {
	if c := a.Date.Compare(b.Date); c != 0 {
		return c
	}
	return strings.Compare(a.Currency, b.Currency)
}

var errTooBig = errors.New("fx: input too large")

// limitedReader fails with errTooBig past its bound, where io.LimitReader would end the input
// quietly and a cut file would load as if it were whole.
type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One byte more tells a file of exactly the bound from a longer one.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, errTooBig
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}
