// Package export writes the files a payout run is paid with: a plain CSV for people and
// spreadsheets, a PayPal Payouts batch CSV, and a SEPA credit transfer (pain.001.001.03) for the
// program's bank. It is pure: it reads a Batch and writes to an io.Writer, with no database.
//
// Every writer checks the whole batch first and writes nothing when a line is wrong, so that a
// half-written payment file can never reach a bank or PayPal. Errors are *pactum.Error values
// naming the field ("payouts[3].iban") and, in the message, the partner.
package export

import (
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/pactum/pactum"
	"github.com/shopspring/decimal"
)

// Debtor is the program (advertiser) paying the run.
type Debtor struct{ Name, IBAN, BIC string }

// Line is one payout: one partner, one currency.
type Line struct {
	PayoutID, PartnerID int64
	PartnerName, Email  string
	PayPalEmail         string
	IBAN, BIC           string
	Currency            string
	Amount              decimal.Decimal
	// Note is the remittance information the partner sees, e.g. "Pactum payout 12 for Nov 2026".
	Note string
}

// Batch is a payout run as the exports see it.
type Batch struct {
	RunID int64
	// Date is the requested execution date (SEPA ReqdExctnDt); only its calendar day counts.
	Date time.Time
	// CreatedAt is when the file is made (SEPA CreDtTm). It is passed in rather than read from
	// the clock so that the same run always exports the same bytes.
	CreatedAt time.Time
	Debtor    Debtor
	Lines     []Line
}

// SplitByCurrency returns one batch per currency of b, sorted by currency code, each with the
// lines of that currency in their original order. PayPal takes one currency per file and SEPA
// only euros, while a run holds a batch per partner and currency.
func SplitByCurrency(b Batch) []Batch {
	byCurrency := map[string][]Line{}
	for _, l := range b.Lines {
		byCurrency[l.Currency] = append(byCurrency[l.Currency], l)
	}
	codes := make([]string, 0, len(byCurrency))
	for c := range byCurrency {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	out := make([]Batch, 0, len(codes))
	for _, c := range codes {
		part := b
		part.Lines = byCurrency[c]
		out = append(out, part)
	}
	return out
}

// lineField names a field of line i the way the API names it in errors.
func lineField(i int, name string) string {
	return fmt.Sprintf("payouts[%d].%s", i, name)
}

// who names a line's partner in an error message, so that an admin knows whom to fix.
func who(l Line) string {
	if l.PartnerName != "" {
		return fmt.Sprintf("partner %d %q (payout %d)", l.PartnerID, l.PartnerName, l.PayoutID)
	}
	return fmt.Sprintf("partner %d (payout %d)", l.PartnerID, l.PayoutID)
}

// checkLines applies the rules every format shares: a known currency, a positive amount that
// needs no rounding (rounding here would pay a sum the ledger never recorded), and payout ids
// that appear once, since each one becomes a reference the bank or PayPal must tell apart.
func checkLines(lines []Line) error {
	seen := make(map[int64]int, len(lines))
	for i, l := range lines {
		if l.PayoutID <= 0 {
			return pactum.PreconditionError(lineField(i, "payout_id"), "%s has no payout id", who(l))
		}
		if j, dup := seen[l.PayoutID]; dup {
			return pactum.PreconditionError(lineField(i, "payout_id"), "%s appears twice in the run (also payouts[%d])", who(l), j)
		}
		seen[l.PayoutID] = i
		if !pactum.ValidCurrency(l.Currency) {
			return pactum.PreconditionError(lineField(i, "currency"), "%s has an unknown currency %q", who(l), l.Currency)
		}
		if !l.Amount.IsPositive() {
			return pactum.PreconditionError(lineField(i, "amount"), "%s has amount %s; a payout must be more than zero", who(l), l.Amount.String())
		}
		if -l.Amount.Exponent() > pactum.MinorUnits(l.Currency) && !l.Amount.Equal(pactum.Round(l.Amount, l.Currency)) {
			return pactum.PreconditionError(lineField(i, "amount"), "%s has amount %s with more decimals than %s allows (%d)",
				who(l), l.Amount.String(), l.Currency, pactum.MinorUnits(l.Currency))
		}
	}
	return nil
}

// writeAll hands the finished file to w in one call; a short write is an error, not a file
// that silently ends early.
func writeAll(w io.Writer, p []byte) error {
	n, err := w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		return fmt.Errorf("export: write: %w", err)
	}
	return nil
}
