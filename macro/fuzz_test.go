package macro

import (
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
