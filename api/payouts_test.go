package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

// approvedSale stores an approved sale of offer for partner, as the pipeline would.
func approvedSale(t *testing.T, e *env, offer, advertiser, partner int64, payout string) {
	t.Helper()
	c := &pactum.Conversion{OfferID: offer, AdvertiserID: advertiser, Event: "purchase", PartnerID: partner,
		Currency: "EUR", Amount: decimal.RequireFromString("100.00"), Attribution: pactum.AttributionClick,
		Status: pactum.ConversionApproved, Source: pactum.SourceAPI, Time: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC),
		ApprovedAt: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), Payout: decimal.RequireFromString(payout)}
	pos, err := e.store.AppliedPosition(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.ApplyEvents(context.Background(), "test", pos+1, func(tx pactum.EventTx) error {
		_, _, err := tx.InsertConversion(context.Background(), c)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// TestPayoutScope: a partner sees its own balance and payouts and nobody else's, and may not
// run or settle payouts; an advertiser runs and settles its own program's only.
func TestPayoutScope(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"1", "2"} {
		if status, body := e.do("PATCH", "/api/v1/partners/"+p, adminKey, `{"min_payout":"1.00"}`); status != http.StatusOK {
			t.Fatalf("partner %s: %d %v", p, status, body)
		}
	}
	approvedSale(t, e, 1, 1, 1, "60.00") // Anna with advertiser 1
	approvedSale(t, e, 1, 1, 2, "7.50")  // Ben with advertiser 1
	approvedSale(t, e, 2, 2, 1, "9.99")  // Anna with advertiser 2

	if status, _ := e.do("POST", "/api/v1/payouts/runs", e.p1, `{"advertiser_id":1}`); status != http.StatusForbidden {
		t.Errorf("a partner running payouts: %d, want 403", status)
	}
	if status, _ := e.do("POST", "/api/v1/payouts/runs", e.adv2, `{"advertiser_id":1}`); status != http.StatusForbidden {
		t.Errorf("advertiser 2 running advertiser 1's payouts: %d, want 403", status)
	}
	status, run := e.do("POST", "/api/v1/payouts/runs", e.adv1, `{"date":"2025-03-01"}`)
	if status != http.StatusCreated || run["advertiser_id"].(float64) != 1 || len(run["items"].([]any)) != 2 {
		t.Fatalf("advertiser 1's run: %d %v, want 2 payouts", status, run)
	}
	if status, again := e.do("POST", "/api/v1/payouts/runs", adminKey, `{"advertiser_id":1,"date":"2025-03-01"}`); status != http.StatusOK || again["id"] != run["id"] {
		t.Errorf("the same run again: %d %v", status, again)
	}
	if status, body := e.do("POST", "/api/v1/payouts/runs", adminKey, `{"advertiser_id":1,"date":"2025-03-02"}`); status != http.StatusBadRequest ||
		body["error"].(map[string]any)["field"] != "date" {
		t.Errorf("a run dated after today: %d %v, want 400 on date", status, body)
	}
	if status, body := e.do("POST", "/api/v1/payouts/runs", adminKey, `{"advertiser_id":1,"date":"1 March"}`); status != http.StatusBadRequest ||
		body["error"].(map[string]any)["field"] != "date" {
		t.Errorf("a bad date: %d %v", status, body)
	}

	// Partners see their own payouts only; advertiser 2 sees none of advertiser 1's.
	for key, want := range map[string]int{e.p1: 1, e.p2: 1, e.adv2: 0, e.adv1: 2, adminKey: 2} {
		_, list := e.do("GET", "/api/v1/payouts", key, "")
		if got := len(list["data"].([]any)); got != want {
			t.Errorf("%s lists %d payouts, want %d", key[:6], got, want)
		}
	}
	if status, body := e.do("GET", "/api/v1/payouts?status=sent", adminKey, ""); status != http.StatusBadRequest ||
		body["error"].(map[string]any)["field"] != "status" {
		t.Errorf("an unknown status filter: %d %v", status, body)
	}
	var annas string
	for _, it := range run["items"].([]any) {
		p := it.(map[string]any)
		if p["partner_id"].(float64) == 1 {
			annas = fmt.Sprint(p["id"])
			if p["amount"] != "60.00" {
				t.Errorf("anna's payout %v", p)
			}
		}
	}
	if status, _ := e.do("GET", "/api/v1/payouts/"+annas, e.p2, ""); status != http.StatusNotFound {
		t.Errorf("ben reading anna's payout: %d, want 404", status)
	}
	if status, _ := e.do("PATCH", "/api/v1/payouts/"+annas, e.p1, `{"status":"paid","reference":"x"}`); status != http.StatusForbidden {
		t.Errorf("anna settling her own payout: %d, want 403", status)
	}
	if status, body := e.do("PATCH", "/api/v1/payouts/"+annas, e.adv1, `{"status":"paid"}`); status != http.StatusBadRequest ||
		body["error"].(map[string]any)["field"] != "reference" {
		t.Errorf("paid without a reference: %d %v", status, body)
	}
	if status, _ := e.do("PATCH", "/api/v1/payouts/"+annas, e.adv2, `{"status":"paid","reference":"x"}`); status != http.StatusNotFound {
		t.Errorf("advertiser 2 settling advertiser 1's payout: %d, want 404", status)
	}
	if status, body := e.do("PATCH", "/api/v1/payouts/"+annas, e.adv1, `{"status":"paid","reference":"BANK-1"}`); status != http.StatusOK || body["reference"] != "BANK-1" {
		t.Errorf("settle: %d %v", status, body)
	}

	// Balances: Anna sees both programs; Ben asking for Anna's gets nothing of hers.
	_, bal := e.do("GET", "/api/v1/balance", e.p1, "")
	if got := len(bal["balances"].([]any)); got != 2 {
		t.Errorf("anna's balances: %v, want two programs", bal)
	}
	if _, alias := e.do("GET", "/api/v1/partners/1/balance", adminKey, ""); len(alias["balances"].([]any)) != 2 {
		t.Errorf("GET /api/v1/partners/1/balance: %v", alias)
	}
	if status, none := e.do("GET", "/api/v1/balance?partner_id=999", e.adv1, ""); status != http.StatusOK || len(none["balances"].([]any)) != 0 {
		t.Errorf("an advertiser asking for a partner that does not exist: %d %v, want an empty 200", status, none)
	}
	_, bal = e.do("GET", "/api/v1/balance?partner_id=1", e.p2, "")
	if got := len(bal["balances"].([]any)); got != 0 {
		t.Errorf("ben reading anna's balance: %v", bal)
	}
	_, bal = e.do("GET", "/api/v1/balance?partner_id=1", e.adv2, "")
	if b := bal["balances"].([]any); len(b) != 1 || b[0].(map[string]any)["approved"] != "9.99" {
		t.Errorf("advertiser 2 reading anna's balance with it: %v, want its program's 9.99 only", bal)
	}
	if status, body := e.do("GET", "/api/v1/balance", adminKey, ""); status != http.StatusBadRequest || body["error"].(map[string]any)["field"] != "partner_id" {
		t.Errorf("admin without partner_id: %d %v", status, body)
	}
	_, entries := e.do("GET", "/api/v1/ledger", e.p2, "")
	for _, it := range entries["data"].([]any) {
		if it.(map[string]any)["partner_id"].(float64) != 2 {
			t.Errorf("ben's ledger shows %v", it)
		}
	}
	if status, body := e.doRaw("GET", fmt.Sprintf("/api/v1/payouts/runs/%v/export?format=csv", run["id"]), e.p1, ""); status != http.StatusForbidden {
		t.Errorf("a partner exporting a run: %d %s", status, body)
	}
	if status, _ := e.do("PATCH", "/api/v1/partners/1", adminKey, `{"iban":"DE89370400440532013000"}`); status != http.StatusOK {
		t.Fatalf("set anna's iban: %d", status)
	}
	for key, wantIBAN := range map[string]bool{adminKey: true, e.adv1: false} {
		req := httptest.NewRequest("GET", fmt.Sprintf("/api/v1/payouts/runs/%v/export?format=csv", run["id"]), nil)
		req.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		e.mux.ServeHTTP(rec, req)
		status, body := rec.Code, rec.Body.String()
		if status != http.StatusOK || strings.Contains(body, "DE89370400440532013000") != wantIBAN {
			t.Errorf("CSV export as %s: %d, IBAN shown %v, want %v", key[:6], status, !wantIBAN, wantIBAN)
		}
	}
	if status, body := e.doRaw("GET", fmt.Sprintf("/api/v1/payouts/runs/%v/export?format=xls", run["id"]), adminKey, ""); status != http.StatusBadRequest || !strings.Contains(body, "format") {
		t.Errorf("an unknown format: %d %s", status, body)
	}
	// A SEPA file in another currency is a mistake in the request; a file with nobody to pay
	// (no partner of this run is paid by SEPA) is about the stored data.
	if status, body := e.doRaw("GET", fmt.Sprintf("/api/v1/payouts/runs/%v/export?format=sepa&currency=USD", run["id"]), adminKey, ""); status != http.StatusBadRequest || !strings.Contains(body, `"field":"currency"`) {
		t.Errorf("a SEPA file in USD: %d %s, want 400 on currency", status, body)
	}
	if status, body := e.doRaw("GET", fmt.Sprintf("/api/v1/payouts/runs/%v/export?format=paypal", run["id"]), adminKey, ""); status != http.StatusUnprocessableEntity || !strings.Contains(body, "failed_precondition") {
		t.Errorf("a PayPal file with nobody paid by PayPal: %d %s, want 422 failed_precondition", status, body)
	}
}
