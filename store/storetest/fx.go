package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

func fxRate(date, currency, perEUR string) pactum.FXRate {
	d, err := time.Parse(pactum.DateLayout, date)
	if err != nil {
		panic(err)
	}
	return pactum.FXRate{Date: d, Currency: currency, PerEUR: decimal.RequireFromString(perEUR)}
}

// wantFXRates compares rates by value: a decimal reads back equal, not necessarily with the
// same exponent ("1.0510" may come back as "1.051").
func wantFXRates(t *testing.T, what string, got, want []pactum.FXRate) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rates, want %d:\n got %v\nwant %v", what, len(got), len(want), got, want)
	}
	for i := range got {
		g, w := got[i], want[i]
		if !g.Date.Equal(w.Date) || g.Date.Location() != time.UTC || g.Currency != w.Currency || !g.PerEUR.Equal(w.PerEUR) {
			t.Fatalf("%s: rate %d = %v (%s), want %v", what, i, g, g.Date.Location(), w)
		}
	}
}

func testFXRates(t *testing.T, s pactum.Store) {
	got, err := s.FXRates(ctx)
	must(t, err)
	wantFXRates(t, "no rates", got, nil)
	if n, err := s.PutFXRates(ctx, nil); n != 0 || err != nil {
		t.Fatalf("PutFXRates(nil) = %d, %v", n, err)
	}
	if v, err := s.Setting(ctx, pactum.SettingFXVersion); pactum.ErrorCode(err) != pactum.ENOTFOUND {
		t.Fatalf("fx version before any rate = %q, %v; want not found", v, err)
	}

	n, err := s.PutFXRates(ctx, []pactum.FXRate{
		fxRate("2026-11-20", "USD", "1.0512"), fxRate("2026-11-20", "JPY", "161.85"),
		fxRate("2026-11-19", "USD", "1.0498"), fxRate("2026-11-19", "JPY", "161.20"),
		// Every digit is kept: rates are stored as exact decimals, not floats.
		fxRate("2026-11-19", "VND", "27631.123456789012345678901234"),
		fxRate("1999-01-04", "USD", "1.1789"),
	})
	must(t, err)
	if n != 6 {
		t.Fatalf("PutFXRates = %d, want 6", n)
	}
	got, err = s.FXRates(ctx)
	must(t, err)
	wantFXRates(t, "ordered by date, then currency", got, []pactum.FXRate{
		fxRate("1999-01-04", "USD", "1.1789"),
		fxRate("2026-11-19", "JPY", "161.20"), fxRate("2026-11-19", "USD", "1.0498"), fxRate("2026-11-19", "VND", "27631.123456789012345678901234"),
		fxRate("2026-11-20", "JPY", "161.85"), fxRate("2026-11-20", "USD", "1.0512"),
	})
	// Every store of rates changes the version that servers poll; a refused one does not.
	v1, err := s.Setting(ctx, pactum.SettingFXVersion)
	must(t, err)
	if _, err := s.PutFXRates(ctx, []pactum.FXRate{fxRate("2026-11-21", "XYZ", "1")}); err == nil {
		t.Fatal("PutFXRates of an unknown currency: want an error")
	}
	if v, err := s.Setting(ctx, pactum.SettingFXVersion); err != nil || v != v1 {
		t.Fatalf("fx version after a refused store = %q, %v; want %q", v, err, v1)
	}
	_, err = s.PutFXRates(ctx, []pactum.FXRate{fxRate("1999-01-04", "USD", "1.1789")})
	must(t, err)
	if v, err := s.Setting(ctx, pactum.SettingFXVersion); err != nil || v == v1 || v == "" {
		t.Fatalf("fx version after a store = %q, %v; want another than %q", v, err, v1)
	}
	// Rates read as published, trailing zeros included.
	if got[1].PerEURString() != "161.20" {
		t.Fatalf("161.20 reads back as %s", got[1].PerEURString())
	}

	// A load again replaces the rates of its days and currencies and keeps the others; a key
	// given twice in one call (which PostgreSQL refuses in one statement) takes the later rate.
	n, err = s.PutFXRates(ctx, []pactum.FXRate{
		fxRate("2026-11-20", "USD", "1.0600"), fxRate("2026-11-20", "GBP", "0.8321"), fxRate("2026-11-20", "USD", "1.0513"),
	})
	must(t, err)
	if n != 2 {
		t.Fatalf("PutFXRates with a repeated key = %d, want 2", n)
	}
	got, err = s.FXRates(ctx)
	must(t, err)
	wantFXRates(t, "after the upsert", got, []pactum.FXRate{
		fxRate("1999-01-04", "USD", "1.1789"),
		fxRate("2026-11-19", "JPY", "161.20"), fxRate("2026-11-19", "USD", "1.0498"), fxRate("2026-11-19", "VND", "27631.123456789012345678901234"),
		fxRate("2026-11-20", "GBP", "0.8321"), fxRate("2026-11-20", "JPY", "161.85"), fxRate("2026-11-20", "USD", "1.0513"),
	})
}

func testFXRatesInvalid(t *testing.T, s pactum.Store) {
	good := fxRate("2026-11-20", "USD", "1.0512")
	for _, tc := range []struct {
		name  string
		bad   pactum.FXRate
		field string
	}{
		{"unknown currency", fxRate("2026-11-20", "XYZ", "1"), "rates[1].currency"},
		{"EUR", fxRate("2026-11-20", "EUR", "1"), "rates[1].currency"},
		{"zero rate", fxRate("2026-11-20", "JPY", "0"), "rates[1].rate_per_eur"},
		{"negative rate", fxRate("2026-11-20", "JPY", "-161.85"), "rates[1].rate_per_eur"},
		{"not midnight", pactum.FXRate{Date: good.Date.Add(time.Hour), Currency: "JPY", PerEUR: good.PerEUR}, "rates[1].date"},
		{"not UTC", pactum.FXRate{Date: good.Date.In(time.FixedZone("CET", 3600)), Currency: "JPY", PerEUR: good.PerEUR}, "rates[1].date"},
		{"no date", pactum.FXRate{Currency: "JPY", PerEUR: good.PerEUR}, "rates[1].date"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := s.PutFXRates(ctx, []pactum.FXRate{good, tc.bad})
			wantCode(t, err, pactum.EINVALID, tc.field)
			if n != 0 {
				t.Fatalf("PutFXRates of an invalid batch = %d", n)
			}
			// Nothing of the batch is stored.
			got, err := s.FXRates(ctx)
			must(t, err)
			wantFXRates(t, "after an invalid batch", got, nil)
		})
	}
}

// testFXRatesMany loads a few months of the ECB's daily rates at once: more rows than one
// statement carries, in chunks of every size.
func testFXRatesMany(t *testing.T, s pactum.Store) {
	currencies := []string{"AUD", "BGN", "BRL", "CAD", "CHF", "CNY", "CZK", "DKK", "GBP", "HKD", "HUF", "IDR",
		"ILS", "INR", "ISK", "JPY", "KRW", "MXN", "MYR", "NOK", "NZD", "PHP", "PLN", "RON", "SEK", "SGD", "THB",
		"TRY", "USD", "ZAR"}
	var rates []pactum.FXRate
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := range 61 {
		for i, c := range currencies {
			rates = append(rates, pactum.FXRate{Date: start.AddDate(0, 0, d), Currency: c,
				PerEUR: decimal.New(int64(10000+100*i+d), -4)})
		}
	}
	rates = rates[:len(rates)-7] // not a power of two: 1823 rows
	n, err := s.PutFXRates(ctx, rates)
	must(t, err)
	if n != len(rates) {
		t.Fatalf("PutFXRates = %d, want %d", n, len(rates))
	}
	got, err := s.FXRates(ctx)
	must(t, err)
	wantFXRates(t, fmt.Sprintf("%d rates", len(rates)), got, rates)
}
