package outbound

import (
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// CheckURL refuses a URL that an outgoing request may not go to: a scheme other than http and
// https, a user name or password (https://shop.example@10.0.0.1/ goes to 10.0.0.1), a
// percent-encoded host, and, unless allowPrivate, a host that is an address outside the public
// internet in any spelling a resolver or a browser reads as one (decimal 2130706433, octal
// 0177.0.0.1, hex 0x7f.1, short 127.1, IPv4-mapped IPv6 [::ffff:127.0.0.1]) or a name that is
// loopback by definition (localhost). Other names are judged by the addresses they resolve to,
// when the connection is made (Client). Errors are *RefusedError.
func CheckURL(raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return &RefusedError{Message: "is not a valid URL"}
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return &RefusedError{Message: "must be an http:// or https:// URL"}
	}
	if u.User != nil {
		return &RefusedError{Message: "must not contain a user name or password"}
	}
	if u.Opaque != "" || u.Host == "" {
		return &RefusedError{Message: "must be an absolute URL with a host"}
	}
	// url.Parse decodes a percent-encoded host, which a resolver would read otherwise: refuse
	// rather than guess which of the two the request goes to.
	if strings.ContainsAny(authority(raw), "%\\") {
		return &RefusedError{Message: "must not percent-encode its host"}
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return &RefusedError{Message: "has port " + p + ": a port is from 1 to 65535"}
		}
	}
	return checkHost(u.Hostname(), allowPrivate)
}

// authority returns the part of an absolute URL between "//" and the path, query or fragment.
func authority(raw string) string {
	_, rest, _ := strings.Cut(raw, "//")
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		return rest[:i]
	}
	return rest
}

// checkHost judges a URL's host (without brackets or port).
func checkHost(host string, allowPrivate bool) error {
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if name == "" {
		return &RefusedError{Message: "must be an absolute URL with a host"}
	}
	var addr netip.Addr
	switch {
	case strings.Contains(name, ":"):
		a, err := netip.ParseAddr(name)
		if err != nil {
			return &RefusedError{Message: host + " is not a valid IPv6 address"}
		}
		addr = a
	case endsInNumber(name):
		// As browsers do (WHATWG URL): a host whose last label is a number is an IPv4 address
		// or nothing; it is never looked up as a name (a resolver built on inet_aton would
		// read 0x7f.1 as 127.0.0.1).
		a, ok := parseIPv4(name)
		if !ok {
			return &RefusedError{Message: host + " is not a valid IPv4 address"}
		}
		addr = a
	default:
		if !allowPrivate && (name == "localhost" || strings.HasSuffix(name, ".localhost")) {
			return refusedAddr(host, "a loopback name")
		}
		return nil // judged when the connection is made
	}
	if allowPrivate {
		if addr.Zone() != "" {
			return refusedAddr(host, "an address with a zone")
		}
		return nil
	}
	if why := Refused(addr); why != "" {
		return refusedAddr(host, why)
	}
	return nil
}

// endsInNumber reports whether the last label of a host name is a number, decimal or 0x hex
// (WHATWG URL's "ends in a number").
func endsInNumber(host string) bool {
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" {
		return false
	}
	if hex, ok := strings.CutPrefix(last, "0x"); ok {
		return strings.Trim(hex, "0123456789abcdef") == ""
	}
	return strings.Trim(last, "0123456789") == ""
}

// parseIPv4 reads an IPv4 address as inet_aton and browsers do: one to four parts separated by
// dots, each decimal, octal (a leading 0) or hex (0x), the last filling the bytes that are left
// (127.1 is 127.0.0.1, 2130706433 is 127.0.0.1).
func parseIPv4(host string) (netip.Addr, bool) {
	parts := strings.Split(host, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var b [4]byte
	for i, p := range parts {
		n, ok := parseIPv4Part(p)
		if !ok {
			return netip.Addr{}, false
		}
		if i < len(parts)-1 {
			if n > 255 {
				return netip.Addr{}, false
			}
			b[i] = byte(n)
			continue
		}
		left := 4 - i // bytes the last part fills
		if n>>(8*left) != 0 {
			return netip.Addr{}, false
		}
		for j := 3; j >= i; j-- {
			b[j] = byte(n)
			n >>= 8
		}
	}
	return netip.AddrFrom4(b), true
}

func parseIPv4Part(p string) (uint64, bool) {
	base := 10
	switch {
	case strings.HasPrefix(p, "0x"):
		p, base = p[2:], 16
		if p == "" {
			return 0, true // "0x" alone is 0, as browsers read it
		}
	case len(p) > 1 && p[0] == '0':
		p, base = p[1:], 8
	}
	if p == "" || len(p) > 12 {
		return 0, false
	}
	n, err := strconv.ParseUint(p, base, 64)
	return n, err == nil
}
