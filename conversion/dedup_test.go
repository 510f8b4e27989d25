package conversion_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/bus"
	"github.com/pactum/pactum/conversion"
	"github.com/shopspring/decimal"
)

func TestDedup(t *testing.T) {
	h := newHarness(t)
	anna := h.partner("anna", pactum.PartnerActive)
	o := h.offer(nil)

	t.Run("by order id", func(t *testing.T) {
		first := h.submit(pactum.ConversionInput{ClickID: h.click(o, anna, time.Hour), OrderID: "A-1", Items: basket()})
		// Another click, another amount: the order id alone decides.
		again := h.submit(pactum.ConversionInput{OfferID: o.ID, ClickID: h.click(o, anna, time.Minute), OrderID: "A-1", Amount: dec("1.00"), AmountGiven: true})
		if first.Duplicate || !again.Duplicate || again.Conversion.ID != first.Conversion.ID {
			t.Errorf("first %v %d, again %v %d", first.Duplicate, first.Conversion.ID, again.Duplicate, again.Conversion.ID)
		}
		eq(t, "existing amount", again.Conversion.Amount, "249.80")
		eq(t, "existing payout", again.Conversion.Payout, "28.00")
		// The same order id for another event is another conversion.
		signup := h.submit(pactum.ConversionInput{OfferID: o.ID, Event: "signup", OrderID: "A-1"})
		if signup.Duplicate {
			t.Error("another event was a duplicate")
		}
	})

	t.Run("by click id and event", func(t *testing.T) {
		click := h.click(o, anna, time.Hour)
		first := h.submit(pactum.ConversionInput{ClickID: click, Event: "signup"})
		again := h.submit(pactum.ConversionInput{ClickID: click, Event: "signup"})
		if first.Duplicate || !again.Duplicate || again.Conversion.ID != first.Conversion.ID {
			t.Errorf("first %v %d, again %v %d", first.Duplicate, first.Conversion.ID, again.Duplicate, again.Conversion.ID)
		}
		other := h.submit(pactum.ConversionInput{ClickID: click, Event: "purchase"})
		if other.Duplicate {
			t.Error("another event of the click was a duplicate")
		}
	})

	t.Run("allow_repeats", func(t *testing.T) {
		click := h.click(o, anna, time.Hour)
		a := h.submit(pactum.ConversionInput{ClickID: click, Event: "lead"})
		b := h.submit(pactum.ConversionInput{ClickID: click, Event: "lead"})
		if a.Duplicate || b.Duplicate || a.Conversion.ID == b.Conversion.ID {
			t.Errorf("repeats: %v %d, %v %d", a.Duplicate, a.Conversion.ID, b.Duplicate, b.Conversion.ID)
		}
		eq(t, "lead payout", b.Conversion.Payout, "2.00")
		// An order id still dedups an event that allows repeats.
		c := h.submit(pactum.ConversionInput{ClickID: click, Event: "lead", OrderID: "L-1"})
		d := h.submit(pactum.ConversionInput{ClickID: click, Event: "lead", OrderID: "L-1"})
		if c.Duplicate || !d.Duplicate || c.Conversion.ID != d.Conversion.ID {
			t.Errorf("repeats with an order id: %v %d, %v %d", c.Duplicate, c.Conversion.ID, d.Duplicate, d.Conversion.ID)
		}
	})

	t.Run("without order id or click", func(t *testing.T) {
		a := h.submit(pactum.ConversionInput{OfferID: o.ID, Event: "signup"})
		b := h.submit(pactum.ConversionInput{OfferID: o.ID, Event: "signup"})
		if a.Duplicate || b.Duplicate || a.Conversion.ID == b.Conversion.ID {
			t.Error("conversions without keys were deduplicated")
		}
	})
}

// TestConcurrentIdenticalSubmits is the test: fifty identical postbacks at once
// create exactly one conversion, and the 49 others all name it.
func TestConcurrentIdenticalSubmits(t *testing.T) {
	h := newHarness(t)
	anna := h.partner("anna", pactum.PartnerActive)
	o := h.offer(nil)
	in := pactum.ConversionInput{
		ClickID: h.click(o, anna, time.Hour), OrderID: "A-1001", Items: basket(),
		AdvertiserID: h.advertiser.ID, Source: pactum.SourcePostback,
	}
	const n = 50
	var got results
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			res, err := h.p.Submit(h.ctx, in)
			if err != nil {
				errs <- err
				return
			}
			got.add(res)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if c := h.count(pactum.ConversionFilter{OfferID: o.ID}); c != 1 {
		t.Fatalf("%d conversions stored, want 1", c)
	}
	var created, dups int
	ids := map[int64]bool{}
	for _, r := range got.res {
		ids[r.Conversion.ID] = true
		if r.Duplicate {
			dups++
		} else {
			created++
		}
		eq(t, "payout", r.Conversion.Payout, "28.00")
	}
	if created != 1 || dups != n-1 || len(ids) != 1 {
		t.Errorf("%d created, %d duplicates, %d distinct ids; want 1, %d, 1", created, dups, len(ids), n-1)
	}
	if w := h.p.Waiting(); w != 0 {
		t.Errorf("%d requests still waiting", w)
	}
}

// TestRetriedBatch: a store failure rolls the batch back and the log hands it again; Apply then
// decides the same, and the request gets the one conversion that committed.
func TestRetriedBatch(t *testing.T) {
	h := newHarness(t)
	anna := h.partner("anna", pactum.PartnerActive)
	o := h.offer(nil)
	h.failNext.Store(true)
	res := h.submit(pactum.ConversionInput{ClickID: h.click(o, anna, time.Hour), OrderID: "R-1", Items: basket()})
	if h.failNext.Load() {
		t.Fatal("the injected failure did not happen")
	}
	if res.Duplicate || res.Conversion.ID == 0 {
		t.Errorf("result = %+v, want the new conversion", res)
	}
	eq(t, "payout", res.Conversion.Payout, "28.00")
	if n := h.count(pactum.ConversionFilter{}); n != 1 {
		t.Errorf("%d conversions, want 1", n)
	}
	again := h.submit(pactum.ConversionInput{ClickID: h.click(o, anna, time.Hour), OrderID: "R-1"})
	if !again.Duplicate || again.Conversion.ID != res.Conversion.ID {
		t.Errorf("again = %v %d", again.Duplicate, again.Conversion.ID)
	}
}

// TestSubmitGivesUp: a request that stops waiting gets its context's error, and its conversion,
// durable in the log, is stored all the same.
func TestSubmitGivesUp(t *testing.T) {
	h := newHarness(t)
	anna := h.partner("anna", pactum.PartnerActive)
	o := h.offer(nil)
	release := make(chan struct{})
	h.hold.Store(&release)

	ctx, cancel := context.WithTimeout(h.ctx, 100*time.Millisecond)
	defer cancel()
	_, err := h.p.Submit(ctx, pactum.ConversionInput{ClickID: h.click(o, anna, time.Hour), OrderID: "G-1"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	if w := h.p.Waiting(); w != 0 {
		t.Errorf("%d requests still waiting", w)
	}
	h.hold.Store(nil)
	close(release)
	deadline := time.Now().Add(5 * time.Second)
	for h.count(pactum.ConversionFilter{}) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the conversion was not stored")
		}
		time.Sleep(10 * time.Millisecond)
	}
	res := h.submit(pactum.ConversionInput{ClickID: h.click(o, anna, time.Hour), OrderID: "G-1"})
	if !res.Duplicate {
		t.Error("reporting it again was not a duplicate")
	}
}

// TestUnreadableRecordSkipped: a record this binary cannot read (a later version's) is skipped,
// and the log goes on.
func TestUnreadableRecordSkipped(t *testing.T) {
	h := newHarness(t)
	o := h.offer(nil)
	for _, data := range []string{`not json`, `{"v":99,"offer_id":1}`, `{"v":1}`} {
		if err := h.log.Append(h.ctx, bus.TypeConversion, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	if c := h.submit(pactum.ConversionInput{OfferID: o.ID, OrderID: "1"}).Conversion; c.ID == 0 {
		t.Errorf("conversion = %+v", c)
	}
}

// TestStoredTold: Config.Stored hears of each conversion stored, once its transaction committed
// (a retried batch once, after it committed), and never of a duplicate; with its click's report
// dimensions as stored when the fraud rules read the click, and none when nothing read it; and
// with its line commissions as its stored breakdowns state them.
func TestStoredTold(t *testing.T) {
	type told struct {
		c     pactum.Conversion
		click *pactum.ClickDims
		lines pactum.LineCommissions
	}
	var mu sync.Mutex
	var heard []told
	h := newHarness(t, func(c *conversion.Config) {
		c.Stored = func(cv *pactum.Conversion, click *pactum.ClickDims, lines pactum.LineCommissions) {
			mu.Lock()
			defer mu.Unlock()
			heard = append(heard, told{*cv, click, lines})
		}
	})
	anna := h.partner("anna", pactum.PartnerActive)
	o := h.offer(nil)
	blind := h.offer(func(o *pactum.Offer) {
		o.Fraud.Rules = map[string]string{pactum.ReasonFlaggedClick: pactum.ActionOff, pactum.ReasonRepeatedIP: pactum.ActionOff,
			pactum.ReasonRepeatedCustomer: pactum.ActionOff, pactum.ReasonVelocity: pactum.ActionOff}
	})
	click := pactum.Visit{ClickID: h.click(o, anna, time.Hour), Time: time.Unix(0, h.now.Load()).Add(-time.Hour), OfferID: o.ID,
		PartnerID: anna.ID, Sub: [5]string{"story", "", "", "", "5"}, Source: "instagram", IP: "203.0.113.7",
		Device: "mobile", OS: "iOS", Browser: "Safari", Country: "AT"}
	h.storeClick(click)
	h.failNext.Store(true)
	res := h.submit(pactum.ConversionInput{ClickID: click.ClickID, OrderID: "S-1", Items: basket()})
	again := h.submit(pactum.ConversionInput{ClickID: click.ClickID, OrderID: "S-1"})
	if !again.Duplicate {
		t.Fatal("the second submit was not a duplicate")
	}
	// Nothing read the click of this one: the keeper reads it.
	unread := h.submit(pactum.ConversionInput{OfferID: blind.ID, ClickID: h.click(blind, anna, time.Hour), OrderID: "S-2"})
	mu.Lock()
	defer mu.Unlock()
	if len(heard) != 2 || heard[0].c.ID != res.Conversion.ID || heard[1].c.ID != unread.Conversion.ID {
		t.Fatalf("told of %d conversions (%+v), want conversions %d and %d once each", len(heard), heard, res.Conversion.ID, unread.Conversion.ID)
	}
	stored, err := h.store.Conversion(h.ctx, res.Conversion.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := heard[0].c
	if !got.Payout.Equal(stored.Payout) || !got.Amount.Equal(stored.Amount) || len(got.Items) != len(stored.Items) ||
		!got.Time.Truncate(time.Microsecond).Equal(stored.Time) || string(got.PayoutBreakdown) != string(stored.PayoutBreakdown) {
		t.Errorf("told %+v, stored %+v", got, stored)
	}
	if want := click.Dims(); heard[0].click == nil || *heard[0].click != want {
		t.Errorf("told click dimensions %+v, want %+v", heard[0].click, want)
	}
	if heard[1].click != nil {
		t.Errorf("told click dimensions %+v for a conversion whose click nothing read", heard[1].click)
	}
	for _, b := range []struct {
		what string
		raw  json.RawMessage
		told []int64
	}{{"payout", stored.PayoutBreakdown, heard[0].lines.Payout}, {"revenue", stored.RevenueBreakdown, heard[0].lines.Revenue}} {
		var d struct {
			Lines []struct{ Commission decimal.Decimal }
		}
		if err := json.Unmarshal(b.raw, &d); err != nil {
			t.Fatal(err)
		}
		var want []int64
		for _, l := range d.Lines {
			want = append(want, pactum.ToMinor(l.Commission, stored.Currency))
		}
		if len(want) != len(basket()) || !slices.Equal(b.told, want) || !slices.ContainsFunc(want, func(n int64) bool { return n > 0 }) {
			t.Errorf("told %s line commissions %v, the breakdown says %v (%s)", b.what, b.told, want, b.raw)
		}
	}
}
