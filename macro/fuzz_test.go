package macro

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzExpand checks what Expand promises whatever the template and the values: no panic, no
// macro left raw, and no value able to add a parameter or a fragment.
func FuzzExpand(f *testing.F) {
	f.Add(typical, "x", "a&b=c#d", "{click_id}")
	f.Add("{{sub1}}", "click_id", "", "")
	f.Add("?a={sub1}&b={aff_sub2}#{p3}{unknown}{", "&", "#", "}{")
	f.Add("}{click_id{}{}}", "\x00\xff", "é", "%26")
	f.Fuzz(func(t *testing.T, tmpl, a, b, c string) {
		var v Values
		for n := range v {
			v[n] = [3]string{a, b, c}[int(n)%3]
		}
		compiled := Compile(tmpl)
		if compiled.String() != tmpl {
			t.Fatalf("String() = %q, want %q", compiled.String(), tmpl)
		}
		got := string(compiled.Expand(nil, &v))
		if strings.ContainsAny(got, "{}") {
			t.Fatalf("Expand(%q) = %q keeps a brace", tmpl, got)
		}
		bare := string(compiled.Expand(nil, &Values{}))
		for _, c := range []string{"&", "#", "?", "=", "/"} {
			if strings.Count(got, c) != strings.Count(bare, c) {
				t.Fatalf("Expand(%q) = %q: values added a raw %q", tmpl, got, c)
			}
		}
	})
}

// FuzzNormalizeURL checks what NormalizeURL promises whatever the template: no panic, a result
// that normalizes to itself, and a host, for any macro values, that is the ASCII host the
// result shows, never percent-encoded.
func FuzzNormalizeURL(f *testing.F) {
	for _, s := range []string{
		"https://shop.example/p?c={click_id}",
		"HTTPS://Shop.Example:8443/{sub1}#{sub2}",
		"https://ｅｖｉｌ.example/",
		"https://evil。example/",
		"https://shop.example%E3%80%82evil.example/",
		"https://bücher.example/?q={sub1}",
		"https://shop.example／evil.example/",
		"https://shop.example\\{sub1}",
		"https://[2001:DB8::1]/",
		"https://shop.example@evil.example/",
		"https://{sub1}.shop.example/",
	} {
		f.Add(s, "x")
	}
	f.Fuzz(func(t *testing.T, tmpl, value string) {
		out, err := NormalizeURL(tmpl, "u")
		if err != nil {
			return
		}
		again, err := NormalizeURL(out, "u")
		if err != nil || again != out {
			t.Fatalf("NormalizeURL(%q) = %q, but again %q, %v", tmpl, out, again, err)
		}
		_, rest, _ := strings.Cut(out, "://")
		authority := rest
		if i := strings.IndexAny(rest, `/?#\`); i >= 0 {
			authority = rest[:i]
		}
		for i := 0; i < len(authority); i++ {
			if c := authority[i]; c >= 0x80 || c == '%' || c == '@' || ('A' <= c && c <= 'Z') {
				t.Fatalf("NormalizeURL(%q) = %q: host %q is not in ASCII lower case", tmpl, out, authority)
			}
		}
		var v Values
		for n := range v {
			v[n] = value
		}
		u, err := url.Parse(string(Compile(out).Expand(nil, &v)))
		if err != nil {
			t.Fatalf("NormalizeURL(%q) = %q, which expands to no URL: %v", tmpl, out, err)
		}
		if u.Host != authority {
			t.Fatalf("NormalizeURL(%q) = %q: a value made the host %q, not %q", tmpl, out, u.Host, authority)
		}
	})
}
