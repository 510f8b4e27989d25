package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// reviewInBrowser is the fraud screens' part of TestWebUIInBrowser, as the admin: the offer's
// fraud rules (strict, with self-referrals held for review rather than rejected, and a block
// list with a mistake shown at its line, then fixed); a sale whose customer is Anna's own email,
// which the rule holds; its page saying why; the review queue, where it is ticked and approved;
// the empty queue; Anna's fraud score; the program's fraud rules. axe checks each page.
func reviewInBrowser(t *testing.T, b *browserUI, p *process, offerID, anna int64) {
	t.Helper()
	b.open(fmt.Sprintf("/console/offers/%d", offerID))
	b.submit(fmt.Sprintf(`a[href="/console/offers/%d/fraud"]`, offerID))
	b.fill("#f-fraud-level", "strict", "#f-fraud-rules-self_referral", "review",
		"#f-fraud-blocked_ips", "203.0.113.0/24\n10.0.0.1/8")
	if status := b.submit("main form button[type=submit]"); status != 400 {
		t.Fatalf("fraud rules with a mistake: %d", status)
	}
	if msg := b.text("#f-fraud-blocked_ips-error"); !strings.HasPrefix(msg, "Line 2:") || !strings.Contains(msg, "10.0.0.0/8") {
		t.Fatalf("the block list's error: %q", msg)
	}
	b.check("offer-fraud-error")
	b.fill("#f-fraud-blocked_ips", "203.0.113.0/24\n10.0.0.0/8")
	if status := b.submit("main form button[type=submit]"); status != 200 || !strings.Contains(b.text(".notice"), "are saved") {
		t.Fatalf("the fixed fraud rules: %d at %s", status, b.path())
	}
	b.check("offer-fraud")

	// Anna buys through her own coupon: self_referral, held for review.
	var sale struct {
		ID   int64
		Held bool
	}
	if status := p.api("POST", "/api/v1/conversions", map[string]any{"offer_id": offerID, "order_id": "A-3", "coupon": "ANNA10",
		"customer_id": "anna@example.com", "amount": "80.00"}, &sale); status != 201 || !sale.Held {
		t.Fatalf("a self-referral: %d, held %v", status, sale.Held)
	}
	b.open(fmt.Sprintf("/console/conversions/%d", sale.ID))
	if facts := b.text("dl.facts"); !strings.Contains(facts, "Self-referral: the customer is the partner") {
		t.Fatalf("the held sale's page does not say why:\n%s", facts)
	}
	b.check("conversion-held")

	// Her score, with the held sale in it.
	b.open(fmt.Sprintf("/console/partners/%d/fraud", anna))
	if h := b.text("#h-score"); !strings.HasPrefix(h, "Score ") {
		t.Fatalf("Anna's fraud score: %q", h)
	}
	b.check("fraud-score")

	b.open("/console/review")
	if row := b.text(`[aria-label="Held conversions"]`); !strings.Contains(row, "A-3") || !strings.Contains(row, "Anna Runs") ||
		!strings.Contains(row, "80.00 EUR") || !strings.Contains(row, "no click (coupon)") {
		t.Fatalf("the review queue:\n%s", row)
	}
	b.check("review-queue")
	b.step("tick the sale", chromedp.Click(chromedp.CSS(fmt.Sprintf("#pick-%d", sale.ID))))
	b.submit(`button[name="decision"][value="approve"]`)
	if notice := b.text(".notice"); !strings.Contains(notice, fmt.Sprintf("Approved 1 conversion: #%d.", sale.ID)) {
		t.Fatalf("approve in the queue: %q", notice)
	}
	if empty := b.text(".empty"); !strings.Contains(empty, "Nothing is waiting for review") {
		t.Fatalf("the queue after deciding: %q", empty)
	}
	b.check("review-queue-empty")
	var after struct{ Status string }
	p.api("GET", fmt.Sprintf("/api/v1/conversions/%d", sale.ID), nil, &after)
	if after.Status != "approved" {
		t.Fatalf("the approved sale is %s", after.Status)
	}

	b.open("/console/settings/fraud")
	b.check("fraud-programs")
	b.submit(`main a[href^="/console/settings/fraud/"]`)
	b.check("program-fraud")
}
