package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pactum/pactum"
)

var pbAt = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func newPostback(t *testing.T, s pactum.Store, partnerID, offerID int64) pactum.Postback {
	t.Helper()
	p := pactum.Postback{PartnerID: partnerID, OfferID: offerID, URL: "https://t.example/pb?cid={click_id}",
		Method: "GET", Events: []string{pactum.EventConversionCreated}, Secret: "ps_one", Enabled: true,
		FailuresSince: pbAt, CreatedAt: pbAt, UpdatedAt: pbAt}
	must(t, s.CreatePostback(ctx, &p))
	return p
}

func postbackID(p pactum.Postback) int64 { return p.ID }

// testPostbacks: create, read, list, change, rotate, disable and delete postbacks.
func testPostbacks(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	anna, ben := newPartner(t, s, "anna"), newPartner(t, s, "ben")

	bad := pactum.Postback{PartnerID: 999, URL: "https://t.example/", Method: "GET", Events: []string{pactum.EventConversionCreated}}
	wantCode(t, s.CreatePostback(ctx, &bad), pactum.EINVALID, "partner_id")
	bad.PartnerID, bad.OfferID = anna.ID, 999
	wantCode(t, s.CreatePostback(ctx, &bad), pactum.EINVALID, "offer_id")

	a1 := newPostback(t, s, anna.ID, 0)
	a2 := newPostback(t, s, anna.ID, o.ID)
	b1 := newPostback(t, s, ben.ID, 0)
	got, err := s.Postback(ctx, a2.ID)
	must(t, err)
	wantEqual(t, "postback read back", got, a2)
	_, err = s.Postback(ctx, 999)
	wantCode(t, err, pactum.ENOTFOUND, "")

	wantEqual(t, "anna's postbacks", pageAll(t, func(p pactum.Page) ([]pactum.Postback, error) { return s.ListPostbacks(ctx, anna.ID, p) }, postbackID), []int64{a1.ID, a2.ID})
	wantEqual(t, "every postback", pageAll(t, func(p pactum.Page) ([]pactum.Postback, error) { return s.ListPostbacks(ctx, 0, p) }, postbackID), []int64{a1.ID, a2.ID, b1.ID})

	// A change: URL, method, events, offer, and turned off; the secrets stay.
	a1.URL, a1.Method, a1.OfferID = "https://t.example/v2?s={status}", "POST", o.ID
	a1.Events = []string{pactum.EventConversionApproved, pactum.EventConversionReversed}
	a1.Enabled, a1.DisabledReason, a1.DisabledAt, a1.UpdatedAt = false, "turned off", pbAt.Add(time.Hour), pbAt.Add(time.Hour)
	a1.Secret = "ps_ignored"
	must(t, s.UpdatePostback(ctx, &a1))
	got, err = s.Postback(ctx, a1.ID)
	must(t, err)
	a1.Secret = "ps_one"
	wantEqual(t, "changed postback", got, a1)
	ghost := a1
	ghost.ID = 999
	wantCode(t, s.UpdatePostback(ctx, &ghost), pactum.ENOTFOUND, "")

	// Rotation keeps the secret it replaces until the time given.
	until := pbAt.Add(24 * time.Hour)
	rotated, err := s.RotatePostbackSecret(ctx, a2.ID, "ps_two", until, pbAt)
	must(t, err)
	wantEqual(t, "secrets after a rotation", []string{rotated.Secret, rotated.PreviousSecret}, []string{"ps_two", "ps_one"})
	wantEqual(t, "previous secret valid until", rotated.PreviousUntil, until)
	_, err = s.RotatePostbackSecret(ctx, 999, "x", until, pbAt)
	wantCode(t, err, pactum.ENOTFOUND, "")

	// Disabling says why, once: a second reason does not replace the first.
	must(t, s.DisablePostback(ctx, b1.ID, "10 failures", pbAt.Add(time.Minute)))
	must(t, s.DisablePostback(ctx, b1.ID, "again", pbAt.Add(2*time.Minute)))
	got, err = s.Postback(ctx, b1.ID)
	must(t, err)
	if got.Enabled || got.DisabledReason != "10 failures" || !got.DisabledAt.Equal(pbAt.Add(time.Minute)) {
		t.Fatalf("disabled postback: %+v", got)
	}

	// Deleting takes its deliveries and their log along.
	d := pactum.PostbackDelivery{PostbackID: a2.ID, PartnerID: anna.ID, ConversionID: 1, Event: pactum.EventConversionCreated,
		Method: "GET", URL: "https://t.example/pb", IdempotencyKey: "k1", Test: true, NextAt: pbAt, CreatedAt: pbAt}
	must(t, s.AddDelivery(ctx, &d, pbAt.Add(time.Minute)))
	must(t, s.RecordAttempts(ctx, []pactum.DeliveryOutcome{{Status: pactum.DeliveryDelivered,
		Attempt: pactum.PostbackAttempt{DeliveryID: d.ID, PostbackID: a2.ID, Time: pbAt, StatusCode: 200}}}))
	must(t, s.DeletePostback(ctx, a2.ID))
	_, err = s.Postback(ctx, a2.ID)
	wantCode(t, err, pactum.ENOTFOUND, "")
	wantCode(t, s.DeletePostback(ctx, a2.ID), pactum.ENOTFOUND, "")
	left, err := s.ListDeliveries(ctx, pactum.DeliveryFilter{PostbackID: a2.ID}, pactum.Page{})
	must(t, err)
	wantEqual(t, "deliveries of a deleted postback", len(left), 0)
	// Its id is not handed out again.
	again := newPostback(t, s, anna.ID, 0)
	if again.ID <= b1.ID {
		t.Fatalf("new postback got id %d after %d was deleted", again.ID, a2.ID)
	}
}

// testPostbackChangeTx: what the postbacks consumer reads and writes in its transaction: the
// partner's enabled postbacks, the conversion's click, and deliveries, each idempotency key once.
func testPostbackChangeTx(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	anna := newPartner(t, s, "anna")
	on := newPostback(t, s, anna.ID, 0)
	off := newPostback(t, s, anna.ID, 0)
	must(t, s.DisablePostback(ctx, off.ID, "off", pbAt))

	st := newStream(s, "events")
	click := pactum.Visit{ClickID: "c-1", Time: pbAt, OfferID: o.ID, PartnerID: anna.ID, Sub: [5]string{"s1", "", "", "", "s5"},
		Source: "story", Device: pactum.DeviceMobile, Country: "DE"}
	st.apply(t, func(tx pactum.EventTx) error { return tx.InsertVisits(ctx, []pactum.Visit{click}, nil) })
	c := sale(o, anna.ID, pbAt, "10.00", "1.00")
	st.insertAll(t, c)

	// A new consumer starts at the present: the sale above is history to it.
	pos, err := s.StartConsumer(ctx, "pb-test")
	must(t, err)
	last, err := s.LastChange(ctx)
	must(t, err)
	wantEqual(t, "start position", pos, last)
	c2 := sale(o, anna.ID, pbAt, "20.00", "2.00")
	st.insertAll(t, c2)
	// Starting again keeps the position it has.
	pos, err = s.StartConsumer(ctx, "pb-test")
	must(t, err)
	wantEqual(t, "position at the second start", pos, last)

	var ids []int64
	n, err := s.ConsumeChanges(ctx, "pb-test", 10, func(tx pactum.ChangeTx, changes []pactum.Change) error {
		wantEqual(t, "changes after the start", len(changes), 1)
		pbs, err := tx.Postbacks(ctx, anna.ID)
		if err != nil {
			return err
		}
		wantEqual(t, "enabled postbacks", ids0(pbs), []int64{on.ID})
		v, err := tx.Click(ctx, "c-1")
		if err != nil {
			return err
		}
		wantEqual(t, "click read in the consumer", []string{v.Sub[0], v.Sub[4], v.Source, v.Device, v.Country}, []string{"s1", "s5", "story", "mobile", "DE"})
		_, err = tx.Click(ctx, "c-missing")
		wantCode(t, err, pactum.ENOTFOUND, "")
		ds := []pactum.PostbackDelivery{
			{PostbackID: on.ID, PartnerID: anna.ID, ConversionID: c2.ID, Position: changes[0].Position, Event: pactum.EventConversionCreated,
				Method: "POST", URL: "https://t.example/pb?cid=c-1", Body: `{"a":1}`, IdempotencyKey: "d-1", NextAt: pbAt, CreatedAt: pbAt},
			{PostbackID: on.ID, PartnerID: anna.ID, ConversionID: c2.ID, Position: changes[0].Position, Event: pactum.EventConversionCreated,
				Method: "GET", URL: "https://t.example/pb", IdempotencyKey: "d-1", NextAt: pbAt, CreatedAt: pbAt},
		}
		if err := tx.InsertDeliveries(ctx, ds); err != nil {
			return err
		}
		ids = []int64{ds[0].ID, ds[1].ID}
		return nil
	})
	must(t, err)
	wantEqual(t, "consumed", n, 1)
	if ids[0] == 0 || ids[1] != 0 {
		t.Fatalf("delivery ids %v: want the first stored and the repeated key skipped", ids)
	}
	ds, err := s.ListDeliveries(ctx, pactum.DeliveryFilter{PostbackID: on.ID}, pactum.Page{})
	must(t, err)
	wantEqual(t, "deliveries", len(ds), 1)
	d := ds[0]
	if d.Method != "POST" || d.Body != `{"a":1}` || d.Status != pactum.DeliveryPending || d.Attempts != 0 || d.Test || d.ConversionID != c2.ID {
		t.Fatalf("delivery: %+v", d)
	}
}

func ids0(ps []pactum.Postback) []int64 { return ids(ps, postbackID) }

// testSkipChangesWithoutPostbacks: with no postback enabled (none, or only disabled ones) the
// outbox's position moves to the newest change; with one enabled it stays, and the changes
// after it are consumed as before.
func testSkipChangesWithoutPostbacks(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	anna := newPartner(t, s, "anna")
	st := newStream(s, "events")
	st.insertAll(t, sale(o, anna.ID, pbAt, "5.00", "0.50"))
	start, err := s.StartConsumer(ctx, "skip")
	must(t, err)
	skip := func(what string, want bool) {
		t.Helper()
		skipped, err := s.SkipChangesWithoutPostbacks(ctx, "skip")
		must(t, err)
		wantEqual(t, what, skipped, want)
	}
	position := func(what string, want int64) {
		t.Helper()
		pos, err := s.ConsumerPosition(ctx, "skip")
		must(t, err)
		wantEqual(t, what, pos, want)
	}
	skip("skipped with nothing new", false)
	position("position with nothing new", start)

	st.insertAll(t, sale(o, anna.ID, pbAt, "10.00", "1.00"), sale(o, anna.ID, pbAt, "11.00", "1.10"))
	last, err := s.LastChange(ctx)
	must(t, err)
	skip("skipped without postbacks", true)
	position("position after the skip", last)

	off := newPostback(t, s, anna.ID, 0)
	must(t, s.DisablePostback(ctx, off.ID, "off", pbAt))
	st.insertAll(t, sale(o, anna.ID, pbAt, "12.00", "1.20"))
	last, err = s.LastChange(ctx)
	must(t, err)
	skip("skipped with a disabled postback", true)
	position("position after the second skip", last)

	newPostback(t, s, anna.ID, 0)
	c := sale(o, anna.ID, pbAt, "20.00", "2.00")
	st.insertAll(t, c)
	skip("skipped with an enabled postback", false)
	position("position with an enabled postback", last)
	n, err := s.ConsumeChanges(ctx, "skip", 10, func(_ pactum.ChangeTx, changes []pactum.Change) error {
		wantEqual(t, "changes after the postback", len(changes), 1)
		wantEqual(t, "the change's conversion", changes[0].ConversionID, c.ID)
		return nil
	})
	must(t, err)
	wantEqual(t, "consumed", n, 1)
}

// testDeliveries: claims lease due deliveries of enabled postbacks, attempts are recorded with
// their outcome, the run of failures counts from the latest success, and old ones are pruned.
func testDeliveries(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	_ = newOffer(t, s, adv.ID, "Offer")
	anna := newPartner(t, s, "anna")
	pb := newPostback(t, s, anna.ID, 0)
	off := newPostback(t, s, anna.ID, 0)
	must(t, s.DisablePostback(ctx, off.ID, "off", pbAt))
	add := func(postback int64, key string, next time.Time, test bool) pactum.PostbackDelivery {
		t.Helper()
		d := pactum.PostbackDelivery{PostbackID: postback, PartnerID: anna.ID, ConversionID: 7, Position: 1, Event: pactum.EventConversionCreated,
			Method: "GET", URL: "https://t.example/" + key, IdempotencyKey: key, Test: test, NextAt: next, CreatedAt: pbAt}
		must(t, s.AddDelivery(ctx, &d, time.Time{}))
		return d
	}
	d1 := add(pb.ID, "one", pbAt, false)
	d2 := add(pb.ID, "two", pbAt.Add(time.Minute), false)
	_ = add(pb.ID, "later", pbAt.Add(time.Hour), false)
	_ = add(off.ID, "of-a-disabled-postback", pbAt, false)
	dup := pactum.PostbackDelivery{PostbackID: pb.ID, IdempotencyKey: "one", Method: "GET", Event: "x"}
	wantCode(t, s.AddDelivery(ctx, &dup, time.Time{}), pactum.ECONFLICT, "")

	now := pbAt.Add(2 * time.Minute)
	claimed, err := s.ClaimDeliveries(ctx, now, now.Add(time.Minute), 10)
	must(t, err)
	wantEqual(t, "claimed: due, of enabled postbacks, oldest due first", deliveryIDs(claimed), []int64{d1.ID, d2.ID})
	again, err := s.ClaimDeliveries(ctx, now, now.Add(time.Minute), 10)
	must(t, err)
	wantEqual(t, "claimed while leased", len(again), 0)
	// d2 was not tried: released, it is claimed again at once; d1 once its lease ran out.
	must(t, s.ReleaseDeliveries(ctx, []int64{d2.ID}))
	again, err = s.ClaimDeliveries(ctx, now, now.Add(time.Minute), 10)
	must(t, err)
	wantEqual(t, "claimed after a release", deliveryIDs(again), []int64{d2.ID})
	expired := now.Add(time.Minute + time.Second)
	again, err = s.ClaimDeliveries(ctx, expired, expired.Add(time.Minute), 1)
	must(t, err)
	wantEqual(t, "claimed after the lease ran out, limit 1", deliveryIDs(again), []int64{d1.ID})

	// d1 fails and is retried later; d2 is delivered.
	retryAt := expired.Add(5 * time.Minute)
	must(t, s.RecordAttempts(ctx, []pactum.DeliveryOutcome{
		{Status: pactum.DeliveryPending, NextAt: retryAt, Attempt: pactum.PostbackAttempt{DeliveryID: d1.ID, PostbackID: pb.ID,
			Time: expired, URL: "https://t.example/one", StatusCode: 503, Error: "HTTP 503", Latency: 1500 * time.Microsecond, Answer: "busy"}},
		{Status: pactum.DeliveryDelivered, Attempt: pactum.PostbackAttempt{DeliveryID: d2.ID, PostbackID: pb.ID,
			Time: expired, URL: "https://t.example/two", StatusCode: 200, Answer: "ok"}},
	}))
	again, err = s.ClaimDeliveries(ctx, expired.Add(time.Minute), expired.Add(2*time.Minute), 10)
	must(t, err)
	wantEqual(t, "claimed before the retry is due", len(again), 0)
	again, err = s.ClaimDeliveries(ctx, retryAt, retryAt.Add(time.Minute), 10)
	must(t, err)
	wantEqual(t, "claimed when the retry is due", deliveryIDs(again), []int64{d1.ID})

	ds, err := s.ListDeliveries(ctx, pactum.DeliveryFilter{PostbackID: pb.ID}, pactum.Page{})
	must(t, err)
	wantEqual(t, "deliveries of the postback", deliveryIDs(ds), []int64{d1.ID, d2.ID, d2.ID + 1})
	one := ds[0]
	if one.Status != pactum.DeliveryPending || one.Attempts != 1 || !one.NextAt.Equal(retryAt) || !one.FinishedAt.IsZero() || len(one.Log) != 1 {
		t.Fatalf("retried delivery: %+v", one)
	}
	wantEqual(t, "attempt", one.Log[0], pactum.PostbackAttempt{ID: one.Log[0].ID, DeliveryID: d1.ID, PostbackID: pb.ID,
		Time: expired, URL: "https://t.example/one", StatusCode: 503, Error: "HTTP 503", Latency: 1500 * time.Microsecond, Answer: "busy"})
	if ds[1].Status != pactum.DeliveryDelivered || !ds[1].FinishedAt.Equal(expired) || ds[1].Attempts != 1 {
		t.Fatalf("delivered delivery: %+v", ds[1])
	}
	delivered, err := s.ListDeliveries(ctx, pactum.DeliveryFilter{PostbackID: pb.ID, Status: pactum.DeliveryDelivered}, pactum.Page{})
	must(t, err)
	wantEqual(t, "delivered ones", deliveryIDs(delivered), []int64{d2.ID})

	// The run of failures: failed deliveries after the latest delivered one, since the time given;
	// test deliveries do not count.
	fail := func(key string, at time.Time, test bool) {
		t.Helper()
		d := add(pb.ID, key, at, test)
		must(t, s.RecordAttempts(ctx, []pactum.DeliveryOutcome{{Status: pactum.DeliveryFailed,
			Attempt: pactum.PostbackAttempt{DeliveryID: d.ID, PostbackID: pb.ID, Time: at, StatusCode: 500}}}))
	}
	base := expired.Add(time.Hour)
	for i := range 3 {
		fail(fmt.Sprint("f", i), base.Add(time.Duration(i)*time.Minute), false)
	}
	fail("test-failure", base.Add(5*time.Minute), true)
	n, err := s.RecentFailures(ctx, pb.ID, pbAt)
	must(t, err)
	wantEqual(t, "failures in a row", n, 3)
	n, err = s.RecentFailures(ctx, pb.ID, base.Add(time.Minute))
	must(t, err)
	wantEqual(t, "failures in a row since a later time", n, 2)
	ok := add(pb.ID, "ok", base, false)
	must(t, s.RecordAttempts(ctx, []pactum.DeliveryOutcome{{Status: pactum.DeliveryDelivered,
		Attempt: pactum.PostbackAttempt{DeliveryID: ok.ID, PostbackID: pb.ID, Time: base.Add(10 * time.Minute), StatusCode: 204}}}))
	fail("f-after", base.Add(11*time.Minute), false)
	n, err = s.RecentFailures(ctx, pb.ID, pbAt)
	must(t, err)
	wantEqual(t, "failures after a delivery", n, 1)

	// Pruning takes finished deliveries before the time, with their log, and leaves the rest.
	pruned, err := s.PruneDeliveries(ctx, base)
	must(t, err)
	wantEqual(t, "pruned", pruned, int64(1)) // d2
	ds, err = s.ListDeliveries(ctx, pactum.DeliveryFilter{PostbackID: pb.ID}, pactum.Page{Limit: 100})
	must(t, err)
	if slices.Contains(deliveryIDs(ds), d2.ID) || !slices.Contains(deliveryIDs(ds), d1.ID) {
		t.Fatalf("after pruning: %v", deliveryIDs(ds))
	}
}

func deliveryIDs(ds []pactum.PostbackDelivery) []int64 {
	return ids(ds, func(d pactum.PostbackDelivery) int64 { return d.ID })
}

// testClaimDeliveriesConcurrently: workers claiming at once never get the same delivery.
func testClaimDeliveriesConcurrently(t *testing.T, s pactum.Store) {
	anna := newPartner(t, s, "anna")
	pb := newPostback(t, s, anna.ID, 0)
	const total = 200
	for i := range total {
		d := pactum.PostbackDelivery{PostbackID: pb.ID, PartnerID: anna.ID, ConversionID: int64(i + 1), Event: pactum.EventConversionCreated,
			Method: "GET", URL: "https://t.example/", IdempotencyKey: fmt.Sprint("k", i), NextAt: pbAt, CreatedAt: pbAt}
		must(t, s.AddDelivery(ctx, &d, time.Time{}))
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, err := s.ClaimDeliveries(ctx, pbAt, pbAt.Add(time.Hour), 7)
				if err != nil {
					errs <- err
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, d := range got {
					seen[d.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(seen) != total {
		t.Fatalf("%d deliveries claimed, want %d", len(seen), total)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("delivery %d claimed %d times", id, n)
		}
	}
}
