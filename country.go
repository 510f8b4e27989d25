package pactum

//go:generate go run ./internal/gencountries -out country_codes.go

// userAssignedCountries are codes that ISO 3166-1 leaves to users and that Pactum takes as
// countries all the same: XK, Kosovo, which GeoIP databases, the EU and banks use while ISO has
// not assigned it. Without it Kosovo's visitors would have no country and could not be targeted.
const userAssignedCountries = "XK"

// countries has a true for each code ValidCountry accepts, indexed by countryIndex.
var countries = func() (t [26 * 26]bool) {
	for _, list := range []string{assignedCountries, userAssignedCountries} {
		for i := 0; i+1 < len(list); i += 2 {
			t[int(list[i]-'A')*26+int(list[i+1]-'A')] = true
		}
	}
	return t
}()

// ValidCountry reports whether code is a country: an assigned ISO 3166-1 alpha-2 code in upper
// case ("DE"), or XK (Kosovo). Reserved and private-use codes are none (ZZ, AA, QM..QZ, XA..XZ
// but XK), and neither is XX, which proxies and GeoIP databases send for "unknown".
func ValidCountry(code string) bool {
	return len(code) == 2 && 'A' <= code[0] && code[0] <= 'Z' && 'A' <= code[1] && code[1] <= 'Z' &&
		countries[int(code[0]-'A')*26+int(code[1]-'A')]
}

// CountryCode returns s in upper case if it names a country (ValidCountry, in any case), else
// "". Proxies send XX for unknown and codes such as T1 (Tor) that are no country; Unicode
// letters that upper-case to ASCII ("ıt") are not one either.
func CountryCode(s string) string {
	if len(s) != 2 {
		return ""
	}
	if ValidCountry(s) {
		return s
	}
	var up [2]byte
	for i := range 2 {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		up[i] = c
	}
	if u := string(up[:]); ValidCountry(u) {
		return u
	}
	return ""
}
