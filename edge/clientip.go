package edge

import (
	"net/http"
	"net/netip"
	"strings"
)

// clientIP returns the visitor's address and whether the peer is a trusted proxy. Behind trusted
// proxies it walks X-Forwarded-For from the right, past the proxies' own addresses, to the first
// address that is not one of them: entries further left were written by the client and could
// be anything, so taking the left-most one would let a visitor choose its own address (and so
// its country and its uniqueness).
func (e *Edge) clientIP(r *http.Request) (netip.Addr, bool) {
	return ClientIP(r, e.cfg.TrustedProxies)
}

// ClientIP is the client's address as the edge reads it behind the proxies of trusted (see
// clientIP), and whether the peer is one of them: for the web UI's login throttle and its
// choice of Secure cookies.
func ClientIP(r *http.Request, trusted []netip.Prefix) (netip.Addr, bool) {
	peer := parseHostPort(r.RemoteAddr)
	if !peer.IsValid() || !inPrefixes(trusted, peer) {
		return peer, false
	}
	client := peer
	xff := r.Header["X-Forwarded-For"]
	for i := len(xff) - 1; i >= 0; i-- {
		list := xff[i]
		for list != "" {
			var item string
			if j := strings.LastIndexByte(list, ','); j >= 0 {
				item, list = list[j+1:], list[:j]
			} else {
				item, list = list, ""
			}
			a := parseHostPort(strings.TrimSpace(item))
			if !a.IsValid() {
				// Garbage from a hop we do not trust: the last hop we could read is the client.
				return client, true
			}
			client = a
			if !inPrefixes(trusted, a) {
				return client, true
			}
		}
	}
	return client, true
}

func inPrefixes(trusted []netip.Prefix, a netip.Addr) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHostPort reads "ip", "ip:port" or "[ipv6]:port", giving IPv4-mapped IPv6 addresses
// their IPv4 form so that one visitor has one address however the listener received it.
func parseHostPort(s string) netip.Addr {
	// Choosing the parser by shape avoids a failed parse, whose error allocates, per request.
	if strings.HasPrefix(s, "[") || strings.Count(s, ":") == 1 {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return netip.Addr{}
		}
		return ap.Addr().Unmap().WithZone("")
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap().WithZone("")
}
