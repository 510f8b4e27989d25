package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestIntakesAnswerAlike: the postback and POST /api/v1/conversions answer the same input the
// same way, from one answer table and one set of rules (issues 12 and 13): a repeat of a
// rejected conversion, a 300-character id, ids with bytes a store would have to drop, repeated
// fields, countries; and the API's own: too many lines, money finer than the currency.
func TestIntakesAnswerAlike(t *testing.T) {
	p := startServer(t, freeAddr(t), "--db", filepath.Join(t.TempDir(), "pactum.db"))
	adv := p.createAdvertiser(map[string]any{"name": "Shop", "currency": "EUR"})
	var strict, plain, anna struct{ ID int64 }
	p.api("POST", "/api/v1/offers", map[string]any{"advertiser_id": adv.ID, "name": "Strict", "min_conversion_seconds": 3600,
		"destination_url": "https://shop.example/?cid={click_id}"}, &strict)
	p.api("POST", "/api/v1/offers", map[string]any{"advertiser_id": adv.ID, "name": "Plain",
		"destination_url": "https://shop.example/?cid={click_id}"}, &plain)
	p.api("POST", "/api/v1/partners", map[string]any{"name": "Anna", "email": "anna@example.com"}, &anna)
	p.api("POST", "/api/v1/links", map[string]any{"offer_id": strict.ID, "partner_id": anna.ID, "code": "STRICT"}, nil)
	rp := &reportProgram{p: p, adv: adv}
	fast := rp.click(t, "STRICT", "DE")

	postback := func(query string) (int, map[string]any) {
		t.Helper()
		resp, err := http.Get(p.base + "/postback?token=" + adv.Token + "&" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	api := func(body string) (int, map[string]any) {
		t.Helper()
		code, b := apiAs(t, p, testAdminKey, "POST", "/api/v1/conversions", body)
		var out map[string]any
		json.Unmarshal(b, &out)
		return code, out
	}
	field := func(out map[string]any) string {
		e, _ := out["error"].(map[string]any)
		return fmt.Sprint(e["field"], ": ", e["message"])
	}

	// A rejected conversion and its repeat: 422 on both, never 200.
	for _, intake := range []struct {
		name string
		send func(order string) (int, map[string]any)
	}{
		{"postback", func(order string) (int, map[string]any) {
			return postback("click_id=" + fast + "&amount=10.00&order_id=" + order)
		}},
		{"api", func(order string) (int, map[string]any) {
			return api(fmt.Sprintf(`{"click_id":%q,"amount":"10.00","order_id":%q}`, fast, order))
		}},
	} {
		order := "R-" + intake.name
		for i, dup := range []bool{false, true} {
			code, out := intake.send(order)
			if code != http.StatusUnprocessableEntity || out["duplicate"] != dup || out["status"] != "rejected" {
				t.Fatalf("%s, report %d of a rejected conversion: %d %v", intake.name, i+1, code, out)
			}
		}
	}

	long := strings.Repeat("x", 300)
	for _, tc := range []struct {
		name      string
		postback  string // query, "" when the postback cannot say it
		api       string
		wantField string
	}{
		{"a 300-character order id", "offer_id=%d&amount=1.00&order_id=" + long, `{"offer_id":%d,"amount":"1.00","order_id":"` + long + `"}`, "order_id: must be at most 128 characters"},
		{"a NUL in an order id", "offer_id=%d&amount=1.00&order_id=ZZ%%001796292285", `{"offer_id":%d,"amount":"1.00","order_id":"ZZ\u00001796292285"}`, "order_id: must not contain control characters"},
		{"invalid UTF-8 in an order id", "offer_id=%d&amount=1.00&order_id=%%FF%%FE%%FD", "{\"offer_id\":%d,\"amount\":\"1.00\",\"order_id\":\"\xff\xfe\xfd\"}", "order_id: must be valid UTF-8 text"},
		{"a repeated amount", "offer_id=%d&amount=10.00&amount=99999.00", `{"offer_id":%d,"amount":"10.00","amount":"99999.00"}`, "amount"},
		{"a reserved country", "offer_id=%d&amount=1.00&country=ZZ", `{"offer_id":%d,"amount":"1.00","country":"ZZ"}`, "country"},
		{"601 lines", "", `{"offer_id":%d,"items":[` + strings.TrimSuffix(strings.Repeat(`{"sku":"A","quantity":1,"unit_price":"1.00"},`, 601), ",") + `]}`, "items: must list at most 500 items"},
		{"a tenth of a cent", "", `{"offer_id":%d,"items":[{"sku":"A","quantity":1,"unit_price":"10.129"}]}`, "items[0].unit_price"},
		{"a huge quantity", "", `{"offer_id":%d,"items":[{"sku":"A","quantity":9223372036854775807,"unit_price":"1.00"}]}`, "items[0].quantity"},
	} {
		var answers []string
		if tc.postback != "" {
			code, out := postback(fmt.Sprintf(tc.postback, plain.ID))
			if code != http.StatusBadRequest || !strings.HasPrefix(field(out), tc.wantField) {
				t.Errorf("%s by postback: %d %s, want 400 %s", tc.name, code, field(out), tc.wantField)
			}
			answers = append(answers, field(out))
		}
		code, out := api(fmt.Sprintf(tc.api, plain.ID))
		if code != http.StatusBadRequest || !strings.HasPrefix(field(out), tc.wantField) {
			t.Errorf("%s by the API: %d %s, want 400 %s", tc.name, code, field(out), tc.wantField)
		}
		if len(answers) == 1 && strings.HasPrefix(tc.wantField, "order_id") && answers[0] != field(out) {
			t.Errorf("%s: the postback says %q, the API %q", tc.name, answers[0], field(out))
		}
	}
	// The order whose id lost a byte elsewhere is a sale of its own here.
	if code, out := postback(fmt.Sprintf("offer_id=%d&amount=20.00&order_id=ZZ1796292285", plain.ID)); code != 200 || out["duplicate"] != false {
		t.Fatalf("the second order: %d %v", code, out)
	}
	var n struct{ Count int64 }
	p.api("GET", fmt.Sprintf("/api/v1/conversions/count?offer_id=%d", plain.ID), nil, &n)
	if n.Count != 1 {
		t.Fatalf("%d conversions stored on the plain offer, want the one good order only", n.Count)
	}
}
