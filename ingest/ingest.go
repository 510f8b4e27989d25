// Package ingest joins the edge to the event log and the log to the store: Recorder turns a
// visit into a durable log entry before the edge answers, and Handler applies what the log
// holds — clicks, impressions and conversions — to the store in batches, recording the log
// position in the same transaction.
package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/bots"
	"github.com/pactum/pactum/bus"
)

// Stream names the position of the log handler in the store.
const Stream = "events"

// Recorder records clicks and impressions durably in an event log.
type Recorder struct {
	Log  bus.Log
	bufs sync.Pool
}

// RecordClick returns once the click is durable.
func (r *Recorder) RecordClick(ctx context.Context, v *pactum.Visit) error {
	return r.record(ctx, bus.TypeClick, v)
}

// RecordImpression returns once the impression is durable.
func (r *Recorder) RecordImpression(ctx context.Context, v *pactum.Visit) error {
	return r.record(ctx, bus.TypeImpression, v)
}

func (r *Recorder) record(ctx context.Context, typ byte, v *pactum.Visit) error {
	bp, _ := r.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	b, _ := v.AppendBinary((*bp)[:0])
	err := r.Log.Append(ctx, typ, b) // Append copies b, so the buffer can go back at once
	*bp = b
	r.bufs.Put(bp)
	if err != nil {
		return fmt.Errorf("record visit: %w", err)
	}
	return nil
}

// Store is the part of the store the handler needs.
type Store interface {
	ApplyEvents(ctx context.Context, stream string, pos uint64, fn func(pactum.EventTx) error) (bool, error)
}

// ConversionApplier processes one logged conversion inside the handler's transaction and
// returns how to tell the waiting request, once the transaction has committed.
type ConversionApplier interface {
	Apply(ctx context.Context, tx pactum.EventTx, data []byte) (deliver func(), err error)
}

// Rollups adds a batch's visits to the reports' rollups inside the batch's transaction
// (report.AddVisits), so that they count once, as soon as they are stored.
type Rollups func(ctx context.Context, tx pactum.RollupWriter, clicks, impressions []pactum.Visit) error

// Handler returns the handler for an ordered log (FileLog): it stores visits and processes
// conversions in log order, in one transaction per batch that also records the batch's last
// position, so that a replayed batch changes nothing. rollups may be nil (no reports).
func Handler(s Store, conversions ConversionApplier, rollups Rollups, logger *slog.Logger) bus.Handler {
	return handler(s, conversions, rollups, logger, "")
}

// UnorderedHandler returns the handler for a log whose entries reach several workers in no
// order and may come again (JetStream), with Pos unique per entry in the log that claims names:
// there is no position to record, so each impression and conversion is claimed by its Pos in
// the batch's transaction, and one claimed before is skipped (clicks are unique by click id). Conversions of all workers
// are processed one transaction at a time (EventTx.LockConversions), so that dedup, caps and
// tiers see them in one order.
func UnorderedHandler(s Store, conversions ConversionApplier, rollups Rollups, logger *slog.Logger, claims string) bus.Handler {
	return handler(s, conversions, rollups, logger, claims)
}

// handler is Handler with claims empty, UnorderedHandler otherwise.
func handler(s Store, conversions ConversionApplier, rollups Rollups, logger *slog.Logger, claims string) bus.Handler {
	unordered := claims != ""
	var clicks, impressions []pactum.Visit
	var deliveries []func()
	return func(ctx context.Context, entries []bus.Entry) error {
		pos := entries[len(entries)-1].Pos
		if unordered {
			pos = 0
		}
		applied, err := s.ApplyEvents(ctx, Stream, pos, func(tx pactum.EventTx) error {
			// A retried batch starts again from a rolled-back transaction.
			clicks, impressions, deliveries = clicks[:0], impressions[:0], deliveries[:0]
			if unordered && hasConversion(entries) {
				// First, before any claim, so that two workers never hold one each of a
				// claim and the lock while waiting for the other.
				if err := tx.LockConversions(ctx); err != nil {
					return err
				}
			}
			for _, e := range entries {
				if unordered && e.Type != bus.TypeClick {
					fresh, err := tx.Claim(ctx, claims, e.Pos)
					if err != nil {
						return err
					}
					if !fresh {
						continue // applied before: a redelivery
					}
				}
				switch e.Type {
				case bus.TypeClick, bus.TypeImpression:
					var v pactum.Visit
					if err := v.UnmarshalBinary(e.Data); err != nil {
						// A record this binary cannot read would stop the log for good: skip
						// it loudly instead.
						logger.Error("skipping an unreadable visit in the event log", "pos", e.Pos, "err", err)
						continue
					}
					if !v.Bot && bots.Is(v.UserAgent) {
						// The crawler list is too slow for the click path (package bots): a
						// visit is classified here, before it is stored, counted or judged.
						v.Bot, v.Device = true, pactum.DeviceBot
					}
					if e.Type == bus.TypeClick {
						clicks = append(clicks, v)
					} else {
						impressions = append(impressions, v)
					}
				case bus.TypeConversion:
					deliver, err := conversions.Apply(ctx, batchTx{tx, clicks}, e.Data)
					if err != nil {
						return fmt.Errorf("conversion at log position %d: %w", e.Pos, err)
					}
					deliveries = append(deliveries, deliver)
				}
			}
			if err := tx.InsertVisits(ctx, clicks, impressions); err != nil {
				return err
			}
			if rollups == nil {
				return nil
			}
			return rollups(ctx, tx, clicks, impressions)
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
}

func hasConversion(entries []bus.Entry) bool {
	for _, e := range entries {
		if e.Type == bus.TypeConversion {
			return true
		}
	}
	return false
}

// batchTx is the event transaction as a conversion sees it: the clicks logged before it in the
// same batch, which are inserted only at the batch's end (in one statement), count as stored.
type batchTx struct {
	pactum.EventTx
	clicks []pactum.Visit // decoded so far, in log order
}

func (b batchTx) ClickCountry(ctx context.Context, clickID string) (string, error) {
	if v := b.batchClick(clickID); v != nil {
		return v.Country, nil
	}
	return b.EventTx.ClickCountry(ctx, clickID)
}

func (b batchTx) FraudHistory(ctx context.Context, q pactum.FraudHistoryQuery) (pactum.FraudHistory, error) {
	if v := b.batchClick(q.ClickID); q.ClickID != "" && v != nil {
		q.Click = &pactum.ClickSource{Found: true, IP: v.IP, Flagged: v.Flagged(), Dims: v.Dims()}
	}
	return b.EventTx.FraudHistory(ctx, q)
}

// batchClick returns the click with clickID logged earlier in the batch, nil if none was.
func (b batchTx) batchClick(clickID string) *pactum.Visit {
	for i := len(b.clicks) - 1; i >= 0; i-- {
		if b.clicks[i].ClickID == clickID {
			c := b.clicks[i]
			return &c
		}
	}
	return nil
}
