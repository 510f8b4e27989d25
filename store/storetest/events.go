package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

// stream applies batches to one stream of a store at increasing positions, as the event
// processor does.
type stream struct {
	s    pactum.Store
	name string
	pos  uint64
}

func newStream(s pactum.Store, name string) *stream { return &stream{s: s, name: name} }

// apply runs fn at the stream's next position and fails t unless it was applied.
func (st *stream) apply(t *testing.T, fn func(pactum.EventTx) error) {
	t.Helper()
	st.pos++
	applied, err := st.s.ApplyEvents(ctx, st.name, st.pos, fn)
	must(t, err)
	if !applied {
		t.Fatalf("ApplyEvents(%s, %d) not applied", st.name, st.pos)
	}
}

// insert stores c in a batch of its own.
func (st *stream) insert(t *testing.T, c *pactum.Conversion) (existing pactum.Conversion, duplicate bool) {
	t.Helper()
	st.apply(t, func(tx pactum.EventTx) error {
		var err error
		existing, duplicate, err = tx.InsertConversion(ctx, c)
		return err
	})
	return existing, duplicate
}

// insertAll stores each conversion in cs, each in a batch of its own, and returns their ids.
func (st *stream) insertAll(t *testing.T, cs ...*pactum.Conversion) []int64 {
	t.Helper()
	out := []int64{}
	for _, c := range cs {
		if _, dup := st.insert(t, c); dup {
			t.Fatalf("conversion %+v stored as a duplicate", c)
		}
		out = append(out, c.ID)
	}
	return out
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// sale returns a pending conversion of o's purchase event in o's currency.
func sale(o pactum.Offer, partner int64, at time.Time, amount, payout string) *pactum.Conversion {
	attribution := pactum.AttributionClick
	if partner == 0 {
		attribution = pactum.AttributionNone
	}
	return &pactum.Conversion{OfferID: o.ID, AdvertiserID: o.AdvertiserID, Event: "purchase", PartnerID: partner,
		Currency: o.Currency, Amount: dec(amount), Attribution: attribution, Status: pactum.ConversionPending,
		Source: pactum.SourceAPI, Time: at, Payout: dec(payout)}
}

func conversionCount(t *testing.T, s pactum.Store, f pactum.ConversionFilter) int64 {
	t.Helper()
	n, err := s.CountConversions(ctx, f)
	must(t, err)
	return n
}

func testApplyEvents(t *testing.T, s pactum.Store) {
	// Sync (what the event log calls before deleting applied segments) works with or without
	// anything to make durable.
	must(t, s.Sync(ctx))
	defer func() { must(t, s.Sync(ctx)) }()
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	anna := newPartner(t, s, "anna")

	calls := 0
	batch := func(clickID, order string) func(pactum.EventTx) error {
		return func(tx pactum.EventTx) error {
			calls++
			if err := tx.InsertVisits(ctx, []pactum.Visit{visit(clickID, o.ID, anna.ID, t0)}, []pactum.Visit{visit("", o.ID, anna.ID, t0)}); err != nil {
				return err
			}
			c := sale(o, anna.ID, t0, "10.00", "1.00")
			c.OrderID, c.DedupKey = order, "o:"+order
			_, _, err := tx.InsertConversion(ctx, c)
			return err
		}
	}
	check := func(what string, wantCalls int, wantRows int64, wantPos uint64) {
		t.Helper()
		if calls != wantCalls {
			t.Fatalf("%s: fn called %d times, want %d", what, calls, wantCalls)
		}
		c, i := counts(t, s, pactum.ClickFilter{})
		if n := conversionCount(t, s, pactum.ConversionFilter{}); c != wantRows || i != wantRows || n != wantRows {
			t.Fatalf("%s: %d clicks, %d impressions, %d conversions, want %d of each", what, c, i, n, wantRows)
		}
		pos, err := s.AppliedPosition(ctx, "events")
		must(t, err)
		if pos != wantPos {
			t.Fatalf("%s: AppliedPosition = %d, want %d", what, pos, wantPos)
		}
	}

	applied, err := s.ApplyEvents(ctx, "events", 10, batch("c1", "1"))
	must(t, err)
	if !applied {
		t.Fatal("first batch: applied = false")
	}
	check("first batch", 1, 1, 10)

	for _, pos := range []uint64{10, 9, 1} {
		applied, err = s.ApplyEvents(ctx, "events", pos, batch("c2", "2"))
		must(t, err)
		if applied {
			t.Fatalf("replay at %d: applied = true", pos)
		}
		check(fmt.Sprintf("replay at %d", pos), 1, 1, 10)
	}

	// fn's error rolls back the visits, the conversion and the position, and comes back as it was.
	fail := errors.New("processor failed")
	applied, err = s.ApplyEvents(ctx, "events", 11, func(tx pactum.EventTx) error {
		if err := batch("c3", "3")(tx); err != nil {
			return err
		}
		return fail
	})
	if err != fail || applied {
		t.Fatalf("ApplyEvents with failing fn = %v, %v; want false and the error unchanged", applied, err)
	}
	check("failed batch", 2, 1, 10)

	// So does a store error inside fn.
	applied, err = s.ApplyEvents(ctx, "events", 11, func(tx pactum.EventTx) error {
		if err := batch("c3", "3")(tx); err != nil {
			return err
		}
		bad := sale(o, anna.ID, t0, "10.001", "1.00")
		_, _, err := tx.InsertConversion(ctx, bad)
		return err
	})
	if applied {
		t.Fatal("ApplyEvents with an invalid conversion: applied = true")
	}
	wantCode(t, err, pactum.EINVALID, "amount")
	check("refused conversion", 3, 1, 10)

	// The transaction ends with its context: one done while fn runs commits nothing, even though
	// fn's statements run on (SQLite's run without the context's cancellation) and fn returns nil.
	cctx, cancel := context.WithCancel(ctx)
	applied, err = s.ApplyEvents(cctx, "events", 11, func(tx pactum.EventTx) error {
		cancel()
		_ = batch("c3", "3")(tx) // may fail on the ended transaction: the outcome is what counts
		return nil
	})
	if err == nil || applied {
		t.Fatalf("ApplyEvents with its context done = %v, %v; want false and an error", applied, err)
	}
	check("context done", 4, 1, 10)

	// The same position applies once the failure is gone.
	applied, err = s.ApplyEvents(ctx, "events", 11, batch("c3", "3"))
	must(t, err)
	if !applied {
		t.Fatal("retry of the failed batch: applied = false")
	}
	check("retried batch", 5, 2, 11)

	// Streams are independent.
	applied, err = s.ApplyEvents(ctx, "other", 1, func(pactum.EventTx) error { return nil })
	must(t, err)
	if !applied {
		t.Fatal("another stream at a lower position: applied = false")
	}
	check("another stream", 5, 2, 11)
}

func testEventTxCoupon(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	anna := newPartner(t, s, "anna")
	c := pactum.Coupon{Code: "Anna10", PartnerID: anna.ID, OfferID: o.ID}
	must(t, s.CreateCoupon(ctx, &c))
	newStream(s, "events").apply(t, func(tx pactum.EventTx) error {
		got, err := tx.Coupon(ctx, "anna10")
		must(t, err)
		wantEqual(t, "EventTx.Coupon", got, c)
		_, err = tx.Coupon(ctx, "nobody")
		wantCode(t, err, pactum.ENOTFOUND, "")
		return nil
	})
}

// testEventTxClickCountry: the transaction sees the countries of stored clicks, including one
// it inserted itself, and "" for a click it does not hold.
func testEventTxClickCountry(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	anna := newPartner(t, s, "anna")
	t0 := time.Now()
	fr := visit("click-fr", o.ID, anna.ID, t0)
	fr.Country = "FR"
	must(t, applyVisits(s, []pactum.Visit{fr, visit("click-de", o.ID, anna.ID, t0)}, nil, "visits", 1))
	nowhere := visit("click-nowhere", o.ID, anna.ID, t0)
	nowhere.Country = ""
	want := map[string]string{
		"click-fr": "FR", "click-de": "DE", "click-same-tx": "DE", "click-nowhere": "", "click-unknown": "",
	}
	newStream(s, "events").apply(t, func(tx pactum.EventTx) error {
		must(t, tx.InsertVisits(ctx, []pactum.Visit{nowhere, visit("click-same-tx", o.ID, anna.ID, t0)}, nil))
		for id, want := range want {
			got, err := tx.ClickCountry(ctx, id)
			must(t, err)
			if got != want {
				t.Errorf("EventTx.ClickCountry(%s) = %q, want %q", id, got, want)
			}
		}
		return nil
	})
}
