// Package bus is the event log between the tracking edge and the processors: the edge appends
// an event and answers the visitor only once the log says it is durable; processors read the log
// in order and record how far they got in the same transaction as their writes, so that a crash
// at any point neither loses nor doubles an event.
//
// FileLog is the embedded implementation (segment files with group commit and fdatasync).
package bus

import "context"

// Event types carried by the log.
const (
	TypeClick      byte = 1
	TypeImpression byte = 2
	// TypeConversion carries a reported conversion to the conversion processor, whose answer
	// the reporting request waits for.
	TypeConversion byte = 3
)

// Entry is one event read back from the log. Pos is the log position just after the entry: a
// processor that has applied an entry records Pos, and resumes after it.
type Entry struct {
	Pos  uint64
	Type byte
	Data []byte
}

// Log is what the edge appends to. Append returns nil only once the event is durable.
type Log interface {
	Append(ctx context.Context, typ byte, data []byte) error
}

// Handler applies a batch of entries in log order. It must be idempotent with respect to
// positions: entries at or before a position it already recorded change nothing. Data slices
// are only valid during the call.
type Handler func(ctx context.Context, entries []Entry) error
