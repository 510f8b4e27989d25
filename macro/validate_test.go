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
