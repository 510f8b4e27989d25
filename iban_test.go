package pactum_test

import (
	"testing"

	"github.com/pactum/pactum"
)

func TestValidIBAN(t *testing.T) {
	tests := []struct {
		in, want string // want "" for invalid
	}{
		{"DE89370400440532013000", "DE89370400440532013000"},
		{"de89 3704 0044 0532 0130 00", "DE89370400440532013000"},
		{" GB82 WEST 1234 5698 7654 32 ", "GB82WEST12345698765432"},
		{"NL91ABNA0417164300", "NL91ABNA0417164300"},
		{"FR1420041010050500013M02606", "FR1420041010050500013M02606"},
		{"NO9386011117947", "NO9386011117947"},
		{"MT84MALT011000012345MTLCAST001S", "MT84MALT011000012345MTLCAST001S"},
		{"DE98370400440000000042", "DE98370400440000000042"},
		{"DE02370400440000000024", "DE02370400440000000024"},

		{"", ""},
		{"DE8", ""},
		{"DE89370400440532013001", ""},   // check digits
		{"DE88370400440532013000", ""},   // check digits
		{"DE8937040044053201300", ""},    // one digit short
		{"DE893704004405320130000", ""},  // one digit long
		{"XX89370400440532013000", ""},   // no such country
		{"D189370400440532013000", ""},   // country not letters
		{"DEAB370400440532013000", ""},   // check digits not digits
		{"DE89-3704-0044-0532-0130", ""}, // only spaces are removed
		{"DE8937040044053201300é", ""},
		{"DE01370400440000000042", ""}, // passes mod 97 as an alias of 98
		{"DE99370400440000000024", ""}, // alias of 02
	}
	for _, tt := range tests {
		got, ok := pactum.ValidIBAN(tt.in)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("ValidIBAN(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestValidBIC(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"DEUTDEFF", "DEUTDEFF"},
		{"deutdeff500", "DEUTDEFF500"},
		{"COBA DE FF XXX", "COBADEFFXXX"},
		{"NEDSZAJJ", "NEDSZAJJ"},
		{"MARKDEF1100", "MARKDEF1100"},

		{"", ""},
		{"DEUTDEF", ""},
		{"DEUTDEFF5", ""},
		{"DEUTDEFF5000", ""},
		{"DEU1DEFF", ""}, // bank code is letters
		{"DEUTD3FF", ""}, // country is letters
		{"DEUTDE1F", ""}, // location cannot start with 0 or 1
		{"DEUTDEFO", ""},
		{"DEUTDEFF50-", ""},
	}
	for _, tt := range tests {
		got, ok := pactum.ValidBIC(tt.in)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("ValidBIC(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

// FuzzValidIBAN: any input, and what a valid one normalises to is valid and unchanged.
func FuzzValidIBAN(f *testing.F) {
	for _, s := range []string{"DE89370400440532013000", "gb82 west 1234 5698 7654 32", "NO93", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := pactum.ValidIBAN(s)
		if !ok {
			return
		}
		if again, ok := pactum.ValidIBAN(n); !ok || again != n {
			t.Fatalf("ValidIBAN(%q) = %q, but that gives %q, %v", s, n, again, ok)
		}
	})
}
