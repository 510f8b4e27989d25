package ingest_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/bus"
	"github.com/pactum/pactum/ingest"
	"github.com/pactum/pactum/store/postgres/pgtest"
	"github.com/pactum/pactum/store/sqlite/sqlitetest"
)

// fakeConversions counts what it applied and delivered, and notes the country of the click
// each conversion names (its data is a click id); it fails when told to.
type fakeConversions struct {
	applied, delivered int
	countries          []string
	fail               error
}

func (f *fakeConversions) Apply(ctx context.Context, tx pactum.EventTx, data []byte) (func(), error) {
	if f.fail != nil {
		return nil, f.fail
	}
	country, err := tx.ClickCountry(ctx, string(data))
	if err != nil {
		return nil, err
	}
	f.applied++
	f.countries = append(f.countries, country)
	return func() { f.delivered++ }, nil
}

func click(t *testing.T, id string) []byte {
	t.Helper()
	v := pactum.Visit{ClickID: id, Time: time.Unix(1_760_000_000, 0), OfferID: 1, PartnerID: 2, Country: "DE"}
	b, err := v.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHandler: one batch stores its clicks and processes its conversions in one transaction,
// in log order (a conversion sees the click before it), tells the waiting requests only after
// it committed, and a replayed batch changes nothing.
func TestHandler(t *testing.T) {
	ctx := context.Background()
	store := sqlitetest.Open(t)
	conv := &fakeConversions{}
	h := ingest.Handler(store, conv, nil, slog.New(slog.DiscardHandler))
	batch := []bus.Entry{
		{Pos: 10, Type: bus.TypeClick, Data: click(t, "c1")},
		{Pos: 20, Type: bus.TypeConversion, Data: []byte("c1")},
		{Pos: 30, Type: bus.TypeImpression, Data: click(t, "")},
		{Pos: 40, Type: bus.TypeClick, Data: []byte{99}}, // unreadable: skipped, not fatal
	}
	if err := h(ctx, batch); err != nil {
		t.Fatal(err)
	}
	clicks, _ := store.CountClicks(ctx, pactum.ClickFilter{})
	impressions, _ := store.CountImpressions(ctx, pactum.ClickFilter{})
	pos, _ := store.AppliedPosition(ctx, ingest.Stream)
	if clicks != 1 || impressions != 1 || pos != 40 || conv.applied != 1 || conv.delivered != 1 {
		t.Fatalf("clicks %d, impressions %d, position %d, conversions applied %d delivered %d; want 1, 1, 40, 1, 1",
			clicks, impressions, pos, conv.applied, conv.delivered)
	}
	if len(conv.countries) != 1 || conv.countries[0] != "DE" {
		t.Errorf("the conversion saw its click's country as %q, want DE", conv.countries)
	}

	// The same batch again (a replay after a crash): nothing stored, nobody told twice.
	if err := h(ctx, batch); err != nil {
		t.Fatal(err)
	}
	clicks, _ = store.CountClicks(ctx, pactum.ClickFilter{})
	if clicks != 1 || conv.applied != 1 || conv.delivered != 1 {
		t.Fatalf("replay: clicks %d, applied %d, delivered %d", clicks, conv.applied, conv.delivered)
	}

	// A store failure in the conversion processor rolls the whole batch back, clicks included,
	// so that the log retries it.
	conv.fail = errors.New("disk full")
	next := []bus.Entry{{Pos: 50, Type: bus.TypeClick, Data: click(t, "c2")}, {Pos: 60, Type: bus.TypeConversion, Data: []byte("x")}}
	if err := h(ctx, next); err == nil {
		t.Fatal("a failing conversion did not fail the batch")
	}
	clicks, _ = store.CountClicks(ctx, pactum.ClickFilter{})
	pos, _ = store.AppliedPosition(ctx, ingest.Stream)
	if clicks != 1 || pos != 40 || conv.delivered != 1 {
		t.Fatalf("after a failed batch: clicks %d, position %d, delivered %d; want 1, 40, 1", clicks, pos, conv.delivered)
	}
}

// TestUnorderedHandler: with JetStream, entries reach a worker in no order and may come again.
// Each is applied once, whatever the order, and a failed batch leaves no claim behind. On both
// stores, since the claims are SQL of their own.
func TestUnorderedHandler(t *testing.T) {
	for name, open := range map[string]func(testing.TB) ingest.Store{
		"sqlite":   func(t testing.TB) ingest.Store { return sqlitetest.Open(t) },
		"postgres": func(t testing.TB) ingest.Store { return pgtest.Open(t) },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			store := open(t).(pactum.Store)
			conv := &fakeConversions{}
			h := ingest.UnorderedHandler(store, conv, nil, slog.New(slog.DiscardHandler), "test-stream")
			counts := func() (clicks, impressions int64) {
				t.Helper()
				clicks, err := store.CountClicks(ctx, pactum.ClickFilter{})
				if err != nil {
					t.Fatal(err)
				}
				impressions, err = store.CountImpressions(ctx, pactum.ClickFilter{})
				if err != nil {
					t.Fatal(err)
				}
				return clicks, impressions
			}
			first := []bus.Entry{
				{Pos: 5, Type: bus.TypeClick, Data: click(t, "c1")},
				{Pos: 7, Type: bus.TypeConversion, Data: []byte("conversion")},
				{Pos: 9, Type: bus.TypeImpression, Data: click(t, "")},
			}
			if err := h(ctx, first); err != nil {
				t.Fatal(err)
			}
			// An earlier entry arriving late, with redeliveries of the first batch.
			second := []bus.Entry{
				{Pos: 9, Type: bus.TypeImpression, Data: click(t, "")},
				{Pos: 3, Type: bus.TypeClick, Data: click(t, "c0")},
				{Pos: 7, Type: bus.TypeConversion, Data: []byte("conversion")},
				{Pos: 5, Type: bus.TypeClick, Data: click(t, "c1")},
			}
			if err := h(ctx, second); err != nil {
				t.Fatal(err)
			}
			clicks, impressions := counts()
			if clicks != 2 || impressions != 1 || conv.applied != 1 || conv.delivered != 1 {
				t.Fatalf("clicks %d, impressions %d, conversions applied %d delivered %d; want 2, 1, 1, 1", clicks, impressions, conv.applied, conv.delivered)
			}
			if pos, _ := store.AppliedPosition(ctx, ingest.Stream); pos != 0 {
				t.Errorf("position %d recorded, want none", pos)
			}

			conv.fail = errors.New("disk full")
			third := []bus.Entry{{Pos: 11, Type: bus.TypeImpression, Data: click(t, "")}, {Pos: 12, Type: bus.TypeConversion, Data: []byte("x")}}
			if err := h(ctx, third); err == nil {
				t.Fatal("a failing conversion did not fail the batch")
			}
			conv.fail = nil
			if err := h(ctx, third); err != nil {
				t.Fatal(err)
			}
			if _, impressions := counts(); impressions != 2 || conv.applied != 2 {
				t.Fatalf("after a failed batch and its retry: impressions %d, conversions %d; want 2, 2", impressions, conv.applied)
			}
		})
	}
}
