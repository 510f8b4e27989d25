package macro

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/pactum/pactum"
)

// maxURLLen bounds a template: browsers and servers refuse much longer Location headers, and a
// postback URL is sent for every conversion.
const maxURLLen = 4096

// ValidateURL checks a URL template (an offer's destination or fallback URL, a partner's postback
// URL) when it is saved. It must be an absolute http or https URL with a host, and macros may
// appear only in its path, query or fragment: the scheme and host are fixed when the template is
// saved, so a click can never send a visitor, nor a postback our data, to a host of its choosing.
// Errors are about field.
func ValidateURL(s, field string) error {
	if s == "" {
		return pactum.FieldError(field, "is required")
	}
	if len(s) > maxURLLen {
		return pactum.FieldError(field, "is longer than %d characters", maxURLLen)
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			return pactum.FieldError(field, "must not contain spaces or control characters (percent-encode them)")
		}
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || !(strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https")) {
		return pactum.FieldError(field, "must be an absolute http:// or https:// URL")
	}
	// Browsers end the host at a backslash too, so a macro after one would still be in the host.
	host := rest
	if i := strings.IndexAny(rest, `/?#\`); i >= 0 {
		host = rest[:i]
	}
	if strings.ContainsAny(scheme, "{}") || strings.ContainsAny(host, "{}") {
		return pactum.FieldError(field, "macros may appear only in the path, query or fragment, never in the host")
	}
	var sample Values
	for i := range sample {
		sample[i] = "x"
	}
	u, err := url.Parse(string(Compile(s).Expand(nil, &sample)))
	if err != nil {
		return pactum.FieldError(field, "is not a valid URL")
	}
	if u.Hostname() == "" || u.Opaque != "" {
		return pactum.FieldError(field, "must be an absolute http:// or https:// URL with a host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return pactum.FieldError(field, "has port %s: a port is from 1 to 65535", p)
		}
	}
	// https://shop.example@evil.example goes to evil.example: refuse what looks like one host
	// and is another.
	if u.User != nil {
		return pactum.FieldError(field, "must not contain a user name or password")
	}
	return nil
}
