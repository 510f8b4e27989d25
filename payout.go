package pactum

import (
	"time"

	"github.com/shopspring/decimal"
)

// Payout statuses (SPEC section 6): a payout is pending once a run made it, then paid (with the
// bank's or PayPal's reference) or failed (the money returns to the partner's balance).
const (
	PayoutPending = "pending"
	PayoutPaid    = "paid"
	PayoutFailed  = "failed"
)

// PayoutRun is one program's payout run for one date: at most one per program and date.
type PayoutRun struct {
	ID           int64     `json:"id"`
	AdvertiserID int64     `json:"advertiser_id"`
	Date         string    `json:"date"` // YYYY-MM-DD
	Payouts      int       `json:"payouts"`
	CreatedAt    time.Time `json:"created_at"`
}

// Payout is what a run pays one partner in one currency.
type Payout struct {
	ID           int64           `json:"id"`
	RunID        int64           `json:"run_id"`
	AdvertiserID int64           `json:"advertiser_id"`
	PartnerID    int64           `json:"partner_id"`
	Currency     string          `json:"currency"`
	Amount       decimal.Decimal `json:"amount"`
	// Commissions is how many conversions the payout pays (after netting clawbacks, Amount
	// may be less than their sum).
	Commissions int64     `json:"commissions"`
	Status      string    `json:"status"`
	Method      string    `json:"method"`
	Reference   string    `json:"reference"`
	Reason      string    `json:"reason"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// PayoutFilter selects payouts; zero fields match everything.
type PayoutFilter struct {
	RunID        int64
	AdvertiserID int64
	PartnerID    int64
	Status       string
}

// RunSettings is what a payout run needs to know of its program.
type RunSettings struct {
	AdvertiserID int64
	// Date is the run's date (UTC midnight); Cutoff the moment before which a commission must
	// have been approved to be paid (the end of Date less the program's net days).
	Date   time.Time
	Cutoff time.Time
	Now    time.Time
}
