package export

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSepaText(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"Anna Müller", 70, "Anna Mueller"},
		{"Straße ÄÖÜ äöü", 70, "Strasse AeOeUe aeoeue"},
		{"Bob & <Co>", 70, "Bob + .Co."},
		{"Chloé Łukasz Ørsted Şahin", 70, "Chloe Lukasz Orsted Sahin"},
		{"  many   \t\n spaces  ", 70, "many spaces"},
		{"a\x00b", 70, "a b"},
		{"invalid \xff byte", 70, "invalid byte"},
		{"Ωmega 東京", 70, ".mega .."},
		{"“quoted” – dash_under", 70, "'quoted' - dash-under"},
		{"allowed /-?:().,'+ chars", 70, "allowed /-?:().,'+ chars"},
		// Cutting never splits a transliteration and never leaves a trailing space.
		{"Müller", 2, "M"},
		{"ab cd", 3, "ab"},
		{strings.Repeat("x", 200), 140, strings.Repeat("x", 140)},
		{"", 70, ""},
		{" \t ", 70, ""},
	}
	for _, tt := range tests {
		if got := sepaText(tt.in, tt.max); got != tt.want {
			t.Errorf("sepaText(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

// FuzzSepaText checks what SEPA files rely on, whatever a partner types as their name: the
// result is in the SEPA Latin set, within the limit, trimmed with single spaces, and cleaning
// it again changes nothing.
func FuzzSepaText(f *testing.F) {
	for _, s := range []string{"Anna Müller", "Bob & <Co>", "  \t\n", "Ωmega 東京", "\xff\xfe", "ẞ…„“", strings.Repeat("ß", 80)} {
		f.Add(s, 70)
	}
	f.Add("Grüße", 1)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 1000 {
			return
		}
		got := sepaText(s, max)
		if len(got) > max {
			t.Fatalf("sepaText(%q, %d) = %q is %d long", s, max, got, len(got))
		}
		if !utf8.ValidString(got) {
			t.Fatalf("sepaText(%q) = %q is not UTF-8", s, got)
		}
		for _, c := range got {
			if !sepaLatin(c) {
				t.Fatalf("sepaText(%q) = %q holds %q", s, got, c)
			}
		}
		if got != strings.TrimSpace(got) || strings.Contains(got, "  ") {
			t.Fatalf("sepaText(%q) = %q has stray spaces", s, got)
		}
		if again := sepaText(got, max); again != got {
			t.Fatalf("sepaText is not idempotent: %q -> %q -> %q", s, got, again)
		}
	})
}
