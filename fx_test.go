package pactum_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

func TestFXRateJSON(t *testing.T) {
	r := pactum.FXRate{Date: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Currency: "JPY", PerEUR: decimal.RequireFromString("161.20")}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"date":"2026-11-20","currency":"JPY","rate_per_eur":"161.20"}`
	if string(b) != want {
		t.Fatalf("Marshal = %s, want %s", b, want)
	}
	var back pactum.FXRate
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !back.Date.Equal(r.Date) || back.Date.Location() != time.UTC || back.Currency != r.Currency || back.PerEURString() != "161.20" {
		t.Fatalf("Unmarshal = %v", back)
	}
	for in, field := range map[string]string{
		`{"date":"2026-11-31","currency":"JPY","rate_per_eur":"1"}`:   "date",
		`{"date":"2026-11-20","currency":"EUR","rate_per_eur":"1"}`:   "currency",
		`{"date":"2026-11-20","currency":"JPY","rate_per_eur":"1e2"}`: "rate_per_eur",
		`{"date":"2026-11-20","currency":"JPY","rate_per_eur":"-1"}`:  "rate_per_eur",
	} {
		if err := json.Unmarshal([]byte(in), &back); pactum.ErrorField(err) != field {
			t.Errorf("Unmarshal(%s) = %v, want an error on %s", in, err, field)
		}
	}
}

// TestRateCurrencies: RUB is a current currency; HRK, which the euro replaced on 2023-01-01,
// is no currency but keeps its rates for the days before (the ECB's history file has them).
func TestRateCurrencies(t *testing.T) {
	if !pactum.ValidCurrency("RUB") || pactum.MinorUnits("RUB") != 2 {
		t.Error("RUB is not a currency with 2 decimals")
	}
	if pactum.ValidCurrency("HRK") {
		t.Error("HRK is a currency for offers and conversions")
	}
	for _, tt := range []struct {
		date, currency string
		ok             bool
	}{
		{"2022-12-30", "RUB", true},
		{"2026-11-20", "RUB", true},
		{"2008-01-02", "HRK", true},
		{"2022-12-30", "HRK", true},
		{"2023-01-02", "HRK", false},
		{"2008-01-02", "CYP", false},
		{"2026-11-20", "XXX", false},
	} {
		r := pactum.FXRate{Date: day(tt.date), Currency: tt.currency, PerEUR: decimal.RequireFromString("7.5")}
		if err := r.Validate(); (err == nil) != tt.ok || (err != nil && pactum.ErrorField(err) != "currency") {
			t.Errorf("Validate(%s) = %v, want ok %v", r, err, tt.ok)
		}
	}
}

func day(s string) time.Time {
	d, err := time.Parse(pactum.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return d
}
