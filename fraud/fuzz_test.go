package fraud

import (
	"encoding/json"
	"net/netip"
	"testing"

	"github.com/pactum/pactum"
)

// FuzzCheck feeds settings as the API decodes them: Check never panics, and what it accepts
// it accepts again unchanged, and compiles into a policy whose block list holds every entry.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{`{}`, `{"level":"strict","rules":{"datacenter":"reject"}}`,
		`{"blocked_ips":["203.0.113.0/24","2001:db8::1"," 198.51.100.7 "]}`,
		`{"duplicate_window_seconds":60,"max_conversion_seconds":86400}`, `{"rules":{"":"off"}}`,
		`{"blocked_ips":["::ffff:10.0.0.0/104","fe80::1%eth0"]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s pactum.FraudSettings
		if json.Unmarshal(data, &s) != nil {
			return
		}
		out, err := Check("fraud", s)
		if err != nil {
			if e, ok := err.(*pactum.Error); !ok || e.Code != pactum.EINVALID || e.Field == "" {
				t.Fatalf("%s: %v is not an invalid_argument naming a field", data, err)
			}
			return
		}
		again, err := Check("fraud", out)
		if err != nil {
			t.Fatalf("%s: canonical form %+v refused: %v", data, out, err)
		}
		b1, _ := json.Marshal(out)
		b2, _ := json.Marshal(again)
		if string(b1) != string(b2) {
			t.Fatalf("not stable: %s then %s", b1, b2)
		}
		p := For(pactum.Offer{Fraud: out})
		for _, e := range out.BlockedIPs {
			pr := pactum.ParseIPList([]string{e})
			if len(pr) != 1 || !p.Blocked(pr[0].Addr()) {
				t.Fatalf("%q accepted but not blocked", e)
			}
		}
	})
}

// FuzzBlocklist: any entries and address, no panic, and a listed address is always blocked.
func FuzzBlocklist(f *testing.F) {
	f.Add("203.0.113.0/24", "203.0.113.9")
	f.Add("2001:db8::1", "::ffff:203.0.113.9")
	f.Fuzz(func(t *testing.T, entry, ip string) {
		b := NewBlocklist([]string{entry})
		a, err := netip.ParseAddr(ip)
		if err != nil {
			return
		}
		b.Contains(a)
		if single, err := netip.ParseAddr(entry); err == nil && single.Zone() == "" && !b.Contains(single) {
			t.Fatalf("%q not blocked by itself", entry)
		}
	})
}
