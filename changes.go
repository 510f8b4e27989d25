package pactum

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
)

// Kinds of change in the change feed: what happened to a conversion.
const (
	ChangeCreated  = "created"  // reported (whatever its status: pending, approved, rejected, capped)
	ChangeApproved = "approved" // its hold period ended, or approved by hand
	ChangeRejected = "rejected" // rejected by hand
	ChangeReversed = "reversed" // refunded in full
	ChangeRefunded = "refunded" // refunded in part: its commission shrank
	ChangePaid     = "paid"     // a payout that took it was marked paid
)

// Change is one row of the change feed: a conversion changed. Every write of a conversion
// appends its change in the same transaction as the conversion and its ledger entries, so a
// consumer (reports, partner postbacks, the live stream) that follows the feed misses nothing
// and sees nothing that did not commit. It carries the conversion's figures as they were right
// after the change, so that a consumer tells what happened then even if the conversion changed
// again since.
type Change struct {
	// Position orders the feed: it grows by one with each change, in commit order, without gaps.
	Position     int64
	Kind         string
	Time         time.Time
	ConversionID int64
	OfferID      int64
	AdvertiserID int64
	PartnerID    int64 // 0 for an unattributed conversion
	Status       string
	// Reason is the conversion's reason codes (Conversion.ReportReason): why it is rejected,
	// held or capped, else the fraud rules that flagged it, so that partner postbacks carry them.
	Reason         string
	Currency       string
	Amount         decimal.Decimal
	Payout         decimal.Decimal
	Revenue        decimal.Decimal
	RefundedAmount decimal.Decimal
}

// ChangeRef is what a consumer that reads the conversions itself needs of a change (the
// reports' keeper): ConsumeChangesRead reads only these columns of the feed.
type ChangeRef struct {
	Position     int64
	Kind         string
	ConversionID int64
}

// ChangeOf returns the change that takes a conversion from before (nil for a new one) to
// after, at time at, and false when nothing a consumer follows changed (only its timestamps).
func ChangeOf(before, after *Conversion, at time.Time) (Change, bool) {
	kind := ""
	switch {
	case before == nil:
		kind = ChangeCreated
	case before.Status != after.Status:
		kind = after.Status // approved, rejected, reversed, paid
	case !before.RefundedAmount.Equal(after.RefundedAmount) || len(before.Refunds) != len(after.Refunds):
		kind = ChangeRefunded
	case !before.Payout.Equal(after.Payout) || !before.Revenue.Equal(after.Revenue):
		kind = ChangeRefunded // a refund by items that left the amount as it was
	default:
		return Change{}, false
	}
	return Change{
		Kind: kind, Time: at, ConversionID: after.ID, OfferID: after.OfferID, AdvertiserID: after.AdvertiserID,
		PartnerID: after.PartnerID, Status: after.Status, Reason: after.ReportReason(), Currency: after.Currency,
		Amount: after.Amount, Payout: after.Payout, Revenue: after.Revenue, RefundedAmount: after.RefundedAmount,
	}, true
}

// ChangeStore is the change feed.
type ChangeStore interface {
	// Changes returns up to limit changes after position, oldest first: for readers that keep
	// their position themselves (the live stream, whose clients resume with Last-Event-ID).
	Changes(ctx context.Context, after int64, limit int) ([]Change, error)
	// LastChange returns the position of the newest change, 0 with none.
	LastChange(ctx context.Context) (int64, error)
	// ConsumeChanges hands fn the changes after the position consumer recorded (at most limit,
	// oldest first) in one transaction, in which fn writes what it makes of them (ChangeTx) and
	// the consumer's position moves past them: a consumer sees each change once, and after a
	// restart resumes where it was. With no new change fn is not called. It returns how many
	// changes fn took. Calls for one consumer run one at a time, across processes.
	ConsumeChanges(ctx context.Context, consumer string, limit int, fn func(tx ChangeTx, changes []Change) error) (int, error)
	// ConsumeChangesRead is ConsumeChanges for a consumer that reads much and writes little
	// (the reports' rollups): read is handed the changes and the store outside any transaction,
	// and returns what to write; write then runs in the transaction that moves the position, so
	// that the write lock, which the event path waits for, is held only for the writes. When
	// the position moved meanwhile (another process consumed those changes), write is not
	// called and nothing is taken. rebuilt tells write that a rebuild of the reports
	// (RebuildRollups for consumer) committed after read began: what read saw of the memos may
	// have changed, and write must read them again through tx. The changes come as ChangeRefs:
	// such a consumer reads the conversions, and the rest of a change's columns would be read
	// for nothing.
	ConsumeChangesRead(ctx context.Context, consumer string, limit int,
		read func(r ChangeReader, changes []ChangeRef) (write func(tx ChangeTx, rebuilt bool) error, err error)) (int, error)
	// ConsumerPosition returns the position consumer recorded, 0 if it never consumed.
	ConsumerPosition(ctx context.Context, consumer string) (int64, error)
	// SetConsumerPosition records pos for consumer (a consumer that rebuilt its state from the
	// stored data up to pos, or starts from the present).
	SetConsumerPosition(ctx context.Context, consumer string, pos int64) error
	// StartConsumer records the feed's newest position for consumer unless consumer has a
	// position already, and returns consumer's position: a consumer that starts from the
	// present (partner postbacks, which must not fire for the whole history) calls it at each
	// start, and from the second start on it resumes where it was, even at position 0.
	StartConsumer(ctx context.Context, consumer string) (int64, error)
}

// ChangeReader reads what a change consumer needs, many at a time, as the store has it now.
type ChangeReader interface {
	// Conversions reads conversions ids; ids not stored are left out.
	Conversions(ctx context.Context, ids []int64) (map[int64]Conversion, error)
	// ClickDims reads the report dimensions of the stored clicks with clickIDs; ids not stored
	// are left out.
	ClickDims(ctx context.Context, clickIDs []string) (map[string]ClickDims, error)
	ReportMemos(ctx context.Context, ids []int64) (map[int64][]byte, error)
}

// ChangeTx is the store inside ConsumeChanges' transaction: what a consumer writes through it
// commits together with the consumer's new position.
type ChangeTx interface {
	ChangeReader
	// Conversion reads a conversion as the transaction sees it.
	Conversion(ctx context.Context, id int64) (Conversion, error)
	// Click reads the stored click with clickID (ENOTFOUND when it is not stored).
	Click(ctx context.Context, clickID string) (Visit, error)
	// Postbacks returns a partner's enabled postbacks, by id.
	Postbacks(ctx context.Context, partnerID int64) ([]Postback, error)
	// InsertDeliveries records postback deliveries to send and sets their IDs; one whose
	// idempotency key is recorded already is skipped (ID 0).
	InsertDeliveries(ctx context.Context, deliveries []PostbackDelivery) error
	// The reports' rollups and memos (package report consumes the feed).
	RollupTx
}
