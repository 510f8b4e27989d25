package storetest

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pactum/pactum"
)

// The tests of a log that delivers in no order and may redeliver (NATS JetStream): batches apply
// without a position (ApplyEvents at 0), and each event is claimed (EventTx.Claim).

// noPosition is the stream name the position-less batches of these tests are applied under; the
// store records nothing for it.
const noPosition = "workers"

// claims runs one position-less batch that claims seqs of stream in turn, and returns Claim's
// answers.
func claims(t *testing.T, s pactum.Store, stream string, seqs ...uint64) []bool {
	t.Helper()
	out := []bool{}
	applied, err := s.ApplyEvents(ctx, noPosition, 0, func(tx pactum.EventTx) error {
		for _, seq := range seqs {
			ok, err := tx.Claim(ctx, stream, seq)
			if err != nil {
				return err
			}
			out = append(out, ok)
		}
		return nil
	})
	must(t, err)
	if !applied {
		t.Fatal("ApplyEvents at position 0: applied = false")
	}
	return out
}

func testClaims(t *testing.T, s pactum.Store) {
	wantEqual(t, "first claim of 1", claims(t, s, "events", 1), []bool{true})
	wantEqual(t, "second claim of 1 (a redelivery)", claims(t, s, "events", 1), []bool{false})
	wantEqual(t, "claim of 1 in another stream", claims(t, s, "other", 1), []bool{true})
	// A transaction sees its own claims.
	wantEqual(t, "claims of 2, 2, 3 in one batch", claims(t, s, "events", 2, 2, 3), []bool{true, false, true})

	// A batch that fails keeps no claim: its events apply when they come again.
	fail := errors.New("processor failed")
	applied, err := s.ApplyEvents(ctx, noPosition, 0, func(tx pactum.EventTx) error {
		if ok, err := tx.Claim(ctx, "events", 4); err != nil || !ok {
			return fmt.Errorf("claim of 4 = %v, %v; want true", ok, err)
		}
		return fail
	})
	if err != fail || applied {
		t.Fatalf("ApplyEvents with failing fn = %v, %v; want false and the error unchanged", applied, err)
	}
	wantEqual(t, "claim of 4 after a rolled-back claim", claims(t, s, "events", 4), []bool{true})
}

func testApplyEventsNoPosition(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	anna := newPartner(t, s, "anna")
	applied, err := s.ApplyEvents(ctx, "events", 5, func(pactum.EventTx) error { return nil })
	must(t, err)
	if !applied {
		t.Fatal("batch at 5: applied = false")
	}
	wantPosition := func(what, stream string, want uint64) {
		t.Helper()
		pos, err := s.AppliedPosition(ctx, stream)
		must(t, err)
		if pos != want {
			t.Fatalf("%s: AppliedPosition(%s) = %d, want %d", what, stream, pos, want)
		}
	}

	// fn runs every time (each click is stored), and the stream's position, recorded or not, stays as it was.
	for i, stream := range []string{"events", "events", "fresh"} {
		click := visit(fmt.Sprintf("c%d", i), o.ID, anna.ID, t0)
		must(t, applyVisits(s, []pactum.Visit{click}, nil, stream, 0))
	}
	if c, _ := counts(t, s, pactum.ClickFilter{}); c != 3 {
		t.Fatalf("%d clicks after 3 batches at position 0, want 3", c)
	}
	wantPosition("after batches at 0", "events", 5)
	wantPosition("after batches at 0", "fresh", 0)

	// fn's error comes back unchanged, and nothing is written.
	fail := errors.New("processor failed")
	applied, err = s.ApplyEvents(ctx, "events", 0, func(tx pactum.EventTx) error {
		if err := tx.InsertVisits(ctx, []pactum.Visit{visit("c9", o.ID, anna.ID, t0)}, nil); err != nil {
			return err
		}
		return fail
	})
	if err != fail || applied {
		t.Fatalf("ApplyEvents at 0 with failing fn = %v, %v; want false and the error unchanged", applied, err)
	}
	if c, _ := counts(t, s, pactum.ClickFilter{}); c != 3 {
		t.Fatalf("%d clicks after a failed batch, want 3", c)
	}

	// Positions go on from where they were.
	applied, err = s.ApplyEvents(ctx, "events", 6, func(pactum.EventTx) error { return nil })
	must(t, err)
	if !applied {
		t.Fatal("batch at 6 after batches at 0: applied = false")
	}
	wantPosition("after a batch at 6", "events", 6)
}

func testPruneClaims(t *testing.T, s pactum.Store) {
	claims(t, s, "events", 1, 2, 3, 4, 5)
	claims(t, s, "other", 1, 2, 3, 4, 5)
	for _, want := range []int64{3, 0} {
		n, err := s.PruneClaims(ctx, "events", 4)
		must(t, err)
		if n != want {
			t.Fatalf("PruneClaims(events, 4) = %d, want %d", n, want)
		}
	}
	// The pruned events are forgotten, the others and the other stream's kept.
	wantEqual(t, "claims of 3, 4, 5 after pruning", claims(t, s, "events", 3, 4, 5), []bool{true, false, false})
	wantEqual(t, "claims in the other stream", claims(t, s, "other", 1, 5), []bool{false, false})
}

func testLockConversions(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	anna := newPartner(t, s, "anna")
	withCustomer := func(c *pactum.Conversion, id string) *pactum.Conversion {
		c.CustomerID = id
		return c
	}

	// The lock may be taken more than once in a transaction, with or without a position.
	newStream(s, "events").apply(t, func(tx pactum.EventTx) error {
		must(t, tx.LockConversions(ctx))
		must(t, tx.LockConversions(ctx))
		_, _, err := tx.InsertConversion(ctx, sale(o, anna.ID, t0, "1", "0"))
		return err
	})

	// Two position-less batches that take the lock apply one after the other: the second gets it
	// once the first has committed, and sees the first's conversion. On PostgreSQL nothing else
	// orders them: without the lock both would run at once, each blind to the other's.
	locked := make(chan struct{})
	var firstDone atomic.Bool
	firstErr := make(chan error, 1)
	go func() {
		_, err := s.ApplyEvents(ctx, noPosition, 0, func(tx pactum.EventTx) error {
			if err := tx.LockConversions(ctx); err != nil {
				return err
			}
			if _, _, err := tx.InsertConversion(ctx, withCustomer(sale(o, anna.ID, t0, "1", "0"), "cust-1")); err != nil {
				return err
			}
			close(locked)
			time.Sleep(100 * time.Millisecond) // for the second batch to reach the lock
			firstDone.Store(true)
			return nil
		})
		firstErr <- err
	}()
	select {
	case <-locked:
	case err := <-firstErr:
		t.Fatalf("first batch ended before it held the lock: %v", err)
	}
	applied, err := s.ApplyEvents(ctx, noPosition, 0, func(tx pactum.EventTx) error {
		if err := tx.LockConversions(ctx); err != nil {
			return err
		}
		if !firstDone.Load() {
			return errors.New("second batch got the lock while the first held it")
		}
		partner, err := tx.CustomerPartner(ctx, o.ID, "cust-1", true)
		if err != nil {
			return fmt.Errorf("the first batch's customer, after the lock: %w", err)
		}
		if partner != anna.ID {
			return fmt.Errorf("the first batch's customer came with partner %d, want %d", partner, anna.ID)
		}
		return nil
	})
	must(t, err)
	if !applied {
		t.Fatal("second batch: applied = false")
	}
	must(t, <-firstErr)
}
