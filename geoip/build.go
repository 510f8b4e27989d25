package geoip

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// BuildASN writes an ASN database in GeoLite2-ASN's layout (autonomous_system_number,
// autonomous_system_organization), which ASN and DataCenters read, from CSV files of address
// ranges: "first,last,asn,organization" a line, as the npm package @ip-location-db/asn ships them
// (asn-ipv4.csv, asn-ipv6.csv; CC BY 4.0, from RouteViews, the registries and DB-IP). A line that
// is not such a range is an error naming the file's line: the data must not be half read.
func BuildASN(w io.Writer, sources map[string]io.Reader) (ranges int, err error) {
	// Reserved networks are allowed: the data decides what an address belongs to.
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "ip-location-db-asn", RecordSize: 28, IncludeReservedNetworks: true,
		// IPv6 data of its own (Teredo, 6to4) must not collide with aliases of IPv4 networks;
		// lookups unmap IPv4-mapped addresses first.
		DisableIPv4Aliasing: true,
		Description:         map[string]string{"en": "Autonomous systems of address ranges (pactum fraud asn-update)"}})
	if err != nil {
		return 0, fmt.Errorf("new ASN database: %w", err)
	}
	for name, r := range sources {
		n, err := insertRanges(tree, name, r)
		if err != nil {
			return 0, err
		}
		ranges += n
	}
	if _, err := tree.WriteTo(w); err != nil {
		return 0, fmt.Errorf("write the ASN database: %w", err)
	}
	return ranges, nil
}

func insertRanges(tree *mmdbwriter.Tree, name string, r io.Reader) (int, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 4
	cr.ReuseRecord = true
	// One value per organisation and number, so that the database stores each once.
	values := map[string]mmdbtype.Map{}
	n := 0
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("%s: %w", name, err)
		}
		first, err1 := netip.ParseAddr(rec[0])
		last, err2 := netip.ParseAddr(rec[1])
		asn, err3 := strconv.ParseUint(rec[2], 10, 32)
		if err1 != nil || err2 != nil || err3 != nil || first.Is4() != last.Is4() || last.Less(first) || first.Zone() != "" || last.Zone() != "" {
			return n, fmt.Errorf("%s line %d: %q is not first,last,asn,organization", name, line, rec)
		}
		key := rec[2] + "\x00" + rec[3]
		v, ok := values[key]
		if !ok {
			v = mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(asn),
				"autonomous_system_organization": mmdbtype.String(rec[3])}
			values[key] = v
		}
		if err := tree.InsertRange(net.IP(first.AsSlice()), net.IP(last.AsSlice()), v); err != nil {
			return n, fmt.Errorf("%s line %d: %w", name, line, err)
		}
		n++
	}
}
