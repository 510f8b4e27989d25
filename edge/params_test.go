package edge

import (
	"net/url"
	"testing"
)

func TestParamsParse(t *testing.T) {
	tests := []struct {
		raw  string
		want params
	}{
		{"", params{}},
		{"offer_id=12&partner_id=42", params{offer: "12", partner: "42"}},
		{"campaign_id=12&pub_id=42&p1=a&p5=e", params{offer: "12", partner: "42", sub: [5]string{"a", "", "", "", "e"}}},
		{"offer_id=12&aff_id=42&aff_sub=a&aff_sub2=b&aff_sub5=e&source=s", params{offer: "12", partner: "42", sub: [5]string{"a", "b", "", "", "e"}, source: "s"}},
		{"pid=42&offer_id=12&sub3=c", params{offer: "12", partner: "42", sub: [5]string{"", "", "c"}}},
		{"affiliate_id=42&aff_sub1=a", params{partner: "42", sub: [5]string{"a"}}},
		{"sub1=a+b&sub2=%41%42&sub3=%zz&sub4=100%", params{sub: [5]string{"a b", "AB", "%zz", "100%"}}},
		{"sub%31=x&%73ource=y", params{sub: [5]string{"x"}, source: "y"}},
		{"sub1=first&sub1=second&aff_sub=third", params{sub: [5]string{"first"}}},
		{"&&sub1&=x&sub2=&sub2=late", params{sub: [5]string{"", "late"}}},
		{"url=https://evil.example/&destination=x&redirect=y", params{}},
		{"sub1=a;sub2=b", params{sub: [5]string{"a;sub2=b"}}},
	}
	for _, tt := range tests {
		var p params
		p.parse(tt.raw)
		if p != tt.want {
			t.Errorf("parse(%q) = %+v, want %+v", tt.raw, p, tt.want)
		}
	}
}

// TestParamsMatchParseQuery checks the hand parser against url.ParseQuery on the names it reads.
func TestParamsMatchParseQuery(t *testing.T) {
	for _, raw := range []string{
		"offer_id=1&partner_id=2&sub1=hello%20world&sub2=a%2Bb&source=x+y",
		"sub1=%E2%82%AC&sub2=%2F%3F%26",
	} {
		var p params
		p.parse(raw)
		q, err := url.ParseQuery(raw)
		if err != nil {
			t.Fatal(err)
		}
		if p.offer != q.Get("offer_id") || p.partner != q.Get("partner_id") || p.sub[0] != q.Get("sub1") ||
			p.sub[1] != q.Get("sub2") || p.source != q.Get("source") {
			t.Errorf("parse(%q) = %+v, ParseQuery = %v", raw, p, q)
		}
	}
}

func TestParseID(t *testing.T) {
	for s, want := range map[string]int64{"12": 12, "0": 0, "-1": 0, "": 0, "1e3": 0, "9223372036854775807": 9223372036854775807, "9223372036854775808": 0, " 1": 0} {
		if got := parseID(s); got != want {
			t.Errorf("parseID(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestCleanText(t *testing.T) {
	for _, tt := range []struct {
		in    string
		limit int
		want  string
	}{
		{"plain", 10, "plain"},
		{"toolong", 3, "too"},
		{"a\x00b\nc\x7fd", 10, "abcd"},
		{"ok\xffok", 10, "okok"},
		{"ééé", 5, "éé"}, // never cut inside a character
		{"\u0085x", 5, "x"},
	} {
		if got := cleanText(tt.in, tt.limit); got != tt.want {
			t.Errorf("cleanText(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
	}
}
