package edge_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/pactum/pactum/edge"
)

// FuzzClickURL sends arbitrary paths and queries, by GET or HEAD: the edge must never panic nor
// answer 500, any Location it gives must lead to a configured destination or fallback, never to
// a URL from the request, and a HEAD never issues a click (no cookie).
func FuzzClickURL(f *testing.F) {
	for _, seed := range []struct {
		path, query string
		head        bool
	}{
		{"/c/anna", "sub1=x&source=y", false},
		{"/click", "offer_id=12&partner_id=42&sub1=%zz&url=https://evil.example", false},
		{"/aff_c", "offer_id=12&aff_id=42&aff_sub=a+b&redirect=//evil.example", false},
		{"/click", "campaign_id=16&pub_id=43&p1=%00%ff", false},
		{"/click", "pid=44&offer_id=13", false},
		{"/i/anna", "", false},
		{"/impression", "offer_id=12&partner_id=42", false},
		{"/c/nofall", "offer_id=12", false},
		{"/c/%2e%2e/click", "offer_id=12&partner_id=42", false},
		{"//evil.example/c/anna", "", false},
		// Issue 13: a link preview's HEAD.
		{"/c/anna", "sub1=preview", true},
		{"/aff_c", "offer_id=12&aff_id=42", true},
		{"/i/anna", "", true},
		{"/c/paused", "", true},
	} {
		f.Add(seed.path, seed.query, seed.head)
	}
	// The recorder keeps nothing: a long run makes millions of clicks.
	h := newHarness(f, func(c *edge.Config) { c.Recorder = nopRecorder{} })
	// Prefixes of the test program's destinations and fallback, up to their first macro.
	var allowed []string
	for _, o := range h.store.offers {
		for _, u := range []string{o.DestinationURL, o.FallbackURL} {
			if u != "" {
				allowed = append(allowed, strings.SplitN(u, "{", 2)[0])
			}
		}
	}
	f.Fuzz(func(t *testing.T, path, query string, head bool) {
		target := path
		if query != "" {
			target += "?" + query
		}
		// What net/http's server accepts as a request target.
		if _, err := url.ParseRequestURI(target); err != nil || !strings.HasPrefix(target, "/") {
			return
		}
		method := http.MethodGet
		if head {
			method = http.MethodHead
		}
		req, err := http.NewRequest(method, "http://edge.example"+target, nil)
		if err != nil {
			return
		}
		req.RequestURI = target
		req.RemoteAddr = "198.51.100.9:1"
		w := httptest.NewRecorder()
		h.mux.ServeHTTP(w, req)
		if w.Code >= 500 && w.Code != http.StatusServiceUnavailable {
			t.Fatalf("%s: status %d", target, w.Code)
		}
		if head && w.Header().Get("Set-Cookie") != "" {
			t.Fatalf("HEAD %s: sets a click cookie", target)
		}
		loc := w.Header().Get("Location")
		if loc == "" {
			return
		}
		if w.Code == http.StatusMovedPermanently || w.Code == http.StatusTemporaryRedirect || w.Code == http.StatusPermanentRedirect {
			// ServeMux's own redirect to a cleaned path: same host, never another.
			if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") {
				t.Fatalf("%s: mux redirect to %q", target, loc)
			}
			return
		}
		for _, p := range allowed {
			if strings.HasPrefix(loc, p) {
				return
			}
		}
		t.Fatalf("%s: Location %q is not a configured destination", target, loc)
	})
}
