package pactum

import (
	"time"

	"github.com/shopspring/decimal"
)

// Kinds of ledger entries (SPEC section 6). Each moves money between a partner's buckets:
//
//	accrued        -> pending             a commission earned
//	approved       pending -> approved    its hold period ended, or approved by hand
//	reversed       pending ->             rejected, refunded or shrunk before approval
//	clawback       approved ->            refunded or rejected after approval (even after payment:
//	                                      the approved balance goes negative, and the next payout nets it)
//	paid           approved -> paid       a payout run took it
//	payout_failed  paid -> approved       the payout failed: the money is the partner's again
const (
	LedgerAccrued      = "accrued"
	LedgerApproved     = "approved"
	LedgerReversed     = "reversed"
	LedgerClawback     = "clawback"
	LedgerPaid         = "paid"
	LedgerPayoutFailed = "payout_failed"
)

// LedgerEntry is one change to a partner's balance with one program (advertiser), in one
// currency. Entries are only ever appended; Amount is positive, and Kind says which way it moves.
type LedgerEntry struct {
	ID           int64           `json:"id"`
	PartnerID    int64           `json:"partner_id"`
	AdvertiserID int64           `json:"advertiser_id"`
	Currency     string          `json:"currency"`
	Kind         string          `json:"kind"`
	Amount       decimal.Decimal `json:"amount"`
	ConversionID int64           `json:"conversion_id,omitempty"`
	PayoutID     int64           `json:"payout_id,omitempty"`
	Time         time.Time       `json:"time"`
}

// LedgerFilter selects ledger entries; zero fields match everything.
type LedgerFilter struct {
	PartnerID    int64
	AdvertiserID int64
	ConversionID int64
	PayoutID     int64
}

// Balance is the sum of a partner's entries with one program in one currency.
type Balance struct {
	PartnerID    int64
	AdvertiserID int64
	Currency     string
	// Pending waits for its hold period; Approved is the partner's to be paid (negative when
	// clawbacks exceed it); Paid went out in payouts that did not fail.
	Pending  decimal.Decimal
	Approved decimal.Decimal
	Paid     decimal.Decimal
}

// Apply adds e to b.
func (b *Balance) Apply(e LedgerEntry) {
	switch e.Kind {
	case LedgerAccrued:
		b.Pending = b.Pending.Add(e.Amount)
	case LedgerApproved:
		b.Pending = b.Pending.Sub(e.Amount)
		b.Approved = b.Approved.Add(e.Amount)
	case LedgerReversed:
		b.Pending = b.Pending.Sub(e.Amount)
	case LedgerClawback:
		b.Approved = b.Approved.Sub(e.Amount)
	case LedgerPaid:
		b.Approved = b.Approved.Sub(e.Amount)
		b.Paid = b.Paid.Add(e.Amount)
	case LedgerPayoutFailed:
		b.Approved = b.Approved.Add(e.Amount)
		b.Paid = b.Paid.Sub(e.Amount)
	}
}

// LedgerAmount is what c credits its partner, in c.LedgerCurrency: the payout converted at the
// conversion's rate, rounded half away from zero to the currency's minor unit.
func LedgerAmount(c *Conversion) decimal.Decimal {
	if c.FXRate.IsZero() || c.LedgerCurrency == "" || c.LedgerCurrency == c.Currency {
		return c.Payout
	}
	return Round(c.Payout.Mul(c.FXRate), c.LedgerCurrency)
}

// ledgerState is where a conversion's money sits: pending, or approved (approved and paid
// conversions alike: paying moves money by the payout's own entry, not the conversion's).
func ledgerState(c *Conversion) (pending, approved decimal.Decimal) {
	if c == nil || c.PartnerID == 0 {
		return decimal.Zero, decimal.Zero
	}
	switch c.Status {
	case ConversionPending:
		return LedgerAmount(c), decimal.Zero
	case ConversionApproved, ConversionPaid:
		return decimal.Zero, LedgerAmount(c)
	}
	return decimal.Zero, decimal.Zero
}

// LedgerChanges returns the entries that take the ledger from conversion before to conversion
// after (before nil for a new conversion), dated at: approval moves what both states share, what is left
// of the pending side is accrued or reversed, and what is left of the approved side is accrued
// and approved at once (a conversion reported approved), or clawed back.
func LedgerChanges(before, after *Conversion, at time.Time) []LedgerEntry {
	oldPending, oldApproved := ledgerState(before)
	newPending, newApproved := ledgerState(after)
	dPending, dApproved := newPending.Sub(oldPending), newApproved.Sub(oldApproved)
	var out []LedgerEntry
	add := func(kind string, amount decimal.Decimal) {
		if amount.IsPositive() {
			out = append(out, LedgerEntry{
				PartnerID: after.PartnerID, AdvertiserID: after.AdvertiserID, Currency: after.LedgerCurrency,
				Kind: kind, Amount: amount, ConversionID: after.ID, Time: at,
			})
		}
	}
	if dPending.IsNegative() && dApproved.IsPositive() {
		moved := decimal.Min(dPending.Neg(), dApproved)
		add(LedgerApproved, moved)
		dPending, dApproved = dPending.Add(moved), dApproved.Sub(moved)
	}
	if dApproved.IsPositive() {
		add(LedgerAccrued, dApproved)
		add(LedgerApproved, dApproved)
	}
	add(LedgerAccrued, dPending)
	add(LedgerReversed, dPending.Neg())
	add(LedgerClawback, dApproved.Neg())
	return out
}

// ApprovedDay is a partner's approved, unpaid commission with one program in one currency,
// approved on Day (UTC midnight).
type ApprovedDay struct {
	AdvertiserID int64
	Currency     string
	Day          time.Time
	Amount       decimal.Decimal
}
