package main

import (
	"bytes"
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pactum/pactum/geoip"
)

// pactum fraud asn-update builds the database --asn-db reads from the package's CSV files, and
// replaces the old file only with a complete new one.
func TestFraudASNUpdate(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "asn-ipv4.csv"), []byte("198.51.100.0,198.51.100.255,64500,\"Hosting, Ltd\"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "asn-ipv6.csv"), []byte("2001:db8::,2001:db8::ffff,64501,Home\n"), 0o644)
	out := filepath.Join(dir, "asn.mmdb")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"fraud", "asn-update", "--from", dir, "--out", out}, &stdout, &stderr); err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "2 address ranges") {
		t.Errorf("stdout: %s", stdout.String())
	}
	db, err := geoip.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.ASN(netip.MustParseAddr("198.51.100.7")) != 64500 || db.ASN(netip.MustParseAddr("2001:db8::1")) != 64501 {
		t.Error("lookups")
	}
	os.WriteFile(filepath.Join(dir, "asn-ipv6.csv"), []byte("not,a,range,at all\n"), 0o644)
	err = run(context.Background(), []string{"fraud", "asn-update", "--from", dir, "--out", out}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "asn-ipv6.csv line 1") {
		t.Errorf("a bad file: %v", err)
	}
	if db2, err := geoip.Open(out); err != nil {
		t.Errorf("the old database was damaged: %v", err)
	} else {
		db2.Close()
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*.tmp"))
	if len(matches) != 0 {
		t.Errorf("left behind: %v", matches)
	}
}
