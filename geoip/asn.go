package geoip

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
)

// asnRecord is the layout of ASN databases: MaxMind's GeoLite2-ASN, DB-IP's ASN Lite and
// ip-location-db's ASN MMDB files all name the number autonomous_system_number.
type asnRecord struct {
	ASN uint32 `maxminddb:"autonomous_system_number"`
}

// ASN returns the number of the autonomous system that announces ip, 0 when the database does
// not know it. Records are decoded once each and cached by offset, as countries are.
func (d *DB) ASN(ip netip.Addr) uint32 {
	if !ip.IsValid() {
		return 0
	}
	res := d.r.Lookup(ip.Unmap())
	if !res.Found() {
		return 0
	}
	off := res.Offset()
	if n, ok := d.asnByOffset.Load(off); ok {
		return n.(uint32)
	}
	var rec asnRecord
	if err := res.Decode(&rec); err != nil {
		return 0
	}
	if d.cached.Load() < maxCached {
		if _, loaded := d.asnByOffset.LoadOrStore(off, rec.ASN); !loaded {
			d.cached.Add(1)
		}
	}
	return rec.ASN
}

// DataCenters tells addresses of data-centre and hosting networks: those whose autonomous
// system (from an ASN database) is on a list of hosting ASNs.
type DataCenters struct {
	db   *DB
	asns map[uint32]struct{}
}

// NewDataCenters returns the data-centre test over an open ASN database and a list of hosting
// ASNs (ParseASNList).
func NewDataCenters(db *DB, asns map[uint32]struct{}) *DataCenters {
	return &DataCenters{db: db, asns: asns}
}

// Contains reports whether ip is in a hosting network.
func (d *DataCenters) Contains(ip netip.Addr) bool {
	if d == nil || len(d.asns) == 0 {
		return false
	}
	n := d.db.ASN(ip)
	if n == 0 {
		return false
	}
	_, ok := d.asns[n]
	return ok
}

// maxASN is the largest autonomous system number (32 bits).
const maxASN = 1<<32 - 1

// ParseASNList reads a list of autonomous system numbers, one a line, in the layouts the
// maintained lists use: "AS14061", "14061", "AS14061 # DigitalOcean", "14061,DigitalOcean"
// (a CSV whose first column is the number; a header line such as "ASN,Entity" is skipped).
// Blank lines and lines starting with # are skipped. Anything else is an error naming the line.
func ParseASNList(r io.Reader) (map[uint32]struct{}, error) {
	out := map[uint32]struct{}{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if i := strings.IndexByte(s, '#'); i >= 0 {
			s = strings.TrimSpace(s[:i])
		}
		if s == "" {
			continue
		}
		if i := strings.IndexAny(s, ",;\t "); i >= 0 {
			s = s[:i]
		}
		s = strings.Trim(s, `"'`)
		if len(s) >= 2 && strings.EqualFold(s[:2], "AS") {
			s = s[2:]
		}
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || n == 0 || n > maxASN {
			if line == 1 && err != nil {
				continue // a CSV header
			}
			return nil, fmt.Errorf("line %d: %q is not an AS number such as AS14061", line, sc.Text())
		}
		out[uint32(n)] = struct{}{}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read the ASN list: %w", err)
	}
	return out, nil
}
