package pactum

import (
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// minorUnits lists the ISO 4217 currencies Pactum accepts with the digits of their minor unit.
// Currencies not listed here are rejected rather than guessed.
var minorUnits = map[string]int32{
	"AED": 2, "ARS": 2, "AUD": 2, "BGN": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2, "CLP": 0,
	"CNY": 2, "COP": 2, "CZK": 2, "DKK": 2, "EGP": 2, "EUR": 2, "GBP": 2, "HKD": 2, "HUF": 2,
	"IDR": 2, "ILS": 2, "INR": 2, "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3, "MXN": 2,
	"MYR": 2, "NGN": 2, "NOK": 2, "NZD": 2, "OMR": 3, "PEN": 2, "PHP": 2, "PKR": 2, "PLN": 2,
	"QAR": 2, "RON": 2, "RSD": 2, "RUB": 2, "SAR": 2, "SEK": 2, "SGD": 2, "THB": 2, "TND": 3, "TRY": 2,
	"TWD": 2, "UAH": 2, "USD": 2, "VND": 0, "ZAR": 2,
}

// withdrawnCurrencies are currencies that are no longer issued, with the day they stopped being
// one, whose reference rates Pactum keeps for the days before (ValidRateCurrency): HRK, which the
// euro replaced on 2023-01-01 and whose rates the ECB's history file still carries. They are no
// currency for offers, advertisers, partners or conversions (ValidCurrency): no order is placed
// in them any more. The currencies the euro replaced before 2015 (CYP, SIT...) are left out of
// both, as their rates predate every program.
var withdrawnCurrencies = map[string]time.Time{
	"HRK": time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC),
}

// WithdrawnCurrency returns the day code was withdrawn, if it is a withdrawn currency whose rates
// Pactum keeps.
func WithdrawnCurrency(code string) (time.Time, bool) {
	end, ok := withdrawnCurrencies[code]
	return end, ok
}

// ValidRateCurrency reports whether Pactum keeps reference rates of code on day: a currency
// (ValidCurrency) on any day, or a withdrawn one before it was withdrawn.
func ValidRateCurrency(code string, day time.Time) bool {
	if ValidCurrency(code) {
		return true
	}
	end, ok := withdrawnCurrencies[code]
	return ok && day.Before(end)
}

// currencyDigits is minorUnits as a table indexed by a code's three letters (currencyIndex),
// holding 1 + the digits for a known currency and 0 for any other: money is formatted, rounded
// and converted dozens of times for every conversion, and a map lookup each time showed in
// profiles of the conversion path.
var currencyDigits = func() (t [26 * 26 * 26]int8) {
	for code, d := range minorUnits {
		i, _ := currencyIndex(code)
		t[i] = int8(d) + 1
	}
	return t
}()

// currencyIndex returns the place of a three-letter upper-case code in currencyDigits.
func currencyIndex(code string) (int, bool) {
	if len(code) != 3 {
		return 0, false
	}
	i := 0
	for _, c := range []byte(code) {
		if c < 'A' || c > 'Z' {
			return 0, false
		}
		i = i*26 + int(c-'A')
	}
	return i, true
}

// currencyEntry returns currencyDigits' entry for code: 0 for a code Pactum does not know.
func currencyEntry(code string) int8 {
	if i, ok := currencyIndex(code); ok {
		return currencyDigits[i]
	}
	return 0
}

// ValidCurrency reports whether code is an ISO 4217 currency Pactum knows.
func ValidCurrency(code string) bool {
	return currencyEntry(code) > 0
}

// MinorUnits returns the digits of code's minor unit (2 for EUR, 0 for JPY).
func MinorUnits(code string) int32 {
	if d := currencyEntry(code); d > 0 {
		return int32(d - 1)
	}
	return 2
}

// Round rounds an amount to the currency's minor unit, half away from zero: the one rounding
// rule of SPEC section 2.
func Round(amount decimal.Decimal, currency string) decimal.Decimal {
	places := MinorUnits(currency)
	if amount.Exponent() >= -places {
		// No digit finer than the minor unit (most amounts): decimal's Round would only copy
		// it to another scale, allocating, for the same value.
		return amount
	}
	return amount.Round(places)
}

// FormatAmount renders an amount as JSON carries money: exactly the currency's minor-unit digits.
func FormatAmount(amount decimal.Decimal, currency string) string {
	places := MinorUnits(currency)
	if minor, ok := exactMinor(amount, places); ok {
		var buf [24]byte
		return string(appendMinor(buf[:0], minor, places))
	}
	return amount.StringFixed(places)
}

// pow10 holds the powers of ten that fit in an int64.
var pow10 = [19]int64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// exactMinor returns amount in minor units of a currency with places digits, when that needs no
// rounding and takes at most 18 digits: every amount Pactum keeps. Money is formatted and
// converted on every conversion, and this spares decimal's general path its big-integer
// allocations; for any other amount it returns false and callers take that path.
func exactMinor(amount decimal.Decimal, places int32) (int64, bool) {
	scale := int(places) + int(amount.Exponent())
	if scale < 0 || scale > 18 || amount.NumDigits()+scale > 18 {
		return 0, false
	}
	return amount.CoefficientInt64() * pow10[scale], true
}

// appendMinor appends minor units of a currency with places digits as a decimal: -5 with 2
// places is "-0.05".
func appendMinor(buf []byte, minor int64, places int32) []byte {
	if places == 0 {
		return strconv.AppendInt(buf, minor, 10)
	}
	if minor < 0 {
		buf = append(buf, '-')
		minor = -minor // exactMinor's 18 digits leave no room for math.MinInt64
	}
	unit := pow10[places]
	buf = strconv.AppendInt(buf, minor/unit, 10)
	buf = append(buf, '.')
	frac := minor % unit
	for p := unit / 10; p > frac && p > 1; p /= 10 {
		buf = append(buf, '0')
	}
	return strconv.AppendInt(buf, frac, 10)
}

// ParseDecimal parses a plain decimal string ("129.90", "-3", "7.5"). It refuses exponents,
// signs other than a leading minus, and empty strings, so that what users type means one thing.
// field names the input in the error.
func ParseDecimal(s, field string) (decimal.Decimal, error) {
	if s == "" {
		return decimal.Zero, FieldError(field, "must be a decimal number such as \"12.50\"")
	}
	digits := strings.TrimPrefix(s, "-")
	dot := false
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 0 && i < len(digits)-1:
			dot = true
		default:
			return decimal.Zero, FieldError(field, "%q is not a decimal number such as \"12.50\"", s)
		}
	}
	if len(digits) == 0 || len(digits) > 30 {
		return decimal.Zero, FieldError(field, "%q is not a decimal number such as \"12.50\"", s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, FieldError(field, "%q is not a decimal number such as \"12.50\"", s)
	}
	return d, nil
}

// ParseAmount parses a money amount in currency: a decimal with at most the currency's
// minor-unit digits.
func ParseAmount(s, currency, field string) (decimal.Decimal, error) {
	d, err := ParseDecimal(s, field)
	if err != nil {
		return d, err
	}
	if -d.Exponent() > MinorUnits(currency) {
		return decimal.Zero, FieldError(field, "%q has more decimals than %s allows (%d)", s, currency, MinorUnits(currency))
	}
	return d, nil
}

// ToMinor converts an amount to integer minor units of currency, as stores keep money.
// The amount must already be rounded to the minor unit.
func ToMinor(amount decimal.Decimal, currency string) int64 {
	places := MinorUnits(currency)
	if minor, ok := exactMinor(amount, places); ok {
		return minor
	}
	return amount.Shift(places).Round(0).IntPart()
}

// ExactMinor returns amount in integer minor units of currency, and false when it is not a whole
// number of them (a digit finer than the minor unit) or they do not fit an int64: what a store
// that keeps minor units refuses rather than rounds.
func ExactMinor(amount decimal.Decimal, currency string) (int64, bool) {
	places := MinorUnits(currency)
	if minor, ok := exactMinor(amount, places); ok {
		return minor, true
	}
	shifted := amount.Shift(places)
	if !shifted.IsInteger() {
		return 0, false
	}
	n := shifted.BigInt()
	return n.Int64(), n.IsInt64()
}

// FromMinor converts integer minor units of currency back to an amount.
func FromMinor(minor int64, currency string) decimal.Decimal {
	places := MinorUnits(currency)
	if minor == 0 && int(places) < len(zeros) {
		return zeros[places]
	}
	return decimal.New(minor, -places)
}

// zeros are FromMinor's zero of each number of minor-unit digits, made once: a conversion has
// several zero amounts (no refund, no revenue), and decimals are values no operation changes,
// so one can be shared.
var zeros = [4]decimal.Decimal{decimal.New(0, 0), decimal.New(0, -1), decimal.New(0, -2), decimal.New(0, -3)}
