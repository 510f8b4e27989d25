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
