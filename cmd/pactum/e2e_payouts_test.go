package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// apiAs calls the API with key, with the exchange checked against the OpenAPI document, and
// returns the status and body.
func apiAs(t *testing.T, p *process, key, method, path string, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, p.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := apiClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// pain001Schema finds the official pain.001.001.03 schema that .ci/run fetches.
func pain001Schema(t *testing.T) string {
	if p := os.Getenv("PACTUM_PAIN001_XSD"); p != "" {
		return p
	}
	p, _ := filepath.Abs("../../.cache/iso20022/pain.001.001.03.xsd")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("the pain.001.001.03 schema is not at %s: run .ci/run once, or set PACTUM_PAIN001_XSD", p)
	}
	return p
}

type balanceAnswer struct {
	Balances []struct {
		AdvertiserID int64  `json:"advertiser_id"`
		Currency     string `json:"currency"`
		Pending      string `json:"pending"`
		Approved     string `json:"approved"`
		PayableNow   string `json:"payable_now"`
		Paid         string `json:"paid"`
		Upcoming     []struct {
			Date, Amount string
		} `json:"upcoming"`
		NextPayout *struct {
			Date         string `json:"date"`
			Amount       string `json:"amount"`
			BelowMinimum bool   `json:"below_minimum"`
		} `json:"next_payout"`
	} `json:"balances"`
}

type runAnswer struct {
	ID    int64  `json:"id"`
	Date  string `json:"date"`
	Items []struct {
		ID          int64  `json:"id"`
		PartnerID   int64  `json:"partner_id"`
		Amount      string `json:"amount"`
		Currency    string `json:"currency"`
		Commissions int64  `json:"commissions"`
		Status      string `json:"status"`
	} `json:"items"`
}

// TestPayoutsEndToEnd runs a program's money on the real binary with a clock the test sets at
// each start: sales, the hold period passing while the server is down (the approval job
// catches up at start), a payout run and its exports (the SEPA file checked against the ISO
// schema), a failed payout returned to the balance and paid again, and a refund after payment
// clawed back from the next payout, every figure to the cent.
func TestPayoutsEndToEnd(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pactum.db")
	addr := freeAddr(t)
	start := func(clock string) *process {
		return startServer(t, addr, "--db", db, "--clock-start", clock, "--jobs-every", "200ms")
	}
	p := start("2027-01-04T09:00:00Z")

	adv := p.createAdvertiser(map[string]any{
		"name": "Northwind", "currency": "EUR", "payout_schedule": "manual", "net_days": 0,
		"legal_name": "Northwind GmbH", "iban": "DE89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX",
	})
	var offer struct{ ID int64 }
	if code := p.api("POST", "/api/v1/offers", map[string]any{
		"advertiser_id": adv.ID, "name": "Winter", "destination_url": "https://shop.example/?cid={click_id}", "hold_days": 30,
		"events": []any{map[string]any{"name": "purchase", "payout": map[string]any{"default": map[string]any{"percent": "10"}}}},
	}, &offer); code != 201 {
		t.Fatalf("create offer: %d", code)
	}
	var anna, ben struct{ ID int64 }
	if code := p.api("POST", "/api/v1/partners", map[string]any{"name": "Anna Müller", "email": "anna@example.com",
		"min_payout": "20.00", "payout_method": "sepa", "iban": "FR14 2004 1010 0505 0001 3M02 606", "paypal_email": "anna@paypal.example"}, &anna); code != 201 {
		t.Fatalf("create partner anna: %d", code)
	}
	p.api("POST", "/api/v1/partners", map[string]any{"name": "Ben", "email": "ben@example.com"}, &ben)
	p.api("POST", "/api/v1/links", map[string]any{"offer_id": offer.ID, "partner_id": anna.ID, "code": "ANNA"}, nil)
	var annaKey, benKey struct{ Key string }
	p.api("POST", "/api/v1/api-keys", map[string]any{"name": "anna", "role": "partner", "partner_id": anna.ID}, &annaKey)
	p.api("POST", "/api/v1/api-keys", map[string]any{"name": "ben", "role": "partner", "partner_id": ben.ID}, &benKey)

	sale := func(order, amount string) int64 {
		t.Helper()
		resp, err := noRedirect.Get(p.base + "/c/ANNA")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		var ans conversionAnswer
		u := fmt.Sprintf("%s/postback?click_id=%s&order_id=%s&amount=%s&token=%s", p.base, loc.Query().Get("cid"), order, amount, adv.Token)
		if code := get(t, u, &ans); code != 200 || ans.ConversionID == 0 {
			t.Fatalf("sale %s: %d %+v", order, code, ans)
		}
		return ans.ConversionID
	}
	first := sale("W-1", "123.45") // earns 12.35 (12.345 rounded half away from zero)
	sale("W-2", "250.00")          // 25.00
	third := sale("W-3", "80.10")  // 8.01
	balance := func(key string) balanceAnswer {
		t.Helper()
		var b balanceAnswer
		code, body := apiAs(t, p, key, "GET", "/api/v1/balance", "")
		if code != 200 {
			t.Fatalf("balance: %d %s", code, body)
		}
		if err := json.Unmarshal(body, &b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	b := balance(annaKey.Key)
	if len(b.Balances) != 1 || b.Balances[0].Pending != "45.36" || b.Balances[0].Approved != "0.00" {
		t.Fatalf("anna's balance after three sales: %+v, want 45.36 pending", b)
	}
	if b2 := balance(benKey.Key); len(b2.Balances) != 0 {
		t.Fatalf("ben sees %+v, want nothing of anna's", b2)
	}

	// Thirty-one days later, with the server down in between: the approval job catches up.
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()
	p = start("2027-02-05T09:00:00Z")
	deadline := time.Now().Add(10 * time.Second)
	for b = balance(annaKey.Key); b.Balances[0].Approved != "45.36"; b = balance(annaKey.Key) {
		if time.Now().After(deadline) {
			t.Fatalf("not approved after the hold period: %+v", b)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if b.Balances[0].Pending != "0.00" || b.Balances[0].PayableNow != "45.36" {
		t.Fatalf("after approval: %+v", b)
	}

	run := func(date string, wantStatus int) runAnswer {
		t.Helper()
		var r runAnswer
		code, body := apiAs(t, p, testAdminKey, "POST", "/api/v1/payouts/runs", fmt.Sprintf(`{"advertiser_id":%d,"date":%q}`, adv.ID, date))
		if code != wantStatus {
			t.Fatalf("run %s: %d %s, want %d", date, code, body, wantStatus)
		}
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	r1 := run("2027-02-03", 201)
	if len(r1.Items) != 1 || r1.Items[0].Amount != "45.36" || r1.Items[0].Commissions != 3 || r1.Items[0].PartnerID != anna.ID {
		t.Fatalf("first run: %+v, want one payout of 45.36 to anna for 3 commissions", r1)
	}
	if again := run("2027-02-03", 200); again.ID != r1.ID || len(again.Items) != 1 {
		t.Fatalf("the same date again: %+v, want run %d unchanged", again, r1.ID)
	}

	// The exports of the run.
	export := func(format string) []byte {
		t.Helper()
		code, body := apiAs(t, p, testAdminKey, "GET", fmt.Sprintf("/api/v1/payouts/runs/%d/export?format=%s", r1.ID, format), "")
		if code != 200 {
			t.Fatalf("export %s: %d %s", format, code, body)
		}
		return body
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(export("csv"), []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil || len(rows) != 2 || !strings.Contains(strings.Join(rows[1], ","), "45.36") || !strings.Contains(strings.Join(rows[1], ","), "Anna Müller") {
		t.Fatalf("CSV export: %v %q", err, rows)
	}
	// Anna is paid by SEPA: a PayPal batch of the run has nobody to pay.
	if code, body := apiAs(t, p, testAdminKey, "GET", fmt.Sprintf("/api/v1/payouts/runs/%d/export?format=paypal", r1.ID), ""); code != 422 || strings.Contains(string(body), "anna@") {
		t.Fatalf("PayPal export of a run paid by SEPA: %d %s, want 422 (nobody to pay by PayPal)", code, body)
	}
	sepa := filepath.Join(dir, "run.xml")
	if err := os.WriteFile(sepa, export("sepa"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("xmllint", "--noout", "--nonet", "--schema", pain001Schema(t), sepa).CombinedOutput(); err != nil {
		t.Fatalf("the SEPA file does not validate against pain.001.001.03: %v\n%s", err, out)
	}
	if x, _ := os.ReadFile(sepa); !bytes.Contains(x, []byte("<CtrlSum>45.36</CtrlSum>")) || !bytes.Contains(x, []byte("FR1420041010050500013M02606")) {
		t.Fatalf("SEPA file:\n%s", x)
	}

	// The bank bounces it: the money returns, and the next run pays it again.
	payout := r1.Items[0].ID
	if code, body := apiAs(t, p, testAdminKey, "PATCH", fmt.Sprintf("/api/v1/payouts/%d", payout), `{"status":"failed","reason":"account closed"}`); code != 200 {
		t.Fatalf("mark failed: %d %s", code, body)
	}
	if b = balance(annaKey.Key); b.Balances[0].Approved != "45.36" || b.Balances[0].Paid != "0.00" {
		t.Fatalf("after the failed payout: %+v, want 45.36 approved again", b)
	}
	r2 := run("2027-02-04", 201)
	if len(r2.Items) != 1 || r2.Items[0].Amount != "45.36" {
		t.Fatalf("run after the failure: %+v", r2)
	}
	if code, body := apiAs(t, p, testAdminKey, "PATCH", fmt.Sprintf("/api/v1/payouts/%d", r2.Items[0].ID), `{"status":"paid","reference":"SEPA-0206-1"}`); code != 200 {
		t.Fatalf("mark paid: %d %s", code, body)
	}
	code, body := apiAs(t, p, testAdminKey, "GET", fmt.Sprintf("/api/v1/payouts/runs/%d/export?format=sepa", r2.ID), "")
	if code != 422 || bytes.Contains(body, []byte("CdtTrfTxInf")) {
		t.Fatalf("SEPA export of a run whose payout is paid: %d %s, want 422 (nothing left to pay)", code, body)
	}
	if code, _ := apiAs(t, p, testAdminKey, "PATCH", fmt.Sprintf("/api/v1/payouts/%d", r2.Items[0].ID), `{"status":"failed","reason":"late"}`); code != 409 {
		t.Fatalf("settling a paid payout again: %d, want 409", code)
	}
	var conv struct{ Status string }
	p.api("GET", fmt.Sprintf("/api/v1/conversions/%d", first), nil, &conv)
	if conv.Status != "paid" {
		t.Fatalf("a commission of the paid payout is %q, want paid", conv.Status)
	}

	// A refund after payment is clawed back from the next payout: W-3 (8.01) is refunded in
	// full, and a new sale of 300.00 (30.00, reported approved by the shop) is paid less it.
	if code := p.api("POST", fmt.Sprintf("/api/v1/conversions/%d/refund", third), map[string]any{"amount": "80.10"}, nil); code != 200 {
		t.Fatalf("refund after payment: %d", code)
	}
	if b = balance(annaKey.Key); b.Balances[0].Approved != "-8.01" || b.Balances[0].Paid != "45.36" {
		t.Fatalf("after the refund: %+v, want -8.01 approved (owed) and 45.36 paid", b)
	}
	resp, err := noRedirect.Get(p.base + "/c/ANNA")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	var ans conversionAnswer
	if code := get(t, fmt.Sprintf("%s/postback?click_id=%s&order_id=W-4&amount=300.00&status=approved&token=%s", p.base, loc.Query().Get("cid"), adv.Token), &ans); code != 200 || ans.Status != "approved" {
		t.Fatalf("approved sale: %d %+v", code, ans)
	}
	r3 := run("2027-02-05", 201)
	if len(r3.Items) != 1 || r3.Items[0].Amount != "21.99" || r3.Items[0].Commissions != 1 {
		t.Fatalf("run after the clawback: %+v, want 21.99 (30.00 less 8.01) for 1 commission", r3)
	}
	code, body = apiAs(t, p, annaKey.Key, "GET", "/api/v1/payouts", "")
	if code != 200 || strings.Count(string(body), `"run_id"`) != 3 {
		t.Fatalf("anna's payout history: %d %s, want her 3 payouts", code, body)
	}
	if code, body := apiAs(t, p, benKey.Key, "GET", "/api/v1/payouts", ""); code != 200 || strings.Contains(string(body), `"run_id"`) {
		t.Fatalf("ben's payout history: %d %s, want none", code, body)
	}
	if code, _ := apiAs(t, p, benKey.Key, "GET", fmt.Sprintf("/api/v1/payouts/%d", r3.Items[0].ID), ""); code != 404 {
		t.Fatalf("ben reading anna's payout: %d, want 404", code)
	}
	b = balance(annaKey.Key)
	if b.Balances[0].Approved != "0.00" || b.Balances[0].Paid != "67.35" || b.Balances[0].Pending != "0.00" {
		t.Fatalf("at the end: %+v, want 0.00 approved and 67.35 paid (45.36 + 21.99)", b)
	}
}

// TestPartnerPaidInItsCurrency: rates loaded with `pactum fx load` from the ECB's CSV; a sale in
// EUR credits a partner who is paid in GBP at the rate of the sale's day, stored on the
// commission, and the payout is in GBP.
func TestPartnerPaidInItsCurrency(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pactum.db")
	rates := filepath.Join(dir, "eurofxref.csv")
	// The ECB's layout: a header of currencies, a trailing empty column, rates per euro.
	if err := os.WriteFile(rates, []byte("Date, USD, JPY, GBP, \n2027-01-04, 1.0412, 161.85, 0.8512, \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(binary, "fx", "load", "--db", db, rates).CombinedOutput(); err != nil {
		t.Fatalf("pactum fx load: %v\n%s", err, out)
	}
	p := startServer(t, freeAddr(t), "--db", db, "--clock-start", "2027-01-05T10:00:00Z")
	adv := p.createAdvertiser(map[string]any{"name": "Northwind", "currency": "EUR", "payout_schedule": "manual"})
	var offer, partner struct{ ID int64 }
	p.api("POST", "/api/v1/offers", map[string]any{"advertiser_id": adv.ID, "name": "Winter", "hold_days": 0,
		"destination_url": "https://shop.example/?cid={click_id}",
		"events":          []any{map[string]any{"name": "purchase", "payout": map[string]any{"default": map[string]any{"percent": "10"}}}}}, &offer)
	if code := p.api("POST", "/api/v1/partners", map[string]any{"name": "Oliver", "email": "oliver@example.co.uk", "currency": "GBP", "min_payout": "0.00"}, &partner); code != 201 {
		t.Fatalf("create partner: %d", code)
	}
	p.api("POST", "/api/v1/links", map[string]any{"offer_id": offer.ID, "partner_id": partner.ID, "code": "OLI"}, nil)
	resp, err := noRedirect.Get(p.base + "/c/OLI")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	var ans conversionAnswer
	if code := get(t, fmt.Sprintf("%s/postback?click_id=%s&order_id=G-1&amount=100.05&status=approved&token=%s", p.base, loc.Query().Get("cid"), adv.Token), &ans); code != 200 {
		t.Fatalf("sale: %d %+v", code, ans)
	}
	var conv struct {
		Commission struct {
			Payout          string  `json:"payout"`
			PartnerCurrency string  `json:"partner_currency"`
			PartnerPayout   string  `json:"partner_payout"`
			FXRate          *string `json:"fx_rate"`
		} `json:"commission"`
	}
	p.api("GET", fmt.Sprintf("/api/v1/conversions/%d", ans.ConversionID), nil, &conv)
	// 10% of 100.05 is 10.01 EUR (10.005 rounded half away from zero); at 0.8512 (the 4 January
	// rate, the latest on the 5th) 8.520512 GBP, 8.52.
	c := conv.Commission
	if c.Payout != "10.01" || c.PartnerCurrency != "GBP" || c.PartnerPayout != "8.52" || c.FXRate == nil || *c.FXRate != "0.8512" {
		t.Fatalf("commission %+v, want 10.01 EUR credited as 8.52 GBP at 0.8512", c)
	}
	code, body := apiAs(t, p, testAdminKey, "POST", "/api/v1/payouts/runs", fmt.Sprintf(`{"advertiser_id":%d,"date":"2027-01-05"}`, adv.ID))
	var r runAnswer
	if code != 201 || json.Unmarshal(body, &r) != nil || len(r.Items) != 1 || r.Items[0].Currency != "GBP" || r.Items[0].Amount != "8.52" {
		t.Fatalf("run: %d %s, want one payout of 8.52 GBP", code, body)
	}
}
