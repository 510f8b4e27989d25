package edge_test

import (
	"net/http"
	"os/exec"
	"strings"
	"testing"
)

func TestSDKServed(t *testing.T) {
	h := newConvHarness(t, nil)
	w := h.get("/sdk.js", visitorIP)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/javascript") {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := w.Header().Get("Cache-Control"); cc != "public, max-age=3600" {
		t.Errorf("Cache-Control %q", cc)
	}
	body := w.Body.String()
	for _, s := range []string{"pactum_click_id", "data-param", "/pixel?", "SameSite=Lax", "conversion"} {
		if !strings.Contains(body, s) {
			t.Errorf("sdk.js does not mention %q", s)
		}
	}
}

// sdkScenario runs sdk.js in Node with a stand-in for the browser: a landing page with a click
// id in its URL, then a conversion. It prints the cookie written and the pixel requested.
const sdkScenario = `
const fs = require("fs");
const src = fs.readFileSync(0, "utf8");
function page(search, protocol, attrs, cookie) {
  const out = {cookies: [], images: []};
  const script = {src: "https://track.example/sdk.js", getAttribute: (n) => attrs[n] || null};
  const document = {currentScript: script, getElementsByTagName: () => [script],
    createElement: () => { const a = {}; Object.defineProperty(a, "href", {set(v) { const u = new URL(v); a.protocol = u.protocol; a.host = u.host; }}); return a; },
    get cookie() { return cookie; }, set cookie(v) { out.cookies.push(v); cookie = v.split(";")[0]; }};
  const window = {location: {search, protocol}};
  global.Image = function () { const img = {}; Object.defineProperty(img, "src", {set(v) { out.images.push(v); }}); return img; };
  new Function("window", "document", src)(window, document);
  return {out, Pactum: window.Pactum};
}
const res = [];
let p = page("?utm=x&clickid=ABC_def-123&click_id=", "https:", {}, "");
p.Pactum.conversion({offer_id: 12, event: "purchase", amount: "10.50", order_id: "A&B", currency: "EUR", ignored: 1});
res.push(p.out);
// The page is http, so the cookie is not Secure; the pixel goes where the script came from.
p = page("?ref=ZZZ", "http:", {"data-param": "x, ref"}, "");
p.Pactum.conversion({offer_id: 12});
res.push(p.out);
p = page("?click_id=%3Cscript%3E", "https:", {}, "other=1; pactum_click_id=FROMCOOKIE");
p.Pactum.conversion({event: "lead"});
res.push(p.out);
console.log(JSON.stringify(res));
`

func TestSDKBehaviour(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	h := newConvHarness(t, nil)
	js := h.get("/sdk.js", visitorIP).Body.String()
	cmd := exec.Command(node, "-e", sdkScenario)
	cmd.Stdin = strings.NewReader(js)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	got := strings.TrimSpace(string(out))
	want := `[` +
		`{"cookies":["pactum_click_id=ABC_def-123; Path=/; Max-Age=2592000; SameSite=Lax; Secure"],` +
		`"images":["https://track.example/pixel?offer_id=12&event=purchase&amount=10.50&order_id=A%26B&currency=EUR&click_id=ABC_def-123"]},` +
		`{"cookies":["pactum_click_id=ZZZ; Path=/; Max-Age=2592000; SameSite=Lax"],` +
		`"images":["https://track.example/pixel?offer_id=12&click_id=ZZZ"]},` +
		`{"cookies":[],"images":["https://track.example/pixel?event=lead&click_id=FROMCOOKIE"]}` +
		`]`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
