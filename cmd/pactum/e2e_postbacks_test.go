package main

import (
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pactum/pactum/postback"
)

// TestPostbacksSurviveSIGKILL: conversions are reported while the partner's tracker is down;
// the server is killed with SIGKILL before it could deliver their postbacks, the tracker comes
// back, the server restarts, and every postback arrives, as templated and signed, each
// conversion's once (by its Idempotency-Key).
func TestPostbacksSurviveSIGKILL(t *testing.T) {
	dir := t.TempDir()
	addr, tracker := freeAddr(t), freeAddr(t) // nothing listens on tracker yet
	args := []string{"--db", filepath.Join(dir, "pactum.db"), "--postback-allow-private"}
	p := startServer(t, addr, args...)

	adv := p.createAdvertiser(map[string]any{"name": "Shop", "currency": "EUR"})
	var offer, partner struct{ ID int64 }
	if code := p.api("POST", "/api/v1/offers", map[string]any{"advertiser_id": adv.ID, "name": "Shoes",
		"destination_url": "https://shop.example/", "events": []any{map[string]any{"name": "purchase",
			"payout": map[string]any{"default": map[string]any{"percent": "10"}}}}}, &offer); code != 201 {
		t.Fatalf("create offer: %d", code)
	}
	if code := p.api("POST", "/api/v1/partners", map[string]any{"name": "Anna", "email": "anna@example.com"}, &partner); code != 201 {
		t.Fatalf("create partner: %d", code)
	}
	if code := p.api("POST", "/api/v1/coupons", map[string]any{"code": "ANNA10", "partner_id": partner.ID}, nil); code != 201 {
		t.Fatalf("create coupon: %d", code)
	}
	var pb struct {
		ID     int64
		Secret string
	}
	if code := p.api("POST", fmt.Sprintf("/api/v1/partners/%d/postbacks", partner.ID), map[string]any{
		"url":    "http://" + tracker + "/pb?conv={conversion_id}&o={order_id}&p={payout}&s={status}",
		"events": []string{"conversion.created"}}, &pb); code != 201 || pb.Secret == "" {
		t.Fatalf("create postback: %d", code)
	}

	const sales = 20
	for i := range sales {
		var cv conversionAnswer
		if code := p.api("POST", "/api/v1/conversions", map[string]any{"offer_id": offer.ID, "order_id": fmt.Sprint("O-", i),
			"amount": "100.00", "coupon": "ANNA10"}, &cv); code != 201 {
			t.Fatalf("report sale %d: %d", i, code)
		}
	}
	// Wait until the server has tried the tracker at least once (and found it down), then kill it.
	deadline := time.Now().Add(20 * time.Second)
	for {
		var log struct {
			Data []struct{ Attempts int }
		}
		p.api("GET", fmt.Sprintf("/api/v1/postbacks/%d/deliveries?limit=1000", pb.ID), nil, &log)
		tried := false
		for _, d := range log.Data {
			tried = tried || d.Attempts > 0
		}
		if tried {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no postback was tried")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()

	// The tracker comes back.
	var mu sync.Mutex
	keys := map[string]int{}
	var bad []string
	ln, err := net.Listen("tcp", tracker)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := "http://" + r.Host + r.URL.RequestURI()
		q := r.URL.Query()
		mu.Lock()
		defer mu.Unlock()
		keys[r.Header.Get("Idempotency-Key")]++
		switch {
		case !postback.Verify(r.Header.Get("Pactum-Signature"), u, pb.Secret, time.Now(), time.Hour):
			bad = append(bad, "signature of "+u)
		case !strings.HasPrefix(q.Get("o"), "O-") || q.Get("p") != "10.00" || q.Get("s") != "pending" || q.Get("conv") == "":
			bad = append(bad, "URL "+u)
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	// Restarted with its clock 3 minutes on, past every retry's backoff and every lease of the
	// killed process, so that nothing waits for wall-clock time.
	args = append(args, "--clock-start", time.Now().Add(3*time.Minute).UTC().Format(time.RFC3339))
	p = startServer(t, addr, args...)
	deadline = time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(keys)
		mu.Unlock()
		if n >= sales || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	if len(bad) > 0 {
		t.Fatalf("postbacks not as templated and signed: %v", bad)
	}
	if len(keys) != sales {
		t.Fatalf("%d of %d conversions' postbacks arrived after SIGKILL and restart", len(keys), sales)
	}
	for k, n := range keys {
		if n != 1 {
			t.Errorf("postback %s arrived %d times", k, n)
		}
	}
	mu.Unlock()
	// The log says so once the worker recorded the answers.
	deadline = time.Now().Add(10 * time.Second)
	for {
		var log struct {
			Data []struct{ Status string }
		}
		p.api("GET", fmt.Sprintf("/api/v1/postbacks/%d/deliveries?limit=1000&status=delivered", pb.ID), nil, &log)
		if len(log.Data) == sales {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d deliveries are delivered in the log", len(log.Data), sales)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
