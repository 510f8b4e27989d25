package conversion

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

// recordVersion is the version of the record format this binary writes. It reads the version
// before too (2, without ReplyTo), so that a log written before an upgrade replays; a record of
// a later version, met while an older binary replays the log after a rollback, is skipped rather
// than misread.
const (
	recordVersion        = 3
	recordVersionNoReply = 2
)

// record is a conversion as Submit logs it: the input, resolved and validated, with what the
// click id said, so that Apply needs neither the signer nor the clock and gives the same answer
// however often a batch is retried. It is written in a compact binary form (recordcodec.go):
// the processor decodes every conversion on its one goroutine, and JSON cost it a fifth of its
// time.
type record struct {
	Version int
	// Request is the id of the Submit waiting for the result in the process that wrote it.
	Request uint64
	// ReplyTo is where that process listens for results when another process applies the
	// record (the NATS subject of Config.ReplyTo); empty when the writer applies it itself.
	ReplyTo string
	OfferID int64
	// Event is the offer's event, by its name as the offer spells it.
	Event          string
	ClickID        string
	ClickPartnerID int64
	ClickTime      time.Time
	OrderID        string
	Currency       string
	Amount         decimal.Decimal
	Items          []pactum.LineItem
	Coupon         string
	CustomerID     string
	NewCustomer    bool
	Country        string
	// Status is what the advertiser asked for: "", approved or rejected.
	Status       string
	AdvertiserID int64
	Source       string
	Time         time.Time
}

// decodeRecord reads a logged conversion and checks what Apply relies on. Submit wrote it, so an
// error means a record of another version or a bug, never bad user input.
func decodeRecord(data []byte) (record, error) {
	r, err := unmarshalRecord(data)
	if err != nil {
		return record{}, fmt.Errorf("decode conversion record: %w", err)
	}
	switch {
	case r.Version != recordVersion && r.Version != recordVersionNoReply:
		return record{}, fmt.Errorf("conversion record of version %d, this binary reads versions %d and %d", r.Version, recordVersionNoReply, recordVersion)
	case r.OfferID <= 0:
		return record{}, fmt.Errorf("conversion record without an offer id")
	case r.Event == "":
		return record{}, fmt.Errorf("conversion record without an event")
	case !pactum.ValidCurrency(r.Currency):
		return record{}, fmt.Errorf("conversion record in unknown currency %q", r.Currency)
	case r.Time.IsZero():
		return record{}, fmt.Errorf("conversion record without a time")
	case r.ClickID != "" && (r.ClickPartnerID <= 0 || r.ClickTime.IsZero()):
		return record{}, fmt.Errorf("conversion record with a click id but no click partner or time")
	case r.Amount.IsNegative():
		return record{}, fmt.Errorf("conversion record with a negative amount")
	}
	return r, nil
}
