package geoip_test

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/pactum/pactum/geoip"
)

// network is one entry of a test database: a CIDR and its record.
type network struct {
	cidr   string
	record mmdbtype.Map
}

// writeDB builds an MMDB file of the given networks in dir and returns its path.
func writeDB(t testing.TB, dbType string, nets []network) string {
	t.Helper()
	w, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: dbType, IncludeReservedNetworks: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nets {
		_, ipnet, err := net.ParseCIDR(n.cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Insert(ipnet, n.record); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), dbType+".mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func nested(key, code string) mmdbtype.Map {
	return mmdbtype.Map{mmdbtype.String(key): mmdbtype.Map{
		"iso_code":   mmdbtype.String(code),
		"geoname_id": mmdbtype.Uint32(1),
		"names":      mmdbtype.Map{"en": mmdbtype.String("Somewhere")},
	}}
}

func TestCountry(t *testing.T) {
	maxmindCity := []network{
		{"81.2.69.0/24", mmdbtype.Map{
			"country":            nested("x", "GB")["x"],
			"registered_country": nested("x", "GB")["x"],
			"city":               mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String("London")}},
		}},
		// Anonymous proxies and satellite providers have no country, only a registered one.
		{"203.0.113.0/24", nested("registered_country", "US")},
		{"2a02:c7c::/32", nested("country", "DE")},
		// Old databases name the EU or Asia-Pacific for some networks: no country; the
		// registered one is asked next. A reserved code is none either.
		{"192.0.2.0/24", mmdbtype.Map{"country": nested("x", "EU")["x"], "registered_country": nested("x", "NL")["x"]}},
		{"198.18.0.0/15", nested("country", "ZZ")},
	}
	dbipLite := []network{
		{"81.2.69.0/24", mmdbtype.Map{
			"continent": mmdbtype.Map{"code": mmdbtype.String("EU")},
			"country": mmdbtype.Map{
				"iso_code":             mmdbtype.String("FR"),
				"is_in_european_union": mmdbtype.Bool(true),
				"names":                mmdbtype.Map{"en": mmdbtype.String("France")},
			},
		}},
		{"2a02:c7c::/32", nested("country", "it")},
	}
	flat := []network{
		{"81.2.69.0/24", mmdbtype.Map{"country_code": mmdbtype.String("ES")}},
		{"2a02:c7c::/32", mmdbtype.Map{"country_code": mmdbtype.String("pt")}},
		{"203.0.113.0/24", mmdbtype.Map{"country_code": mmdbtype.String("XK")}},
		{"192.0.2.0/24", mmdbtype.Map{"country_code": mmdbtype.String("XX")}},
		{"198.51.100.0/24", mmdbtype.Map{"country_code": mmdbtype.String("ZZZ")}},
	}
	tests := []struct {
		layout string
		nets   []network
		ip     string
		want   string
	}{
		{"GeoLite2-City", maxmindCity, "81.2.69.142", "GB"},
		{"GeoLite2-City", maxmindCity, "::ffff:81.2.69.142", "GB"},
		{"GeoLite2-City", maxmindCity, "203.0.113.7", "US"},
		{"GeoLite2-City", maxmindCity, "2a02:c7c:1::1", "DE"},
		{"GeoLite2-City", maxmindCity, "8.8.8.8", ""},
		{"GeoLite2-City", maxmindCity, "192.0.2.10", "NL"},
		{"GeoLite2-City", maxmindCity, "198.18.0.1", ""},
		{"GeoLite2-City", maxmindCity, "2001:4860::8888", ""},
		{"DBIP-Country-Lite", dbipLite, "81.2.69.1", "FR"},
		{"DBIP-Country-Lite", dbipLite, "2a02:c7c::9", "IT"},
		{"DBIP-Country-Lite", dbipLite, "1.1.1.1", ""},
		{"ip-location-db", flat, "81.2.69.200", "ES"},
		{"ip-location-db", flat, "2a02:c7c:ffff::", "PT"},
		{"ip-location-db", flat, "198.51.100.1", ""},
		{"ip-location-db", flat, "203.0.113.5", "XK"},
		{"ip-location-db", flat, "192.0.2.5", ""},
		{"ip-location-db", flat, "9.9.9.9", ""},
	}
	dbs := map[string]*geoip.DB{}
	for _, tt := range tests {
		db := dbs[tt.layout]
		if db == nil {
			var err error
			db, err = geoip.Open(writeDB(t, tt.layout, tt.nets))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			dbs[tt.layout] = db
		}
		// Twice: the second answer comes from the per-record cache.
		for range 2 {
			if got := db.Country(netip.MustParseAddr(tt.ip)); got != tt.want {
				t.Errorf("%s: Country(%s) = %q, want %q", tt.layout, tt.ip, got, tt.want)
			}
		}
	}
	if got := dbs["GeoLite2-City"].Country(netip.Addr{}); got != "" {
		t.Errorf("Country(zero Addr) = %q, want empty", got)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := geoip.Open(filepath.Join(t.TempDir(), "missing.mmdb")); err == nil {
		t.Error("Open(missing file): want an error")
	}
	junk := filepath.Join(t.TempDir(), "junk.mmdb")
	if err := os.WriteFile(junk, []byte("not an mmdb file"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := geoip.Open(junk); err == nil {
		t.Error("Open(junk file): want an error")
	}
}

func BenchmarkCountry(b *testing.B) {
	path := writeDB(b, "GeoLite2-Country", []network{
		{"81.2.69.0/24", nested("country", "GB")},
		{"2a02:c7c::/32", nested("country", "DE")},
	})
	db, err := geoip.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ips := []netip.Addr{netip.MustParseAddr("81.2.69.142"), netip.MustParseAddr("2a02:c7c::1"), netip.MustParseAddr("8.8.8.8")}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		db.Country(ips[i%len(ips)])
	}
}
