package web_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/pactum/pactum/program"
)

// TestProfile: a partner sees its own record and payment details, and what it lacks to be paid;
// nobody else's, whatever the URL says.
func TestProfile(t *testing.T) {
	s := newSite(t)
	anna := s.login("anna@example.com")
	body := anna.shows("/portal/profile?partner_id=2", "Anna", "anna@example.com", "<dt>Partner number</dt><dd>1 ", "bank transfer (SEPA)",
		"<code>FR14 2004 1010 0505 0001 3M02 606</code>", "0.00 EUR", `href="/portal/profile" aria-current="page"`)
	if strings.Contains(body, "Ben") || strings.Contains(body, `role="alert"`) {
		t.Error("Anna's profile shows Ben, or a detail missing")
	}
	if resp, _ := anna.get("/portal/profile/2"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/portal/profile/2: %d", resp.StatusCode)
	}
	method := program.PayoutPayPal
	if _, err := s.program.UpdatePartner(ctx, program.Admin, 2, program.PartnerInput{PayoutMethod: &method}); err != nil {
		t.Fatal(err)
	}
	ben := s.login("ben@example.com")
	if _, body := ben.get("/portal/profile"); !strings.Contains(body, "no PayPal email of yours") || !strings.Contains(body, "Ben") || strings.Contains(body, "Anna") {
		t.Error("Ben's profile does not say his PayPal email is missing")
	}
	// The console's people have no profile here: the portal is the partners'.
	if resp, _ := s.login("admin@example.com").get("/portal/profile"); resp.Request.URL.Path != "/console/dashboard" {
		t.Errorf("an admin at /portal/profile ends at %s", resp.Request.URL.Path)
	}
}

// TestStatement: the partner's ledger as a CSV a spreadsheet opens: UTF-8 with a BOM, amounts
// with the currency's digits, the balance after each entry, formulas defused; its own only.
func TestStatement(t *testing.T) {
	s := newSite(t)
	name := "=Spring shoes"
	if _, err := s.program.UpdateOffer(ctx, program.Admin, 1, program.OfferInput{Name: &name}); err != nil {
		t.Fatal(err)
	}
	admin := s.login("admin@example.com")
	admin.get("/console/conversions/1")
	admin.post("/console/conversions/1/approve", nil)
	admin.get("/console/payouts")
	admin.post("/console/payouts/runs", url.Values{"advertiser_id": {"1"}})
	admin.get("/console/payouts/runs/1")
	if resp, _ := admin.post("/console/payouts/1/settle", url.Values{"status": {"paid"}, "reference.1": {"@SUM(A1)"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark paid: %d", resp.StatusCode)
	}

	anna := s.login("anna@example.com")
	if _, body := anna.get("/portal/balance"); !strings.Contains(body, `href="/portal/balance/statement.csv"`) {
		t.Fatal("the balance page does not offer the statement")
	}
	resp, body := anna.get("/portal/balance/statement.csv?partner_id=2")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		resp.Header.Get("Content-Disposition") != `attachment; filename=pactum-statement-2026-11-20.csv` {
		t.Fatalf("statement: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	if !strings.HasPrefix(body, "\ufefftime_utc,") || !strings.Contains(body, "\r\n") {
		t.Fatalf("the statement does not start with a BOM and its header, or its lines do not end in CRLF: %.40q", body)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Anna's two sales (33.00, 28.00) accrued, the first approved and paid. (Entries of the
	// conversion pipeline are dated by its own clock, not the test's.)
	want := [][]string{
		{"time_utc", "program", "currency", "entry", "description", "amount", "pending_after", "approved_after", "paid_after", "conversion_id", "payout_id", "payout_reference"},
		{"2026-11-20 12:00:00", "'=Spring shoes", "EUR", "accrued", "commission earned, waiting for approval", "33.00", "33.00", "0.00", "0.00", "1", "", ""},
		{"2026-11-20 12:00:00", "'=Spring shoes", "EUR", "accrued", "commission earned, waiting for approval", "28.00", "61.00", "0.00", "0.00", "2", "", ""},
		{"2026-11-20 12:00:00", "'=Spring shoes", "EUR", "approved", "commission approved: yours, paid in a coming payout", "33.00", "28.00", "33.00", "0.00", "1", "", ""},
		{"2026-11-20 12:00:00", "'=Spring shoes", "EUR", "paid", "paid out", "33.00", "28.00", "0.00", "33.00", "", "1", "'@SUM(A1)"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d:\n%s", len(rows), len(want), body)
	}
	for i := range want {
		if i > 0 && !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`).MatchString(rows[i][0]) {
			t.Errorf("row %d's time %q", i, rows[i][0])
		}
		if i > 0 {
			rows[i][0], want[i][0] = "", ""
		}
		if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d:\n got %q\nwant %q", i, rows[i], want[i])
		}
	}
	// Ben's statement has his sale only.
	ben := s.login("ben@example.com")
	if _, body := ben.get("/portal/balance/statement.csv"); strings.Count(body, "\r\n") != 2 || !strings.Contains(body, ",3,,") {
		t.Errorf("Ben's statement:\n%s", body)
	}
}
