package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/web"
)

// pagesOf are the pages each login sees, for the checks every page must pass.
var pagesOf = map[string][]string{
	"":                  {"/login"},
	"admin@example.com": {"/console/dashboard", "/console/dashboard?days=7", "/console/reports", "/console/reports?group_by=partner&metrics=sales,payout", "/console/partners/1", "/console/partners", "/console/offers", "/console/offers/new", "/console/offers/1", "/console/offers/1/simulate", "/console/links", "/console/links/new", "/console/coupons", "/console/coupons/new", "/console/conversions", "/console/conversions/1", "/console/payouts", "/console/settings", "/console/settings/integrations", "/console/settings/webhooks"},
	"shop@example.com":  {"/console/dashboard", "/console/reports", "/console/offers", "/console/offers/1", "/console/links", "/console/links/new", "/console/coupons", "/console/coupons/new", "/console/conversions", "/console/conversions/1", "/console/payouts", "/console/settings", "/console/settings/integrations", "/console/settings/webhooks"},
	"anna@example.com":  {"/portal/dashboard", "/portal/reports", "/portal/reports?group_by=country", "/portal/commissions", "/portal/commissions/1", "/portal/offers", "/portal/links", "/portal/coupons", "/portal/balance", "/portal/postbacks", "/portal/profile"},
}

var (
	inlineScript = regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`)
	inlineStyle  = regexp.MustCompile(`(?i)<style|\sstyle=|\son[a-z]+=`)
)

// TestContentSecurityPolicy: every page carries the policy, and no page has what it would
// block (inline scripts, styles or event handlers), so the policy costs nothing that works.
func TestContentSecurityPolicy(t *testing.T) {
	s := newSite(t)
	if !strings.Contains(web.ContentSecurityPolicy, "script-src 'self'") || strings.Contains(web.ContentSecurityPolicy, "unsafe-inline") {
		t.Fatalf("policy %q", web.ContentSecurityPolicy)
	}
	for email, paths := range pagesOf {
		b := s.browser()
		if email != "" {
			b = s.login(email)
		}
		for _, p := range append(paths, "/console/no-such-page") {
			resp, body := b.get(p)
			if got := resp.Header.Get("Content-Security-Policy"); got != web.ContentSecurityPolicy {
				t.Errorf("%s %s: Content-Security-Policy %q", email, p, got)
			}
			for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"} {
				if got := resp.Header.Get(h); got != want && strings.Contains(resp.Header.Get("Content-Type"), "html") && resp.StatusCode != 404 {
					t.Errorf("%s %s: %s %q, want %q", email, p, h, got, want)
				}
			}
			if resp.StatusCode == http.StatusOK && (inlineScript.MatchString(body) || inlineStyle.MatchString(body)) {
				t.Errorf("%s %s: inline script or style in the page", email, p)
			}
			if resp.StatusCode != http.StatusOK && p != "/console/no-such-page" {
				t.Errorf("%s %s: status %d", email, p, resp.StatusCode)
			}
		}
	}
}

func TestLogin(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	resp, _ := b.get("/console/offers")
	if resp.Request.URL.Path != "/login" {
		t.Fatalf("signed out, /console/offers ends at %s", resp.Request.URL)
	}
	// A wrong password and an unknown email: the same answer.
	_, wrong := b.post("/login", url.Values{"email": {"admin@example.com"}, "password": {"nope nope nope"}})
	resp, unknown := b.post("/login", url.Values{"email": {"nobody@example.com"}, "password": {password}})
	wrong = strings.ReplaceAll(wrong, "admin@example.com", "nobody@example.com")
	if resp.StatusCode != http.StatusUnauthorized || wrong != unknown || !strings.Contains(wrong, "Wrong email or password") {
		t.Fatalf("unknown email: %d; the two answers differ: %v", resp.StatusCode, wrong != unknown)
	}

	resp, _ = b.post("/login", url.Values{"email": {"admin@example.com"}, "password": {password}, "next": {"/console/conversions?status=pending"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/conversions?status=pending" {
		t.Fatalf("login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	c := sessionCookie(t, resp)
	if c.Name != "pactum_session" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure {
		t.Fatalf("cookie over plain HTTP: %+v", c)
	}
	if strings.Contains(c.Value, "admin") || len(c.Value) < 40 {
		t.Fatalf("cookie value %q is not a random token", c.Value)
	}
	if _, err := s.store.UserByEmail(ctx, "admin@example.com"); err != nil {
		t.Fatal(err)
	}
	// The store keeps the token's hash, not the token.
	if _, _, err := s.store.SessionByHash(ctx, []byte(c.Value)); pactum.ErrorCode(err) != pactum.ENOTFOUND {
		t.Fatal("the store finds a session by the raw token")
	}

	// Behind a trusted proxy that ended TLS: Secure, with the __Host- prefix.
	tls := s.browser()
	tls.header.Set("X-Forwarded-Proto", "https")
	resp, _ = tls.post("/login", url.Values{"email": {"admin@example.com"}, "password": {password}})
	if c := sessionCookie(t, resp); c.Name != "__Host-pactum_session" || !c.Secure {
		t.Fatalf("cookie behind TLS: %+v", c)
	}
}

func sessionCookie(t *testing.T, resp *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range resp.Cookies() {
		if strings.HasSuffix(c.Name, "pactum_session") {
			return c
		}
	}
	t.Fatalf("no session cookie in %v", resp.Header["Set-Cookie"])
	return nil
}

// TestNextIsLocal: after the login, ?next= leads only to a path of this site.
func TestNextIsLocal(t *testing.T) {
	s := newSite(t)
	for next, want := range map[string]string{
		"/console/offers/1":         "/console/offers/1",
		"//evil.example/x":          "/console/dashboard",
		"https://evil.example/":     "/console/dashboard",
		"/\\evil.example":           "/console/dashboard",
		"javascript:alert(1)":       "/console/dashboard",
		"/login":                    "/console/dashboard",
		"":                          "/console/dashboard",
		"/%2f%2fevil.example":       "/%2f%2fevil.example",
		"http:/evil.example":        "/console/dashboard",
		"/console/offers?x=1#frag":  "/console/offers?x=1#frag",
		" /console/offers":          "/console/dashboard",
		"/console\r\nSet-Cookie: x": "/console/dashboard",
	} {
		b := s.browser()
		resp, _ := b.post("/login", url.Values{"email": {"admin@example.com"}, "password": {password}, "next": {next}})
		if got := resp.Header.Get("Location"); got != want {
			t.Errorf("next %q: to %q, want %q", next, got, want)
		}
	}
}

func TestLoginThrottled(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	for range 6 {
		b.post("/login", url.Values{"email": {"admin@example.com"}, "password": {"wrong password"}})
	}
	resp, body := b.post("/login", url.Values{"email": {"admin@example.com"}, "password": {password}})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "too many failed sign-ins") {
		t.Fatalf("after 6 failures: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

func TestLogoutEndsSession(t *testing.T) {
	s := newSite(t)
	b := s.login("admin@example.com")
	cookies := b.client.Jar.Cookies(mustURL(s.srv.URL))
	resp, _ := b.post("/logout", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("logout: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The old cookie, sent again by another client, signs nobody in.
	old := s.browser()
	old.client.Jar.SetCookies(mustURL(s.srv.URL), cookies)
	resp, _ = old.do("GET", "/console/partners", nil)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("old cookie after logout: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// TestCrossOriginRefused: a state change from another origin, or without the session's form
// token, changes nothing.
func TestCrossOriginRefused(t *testing.T) {
	s := newSite(t)
	b := s.login("admin@example.com")
	b.get("/console/partners")
	approve := url.Values{"status": {"active"}}

	b.header.Set("Sec-Fetch-Site", "cross-site")
	resp, body := b.post("/console/partners/2/status", approve)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "from another site") {
		t.Fatalf("cross-site POST: %d", resp.StatusCode)
	}
	b.header = http.Header{"Origin": {"http://evil.example"}}
	if resp, _ := b.post("/console/partners/2/status", approve); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("POST with a foreign Origin: %d", resp.StatusCode)
	}
	b.header = http.Header{}
	if resp, _ := b.post("/console/partners/2/status", url.Values{"status": {"active"}, "csrf": {"forged"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("POST with a wrong form token: %d", resp.StatusCode)
	}
	if p, _ := s.store.Partner(ctx, 2); p.Status != pactum.PartnerPending {
		t.Fatalf("a refused POST changed partner 2 to %s", p.Status)
	}
	b.header = http.Header{"Sec-Fetch-Site": {"same-origin"}}
	if resp, _ := b.post("/console/partners/2/status", approve); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-origin POST: %d", resp.StatusCode)
	}
	if p, _ := s.store.Partner(ctx, 2); p.Status != pactum.PartnerActive {
		t.Fatalf("partner 2 is %s after approval", p.Status)
	}
}

// TestPartnerSeesOnlyItsOwn: a partner's pages show its data only, whatever ids the URL names.
func TestPartnerSeesOnlyItsOwn(t *testing.T) {
	s := newSite(t)
	anna := s.login("anna@example.com")
	_, body := anna.get("/portal/commissions")
	if !strings.Contains(body, "/portal/commissions/1") || !strings.Contains(body, "/portal/commissions/2") || strings.Contains(body, "/portal/commissions/3") {
		t.Fatal("Anna's commissions do not list exactly hers")
	}
	_, body = anna.get("/portal/commissions?partner_id=2")
	if strings.Contains(body, "/portal/commissions/3") {
		t.Fatal("?partner_id=2 shows Ben's commission to Anna")
	}
	for _, p := range []string{"/portal/commissions/3", "/portal/commissions/999", "/portal/commissions/03", "/portal/commissions/-1"} {
		resp, body := anna.get(p)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "B-1") {
			t.Errorf("Anna GET %s: %d", p, resp.StatusCode)
		}
	}
	// The console is not hers: its pages send her home, and its forms change nothing.
	for _, p := range []string{"/console/conversions/3", "/console/partners", "/console/settings"} {
		resp, _ := anna.get(p)
		if resp.Request.URL.Path != "/portal/dashboard" {
			t.Errorf("Anna GET %s ends at %s", p, resp.Request.URL.Path)
		}
	}
	anna.post("/console/conversions/3/approve", nil)
	anna.post("/console/partners/2/status", url.Values{"status": {"active"}})
	if cv, _ := s.store.Conversion(ctx, 3); cv.Status != pactum.ConversionPending {
		t.Fatal("Anna approved Ben's conversion")
	}
	if p, _ := s.store.Partner(ctx, 2); p.Status != pactum.PartnerPending {
		t.Fatal("Anna approved Ben")
	}
	// A commission in words, without what the advertiser pays.
	_, body = anna.get("/portal/commissions/1")
	for _, want := range []string{"SHOE-9 x2 at 12.00 per unit = 24.00 (rule hero)", "new-customer bonus: 5.00", "Total: 33.00 EUR"} {
		if !strings.Contains(body, want) {
			t.Errorf("Anna's commission 1 lacks %q", want)
		}
	}
	if strings.Contains(body, "advertiser owes") {
		t.Error("a partner sees the revenue breakdown")
	}
	// The advertiser's console: no partners page (the program denies it), its own conversions.
	shop := s.login("shop@example.com")
	if resp, _ := shop.get("/console/partners"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("advertiser GET /console/partners: %d", resp.StatusCode)
	}
}

// TestOfferEditorShowsErrorsAtTheirRule: each mistake is shown at the input of the rule it is
// in, and nothing is saved until the offer is valid.
func TestOfferEditorShowsErrorsAtTheirRule(t *testing.T) {
	s := newSite(t)
	b := s.login("admin@example.com")
	b.get("/console/offers/new")
	base := url.Values{"advertiser_id": {"1"}, "name": {"Summer"}, "status": {"active"}, "visibility": {"public"},
		"destination_url": {"https://shoes.example/?c={click_id}"}, "attribution_model": {"last_click"},
		"attribution_window_days": {"30"}, "hold_days": {"30"}, "events.n": {"1"}, "e0.name": {"purchase"},
		"e0.default.kind": {"percent"}, "e0.default.value": {"8"},
		"e0.rules.n": {"3"}, "e0.bonuses.n": {"1"}, "e0.tiers.n": {"1"}}
	tests := []struct {
		name   string
		set    map[string]string
		input  string // the input whose error shows
		status int
	}{
		{"a rate that is no number, in the second row filled (the first left empty)",
			map[string]string{"e0.rules.1.id": "hero", "e0.rules.1.when": "sku: SHOE-9", "e0.rules.1.kind": "percent", "e0.rules.1.value": "lots"},
			"f-e0-rules-1-value", 400},
		{"an unknown condition", map[string]string{"e0.rules.0.id": "r", "e0.rules.0.when": "colour: red", "e0.rules.0.value": "3"}, "f-e0-rules-0-when", 400},
		{"a condition without a key", map[string]string{"e0.rules.2.id": "r", "e0.rules.2.when": "SHOE-9", "e0.rules.2.value": "3"}, "f-e0-rules-2-when", 400},
		{"a rule without an id", map[string]string{"e0.rules.0.when": "sku: X", "e0.rules.0.value": "3"}, "f-e0-rules-0-id", 400},
		{"a bonus amount with too many decimals", map[string]string{"e0.bonuses.0.id": "b", "e0.bonuses.0.kind": "fixed", "e0.bonuses.0.value": "5.001"}, "f-e0-bonuses-0-value", 400},
		{"a tier without multiplier", map[string]string{"e0.tiers.0.id": "gold", "e0.tiers.0.sales": "100.00"}, "f-e0-tiers-0-multiplier", 400},
		{"a bad default", map[string]string{"e0.default.value": "-3"}, "f-e0-default-value", 400},
		{"a cap that is no number", map[string]string{"e0.caps.daily_conversions": "many"}, "f-e0-caps-daily_conversions", 400},
		{"a bad event name", map[string]string{"e0.name": "Big Sale"}, "f-e0-name", 400},
		{"a bad URL", map[string]string{"destination_url": "ftp://x"}, "f-destination_url", 400},
		{"a window that is no number", map[string]string{"hold_days": "soon"}, "f-hold_days", 400},
		{"a country", map[string]string{"targeting_countries": "DE, Germany"}, "f-targeting_countries", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{}
			for k, v := range base {
				form[k] = v
			}
			for k, v := range tt.set {
				form.Set(k, v)
			}
			resp, body := b.post("/console/offers/new", form)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if !strings.Contains(body, `id="`+tt.input+`-error"`) || !strings.Contains(body, `id="`+tt.input+`"`) {
				t.Fatalf("no error shown at %s:\n%s", tt.input, errorsOf(body))
			}
			if !strings.Contains(body, `href="#`+tt.input+`"`) {
				t.Errorf("the summary does not link to %s", tt.input)
			}
		})
	}
	offers, _ := s.store.ListOffers(ctx, pactum.OfferFilter{}, pactum.Page{})
	if len(offers) != 1 {
		t.Fatalf("%d offers stored after invalid forms", len(offers))
	}

	// "Add a rule" shows one more row and saves nothing.
	form := url.Values{}
	for k, v := range base {
		form[k] = v
	}
	form.Set("add", "e0.rules")
	if resp, body := b.post("/console/offers/new", form); resp.StatusCode != 200 || !strings.Contains(body, `name="e0.rules.3.id"`) {
		t.Fatalf("add a rule: %d", resp.StatusCode)
	}
	// Fixed, it is saved with the rule where it was written.
	form.Del("add")
	form.Set("e0.rules.1.id", "hero")
	form.Set("e0.rules.1.when", "sku: SHOE-9, SHOE-10; new_customer: yes")
	form.Set("e0.rules.1.kind", "unit")
	form.Set("e0.rules.1.value", "12.00")
	resp, _ := b.post("/console/offers/new", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/offers/2" {
		t.Fatalf("valid offer: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	o, _ := s.store.Offer(ctx, 2)
	want := `{"default":{"percent":"8"},"rules":[{"id":"hero","rate":{"fixed":"12.00","per":"unit"},"when":{"new_customer":true,"sku":["SHOE-9","SHOE-10"]}}]}`
	if string(o.Events[0].Payout) != want {
		t.Fatalf("stored rules\n%s\nwant\n%s", o.Events[0].Payout, want)
	}
	// The editor shows it again as it was written.
	_, body := b.get("/console/offers/2")
	if !strings.Contains(body, `value="new_customer: yes; sku: SHOE-9, SHOE-10"`) {
		t.Fatal("the editor does not show the stored conditions")
	}
}

var errorRe = regexp.MustCompile(`class="error" id="([^"]+)">([^<]*)<`)

func errorsOf(body string) string {
	var out []string
	for _, m := range errorRe.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1]+": "+m[2])
	}
	if m := regexp.MustCompile(`(?s)<div class="alert".*?</div>`).FindString(body); m != "" {
		out = append(out, m)
	}
	return strings.Join(out, "\n")
}
