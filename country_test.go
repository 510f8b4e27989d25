package pactum

import "testing"

func TestCountryCode(t *testing.T) {
	for in, want := range map[string]string{
		"FR": "FR", "fr": "FR", "Fr": "FR", "XX": "", "xx": "", "T1": "", "": "", "FRA": "", "é": "", "ıt": "", "ſſ": "",
	} {
		if got := CountryCode(in); got != want {
			t.Errorf("CountryCode(%q) = %q, want %q", in, got, want)
		}
	}
}
