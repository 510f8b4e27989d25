package pactum

import (
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"", true},
		{"A-1001", true},
		{"Müller Söh", true},
		{strings.Repeat("é", 10), true},
		{strings.Repeat("é", 11), false},
		{"ZZ\x001796292285", false},
		{"\xff1796292285", false},
		{"\xc3\x28", false},
		{"tab\there", false},
		{"del\x7f", false},
		{"c1\u0085", false},
	} {
		err := CheckText("order_id", tt.in, 10)
		if (err == nil) != tt.ok {
			t.Errorf("CheckText(%q) = %v, want ok %v", tt.in, err, tt.ok)
		}
		if err != nil && ErrorField(err) != "order_id" {
			t.Errorf("CheckText(%q) names field %q", tt.in, ErrorField(err))
		}
	}
}
