package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pactum/pactum"
)

// testChangeFeed: every write path of a conversion appends its change, with the figures after
// it, at positions 1, 2, 3... in commit order.
func testChangeFeed(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	anna := newPartner(t, s, "anna")
	st := newStream(s, "events")
	at := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)

	last, err := s.LastChange(ctx)
	must(t, err)
	wantEqual(t, "last change of an empty feed", last, int64(0))

	a := sale(o, anna.ID, at, "100.00", "10.00")
	a.OrderID, a.DedupKey = "A", "o:1:purchase:A"
	b := sale(o, anna.ID, at, "50.00", "5.00")
	b.ApproveAt = at.Add(time.Hour)
	st.insertAll(t, a, b)
	// A duplicate changes nothing, so it appends nothing.
	dup := sale(o, anna.ID, at, "100.00", "10.00")
	dup.OrderID, dup.DedupKey = "A", "o:1:purchase:A"
	if _, isDup := st.insert(t, dup); !isDup {
		t.Fatal("duplicate stored")
	}
	// A refund by hand, then a change of nothing but the time.
	_, err = s.UpdateConversion(ctx, a.ID, func(c *pactum.Conversion) error {
		c.RefundedAmount, c.Payout = dec("40.00"), dec("6.00")
		return nil
	})
	must(t, err)
	_, err = s.UpdateConversion(ctx, a.ID, func(c *pactum.Conversion) error { return nil })
	must(t, err)
	// The approval job; a payout run changes no conversion (marking it paid does: ChangeFeedPaid).
	n, err := s.ApproveDue(ctx, at.Add(2*time.Hour), 100)
	must(t, err)
	wantEqual(t, "approved", n, 1)
	day := at.Add(48 * time.Hour)
	_, _, err = s.RunPayouts(ctx, pactum.RunSettings{AdvertiserID: adv.ID, Date: day, Cutoff: day, Now: day})
	must(t, err)
	_, err = s.UpdateConversion(ctx, a.ID, func(c *pactum.Conversion) error {
		c.Status, c.Reason, c.Payout = pactum.ConversionRejected, "fraud", dec("0")
		return nil
	})
	must(t, err)

	changes, err := s.Changes(ctx, 0, 100)
	must(t, err)
	type row struct {
		Pos          int64
		Kind, Status string
		Conversion   int64
		Payout       string
		Refunded     string
	}
	var got []row
	for _, c := range changes {
		got = append(got, row{c.Position, c.Kind, c.Status, c.ConversionID, c.Payout.StringFixed(2), c.RefundedAmount.StringFixed(2)})
		if c.OfferID != o.ID || c.AdvertiserID != adv.ID || c.PartnerID != anna.ID || c.Currency != "EUR" {
			t.Fatalf("change %d: offer %d, advertiser %d, partner %d, currency %s", c.Position, c.OfferID, c.AdvertiserID, c.PartnerID, c.Currency)
		}
		wantStamped(t, "change time", c.Time)
	}
	wantEqual(t, "changes", got, []row{
		{1, pactum.ChangeCreated, pactum.ConversionPending, a.ID, "10.00", "0.00"},
		{2, pactum.ChangeCreated, pactum.ConversionPending, b.ID, "5.00", "0.00"},
		{3, pactum.ChangeRefunded, pactum.ConversionPending, a.ID, "6.00", "40.00"},
		{4, pactum.ChangeApproved, pactum.ConversionApproved, b.ID, "5.00", "0.00"},
		{5, pactum.ChangeRejected, pactum.ConversionRejected, a.ID, "0.00", "40.00"},
	})
	wantEqual(t, "amount of the first change", changes[0].Amount.StringFixed(2), "100.00")
	last, err = s.LastChange(ctx)
	must(t, err)
	wantEqual(t, "last change", last, int64(5))
	after, err := s.Changes(ctx, 3, 1)
	must(t, err)
	wantEqual(t, "one change after 3", len(after), 1)
	wantEqual(t, "its position", after[0].Position, int64(4))
}

// testChangeFeedPaid: a payout marked paid appends a paid change for each commission it took.
func testChangeFeedPaid(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	anna := newPartner(t, s, "anna")
	st := newStream(s, "events")
	at := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	var ids []int64
	for range 3 {
		c := sale(o, anna.ID, at, "1000.00", "100.00")
		c.Status, c.ApprovedAt = pactum.ConversionApproved, at
		ids = append(ids, st.insertAll(t, c)...)
	}
	day := at.Add(24 * time.Hour)
	run, _, err := s.RunPayouts(ctx, pactum.RunSettings{AdvertiserID: adv.ID, Date: day, Cutoff: day, Now: day})
	must(t, err)
	payouts, err := s.ListPayouts(ctx, pactum.PayoutFilter{RunID: run.ID}, pactum.Page{})
	must(t, err)
	wantEqual(t, "payouts", len(payouts), 1)
	_, err = s.SettlePayout(ctx, payouts[0].ID, pactum.PayoutPaid, "REF-1", day)
	must(t, err)
	changes, err := s.Changes(ctx, 3, 100)
	must(t, err)
	var paid []int64
	for _, c := range changes {
		if c.Kind != pactum.ChangePaid || c.Status != pactum.ConversionPaid || c.Payout.StringFixed(2) != "100.00" {
			t.Fatalf("change %+v, want a paid one", c)
		}
		paid = append(paid, c.ConversionID)
	}
	wantEqual(t, "paid changes", len(paid), 3)
	for _, id := range ids {
		found := false
		for _, p := range paid {
			found = found || p == id
		}
		if !found {
			t.Fatalf("no paid change for conversion %d: %v", id, paid)
		}
	}
}

// testChangeConsumers: concurrent writers of every kind append changes while two consumers of
// one name take them; every change is consumed exactly once, in position order, and a consumer
// that failed or restarted resumes from its recorded position.
func testChangeConsumers(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	anna := newPartner(t, s, "anna")
	at := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)

	const writers, perWriter = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*2+4)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				c := sale(o, anna.ID, at, "20.00", "2.00")
				c.OrderID = fmt.Sprintf("w%d-%d", w, i)
				c.DedupKey = fmt.Sprintf("o:%d:purchase:%s", o.ID, c.OrderID)
				c.ApproveAt = at.Add(time.Duration(i) * time.Second)
				// Position 0: the batches of a distributed log, which apply side by side.
				_, err := s.ApplyEvents(ctx, "events", 0, func(tx pactum.EventTx) error {
					_, _, err := tx.InsertConversion(ctx, c)
					return err
				})
				if err != nil {
					errs <- err
					return
				}
				if i%3 == 0 {
					_, err = s.UpdateConversion(ctx, c.ID, func(x *pactum.Conversion) error {
						x.RefundedAmount, x.Payout = dec("10.00"), dec("1.00")
						return nil
					})
					if err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Add(1)
	go func() { // the approval job, racing the writers
		defer wg.Done()
		for range 20 {
			if _, err := s.ApproveDue(ctx, at.Add(time.Minute), 5); err != nil {
				errs <- err
				return
			}
		}
	}()

	var mu sync.Mutex
	var seen []int64
	take := func(fail bool, positions []int64) error {
		if fail {
			return errFailedConsumer
		}
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, positions...)
		return nil
	}
	// Both ways of consuming, taking turns on one consumer: a change taken by one is taken
	// once, and ConsumeChangesRead writes nothing when the other moved the position after it read.
	consume := func(fail, read bool) (int, error) {
		if read {
			return s.ConsumeChangesRead(ctx, "test", 7, func(r pactum.ChangeReader, changes []pactum.ChangeRef) (func(pactum.ChangeTx, bool) error, error) {
				ids, positions := make([]int64, len(changes)), make([]int64, len(changes))
				for i, c := range changes {
					ids[i], positions[i] = c.ConversionID, c.Position
				}
				// Each ref is its change's.
				full, err := s.Changes(ctx, changes[0].Position-1, len(changes))
				if err != nil {
					return nil, err
				}
				for i, c := range changes {
					if f := full[i]; f.Position != c.Position || f.Kind != c.Kind || f.ConversionID != c.ConversionID {
						return nil, fmt.Errorf("ref %+v of change %d %s of conversion %d", c, f.Position, f.Kind, f.ConversionID)
					}
				}
				got, err := r.Conversions(ctx, append(ids, -1))
				if err != nil {
					return nil, err
				}
				for _, id := range ids {
					if got[id].ID != id {
						return nil, fmt.Errorf("conversion %d of the change feed not read", id)
					}
				}
				if _, ok := got[-1]; ok || len(got) > len(ids) {
					return nil, fmt.Errorf("read %d conversions for %d ids", len(got), len(ids))
				}
				return func(pactum.ChangeTx, bool) error { return take(fail, positions) }, nil
			})
		}
		return s.ConsumeChanges(ctx, "test", 7, func(_ pactum.ChangeTx, changes []pactum.Change) error {
			positions := make([]int64, len(changes))
			for i, c := range changes {
				positions[i] = c.Position
			}
			return take(fail, positions)
		})
	}
	done := make(chan struct{})
	var consumers sync.WaitGroup
	for range 2 {
		consumers.Add(1)
		go func() {
			defer consumers.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				// Every fifth call fails: what it took must come again.
				if _, err := consume(i%5 == 4, i%2 == 1); err != nil && !errors.Is(err, errFailedConsumer) {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	consumers.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// A restarted consumer: it knows only its recorded position, and takes the rest.
	pos, err := s.ConsumerPosition(ctx, "test")
	must(t, err)
	if len(seen) > 0 && pos != seen[len(seen)-1] {
		t.Fatalf("recorded position %d, last seen %d", pos, seen[len(seen)-1])
	}
	for i := 0; ; i++ {
		n, err := consume(false, i%2 == 0)
		must(t, err)
		if n == 0 {
			break
		}
	}
	last, err := s.LastChange(ctx)
	must(t, err)
	if last < writers*perWriter {
		t.Fatalf("last change %d, want at least %d", last, writers*perWriter)
	}
	if int64(len(seen)) != last {
		t.Fatalf("consumed %d changes, the feed has %d", len(seen), last)
	}
	for i, p := range seen {
		if p != int64(i+1) {
			t.Fatalf("change %d consumed at place %d: %v", p, i+1, seen)
		}
	}
	// Every change in the feed is one that happened: created, refunded or approved.
	changes, err := s.Changes(ctx, 0, int(last))
	must(t, err)
	kinds := map[string]int{}
	for _, c := range changes {
		kinds[c.Kind]++
	}
	if kinds[pactum.ChangeCreated] != writers*perWriter || len(changes) != int(last) {
		t.Fatalf("kinds %v in %d changes", kinds, len(changes))
	}

	// A consumer set to a position takes what follows it only.
	must(t, s.SetConsumerPosition(ctx, "late", last-1))
	var got []int64
	_, err = s.ConsumeChanges(ctx, "late", 100, func(_ pactum.ChangeTx, changes []pactum.Change) error {
		for _, c := range changes {
			got = append(got, c.Position)
		}
		return nil
	})
	must(t, err)
	wantEqual(t, "changes after a set position", got, []int64{last})
}

var errFailedConsumer = errors.New("consumer failed")

// testReportMemos: memos are stored and replaced many at a time, and of a conversion given
// twice in one call the last memo stands.
func testReportMemos(t *testing.T, s pactum.Store) {
	day := t0.Truncate(24 * time.Hour)
	set := func(memos []pactum.ReportMemo) map[int64][]byte {
		t.Helper()
		var got map[int64][]byte
		err := s.RebuildRollups(ctx, day, "test", func(tx pactum.RollupTx) error {
			if err := tx.SetReportMemos(ctx, memos); err != nil {
				return err
			}
			ids := make([]int64, 0, len(memos)+1)
			for _, m := range memos {
				ids = append(ids, m.ConversionID)
			}
			var err error
			got, err = tx.ReportMemos(ctx, append(ids, 1_000_000))
			return err
		})
		must(t, err)
		return got
	}
	var memos []pactum.ReportMemo
	for id := int64(1); id <= 131; id++ {
		memos = append(memos, pactum.ReportMemo{ConversionID: id, Data: []byte(fmt.Sprint("first ", id))})
	}
	// Conversion 7 twice: the later memo stands.
	memos = append(memos, pactum.ReportMemo{ConversionID: 7, Data: []byte("seven again")})
	got := set(memos)
	if len(got) != 131 || string(got[7]) != "seven again" || string(got[131]) != "first 131" || string(got[64]) != "first 64" {
		t.Fatalf("stored %d memos: 7 %q, 64 %q, 131 %q", len(got), got[7], got[64], got[131])
	}
	// Replaced, a few at a time and one new.
	got = set([]pactum.ReportMemo{{ConversionID: 131, Data: []byte("second 131")}, {ConversionID: 2, Data: []byte("second 2")},
		{ConversionID: 500, Data: []byte("new 500")}})
	if len(got) != 3 || string(got[131]) != "second 131" || string(got[2]) != "second 2" || string(got[500]) != "new 500" {
		t.Fatalf("replaced memos: 131 %q, 2 %q, 500 %q (%d memos)", got[131], got[2], got[500], len(got))
	}
}

// testRebuildSeenByConsumer: ConsumeChangesRead tells write whether a rebuild of the consumer's
// rollups (RebuildRollups) committed after read began, so that a consumer trusts what it read of
// the memos only when none did: told of a rebuild between the first read and write of a consumer
// that has no row yet (RebuildRollups makes it), not of one before a read, told of one between
// read and write again.
func testRebuildSeenByConsumer(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	at := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	rebuild := func() {
		t.Helper()
		must(t, s.RebuildRollups(ctx, at.Truncate(24*time.Hour), "rebuilt", func(pactum.RollupTx) error { return nil }))
	}
	for i, step := range []struct{ before, between bool }{{false, true}, {true, false}, {false, false}, {false, true}} {
		between := step.between
		if step.before {
			rebuild()
		}
		c := sale(o, 0, at, "20.00", "2.00")
		c.OrderID = fmt.Sprint("r", i)
		c.DedupKey = "o:rebuilt:" + c.OrderID
		_, err := s.ApplyEvents(ctx, "events", 0, func(tx pactum.EventTx) error {
			_, _, err := tx.InsertConversion(ctx, c)
			return err
		})
		must(t, err)
		var told []bool
		n, err := s.ConsumeChangesRead(ctx, "rebuilt", 100, func(_ pactum.ChangeReader, changes []pactum.ChangeRef) (func(pactum.ChangeTx, bool) error, error) {
			if between {
				rebuild()
			}
			return func(_ pactum.ChangeTx, rebuilt bool) error {
				told = append(told, rebuilt)
				return nil
			}, nil
		})
		must(t, err)
		if n == 0 || len(told) != 1 || told[0] != between {
			t.Fatalf("batch %d (%+v): took %d changes, write told rebuilt %v", i, step, n, told)
		}
	}
}
