package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/outbound"
	"github.com/pactum/pactum/program"
)

// allowPrivate lets postbacks reach a receiver on this machine (--postback-allow-private).
func allowPrivate(c *program.Config) { c.Outbound = outbound.New(outbound.Config{AllowPrivate: true}) }

// receiver is a partner's tracker on loopback: it records what it is sent and answers 200 "ok",
// or 503 "busy" on /busy.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	got  []*http.Request
	body []string
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got, rc.body = append(rc.got, r), append(rc.body, string(b))
		rc.mu.Unlock()
		if r.URL.Path == "/busy" {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.got)
}

var secretRe = regexp.MustCompile(`<code id="secret-value">(ps_[0-9a-f]{64})</code>`)

// TestPostbacks: a partner adds a postback (mistakes at their field), sees its secret once,
// presses the test button and sees the attempt and the log, changes, turns off, rotates and
// deletes it; another partner reaches none of it by editing ids.
func TestPostbacks(t *testing.T) {
	s := newSite(t, allowPrivate)
	rc := newReceiver(t)
	anna := s.login("anna@example.com")
	_, body := anna.get("/portal/postbacks")
	if !strings.Contains(body, "No postbacks yet") || !strings.Contains(body, `name="events" value="conversion.created" id="f-events" checked`) {
		t.Fatal("no empty state, or the new postback's form does not start with conversion.created")
	}
	pb := rc.URL + "/pb?cid={click_id}&p={payout}&s={status}&token=tracker-secret"
	anna.expectFieldErrors("/portal/postbacks", []formCase{
		{"no URL", url.Values{"url": {""}, "method": {"GET"}, "events": {"conversion.created"}}, "f-url", 400},
		{"not HTTP", url.Values{"url": {"ftp://t.example/pb"}, "method": {"GET"}, "events": {"conversion.created"}}, "f-url", 400},
		{"a macro in the host", url.Values{"url": {"https://{sub1}.example/pb"}, "method": {"GET"}, "events": {"conversion.created"}}, "f-url", 400},
		{"no event", url.Values{"url": {pb}, "method": {"GET"}}, "f-events", 400},
		{"an unknown event", url.Values{"url": {pb}, "method": {"GET"}, "events": {"conversion.paid"}}, "f-events", 400},
		{"a method", url.Values{"url": {pb}, "method": {"PUT"}, "events": {"conversion.created"}}, "f-method", 400},
		{"an unknown offer", url.Values{"url": {pb}, "method": {"GET"}, "events": {"conversion.created"}, "offer_id": {"99"}}, "f-offer_id", 400},
		{"an offer that is no id", url.Values{"url": {pb}, "method": {"GET"}, "events": {"conversion.created"}, "offer_id": {"one"}}, "f-offer_id", 400},
	})
	// partner_id in the form changes nothing: the postback is the signed-in partner's.
	resp, body := anna.post("/portal/postbacks", url.Values{"url": {pb}, "method": {"GET"}, "partner_id": {"2"},
		"events": {"conversion.created", "conversion.approved"}, "offer_id": {"1"}})
	m := secretRe.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("create: %d, no secret shown\n%s", resp.StatusCode, errorsOf(body))
	}
	first := m[1]
	stored, err := s.store.Postback(ctx, 1)
	if err != nil || stored.PartnerID != 1 || stored.OfferID != 1 || stored.Secret != first || len(stored.Events) != 2 {
		t.Fatalf("stored %+v, %v", stored, err)
	}
	for _, p := range []string{"/portal/postbacks", "/portal/postbacks/1"} {
		if _, body := anna.get(p); strings.Contains(body, first) || !strings.Contains(body, "token=tracker-secret") || !strings.Contains(body, "Spring shoes") {
			t.Errorf("%s shows the secret again, or not the URL and offer", p)
		}
	}
	if _, body := anna.get("/portal/postbacks/1"); !strings.Contains(body, "Nothing sent yet") {
		t.Error("the log has no empty state")
	}

	// The test button: a made-up sale to the receiver, and the attempt on the page and in the log.
	resp, body = anna.post("/portal/postbacks/1/test", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "Test delivered: HTTP 200") || !strings.Contains(body, "tabindex=\"0\">ok</pre>") {
		t.Fatalf("test: %d\n%s", resp.StatusCode, body)
	}
	if rc.count() != 1 {
		t.Fatalf("the receiver got %d requests", rc.count())
	}
	got := rc.got[0]
	if q := got.URL.Query(); q.Get("cid") != "TEST-CLICK-ID" || q.Get("p") != "10.00" || q.Get("s") != "pending" ||
		!strings.HasPrefix(got.Header.Get("Pactum-Signature"), "t=") {
		t.Errorf("the test as received: %s %v", got.URL, got.Header)
	}
	if !strings.Contains(body, "&amp;token=***</code>") {
		t.Error("the attempt's URL does not mask the tracker's token")
	}
	_, body = anna.get("/portal/postbacks/1")
	if !strings.Contains(body, `<span class="badge">test</span>`) || !strings.Contains(body, `<span class="badge delivered">delivered</span>`) || !strings.Contains(body, "HTTP 200") {
		t.Error("the test is not in the log")
	}
	if _, body := anna.get("/portal/postbacks/1?status=failed"); !strings.Contains(body, "No delivery is failed") || strings.Contains(body, "badge delivered") {
		t.Error("?status=failed shows the delivered test, or no empty state")
	}
	if resp, body := anna.get("/portal/postbacks/1?status=lost"); resp.StatusCode != 400 || !strings.Contains(body, `id="f-status-error"`) {
		t.Errorf("?status=lost: %d", resp.StatusCode)
	}
	// A receiver that fails: the page says so, with its answer.
	anna.post("/portal/postbacks", url.Values{"url": {rc.URL + "/busy"}, "method": {"POST"}, "events": {"conversion.rejected"}})
	if _, body := anna.post("/portal/postbacks/2/test", nil); !strings.Contains(body, "Test failed: HTTP 503") || !strings.Contains(body, "busy") {
		t.Errorf("a failing test:\n%s", body)
	}

	// Change, turn off and on, a new secret.
	anna.expectFieldErrors("/portal/postbacks/1", []formCase{
		{"no event", url.Values{"url": {pb}, "method": {"GET"}}, "f-events", 400},
		{"a loopback address's scheme", url.Values{"url": {"gopher://127.0.0.1/"}, "method": {"GET"}, "events": {"conversion.created"}}, "f-url", 400},
	})
	resp, _ = anna.post("/portal/postbacks/1", url.Values{"url": {pb}, "method": {"POST"}, "events": {"conversion.reversed"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/portal/postbacks/1" {
		t.Fatalf("save: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if p, _ := s.store.Postback(ctx, 1); p.Method != "POST" || p.OfferID != 0 || strings.Join(p.Events, ",") != "conversion.reversed" {
		t.Fatalf("after the change: %+v", p)
	}
	anna.post("/portal/postbacks/1/enabled", url.Values{"enabled": {"false"}})
	if _, body := anna.get("/portal/postbacks/1"); !strings.Contains(body, "This postback is off: turned off") || !strings.Contains(body, "Turn on") {
		t.Error("a postback turned off does not say so")
	}
	anna.post("/portal/postbacks/1/enabled", url.Values{"enabled": {"true"}})
	if p, _ := s.store.Postback(ctx, 1); !p.Enabled {
		t.Fatal("turning it on again left it off")
	}
	_, body = anna.post("/portal/postbacks/1/rotate", nil)
	if m := secretRe.FindStringSubmatch(body); m == nil || m[1] == first || !strings.Contains(body, "both secrets sign") {
		t.Fatalf("rotate: no new secret shown\n%s", errorsOf(body))
	}

	// Ben edits the ids: every page and form of Anna's postback is a 404, and nothing is sent.
	ben := s.login("ben@example.com")
	if _, body := ben.get("/portal/postbacks"); strings.Contains(body, rc.URL) {
		t.Error("Ben's list shows Anna's postback")
	}
	before := rc.count()
	for _, tt := range []struct{ method, path string }{
		{"GET", "/portal/postbacks/1"}, {"GET", "/portal/postbacks/1?status=delivered"}, {"POST", "/portal/postbacks/1"},
		{"POST", "/portal/postbacks/1/test"}, {"POST", "/portal/postbacks/1/enabled"}, {"POST", "/portal/postbacks/1/rotate"},
		{"POST", "/portal/postbacks/1/delete"}, {"GET", "/portal/postbacks/2"}, {"GET", "/portal/postbacks/99"},
	} {
		var resp *http.Response
		var body string
		if tt.method == "GET" {
			resp, body = ben.get(tt.path)
		} else {
			resp, body = ben.post(tt.path, url.Values{"url": {"https://ben.example/"}, "method": {"GET"}, "events": {"conversion.created"}, "enabled": {"false"}})
		}
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, rc.URL) || strings.Contains(body, "TEST-CLICK-ID") {
			t.Errorf("Ben %s %s: %d", tt.method, tt.path, resp.StatusCode)
		}
	}
	if p, err := s.store.Postback(ctx, 1); err != nil || !p.Enabled || p.URL != pb || rc.count() != before {
		t.Fatalf("Ben's requests changed Anna's postback or sent one: %+v %v", p, err)
	}

	// Refused without the form token or from another site; then deleted.
	if resp, _ := anna.post("/portal/postbacks/1/delete", url.Values{"csrf": {"forged"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("delete with a forged token: %d", resp.StatusCode)
	}
	anna.header.Set("Sec-Fetch-Site", "cross-site")
	if resp, _ := anna.post("/portal/postbacks/1/test", nil); resp.StatusCode != http.StatusForbidden || rc.count() != before {
		t.Errorf("a test from another site: %d", resp.StatusCode)
	}
	anna.header = http.Header{}
	resp, _ = anna.post("/portal/postbacks/1/delete", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/portal/postbacks" {
		t.Fatalf("delete: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, err := s.store.Postback(ctx, 1); pactum.ErrorCode(err) != pactum.ENOTFOUND {
		t.Fatalf("postback 1 after delete: %v", err)
	}
}

// TestPostbackAddressGuard: without --postback-allow-private, a URL on this machine is refused
// at the URL field, by the program's address guard.
func TestPostbackAddressGuard(t *testing.T) {
	s := newSite(t)
	anna := s.login("anna@example.com")
	anna.get("/portal/postbacks")
	resp, body := anna.post("/portal/postbacks", url.Values{"url": {"http://127.0.0.1:9/pb"}, "method": {"GET"}, "events": {"conversion.created"}})
	if resp.StatusCode != 400 || !strings.Contains(body, `id="f-url-error"`) || !strings.Contains(body, "loopback") {
		t.Fatalf("a loopback URL: %d\n%s", resp.StatusCode, errorsOf(body))
	}
	if resp, _ := s.login("admin@example.com").get("/portal/postbacks"); resp.Request.URL.Path != "/console/dashboard" {
		t.Errorf("an admin at /portal/postbacks ends at %s", resp.Request.URL.Path)
	}
}
