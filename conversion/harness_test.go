package conversion_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/bus"
	"github.com/pactum/pactum/clickid"
	"github.com/pactum/pactum/conversion"
	"github.com/pactum/pactum/store/sqldb"
	"github.com/pactum/pactum/store/sqlite/sqlitetest"
)

// start is the tests' "now": clicks are made relative to it.
var start = time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)

// stream is the position the test handler records, as ingest does.
const stream = "events"

// harness is a pipeline wired as in the server: a real event log in a temporary directory
// whose handler applies conversions through a real SQLite store, and a real click-id signer.
type harness struct {
	t      *testing.T
	ctx    context.Context
	store  *sqldb.Store
	signer *clickid.Signer
	log    *bus.FileLog
	p      *conversion.Pipeline

	now atomic.Int64 // unix nanoseconds of the pipeline's clock

	// failNext makes the handler's next transaction fail after everything in it was applied,
	// as a store failure at commit would: the batch is then rolled back and retried.
	failNext atomic.Bool
	// hold, while set, blocks the handler until it is closed.
	hold atomic.Pointer[chan struct{}]

	advertiser pactum.Advertiser
}

// newHarness builds the harness; edits change the pipeline's config before it is made.
func newHarness(t *testing.T, edits ...func(*conversion.Config)) *harness {
	t.Helper()
	h := &harness{t: t, ctx: context.Background(), store: sqlitetest.Open(t)}
	h.now.Store(start.UnixNano())
	var err error
	if h.signer, err = clickid.NewSigner([]byte("0123456789abcdef0123456789abcdef")); err != nil {
		t.Fatal(err)
	}
	h.advertiser = pactum.Advertiser{Name: "Shoes & Co", Currency: "EUR"}
	if err := h.store.CreateAdvertiser(h.ctx, &h.advertiser); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	// The pipeline needs the log and the log's handler needs the pipeline: the handler reads
	// it through a variable set right after.
	var pipeline atomic.Pointer[conversion.Pipeline]
	pos, err := h.store.AppliedPosition(h.ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	h.log, err = bus.OpenFileLog(h.ctx, bus.FileLogConfig{
		Dir: t.TempDir(), Start: pos, Urgent: []byte{bus.TypeConversion}, Logger: logger,
		Handler: func(ctx context.Context, entries []bus.Entry) error {
			if ch := h.hold.Load(); ch != nil {
				<-*ch
			}
			return h.handle(ctx, pipeline.Load(), entries)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.log.Close(context.Background()); err != nil {
			t.Errorf("close event log: %v", err)
		}
	})
	cfg := conversion.Config{
		Store: h.store, Signer: h.signer, Log: h.log, Logger: logger,
		Now: func() time.Time { return time.Unix(0, h.now.Load()).UTC() },
	}
	for _, edit := range edits {
		edit(&cfg)
	}
	h.p = conversion.New(cfg)
	pipeline.Store(h.p)
	return h
}

// handle is ingest's handler in small: the batch's conversions go through Apply inside one
// transaction, and their results are delivered only once it has committed.
func (h *harness) handle(ctx context.Context, p *conversion.Pipeline, entries []bus.Entry) error {
	var deliveries []func()
	applied, err := h.store.ApplyEvents(ctx, stream, entries[len(entries)-1].Pos, func(tx pactum.EventTx) error {
		deliveries = deliveries[:0]
		for _, e := range entries {
			if e.Type != bus.TypeConversion {
				continue
			}
			deliver, err := p.Apply(ctx, tx, e.Data)
			if err != nil {
				return err
			}
			deliveries = append(deliveries, deliver)
		}
		if h.failNext.CompareAndSwap(true, false) {
			return errors.New("injected store failure")
		}
		return nil
	})
	if err != nil {
		return err
	}
	if applied {
		for _, deliver := range deliveries {
			deliver()
		}
	}
	return nil
}

// advance moves the pipeline's clock.
func (h *harness) advance(d time.Duration) { h.now.Add(int64(d)) }

func (h *harness) partner(name, status string) pactum.Partner {
	h.t.Helper()
	return h.partnerPaidIn(name, status, "EUR")
}

// partnerPaidIn creates a partner credited and paid in currency.
func (h *harness) partnerPaidIn(name, status, currency string) pactum.Partner {
	h.t.Helper()
	p := pactum.Partner{Name: name, Email: name + "@example.com", Kind: pactum.KindAffiliate, Status: status, Currency: currency, MinPayout: decimal.Zero}
	if err := h.store.CreatePartner(h.ctx, &p); err != nil {
		h.t.Fatal(err)
	}
	return p
}

// payout is the rule set of SPEC section 5, cut down to what the tests check to the cent.
const payout = `{"default":{"percent":"8"},
	"rules":[{"id":"hero","when":{"sku":["SHOE-9"]},"rate":{"fixed":"12.00","per":"unit"}}],
	"bonuses":[{"id":"new-customer","when":{"new_customer":true},"add":{"fixed":"5.00"}}]}`

const revenue = `{"default":{"percent":"10"}}`

// offer creates an offer of the harness's advertiser with the events purchase (payout and
// revenue above), lead (a fixed 2.00 that may repeat per click) and signup, after edit.
func (h *harness) offer(edit func(*pactum.Offer)) pactum.Offer {
	h.t.Helper()
	o := pactum.Offer{
		AdvertiserID: h.advertiser.ID, Name: "Shoes", Status: pactum.OfferActive,
		DestinationURL: "https://shop.example/", Currency: "EUR",
		AttributionWindowDays: 30, AttributionModel: pactum.LastClick, HoldDays: 30,
		Visibility: pactum.VisibilityPublic,
		Events: []pactum.OfferEvent{
			{ID: 1, Name: "purchase", Payout: json.RawMessage(payout), Revenue: json.RawMessage(revenue)},
			{ID: 2, Name: "lead", AllowRepeats: true, Payout: json.RawMessage(`{"default":{"fixed":"2.00"}}`)},
			{ID: 3, Name: "signup", Payout: json.RawMessage(`{"default":{"fixed":"1.50"}}`)},
		},
	}
	if edit != nil {
		edit(&o)
	}
	if err := h.store.CreateOffer(h.ctx, &o); err != nil {
		h.t.Fatal(err)
	}
	return o
}

// click returns a click id for a click made ago before the pipeline's now.
func (h *harness) click(o pactum.Offer, p pactum.Partner, ago time.Duration) string {
	h.t.Helper()
	id, err := h.signer.New(o.ID, p.ID, time.Unix(0, h.now.Load()).Add(-ago))
	if err != nil {
		h.t.Fatal(err)
	}
	return id
}

func (h *harness) submit(in pactum.ConversionInput) pactum.ConversionResult {
	h.t.Helper()
	res, err := h.p.Submit(h.ctx, in)
	if err != nil {
		h.t.Fatalf("submit %+v: %v", in, err)
	}
	return res
}

func (h *harness) count(f pactum.ConversionFilter) int64 {
	h.t.Helper()
	n, err := h.store.CountConversions(h.ctx, f)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// basket is the order of SPEC section 4: 2 × SHOE-9 at 99.90 and 1 × SOCK-1 at 50.00.
func basket() []pactum.LineItem {
	return []pactum.LineItem{
		{SKU: "SHOE-9", Category: "shoes", Quantity: 2, UnitPrice: dec("99.90"), Discount: decimal.Zero},
		{SKU: "SOCK-1", Category: "accessories", Quantity: 1, UnitPrice: dec("50.00"), Discount: decimal.Zero},
	}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// eq fails unless got and want are the same amount.
func eq(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(dec(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// results collects results from several goroutines.
type results struct {
	mu  sync.Mutex
	res []pactum.ConversionResult
}

func (r *results) add(res pactum.ConversionResult) {
	r.mu.Lock()
	r.res = append(r.res, res)
	r.mu.Unlock()
}
