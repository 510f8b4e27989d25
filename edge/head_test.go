package edge_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestHeadRecordsNothing: a HEAD of a click or impression URL (a link preview, a link checker)
// is answered as the GET would be, with no click id, and records nothing: before, it was
// stored as a click and took the visitor's unique slot, so the real GET after it was not unique.
func TestHeadRecordsNothing(t *testing.T) {
	for _, tc := range []struct {
		target   string
		status   int
		location string // prefix of Location
	}{
		{"/c/anna?sub2=x", http.StatusFound, "https://shop.example/land?cid=&o=12&a=42&s1=ig&s2=x"},
		{"/click?offer_id=12&partner_id=42", http.StatusFound, "https://shop.example/land?cid=&o=12&a=42"},
		{"/aff_c?offer_id=12&aff_id=42", http.StatusFound, "https://shop.example/land?cid=&o=12&a=42"},
		{"/c/paused", http.StatusFound, "https://fallback.example/sorry?cid=&o=13"},
		{"/c/nofall", http.StatusNotFound, ""},
		{"/c/nope", http.StatusNotFound, ""},
		{"/i/anna", http.StatusOK, ""},
		{"/impression?offer_id=12&partner_id=42", http.StatusOK, ""},
	} {
		t.Run(tc.target, func(t *testing.T) {
			h := newHarness(t, nil)
			req := httptestRequest(tc.target, chromeDesktop)
			req.Method = http.MethodHead
			req.RemoteAddr = "198.51.100.1:1"
			w := serve(h, req)
			if w.Code != tc.status {
				t.Fatalf("HEAD %s: status %d, want %d", tc.target, w.Code, tc.status)
			}
			if loc := w.Header().Get("Location"); !strings.HasPrefix(loc, tc.location) || (tc.location == "") != (loc == "") {
				t.Fatalf("HEAD %s: Location %q, want %q...", tc.target, loc, tc.location)
			}
			if ck := w.Header().Get("Set-Cookie"); ck != "" {
				t.Fatalf("HEAD %s: sets cookie %q", tc.target, ck)
			}
			if clicks, imps := h.rec.counts(); clicks+imps != 0 {
				t.Fatalf("HEAD %s recorded %d clicks and %d impressions", tc.target, clicks, imps)
			}
			if tc.status != http.StatusFound || tc.location == "https://fallback.example/sorry?cid=&o=13" {
				return
			}
			// The visitor follows the link for real: one click, unique.
			if w := h.get(tc.target, "198.51.100.1:1"); w.Code != http.StatusFound {
				t.Fatalf("GET %s: status %d", tc.target, w.Code)
			}
			if clicks, _ := h.rec.counts(); clicks != 1 || !h.rec.lastClick(t).Unique {
				t.Fatalf("GET %s after HEAD: %d clicks, unique %v; want one unique click", tc.target, clicks, h.rec.lastClick(t).Unique)
			}
		})
	}
}

// TestHeadReportsNoConversion: a HEAD of a pixel or a postback reports nothing (405).
func TestHeadReportsNoConversion(t *testing.T) {
	h := newConvHarness(t, nil)
	cid := h.click("/click?offer_id=12&partner_id=42")
	for _, target := range []string{
		"/pixel?offer_id=12&click_id=" + cid,
		"/aff_l?offer_id=12&click_id=" + cid,
		"/aff_goal?a=l&offer_id=12&click_id=" + cid,
		"/postback?click_id=" + cid + "&token=" + acmeToken,
		"/aff_goal?a=lsr&transaction_id=" + cid + "&token=" + acmeToken,
	} {
		req := httptestRequest(target, chromeDesktop)
		req.Method = http.MethodHead
		if w := serve(h.harness, req); w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") == "" {
			t.Errorf("HEAD %s: status %d, Allow %q; want 405 with Allow", target, w.Code, w.Header().Get("Allow"))
		}
	}
	if n := h.sub.calls(); n != 0 {
		t.Fatalf("HEAD reported %d conversions", n)
	}
}

// TestStoredURLsNormalized: an offer stored before the API normalized URLs redirects to its
// host as a browser reads it, and one whose host is percent-encoded (it reads as one host and
// leads to another) redirects nowhere.
func TestStoredURLsNormalized(t *testing.T) {
	for _, tc := range []struct {
		dest, fallback string
		status         int
		location       string
	}{
		{"https://ｅｖｉｌ.example/?c={click_id}", "", http.StatusFound, "https://evil.example/?c="},
		{"https://evil。example/", "", http.StatusFound, "https://evil.example/"},
		{"HTTPS://Bücher.Example/p", "", http.StatusFound, "https://xn--bcher-kva.example/p"},
		{"https://shop.example%E3%80%82evil.example/", "", http.StatusNotFound, ""},
		{"https://shop.example%E3%80%82evil.example/", "https://fallback.example/", http.StatusNotFound, ""},
	} {
		t.Run(tc.dest, func(t *testing.T) {
			h := newHarness(t, nil)
			h.store.mu.Lock()
			o := h.store.offers[offerShop]
			o.ID, o.DestinationURL, o.FallbackURL = 40, tc.dest, tc.fallback
			h.store.offers[40] = o
			h.store.mu.Unlock()
			w := h.get("/click?offer_id=40&partner_id=42", "198.51.100.1:1")
			if loc := w.Header().Get("Location"); w.Code != tc.status || !strings.HasPrefix(loc, tc.location) || (loc == "") != (tc.location == "") {
				t.Fatalf("status %d Location %q, want %d %q...", w.Code, loc, tc.status, tc.location)
			}
		})
	}
}
