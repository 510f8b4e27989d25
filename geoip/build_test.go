package geoip_test

import (
	"bytes"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pactum/pactum/geoip"
)

// buildASN writes the database of the CSV sources into a file and opens it.
func buildASN(t testing.TB, sources map[string]string) (*geoip.DB, error) {
	in := map[string]io.Reader{}
	for name, s := range sources {
		in[name] = strings.NewReader(s)
	}
	var b bytes.Buffer
	if _, err := geoip.BuildASN(&b, in); err != nil {
		return nil, err
	}
	path := filepath.Join(t.TempDir(), "asn.mmdb")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := geoip.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, nil
}

func TestBuildASN(t *testing.T) {
	db, err := buildASN(t, map[string]string{
		"asn-ipv4.csv": "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n203.0.113.0,203.0.113.127,64500,Hosting Ltd\n203.0.113.128,203.0.114.9,64501,Home ISP\n",
		"asn-ipv6.csv": "2001:db8::,2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,64500,Hosting Ltd\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	for ip, want := range map[string]uint32{"1.0.0.1": 13335, "203.0.113.127": 64500, "203.0.113.128": 64501,
		"203.0.114.9": 64501, "203.0.114.10": 0, "2001:db8::7": 64500, "::ffff:203.0.113.1": 64500} {
		if got := db.ASN(netip.MustParseAddr(ip)); got != want {
			t.Errorf("%s: AS%d, want AS%d", ip, got, want)
		}
	}
	for _, bad := range []string{"1.0.0.0,1.0.0.255,AS1,x\n", "1.0.0.9,1.0.0.1,1,x\n", "1.0.0.0,::1,1,x\n", "1.0.0.0,1.0.0.1,1\n"} {
		if _, err := buildASN(t, map[string]string{"bad.csv": bad}); err == nil || !strings.Contains(err.Error(), "bad.csv") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// FuzzBuildASN: any CSV is a database or an error naming the file, never a panic.
func FuzzBuildASN(f *testing.F) {
	f.Add("1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n")
	f.Add("2001:db8::,2001:db8::ff,64500,x\n")
	f.Fuzz(func(t *testing.T, data string) {
		var b bytes.Buffer
		if _, err := geoip.BuildASN(&b, map[string]io.Reader{"f.csv": strings.NewReader(data)}); err != nil && !strings.Contains(err.Error(), "f.csv") {
			t.Fatalf("%q: %v", data, err)
		}
	})
}
