package fx_test

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/fx"
)

// ecbDaily is eurofxref.csv as the ECB publishes it: spaces after the commas, the long date, a
// trailing comma on each line.
const ecbDaily = "Date, USD, JPY, BGN, CZK, DKK, GBP, HUF, PLN, RON, SEK, CHF, ISK, NOK, TRY, AUD, BRL, CAD, CNY, HKD, IDR, ILS, INR, KRW, MXN, MYR, NZD, PHP, SGD, THB, ZAR, \n" +
	"20 November 2026, 1.0512, 161.85, 1.9558, 25.193, 7.4582, 0.8321, 409.13, 4.3310, 4.9768, 11.5115, 0.9312, 146.50, 11.7445, 36.452, 1.6170, 6.0952, 1.4701, 7.6059, 8.1807, 16777.82, 3.9317, 88.8355, 1468.36, 21.3744, 4.6912, 1.7967, 61.873, 1.4110, 36.388, 19.0512, \n"

// ecbHistory is in the layout of eurofxref-hist.csv: newest first, ISO dates, N/A where a
// currency had no rate, and columns of currencies the euro replaced.
const ecbHistory = "Date,USD,JPY,CYP,HRK,RUB,ISK,GBP,\n" +
	"2026-11-20,1.0512,161.85,N/A,N/A,N/A,146.50,0.8321,\n" +
	"2026-11-19,1.0498,161.20,N/A,N/A,N/A,N/A,0.8307,\n" +
	"2008-01-02,1.4708,165.61,0.5842,7.3108,36.0400,92.54,0.74355,\n"

func day(s string) time.Time {
	d, err := time.Parse(pactum.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return d
}

func rate(date, currency, perEUR string) pactum.FXRate {
	return pactum.FXRate{Date: day(date), Currency: currency, PerEUR: decimal.RequireFromString(perEUR)}
}

// wantRates fails t unless got and want hold the same rates in the same order.
func wantRates(t *testing.T, got, want []pactum.FXRate) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rates, want %d:\n got %v\nwant %v", len(got), len(want), got, want)
	}
	for i := range got {
		g, w := got[i], want[i]
		if !g.Date.Equal(w.Date) || g.Date.Location() != time.UTC || g.Currency != w.Currency || !g.PerEUR.Equal(w.PerEUR) {
			t.Fatalf("rate %d = %v, want %v", i, g, w)
		}
	}
}

func TestFXParseECBDaily(t *testing.T) {
	p, err := fx.Decode(strings.NewReader(ecbDaily))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rates) != 30 || len(p.Skipped) != 0 {
		t.Fatalf("%d rates, skipped %v; want 30 and none", len(p.Rates), p.Skipped)
	}
	byCurrency := make(map[string]pactum.FXRate)
	for _, r := range p.Rates {
		byCurrency[r.Currency] = r
	}
	wantRates(t, []pactum.FXRate{byCurrency["USD"], byCurrency["JPY"], byCurrency["IDR"], byCurrency["PLN"]}, []pactum.FXRate{
		rate("2026-11-20", "USD", "1.0512"), rate("2026-11-20", "JPY", "161.85"),
		rate("2026-11-20", "IDR", "16777.82"), rate("2026-11-20", "PLN", "4.331"),
	})
}

func TestFXParseECBHistory(t *testing.T) {
	p, err := fx.Decode(strings.NewReader(ecbHistory))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(p.Skipped) != "[CYP]" {
		t.Errorf("skipped %v, want the columns of currencies Pactum does not know", p.Skipped)
	}
	// Ordered by date, then currency; N/A and unknown columns left out. RUB is a currency, and
	// HRK's rates are kept for the days before the euro replaced it.
	wantRates(t, p.Rates, []pactum.FXRate{
		rate("2008-01-02", "GBP", "0.74355"), rate("2008-01-02", "HRK", "7.3108"), rate("2008-01-02", "ISK", "92.54"),
		rate("2008-01-02", "JPY", "165.61"), rate("2008-01-02", "RUB", "36.0400"), rate("2008-01-02", "USD", "1.4708"),
		rate("2026-11-19", "GBP", "0.8307"), rate("2026-11-19", "JPY", "161.20"), rate("2026-11-19", "USD", "1.0498"),
		rate("2026-11-20", "GBP", "0.8321"), rate("2026-11-20", "ISK", "146.50"),
		rate("2026-11-20", "JPY", "161.85"), rate("2026-11-20", "USD", "1.0512"),
	})
}

func TestFXParseLong(t *testing.T) {
	want := []pactum.FXRate{rate("2026-11-19", "USD", "1.0498"), rate("2026-11-20", "JPY", "161.85"), rate("2026-11-20", "USD", "1.0512")}
	for name, in := range map[string]string{
		"header":           "date,currency,rate_per_EUR\n2026-11-20,USD,1.0512\n2026-11-20,JPY,161.85\n2026-11-19,USD,1.0498\n",
		"no header":        "2026-11-20,USD,1.0512\n2026-11-20,JPY,161.85\n2026-11-19,USD,1.0498",
		"CRLF, BOM, blank": "\ufeffDate, Currency, Rate_per_EUR\r\n\r\n2026-11-20, USD, 1.0512\r\n2026-11-20,JPY,161.85\r\n   \r\n2026-11-19,USD,1.0498\r\n",
		"quoted":           "\"date\",\"currency\",\"rate_per_EUR\"\n\"2026-11-20\",\"USD\",\"1.0512\"\n2026-11-20,JPY,161.85\n2026-11-19,USD,1.0498\n",
		"long dates":       "19 November 2026,USD,1.0498\n20 November 2026,JPY,161.85\n2026-11-20,USD,1.0512\n",
		"same rate twice":  "2026-11-20,USD,1.0512\n2026-11-20,JPY,161.85\n2026-11-19,USD,1.0498\n2026-11-20,USD,1.05120\n",
	} {
		t.Run(name, func(t *testing.T) {
			got, err := fx.Parse(strings.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			wantRates(t, got, want)
		})
	}
}

func TestFXParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in, field, message string
	}{
		{"empty", "", "", "no rates found"},
		{"header only", "Date, USD, JPY, \n", "", "no rates found"},
		{"all N/A", "Date,USD,\n2026-11-20,N/A,\n", "", "no rates found"},
		{"unknown currency", "2026-11-20,USD,1.0512\n2026-11-20,XYZ,3\n", "line 2, currency", `"XYZ" is not a supported`},
		{"lower-case currency", "2026-11-20,usd,1.0512\n", "line 1, currency", `"usd"`},
		{"HRK after the euro", "2022-12-30,HRK,7.5365\n2023-01-02,HRK,7.5345\n", "line 2, currency", "HRK was withdrawn on 2023-01-01"},
		{"HRK after the euro, ECB layout", "Date,HRK,\n2023-01-02,7.5345,\n", "line 2, HRK", "HRK was withdrawn"},
		{"EUR row", "date,currency,rate_per_EUR\n2026-11-20,EUR,1\n", "line 2, currency", "EUR is the base"},
		{"zero rate", "2026-11-20,USD,0\n", "line 1, rate_per_EUR", "must be positive"},
		{"negative rate", "Date, USD, JPY, \n20 November 2026, 1.0512, -161.85, \n", "line 2, JPY", "must be positive"},
		{"not a number", "Date,USD,JPY,\n2026-11-20,1.0512,lots,\n", "line 2, JPY", `"lots" is not a decimal`},
		{"exponent", "2026-11-20,USD,1e3\n", "line 1, rate_per_EUR", "not a decimal"},
		{"bad date", "2026-11-20,USD,1.0512\n2026-13-01,USD,1.05\n", "line 2, date", "is not a date"},
		{"bad ECB date", "Date, USD, \n31 June 2026, 1.0512, \n", "line 2, Date", "is not a date"},
		{"US date", "11/20/2026,USD,1.0512\n", "line 1, date", "is not a date"},
		{"two columns", "2026-11-20,USD\n", "line 1", "want 3"},
		{"four columns", "2026-11-20,USD,1.0512,x\n", "line 1", "want 3"},
		{"short row", "Date, USD, JPY, \n20 November 2026, 1.0512\n", "line 2", "the header 4"},
		{"long row", "Date,USD,\n2026-11-20,1.0512,1,2\n", "line 2", "the header 3"},
		{"bad header", "Date, USD, Yen, \n", "line 1, column 3", `"Yen" is not a currency code`},
		{"header twice", "Date,USD,USD\n", "line 1, column 3", "twice"},
		{"header without currencies", "Date\n2026-11-20\n", "line 1, column 2", "names no currency"},
		{"long header", "date,currency,rate\n", "line 1, column 3", "rate_per_EUR"},
		{"conflicting rates", "2026-11-20,USD,1.0512\n2026-11-19,USD,1.0498\n20 November 2026,USD,1.0513\n", "line 3, rate_per_EUR", "line 1 has 1.0512"},
		{"conflict in ECB file", "Date,USD,\n2026-11-20,1.0512,\n2026-11-20,1.0513,\n", "line 3, USD", "line 2 has 1.0512"},
		{"bad quote", "2026-11-20,\"USD,1.0512\n", "line 1, column 24", "not valid CSV"},
		{"bare quote", "2026-11-20,US\"D,1.0512\n", "line 1, column 14", "not valid CSV"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rates, err := fx.Parse(strings.NewReader(tc.in))
			if pactum.ErrorCode(err) != pactum.EINVALID || pactum.ErrorField(err) != tc.field || !strings.Contains(pactum.ErrorMessage(err), tc.message) {
				t.Fatalf("Parse = %v, %v; want invalid_argument on %q saying %q", rates, err, tc.field, tc.message)
			}
		})
	}
}

// endless yields a header and then the same ECB row without end.
type endless struct{ header, row string }

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if e.header != "" {
			c := copy(p[n:], e.header)
			e.header = e.header[c:]
			n += c
			continue
		}
		n += copy(p[n:], e.row)
		if n < len(p) {
			break
		}
	}
	return n, nil
}

func TestFXParseRefusesHugeInput(t *testing.T) {
	const bound = 1 << 20
	defer fx.SetMaxBytes(bound)()
	_, err := fx.Parse(&endless{header: "Date,USD,\n", row: "2026-11-20,N/A,\n"})
	if pactum.ErrorCode(err) != pactum.EINVALID || !strings.Contains(pactum.ErrorMessage(err), "larger than 1048576 bytes") {
		t.Fatalf("Parse of endless input = %v", err)
	}
	// Up to the bound is fine.
	const head, row = "Date,USD,\n2026-11-20,1.0512,\n", "2026-11-20,N/A,\n"
	rows := (bound - len(head)) / len(row)
	pad := strings.Repeat("\n", bound-len(head)-rows*len(row)) // blank lines, which CSV skips
	rates, err := fx.Parse(io.MultiReader(strings.NewReader(head), io.LimitReader(&endless{row: row}, int64(rows*len(row))), strings.NewReader(pad)))
	if err != nil || len(rates) != 1 {
		t.Fatalf("Parse of %d bytes = %d rates, %v", bound, len(rates), err)
	}
}

func TestFXParseRate(t *testing.T) {
	r, err := fx.ParseRate("2026-11-20", "USD", "1.0512")
	if err != nil || r.String() != "2026-11-20 USD 1.0512" {
		t.Fatalf("ParseRate = %v, %v", r, err)
	}
	for _, tc := range []struct{ date, currency, rate, field string }{
		{"2026-11-20T00:00:00Z", "USD", "1", "date"},
		{"2026-11-20", "", "1", "currency"},
		{"2026-11-20", "USD", "", "rate_per_eur"},
		{"2026-11-20", "USD", "0.0", "rate_per_eur"},
	} {
		if _, err := fx.ParseRate(tc.date, tc.currency, tc.rate); pactum.ErrorField(err) != tc.field {
			t.Errorf("ParseRate(%q, %q, %q) = %v, want an error on %s", tc.date, tc.currency, tc.rate, err, tc.field)
		}
	}
}

// FuzzFXParse: whatever the input, Parse must not panic, must fail only with invalid_argument,
// and what it accepts must be valid rates, ordered, without duplicates, that read back the same
// when written in the long layout.
func FuzzFXParse(f *testing.F) {
	for _, seed := range []string{
		ecbDaily, ecbHistory,
		"date,currency,rate_per_EUR\n2026-11-20,USD,1.0512\n",
		"2026-11-20,USD,1.0512\n2026-11-20,USD,1.0513\n",
		"Date,USD,\n2026-11-20,\"1.0512\",\n", "Date,,USD\n", "\ufeff", "\"", "Date\n\n\n",
		"Date, USD, JPY, \n20 November 2026, N/A, , \n", "x,y,z\n", "2026-02-30,USD,1\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		rates, err := fx.Parse(strings.NewReader(in))
		if err != nil {
			if pactum.ErrorCode(err) != pactum.EINVALID {
				t.Fatalf("Parse error %v is not invalid_argument", err)
			}
			return
		}
		var b strings.Builder
		for i, r := range rates {
			if err := r.Validate(); err != nil {
				t.Fatalf("rate %v: %v", r, err)
			}
			if i > 0 {
				prev := rates[i-1]
				if prev.Date.After(r.Date) || prev.Date.Equal(r.Date) && prev.Currency >= r.Currency {
					t.Fatalf("rates out of order or repeated: %v then %v", prev, r)
				}
			}
			fmt.Fprintf(&b, "%s,%s,%s\n", r.Date.Format(pactum.DateLayout), r.Currency, r.PerEUR)
		}
		again, err := fx.Parse(strings.NewReader(b.String()))
		if err != nil {
			t.Fatalf("the long layout of what Parse accepted: %v\n%s", err, b.String())
		}
		wantRates(t, again, rates)
	})
}
