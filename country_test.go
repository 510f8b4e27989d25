package pactum

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestCountryCode(t *testing.T) {
	for in, want := range map[string]string{
		"FR": "FR", "fr": "FR", "Fr": "FR", "XX": "", "xx": "", "T1": "", "": "", "FRA": "", "é": "", "ıt": "", "ſſ": "",
		// Reserved, private-use and withdrawn codes are no country; Kosovo's XK is.
		"ZZ": "", "zz": "", "AA": "", "QM": "", "QZ": "", "XA": "", "XZ": "", "EU": "", "UK": "", "YU": "", "AN": "",
		"XK": "XK", "xk": "XK", "GB": "GB", "SS": "SS", "AX": "AX",
	} {
		if got := CountryCode(in); got != want {
			t.Errorf("CountryCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidCountry(t *testing.T) {
	n := 0
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			if ValidCountry(code) {
				n++
			}
			if ValidCountry(strings.ToLower(code)) {
				t.Errorf("ValidCountry(%q) in lower case", code)
			}
		}
	}
	// ISO 3166-1's 249 and XK.
	if n != 250 {
		t.Errorf("%d codes are valid, want 250", n)
	}
	for _, c := range []string{"", "D", "DEU", "D\x00", "\xffE", "[E", "D@"} {
		if ValidCountry(c) {
			t.Errorf("ValidCountry(%q)", c)
		}
	}
}

// TestCountriesMatchSource checks the generated table against the list it is made from, where
// Debian's iso-codes is installed: a stale table is regenerated with `go generate`.
func TestCountriesMatchSource(t *testing.T) {
	b, err := os.ReadFile("/usr/share/iso-codes/json/iso_3166-1.json")
	if os.IsNotExist(err) {
		t.Skip("iso-codes is not installed (apt-get install iso-codes)")
	} else if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Countries []struct {
			Alpha2 string `json:"alpha_2"`
		} `json:"3166-1"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, c := range list.Countries {
		want = append(want, c.Alpha2)
	}
	slices.Sort(want)
	var got []string
	for i := 0; i+1 < len(assignedCountries); i += 2 {
		got = append(got, assignedCountries[i:i+2])
	}
	if !slices.Equal(got, want) {
		t.Errorf("country_codes.go lists %d codes, iso-codes %d: run go generate", len(got), len(want))
	}
}
