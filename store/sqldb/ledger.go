package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/pactum/pactum"
)

const (
	insertLedgerEntry = `INSERT INTO ledger_entries
		(partner_id, advertiser_id, currency, kind, amount, conversion_id, payout_id, time)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	ledgerColumns = `SELECT id, partner_id, advertiser_id, currency, kind, amount, conversion_id, payout_id, time
		FROM ledger_entries`
	// balances sums the entries by kind; Go applies the sums as Balance.Apply applies entries.
	balances = `SELECT partner_id, advertiser_id, currency, kind, SUM(amount) FROM ledger_entries`
)

func ledgerArgs(e *pactum.LedgerEntry) []any {
	amount := pactum.ToMinor(e.Amount, e.Currency)
	return []any{e.PartnerID, e.AdvertiserID, e.Currency, e.Kind, amount, nullID(e.ConversionID), nullID(e.PayoutID), micros(e.Time)}
}

// insertLedger appends entries in tx.
func (s *Store) insertLedger(ctx context.Context, tx *sql.Tx, entries []pactum.LedgerEntry) error {
	for i := range entries {
		if _, err := tx.ExecContext(ctx, s.q(insertLedgerEntry), ledgerArgs(&entries[i])...); err != nil {
			return fmt.Errorf("append ledger entry: %w", err)
		}
	}
	return nil
}

func scanLedgerEntry(row scanner) (pactum.LedgerEntry, error) {
	var e pactum.LedgerEntry
	var amount, at int64
	var conversion, payout sql.NullInt64
	err := row.Scan(&e.ID, &e.PartnerID, &e.AdvertiserID, &e.Currency, &e.Kind, &amount, &conversion, &payout, &at)
	e.Amount, e.ConversionID, e.PayoutID, e.Time = pactum.FromMinor(amount, e.Currency), conversion.Int64, payout.Int64, fromMicros(at)
	return e, err
}

func ledgerFilter(f pactum.LedgerFilter) *where {
	w := new(where)
	if f.PartnerID != 0 {
		w.add("partner_id = ?", f.PartnerID)
	}
	if f.AdvertiserID != 0 {
		w.add("advertiser_id = ?", f.AdvertiserID)
	}
	if f.ConversionID != 0 {
		w.add("conversion_id = ?", f.ConversionID)
	}
	if f.PayoutID != 0 {
		w.add("payout_id = ?", f.PayoutID)
	}
	return w
}

// LedgerEntries lists the entries that match f, oldest first.
func (s *Store) LedgerEntries(ctx context.Context, f pactum.LedgerFilter, p pactum.Page) ([]pactum.LedgerEntry, error) {
	query, args := ledgerFilter(f).page(ledgerColumns, "id", p)
	out, err := list(ctx, s.r, s.q(query), args, scanLedgerEntry)
	if err != nil {
		return nil, fmt.Errorf("list ledger entries: %w", err)
	}
	return out, nil
}

// Balances sums the entries that match f per partner, program and currency.
func (s *Store) Balances(ctx context.Context, f pactum.LedgerFilter) ([]pactum.Balance, error) {
	return s.balances(ctx, s.r, f)
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *Store) balances(ctx context.Context, db querier, f pactum.LedgerFilter) ([]pactum.Balance, error) {
	w := ledgerFilter(f)
	rows, err := db.QueryContext(ctx, s.q(balances+w.String()+
		" GROUP BY partner_id, advertiser_id, currency, kind ORDER BY partner_id, advertiser_id, currency"), w.args...)
	if err != nil {
		return nil, fmt.Errorf("balances: %w", err)
	}
	defer rows.Close()
	out := []pactum.Balance{}
	for rows.Next() {
		var e pactum.LedgerEntry
		var sum int64
		if err := rows.Scan(&e.PartnerID, &e.AdvertiserID, &e.Currency, &e.Kind, &sum); err != nil {
			return nil, fmt.Errorf("balances: %w", err)
		}
		e.Amount = pactum.FromMinor(sum, e.Currency)
		n := len(out)
		if n == 0 || out[n-1].PartnerID != e.PartnerID || out[n-1].AdvertiserID != e.AdvertiserID || out[n-1].Currency != e.Currency {
			zero := pactum.FromMinor(0, e.Currency)
			out = append(out, pactum.Balance{PartnerID: e.PartnerID, AdvertiserID: e.AdvertiserID, Currency: e.Currency,
				Pending: zero, Approved: zero, Paid: zero})
			n++
		}
		out[n-1].Apply(e)
	}
	return out, rows.Err()
}

// approveDue approves, in one statement, up to limit pending conversions whose hold period ended
// by now, dating each approval at the end of its hold period, and returns them as approved.
//
// The outer status check matters in PostgreSQL: an UPDATE that waited for a row another
// transaction approved (a second worker, or `pactum payouts run`) re-checks only its own WHERE,
// not the subquery's, and would approve the row again.
const approveDue = `UPDATE conversions SET status = 'approved', approved_at = approve_at, updated_at = ?
	WHERE id IN (SELECT id FROM conversions WHERE status = 'pending' AND approve_at <= ? ORDER BY approve_at LIMIT ?)
	AND status = 'pending'
	RETURNING id, partner_id, advertiser_id, ledger_currency, ledger_amount, approve_at,
		offer_id, CASE WHEN reason <> '' THEN reason ELSE flags END, currency, amount, payout, revenue, refunded_amount`

// ApproveDue approves up to limit pending conversions whose hold period ended by now, with
// their ledger entries and changes, in one transaction, and returns how many it approved. The approval job
// calls it until it returns less than limit; since it works from the conversions' state, a job
// that was down catches up on its first call.
func (s *Store) ApproveDue(ctx context.Context, now time.Time, limit int) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.q(approveDue), micros(stamp(now)), micros(now), limit)
		if err != nil {
			return err
		}
		var entries []pactum.LedgerEntry
		var changes []pactum.Change
		for rows.Next() {
			var e pactum.LedgerEntry
			var partner sql.NullInt64
			var amount, at int64
			ch := pactum.Change{Kind: pactum.ChangeApproved, Status: pactum.ConversionApproved}
			var sale, payout, revenue, refunded int64
			if err := rows.Scan(&e.ConversionID, &partner, &e.AdvertiserID, &e.Currency, &amount, &at,
				&ch.OfferID, &ch.Reason, &ch.Currency, &sale, &payout, &revenue, &refunded); err != nil {
				rows.Close()
				return err
			}
			n++
			ch.ConversionID, ch.AdvertiserID, ch.PartnerID, ch.Time = e.ConversionID, e.AdvertiserID, partner.Int64, fromMicros(at)
			ch.Amount, ch.Payout = pactum.FromMinor(sale, ch.Currency), pactum.FromMinor(payout, ch.Currency)
			ch.Revenue, ch.RefundedAmount = pactum.FromMinor(revenue, ch.Currency), pactum.FromMinor(refunded, ch.Currency)
			changes = append(changes, ch)
			if !partner.Valid || amount <= 0 {
				continue // nothing to move: unattributed, or earning nothing
			}
			e.PartnerID, e.Kind, e.Amount, e.Time = partner.Int64, pactum.LedgerApproved, pactum.FromMinor(amount, e.Currency), fromMicros(at)
			entries = append(entries, e)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if err := s.insertLedger(ctx, tx, entries); err != nil {
			return err
		}
		return s.txChanges(ctx, tx, changes)
	})
	if err != nil {
		return 0, fmt.Errorf("approve due conversions: %w", err)
	}
	return n, nil
}

// unpaidByDay sums a partner's approved, unpaid commissions by program, currency and day of
// approval (whole days since the epoch: integer division in both databases).
const unpaidByDay = `SELECT advertiser_id, ledger_currency, approved_at / 86400000000, SUM(ledger_amount) FROM conversions
	WHERE partner_id = ? AND status = 'approved' AND NOT EXISTS (SELECT 1 FROM payout_commissions WHERE conversion_id = conversions.id)
	GROUP BY advertiser_id, ledger_currency, approved_at / 86400000000 ORDER BY 1, 2, 3`

// UnpaidApproved returns the partner's approved commissions that no payout took yet, summed by
// program, currency and day of approval, so that the partner can see when each becomes payable.
func (s *Store) UnpaidApproved(ctx context.Context, partnerID int64) ([]pactum.ApprovedDay, error) {
	rows, err := s.r.QueryContext(ctx, s.q(unpaidByDay), partnerID)
	if err != nil {
		return nil, fmt.Errorf("unpaid commissions: %w", err)
	}
	defer rows.Close()
	out := []pactum.ApprovedDay{}
	for rows.Next() {
		var d pactum.ApprovedDay
		var day, sum int64
		if err := rows.Scan(&d.AdvertiserID, &d.Currency, &day, &sum); err != nil {
			return nil, fmt.Errorf("unpaid commissions: %w", err)
		}
		d.Day, d.Amount = time.Unix(day*86400, 0).UTC(), pactum.FromMinor(sum, d.Currency)
		out = append(out, d)
	}
	return out, rows.Err()
}
