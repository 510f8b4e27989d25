package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pactum/pactum/outbound"
	"github.com/pactum/pactum/postback"
	"github.com/pactum/pactum/program"
)

// hook is a loopback receiver of test postbacks: it answers status and keeps what it got.
type hook struct {
	srv    *httptest.Server
	mu     sync.Mutex
	status int
	got    []*http.Request
	urls   []string
}

func newHook(t *testing.T, status int) *hook {
	h := &hook{status: status}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		h.mu.Lock()
		h.got = append(h.got, r)
		h.urls = append(h.urls, "http://"+r.Host+r.URL.RequestURI())
		status := h.status
		h.mu.Unlock()
		w.WriteHeader(status)
		io.WriteString(w, "thanks")
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// postbackEnv is env whose postbacks may go to loopback, as --postback-allow-private allows.
func postbackEnv(t *testing.T) *env {
	return newEnvWith(t, func(e *env, cfg *program.Config) {
		cfg.Outbound = outbound.New(outbound.Config{AllowPrivate: true, Timeout: 2 * time.Second})
	})
}

func TestPostbackCRUD(t *testing.T) {
	e := postbackEnv(t)
	h := newHook(t, http.StatusOK)
	body := `{"url":"` + h.srv.URL + `/pb?cid={click_id}&p={payout}&s={status}","events":["conversion.created","conversion.approved"]}`
	status, pb := e.do("POST", "/api/v1/partners/1/postbacks", e.p1, body)
	if status != http.StatusCreated {
		t.Fatalf("create: %d %v", status, pb)
	}
	secret, _ := pb["secret"].(string)
	if !strings.HasPrefix(secret, "ps_") || len(secret) != 67 || pb["method"] != "GET" || pb["enabled"] != true || pb["offer_id"] != nil ||
		pb["partner_id"] != float64(1) || pb["disabled_reason"] != "" {
		t.Fatalf("created postback %v", pb)
	}
	id := fmt.Sprint(pb["id"])
	status, got := e.do("GET", "/api/v1/postbacks/"+id, e.p1, "")
	if status != http.StatusOK || got["secret"] != nil || got["url"] != pb["url"] {
		t.Fatalf("read: %d %v", status, got)
	}
	// Other partners, advertisers: not theirs.
	for _, key := range []string{e.p2} {
		if status, _ := e.do("GET", "/api/v1/postbacks/"+id, key, ""); status != http.StatusNotFound {
			t.Fatalf("another partner reads it: %d", status)
		}
		if status, _ := e.do("POST", "/api/v1/partners/1/postbacks", key, body); status != http.StatusNotFound {
			t.Fatalf("another partner creates one: %d", status)
		}
	}
	if status, _ := e.do("GET", "/api/v1/postbacks/"+id, e.adv1, ""); status != http.StatusForbidden {
		t.Fatalf("an advertiser reads it: %d", status)
	}
	// Lists: the partner's own; an admin everyone's, or one partner's.
	status, list := e.do("GET", "/api/v1/postbacks", e.p2, "")
	if status != http.StatusOK || len(list["data"].([]any)) != 0 {
		t.Fatalf("partner 2's list: %d %v", status, list)
	}
	e.mustCreate("/api/v1/partners/2/postbacks", `{"url":"https://t.example/","events":["conversion.rejected"],"method":"post"}`)
	for path, n := range map[string]int{"/api/v1/postbacks": 2, "/api/v1/postbacks?partner_id=1": 1, "/api/v1/partners/2/postbacks": 1} {
		if status, list := e.do("GET", path, adminKey, ""); status != http.StatusOK || len(list["data"].([]any)) != n {
			t.Fatalf("%s: %d %v", path, status, list)
		}
	}
	if status, _ := e.do("GET", "/api/v1/partners/2/postbacks", e.p1, ""); status != http.StatusNotFound {
		t.Fatalf("partner 1 lists partner 2's: %d", status)
	}

	// Turned off and on again.
	status, got = e.do("PATCH", "/api/v1/postbacks/"+id, e.p1, `{"enabled":false}`)
	if status != http.StatusOK || got["enabled"] != false || got["disabled_reason"] != "turned off" || got["disabled_at"] == nil {
		t.Fatalf("turned off: %d %v", status, got)
	}
	status, got = e.do("PATCH", "/api/v1/postbacks/"+id, e.p1, `{"enabled":true,"method":"POST","offer_id":1}`)
	if status != http.StatusOK || got["enabled"] != true || got["disabled_reason"] != "" || got["disabled_at"] != nil ||
		got["method"] != "POST" || got["offer_id"] != float64(1) {
		t.Fatalf("turned on: %d %v", status, got)
	}
	status, got = e.do("PATCH", "/api/v1/postbacks/"+id, e.p1, `{"offer_id":0}`)
	if status != http.StatusOK || got["offer_id"] != nil {
		t.Fatalf("back to every offer: %d %v", status, got)
	}

	// A rotation shows the new secret once; the old one signs until a day later.
	status, rot := e.do("POST", "/api/v1/postbacks/"+id+"/rotate-secret", e.p1, "")
	if status != http.StatusOK || rot["secret"] == secret || !strings.HasPrefix(rot["secret"].(string), "ps_") ||
		rot["previous_secret_until"] != apiNow.Add(24*time.Hour).Format(time.RFC3339) {
		t.Fatalf("rotate: %d %v", status, rot)
	}

	if status, _ := e.do("DELETE", "/api/v1/postbacks/"+id, e.p2, ""); status != http.StatusNotFound {
		t.Fatalf("partner 2 deletes partner 1's: %d", status)
	}
	if status, _ := e.do("DELETE", "/api/v1/postbacks/"+id, e.p1, ""); status != http.StatusNoContent {
		t.Fatalf("delete: %d", status)
	}
	if status, _ := e.do("GET", "/api/v1/postbacks/"+id, adminKey, ""); status != http.StatusNotFound {
		t.Fatalf("read after delete: %d", status)
	}
}

func TestPostbackValidation(t *testing.T) {
	e := newEnv(t) // the address rule on, as without --postback-allow-private
	tests := []struct {
		body, field, says string
	}{
		{`{"events":["conversion.created"]}`, "url", "required"},
		{`{"url":"https://t.example/"}`, "events", "required"},
		{`{"url":"https://t.example/","events":[]}`, "events", "at least one"},
		{`{"url":"https://t.example/","events":["sale"]}`, "events[0]", "must be one of"},
		{`{"url":"https://t.example/","events":["conversion.created","conversion.created"]}`, "events[1]", "twice"},
		{`{"url":"https://t.example/","events":["conversion.created"],"method":"PUT"}`, "method", "GET, POST"},
		{`{"url":"https://{sub1}.example/","events":["conversion.created"]}`, "url", "never in the host"},
		{`{"url":"ftp://t.example/","events":["conversion.created"]}`, "url", "http"},
		{`{"url":"http://127.0.0.1:8080/pb","events":["conversion.created"]}`, "url", "loopback"},
		{`{"url":"http://2130706433/pb","events":["conversion.created"]}`, "url", "loopback"},
		{`{"url":"http://169.254.169.254/latest","events":["conversion.created"]}`, "url", "link-local"},
		{`{"url":"http://[fd00:ec2::254]/","events":["conversion.created"]}`, "url", "unique-local"},
		{`{"url":"http://localhost/pb","events":["conversion.created"]}`, "url", "loopback"},
		{`{"url":"https://a@t.example/","events":["conversion.created"]}`, "url", "user name"},
		{`{"url":"https://t.example/","events":["conversion.created"],"offer_id":3}`, "offer_id", "does not exist"}, // private: partners cannot see it
		{`{"url":"https://t.example/","events":["conversion.created"],"offer_id":99}`, "offer_id", "does not exist"},
		{`{"url":"https://t.example/","events":["conversion.created"],"secret":"mine"}`, "secret", "unknown field"},
	}
	for _, tt := range tests {
		status, body := e.do("POST", "/api/v1/partners/1/postbacks", e.p1, tt.body)
		errObj, _ := body["error"].(map[string]any)
		if status != http.StatusBadRequest || errObj["field"] != tt.field || !strings.Contains(fmt.Sprint(errObj["message"]), tt.says) {
			t.Errorf("%s: %d %v, want 400 on %s saying %q", tt.body, status, body, tt.field, tt.says)
		}
	}
	if status, _ := e.do("GET", "/api/v1/postbacks", adminKey, ""); status != http.StatusOK {
		t.Fatal("list")
	}
	// Nothing was stored by the refused ones; a partner has at most 20.
	for i := range 20 {
		e.mustCreate("/api/v1/partners/1/postbacks", fmt.Sprintf(`{"url":"https://t.example/%d","events":["conversion.created"]}`, i))
	}
	if status, body := e.do("POST", "/api/v1/partners/1/postbacks", e.p1, `{"url":"https://t.example/","events":["conversion.created"]}`); status != http.StatusBadRequest {
		t.Fatalf("21st postback: %d %v", status, body)
	}
	if status, _ := e.do("POST", "/api/v1/partners/9/postbacks", adminKey, `{"url":"https://t.example/","events":["conversion.created"]}`); status != http.StatusNotFound {
		t.Fatalf("postback of a missing partner: %d", status)
	}
}

// TestPostbackTestSend: "send a test" delivers a made-up sale at once, signed with the secret,
// and shows the attempt; the delivery log keeps it, marked as a test; a failing receiver's test
// is failed, not retried.
func TestPostbackTestSend(t *testing.T) {
	e := postbackEnv(t)
	h := newHook(t, http.StatusOK)
	_, pb := e.do("POST", "/api/v1/partners/1/postbacks", e.p1,
		`{"url":"`+h.srv.URL+`/pb?cid={click_id}&amt={amount}&p={payout}&s={status}&sub={sub1}&token=t0k","events":["conversion.approved"]}`)
	id, secret := fmt.Sprint(pb["id"]), pb["secret"].(string)
	status, d := e.do("POST", "/api/v1/postbacks/"+id+"/test", e.p1, "")
	if status != http.StatusOK || d["status"] != "delivered" || d["test"] != true || d["event"] != "conversion.approved" || d["attempts"] != float64(1) {
		t.Fatalf("test send: %d %v", status, d)
	}
	log := d["log"].([]any)[0].(map[string]any)
	if log["status_code"] != float64(200) || log["answer"] != "thanks" || !strings.Contains(log["url"].(string), "token=***") {
		t.Fatalf("test attempt: %v", log)
	}
	want := h.srv.URL + "/pb?cid=TEST-CLICK-ID&amt=100.00&p=10.00&s=pending&sub=test-sub1&token=t0k"
	if len(h.urls) != 1 || h.urls[0] != want {
		t.Fatalf("receiver got %v, want %s", h.urls, want)
	}
	r := h.got[0]
	if !postback.Verify(r.Header.Get("Pactum-Signature"), want, secret, apiNow, time.Minute) || r.Header.Get("Idempotency-Key") == "" {
		t.Fatalf("test postback headers %v", r.Header)
	}
	status, list := e.do("GET", "/api/v1/postbacks/"+id+"/deliveries", e.p1, "")
	if status != http.StatusOK || len(list["data"].([]any)) != 1 {
		t.Fatalf("deliveries: %d %v", status, list)
	}
	if status, _ := e.do("GET", "/api/v1/postbacks/"+id+"/deliveries?status=lost", e.p1, ""); status != http.StatusBadRequest {
		t.Fatalf("deliveries?status=lost: %d", status)
	}
	if status, _ := e.do("GET", "/api/v1/postbacks/"+id+"/deliveries", e.p2, ""); status != http.StatusNotFound {
		t.Fatalf("partner 2 reads partner 1's log: %d", status)
	}

	h.mu.Lock()
	h.status = http.StatusInternalServerError
	h.mu.Unlock()
	status, d = e.do("POST", "/api/v1/postbacks/"+id+"/test", adminKey, "")
	if status != http.StatusOK || d["status"] != "failed" || d["next_attempt_at"] != nil {
		t.Fatalf("failing test send: %d %v", status, d)
	}
	// Test sends never disable the postback.
	for range 10 {
		e.do("POST", "/api/v1/postbacks/"+id+"/test", e.p1, "")
	}
	if _, got := e.do("GET", "/api/v1/postbacks/"+id, e.p1, ""); got["enabled"] != true {
		t.Fatalf("disabled by test sends: %v", got)
	}
}
