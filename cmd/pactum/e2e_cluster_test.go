package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/shopspring/decimal"

	"github.com/pactum/pactum/store/postgres/pgtest"
)

// testNATS is the NATS server of the tests (PACTUM_TEST_NATS overrides it). Without one the
// tests fail rather than skip: CI has one.
func testNATS() string {
	if u := os.Getenv("PACTUM_TEST_NATS"); u != "" {
		return u
	}
	return "nats://127.0.0.1:4222"
}

// clusterPrefix returns a NATS prefix of the test's own, and deletes its stream when t ends.
func clusterPrefix(t *testing.T) string {
	t.Helper()
	var b [4]byte
	rand.Read(b[:])
	prefix := "t" + hex.EncodeToString(b[:])
	nc, err := nats.Connect(testNATS())
	if err != nil {
		t.Fatalf("NATS at %s: %v", testNATS(), err)
	}
	t.Cleanup(func() {
		defer nc.Close()
		js, err := jetstream.New(nc)
		if err == nil {
			js.DeleteStream(context.Background(), strings.ToUpper(prefix)+"_EVENTS")
		}
	})
	return prefix
}

// TestDistributedDeployment runs Pactum as a deployment over PostgreSQL and NATS: an API
// process, two edges and a worker. Clicks, impressions and postbacks go to both edges while the
// worker is killed with SIGKILL and another takes over. Every acknowledged event must be stored
// exactly once, every commission to the cent, and a configuration change through the API must
// reach both edges.
func TestDistributedDeployment(t *testing.T) {
	dsn := pgtest.DSN(t)
	common := []string{"--db", dsn, "--nats", testNATS(), "--nats-prefix", clusterPrefix(t),
		"--nats-ack-wait", "2s", "--answer-wait", "2s"}
	role := func(r string) []string { return append([]string{"--role", r}, common...) }

	apiProc := startServer(t, freeAddr(t), role("api")...)
	worker := startServer(t, freeAddr(t), role("worker")...)
	edges := []*process{startServer(t, freeAddr(t), role("edge")...), startServer(t, freeAddr(t), role("edge")...)}

	adv := apiProc.createAdvertiser(map[string]any{"name": "Northwind", "currency": "EUR"})
	var offer struct{ ID int64 }
	if code := apiProc.api("POST", "/api/v1/offers", map[string]any{
		"advertiser_id": adv.ID, "name": "Spring", "destination_url": "https://shop.example/?cid={click_id}",
		"fallback_url": "https://shop.example/paused",
		"events": []any{
			map[string]any{"name": "purchase", "payout": map[string]any{"default": map[string]any{"percent": "7.5"}}},
			// Leads may repeat per click and carry no order id: nothing but the worker's claims
			// keeps a redelivered one from counting twice.
			map[string]any{"name": "lead", "allow_repeats": true, "payout": map[string]any{"default": map[string]any{"fixed": "1.25"}}},
		},
	}, &offer); code != 201 {
		t.Fatalf("create offer: %d", code)
	}
	var partner struct{ ID int64 }
	if code := apiProc.api("POST", "/api/v1/partners", map[string]any{"name": "Anna", "email": "anna@example.com", "kind": "affiliate"}, &partner); code != 201 {
		t.Fatalf("create partner: %d", code)
	}
	if code := apiProc.api("POST", "/api/v1/links", map[string]any{"offer_id": offer.ID, "partner_id": partner.ID, "code": "ANNA"}, nil); code != 201 {
		t.Fatalf("create link: %d", code)
	}

	var (
		mu          sync.Mutex
		clicks      = map[string]bool{}
		sales       = map[string]decimal.Decimal{} // order id -> amount
		leads       int
		impressions atomic.Int64
		queued      atomic.Int64
	)
	// answered reports whether a conversion answer acknowledges the conversion: created (200)
	// or recorded and waiting for a worker (202).
	answered := func(resp *http.Response) bool {
		if resp.StatusCode == http.StatusAccepted {
			queued.Add(1)
		}
		return resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusAccepted
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				e := edges[(w+i)%2]
				resp, err := noRedirect.Get(fmt.Sprintf("%s/c/ANNA?sub1=%d-%d", e.base, w, i))
				if err != nil {
					t.Errorf("click: %v", err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusFound {
					t.Errorf("click answered %d", resp.StatusCode)
					return
				}
				loc, _ := url.Parse(resp.Header.Get("Location"))
				clickID := loc.Query().Get("cid")
				mu.Lock()
				clicks[clickID] = true
				mu.Unlock()

				// Every click converts on the other edge: a sale, or a lead, and an impression.
				other := edges[(w+i+1)%2]
				var u string
				order := fmt.Sprintf("O-%d-%d", w, i)
				amount := decimal.New(int64(1000+w*37+i*13), -2) // 10.00 and up, every cent different
				if i%3 == 0 {
					u = fmt.Sprintf("%s/postback?click_id=%s&event=lead&token=%s", other.base, clickID, adv.Token)
				} else {
					u = fmt.Sprintf("%s/postback?click_id=%s&order_id=%s&amount=%s&token=%s", other.base, clickID, order, amount, adv.Token)
				}
				resp, err = noRedirect.Get(u)
				if err != nil {
					t.Errorf("postback: %v", err)
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if !answered(resp) {
					t.Errorf("postback answered %d %s", resp.StatusCode, body)
					return
				}
				mu.Lock()
				if i%3 == 0 {
					leads++
				} else {
					sales[order] = amount
				}
				mu.Unlock()
				resp, err = noRedirect.Get(fmt.Sprintf("%s/i/ANNA", e.base))
				if err != nil {
					t.Errorf("impression: %v", err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					impressions.Add(1)
				}
			}
		}()
	}

	// Traffic for at least 1.5 s and until some has been acknowledged, before the worker dies and
	// after it is back: on a machine busy with other tests the first answers can take seconds.
	traffic := func(clicksAtLeast, salesAtLeast int) {
		time.Sleep(1500 * time.Millisecond)
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			mu.Lock()
			enough := len(clicks) >= clicksAtLeast && len(sales) >= salesAtLeast
			mu.Unlock()
			if enough {
				return
			}
		}
	}
	traffic(25, 10)
	if err := worker.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	worker.cmd.Wait()
	time.Sleep(time.Second) // events pile up in JetStream meanwhile
	startServer(t, freeAddr(t), role("worker")...)
	traffic(50, 20)
	close(stop)
	wg.Wait()
	if t.Failed() {
		return
	}
	if len(clicks) < 50 || len(sales) < 20 {
		t.Fatalf("only %d clicks and %d sales acknowledged; the test needs traffic while the worker dies", len(clicks), len(sales))
	}
	t.Logf("acknowledged: %d clicks, %d sales, %d leads, %d impressions (%d conversions answered queued)",
		len(clicks), len(sales), leads, impressions.Load(), queued.Load())

	// The new worker takes over what the killed one held once JetStream's ack wait runs out.
	wantConversions := int64(len(sales) + leads)
	deadline := time.Now().Add(60 * time.Second)
	for {
		var nClicks, nConversions struct{ Count int64 }
		apiProc.api("GET", "/api/v1/clicks/count", nil, &nClicks)
		apiProc.api("GET", "/api/v1/conversions/count", nil, &nConversions)
		if nClicks.Count >= int64(len(clicks)) && nConversions.Count >= wantConversions {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60s: %d of %d clicks and %d of %d conversions stored", nClicks.Count, len(clicks), nConversions.Count, wantConversions)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // let any late redelivery land, so that a double would show

	stored := map[string]int{}
	unique := 0
	listAll(t, apiProc, "/api/v1/clicks?limit=1000", func(raw map[string]any) {
		stored[raw["click_id"].(string)]++
		if raw["unique"] == true {
			unique++
		}
	})
	// Every click came from one visitor (this address and user agent) through one link, spread
	// over both edges: the edges share their memory of visitors, so exactly one is unique.
	if unique != 1 {
		t.Errorf("%d unique clicks of one visitor on two edges, want 1", unique)
	}
	for id := range clicks {
		if stored[id] != 1 {
			t.Errorf("click %s stored %d times", id, stored[id])
		}
	}
	if len(stored) != len(clicks) {
		t.Errorf("%d clicks stored, %d acknowledged", len(stored), len(clicks))
	}

	bySale := map[string]int{}
	gotLeads := 0
	total := decimal.Zero
	listAll(t, apiProc, "/api/v1/conversions?limit=1000", func(raw map[string]any) {
		payout, err := decimal.NewFromString(raw["commission"].(map[string]any)["payout"].(string))
		if err != nil {
			t.Fatal(err)
		}
		total = total.Add(payout)
		if raw["event"] == "lead" {
			gotLeads++
			if !payout.Equal(decimal.RequireFromString("1.25")) {
				t.Errorf("lead payout %s, want 1.25", payout)
			}
			return
		}
		order := raw["order_id"].(string)
		bySale[order]++
		amount, ok := sales[order]
		if !ok {
			t.Errorf("sale %s stored but never acknowledged", order)
			return
		}
		want := amount.Mul(decimal.RequireFromString("0.075")).Round(2) // amounts are positive: half up is half away
		if !payout.Equal(want) {
			t.Errorf("sale %s of %s: payout %s, want %s", order, amount, payout, want)
		}
	})
	for order := range sales {
		if bySale[order] != 1 {
			t.Errorf("sale %s stored %d times", order, bySale[order])
		}
	}
	if gotLeads != leads {
		t.Errorf("%d leads stored, %d acknowledged", gotLeads, leads)
	}
	want := decimal.RequireFromString("1.25").Mul(decimal.NewFromInt(int64(leads)))
	for _, amount := range sales {
		want = want.Add(amount.Mul(decimal.RequireFromString("0.075")).Round(2))
	}
	if !total.Equal(want) {
		t.Errorf("payouts add up to %s, want %s", total, want)
	}
	// The API has no impression count yet: ask the database.
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var nImpressions int64
	if err := db.QueryRow("SELECT count(*) FROM impressions").Scan(&nImpressions); err != nil {
		t.Fatal(err)
	}
	if nImpressions != impressions.Load() {
		t.Errorf("%d impressions stored, %d acknowledged", nImpressions, impressions.Load())
	}

	// A change through the API reaches both edges: pausing the offer sends visitors to its
	// fallback on each of them.
	if code := apiProc.api("PATCH", fmt.Sprintf("/api/v1/offers/%d", offer.ID), map[string]any{"status": "paused"}, nil); code != 200 {
		t.Fatalf("pause offer: %d", code)
	}
	for _, e := range edges {
		deadline := time.Now().Add(5 * time.Second)
		for {
			resp, err := noRedirect.Get(e.base + "/c/ANNA")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if strings.HasPrefix(resp.Header.Get("Location"), "https://shop.example/paused") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("edge %s still sends visitors to %q 5s after the offer was paused", e.base, resp.Header.Get("Location"))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// listAll pages through an API list and calls fn for each item.
func listAll(t *testing.T, p *process, path string, fn func(map[string]any)) {
	t.Helper()
	cursor := ""
	for {
		var page struct {
			Data       []map[string]any `json:"data"`
			NextCursor string           `json:"next_cursor"`
		}
		if code := p.api("GET", path+"&cursor="+url.QueryEscape(cursor), nil, &page); code != 200 {
			t.Fatalf("GET %s: %d", path, code)
		}
		for _, item := range page.Data {
			fn(item)
		}
		if cursor = page.NextCursor; cursor == "" {
			return
		}
	}
}
