package edge_test

import (
	"bytes"
	"context"
	"fmt"
	"image/gif"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/edge"
)

// TestClickURLShapes sends every click URL shape of SPEC section 3 and checks the answer, the
// Location's macros and what was recorded.
func TestClickURLShapes(t *testing.T) {
	tests := []struct {
		name    string
		target  string
		link    int64
		partner int64
		sub     [5]string
		source  string
	}{
		{"native link", "/c/anna", 7, partnerAnna, [5]string{"ig", "", "", "", "l5"}, "instagram"},
		{"native link overrides subs", "/c/anna?sub1=story&sub3=x%20y&source=tiktok", 7, partnerAnna, [5]string{"story", "", "x y", "", "l5"}, "tiktok"},
		{"native click", "/click?offer_id=12&partner_id=43&sub1=a&sub2=b&sub3=c&sub4=d&sub5=e&source=newsletter", 0, partnerBob, [5]string{"a", "b", "c", "d", "e"}, "newsletter"},
		{"native click aff_id", "/click?offer_id=12&aff_id=43&sub1=a", 0, partnerBob, [5]string{"a"}, ""},
		{"native click affiliate_id", "/click?offer_id=12&affiliate_id=43", 0, partnerBob, [5]string{}, ""},
		{"TUNE", "/aff_c?offer_id=12&aff_id=42&aff_sub=t1&aff_sub2=t2&aff_sub3=t3&aff_sub4=t4&aff_sub5=t5&source=fb", 0, partnerAnna, [5]string{"t1", "t2", "t3", "t4", "t5"}, "fb"},
		{"Trackier", "/click?campaign_id=12&pub_id=43&p1=k1&p2=k2&p3=k3&p4=k4&p5=k5&source=push", 0, partnerBob, [5]string{"k1", "k2", "k3", "k4", "k5"}, "push"},
		{"Affise", "/click?pid=42&offer_id=12&sub1=f1&sub2=f2&sub3=f3&sub4=f4&sub5=f5", 0, partnerAnna, [5]string{"f1", "f2", "f3", "f4", "f5"}, ""},
		{"escapes and plus", "/click?offer_id=12&partner_id=42&sub1=a+b%26c%3Dd&sub2=%C3%A9t%C3%A9", 0, partnerAnna, [5]string{"a b&c=d", "été"}, ""},
		{"first of a repeated parameter", "/click?offer_id=12&partner_id=42&sub1=one&sub1=two", 0, partnerAnna, [5]string{"one"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			w := h.get(tt.target, "198.51.100.7:5555")
			if w.Code != http.StatusFound {
				t.Fatalf("status %d, want 302; body %q", w.Code, w.Body)
			}
			if got := w.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", got)
			}
			loc, err := url.Parse(w.Header().Get("Location"))
			if err != nil || loc.Scheme+"://"+loc.Host+loc.Path != "https://shop.example/land" {
				t.Fatalf("Location %q (%v), want the shop's destination", w.Header().Get("Location"), err)
			}
			q := loc.Query()
			v := h.rec.lastClick(t)
			info, err := h.signer.Parse(q.Get("cid"))
			if err != nil {
				t.Fatalf("click id %q in Location does not parse: %v", q.Get("cid"), err)
			}
			if info.OfferID != offerShop || info.PartnerID != tt.partner || !info.Time.Equal(testNow) {
				t.Errorf("click id says %+v, want offer %d partner %d at %s", info, offerShop, tt.partner, testNow)
			}
			want := map[string]string{
				"cid": v.ClickID, "o": "12", "a": strconv.FormatInt(tt.partner, 10),
				"s1": tt.sub[0], "s2": tt.sub[1], "s3": tt.sub[2], "s4": tt.sub[3], "s5": tt.sub[4],
				"src": tt.source, "cc": "", "dev": "desktop", "ts": strconv.FormatInt(testNow.Unix(), 10),
			}
			for k, wv := range want {
				if got := q.Get(k); got != wv {
					t.Errorf("Location %s=%q, want %q", k, got, wv)
				}
			}
			if v.OfferID != offerShop || v.PartnerID != tt.partner || v.LinkID != tt.link || v.Sub != tt.sub || v.Source != tt.source {
				t.Errorf("recorded offer %d partner %d link %d subs %q source %q; want %d %d %d %q %q",
					v.OfferID, v.PartnerID, v.LinkID, v.Sub, v.Source, offerShop, tt.partner, tt.link, tt.sub, tt.source)
			}
			if v.IP != "198.51.100.7" || v.UserAgent != chromeDesktop || v.Device != pactum.DeviceDesktop ||
				v.OS != "Windows" || v.Browser != "Chrome" || v.Bot || !v.Unique || v.Rejected != "" || !v.Time.Equal(testNow) {
				t.Errorf("recorded visit %+v", v)
			}
			cookies := w.Result().Cookies()
			if len(cookies) != 1 {
				t.Fatalf("cookies %v, want one", w.Header()["Set-Cookie"])
			}
			c := cookies[0]
			if c.Name != "pc_12" || c.Value != v.ClickID || c.Path != "/" || c.MaxAge != 7*86400 ||
				!c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure {
				t.Errorf("cookie %+v", c)
			}
		})
	}
}

func TestMacroEncoding(t *testing.T) {
	h := newHarness(t, nil)
	w := h.get("/click?offer_id=12&partner_id=42&sub1=%26evil%3D1%23frag&sub2=%2F..%2F&source=a%20b", "198.51.100.7:1")
	loc := w.Header().Get("Location")
	if !strings.Contains(loc, "&s1=%26evil%3D1%23frag&") || !strings.Contains(loc, "&src=a+b&") && !strings.Contains(loc, "&src=a%20b&") {
		t.Errorf("Location %q: sub values not query-escaped", loc)
	}
	u, _ := url.Parse(loc)
	if u.Query().Get("evil") != "" || u.Fragment != "" || u.Query().Get("s2") != "/../" {
		t.Errorf("Location %q: a value escaped its parameter", loc)
	}
}

func TestSecureCookie(t *testing.T) {
	h := newHarness(t, func(c *edge.Config) { c.TrustedProxies = []netip.Prefix{mustPrefix("10.0.0.0/8")} })
	for _, tt := range []struct {
		remote, proto string
		secure        bool
	}{
		{"10.1.2.3:1", "https", true},
		{"10.1.2.3:1", "http", false},
		{"198.51.100.1:1", "https", false}, // not from a trusted proxy
	} {
		w := h.get("/c/anna", tt.remote, "X-Forwarded-Proto", tt.proto)
		if c := w.Result().Cookies(); len(c) != 1 || c[0].Secure != tt.secure {
			t.Errorf("from %s proto %s: cookies %v, want Secure=%v", tt.remote, tt.proto, w.Header()["Set-Cookie"], tt.secure)
		}
	}
}

// TestRejections checks offers the visitor may not go to: the click is recorded with the reason
// and the answer is the fallback, or 404 without one.
func TestRejections(t *testing.T) {
	db := writeMMDB(t, map[string]string{"81.2.69.0/24": "GB", "2.16.0.0/16": "FR", "2a02:c7c::/32": "BE"})
	trusted := []netip.Prefix{mustPrefix("10.0.0.0/8"), mustPrefix("fd00::/8")}
	tests := []struct {
		name     string
		hook     func(*edge.Config)
		target   string
		remote   string
		headers  []string
		status   int
		location string // prefix; "" for none
		reason   string
		country  string
	}{
		{"paused", nil, "/c/paused", "", nil, 302, "https://fallback.example/sorry?cid=", pactum.RejectPaused, ""},
		{"paused without fallback", nil, "/c/nofall", "", nil, 404, "", pactum.RejectPaused, ""},
		{"archived", nil, "/click?offer_id=17&partner_id=42", "", nil, 302, "https://fallback.example/", pactum.RejectOfferArchived, ""},
		{"partner suspended", nil, "/c/susp", "", nil, 302, "https://fallback.example/", pactum.RejectPartner, ""},
		{"geo by xff allowed", func(c *edge.Config) { c.GeoIP, c.TrustedProxies = db, trusted }, "/click?offer_id=15&partner_id=42", "10.0.0.1:1",
			[]string{"X-Forwarded-For", "2.16.3.4"}, 302, "https://fr.example/?c=", "", "FR"},
		{"geo by xff ipv6 allowed", func(c *edge.Config) { c.GeoIP, c.TrustedProxies = db, trusted }, "/click?offer_id=15&partner_id=42", "[fd00::1]:1",
			[]string{"X-Forwarded-For", "2a02:c7c::7, fd00::2"}, 302, "https://fr.example/?c=", "", "BE"},
		{"geo by xff refused", func(c *edge.Config) { c.GeoIP, c.TrustedProxies = db, trusted }, "/click?offer_id=15&partner_id=42", "10.0.0.1:1",
			[]string{"X-Forwarded-For", "81.2.69.1"}, 302, "https://fallback.example/", pactum.RejectCountry, "GB"},
		{"spoofed xff from untrusted peer", func(c *edge.Config) { c.GeoIP, c.TrustedProxies = db, trusted }, "/click?offer_id=15&partner_id=42", "81.2.69.9:1",
			[]string{"X-Forwarded-For", "2.16.3.4"}, 302, "https://fallback.example/", pactum.RejectCountry, "GB"},
		{"spoofed left-most xff", func(c *edge.Config) { c.GeoIP, c.TrustedProxies = db, trusted }, "/click?offer_id=15&partner_id=42", "10.0.0.1:1",
			[]string{"X-Forwarded-For", "2.16.3.4, 81.2.69.9"}, 302, "https://fallback.example/", pactum.RejectCountry, "GB"},
		{"country header allowed", func(c *edge.Config) { c.CountryHeader = "CF-IPCountry" }, "/click?offer_id=15&partner_id=42", "",
			[]string{"CF-IPCountry", "fr"}, 302, "https://fr.example/?c=", "", "FR"},
		{"country header refused", func(c *edge.Config) { c.CountryHeader = "cf-ipcountry" }, "/click?offer_id=15&partner_id=42", "",
			[]string{"CF-IPCountry", "DE"}, 302, "https://fallback.example/", pactum.RejectCountry, "DE"},
		{"country header unknown", func(c *edge.Config) { c.CountryHeader = "CF-IPCountry" }, "/click?offer_id=15&partner_id=42", "",
			[]string{"CF-IPCountry", "XX"}, 302, "https://fallback.example/", pactum.RejectCountry, ""},
		{"country header reserved", func(c *edge.Config) { c.CountryHeader = "CF-IPCountry" }, "/click?offer_id=15&partner_id=42", "",
			[]string{"CF-IPCountry", "ZZ"}, 302, "https://fallback.example/", pactum.RejectCountry, ""},
		{"country header private use", func(c *edge.Config) { c.CountryHeader = "CF-IPCountry" }, "/click?offer_id=15&partner_id=42", "",
			[]string{"CF-IPCountry", "xa"}, 302, "https://fallback.example/", pactum.RejectCountry, ""},
		{"country header Kosovo", func(c *edge.Config) { c.CountryHeader = "CF-IPCountry" }, "/click?offer_id=15&partner_id=42", "",
			[]string{"CF-IPCountry", "XK"}, 302, "https://fallback.example/", pactum.RejectCountry, "XK"},
		{"country header from untrusted peer", func(c *edge.Config) { c.CountryHeader, c.TrustedProxies = "CF-IPCountry", trusted }, "/click?offer_id=15&partner_id=42", "198.51.100.1:1",
			[]string{"CF-IPCountry", "FR"}, 302, "https://fallback.example/", pactum.RejectCountry, ""},
		{"geoip before header", func(c *edge.Config) { c.GeoIP, c.CountryHeader = db, "CF-IPCountry" }, "/click?offer_id=15&partner_id=42", "81.2.69.9:1",
			[]string{"CF-IPCountry", "FR"}, 302, "https://fallback.example/", pactum.RejectCountry, "GB"},
		{"header when geoip knows nothing", func(c *edge.Config) { c.GeoIP, c.CountryHeader = db, "CF-IPCountry" }, "/click?offer_id=15&partner_id=42", "8.8.8.8:1",
			[]string{"CF-IPCountry", "FR"}, 302, "https://fr.example/?c=", "", "FR"},
		{"device allowed", nil, "/click?offer_id=16&partner_id=42", "", []string{"User-Agent", safariIPhone}, 302, "https://m.example/?c=", "", ""},
		{"device refused", nil, "/click?offer_id=16&partner_id=42", "", nil, 302, "https://fallback.example/", pactum.RejectDevice, ""},
		{"tablet refused", nil, "/click?offer_id=16&partner_id=42", "", []string{"User-Agent", safariIPad}, 302, "https://fallback.example/", pactum.RejectDevice, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.hook)
			w := h.get(tt.target, tt.remote, tt.headers...)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d", w.Code, tt.status)
			}
			loc := w.Header().Get("Location")
			if tt.location == "" && loc != "" || !strings.HasPrefix(loc, tt.location) {
				t.Errorf("Location %q, want prefix %q", loc, tt.location)
			}
			if tt.status == 404 && !strings.Contains(w.Body.String(), "not valid") {
				t.Errorf("404 body %q", w.Body)
			}
			v := h.rec.lastClick(t)
			if v.Rejected != tt.reason || v.Country != tt.country {
				t.Errorf("recorded Rejected %q Country %q, want %q %q", v.Rejected, v.Country, tt.reason, tt.country)
			}
			if tt.reason != "" && len(w.Result().Cookies()) != 0 {
				t.Errorf("rejected click set cookies %v", w.Header()["Set-Cookie"])
			}
			if strings.HasPrefix(loc, "https://fallback.example/sorry") {
				u, _ := url.Parse(loc)
				if u.Query().Get("cid") != v.ClickID || v.ClickID == "" {
					t.Errorf("fallback Location %q lacks the click id %q", loc, v.ClickID)
				}
			}
		})
	}
}

// TestNotFound checks that unknown links, offers and partners answer 404 with no Location and
// record nothing, and that nothing in the query can choose where a visitor goes.
func TestNotFound(t *testing.T) {
	h := newHarness(t, nil)
	for _, target := range []string{
		"/c/nope",
		"/c/nope?url=https://evil.example/",
		"/c/ghost", // the link's offer is gone
		"/c/" + strings.Repeat("x", 200),
		"/click?offer_id=999&partner_id=42",
		"/click?offer_id=12&partner_id=999",
		"/click?offer_id=12",
		"/click?partner_id=42",
		"/click?offer_id=-12&partner_id=42",
		"/click?offer_id=abc&partner_id=42&destination=https://evil.example/",
		"/click?offer_id=12&partner_id=4.2&redirect=https://evil.example/",
		"/aff_c?offer_id=99999999999999999999&aff_id=42&url=https://evil.example/",
		"/click",
	} {
		w := h.get(target, "")
		if w.Code != http.StatusNotFound || w.Header().Get("Location") != "" || !strings.Contains(w.Body.String(), "This link is not valid") {
			t.Errorf("%s: status %d Location %q body %q; want 404, no Location, the not-valid page", target, w.Code, w.Header().Get("Location"), w.Body)
		}
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: Content-Type %q", target, ct)
		}
	}
	if c, _ := h.rec.counts(); c != 0 {
		t.Errorf("%d clicks recorded for unknown links", c)
	}
}

func TestNoOpenRedirect(t *testing.T) {
	h := newHarness(t, nil)
	for _, target := range []string{
		"/c/anna?url=https://evil.example/&destination=https://evil.example/&redirect=https://evil.example/",
		"/click?offer_id=12&partner_id=42&url=https%3A%2F%2Fevil.example%2F&redirect_url=//evil.example&return=https://evil.example/",
		"/aff_c?offer_id=12&aff_id=42&destination=https://evil.example/&sub1=https://evil.example/",
		"/c/paused?url=https://evil.example/",
	} {
		w := h.get(target, "")
		loc := w.Header().Get("Location")
		if w.Code != http.StatusFound || !(strings.HasPrefix(loc, "https://shop.example/land?") || strings.HasPrefix(loc, "https://fallback.example/sorry?")) {
			t.Errorf("%s: status %d Location %q", target, w.Code, loc)
		}
	}
}

func TestBotFlag(t *testing.T) {
	h := newHarness(t, nil)
	for _, tt := range []struct {
		ua     string
		bot    bool
		device string
	}{
		{chromeDesktop, false, pactum.DeviceDesktop},
		{safariIPhone, false, pactum.DeviceMobile},
		{safariIPad, false, pactum.DeviceTablet},
		{googlebot, true, pactum.DeviceBot},
		{"", true, pactum.DeviceBot},
		// Automation tools go-useragent does not know are the event log applier's to flag
		// (package bots: Crawler-Detect's list is too slow for the click path).
		{"Wget/1.21.4", false, pactum.DeviceOther},
	} {
		req := httptestRequest("/c/anna", tt.ua)
		w := serve(h, req)
		if w.Code != http.StatusFound {
			t.Fatalf("UA %q: status %d", tt.ua, w.Code)
		}
		v := h.rec.lastClick(t)
		if v.Bot != tt.bot || v.Device != tt.device {
			t.Errorf("UA %q: Bot %v Device %q, want %v %q", tt.ua, v.Bot, v.Device, tt.bot, tt.device)
		}
	}
}

func TestUniqueFlag(t *testing.T) {
	h := newHarness(t, nil)
	click := func(target, remote, ua string) bool {
		t.Helper()
		w := h.get(target, remote, "User-Agent", ua)
		if w.Code != http.StatusFound {
			t.Fatalf("%s: status %d", target, w.Code)
		}
		return h.rec.lastClick(t).Unique
	}
	steps := []struct {
		target, remote, ua string
		advance            time.Duration
		unique             bool
	}{
		{"/c/anna", "198.51.100.1:1", chromeDesktop, 0, true},
		{"/c/anna", "198.51.100.1:2", chromeDesktop, time.Minute, false},                // same visitor, same link
		{"/click?offer_id=12&partner_id=42", "198.51.100.1:3", chromeDesktop, 0, false}, // same offer and partner, other URL
		{"/click?offer_id=12&partner_id=43", "198.51.100.1:4", chromeDesktop, 0, true},  // other partner
		{"/click?offer_id=17&partner_id=42", "198.51.100.1:4", chromeDesktop, 0, true},  // other offer (rejected clicks count too)
		{"/c/anna", "198.51.100.2:1", chromeDesktop, 0, true},                           // other IP
		{"/c/anna", "198.51.100.1:1", safariIPhone, 0, true},                            // other user agent
		{"/c/anna", "198.51.100.1:1", chromeDesktop, 23 * time.Hour, false},             // still within 24 hours
		{"/c/anna", "198.51.100.1:1", chromeDesktop, time.Hour, true},                   // a day after the first
		{"/c/anna", "198.51.100.1:1", chromeDesktop, time.Second, false},                // a new window began
	}
	for i, s := range steps {
		h.advance(s.advance)
		if got := click(s.target, s.remote, s.ua); got != s.unique {
			t.Errorf("step %d (%s from %s): Unique %v, want %v", i, s.target, s.remote, got, s.unique)
		}
	}
}

// TestSeed checks that a restarted edge remembers the visitors of the last 24 hours.
func TestSeed(t *testing.T) {
	h := newHarness(t, nil)
	h.store.clicks = []pactum.Visit{
		{Time: testNow.Add(-25 * time.Hour), OfferID: offerShop, PartnerID: partnerBob, IP: "198.51.100.1", UserAgent: chromeDesktop},
		{Time: testNow.Add(-2 * time.Hour), OfferID: offerShop, PartnerID: partnerAnna, IP: "198.51.100.1", UserAgent: chromeDesktop},
	}
	if err := h.edge.Seed(t.Context(), h.store); err != nil {
		t.Fatal(err)
	}
	h.get("/c/anna", "198.51.100.1:1")
	if h.rec.lastClick(t).Unique {
		t.Error("click of a seeded visitor is unique")
	}
	h.get("/click?offer_id=12&partner_id=43", "198.51.100.1:1")
	if !h.rec.lastClick(t).Unique {
		t.Error("click of a visitor seen 25 hours ago is not unique")
	}
}

func TestRecorderFailure(t *testing.T) {
	h := newHarness(t, nil)
	h.rec.err = errDisk
	for _, target := range []string{"/c/anna", "/c/paused", "/i/anna"} {
		w := h.get(target, "198.51.100.1:1")
		if w.Code != http.StatusServiceUnavailable || w.Header().Get("Location") != "" || w.Header().Get("Retry-After") == "" ||
			len(w.Result().Cookies()) != 0 {
			t.Errorf("%s: status %d Location %q Retry-After %q cookies %v; want 503, Retry-After, no redirect",
				target, w.Code, w.Header().Get("Location"), w.Header().Get("Retry-After"), w.Header()["Set-Cookie"])
		}
	}
	// The retry of a click that was not recorded is still the visitor's first.
	h.rec.err = nil
	h.get("/c/anna", "198.51.100.1:1")
	if !h.rec.lastClick(t).Unique {
		t.Error("retry after a failed record is not unique")
	}
}

func TestCatalogStoreFailure(t *testing.T) {
	h := newHarness(t, nil)
	h.store.err = errDisk
	w := h.get("/c/anna", "")
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Location") != "" {
		t.Fatalf("status %d Location %q; want 503 and no redirect", w.Code, w.Header().Get("Location"))
	}
	// Failures are not cached: the next click reads the store again.
	h.store.err = nil
	if w := h.get("/c/anna", ""); w.Code != http.StatusFound {
		t.Errorf("after the store recovered: status %d, want 302", w.Code)
	}
}

func TestImpression(t *testing.T) {
	h := newHarness(t, nil)
	for _, tt := range []struct {
		target  string
		partner int64
		link    int64
	}{
		{"/i/anna", partnerAnna, 7},
		{"/impression?offer_id=12&partner_id=43&sub2=banner", partnerBob, 0},
		{"/impression?offer_id=12&aff_id=42", partnerAnna, 0},
		{"/impression?campaign_id=12&pub_id=43", partnerBob, 0},
		{"/impression?offer_id=12&pid=42", partnerAnna, 0},
	} {
		w := h.get(tt.target, "198.51.100.1:1")
		if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "image/gif" || w.Header().Get("Location") != "" {
			t.Fatalf("%s: status %d Content-Type %q", tt.target, w.Code, w.Header().Get("Content-Type"))
		}
		img, err := gif.Decode(bytes.NewReader(w.Body.Bytes()))
		if err != nil || img.Bounds().Dx() != 1 || img.Bounds().Dy() != 1 {
			t.Errorf("%s: body is not a 1x1 GIF: %v", tt.target, err)
		} else if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
			t.Errorf("%s: pixel is not transparent", tt.target)
		}
		h.rec.mu.Lock()
		v := h.rec.impressions[len(h.rec.impressions)-1]
		h.rec.mu.Unlock()
		if v.OfferID != offerShop || v.PartnerID != tt.partner || v.LinkID != tt.link || v.ClickID != "" || v.IP != "198.51.100.1" {
			t.Errorf("%s: recorded %+v", tt.target, v)
		}
	}
	for _, target := range []string{"/i/nope", "/impression?offer_id=999&partner_id=42", "/impression?offer_id=12"} {
		w := h.get(target, "")
		if w.Code != http.StatusNotFound || w.Body.Len() != 0 {
			t.Errorf("%s: status %d body %d bytes; want 404 without a body", target, w.Code, w.Body.Len())
		}
	}
	if c, i := h.rec.counts(); c != 0 || i != 5 {
		t.Errorf("recorded %d clicks and %d impressions, want 0 and 5", c, i)
	}
}

func TestInFlightLimit(t *testing.T) {
	block := make(chan struct{})
	entered := make(chan struct{})
	rec := &blockingRecorder{entered: entered, release: block}
	h := newHarness(t, func(c *edge.Config) { c.Recorder, c.MaxInFlight = rec, 1 })
	done := make(chan int)
	go func() { done <- h.get("/c/anna", "").Code }()
	<-entered
	if w := h.get("/c/anna", ""); w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("second request in flight: status %d, want 503 with Retry-After", w.Code)
	}
	close(block)
	if code := <-done; code != http.StatusFound {
		t.Errorf("first request: status %d, want 302", code)
	}
	if w := h.get("/c/anna", ""); w.Code != http.StatusFound {
		t.Errorf("after the first finished: status %d, want 302", w.Code)
	}
}

func TestLongAndDirtyInput(t *testing.T) {
	h := newHarness(t, nil)
	long := strings.Repeat("é", 400)
	w := h.get("/click?offer_id=12&partner_id=42&sub1="+url.QueryEscape(long)+"&sub2=a%00b%FFc%0Ad", "",
		"User-Agent", strings.Repeat("A", 2000), "Referer", "https://ref.example/"+strings.Repeat("r", 3000))
	if w.Code != http.StatusFound {
		t.Fatalf("status %d", w.Code)
	}
	v := h.rec.lastClick(t)
	if len(v.Sub[0]) > 255 || !strings.HasPrefix(long, v.Sub[0]) || v.Sub[1] != "abcd" || len(v.UserAgent) != 512 || len(v.Referer) != 1024 {
		t.Errorf("sub1 %d bytes, sub2 %q, UA %d bytes, referer %d bytes", len(v.Sub[0]), v.Sub[1], len(v.UserAgent), len(v.Referer))
	}
}

// sharedMemory plays the visitor bucket that the edges of a deployment share.
type sharedMemory struct {
	mu      sync.Mutex
	seen    map[string]bool
	asked   int
	forgot  int
	failing bool
}

func (m *sharedMemory) First(_ context.Context, ip, ua string, offer, partner int64) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.asked++
	if m.failing {
		return false, errDisk
	}
	k := fmt.Sprint(ip, "|", ua, "|", offer, "|", partner)
	if m.seen[k] {
		return false, nil
	}
	m.seen[k] = true
	return true, nil
}

func (m *sharedMemory) Forget(_ context.Context, ip, ua string, offer, partner int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.forgot++
	delete(m.seen, fmt.Sprint(ip, "|", ua, "|", offer, "|", partner))
	return nil
}

// TestSharedVisitors: with two edges sharing a memory of visitors, a visitor is unique on the
// first edge that sees it only; the shared memory is asked only about visitors new to an edge;
// when it cannot answer, the edge's own memory decides; a click that was not recorded is
// forgotten there too.
func TestSharedVisitors(t *testing.T) {
	shared := &sharedMemory{seen: map[string]bool{}}
	withShared := func(c *edge.Config) { c.SharedVisitors = shared }
	edge1, edge2 := newHarness(t, withShared), newHarness(t, withShared)
	unique := func(h *harness, remote string) bool {
		t.Helper()
		if w := h.get("/c/anna", remote); w.Code != http.StatusFound {
			t.Fatalf("status %d", w.Code)
		}
		return h.rec.lastClick(t).Unique
	}
	if !unique(edge1, "198.51.100.1:1") || unique(edge2, "198.51.100.1:2") {
		t.Fatal("a visitor who reached two edges is not unique exactly once")
	}
	asked := shared.asked
	if unique(edge1, "198.51.100.1:3") || shared.asked != asked {
		t.Fatalf("a visitor the edge remembers: asked the shared memory %d times", shared.asked-asked)
	}
	shared.failing = true
	if !unique(edge2, "198.51.100.9:1") {
		t.Error("with the shared memory failing, a visitor new to the edge is not unique")
	}
	shared.failing = false
	edge1.rec.err = errDisk
	edge1.get("/c/anna", "198.51.100.5:1")
	edge1.rec.err = nil
	if shared.forgot != 1 || !unique(edge2, "198.51.100.5:2") {
		t.Errorf("a click that was not recorded: forgotten %d times, the retry elsewhere not unique", shared.forgot)
	}
	// A click that the shared memory could not answer for, and that was not recorded, leaves
	// alone the entry another edge made for the visitor.
	if !unique(edge2, "198.51.100.6:1") {
		t.Fatal("a new visitor is not unique")
	}
	shared.failing, edge1.rec.err = true, errDisk
	edge1.get("/c/anna", "198.51.100.6:2")
	shared.failing, edge1.rec.err = false, nil
	if shared.forgot != 1 || unique(edge1, "198.51.100.6:3") {
		t.Errorf("forgotten %d times; the visitor of edge 2 is unique again on edge 1", shared.forgot)
	}
}
