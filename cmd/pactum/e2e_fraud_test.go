package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// writeASNDB writes a small ASN database (GeoLite2-ASN's layout, made here with mmdbwriter) in
// which 198.51.100.0/24 is AS64500, a hosting network, and 203.0.113.0/24 AS64501, a home ISP;
// and the list of hosting ASNs. It returns both paths.
func writeASNDB(t *testing.T) (db, hosting string) {
	t.Helper()
	w, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-ASN", IncludeReservedNetworks: true})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, asn := range map[string]uint32{"198.51.100.0/24": 64500, "203.0.113.0/24": 64501} {
		_, n, _ := net.ParseCIDR(cidr)
		if err := w.Insert(n, mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(asn)}); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	db, hosting = filepath.Join(dir, "asn.mmdb"), filepath.Join(dir, "hosting-asns.txt")
	f, err := os.Create(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.WriteFile(hosting, []byte("# hosting networks\nAS64500\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return db, hosting
}

const (
	iPhoneSafari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
	instagramApp = "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 280.0.0.13.116 (iPhone12,1; iOS 16_0; en_US; en-US; scale=2.00; 828x1792; 467822527)"
)

// clickFrom follows a link as a visitor at ip with user agent ua, through the trusted proxy the
// server believes, and returns the click id the destination got.
func clickFrom(t *testing.T, p *process, code, ip, ua string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", p.base+"/c/"+code, nil)
	req.Header.Set("User-Agent", ua)
	req.Header.Set("X-Forwarded-For", ip)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("click %s from %s: %d", code, ip, resp.StatusCode)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	return loc.Query().Get("cid")
}

type fraudConversion struct {
	ID      int64    `json:"id"`
	Status  string   `json:"status"`
	Reason  string   `json:"reason"`
	Held    bool     `json:"held"`
	Flags   []string `json:"flags"`
	Reasons []struct {
		Code, Description string
	} `json:"reasons"`
	Commission struct {
		Payout string `json:"payout"`
	} `json:"commission"`
}

// TestFraudEndToEnd drives a program with a clean partner and a fraudulent one through the real
// binary: the fraudulent one's bot clicks, click spam from one address, a data-centre and a
// blocked address, a conversion two seconds after its click, a self-referral and a conversion of
// a bot's click; the clean one's clicks (an in-app browser among them) and sales. The clean
// partner is paid in full, the fraudulent one's conversions are rejected or held as the default
// (moderate) level and the offer's override (flagged_click: review) say, the held ones wait for a
// person (the approval job leaves them), and the reasons show in the reports, the conversions,
// the clicks, the review queue and the score.
func TestFraudEndToEnd(t *testing.T) {
	asnDB, hosting := writeASNDB(t)
	p := startServer(t, freeAddr(t), "--db", filepath.Join(t.TempDir(), "fraud.db"), "--jobs-every", "100ms",
		"--trusted-proxies", "127.0.0.1/32", "--asn-db", asnDB, "--hosting-asns", hosting)

	adv := p.createAdvertiser(map[string]any{"name": "Shop", "currency": "EUR", "fraud": map[string]any{"blocked_ips": []string{"192.0.2.66"}}})
	var offer, clara, fred struct{ ID int64 }
	if code := p.api("POST", "/api/v1/offers", map[string]any{"advertiser_id": adv.ID, "name": "Spring",
		"destination_url": "https://shop.example/?cid={click_id}", "hold_days": 0, "min_conversion_seconds": 3,
		"events": []any{map[string]any{"name": "purchase", "payout": map[string]any{"default": map[string]any{"percent": "10"}}}}}, &offer); code != http.StatusCreated {
		t.Fatalf("offer: %d", code)
	}
	// Settings are checked, naming the field; nothing is changed by a refused one.
	code, body := apiAs(t, p, testAdminKey, "PATCH", fmt.Sprintf("/api/v1/offers/%d", offer.ID), `{"fraud":{"rules":{"duplicate_click":"review"}}}`)
	if code != http.StatusBadRequest || !strings.Contains(string(body), `"field":"fraud.rules.duplicate_click"`) {
		t.Fatalf("a click rule held for review: %d %s", code, body)
	}
	// This program holds conversions of flagged clicks for review (moderate only flags them).
	code, body = apiAs(t, p, testAdminKey, "PATCH", fmt.Sprintf("/api/v1/offers/%d", offer.ID), `{"fraud":{"rules":{"flagged_click":"review"}}}`)
	if code != http.StatusOK || !strings.Contains(string(body), `"rules":{"flagged_click":"review"}`) {
		t.Fatalf("a rule's action: %d %s", code, body)
	}
	p.api("POST", "/api/v1/partners", map[string]any{"name": "Clara", "email": "clara@example.com"}, &clara)
	p.api("POST", "/api/v1/partners", map[string]any{"name": "Fred", "email": "fred@example.com"}, &fred)
	p.api("POST", "/api/v1/links", map[string]any{"offer_id": offer.ID, "partner_id": clara.ID, "code": "CLARA"}, nil)
	p.api("POST", "/api/v1/links", map[string]any{"offer_id": offer.ID, "partner_id": fred.ID, "code": "FRED"}, nil)

	// Clara: three people, one in Instagram's in-app browser.
	claraClicks := []string{
		clickFrom(t, p, "CLARA", "203.0.113.1", iPhoneSafari),
		clickFrom(t, p, "CLARA", "203.0.113.2", instagramApp),
		clickFrom(t, p, "CLARA", "203.0.113.3", iPhoneSafari),
	}
	// Fred: a crawler, click spam from one address, a data centre, a blocked address.
	var botClick string
	for range 3 {
		botClick = clickFrom(t, p, "FRED", "203.0.113.50", "curl/8.5.0")
	}
	for range 5 {
		clickFrom(t, p, "FRED", "203.0.113.60", iPhoneSafari)
	}
	dcClick := clickFrom(t, p, "FRED", "198.51.100.7", iPhoneSafari)
	clickFrom(t, p, "FRED", "192.0.2.66", iPhoneSafari)
	fastClick := clickFrom(t, p, "FRED", "203.0.113.70", iPhoneSafari)

	report := func(clickID, order, customer string) (int, fraudConversion) {
		t.Helper()
		var c fraudConversion
		code := p.api("POST", "/api/v1/conversions", map[string]any{"offer_id": offer.ID, "click_id": clickID, "order_id": order,
			"amount": "100.00", "customer_id": customer}, &c)
		return code, c
	}
	// A conversion about a second after its click: the offer wants 3 s at least.
	code, fast := report(fastClick, "F-1", "c-fast")
	if code != http.StatusUnprocessableEntity || fast.Status != "rejected" || fast.Reason != "click_to_conversion_too_fast" {
		t.Errorf("too fast: %d %+v", code, fast)
	}
	time.Sleep(3100 * time.Millisecond)
	var claraIDs []int64
	for i, click := range claraClicks {
		code, c := report(click, fmt.Sprintf("C-%d", i), fmt.Sprintf("c-%d", i))
		if code != http.StatusCreated || c.Status != "pending" || c.Held || len(c.Flags) != 0 || c.Commission.Payout != "10.00" {
			t.Errorf("Clara's sale %d: %d %+v", i, code, c)
		}
		claraIDs = append(claraIDs, c.ID)
	}
	_, self := report(dcClick, "F-2", "Fred@Example.com")
	_, ofBot := report(botClick, "F-3", "c-bot")
	if !self.Held || self.Status != "pending" || self.Reason != "self_referral+flagged_click" || self.Commission.Payout != "10.00" ||
		strings.Join(self.Flags, " ") != "self_referral flagged_click" {
		t.Errorf("self-referral from a data centre: %+v", self)
	}
	if !ofBot.Held || ofBot.Reason != "flagged_click" {
		t.Errorf("conversion of a bot's click: %+v", ofBot)
	}
	var detail fraudConversion
	p.api("GET", fmt.Sprintf("/api/v1/conversions/%d", self.ID), nil, &detail)
	if len(detail.Reasons) != 2 || !strings.Contains(detail.Reasons[0].Description, "partner's own email") {
		t.Errorf("the conversion's reasons in words: %+v", detail.Reasons)
	}

	// The approval job pays Clara (hold_days 0) and leaves the held ones to a person.
	waitFor(t, "Clara's sales approved", 10*time.Second, func() bool {
		for _, id := range claraIDs {
			var c fraudConversion
			p.api("GET", fmt.Sprintf("/api/v1/conversions/%d", id), nil, &c)
			if c.Status != "approved" {
				return false
			}
		}
		return true
	})
	var balance struct {
		Balances []struct{ Approved, Pending string } `json:"balances"`
	}
	p.api("GET", fmt.Sprintf("/api/v1/partners/%d/balance", clara.ID), nil, &balance)
	if len(balance.Balances) != 1 || balance.Balances[0].Approved != "30.00" {
		t.Errorf("Clara is not paid in full: %+v", balance)
	}
	var queue struct{ Data []fraudConversion }
	p.api("GET", fmt.Sprintf("/api/v1/review?offer_id=%d", offer.ID), nil, &queue)
	if len(queue.Data) != 2 || !queue.Data[0].Held {
		t.Fatalf("review queue: %+v", queue.Data)
	}

	// Reports by reason: every flagged click and decided conversion under its codes.
	rp := &reportProgram{p: p}
	want := map[string][2]float64{ // clicks, invalid_clicks
		"bot": {0, 3}, "duplicate_click": {0, 4}, "datacenter": {1, 0}, "blocked_ip": {0, 1}, "": {5, 0},
	}
	var rows reportAnswer
	waitFor(t, "the reasons in the reports", 5*time.Second, func() bool {
		_, rows = rp.report(t, testAdminKey, fmt.Sprintf("group_by=reason&metrics=clicks,invalid_clicks,conversions&filter[offer]=%d", offer.ID))
		got := map[string][3]float64{}
		for _, r := range rows.Data {
			got[r["reason"].(string)] = [3]float64{r["clicks"].(float64), r["invalid_clicks"].(float64), r["conversions"].(float64)}
		}
		for reason, w := range want {
			if g := got[reason]; g[0] != w[0] || g[1] != w[1] {
				return false
			}
		}
		return got["click_to_conversion_too_fast"][2] == 1 && got["self_referral+flagged_click"][2] == 1 &&
			got["flagged_click"][2] == 1 && got[""][2] == 3
	})

	// Fred's score shows what he did; Clara's is clean.
	var fredScore, claraScore struct {
		Score   int
		Signals []struct {
			Name  string
			Count int64
		}
	}
	p.api("GET", fmt.Sprintf("/api/v1/partners/%d/fraud-score", fred.ID), nil, &fredScore)
	p.api("GET", fmt.Sprintf("/api/v1/partners/%d/fraud-score", clara.ID), nil, &claraScore)
	if fredScore.Score < 50 || claraScore.Score != 0 {
		t.Errorf("scores: Fred %+v, Clara %+v", fredScore, claraScore)
	}

	// A person decides: the self-referral rejected, the other approved.
	var decided struct {
		Results []struct {
			ID         int64
			Status     int
			Conversion fraudConversion
		}
	}
	p.api("POST", "/api/v1/review/decisions", map[string]any{"decisions": []any{
		map[string]any{"id": self.ID, "decision": "reject"}, map[string]any{"id": ofBot.ID, "decision": "approve"},
		map[string]any{"id": claraIDs[0], "decision": "approve"}}}, &decided)
	if len(decided.Results) != 3 || decided.Results[0].Conversion.Status != "rejected" ||
		decided.Results[0].Conversion.Reason != "self_referral+flagged_click" || decided.Results[1].Conversion.Status != "approved" ||
		decided.Results[2].Status != http.StatusConflict {
		t.Errorf("decisions: %+v", decided.Results)
	}
	var clicks struct {
		Data []struct {
			Flags   []string
			Invalid bool
		}
	}
	p.api("GET", fmt.Sprintf("/api/v1/clicks?partner_id=%d&limit=100", fred.ID), nil, &clicks)
	b, _ := json.Marshal(clicks.Data)
	if !strings.Contains(string(b), `"Flags":["duplicate_click"],"Invalid":true`) || !strings.Contains(string(b), `"Flags":["datacenter"],"Invalid":false`) {
		t.Errorf("Fred's clicks: %s", b)
	}
}
