package macro

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"github.com/pactum/pactum"
)

// maxURLLen bounds a template: browsers and servers refuse much longer Location headers, and a
// postback URL is sent for every conversion.
const maxURLLen = 4096

// hostProfile turns a host name into the ASCII form browsers look up: UTS #46 processing, not
// transitional (IDNA 2008: "ß" stays "ß"), with the Bidi and joiner rules, and as WHATWG's URL
// standard does it, without the STD3 and hyphen rules ("my_shop", "r3---sn" are hosts browsers
// visit). What the mapping turns into a character no host has (a full-width '／' is '/') is
// refused after it, by asciiHost.
var hostProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.Transitional(false),
	idna.StrictDomainName(false), idna.CheckHyphens(false))

// ValidateURL checks a URL template (an offer's destination or fallback URL, a partner's postback
// URL) as NormalizeURL does, for callers that keep the template as given. Errors are about field.
func ValidateURL(s, field string) error {
	_, err := NormalizeURL(s, field)
	return err
}

// NormalizeURL checks a URL template when it is saved and returns the form to store and to show:
// the same template with its scheme in lower case and its host in the ASCII form browsers go to
// (IDNA: "ｅｖｉｌ.example" and "evil。example" are evil.example, "bücher.example" is
// xn--bcher-kva.example), so that what a program manager reads is where visitors go. Errors are
// about field.
//
// The template must be an absolute http or https URL with a host, and macros may appear only in
// its path, query or fragment: the scheme and host are fixed when the template is saved, so a
// click can never send a visitor, nor a postback our data, to a host of its choosing. A host may
// not be percent-encoded (shop.example%E3%80%82evil.example reads as shop.example and is
// shop.example.evil.example to a browser), nor carry a user name. NormalizeURL of its own
// result returns it unchanged.
func NormalizeURL(s, field string) (string, error) {
	if s == "" {
		return "", pactum.FieldError(field, "is required")
	}
	if len(s) > maxURLLen {
		return "", pactum.FieldError(field, "is longer than %d characters", maxURLLen)
	}
	if !utf8.ValidString(s) {
		return "", pactum.FieldError(field, "must be valid UTF-8 text")
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			return "", pactum.FieldError(field, "must not contain spaces or control characters (percent-encode them)")
		}
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || !(strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https")) {
		return "", pactum.FieldError(field, "must be an absolute http:// or https:// URL")
	}
	// Browsers end the host at a backslash too, so a macro after one would still be in the host.
	authority, path := rest, ""
	if i := strings.IndexAny(rest, `/?#\`); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	if strings.ContainsAny(authority, "{}") {
		return "", pactum.FieldError(field, "macros may appear only in the path, query or fragment, never in the host")
	}
	// https://shop.example@evil.example goes to evil.example: refuse what looks like one host
	// and is another.
	if strings.ContainsRune(authority, '@') {
		return "", pactum.FieldError(field, "must not contain a user name or password")
	}
	host, port := splitPort(authority)
	if strings.ContainsRune(host, '%') {
		return "", pactum.FieldError(field, "must not have a percent-encoded host: write the host name as it is")
	}
	host, err := asciiHost(host)
	if err != nil {
		return "", pactum.FieldError(field, "has a host that is not a valid host name (%v)", err)
	}
	out := strings.ToLower(scheme) + "://" + host + port + path
	if len(out) > maxURLLen {
		return "", pactum.FieldError(field, "is longer than %d characters once its host is in ASCII", maxURLLen)
	}

	var sample Values
	for i := range sample {
		sample[i] = "x"
	}
	u, err := url.Parse(string(Compile(out).Expand(nil, &sample)))
	if err != nil {
		return "", pactum.FieldError(field, "is not a valid URL")
	}
	if u.Hostname() == "" || u.Opaque != "" || u.User != nil {
		return "", pactum.FieldError(field, "must be an absolute http:// or https:// URL with a host")
	}
	if u.Host != host+port {
		// What url.Parse, and so a browser, reads as the host must be what was checked.
		return "", pactum.FieldError(field, "has a host that is not a valid host name")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", pactum.FieldError(field, "has port %s: a port is from 1 to 65535", p)
		}
	}
	return out, nil
}

// splitPort splits an authority into its host and its ":port" (or "").
func splitPort(authority string) (host, port string) {
	i := strings.LastIndexByte(authority, ':')
	if i < 0 || strings.IndexByte(authority[i:], ']') >= 0 {
		return authority, ""
	}
	return authority[:i], authority[i:]
}

// asciiHost returns host in the ASCII form browsers look up: an IPv6 literal in lower case, a
// name through hostProfile, made only of letters, digits, '-', '_' and dots.
func asciiHost(host string) (string, error) {
	if strings.HasPrefix(host, "[") {
		// An IPv6 literal: url.Parse checks it.
		return strings.ToLower(host), nil
	}
	a, err := hostProfile.ToASCII(host)
	if err != nil {
		return "", err
	}
	letters := false
	for i := 0; i < len(a); i++ {
		switch c := a[i]; {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			letters = true
		case c == '-', c == '_', c == '.':
		default:
			return "", errHostChar(c)
		}
	}
	if !letters {
		return "", errEmptyHost{}
	}
	return a, nil
}

type errHostChar byte

func (e errHostChar) Error() string {
	return "it holds " + strconv.QuoteRune(rune(e)) + ", which no host name has"
}

type errEmptyHost struct{}

func (errEmptyHost) Error() string { return "it is empty" }
