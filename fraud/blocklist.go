package fraud

import (
	"net/netip"

	"github.com/pactum/pactum"
)

// MaxBlockedIPs bounds one block list (a program's or an offer's).
const MaxBlockedIPs = 1000

// Blocklist answers whether an address is on a block list, for every click: single addresses
// from a map, networks by a scan of the few there are.
type Blocklist struct {
	addrs    map[netip.Addr]struct{}
	networks []netip.Prefix
}

// NewBlocklist reads a list in the form pactum.CheckIPList keeps (entries it cannot read are
// skipped, as pactum.ParseIPList does).
func NewBlocklist(list []string) Blocklist {
	var b Blocklist
	for _, p := range pactum.ParseIPList(list) {
		if p.IsSingleIP() {
			if b.addrs == nil {
				b.addrs = make(map[netip.Addr]struct{})
			}
			b.addrs[p.Addr()] = struct{}{}
			continue
		}
		b.networks = append(b.networks, p)
	}
	return b
}

// Contains reports whether ip is listed.
func (b Blocklist) Contains(ip netip.Addr) bool {
	if !ip.IsValid() || (b.addrs == nil && b.networks == nil) {
		return false
	}
	ip = ip.Unmap()
	if _, ok := b.addrs[ip]; ok {
		return true
	}
	for _, p := range b.networks {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
