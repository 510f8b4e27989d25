package fx_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/fx"
)

// ecbWeek is two days of ECB rates before a weekend (2026-11-20 is a Friday), and one ISK
// rate a week earlier.
var ecbWeek = []pactum.FXRate{
	rate("2026-11-20", "USD", "1.0512"), rate("2026-11-20", "JPY", "161.85"), rate("2026-11-20", "GBP", "0.8321"),
	rate("2026-11-19", "USD", "1.0498"), rate("2026-11-19", "JPY", "161.20"), rate("2026-11-19", "GBP", "0.8307"),
	rate("2026-11-13", "ISK", "146.50"),
}

func TestFXTableRate(t *testing.T) {
	tab := fx.NewTable(ecbWeek)
	at := func(s string) time.Time { return day(s).Add(15 * time.Hour) }
	for _, tc := range []struct {
		name     string
		from, to string
		day      time.Time
		rate     string
		asOf     string
	}{
		{"to EUR", "USD", "EUR", at("2026-11-20"), "0.9512937595", "2026-11-20"},
		{"from EUR is the ECB's number", "EUR", "USD", at("2026-11-20"), "1.0512", "2026-11-20"},
		{"cross", "USD", "JPY", at("2026-11-20"), "153.9668949772", "2026-11-20"},
		{"cross back", "JPY", "USD", at("2026-11-20"), "0.0064949027", "2026-11-20"},
		{"the day before", "GBP", "USD", at("2026-11-19"), "1.2637534609", "2026-11-19"},
		{"late in the UTC day", "GBP", "USD", day("2026-11-19").Add(23*time.Hour + 59*time.Minute), "1.2637534609", "2026-11-19"},
		{"UTC day of a local time", "GBP", "USD", time.Date(2026, 11, 20, 0, 30, 0, 0, time.FixedZone("EET", 2*3600)), "1.2637534609", "2026-11-19"},
		{"Saturday", "USD", "EUR", at("2026-11-21"), "0.9512937595", "2026-11-20"},
		{"Sunday", "EUR", "JPY", at("2026-11-22"), "161.85", "2026-11-20"},
		{"seven days on", "EUR", "USD", at("2026-11-27"), "1.0512", "2026-11-20"},
		{"as of the older leg", "ISK", "USD", at("2026-11-20"), "0.0071754266", "2026-11-13"},
		{"same currency", "USD", "USD", at("2026-11-21"), "1", "2026-11-21"},
		{"same currency without rates", "CHF", "CHF", at("1990-01-01"), "1", "1990-01-01"},
		{"EUR to EUR", "EUR", "EUR", at("2026-11-20"), "1", "2026-11-20"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, asOf, err := tab.Rate(tc.from, tc.to, tc.day)
			if err != nil {
				t.Fatal(err)
			}
			if r.String() != tc.rate || asOf.Format(pactum.DateLayout) != tc.asOf || asOf.Location() != time.UTC || !asOf.Equal(day(tc.asOf)) {
				t.Fatalf("Rate(%s, %s, %s) = %s as of %s, want %s as of %s", tc.from, tc.to, tc.day, r, asOf, tc.rate, tc.asOf)
			}
		})
	}
}

func TestFXTableRateNotFound(t *testing.T) {
	tab := fx.NewTable(ecbWeek)
	for _, tc := range []struct {
		name, from, to, day, message string
	}{
		{"more than seven days on", "USD", "EUR", "2026-11-28", "no USD rate on 2026-11-28 or in the 7 days before"},
		{"before the first rate", "EUR", "JPY", "2026-11-18", "no JPY rate on 2026-11-18"},
		{"stale leg", "ISK", "USD", "2026-11-21", "no ISK rate on 2026-11-21"},
		{"currency never loaded", "USD", "CHF", "2026-11-20", "no CHF rates are loaded"},
		{"unknown code", "XXX", "USD", "2026-11-20", "no XXX rates"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _, err := tab.Rate(tc.from, tc.to, day(tc.day))
			if pactum.ErrorCode(err) != pactum.ENOTFOUND || !strings.Contains(pactum.ErrorMessage(err), tc.message) {
				t.Fatalf("Rate = %s, %v; want not_found saying %q", r, err, tc.message)
			}
		})
	}
}

func TestFXTableLaterRateOfADayWins(t *testing.T) {
	tab := fx.NewTable([]pactum.FXRate{rate("2026-11-20", "USD", "1.1"), rate("2026-11-19", "USD", "1.0498"), rate("2026-11-20", "USD", "1.0512"),
		{Date: day("2026-11-21"), Currency: "USD"}}) // a zero rate is left out, not divided by
	r, asOf, err := tab.Rate("EUR", "USD", day("2026-11-21"))
	if err != nil || r.String() != "1.0512" || !asOf.Equal(day("2026-11-20")) {
		t.Fatalf("Rate = %s as of %s, %v; want 1.0512 as of 2026-11-20", r, asOf, err)
	}
	if _, _, err := fx.NewTable(nil).Rate("USD", "EUR", day("2026-11-20")); pactum.ErrorCode(err) != pactum.ENOTFOUND {
		t.Fatalf("Rate of an empty table: %v", err)
	}
}

func TestFXTableConvert(t *testing.T) {
	tab := fx.NewTable(ecbWeek)
	for _, tc := range []struct {
		amount, from, to, want string
	}{
		{"100.00", "USD", "EUR", "95.13"},
		{"100.00", "USD", "JPY", "15397"},    // 15396.6894977 to whole yen
		{"1000", "JPY", "USD", "6.49"},       // 6.4949027
		{"-129.90", "USD", "EUR", "-123.57"}, // a refund: half away from zero
		{"129.90", "EUR", "EUR", "129.90"},
	} {
		got, rate, asOf, err := tab.Convert(decimal.RequireFromString(tc.amount), tc.from, tc.to, day("2026-11-22"))
		if err != nil {
			t.Fatal(err)
		}
		if pactum.FormatAmount(got, tc.to) != tc.want || !asOf.Equal(day("2026-11-20")) && tc.from != tc.to {
			t.Errorf("Convert(%s %s to %s) = %s (rate %s as of %s), want %s", tc.amount, tc.from, tc.to, got, rate, asOf, tc.want)
		}
		// The recorded rate reproduces the amount.
		if again := pactum.Round(decimal.RequireFromString(tc.amount).Mul(rate), tc.to); !again.Equal(got) {
			t.Errorf("amount × recorded rate = %s, want %s", again, got)
		}
	}
	if _, _, _, err := tab.Convert(decimal.NewFromInt(1), "USD", "CHF", day("2026-11-20")); pactum.ErrorCode(err) != pactum.ENOTFOUND {
		t.Errorf("Convert to a currency without rates: %v", err)
	}
}

// TestFXTableConcurrentReads is for the race detector: a Table is read from many requests at once.
func TestFXTableConcurrentReads(t *testing.T) {
	tab := fx.NewTable(ecbWeek)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if _, _, err := tab.Rate("USD", "JPY", day("2026-11-21")); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}
