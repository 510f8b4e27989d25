package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// reportProgram is a program of two partners on one offer, each with a link, through a real server.
type reportProgram struct {
	p         *process
	adv       advertiser
	offer     int64
	anna, ben int64
	annaKey   string
	benClick  string
}

func newReportProgram(t *testing.T, p *process) *reportProgram {
	t.Helper()
	rp := &reportProgram{p: p, adv: p.createAdvertiser(map[string]any{"name": "Shop", "currency": "EUR"})}
	var offer, anna, ben struct{ ID int64 }
	p.api("POST", "/api/v1/offers", map[string]any{"advertiser_id": rp.adv.ID, "name": "Spring",
		"destination_url": "https://shop.example/?cid={click_id}",
		"events": []any{map[string]any{"name": "purchase", "payout": map[string]any{"default": map[string]any{"percent": "10"}},
			"revenue": map[string]any{"default": map[string]any{"percent": "15"}}}}}, &offer)
	p.api("POST", "/api/v1/partners", map[string]any{"name": "Anna", "email": "anna@example.com", "kind": "influencer"}, &anna)
	p.api("POST", "/api/v1/partners", map[string]any{"name": "Ben", "email": "ben@example.com"}, &ben)
	rp.offer, rp.anna, rp.ben = offer.ID, anna.ID, ben.ID
	p.api("POST", "/api/v1/links", map[string]any{"offer_id": offer.ID, "partner_id": anna.ID, "code": "ANNA", "sub1": "insta"}, nil)
	p.api("POST", "/api/v1/links", map[string]any{"offer_id": offer.ID, "partner_id": ben.ID, "code": "BEN", "sub1": "deals"}, nil)
	var key struct{ Key string }
	p.api("POST", "/api/v1/api-keys", map[string]any{"name": "anna", "role": "partner", "partner_id": anna.ID}, &key)
	rp.annaKey = key.Key
	return rp
}

// click follows a link and returns the click id the destination got.
func (rp *reportProgram) click(t *testing.T, code, country string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", rp.p.base+"/c/"+code, nil)
	req.Header.Set("User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148")
	req.Header.Set("CF-IPCountry", country)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	return loc.Query().Get("cid")
}

// report asks GET /api/v1/reports with key and decodes its rows.
func (rp *reportProgram) report(t *testing.T, key, query string) (int, reportAnswer) {
	t.Helper()
	code, body := apiAs(t, rp.p, key, "GET", "/api/v1/reports?"+query, "")
	var out reportAnswer
	if code == http.StatusOK {
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("report %s: %v: %s", query, err, body)
		}
	}
	return code, out
}

type reportAnswer struct {
	Columns []string         `json:"columns"`
	Data    []map[string]any `json:"data"`
	Totals  map[string]any   `json:"totals"`
	Next    string           `json:"next_cursor"`
}

// waitFor polls cond every 20 ms and fails t unless it holds within limit; it returns how long.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// TestReportsFreshAndScoped: a click, a conversion and a refund each show in the reports within a
// second of being acknowledged; a partner key never sees another partner's rows or any revenue,
// whatever it asks, in JSON, CSV, the scorecard and the live stream.
func TestReportsFreshAndScoped(t *testing.T) {
	p := startServer(t, freeAddr(t), "--db", filepath.Join(t.TempDir(), "pactum.db"), "--country-header", "CF-IPCountry")
	rp := newReportProgram(t, p)
	today := time.Now().UTC().Format("2006-01-02")
	total := func(key, metric string) string {
		_, r := rp.report(t, key, "metrics="+metric+"&from="+today+"&to="+today)
		return fmt.Sprint(r.Totals[metric])
	}

	// Anna's stream, opened before anything happens.
	events := openStream(t, p, rp.annaKey)

	cid := rp.click(t, "ANNA", "DE")
	took := waitFor(t, "a click in the report", time.Second, func() bool { return total(testAdminKey, "clicks") == "1" })
	t.Logf("click in the report after %s", took)
	rp.benClick = rp.click(t, "BEN", "AT")

	var sale conversionAnswer
	if code := get(t, fmt.Sprintf("%s/postback?click_id=%s&order_id=A-1&amount=200.00&token=%s", p.base, cid, rp.adv.Token), &sale); code != 200 {
		t.Fatalf("postback: %d", code)
	}
	took = waitFor(t, "a conversion in the report", time.Second, func() bool { return total(testAdminKey, "sales") == "200.00" })
	t.Logf("conversion in the report after %s", took)
	var benSale conversionAnswer
	get(t, fmt.Sprintf("%s/postback?click_id=%s&order_id=B-1&amount=50.00&token=%s", p.base, rp.benClick, rp.adv.Token), &benSale)

	if code, body := apiAs(t, p, testAdminKey, "POST", fmt.Sprintf("/api/v1/conversions/%d/refund", sale.ConversionID), `{"amount":"20.00"}`); code != 200 {
		t.Fatalf("refund: %d %s", code, body)
	}
	took = waitFor(t, "a refund in the report", time.Second, func() bool { return total(testAdminKey, "refunded_amount") == "20.00" })
	t.Logf("refund in the report after %s", took)
	waitFor(t, "Ben's sale in the report", time.Second, func() bool { return total(testAdminKey, "sales") == "250.00" })

	// What Anna sees is what the admin sees of Anna, whatever Anna asks.
	_, mine := rp.report(t, testAdminKey, fmt.Sprintf("from=%s&to=%s&filter[partner_id]=%d&metrics=clicks,sales,payout,conversions", today, today, rp.anna))
	for _, q := range []string{
		"", "group_by=partner", "group_by=day,partner", "group_by=offer", "group_by=advertiser", "group_by=country",
		"group_by=sub1", "group_by=sku", "group_by=status", "group_by=partner_kind", "group_by=hour,country,device",
		fmt.Sprintf("filter[partner_id]=%d", rp.ben), fmt.Sprintf("filter[partner_id]=%d,%d", rp.anna, rp.ben),
		fmt.Sprintf("group_by=partner&filter[partner_id]=%d", rp.ben), "filter[partner_kind]=affiliate",
		"filter[sub1]=deals", "filter[country]=AT", "sort=-sales&group_by=partner", "compare=previous&group_by=partner",
		"group_by=partner&limit=1", "tz=Asia/Kolkata&group_by=day",
	} {
		code, r := rp.report(t, rp.annaKey, q+"&from="+today+"&to="+today+"&metrics=clicks,sales,payout,conversions")
		if code != http.StatusOK {
			t.Fatalf("Anna asks %q: %d", q, code)
		}
		for _, c := range r.Columns {
			if strings.HasPrefix(c, "revenue") || strings.HasPrefix(c, "profit") || strings.HasPrefix(c, "margin") {
				t.Fatalf("Anna asks %q: column %s", q, c)
			}
		}
		for _, row := range r.Data {
			if id, ok := row["partner_id"]; ok && fmt.Sprint(id) != fmt.Sprint(rp.anna) {
				t.Fatalf("Anna asks %q: a row of partner %v: %v", q, id, row)
			}
		}
		if strings.Contains(q, "ben") || strings.Contains(q, fmt.Sprintf("=%d", rp.ben)) && !strings.Contains(q, ",") {
			continue
		}
		// Filters that Anna's rows pass add up to her own totals, never more (rows by SKU count
		// no clicks: clicks have no SKU).
		if !strings.Contains(q, "filter[") && !strings.Contains(q, "sku") {
			want := mine
			if tz, ok := strings.CutPrefix(q, "tz="); ok {
				// The same dates in another zone are other instants: from 18:30 UTC today's
				// click is tomorrow in Kolkata. Compare with what the admin sees there.
				tz, _, _ = strings.Cut(tz, "&")
				_, want = rp.report(t, testAdminKey, fmt.Sprintf("tz=%s&from=%s&to=%s&filter[partner_id]=%d&metrics=clicks,sales,payout,conversions", tz, today, today, rp.anna))
			}
			for _, m := range []string{"clicks", "sales", "payout", "conversions"} {
				if fmt.Sprint(r.Totals[m]) != fmt.Sprint(want.Totals[m]) {
					t.Fatalf("Anna asks %q: %s %v, hers are %v", q, m, r.Totals[m], want.Totals[m])
				}
			}
		}
	}
	if code, r := rp.report(t, rp.annaKey, fmt.Sprintf("filter[partner_id]=%d&metrics=clicks&from=%s&to=%s", rp.ben, today, today)); code != 200 || fmt.Sprint(r.Totals["clicks"]) != "0" {
		t.Fatalf("Anna asking for Ben's rows: %d %v", code, r.Totals)
	}
	for _, q := range []string{"metrics=revenue", "metrics=profit", "metrics=margin", "sort=revenue"} {
		if code, _ := rp.report(t, rp.annaKey, q); code != http.StatusForbidden {
			t.Fatalf("Anna asks %q: %d, want 403", q, code)
		}
	}
	// CSV, by partner: Anna's row only.
	code, body := apiAs(t, p, rp.annaKey, "GET", "/api/v1/reports?format=csv&group_by=partner&metrics=sales&from="+today+"&to="+today, "")
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if code != 200 || err != nil || len(rows) != 2 || rows[1][1] != "Anna" || slices.Contains(rows[0], "revenue") {
		t.Fatalf("Anna's CSV: %d %v %q", code, err, body)
	}
	// Scorecards: her own, not Ben's.
	if code, body := apiAs(t, p, rp.annaKey, "GET", fmt.Sprintf("/api/v1/partners/%d/scorecard?from=%s&to=%s", rp.ben, today, today), ""); code != 404 {
		t.Fatalf("Anna reads Ben's scorecard: %d %s", code, body)
	}
	code, body = apiAs(t, p, rp.annaKey, "GET", fmt.Sprintf("/api/v1/partners/%d/scorecard?from=%s&to=%s", rp.anna, today, today), "")
	if code != 200 || strings.Contains(string(body), "Ben") || strings.Contains(string(body), "revenue") {
		t.Fatalf("Anna's scorecard: %d %s", code, body)
	}
	// Her stream: her click and conversion, never Ben's.
	got := events.until(t, func(seen []sseEvent) bool {
		return slices.ContainsFunc(seen, func(e sseEvent) bool { return e.kind == "commission" }) &&
			slices.ContainsFunc(seen, func(e sseEvent) bool { return e.kind == "click" })
	})
	for _, e := range got {
		if strings.Contains(e.data, rp.benClick) || strings.Contains(e.data, `"revenue"`) || strings.Contains(e.data, fmt.Sprintf(`"partner_id":%d`, rp.ben)) {
			t.Fatalf("Anna's stream has %s %s", e.kind, e.data)
		}
	}
	if !slices.ContainsFunc(got, func(e sseEvent) bool { return e.kind == "click" && strings.Contains(e.data, cid) }) ||
		!slices.ContainsFunc(got, func(e sseEvent) bool { return e.kind == "conversion" }) {
		t.Fatalf("Anna's stream lacks her click or conversion: %v", got)
	}
	// Resumed after her conversion, the stream sends what came after it (her refund and her
	// click), not the conversion again.
	var after string
	for _, e := range got {
		if e.kind == "conversion" {
			after = e.id
		}
	}
	again := openStreamFrom(t, p, rp.annaKey, after)
	resumed := again.until(t, func(seen []sseEvent) bool { return len(seen) >= 2 })
	for _, e := range resumed {
		if e.kind == "conversion" {
			t.Fatalf("resumed after %s, got the conversion again: %v", after, resumed)
		}
	}
}

type sseEvent struct{ id, kind, data string }

type sseStream struct {
	events chan sseEvent
}

func openStream(t *testing.T, p *process, key string) *sseStream {
	return openStreamFrom(t, p, key, "")
}

// openStreamFrom reads GET /api/v1/stream as key (from the event lastID) into a channel.
func openStreamFrom(t *testing.T, p *process, key, lastID string) *sseStream {
	t.Helper()
	req, _ := http.NewRequest("GET", p.base+"/api/v1/stream", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	t.Cleanup(func() { resp.Body.Close() })
	s := &sseStream{events: make(chan sseEvent, 100)}
	go func() {
		sc := bufio.NewScanner(resp.Body)
		var e sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				e.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				e.kind = line[7:]
			case strings.HasPrefix(line, "data: "):
				e.data = line[6:]
			case line == "" && e.kind != "":
				s.events <- e
				e = sseEvent{}
			}
		}
		close(s.events)
	}()
	return s
}

// until collects events until done says enough, within 5 s.
func (s *sseStream) until(t *testing.T, done func([]sseEvent) bool) []sseEvent {
	t.Helper()
	var seen []sseEvent
	timeout := time.After(5 * time.Second)
	for !done(seen) {
		select {
		case e, ok := <-s.events:
			if !ok {
				t.Fatalf("stream ended after %v", seen)
			}
			seen = append(seen, e)
		case <-timeout:
			t.Fatalf("stream: not enough events in 5 s: %v", seen)
		}
	}
	return seen
}
