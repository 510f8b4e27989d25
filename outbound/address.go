// Package outbound sends the HTTP requests whose address someone outside the operator chose (a
// partner's postback URL, and any later outgoing webhook), so that none of them can reach the
// network Pactum runs in: its own loopback, the private and link-local ranges, the cloud's
// metadata service. The address rule is checked twice: on the URL, when it is saved and before
// each request (every spelling of an IP address a resolver or a browser accepts), and on the
// address the connection is actually made to, in the dialer after DNS, so that a name that
// resolves to a private address, or one whose answer changes between the check and the connect
// (DNS rebinding), is refused too. Redirects are not followed, timeouts are short and answers
// are read only as far as the caller asks.
package outbound

import (
	"fmt"
	"net/netip"
)

// refused are the ranges no outgoing request may reach, with the words an error says about
// them. A public address is global unicast and in none of them (Refused).
var refused = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "an unspecified (\"this network\") address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "a private address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a carrier-grade NAT (shared) address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address (where cloud metadata services answer)"},
	{netip.MustParsePrefix("172.16.0.0/12"), "a private address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "a reserved (IETF protocol) address"},
	{netip.MustParsePrefix("192.0.2.0/24"), "a documentation address"},
	{netip.MustParsePrefix("192.88.99.0/24"), "a reserved (6to4 relay) address"},
	{netip.MustParsePrefix("192.168.0.0/16"), "a private address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a reserved (benchmarking) address"},
	{netip.MustParsePrefix("198.51.100.0/24"), "a documentation address"},
	{netip.MustParsePrefix("203.0.113.0/24"), "a documentation address"},
	{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved (or broadcast) address"},

	{netip.MustParsePrefix("::/128"), "an unspecified address"},
	{netip.MustParsePrefix("::1/128"), "a loopback address"},
	// IPv4-compatible (deprecated, ::127.0.0.1) and IPv4-translated addresses: a stack may
	// still route them to the IPv4 address inside. (IPv4-mapped ones are unmapped and judged
	// as the IPv4 address they are, before this list is read.)
	{netip.MustParsePrefix("::/96"), "an IPv4-compatible address"},
	{netip.MustParsePrefix("::ffff:0:0:0/96"), "an IPv4-translated address"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "a local-use NAT64 address"},
	{netip.MustParsePrefix("100::/64"), "a discard-only address"},
	{netip.MustParsePrefix("2001::/23"), "a reserved (IETF protocol, Teredo) address"},
	{netip.MustParsePrefix("2001:db8::/32"), "a documentation address"},
	{netip.MustParsePrefix("3fff::/20"), "a documentation address"},
	{netip.MustParsePrefix("fc00::/7"), "a unique-local address (where cloud metadata services answer: fd00:ec2::254)"},
	{netip.MustParsePrefix("fe80::/10"), "a link-local address"},
	{netip.MustParsePrefix("fec0::/10"), "a site-local address"},
	{netip.MustParsePrefix("ff00::/8"), "a multicast address"},
}

// Prefixes whose addresses carry an IPv4 address that a gateway forwards to: they are judged
// by that address (a NAT64 gateway of an IPv6-only network reaches public IPv4 this way).
var (
	nat64 = netip.MustParsePrefix("64:ff9b::/96")
	six4  = netip.MustParsePrefix("2002::/16")
)

// Refused returns why an outgoing request may not go to addr ("a loopback address"), or "" when
// addr is a public address it may go to.
func Refused(addr netip.Addr) string {
	if !addr.IsValid() {
		return "not an address"
	}
	if addr.Zone() != "" {
		return "an address with a zone"
	}
	addr = addr.Unmap()
	if addr.Is6() {
		b := addr.As16()
		switch {
		case nat64.Contains(addr):
			if why := Refused(netip.AddrFrom4([4]byte(b[12:16]))); why != "" {
				return why + " behind NAT64"
			}
			return ""
		case six4.Contains(addr):
			if why := Refused(netip.AddrFrom4([4]byte(b[2:6]))); why != "" {
				return why + " behind 6to4"
			}
			return ""
		}
	}
	for _, r := range refused {
		if r.prefix.Contains(addr) {
			return r.what
		}
	}
	if !addr.IsGlobalUnicast() {
		return "not a public unicast address"
	}
	return ""
}

// RefusedError is a request refused by the guard (its address, scheme or form): no connection
// was made, and trying again cannot help until the URL or what its name resolves to changes.
type RefusedError struct {
	Message string
}

func (e *RefusedError) Error() string { return e.Message }

// refusedAddr is the error about a host whose address is not public.
func refusedAddr(host, why string) error {
	return &RefusedError{Message: fmt.Sprintf("%s is %s; outgoing requests go only to public addresses", host, why)}
}
