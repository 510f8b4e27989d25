package pactum

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// TestMoneyFastPaths checks Round, FormatAmount and ToMinor against decimal's general path,
// which they take only for amounts finer than the minor unit or longer than 18 digits: on
// amounts of every scale, sign and length, around each edge of the fast path.
func TestMoneyFastPaths(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	var amounts []decimal.Decimal
	for _, s := range []string{"0", "-0", "0.00", "1", "-1", "0.05", "-0.05", "10.1", "10.10", "129.9",
		"0.005", "-0.005", "1.995", "12345678901234567.89", "123456789012345678.9", "99999999999999999.99",
		"-99999999999999999.99", "1e5", "1e16", "1e17", "1e18", "-1e3", "922337203685477580.7",
		"1234567890123456789012345.67", "0.000000000000000000001"} {
		amounts = append(amounts, decimal.RequireFromString(s))
	}
	for range 20000 {
		digits := 1 + r.IntN(22)
		coef := r.Int64N(pow10[min(digits, 18)])
		d := decimal.New(coef, int32(r.IntN(10)-6))
		if digits > 18 {
			d = d.Mul(decimal.New(1, int32(digits-18)))
		}
		if r.IntN(2) == 0 {
			d = d.Neg()
		}
		amounts = append(amounts, d)
	}
	for _, cur := range []string{"EUR", "JPY", "KWD"} {
		places := MinorUnits(cur)
		for _, d := range amounts {
			if got, want := Round(d, cur), d.Round(places); !got.Equal(want) {
				t.Fatalf("Round(%s, %s) = %s, want %s", d, cur, got, want)
			}
			if got, want := FormatAmount(d, cur), d.StringFixed(places); got != want {
				t.Fatalf("FormatAmount(%s, %s) = %q, want %q", d, cur, got, want)
			}
			if d.Abs().LessThan(decimal.New(1, 15)) {
				// Unrounded, as the contract does not allow but decimal would take.
				if got, want := ToMinor(d, cur), d.Shift(places).Round(0).IntPart(); got != want {
					t.Fatalf("ToMinor(%s, %s) = %d, want %d", d, cur, got, want)
				}
			}
			// ExactMinor against its definition: minor units that convert back to the amount.
			if d.Abs().LessThan(decimal.New(1, 15)) {
				m := d.Shift(places).Round(0).IntPart()
				want := FromMinor(m, cur).Equal(d)
				if got, ok := ExactMinor(d, cur); ok != want || (ok && got != m) {
					t.Fatalf("ExactMinor(%s, %s) = %d, %v, want %d, %v", d, cur, got, ok, m, want)
				}
			} else if _, ok := ExactMinor(d, cur); ok && d.Shift(places).Abs().GreaterThanOrEqual(decimal.New(1, 19)) {
				t.Fatalf("ExactMinor(%s, %s) = ok for an amount past int64", d, cur)
			}
			rounded := d.Round(places)
			if !rounded.Shift(places).Abs().LessThan(decimal.New(1, 18)) {
				continue // ToMinor's int64 holds 18 digits
			}
			if got, want := ToMinor(rounded, cur), rounded.Shift(places).Round(0).IntPart(); got != want {
				t.Fatalf("ToMinor(%s, %s) = %d, want %d", rounded, cur, got, want)
			}
		}
	}
}

// TestCurrencyTable: ValidCurrency and MinorUnits answer from their table what minorUnits says,
// for every code and for codes that are not (lower case, other lengths, letters around A-Z).
func TestCurrencyTable(t *testing.T) {
	for code, digits := range minorUnits {
		if !ValidCurrency(code) || MinorUnits(code) != digits {
			t.Errorf("%s: valid %v, %d digits, want %d", code, ValidCurrency(code), MinorUnits(code), digits)
		}
	}
	for _, code := range []string{"", "EU", "EURO", "eur", "Eur", "XXX", "HRK", "@UR", "[UR", "EU\x00", "ZZZ", "AAA"} {
		_, known := minorUnits[code]
		if ValidCurrency(code) != known || (!known && MinorUnits(code) != 2) {
			t.Errorf("%q: valid %v, %d digits", code, ValidCurrency(code), MinorUnits(code))
		}
	}
}

// BenchmarkFormatAmount formats an amount as every answer with a commission does.
func BenchmarkFormatAmount(b *testing.B) {
	d := decimal.RequireFromString("129.90")
	for b.Loop() {
		_ = FormatAmount(d, "EUR")
	}
}
