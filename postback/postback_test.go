package postback_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/outbound"
	"github.com/pactum/pactum/postback"
	"github.com/pactum/pactum/store/postgres/pgtest"
	"github.com/pactum/pactum/store/sqldb"
	"github.com/pactum/pactum/store/sqlite/sqlitetest"
)

var ctx = context.Background()

// clock is a test's time: it moves only when the test says.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// receiver is a loopback server standing for a partner's tracker: it records every request and
// answers what answer says for the n-th (1-based).
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(n int) int
}

type received struct {
	Method, URL, Body string
	Header            http.Header
}

func newReceiver(t testing.TB, answer func(n int) int) *receiver {
	rc := &receiver{answer: answer}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{r.Method, "http://" + r.Host + r.URL.RequestURI(), string(b), r.Header.Clone()})
		n := len(rc.got)
		rc.mu.Unlock()
		code := http.StatusOK
		if rc.answer != nil {
			code = rc.answer(n)
		}
		w.WriteHeader(code)
		io.WriteString(w, `{"received":true}`)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// env is a store with a program (advertiser, offer 1, partner), an outbox and a worker on a
// test clock, sending through the guard with loopback allowed.
type env struct {
	t       testing.TB
	store   *sqldb.Store
	clock   *clock
	outbox  *postback.Outbox
	worker  *postback.Worker
	offer   pactum.Offer
	partner pactum.Partner
	orders  int
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvOn(t, sqlitetest.Open(t))
}

func newEnvOn(t testing.TB, st *sqldb.Store) *env {
	t.Helper()
	e := &env{t: t, store: st, clock: &clock{now: t0}}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	adv := pactum.Advertiser{Name: "Shop", Currency: "EUR"}
	must(t, e.store.CreateAdvertiser(ctx, &adv))
	e.offer = pactum.Offer{AdvertiserID: adv.ID, Name: "Shoes", Status: pactum.OfferActive, DestinationURL: "https://shop.example/",
		Currency: "EUR", AttributionWindowDays: 30, AttributionModel: pactum.LastClick, HoldDays: 30, Visibility: pactum.VisibilityPublic,
		Events: []pactum.OfferEvent{{ID: 1, Name: "purchase"}}}
	must(t, e.store.CreateOffer(ctx, &e.offer))
	e.partner = pactum.Partner{Name: "Anna", Email: "anna@example.com", Kind: pactum.KindAffiliate, Status: pactum.PartnerActive,
		Currency: "EUR", PayoutMethod: "manual"}
	must(t, e.store.CreatePartner(ctx, &e.partner))
	e.outbox = &postback.Outbox{Store: e.store, Now: e.clock.Now, Logger: logger}
	must(t, e.outbox.Start(ctx))
	e.worker = &postback.Worker{Store: e.store, Now: e.clock.Now, Logger: logger, Jitter: func() float64 { return 0.5 },
		Sender: &postback.Sender{Client: outbound.New(outbound.Config{AllowPrivate: true, Timeout: 2 * time.Second}), Now: e.clock.Now}}
	return e
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// postback creates a postback of the env's partner.
func (e *env) postback(method, tmpl string, events ...string) pactum.Postback {
	e.t.Helper()
	p := pactum.Postback{PartnerID: e.partner.ID, URL: tmpl, Method: method, Events: events, Secret: "ps_secret_one",
		Enabled: true, FailuresSince: e.clock.Now(), CreatedAt: e.clock.Now(), UpdatedAt: e.clock.Now()}
	must(e.t, e.store.CreatePostback(ctx, &p))
	return p
}

// click stores a click of the partner on the offer.
func (e *env) click(id string, subs [5]string) {
	e.t.Helper()
	v := pactum.Visit{ClickID: id, Time: e.clock.Now().Add(-time.Hour), OfferID: e.offer.ID, PartnerID: e.partner.ID, Sub: subs,
		Source: "story", Device: pactum.DeviceMobile, Country: "FR"}
	_, err := e.store.ApplyEvents(ctx, "events", 0, func(tx pactum.EventTx) error { return tx.InsertVisits(ctx, []pactum.Visit{v}, nil) })
	must(e.t, err)
}

// sale stores a conversion of the partner (0: unattributed) with status and returns it.
func (e *env) sale(partner int64, clickID, status, amount, payout string) pactum.Conversion {
	e.t.Helper()
	e.orders++
	c := pactum.Conversion{OfferID: e.offer.ID, AdvertiserID: e.offer.AdvertiserID, Event: "purchase", PartnerID: partner,
		ClickID: clickID, OrderID: "A-" + string(rune('0'+e.orders)), Currency: "EUR", Amount: decimal.RequireFromString(amount),
		Payout: decimal.RequireFromString(payout), Attribution: pactum.AttributionClick, Status: status, Coupon: "ANNA10",
		Source: pactum.SourceAPI, Time: e.clock.Now(), ApproveAt: e.clock.Now().Add(30 * 24 * time.Hour)}
	if status == pactum.ConversionRejected {
		c.Reason = pactum.ReasonTooFast
	}
	_, err := e.store.ApplyEvents(ctx, "events", 0, func(tx pactum.EventTx) error {
		_, _, err := tx.InsertConversion(ctx, &c)
		return err
	})
	must(e.t, err)
	return c
}

// pump consumes the feed and sends what is due until nothing is, and returns the attempts made.
func (e *env) pump() int {
	e.t.Helper()
	_, err := e.outbox.Consume(ctx)
	must(e.t, err)
	total := 0
	for {
		n, err := e.worker.SendDue(ctx)
		must(e.t, err)
		if n == 0 {
			return total
		}
		total += n
	}
}

func (e *env) deliveries(p pactum.Postback) []pactum.PostbackDelivery {
	e.t.Helper()
	ds, err := e.store.ListDeliveries(ctx, pactum.DeliveryFilter{PostbackID: p.ID}, pactum.Page{Limit: 1000})
	must(e.t, err)
	return ds
}

// TestDeliveredAsTemplatedAfterFailures: a receiver that fails the first three attempts gets
// the postback on the fourth, retried with exponential backoff on the test clock, exactly as
// templated, signed, and with one Idempotency-Key for every attempt.
func TestDeliveredAsTemplatedAfterFailures(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, func(n int) int {
		return [...]int{http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusBadGateway, http.StatusOK}[min(n, 4)-1]
	})
	p := e.postback("GET", rc.srv.URL+"/pb?cid={click_id}&aff={aff_id}&o={order_id}&amt={amount}&cur={currency}&p={payout}"+
		"&c={commission}&s={status}&r={reason}&sub={sub1}&sub5={aff_sub5}&src={source}&dev={device}&geo={country}&coupon={coupon}"+
		"&conv={conversion_id}&goal={event}&ts={timestamp}&x={unknown}&token=partner-token", pactum.EventConversionCreated)
	e.click("CLICK-1", [5]string{"insta story", "", "", "", "v5&x=1"})
	cv := e.sale(e.partner.ID, "CLICK-1", pactum.ConversionPending, "249.80", "19.98")

	var next []time.Time
	for attempt := 1; attempt <= 4; attempt++ {
		if n := e.pump(); n != 1 {
			t.Fatalf("attempt %d: %d attempts made", attempt, n)
		}
		d := e.deliveries(p)[0]
		if attempt < 4 {
			if d.Status != pactum.DeliveryPending || d.Attempts != attempt {
				t.Fatalf("after attempt %d: %s, %d attempts", attempt, d.Status, d.Attempts)
			}
			next = append(next, d.NextAt)
			// Nothing is sent before the retry is due.
			e.clock.Set(d.NextAt.Add(-time.Second))
			if n := e.pump(); n != 0 {
				t.Fatalf("retry sent %v early", time.Second)
			}
			e.clock.Set(d.NextAt)
			continue
		}
		if d.Status != pactum.DeliveryDelivered || d.Attempts != 4 || len(d.Log) != 4 {
			t.Fatalf("after attempt 4: %+v", d)
		}
		codes := []int{d.Log[0].StatusCode, d.Log[1].StatusCode, d.Log[2].StatusCode, d.Log[3].StatusCode}
		if codes != nil && (codes[0] != 503 || codes[1] != 429 || codes[2] != 502 || codes[3] != 200) {
			t.Fatalf("log status codes %v", codes)
		}
		if !strings.Contains(d.Log[0].URL, "token=***") || strings.Contains(d.Log[0].URL, "partner-token") {
			t.Fatalf("log URL not masked: %s", d.Log[0].URL)
		}
		if d.Log[3].Answer != `{"received":true}` || d.Log[3].Error != "" || d.Log[0].Error != "HTTP 503" {
			t.Fatalf("log: %+v", d.Log)
		}
	}
	// Backoff with the jitter at 0.5: 22.5s, 45s, 90s after each failed attempt.
	for i, want := range []time.Duration{22500 * time.Millisecond, 45 * time.Second, 90 * time.Second} {
		prev := t0
		if i > 0 {
			prev = next[i-1]
		}
		if got := next[i].Sub(prev); got != want {
			t.Errorf("retry %d after %v, want %v", i+1, got, want)
		}
	}

	reqs := rc.requests()
	if len(reqs) != 4 {
		t.Fatalf("receiver got %d requests", len(reqs))
	}
	want := rc.srv.URL + "/pb?cid=CLICK-1&aff=" + itoa(e.partner.ID) + "&o=" + url.QueryEscape(cv.OrderID) +
		"&amt=249.80&cur=EUR&p=19.98&c=19.98&s=pending&r=&sub=insta+story&sub5=v5%26x%3D1&src=story&dev=mobile&geo=FR&coupon=ANNA10" +
		"&conv=" + itoa(cv.ID) + "&goal=purchase&ts=" + itoa(changeTime(t, e, cv.ID).Unix()) + "&x=&token=partner-token"
	key := reqs[0].Header.Get("Idempotency-Key")
	for i, r := range reqs {
		if r.Method != "GET" || r.URL != want {
			t.Fatalf("request %d: %s %s\nwant GET %s", i+1, r.Method, r.URL, want)
		}
		if r.Header.Get("Idempotency-Key") != key || key == "" {
			t.Fatalf("request %d: Idempotency-Key %q, first %q", i+1, r.Header.Get("Idempotency-Key"), key)
		}
		if r.Header.Get("Pactum-Event") != pactum.EventConversionCreated {
			t.Fatalf("Pactum-Event %q", r.Header.Get("Pactum-Event"))
		}
		// The signature a receiver checks: HMAC-SHA256 of "t.url" with the postback's secret.
		sig := r.Header.Get(postback.SignatureHeader)
		if !postback.Verify(sig, r.URL, "ps_secret_one", e.clock.Now(), 10*time.Minute) {
			t.Fatalf("request %d: signature %q does not verify", i+1, sig)
		}
		if postback.Verify(sig, r.URL, "another secret", e.clock.Now(), 10*time.Minute) {
			t.Fatal("signature verifies with another secret")
		}
	}
}

// changeTime is when the feed recorded conversion id's creation: the {timestamp} of its postbacks.
func changeTime(t *testing.T, e *env, id int64) time.Time {
	t.Helper()
	changes, err := e.store.Changes(ctx, 0, 100)
	must(t, err)
	for _, c := range changes {
		if c.ConversionID == id {
			return c.Time
		}
	}
	t.Fatalf("no change of conversion %d", id)
	return time.Time{}
}

func itoa(n int64) string { return decimal.NewFromInt(n).String() }

// TestPostBodySignedAndRotation: a POST postback carries the conversion as JSON, signed over
// the body; after a rotation both secrets sign for 24 hours, then only the new one.
func TestPostBodySignedAndRotation(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, nil)
	p := e.postback("POST", rc.srv.URL+"/hook?e={status}", pactum.EventConversionCreated, pactum.EventConversionApproved)
	cv := e.sale(e.partner.ID, "", pactum.ConversionPending, "100.00", "8.00")
	e.pump()
	reqs := rc.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.Header.Get("Content-Type") != "application/json" || r.URL != rc.srv.URL+"/hook?e=pending" {
		t.Fatalf("request %s %v", r.URL, r.Header)
	}
	var body struct {
		Event      string
		Conversion map[string]any
	}
	must(t, json.Unmarshal([]byte(r.Body), &body))
	c := body.Conversion
	if body.Event != pactum.EventConversionCreated || c["id"] != float64(cv.ID) || c["amount"] != "100.00" || c["payout"] != "8.00" ||
		c["status"] != "pending" || c["currency"] != "EUR" || c["event"] != "purchase" {
		t.Fatalf("body %s", r.Body)
	}
	if !postback.Verify(r.Header.Get(postback.SignatureHeader), r.Body, "ps_secret_one", e.clock.Now(), time.Minute) {
		t.Fatal("body signature does not verify")
	}

	// Rotate: the next delivery is signed with both secrets, v1=new,v1=old.
	_, err := e.store.RotatePostbackSecret(ctx, p.ID, "ps_secret_two", e.clock.Now().Add(24*time.Hour), e.clock.Now())
	must(t, err)
	_, err = e.store.UpdateConversion(ctx, cv.ID, func(c *pactum.Conversion) error {
		c.Status, c.ApprovedAt = pactum.ConversionApproved, e.clock.Now()
		return nil
	})
	must(t, err)
	e.pump()
	r = rc.requests()[1]
	sig := r.Header.Get(postback.SignatureHeader)
	if strings.Count(sig, "v1=") != 2 {
		t.Fatalf("signature during a rotation %q: want two v1", sig)
	}
	for _, secret := range []string{"ps_secret_one", "ps_secret_two"} {
		if !postback.Verify(sig, r.Body, secret, e.clock.Now(), time.Minute) {
			t.Fatalf("%s does not verify during the rotation", secret)
		}
	}
	// A day later, only the new secret signs.
	e.clock.Set(t0.Add(24*time.Hour + time.Second))
	_, err = e.store.UpdateConversion(ctx, cv.ID, func(c *pactum.Conversion) error {
		c.Status, c.Reason, c.Payout = pactum.ConversionRejected, "fraud", decimal.Zero
		return nil
	})
	must(t, err)
	// The postback does not take conversion.rejected: nothing is sent.
	e.pump()
	if n := len(rc.requests()); n != 2 {
		t.Fatalf("%d requests, want 2: rejected is not among the postback's events", n)
	}
	p2 := e.postback("POST", rc.srv.URL+"/rejected", pactum.EventConversionRejected)
	_, err = e.store.RotatePostbackSecret(ctx, p2.ID, "ps_secret_three", e.clock.Now().Add(-time.Second), e.clock.Now())
	must(t, err)
	cv2 := e.sale(e.partner.ID, "", pactum.ConversionRejected, "10.00", "0.00")
	e.pump()
	reqs = rc.requests()
	r = reqs[len(reqs)-1]
	sig = r.Header.Get(postback.SignatureHeader)
	if !strings.HasPrefix(r.URL, rc.srv.URL+"/rejected") || strings.Count(sig, "v1=") != 1 ||
		!postback.Verify(sig, r.Body, "ps_secret_three", e.clock.Now(), time.Minute) || !strings.Contains(r.Body, `"id":`+itoa(cv2.ID)) {
		t.Fatalf("after the rotation ended: %s %q %s", r.URL, sig, r.Body)
	}
}

// TestEventsFired: which changes fire which events, for which postbacks.
func TestEventsFired(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, nil)
	// History before the outbox started fires nothing: a fresh env's outbox started before
	// this sale, so restart it on a new name's behalf by checking the feed position instead.
	all := e.postback("GET", rc.srv.URL+"/all?e={status}&c={conversion_id}", postback.Events...)
	other := pactum.Offer{AdvertiserID: e.offer.AdvertiserID, Name: "Other", Status: pactum.OfferActive, DestinationURL: "https://shop.example/",
		Currency: "EUR", AttributionWindowDays: 30, AttributionModel: pactum.LastClick, HoldDays: 30, Visibility: pactum.VisibilityPublic,
		Events: []pactum.OfferEvent{{ID: 1, Name: "purchase"}}}
	must(t, e.store.CreateOffer(ctx, &other))
	onlyOther := e.postback("GET", rc.srv.URL+"/other", pactum.EventConversionCreated)
	onlyOther.OfferID = other.ID
	must(t, e.store.UpdatePostback(ctx, &onlyOther))
	off := e.postback("GET", rc.srv.URL+"/off", postback.Events...)
	must(t, e.store.DisablePostback(ctx, off.ID, "off", e.clock.Now()))

	pending := e.sale(e.partner.ID, "", pactum.ConversionPending, "50.00", "4.00")
	approved := e.sale(e.partner.ID, "", pactum.ConversionApproved, "50.00", "4.00")
	rejected := e.sale(e.partner.ID, "", pactum.ConversionRejected, "50.00", "0.00")
	e.sale(0, "", pactum.ConversionPending, "50.00", "0.00") // unattributed: no partner to tell
	// A refund in part fires nothing; a refund of everything reverses.
	_, err := e.store.UpdateConversion(ctx, pending.ID, func(c *pactum.Conversion) error {
		c.RefundedAmount, c.Payout = decimal.RequireFromString("25.00"), decimal.RequireFromString("2.00")
		return nil
	})
	must(t, err)
	_, err = e.store.UpdateConversion(ctx, pending.ID, func(c *pactum.Conversion) error {
		c.Status, c.RefundedAmount, c.Payout = pactum.ConversionReversed, c.Amount, decimal.Zero
		return nil
	})
	must(t, err)
	e.pump()

	var got []string
	for _, r := range rc.requests() {
		u, _ := url.Parse(r.URL)
		got = append(got, u.Path+" "+r.Header.Get("Pactum-Event")+" "+u.Query().Get("c")+" "+u.Query().Get("e"))
	}
	slices.Sort(got) // sent side by side: in no order
	want := []string{
		"/all conversion.created " + itoa(pending.ID) + " pending",
		"/all conversion.created " + itoa(approved.ID) + " approved",
		"/all conversion.approved " + itoa(approved.ID) + " approved",
		"/all conversion.rejected " + itoa(rejected.ID) + " rejected",
		"/all conversion.reversed " + itoa(pending.ID) + " reversed",
	}
	slices.Sort(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	_ = all
}

// TestOutboxStartsAtThePresent: a first start does not fire postbacks for what happened before.
func TestOutboxStartsAtThePresent(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, nil)
	e.postback("GET", rc.srv.URL+"/pb", postback.Events...)
	e.sale(e.partner.ID, "", pactum.ConversionPending, "10.00", "1.00")
	fresh := &postback.Outbox{Store: e.store, Now: e.clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	// The env's outbox started before the sale; a new deployment's starts after it. Simulate
	// the latter under another name by reading the feed as it would.
	pos, err := e.store.StartConsumer(ctx, "postbacks-fresh")
	must(t, err)
	last, err := e.store.LastChange(ctx)
	must(t, err)
	if pos != last {
		t.Fatalf("a fresh consumer starts at %d, the feed is at %d", pos, last)
	}
	must(t, fresh.Start(ctx)) // "postbacks" started already: it stays where it was
	if e.pump() != 1 {
		t.Fatal("the sale after the outbox's first start was not delivered")
	}
}

// TestDisabledAfterTenFailures: ten deliveries in a row that fail for good disable the
// postback, saying why; nine, then a delivered one, then more, do not.
func TestDisabledAfterTenFailures(t *testing.T) {
	e := newEnv(t)
	var failing atomic.Bool
	failing.Store(true)
	rc := newReceiver(t, func(int) int {
		if failing.Load() {
			return http.StatusNotFound
		}
		return http.StatusNoContent
	})
	p := e.postback("GET", rc.srv.URL+"/gone", pactum.EventConversionCreated)
	for range 9 {
		e.sale(e.partner.ID, "", pactum.ConversionPending, "10.00", "1.00")
	}
	e.pump()
	failing.Store(false)
	e.clock.Set(t0.Add(time.Minute))
	e.sale(e.partner.ID, "", pactum.ConversionPending, "10.00", "1.00")
	e.pump()
	failing.Store(true)
	e.clock.Set(t0.Add(2 * time.Minute))
	for range 9 {
		e.sale(e.partner.ID, "", pactum.ConversionPending, "10.00", "1.00")
	}
	e.pump()
	got, err := e.store.Postback(ctx, p.ID)
	must(t, err)
	if !got.Enabled {
		t.Fatalf("disabled after 9 failures in a row: %s", got.DisabledReason)
	}
	e.sale(e.partner.ID, "", pactum.ConversionPending, "10.00", "1.00")
	e.pump()
	got, err = e.store.Postback(ctx, p.ID)
	must(t, err)
	if got.Enabled || !strings.Contains(got.DisabledReason, "10 deliveries in a row failed within 72 hours") ||
		!strings.Contains(got.DisabledReason, "HTTP 404") || !got.DisabledAt.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("after 10 failures: enabled %v, reason %q, at %v", got.Enabled, got.DisabledReason, got.DisabledAt)
	}
	// Disabled, it fires nothing more.
	n := len(rc.requests())
	e.sale(e.partner.ID, "", pactum.ConversionPending, "10.00", "1.00")
	e.pump()
	if len(rc.requests()) != n {
		t.Fatal("a disabled postback was sent")
	}
}

// TestFailuresOutsideTheWindow: failures spread over more than 72 hours do not disable.
func TestFailuresOutsideTheWindow(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, func(int) int { return http.StatusBadRequest })
	p := e.postback("GET", rc.srv.URL+"/bad", pactum.EventConversionCreated)
	for i := range 12 {
		e.clock.Set(t0.Add(time.Duration(i) * 9 * time.Hour))
		e.sale(e.partner.ID, "", pactum.ConversionPending, "10.00", "1.00")
		e.pump()
	}
	got, err := e.store.Postback(ctx, p.ID)
	must(t, err)
	if !got.Enabled {
		t.Fatalf("disabled with 12 failures 9 hours apart (at most 9 in 72 hours): %s", got.DisabledReason)
	}
}

// TestRetriedForADay: a receiver that never answers well is retried until 24 hours after the
// delivery was recorded, the last attempt at that moment, then the delivery fails.
func TestRetriedForADay(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, func(int) int { return http.StatusInternalServerError })
	p := e.postback("GET", rc.srv.URL+"/down", pactum.EventConversionCreated)
	e.sale(e.partner.ID, "", pactum.ConversionPending, "10.00", "1.00")
	for range 100 {
		e.pump()
		d := e.deliveries(p)[0]
		if d.Status != pactum.DeliveryPending {
			break
		}
		e.clock.Set(d.NextAt)
	}
	d := e.deliveries(p)[0]
	last := d.Log[len(d.Log)-1]
	if d.Status != pactum.DeliveryFailed || !last.Time.Equal(t0.Add(postback.RetryFor)) || !strings.Contains(last.Error, "given up") {
		t.Fatalf("delivery %s after %d attempts, last at %v: %q", d.Status, d.Attempts, last.Time, last.Error)
	}
	if d.Attempts < 15 || d.Attempts > 25 {
		t.Fatalf("%d attempts in a day", d.Attempts)
	}
	for i := 1; i < len(d.Log); i++ {
		if gap := d.Log[i].Time.Sub(d.Log[i-1].Time); gap > postback.MaxRetryDelay || gap <= 0 {
			t.Fatalf("gap of %v between attempts %d and %d", gap, i, i+1)
		}
	}
}

// TestGuardRefusesDelivery: without --postback-allow-private, a postback to loopback fails at
// once, saying why, and is not retried.
func TestGuardRefusesDelivery(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, nil)
	e.worker.Sender.Client = outbound.New(outbound.Config{})
	p := e.postback("GET", rc.srv.URL+"/pb", pactum.EventConversionCreated)
	e.sale(e.partner.ID, "", pactum.ConversionPending, "10.00", "1.00")
	e.pump()
	d := e.deliveries(p)[0]
	if d.Status != pactum.DeliveryFailed || d.Attempts != 1 || !strings.Contains(d.Log[0].Error, "loopback") {
		t.Fatalf("delivery to loopback: %s, %d attempts, %q", d.Status, d.Attempts, d.Log[0].Error)
	}
	if len(rc.requests()) != 0 {
		t.Fatal("the loopback receiver got the postback")
	}
}

// TestRedirectAndClientErrorsFailAtOnce: a 3xx is not followed and a 4xx is not retried.
func TestRedirectAndClientErrorsFailAtOnce(t *testing.T) {
	for _, code := range []int{http.StatusFound, http.StatusBadRequest, http.StatusUnauthorized} {
		e := newEnv(t)
		rc := newReceiver(t, func(int) int { return code })
		p := e.postback("GET", rc.srv.URL+"/pb", pactum.EventConversionCreated)
		e.sale(e.partner.ID, "", pactum.ConversionPending, "10.00", "1.00")
		e.pump()
		d := e.deliveries(p)[0]
		if d.Status != pactum.DeliveryFailed || d.Attempts != 1 || len(rc.requests()) != 1 {
			t.Fatalf("HTTP %d: %s after %d attempts", code, d.Status, d.Attempts)
		}
	}
}

// TestWorkersNeverSendTwice: several workers on one store send every delivery once, on SQLite
// and on PostgreSQL (where they claim side by side).
func TestWorkersNeverSendTwice(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *sqldb.Store{"sqlite": sqlitetest.Open, "postgres": pgtest.Open} {
		t.Run(name, func(t *testing.T) { workersNeverSendTwice(t, newEnvOn(t, open(t))) })
	}
}

func workersNeverSendTwice(t *testing.T, e *env) {
	rc := newReceiver(t, nil)
	e.postback("GET", rc.srv.URL+"/pb?c={conversion_id}", pactum.EventConversionCreated)
	const sales = 150
	for range sales {
		e.sale(e.partner.ID, "", pactum.ConversionPending, "10.00", "1.00")
	}
	_, err := e.outbox.Consume(ctx)
	must(t, err)
	var wg sync.WaitGroup
	for range 3 {
		w := *e.worker
		w.Batch = 10
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n, err := w.SendDue(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	seen := map[string]int{}
	for _, r := range rc.requests() {
		seen[r.Header.Get("Idempotency-Key")]++
	}
	if len(seen) != sales {
		t.Fatalf("%d distinct deliveries received, want %d", len(seen), sales)
	}
	for k, n := range seen {
		if n != 1 {
			t.Fatalf("%s received %d times", k, n)
		}
	}
}
