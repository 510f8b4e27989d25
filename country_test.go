package pactum

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
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

// TestCountriesMatchSource generates the table again from the list it is made from, where
// Debian's iso-codes is installed, and compares: a stale table is regenerated with `go generate`.
func TestCountriesMatchSource(t *testing.T) {
	const src = "/usr/share/iso-codes/json/iso_3166-1.json"
	if _, err := os.Stat(src); os.IsNotExist(err) {
		t.Skip("iso-codes is not installed (apt-get install iso-codes)")
	}
	if testing.Short() {
		t.Skip("builds the generator")
	}
	out := filepath.Join(t.TempDir(), "country_codes.go")
	gen := exec.Command("go", "run", "./internal/gencountries", "-src", src, "-out", out)
	if b, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("gencountries: %v\n%s", err, b)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("country_codes.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("country_codes.go is not what iso-codes gives now: run go generate")
	}
}
