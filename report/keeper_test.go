package report

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/commission"
	"github.com/pactum/pactum/store/sqldb"
	"github.com/pactum/pactum/store/sqlite"
	"github.com/pactum/pactum/store/sqlite/sqlitetest"
)

// rebuildBetween runs a rebuild after the keeper read a batch and before it writes it: the
// rebuild rewrites the memos the keeper read, so the keeper must compute the batch again in its
// transaction rather than take away what the rebuild no longer counts.
type rebuildBetween struct{ *sqldb.Store }

func (s rebuildBetween) ConsumeChangesRead(ctx context.Context, consumer string, limit int,
	read func(pactum.ChangeReader, []pactum.ChangeRef) (func(pactum.ChangeTx, bool) error, error)) (int, error) {
	return s.Store.ConsumeChangesRead(ctx, consumer, limit, func(r pactum.ChangeReader, changes []pactum.ChangeRef) (func(pactum.ChangeTx, bool) error, error) {
		write, err := read(r, changes)
		if err == nil {
			err = Rebuild(ctx, s.Store, nil)
		}
		return write, err
	})
}

func TestKeeperRacingRebuild(t *testing.T) {
	m := newModel(t, sqlitetest.Open(t), testSeed(t))
	m.generate()
	// Refunds the keeper has not consumed yet.
	var ids []int64
	m.must(m.st.EachConversion(ctx, pactum.ConversionFilter{}, func(c pactum.Conversion) error {
		if c.Status != pactum.ConversionRejected && c.Amount.GreaterThan(c.RefundedAmount) && len(ids) < 10 {
			ids = append(ids, c.ID)
		}
		return nil
	}))
	if len(ids) == 0 {
		t.Fatal("no conversion to refund")
	}
	for _, id := range ids {
		_, err := m.st.UpdateConversion(ctx, id, func(c *pactum.Conversion) error {
			return commission.Refund(c, nil, pactum.Round(c.Amount.Sub(c.RefundedAmount).Div(decimal.New(2, 0)), "EUR"), true, m.start.Add(time.Hour))
		})
		m.must(err)
	}
	n, err := NewKeeper(rebuildBetween{m.st}, nil).Consume(ctx)
	m.must(err)
	if n == 0 {
		t.Fatal("the keeper took no change")
	}
	m.check("keeper raced by a rebuild", 40)
}

// TestKeeperToldRacingRebuild: new conversions the keeper has copies of, counted by a rebuild
// between its read and its write. The memos it read for them were none, so its transaction,
// told that a rebuild ran (ConsumeChangesRead's rebuilt), must plan again from the rebuild's
// rather than count them twice.
func TestKeeperToldRacingRebuild(t *testing.T) {
	m := newModel(t, sqlitetest.Open(t), testSeed(t))
	m.generate()
	keeper := NewKeeper(rebuildBetween{m.st}, nil)
	for _, c := range m.conversions(&commission.Rules{}, 8) {
		keeper.Stored(c, m.clickDims(c.ClickID), m.lines[c])
	}
	n, err := keeper.Consume(ctx)
	m.must(err)
	if n == 0 {
		t.Fatal("the keeper took no change")
	}
	m.check("keeper with copies raced by a rebuild", 40)
}

// BenchmarkKeeper times the keeper's work for each new conversion (click-attributed, three
// lines, as scripts/bench-conversions.sh reports them): reading it (read) or taking the copy the
// pipeline told it of with its click's dimensions (told, as in the server) or reading it and its
// click, its rollup rows and memo, writing them. go test ./report -run '^$' -bench Keeper
func BenchmarkKeeper(b *testing.B) {
	b.Run("read", func(b *testing.B) { benchmarkKeeper(b, false, false) })
	// Told of each conversion, but not of its click's dimensions: the pipeline read no click
	// (the offer's fraud rules that would are off).
	b.Run("told-without-click", func(b *testing.B) { benchmarkKeeper(b, true, false) })
	b.Run("told", func(b *testing.B) { benchmarkKeeper(b, true, true) })
}

func benchmarkKeeper(b *testing.B, told, dims bool) {
	st := sqlitetest.Open(b)
	must := func(err error) {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
	}
	a, o, p := keeperProgram(b, st)
	at := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	rules := &commission.Rules{}
	timed := &writeTimer{ChangeStore: st}
	keeper := NewKeeper(timed, nil)
	var pos uint64
	b.ResetTimer()
	for done := 0; done < b.N; {
		// Each 500 as the event log applies them and the keeper follows, untimed.
		b.StopTimer()
		var clicks []pactum.Visit
		var convs []*pactum.Conversion
		var lines []pactum.LineCommissions
		for i := done; i < min(done+500, b.N); i++ {
			v := pactum.Visit{ClickID: fmt.Sprint("c", i), Time: at.Add(time.Duration(i) * time.Millisecond), OfferID: o.ID, PartnerID: p.ID,
				Sub: [5]string{"ig"}, Source: "story", Country: "DE", Device: "mobile", OS: "iOS", Browser: "Safari", Unique: true}
			c := &pactum.Conversion{OfferID: o.ID, AdvertiserID: a.ID, Event: "purchase", Currency: "EUR",
				Status: pactum.ConversionPending, Source: pactum.SourceAPI, Attribution: pactum.AttributionClick,
				Time: v.Time.Add(time.Minute), ClickID: v.ClickID, ClickTime: v.Time, PartnerID: p.ID, Country: "DE",
				OrderID: fmt.Sprint("o", i), Items: []pactum.LineItem{
					{SKU: "HERO", Category: "shoes", Quantity: 2, UnitPrice: decimal.RequireFromString("99.90")},
					{SKU: "SOCK", Category: "wear", Quantity: 1, UnitPrice: decimal.RequireFromString("50.00")},
					{SKU: "LACE", Category: "wear", Quantity: 1, UnitPrice: decimal.Zero}}}
			c.Amount = decimal.RequireFromString("249.80")
			c.DedupKey = fmt.Sprintf("o:%d:purchase:%s", o.ID, c.OrderID)
			l, err := rules.Compute(o, p, c, pactum.PartnerStats{})
			must(err)
			c.ApproveAt, c.LedgerCurrency = c.Time.Add(14*24*time.Hour), "EUR"
			clicks, convs, lines = append(clicks, v), append(convs, c), append(lines, l)
		}
		pos++
		_, err := st.ApplyEvents(ctx, "events", pos, func(tx pactum.EventTx) error {
			if err := tx.InsertVisits(ctx, clicks, nil); err != nil {
				return err
			}
			for _, c := range convs {
				if _, _, err := tx.InsertConversion(ctx, c); err != nil {
					return err
				}
			}
			return nil
		})
		must(err)
		done += len(convs)
		if told {
			for i, c := range convs {
				var click *pactum.ClickDims
				if dims {
					d := clicks[i].Dims()
					click = &d
				}
				keeper.Stored(c, click, lines[i])
			}
		}
		b.StartTimer()
		for {
			n, err := keeper.Consume(ctx)
			must(err)
			if n == 0 {
				break
			}
		}
	}
	// How long the keeper's transactions run its writes, in which the event path waits for the
	// write connection (SQLite has one writer); the lock, position and commit come on top.
	b.ReportMetric(float64(timed.write.Microseconds())/float64(b.N), "write-µs/op")
}

// writeTimer adds up the time the write functions of ConsumeChangesRead take.
type writeTimer struct {
	pactum.ChangeStore
	write time.Duration
}

func (w *writeTimer) ConsumeChangesRead(ctx context.Context, consumer string, limit int,
	read func(pactum.ChangeReader, []pactum.ChangeRef) (func(pactum.ChangeTx, bool) error, error)) (int, error) {
	return w.ChangeStore.ConsumeChangesRead(ctx, consumer, limit, func(r pactum.ChangeReader, changes []pactum.ChangeRef) (func(pactum.ChangeTx, bool) error, error) {
		write, err := read(r, changes)
		if write == nil {
			return nil, err
		}
		return func(tx pactum.ChangeTx, rebuilt bool) error {
			start := time.Now()
			defer func() { w.write += time.Since(start) }()
			return write(tx, rebuilt)
		}, err
	})
}

// TestKeeperOnRestartedStore: a restarted server whose keeper has changes to consume when the
// first events come. The event path prepares its statements on the event connection at its
// first batch while the keeper's transaction, on that connection, looks statements up: the two
// must not wait for each other (they did: a stalled event log, every conversion "queued").
func TestKeeperOnRestartedStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pactum.db")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	st, err := sqlite.Open(ctx, path)
	must(err)
	a, o, p := keeperProgram(t, st)
	at := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	var pos uint64
	n := 0
	// sales stores 300 conversions the keeper has not consumed.
	sales := func(st *sqldb.Store) error {
		pos++
		_, err := st.ApplyEvents(ctx, "events", pos, func(tx pactum.EventTx) error {
			for range 300 {
				n++
				c := &pactum.Conversion{OfferID: o.ID, AdvertiserID: a.ID, PartnerID: p.ID, Event: "purchase", Currency: "EUR",
					Status: pactum.ConversionPending, Source: pactum.SourceAPI, Attribution: pactum.AttributionCoupon,
					Time: at.Add(time.Duration(n) * time.Second), OrderID: fmt.Sprint("o", n), Amount: decimal.RequireFromString("50.00"),
					DedupKey: fmt.Sprintf("o:%d:purchase:o%d", o.ID, n)}
				if _, err := (&commission.Rules{}).Compute(o, p, c, pactum.PartnerStats{}); err != nil {
					return err
				}
				c.ApproveAt, c.LedgerCurrency = c.Time.Add(14*24*time.Hour), "EUR"
				if _, _, err := tx.InsertConversion(ctx, c); err != nil {
					return err
				}
			}
			return nil
		})
		return err
	}
	must(sales(st))
	must(st.Close())
	for i := range 8 {
		st, err := sqlite.Open(ctx, path)
		must(err)
		done := make(chan error, 2)
		go func() {
			_, err := NewKeeper(st, nil).Consume(ctx)
			done <- err
		}()
		go func() { done <- sales(st) }()
		for range 2 {
			select {
			case err := <-done:
				must(err)
			case <-time.After(20 * time.Second):
				t.Fatalf("restart %d: the keeper and the first events waited for each other", i+1)
			}
		}
		must(st.Close())
	}
}

// keeperProgram stores an advertiser, an offer paying by SKU (payoutRules) and an active partner
// in st, for the keeper's benchmark and tests.
func keeperProgram(tb testing.TB, st *sqldb.Store) (pactum.Advertiser, pactum.Offer, pactum.Partner) {
	tb.Helper()
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	a := pactum.Advertiser{Name: "Northwind", Currency: "EUR"}
	must(st.CreateAdvertiser(ctx, &a))
	o := pactum.Offer{AdvertiserID: a.ID, Name: "offer", Status: pactum.OfferActive,
		DestinationURL: "https://shop.example/", Currency: "EUR", AttributionWindowDays: 30, AttributionModel: pactum.LastClick,
		HoldDays: 14, Visibility: pactum.VisibilityPublic,
		Events: []pactum.OfferEvent{{ID: 1, Name: "purchase", Payout: json.RawMessage(payoutRules),
			Revenue: json.RawMessage(`{"default":{"percent":"12"}}`)}}}
	must(st.CreateOffer(ctx, &o))
	p := pactum.Partner{Name: "anna", Email: "anna@example.com", Kind: pactum.KindInfluencer, Status: pactum.PartnerActive,
		Currency: "EUR", PayoutMethod: "manual"}
	must(st.CreatePartner(ctx, &p))
	return a, o, p
}
