package pactum

import "strings"

// ibanLengths is the IBAN length of each country in the SWIFT IBAN registry (ISO 13616). A
// country code missing here is refused: no bank issues IBANs for it, so it is a typing error,
// and the length is the only check that catches a BBAN with a digit left out or doubled that
// the check digits happen to accept.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
	"BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
	"DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
	"GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
	"IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
	"LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
	"MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
	"PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
	"SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

// ValidIBAN reports whether s is an IBAN under ISO 13616 (a registry country code, that
// country's length, letters and digits only, and ISO 7064 mod 97-10 check digits), and returns
// it in the compact form that is stored and that SEPA files carry: the spaces people group it
// with removed, upper case. "de89 3704 0044 0532 0130 00" gives "DE89370400440532013000".
// The API checks IBANs with it when they are saved, and payout/export before it writes one.
func ValidIBAN(s string) (normalized string, ok bool) {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if len(s) < 4 {
		return "", false
	}
	if n, known := ibanLengths[s[:2]]; !known || len(s) != n {
		return "", false
	}
	// Check digits run from 02 to 98: 00, 01 and 99 pass the mod 97 test only as aliases of
	// 97, 98 and 02, and no bank issues them.
	if cd := s[2:4]; !isDigit(cd[0]) || !isDigit(cd[1]) || cd < "02" || cd > "98" {
		return "", false
	}
	// Mod 97 of the number made by moving the first four characters to the end and turning
	// letters into 10..35, a digit at a time so that no big integer is needed.
	rem := 0
	for i := range len(s) {
		c := s[(i+4)%len(s)]
		switch {
		case '0' <= c && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case 'A' <= c && c <= 'Z':
			rem = (rem*100 + int(c-'A'+10)) % 97
		default:
			return "", false
		}
	}
	if rem != 1 {
		return "", false
	}
	return s, true
}

// ValidBIC reports whether s is a BIC (ISO 9362) of 8 or 11 characters that SEPA files accept,
// by the pattern of the pain.001.001.03 schema: [A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})? (bank,
// country, location, optional branch). It returns s with spaces removed and in upper case.
func ValidBIC(s string) (normalized string, ok bool) {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if len(s) != 8 && len(s) != 11 {
		return "", false
	}
	for i := range len(s) {
		c := s[i]
		letter := 'A' <= c && c <= 'Z'
		var good bool
		switch {
		case i < 6:
			good = letter
		case i == 6:
			good = letter || '2' <= c && c <= '9'
		case i == 7:
			good = letter && c != 'O' || isDigit(c)
		default:
			good = letter || isDigit(c)
		}
		if !good {
			return "", false
		}
	}
	return s, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
