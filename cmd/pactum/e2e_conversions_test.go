package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
)

// conversionAnswer is what /postback and POST /api/v1/conversions say about a conversion.
type conversionAnswer struct {
	ID           int64  `json:"id"`
	ConversionID int64  `json:"conversion_id"`
	Status       string `json:"status"`
	Attribution  string `json:"attribution"`
	PartnerID    *int64 `json:"partner_id"`
	Payout       string `json:"payout"`
	Duplicate    bool   `json:"duplicate"`
	Reason       string `json:"reason"`
	Amount       string `json:"amount"`
	Commission   struct {
		Payout          string `json:"payout"`
		Revenue         string `json:"revenue"`
		PayoutBreakdown struct {
			Lines []struct {
				SKU        string `json:"sku"`
				RuleID     string `json:"rule_id"`
				Commission string `json:"commission"`
			} `json:"lines"`
			Bonuses []struct {
				RuleID string `json:"rule_id"`
				Amount string `json:"amount"`
			} `json:"bonuses"`
			Total string `json:"total"`
		} `json:"payout_breakdown"`
	} `json:"commission"`
}

// get requests a public URL and decodes a JSON answer.
func get(t *testing.T, u string, out any) int {
	t.Helper()
	resp, err := noRedirect.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("GET %s: decoding %q: %v", u, b, err)
		}
	}
	return resp.StatusCode
}

// TestConversionsEndToEnd drives the real server through the life of a program's sales: a
// click, a lead postback with its click id, a sale with items through the API, a coupon sale
// without a click, a duplicate, a partial refund, and checks every commission to the cent.
func TestConversionsEndToEnd(t *testing.T) {
	dir := t.TempDir()
	p := startServer(t, freeAddr(t), "--db", filepath.Join(dir, "pactum.db"))

	adv := p.createAdvertiser(map[string]any{"name": "Northwind", "currency": "EUR"})
	payout := map[string]any{
		"default": map[string]any{"percent": "8"},
		"rules": []any{
			map[string]any{"id": "electronics", "when": map[string]any{"category": []string{"electronics"}}, "rate": map[string]any{"percent": "3"}},
			map[string]any{"id": "hero", "when": map[string]any{"sku": []string{"SHOE-9"}}, "rate": map[string]any{"fixed": "12.00", "per": "unit"}},
		},
		"bonuses": []any{
			map[string]any{"id": "new-customer", "when": map[string]any{"new_customer": true}, "add": map[string]any{"fixed": "5.00"}},
			map[string]any{"id": "big-basket", "when": map[string]any{"order_amount_gte": "200.00"}, "add": map[string]any{"percent": "2"}},
		},
	}
	var offer struct{ ID int64 }
	if code := p.api("POST", "/api/v1/offers", map[string]any{
		"advertiser_id": adv.ID, "name": "Spring", "destination_url": "https://shop.example/?cid={click_id}",
		"events": []any{
			map[string]any{"name": "purchase", "payout": payout, "revenue": map[string]any{"default": map[string]any{"percent": "12"}}},
			map[string]any{"name": "lead", "payout": map[string]any{"default": map[string]any{"fixed": "2.00"}}},
		},
	}, &offer); code != 201 {
		t.Fatalf("create offer: %d", code)
	}
	var partner struct{ ID int64 }
	p.api("POST", "/api/v1/partners", map[string]any{"name": "Anna", "email": "anna@example.com", "kind": "influencer"}, &partner)
	p.api("POST", "/api/v1/links", map[string]any{"offer_id": offer.ID, "partner_id": partner.ID, "code": "ANNA"}, nil)
	p.api("POST", "/api/v1/coupons", map[string]any{"code": "ANNA10", "partner_id": partner.ID}, nil)

	resp, err := noRedirect.Get(p.base + "/c/ANNA")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	clickID := loc.Query().Get("cid")
	if clickID == "" {
		t.Fatalf("no click id in %s", loc)
	}

	// A lead, reported by the shop's server with its postback token.
	var lead conversionAnswer
	leadURL := fmt.Sprintf("%s/postback?click_id=%s&event=lead&order_id=L-1&token=%s", p.base, clickID, adv.Token)
	if code := get(t, leadURL, &lead); code != 200 || lead.Status != "pending" || lead.Attribution != "click" || lead.Payout != "2.00" || lead.Duplicate {
		t.Fatalf("lead postback: %d %+v", code, lead)
	}
	var again conversionAnswer
	if code := get(t, leadURL, &again); code != 200 || !again.Duplicate || again.ConversionID != lead.ConversionID {
		t.Fatalf("repeated postback: %d %+v, want a duplicate of %d", code, again, lead.ConversionID)
	}
	if code := get(t, fmt.Sprintf("%s/postback?click_id=%s&event=lead&order_id=L-2&token=wrong", p.base, clickID), nil); code != 401 {
		t.Fatalf("postback with a wrong token: %d, want 401", code)
	}

	// The sale, with its items, through the API: SPEC section 4's example order.
	var sale conversionAnswer
	code := p.api("POST", "/api/v1/conversions", map[string]any{
		"offer_id": offer.ID, "event": "purchase", "order_id": "A-1001", "currency": "EUR", "amount": "249.80",
		"click_id": clickID, "customer_id": "c-77", "new_customer": true,
		"items": []any{
			map[string]any{"sku": "SHOE-9", "category": "shoes", "quantity": 2, "unit_price": "99.90"},
			map[string]any{"sku": "SOCK-1", "category": "accessories", "quantity": 1, "unit_price": "50.00"},
		},
	}, &sale)
	if code != 201 || sale.Commission.Payout != "38.00" || sale.Commission.Revenue != "29.98" {
		t.Fatalf("sale: %d %+v, want payout 38.00 (hero 24.00 + default 4.00 + new customer 5.00 + big basket 5.00) and revenue 29.98", code, sale)
	}
	b := sale.Commission.PayoutBreakdown
	if len(b.Lines) != 2 || b.Lines[0].RuleID != "hero" || b.Lines[0].Commission != "24.00" ||
		b.Lines[1].RuleID != "default" || b.Lines[1].Commission != "4.00" ||
		len(b.Bonuses) != 2 || b.Bonuses[0].RuleID != "new-customer" || b.Bonuses[0].Amount != "5.00" ||
		b.Bonuses[1].RuleID != "big-basket" || b.Bonuses[1].Amount != "5.00" {
		t.Fatalf("sale breakdown: %+v", b)
	}

	// A coupon sale without a click: attributed to the coupon's partner.
	var couponSale conversionAnswer
	code = p.api("POST", "/api/v1/conversions", map[string]any{
		"offer_id": offer.ID, "order_id": "A-1002", "coupon": "anna10",
		"items": []any{map[string]any{"sku": "TV-1", "category": "electronics", "quantity": 1, "unit_price": "499.00"}},
	}, &couponSale)
	if code != 201 || couponSale.Attribution != "coupon" || couponSale.PartnerID == nil || *couponSale.PartnerID != partner.ID ||
		couponSale.Commission.Payout != "24.95" {
		t.Fatalf("coupon sale: %d %+v, want coupon attribution and 24.95 (3%% of 499.00 = 14.97 + big basket 2%% = 9.98)", code, couponSale)
	}

	// A refund of one of the two shoes: the hero line halves, the big-basket bonus shrinks
	// with the basket (2% of 149.90 = 3.00), the new-customer bonus stays.
	var refunded conversionAnswer
	code = p.api("POST", fmt.Sprintf("/api/v1/conversions/%d/refund", sale.ID), map[string]any{
		"items": []any{map[string]any{"sku": "SHOE-9", "quantity": 1}},
	}, &refunded)
	if code != 200 || refunded.Commission.Payout != "24.00" || refunded.Status != "pending" {
		t.Fatalf("partial refund: %d %+v, want payout 24.00 (12.00 + 4.00 + 5.00 + 3.00)", code, refunded)
	}
	var count struct{ Count int64 }
	p.api("GET", fmt.Sprintf("/api/v1/conversions/count?offer_id=%d", offer.ID), nil, &count)
	if count.Count != 3 {
		t.Fatalf("%d conversions stored, want 3 (lead, sale, coupon sale)", count.Count)
	}
}

// TestFiftyIdenticalPostbacks sends the same postback fifty times at once: one conversion, one
// commission, and every answer names it.
func TestFiftyIdenticalPostbacks(t *testing.T) {
	dir := t.TempDir()
	p := startServer(t, freeAddr(t), "--db", filepath.Join(dir, "pactum.db"), "--demo", "--demo-weeks", "0")
	var adv struct {
		Token string `json:"postback_token"`
	}
	// The demo advertiser's token was shown once, at start-up; make an advertiser we know.
	p.api("POST", "/api/v1/advertisers", map[string]any{"name": "Dup Shop"}, &adv)
	var offer struct{ ID int64 }
	p.api("POST", "/api/v1/offers", map[string]any{"advertiser_id": 2, "name": "Dup", "destination_url": "https://dup.example/?c={click_id}",
		"events": []any{map[string]any{"name": "purchase", "payout": map[string]any{"default": map[string]any{"percent": "10"}}}}}, &offer)
	p.api("POST", "/api/v1/links", map[string]any{"offer_id": offer.ID, "partner_id": 1, "code": "DUP"}, nil)
	resp, err := noRedirect.Get(p.base + "/c/DUP")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	u := fmt.Sprintf("%s/postback?click_id=%s&order_id=O-50&amount=120.00&token=%s", p.base, loc.Query().Get("c"), adv.Token)

	var wg sync.WaitGroup
	answers := make([]conversionAnswer, 50)
	codes := make([]int, 50)
	start := make(chan struct{})
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			codes[i] = get(t, u, &answers[i])
		}()
	}
	close(start)
	wg.Wait()
	created := 0
	for i, a := range answers {
		if codes[i] != 200 || a.ConversionID != answers[0].ConversionID {
			t.Fatalf("answer %d: %d %+v", i, codes[i], a)
		}
		if !a.Duplicate {
			created++
		}
	}
	if created != 1 {
		t.Fatalf("%d answers say created, want 1", created)
	}
	var list struct {
		Data []conversionAnswer
	}
	p.api("GET", fmt.Sprintf("/api/v1/conversions?offer_id=%d", offer.ID), nil, &list)
	if len(list.Data) != 1 || list.Data[0].Commission.Payout != "12.00" {
		t.Fatalf("stored: %+v, want one conversion earning 12.00", list.Data)
	}
}
