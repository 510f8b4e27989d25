package macro

import (
	"strings"
	"testing"

	"github.com/pactum/pactum"
)

func TestValidateURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://shop.example/", true},
		{"http://shop.example", true},
		{"HTTPS://Shop.Example/p", true},
		{"https://shop.example:8443/p?x=1#top", true},
		{"https://shop.example/landing?clickid={click_id}&aff={aff_id}&s={sub1}", true},
		{"https://shop.example/{offer_id}/{sub2}?x={foo}#{sub3}", true},
		{"https://127.0.0.1/p?c={click_id}", true},
		{"https://[2001:db8::1]/p", true},
		{"https://shop.example/p?json={%22a%22}", true},

		{"", false},
		{"shop.example/p", false},
		{"/relative/path", false},
		{"//shop.example/p", false},
		{"javascript:alert(1)", false},
		{"JavaScript://shop.example/%0Aalert(1)", false},
		{"data:text/html,hi", false},
		{"ftp://shop.example/", false},
		{"mailto:a@shop.example", false},
		{"https://", false},
		{"https:///path", false},
		{"https://:443/path", false},
		{"https:shop.example", false},
		{"https://{sub1}/", false},
		{"https://{sub1}", false},
		{"https://shop.example{sub1}/", false},
		{"https://{sub1}.shop.example/", false},
		{"https://shop.example:{sub1}/", false},
		{"https://shop.example:99999/", false},
		{"https://shop.example:0/", false},
		{"https://shop.example:65535/", true},
		{"https://{sub1}@shop.example/", false},
		{"https://shop.example@evil.example/", false},
		{"https://shop.example\\{sub1}", false},
		{"{sub1}://shop.example/", false},
		{"http{sub1}://shop.example/", false},
		{"{click_id}", false},
		{"https://shop.example/a b", false},
		{"https://shop.example/\n", false},
		{" https://shop.example/", false},
		{"https://shop.example/" + strings.Repeat("a", maxURLLen), false},
	}
	for _, tt := range tests {
		err := ValidateURL(tt.url, "destination_url")
		if tt.ok && err != nil {
			t.Errorf("ValidateURL(%q) = %v, want ok", tt.url, err)
		}
		if !tt.ok && (pactum.ErrorCode(err) != pactum.EINVALID || pactum.ErrorField(err) != "destination_url") {
			t.Errorf("ValidateURL(%q) = %v, want invalid_argument about destination_url", tt.url, err)
		}
	}
}

// TestNormalizeURL: the stored template has its host in the ASCII form a browser goes to, so
// that it reads as where visitors go; hosts that read as one host and lead to another are
// refused.
func TestNormalizeURL(t *testing.T) {
	for _, tt := range []struct {
		in, want string // want "" when refused
	}{
		{"https://shop.example/p?c={click_id}", "https://shop.example/p?c={click_id}"},
		{"HTTPS://Shop.Example/p", "https://shop.example/p"},
		{"Http://SHOP.example:8443", "http://shop.example:8443"},
		{"https://ｅｖｉｌ.example/", "https://evil.example/"},
		{"https://evil。example/", "https://evil.example/"},
		{"https://evil．example/x", "https://evil.example/x"},
		{"https://bücher.example/p?c={click_id}", "https://xn--bcher-kva.example/p?c={click_id}"},
		{"https://BÜCHER.example/", "https://xn--bcher-kva.example/"},
		{"https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/"},
		{"https://faß.example/", "https://xn--fa-hia.example/"}, // IDNA 2008: ß is not ss
		{"https://my_shop.example/", "https://my_shop.example/"},
		{"https://r3---sn-apo.example/", "https://r3---sn-apo.example/"},
		{"https://[2001:DB8::1]:8443/p", "https://[2001:db8::1]:8443/p"},
		{"https://127.0.0.1/p", "https://127.0.0.1/p"},
		{"https://shop.example/caf%C3%A9?q=%E3%80%82#{sub1}", "https://shop.example/caf%C3%A9?q=%E3%80%82#{sub1}"},

		{"https://shop.example%E3%80%82evil.example/", ""},
		{"https://shop%2Eexample/", ""},
		{"https://%73hop.example/", ""},
		{"https://[fe80::1%25en0]/", ""},
		{"https://shop.example／evil.example/", ""},
		{"https://shop.example＠evil.example/", ""},
		{"https://shop.example：8443/", ""},
		{"https://shop.example？x/", ""},
		{"https://shop.example＃x/", ""},
		{"https://xn--a.example/", ""},
		{"https://。/", ""},
		{"https://shop.example.{sub1}/", ""},
		{"https://{sub1}%2Eshop.example/", ""},
		{"https://shop.example%2F@evil.example/", ""},
		{"https://ｓｈｏｐ.example＼{sub1}/", ""},
	} {
		got, err := NormalizeURL(tt.in, "destination_url")
		if tt.want == "" {
			if err == nil || pactum.ErrorField(err) != "destination_url" {
				t.Errorf("NormalizeURL(%q) = %q, %v; want an error about destination_url", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			continue
		}
		if again, err := NormalizeURL(got, "destination_url"); err != nil || again != got {
			t.Errorf("NormalizeURL(%q) = %q, %v; want it unchanged", got, again, err)
		}
	}
}
