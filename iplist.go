package pactum

import (
	"fmt"
	"net/netip"
	"strings"
)

// CheckIPList validates a list of addresses ("203.0.113.7", "2001:db8::1") and CIDRs
// ("203.0.113.0/24") of at most max entries and returns it in canonical form, so that the
// edge compares like with like; errors name field[i]. A CIDR with host bits set ("10.1.2.3/8")
// is refused rather than widened silently: it is more likely a typo than a wish for 10.0.0.0/8.
// Advertisers' postback_ips and the fraud block lists (blocked_ips) are both such lists.
func CheckIPList(field string, list []string, max int) ([]string, error) {
	if len(list) > max {
		return nil, FieldError(field, "must list at most %d addresses or CIDRs", max)
	}
	out := make([]string, 0, len(list))
	seen := map[string]bool{}
	for i, s := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		s = strings.TrimSpace(s)
		var canon string
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, FieldError(f, "%q is not an IP address or CIDR such as \"203.0.113.0/24\"", s)
			}
			if p.Masked() != p {
				return nil, FieldError(f, "%q has bits set past its /%d: did you mean %q?", s, p.Bits(), p.Masked().String())
			}
			canon = p.String()
		} else {
			addr, err := netip.ParseAddr(s)
			if err != nil || addr.Zone() != "" {
				return nil, FieldError(f, "%q is not an IP address or CIDR such as \"203.0.113.7\"", s)
			}
			canon = addr.Unmap().String()
		}
		if seen[canon] {
			return nil, FieldError(f, "%q is listed twice", s)
		}
		seen[canon] = true
		out = append(out, canon)
	}
	return out, nil
}

// ParseIPList reads what CheckIPList accepts as prefixes (an address is a /32 or /128), in the
// form client addresses are compared in (IPv4-mapped IPv6 unmapped). Entries that are neither
// are skipped: the API validates lists on save, and one bad stored entry must not lock anyone
// out or in.
func ParseIPList(list []string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				continue
			}
			if p.Addr().Is4In6() && p.Bits() >= 96 {
				// ::ffff:a.b.c.d/n is an IPv4 network; client addresses are unmapped.
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			continue
		}
		a = a.Unmap().WithZone("")
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out
}
