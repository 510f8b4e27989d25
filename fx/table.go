package fx

import (
	"cmp"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

// MaxAgeDays is how many days before the day asked a rate may be and still be used. The ECB
// publishes no rates on weekends and TARGET holidays, and the longest such gap (Good Friday to
// Easter Monday) is four days; a week covers every gap plus a late load, while a feed that
// stopped being loaded fails within days instead of converting at ever older rates.
const MaxAgeDays = 7

// Places is the decimal places a cross rate is rounded to (half away from zero). It keeps at
// least five significant digits for every pair of currencies Pactum knows (the smallest rate,
// VND to KWD, is about 0.0000122), which is as many as the ECB publishes, and it is the rate
// recorded with a conversion: converting again with the recorded rate gives the same amount.
const Places = 10

// Table answers conversion rates from a set of reference rates. It is not changed after
// NewTable, so any number of goroutines may read it at once; to take new rates, build a new
// Table and swap it in.
type Table struct {
	byCurrency map[string][]point // ordered by day
}

type point struct {
	day    int64 // days since 1970-01-01
	perEUR decimal.Decimal
}

// NewTable returns a Table of rates, which need not be ordered. Of two rates for the same
// currency and day the later in rates wins; rates that are not positive are left out, since no
// amount can be converted with them.
func NewTable(rates []pactum.FXRate) *Table {
	t := &Table{byCurrency: make(map[string][]point)}
	for _, r := range rates {
		if !r.PerEUR.IsPositive() {
			continue
		}
		t.byCurrency[r.Currency] = append(t.byCurrency[r.Currency], point{day: dayNumber(r.Date), perEUR: r.PerEUR})
	}
	for c, ps := range t.byCurrency {
		// Stable, so that the later of two rates of a day stays the later and wins below.
		slices.SortStableFunc(ps, func(a, b point) int { return cmp.Compare(a.day, b.day) })
		out := ps[:0]
		for _, p := range ps {
			if n := len(out); n > 0 && out[n-1].day == p.day {
				out[n-1] = p
				continue
			}
			out = append(out, p)
		}
		t.byCurrency[c] = out
	}
	return t
}

// Rate returns the rate that converts an amount in from into to on day (its UTC calendar day):
// amount × rate. Each currency's rate is its latest on or before day, at most MaxAgeDays
// earlier; EUR is 1. The cross rate is perEUR(to) / perEUR(from), rounded to Places. asOf is
// the day of the older of the rates used (day itself when from is to, whose rate is exactly 1).
// A currency without a rate in that window is an ENOTFOUND error naming it and the day.
func (t *Table) Rate(from, to string, day time.Time) (rate decimal.Decimal, asOf time.Time, err error) {
	d := dayNumber(day)
	if from == to {
		return decimal.NewFromInt(1), fromDayNumber(d), nil
	}
	fromRate, fromDay, err := t.perEUR(from, d)
	if err != nil {
		return decimal.Zero, time.Time{}, err
	}
	toRate, toDay, err := t.perEUR(to, d)
	if err != nil {
		return decimal.Zero, time.Time{}, err
	}
	return toRate.DivRound(fromRate, Places), fromDayNumber(min(fromDay, toDay)), nil
}

// Convert converts amount in from into to with Rate, rounded to to's minor unit
// (pactum.Round), and returns the rate and its day as well, to be recorded with the result.
func (t *Table) Convert(amount decimal.Decimal, from, to string, day time.Time) (converted, rate decimal.Decimal, asOf time.Time, err error) {
	rate, asOf, err = t.Rate(from, to, day)
	if err != nil {
		return decimal.Zero, decimal.Zero, time.Time{}, err
	}
	return pactum.Round(amount.Mul(rate), to), rate, asOf, nil
}

// perEUR returns currency's rate in force on day d and the day it is from. The euro's rate is
// 1 on every day, so it never limits asOf.
func (t *Table) perEUR(currency string, d int64) (decimal.Decimal, int64, error) {
	if currency == "EUR" {
		return decimal.NewFromInt(1), d, nil
	}
	ps := t.byCurrency[currency]
	if len(ps) == 0 {
		return decimal.Zero, 0, pactum.Errorf(pactum.ENOTFOUND, "no %s rates are loaded, so none for %s", currency, fromDayNumber(d).Format(pactum.DateLayout))
	}
	// The first rate after d; the one before it is the latest on or before d.
	i, _ := slices.BinarySearchFunc(ps, d+1, func(p point, d int64) int { return cmp.Compare(p.day, d) })
	if i == 0 || ps[i-1].day < d-MaxAgeDays {
		return decimal.Zero, 0, pactum.Errorf(pactum.ENOTFOUND, "no %s rate on %s or in the %d days before", currency, fromDayNumber(d).Format(pactum.DateLayout), MaxAgeDays)
	}
	return ps[i-1].perEUR, ps[i-1].day, nil
}

const secondsPerDay = 24 * 60 * 60

// dayNumber returns the days from 1970-01-01 to t's UTC calendar day.
func dayNumber(t time.Time) int64 {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay
}

func fromDayNumber(d int64) time.Time { return time.Unix(d*secondsPerDay, 0).UTC() }
