package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/pactum/pactum"
)

// balanceOf returns the partner's balance with the program in EUR (zero if none).
func balanceOf(t *testing.T, s pactum.Store, partner, advertiser int64) pactum.Balance {
	t.Helper()
	bs, err := s.Balances(ctx, pactum.LedgerFilter{PartnerID: partner, AdvertiserID: advertiser})
	must(t, err)
	for _, b := range bs {
		if b.Currency == "EUR" {
			return b
		}
	}
	return pactum.Balance{Pending: dec("0"), Approved: dec("0"), Paid: dec("0")}
}

func wantBalance(t *testing.T, what string, b pactum.Balance, pending, approved, paid string) {
	t.Helper()
	if !b.Pending.Equal(dec(pending)) || !b.Approved.Equal(dec(approved)) || !b.Paid.Equal(dec(paid)) {
		t.Fatalf("%s: pending %s, approved %s, paid %s; want %s, %s, %s", what, b.Pending, b.Approved, b.Paid, pending, approved, paid)
	}
}

// testLedger: every change of a commission appends entries, in the transaction of the change,
// and balances are their sums.
func testLedger(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	anna := newPartner(t, s, "anna")
	st := newStream(s, "events")
	at := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	c1 := sale(o, anna.ID, at, "300.00", "30.00")
	c1.ApproveAt = at.Add(30 * 24 * time.Hour)
	c2 := sale(o, anna.ID, at, "400.00", "40.00")
	c2.ApproveAt = at.Add(40 * 24 * time.Hour)
	unattributed := sale(o, 0, at, "100.00", "0")
	unattributed.ApproveAt = c1.ApproveAt
	st.insertAll(t, c1, c2, unattributed)
	wantBalance(t, "two pending sales", balanceOf(t, s, anna.ID, adv.ID), "70.00", "0", "0")

	// A partial refund while pending reverses part of it.
	_, err := s.UpdateConversion(ctx, c2.ID, func(c *pactum.Conversion) error {
		c.Payout = dec("25.50")
		return nil
	})
	must(t, err)
	wantBalance(t, "after a refund", balanceOf(t, s, anna.ID, adv.ID), "55.50", "0", "0")

	n, err := s.ApproveDue(ctx, c1.ApproveAt.Add(-time.Second), 100)
	must(t, err)
	wantEqual(t, "approved before any hold period ended", n, 0)
	n, err = s.ApproveDue(ctx, c1.ApproveAt, 100)
	must(t, err)
	wantEqual(t, "approved when the first hold period ended (with the unattributed one)", n, 2)
	got, err := s.Conversion(ctx, c1.ID)
	must(t, err)
	if got.Status != pactum.ConversionApproved || !got.ApprovedAt.Equal(c1.ApproveAt) {
		t.Fatalf("c1 after approval: %s at %v, want approved at %v", got.Status, got.ApprovedAt, c1.ApproveAt)
	}
	wantBalance(t, "one approved", balanceOf(t, s, anna.ID, adv.ID), "25.50", "30.00", "0")
	n, err = s.ApproveDue(ctx, c2.ApproveAt.Add(time.Hour), 1)
	must(t, err)
	wantEqual(t, "approved with limit 1", n, 1)
	n, err = s.ApproveDue(ctx, c2.ApproveAt.Add(time.Hour), 1)
	must(t, err)
	wantEqual(t, "nothing left to approve", n, 0)
	wantBalance(t, "both approved", balanceOf(t, s, anna.ID, adv.ID), "0", "55.50", "0")

	// A refund after approval is a clawback.
	_, err = s.UpdateConversion(ctx, c1.ID, func(c *pactum.Conversion) error {
		c.Status, c.Payout = pactum.ConversionReversed, dec("0")
		return nil
	})
	must(t, err)
	wantBalance(t, "after a full refund of an approved sale", balanceOf(t, s, anna.ID, adv.ID), "0", "25.50", "0")

	entries, err := s.LedgerEntries(ctx, pactum.LedgerFilter{PartnerID: anna.ID}, pactum.Page{})
	must(t, err)
	var kinds []string
	var sum pactum.Balance
	for _, e := range entries {
		kinds = append(kinds, e.Kind+" "+e.Amount.StringFixed(2))
		sum.Apply(e)
	}
	wantEqual(t, "entries", kinds, []string{"accrued 30.00", "accrued 40.00", "reversed 14.50", "approved 30.00", "approved 25.50", "clawback 30.00"})
	wantBalance(t, "the sum of the listed entries", sum, "0", "25.50", "0")
}

// testPayoutRuns: a run pays approved, payable commissions once, nets clawbacks, leaves balances
// below the minimum to roll over, and a failed payout returns the money.
func testPayoutRuns(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	anna := newPartner(t, s, "anna")
	ben := newPartner(t, s, "ben")
	ben.MinPayout = dec("50.00")
	must(t, s.UpdatePartner(ctx, &ben))
	st := newStream(s, "events")
	at := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	approved := func(partner int64, payout string, approvedAt time.Time) *pactum.Conversion {
		c := sale(o, partner, at, "100.00", payout)
		c.Status, c.ApprovedAt = pactum.ConversionApproved, approvedAt
		return c
	}
	early := at.Add(24 * time.Hour)
	late := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	cs := []*pactum.Conversion{
		approved(anna.ID, "30.00", early), approved(anna.ID, "12.34", early), approved(anna.ID, "99.00", late),
		approved(ben.ID, "20.00", early),
	}
	st.insertAll(t, cs...)
	settings := func(date string) pactum.RunSettings {
		d, _ := time.Parse(time.DateOnly, date)
		return pactum.RunSettings{AdvertiserID: adv.ID, Date: d, Cutoff: d.AddDate(0, 0, 1).AddDate(0, 0, -10), Now: d}
	}

	run, created, err := s.RunPayouts(ctx, settings("2026-11-25"))
	must(t, err)
	if !created || run.Payouts != 1 || run.Date != "2026-11-25" {
		t.Fatalf("first run: %+v created %v, want one payout (anna; ben is below his minimum)", run, created)
	}
	payouts, err := s.ListPayouts(ctx, pactum.PayoutFilter{RunID: run.ID}, pactum.Page{})
	must(t, err)
	if len(payouts) != 1 || payouts[0].PartnerID != anna.ID || payouts[0].Amount.StringFixed(2) != "42.34" ||
		payouts[0].Commissions != 2 || payouts[0].Status != pactum.PayoutPending {
		t.Fatalf("payouts %+v, want anna's 42.34 for 2 commissions (the late one is not payable yet)", payouts)
	}
	wantBalance(t, "anna after the run", balanceOf(t, s, anna.ID, adv.ID), "0", "99.00", "42.34")
	wantBalance(t, "ben rolls over", balanceOf(t, s, ben.ID, adv.ID), "0", "20.00", "0")

	again, created, err := s.RunPayouts(ctx, settings("2026-11-25"))
	must(t, err)
	if created || again.ID != run.ID || again.Payouts != 1 {
		t.Fatalf("same date again: %+v created %v, want run %d as it was", again, created, run.ID)
	}
	wantBalance(t, "anna after running the date again", balanceOf(t, s, anna.ID, adv.ID), "0", "99.00", "42.34")

	// Two runs for other dates at once: the commissions still get paid once.
	var wg sync.WaitGroup
	for _, date := range []string{"2026-11-26", "2026-11-27"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := s.RunPayouts(ctx, settings(date)); err != nil {
				t.Errorf("run of %s: %v", date, err)
			}
		}()
	}
	wg.Wait()
	all, err := s.ListPayouts(ctx, pactum.PayoutFilter{PartnerID: anna.ID}, pactum.Page{})
	must(t, err)
	wantEqual(t, "anna's payouts after two concurrent runs", len(all), 1)

	// The payout fails: the money returns, and the next run pays the commissions again.
	failed, err := s.SettlePayout(ctx, payouts[0].ID, pactum.PayoutFailed, "IBAN closed", at)
	must(t, err)
	if failed.Status != pactum.PayoutFailed || failed.Reason != "IBAN closed" {
		t.Fatalf("failed payout %+v", failed)
	}
	_, err = s.SettlePayout(ctx, payouts[0].ID, pactum.PayoutPaid, "too late", at)
	wantCode(t, err, pactum.ECONFLICT, "")
	wantBalance(t, "anna after the failure", balanceOf(t, s, anna.ID, adv.ID), "0", "141.34", "0")

	// A refund of a commission of the failed payout before the next run: a clawback.
	_, err = s.UpdateConversion(ctx, cs[1].ID, func(c *pactum.Conversion) error {
		c.Status, c.Payout = pactum.ConversionReversed, dec("0")
		return nil
	})
	must(t, err)
	next, created, err := s.RunPayouts(ctx, settings("2026-12-01"))
	must(t, err)
	if !created || next.Payouts != 1 {
		t.Fatalf("next run %+v", next)
	}
	payouts, err = s.ListPayouts(ctx, pactum.PayoutFilter{RunID: next.ID}, pactum.Page{})
	must(t, err)
	if len(payouts) != 1 || payouts[0].Amount.StringFixed(2) != "30.00" {
		t.Fatalf("next run's payouts %+v, want anna's 30.00", payouts)
	}
	paid, err := s.SettlePayout(ctx, payouts[0].ID, pactum.PayoutPaid, "SEPA-2026-12-01-7", at)
	must(t, err)
	wantEqual(t, "reference", paid.Reference, "SEPA-2026-12-01-7")
	got, err := s.Conversion(ctx, cs[0].ID)
	must(t, err)
	if got.Status != pactum.ConversionPaid || got.PayoutID != payouts[0].ID {
		t.Fatalf("paid commission: %s in payout %d", got.Status, got.PayoutID)
	}

	// Refunded after payment: clawed back from the next payout.
	_, err = s.UpdateConversion(ctx, cs[0].ID, func(c *pactum.Conversion) error {
		c.Status, c.Payout = pactum.ConversionReversed, dec("0")
		return nil
	})
	must(t, err)
	wantBalance(t, "anna after a refund of a paid sale", balanceOf(t, s, anna.ID, adv.ID), "0", "69.00", "30.00")
	last, _, err := s.RunPayouts(ctx, settings("2027-01-01"))
	must(t, err)
	payouts, err = s.ListPayouts(ctx, pactum.PayoutFilter{RunID: last.ID}, pactum.Page{})
	must(t, err)
	if len(payouts) != 1 || payouts[0].Amount.StringFixed(2) != "69.00" || payouts[0].Commissions != 1 {
		t.Fatalf("last run's payouts %+v, want 69.00 (99.00 less the 30.00 clawed back) for 1 commission", payouts)
	}
	wantBalance(t, "anna at the end", balanceOf(t, s, anna.ID, adv.ID), "0", "0", "99.00")

	runs, err := s.ListPayoutRuns(ctx, adv.ID, pactum.Page{})
	must(t, err)
	wantEqual(t, "runs", len(runs), 5)
	_, _, err = s.RunPayouts(ctx, pactum.RunSettings{AdvertiserID: 9999, Date: at, Cutoff: at, Now: at})
	wantCode(t, err, pactum.ENOTFOUND, "")
}

// testApproveDueConcurrently: two approval jobs at once (two workers, or a worker and
// `pactum payouts run`) approve each conversion once, with one approved entry.
func testApproveDueConcurrently(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	anna := newPartner(t, s, "anna")
	st := newStream(s, "events")
	at := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	for i := range 40 {
		c := sale(o, anna.ID, at, "100.00", "1.00")
		c.ApproveAt = at.Add(time.Duration(i) * time.Minute)
		st.insertAll(t, c)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n, err := s.ApproveDue(ctx, at.Add(time.Hour), 7)
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	wantBalance(t, "after four approval jobs at once", balanceOf(t, s, anna.ID, adv.ID), "0", "40.00", "0")
}
