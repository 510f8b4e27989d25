package geoip_test

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/pactum/pactum/geoip"
)

// asnNetworks is a small ASN database in GeoLite2-ASN's layout, made here with mmdbwriter.
func asnNetworks(t testing.TB) *geoip.DB {
	path := writeDB(t, "GeoLite2-ASN", []network{
		{"203.0.113.0/24", mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(14061),
			"autonomous_system_organization": mmdbtype.String("A hosting company")}},
		{"198.51.100.0/24", mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(3320),
			"autonomous_system_organization": mmdbtype.String("A home broadband provider")}},
		{"2001:db8::/32", mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(14061)}},
	})
	db, err := geoip.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestDataCenters(t *testing.T) {
	db := asnNetworks(t)
	asns, err := geoip.ParseASNList(strings.NewReader("ASN,Entity\n\"14061\",\"DIGITALOCEAN-ASN\"\n# comment\n\nAS16509 # AWS\n"))
	if err != nil {
		t.Fatal(err)
	}
	dc := geoip.NewDataCenters(db, asns)
	for ip, want := range map[string]bool{
		"203.0.113.9": true, "::ffff:203.0.113.9": true, "2001:db8::7": true,
		"198.51.100.9": false, "192.0.2.1": false,
	} {
		if got := dc.Contains(netip.MustParseAddr(ip)); got != want {
			t.Errorf("%s: %v, want %v", ip, got, want)
		}
		// Twice: the second answer comes from the cache of decoded records.
		if got := dc.Contains(netip.MustParseAddr(ip)); got != want {
			t.Errorf("%s again: %v", ip, got)
		}
	}
	if db.ASN(netip.MustParseAddr("198.51.100.1")) != 3320 || db.ASN(netip.Addr{}) != 0 {
		t.Error("ASN")
	}
	var none *geoip.DataCenters
	if none.Contains(netip.MustParseAddr("203.0.113.9")) {
		t.Error("no database, yet a data centre")
	}
}

func TestParseASNList(t *testing.T) {
	for _, bad := range []string{"AS14061\nDigitalOcean\n", "AS0\n", "4294967296\n", "14061\nASX\n"} {
		if _, err := geoip.ParseASNList(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "line") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	got, err := geoip.ParseASNList(strings.NewReader("as13335\n4294967295;max\n\tAS1\t# tab\n"))
	if err != nil || len(got) != 3 {
		t.Fatalf("%v %v", got, err)
	}
}

// FuzzParseASNList: any file, no panic; every number it returns is a valid AS number that the
// same list, written back, gives again.
func FuzzParseASNList(f *testing.F) {
	f.Add("ASN,Entity\n14061,DO\nAS16509 # AWS\n")
	f.Add("\"AS13335\",x\n\n# c\n")
	f.Fuzz(func(t *testing.T, data string) {
		got, err := geoip.ParseASNList(strings.NewReader(data))
		if err != nil {
			return
		}
		var b strings.Builder
		for n := range got {
			if n == 0 {
				t.Fatalf("AS0 accepted from %q", data)
			}
			b.WriteString("AS" + strconv.FormatUint(uint64(n), 10) + "\n")
		}
		again, err := geoip.ParseASNList(strings.NewReader(b.String()))
		if err != nil || len(again) != len(got) {
			t.Fatalf("%q: written back %q gives %v %v", data, b.String(), again, err)
		}
	})
}
