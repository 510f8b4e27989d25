package conversion_test

import (
	"testing"
	"time"

	"github.com/pactum/pactum"
)

// storeClick stores a click as the event log's applier would, on a stream of its own.
func (h *harness) storeClick(v pactum.Visit) {
	h.t.Helper()
	_, err := h.store.ApplyEvents(h.ctx, "clicks", 0, func(tx pactum.EventTx) error {
		return tx.InsertVisits(h.ctx, []pactum.Visit{v}, nil)
	})
	if err != nil {
		h.t.Fatal(err)
	}
}

// The conversion rules in the event transaction, as each level decides them: a self-referral
// is flagged (relaxed), held for review (moderate: pending with no end to its hold period, so
// the approval job leaves it) or rejected (strict); a conversion of a bot's click is flagged, and
// at strict held (a rejection wins over it); what fired is stored with the conversion either way.
func TestConversionFraudRules(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		level, status string
		held          bool
		reason        string
	}{
		{pactum.LevelRelaxed, pactum.ConversionPending, false, ""},
		{pactum.LevelModerate, pactum.ConversionPending, true, "self_referral"},
		{pactum.LevelStrict, pactum.ConversionRejected, false, "self_referral"},
	} {
		o := h.offer(func(o *pactum.Offer) { o.Fraud.Level = tc.level })
		anna := h.partner("anna-"+tc.level, pactum.PartnerActive)
		click := h.click(o, anna, time.Hour)
		h.storeClick(pactum.Visit{ClickID: click, Time: start.Add(-time.Hour), OfferID: o.ID, PartnerID: anna.ID,
			IP: "198.51.100.7", UserAgent: "curl/8", Bot: true})
		res := h.submit(pactum.ConversionInput{ClickID: click, OrderID: "A-1", Amount: dec("100.00"), AmountGiven: true,
			CustomerID: "ANNA-" + tc.level + "@example.com", Source: pactum.SourceAPI})
		c := res.Conversion
		if c.Status != tc.status || c.Held() != tc.held || c.Reason != tc.reason ||
			c.Flags != "self_referral+flagged_click" || c.IP != "198.51.100.7" {
			t.Errorf("%s: status %s held %v reason %q flags %q ip %q", tc.level, c.Status, c.Held(), c.Reason, c.Flags, c.IP)
		}
		if tc.status == pactum.ConversionPending && !c.Payout.IsPositive() {
			t.Errorf("%s: a flagged or held conversion still earns: payout %s", tc.level, c.Payout)
		}
	}
	if n, err := h.store.ApproveDue(h.ctx, start.AddDate(1, 0, 0), 100); err != nil || n != 1 {
		t.Errorf("the approval job approved %d (%v): want only the relaxed one", n, err)
	}
	if n := h.count(pactum.ConversionFilter{Held: true}); n != 1 {
		t.Errorf("%d held", n)
	}
}

// repeated_ip counts the partner's earlier conversions of the offer from its click's address;
// conversion_velocity compares the last hour with the partner's own history (none here).
func TestConversionHistoryRules(t *testing.T) {
	h := newHarness(t)
	o := h.offer(func(o *pactum.Offer) { o.Fraud.Level = pactum.LevelStrict })
	bob := h.partner("bob", pactum.PartnerActive)
	var last pactum.Conversion
	for i := range 10 {
		click := h.click(o, bob, time.Minute)
		h.storeClick(pactum.Visit{ClickID: click, Time: start, OfferID: o.ID, PartnerID: bob.ID, IP: "203.0.113.50", UserAgent: "Mozilla/5.0"})
		last = h.submit(pactum.ConversionInput{ClickID: click, OrderID: "B-" + string(rune('a'+i)), Amount: dec("10.00"),
			AmountGiven: true, Source: pactum.SourceAPI}).Conversion
		if i == 2 && (last.Flags != "repeated_ip" || !last.Held()) {
			t.Errorf("third conversion from one address: flags %q held %v", last.Flags, last.Held())
		}
	}
	if last.Flags != "repeated_ip+conversion_velocity" || last.Reason != "repeated_ip+conversion_velocity" || !last.Held() {
		t.Errorf("tenth in an hour: flags %q reason %q held %v", last.Flags, last.Reason, last.Held())
	}
}
