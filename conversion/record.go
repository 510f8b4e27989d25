package conversion

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

// recordVersion is the version of the record format this binary writes. A record of a later
// version, met while an older binary replays the log after a rollback, is skipped rather than
// misread.
const recordVersion = 1

// record is a conversion as Submit logs it: the input, resolved and validated, with what the
// click id said, so that Apply needs neither the signer nor the clock and gives the same answer
// however often a batch is retried.
type record struct {
	Version int `json:"v"`
	// Request is the id of the Submit waiting for the result in the process that wrote it.
	Request uint64 `json:"request"`
	OfferID int64  `json:"offer_id"`
	// Event is the offer's event, by its name as the offer spells it.
	Event          string            `json:"event"`
	ClickID        string            `json:"click_id,omitempty"`
	ClickPartnerID int64             `json:"click_partner_id,omitempty"`
	ClickTime      time.Time         `json:"click_time,omitzero"`
	OrderID        string            `json:"order_id,omitempty"`
	Currency       string            `json:"currency"`
	Amount         decimal.Decimal   `json:"amount"`
	Items          []pactum.LineItem `json:"items,omitempty"`
	Coupon         string            `json:"coupon,omitempty"`
	CustomerID     string            `json:"customer_id,omitempty"`
	NewCustomer    bool              `json:"new_customer,omitempty"`
	Country        string            `json:"country,omitempty"`
	// Status is what the advertiser asked for: "", approved or rejected.
	Status       string    `json:"status,omitempty"`
	AdvertiserID int64     `json:"advertiser_id,omitempty"`
	Source       string    `json:"source,omitempty"`
	Time         time.Time `json:"time"`
}

func (r *record) encode() ([]byte, error) {
	r.Version = recordVersion
	return json.Marshal(r)
}

// decodeRecord reads a logged conversion and checks what Apply relies on. Submit wrote it, so an
// error means a record of another version or a bug, never bad user input.
func decodeRecord(data []byte) (record, error) {
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return record{}, fmt.Errorf("decode conversion record: %w", err)
	}
	switch {
	case r.Version != recordVersion:
		return record{}, fmt.Errorf("conversion record of version %d, this binary reads version %d", r.Version, recordVersion)
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
