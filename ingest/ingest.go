// Package ingest joins the edge to the event log and the log to the store: Recorder turns a
// visit into a durable log entry before the edge answers, and VisitApplier writes logged visits
// to the store in batches, recording the log position in the same transaction.
package ingest

import (
	"context"
	"fmt"
	"sync"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/bus"
)

// VisitStream names the position of the visit applier in the store.
const VisitStream = "visits"

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

// VisitStore is the part of the store the applier needs.
type VisitStore interface {
	ApplyVisits(ctx context.Context, clicks, impressions []pactum.Visit, stream string, pos uint64) error
}

// VisitApplier returns the log handler that stores visits. Entries of other types are skipped
// here: they belong to other processors.
func VisitApplier(s VisitStore) bus.Handler {
	var clicks, impressions []pactum.Visit
	return func(ctx context.Context, entries []bus.Entry) error {
		clicks, impressions = clicks[:0], impressions[:0]
		for _, e := range entries {
			var v pactum.Visit
			switch e.Type {
			case bus.TypeClick, bus.TypeImpression:
				if err := v.UnmarshalBinary(e.Data); err != nil {
					return fmt.Errorf("decode visit at log position %d: %w", e.Pos, err)
				}
			default:
				continue
			}
			if e.Type == bus.TypeClick {
				clicks = append(clicks, v)
			} else {
				impressions = append(impressions, v)
			}
		}
		return s.ApplyVisits(ctx, clicks, impressions, VisitStream, entries[len(entries)-1].Pos)
	}
}
