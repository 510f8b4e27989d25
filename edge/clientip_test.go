package edge

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientIP(t *testing.T) {
	e := &Edge{cfg: Config{TrustedProxies: []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8"),
	}}}
	tests := []struct {
		remote string
		xff    []string
		want   string
		proxy  bool
	}{
		{"198.51.100.1:1234", nil, "198.51.100.1", false},
		{"198.51.100.1:1234", []string{"203.0.113.9"}, "198.51.100.1", false}, // untrusted peer: header ignored
		{"[2001:db8::1]:80", nil, "2001:db8::1", false},
		{"[::ffff:198.51.100.1]:80", nil, "198.51.100.1", false},
		{"10.0.0.1:1", nil, "10.0.0.1", true},
		{"10.0.0.1:1", []string{"203.0.113.9"}, "203.0.113.9", true},
		{"10.0.0.1:1", []string{"203.0.113.9, 10.0.0.2"}, "203.0.113.9", true},
		{"10.0.0.1:1", []string{"1.1.1.1, 203.0.113.9, 10.0.0.2"}, "203.0.113.9", true}, // left-most is the client's say
		{"10.0.0.1:1", []string{"1.1.1.1", "203.0.113.9,10.0.0.2"}, "203.0.113.9", true},
		{"10.0.0.1:1", []string{"203.0.113.9:5555"}, "203.0.113.9", true},
		{"10.0.0.1:1", []string{"[2001:db8::7]:5555, fd00::3"}, "2001:db8::7", true},
		{"10.0.0.1:1", []string{"garbage, 10.0.0.2"}, "10.0.0.2", true},
		{"10.0.0.1:1", []string{"10.0.0.3, 10.0.0.2"}, "10.0.0.3", true}, // all trusted: the furthest
		{"not an address", nil, "invalid IP", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/c/x", nil)
		r.RemoteAddr = tt.remote
		for _, v := range tt.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		got, proxy := e.clientIP(r)
		if got.String() != tt.want || proxy != tt.proxy {
			t.Errorf("clientIP(%s, %q) = %s, %v; want %s, %v", tt.remote, tt.xff, got, proxy, tt.want, tt.proxy)
		}
	}
}
