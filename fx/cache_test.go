package fx_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/fx"
)

// TestFXCache: rates are read once until Reload, newest first, and Rate finds nothing before
// the first read rather than failing otherwise.
func TestFXCache(t *testing.T) {
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	rates := []pactum.FXRate{
		{Date: day.AddDate(0, 0, -1), Currency: "USD", PerEUR: decimal.RequireFromString("1.0500")},
		{Date: day, Currency: "USD", PerEUR: decimal.RequireFromString("1.0512")},
	}
	reads := 0
	c := fx.NewCache(func(context.Context) ([]pactum.FXRate, error) {
		reads++
		return append([]pactum.FXRate(nil), rates...), nil
	})
	if _, _, err := c.Rate("EUR", "USD", day); pactum.ErrorCode(err) != pactum.ENOTFOUND {
		t.Fatalf("before any read: %v, want not found", err)
	}
	s, err := c.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Snapshot(context.Background()); err != nil || reads != 1 {
		t.Fatalf("second snapshot: %v, %d reads, want 1", err, reads)
	}
	if !s.Newest[0].Date.Equal(day) {
		t.Errorf("newest first: %+v", s.Newest)
	}
	if r, _, err := c.Rate("EUR", "USD", day); err != nil || r.String() != "1.0512" {
		t.Errorf("rate %s %v", r, err)
	}
	rates = append(rates, pactum.FXRate{Date: day, Currency: "GBP", PerEUR: decimal.RequireFromString("0.8512")})
	if err := c.Reload(context.Background()); err != nil || reads != 2 {
		t.Fatalf("reload: %v, %d reads", err, reads)
	}
	if r, _, err := c.Rate("EUR", "GBP", day); err != nil || r.String() != "0.8512" {
		t.Errorf("rate after reload %s %v", r, err)
	}
}
