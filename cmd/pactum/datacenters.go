package main

import (
	"errors"
	"fmt"
	"net/netip"
	"os"

	"github.com/pactum/pactum/geoip"
)

// openDataCenters opens the ASN database and the list of hosting ASNs that the datacenter
// fraud rule needs (docs/fraud.md says where both come from). Neither given: no rule, and no
// error; one without the other is a mistake worth stopping for.
func openDataCenters(asnDB, hostingASNs string) (*geoip.DataCenters, *geoip.DB, error) {
	switch {
	case asnDB == "" && hostingASNs == "":
		return nil, nil, nil
	case asnDB == "" || hostingASNs == "":
		return nil, nil, errors.New("--asn-db and --hosting-asns go together: the datacenter rule needs the ASN of each address and the list of hosting ASNs")
	}
	f, err := os.Open(hostingASNs)
	if err != nil {
		return nil, nil, fmt.Errorf("open --hosting-asns: %w", err)
	}
	defer f.Close()
	asns, err := geoip.ParseASNList(f)
	if err != nil {
		return nil, nil, fmt.Errorf("--hosting-asns %s: %w", hostingASNs, err)
	}
	db, err := geoip.Open(asnDB)
	if err != nil {
		return nil, nil, fmt.Errorf("open --asn-db: %w", err)
	}
	return geoip.NewDataCenters(db, asns), db, nil
}

// dataCenterTest is the edge's data-centre test, a nil interface without one (a typed nil
// pointer in an interface would not be nil).
func (s *server) dataCenterTest() interface{ Contains(netip.Addr) bool } {
	if s.dataCenters == nil {
		return nil
	}
	return s.dataCenters
}
