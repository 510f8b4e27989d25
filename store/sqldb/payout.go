package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pactum/pactum"
)

const (
	payoutFields  = `run_id, advertiser_id, partner_id, currency, amount, commissions, status, method, reference, reason, created_at, updated_at`
	payoutColumns = `SELECT id, ` + payoutFields + ` FROM payouts`
	runColumns    = `SELECT id, advertiser_id, date, payouts, created_at FROM payout_runs`

	createRun = `INSERT INTO payout_runs (advertiser_id, date, payouts, created_at) VALUES (?, ?, 0, ?)
		ON CONFLICT (advertiser_id, date) DO NOTHING RETURNING id`
	// unavailable sums what is approved but not payable yet (approved at or after the cutoff),
	// which the approved balance includes. Unattributed conversions (no partner) are approved
	// too, and earn no one anything.
	unavailable = `SELECT partner_id, ledger_currency, SUM(ledger_amount) FROM conversions
		WHERE advertiser_id = ? AND status = 'approved' AND approved_at >= ? AND partner_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM payout_commissions WHERE conversion_id = conversions.id)
		GROUP BY partner_id, ledger_currency`
	payees = `SELECT id, status, currency, min_payout, payout_method FROM partners`
	// linkCommissions hands the payable commissions to the run's payouts: a row of two
	// integers each in payout_commissions (0007), where updating a column of the wide
	// conversion rows cost PostgreSQL a new version of each with six index entries. The index
	// conversions_payable finds them in the order they were approved, about the order of the
	// table.
	linkCommissions = `INSERT INTO payout_commissions (conversion_id, payout_id)
		SELECT c.id, p.id FROM conversions c JOIN payouts p
			ON p.run_id = ? AND p.partner_id = c.partner_id AND p.currency = c.ledger_currency
		WHERE c.advertiser_id = ? AND c.status = 'approved' AND c.approved_at < ?
		AND NOT EXISTS (SELECT 1 FROM payout_commissions pc WHERE pc.conversion_id = c.id)`
	// countCommissions counts what each payout of a run took, once linked: a count per payout
	// of the index on payout_id, rather than a count per partner of every payable commission
	// before (a sort of them all, by partner).
	countCommissions = `UPDATE payouts SET commissions =
		(SELECT COUNT(*) FROM payout_commissions WHERE payout_commissions.payout_id = payouts.id) WHERE run_id = ?`
	// payoutCommissions are the commissions a payout took.
	payoutCommissions = `SELECT pc.conversion_id FROM payout_commissions pc WHERE pc.payout_id = ?`
	paidEntries       = `INSERT INTO ledger_entries (partner_id, advertiser_id, currency, kind, amount, conversion_id, payout_id, time)
		SELECT partner_id, advertiser_id, currency, 'paid', amount, NULL, id, created_at FROM payouts WHERE run_id = ?`
)

// payoutChunk is how many payouts one INSERT carries: 12 columns each, far below the bind
// limits of both databases.
const payoutChunk = 500

// RunPayouts makes the payout run of s.AdvertiserID for s.Date, in one transaction: one payout
// per partner and currency whose payable balance (approved, less what was approved after
// s.Cutoff) is positive and reaches the partner's minimum (in the partner's currency; other
// currencies have none), for active partners. The commissions it pays are linked to their
// payout and a paid entry moves each payout's amount out of the approved balance, so that
// clawbacks are netted. A run of the same program and date that exists is returned as it is,
// with created false: running a period twice pays nothing twice. Runs of one program are
// serialised by a lock on its advertiser row (one writer at a time in SQLite), and a run that
// lost to a concurrent transaction runs again on a fresh snapshot.
func (s *Store) RunPayouts(ctx context.Context, rs pactum.RunSettings) (pactum.PayoutRun, bool, error) {
	date := rs.Date.UTC().Format(time.DateOnly)
	run := pactum.PayoutRun{AdvertiserID: rs.AdvertiserID, Date: date, CreatedAt: stamp(rs.Now)}
	var created bool
	// One snapshot for the whole run, so that a commission approved while it runs is either in
	// its balances and its links or in neither (PostgreSQL; SQLite's writer sees no one else).
	err := s.inSnapshot(ctx, func(tx *sql.Tx) error {
		created = false
		run = pactum.PayoutRun{AdvertiserID: rs.AdvertiserID, Date: date, CreatedAt: stamp(rs.Now)}
		// The lock is a write, not only FOR UPDATE: a run that waited here for another run of
		// the program then fails with a serialization failure and starts again on a snapshot
		// that holds the other run's payouts and links, rather than planning from the state
		// before them.
		lock := `UPDATE advertisers SET payout_schedule = payout_schedule WHERE id = ? RETURNING id`
		var id int64
		if err := tx.QueryRowContext(ctx, s.q(lock), rs.AdvertiserID).Scan(&id); err != nil {
			return notFound(err, "advertiser %d not found", rs.AdvertiserID)
		}
		err := tx.QueryRowContext(ctx, s.q(createRun), rs.AdvertiserID, date, micros(run.CreatedAt)).Scan(&run.ID)
		if errors.Is(err, sql.ErrNoRows) {
			run, err = scanRun(tx.QueryRowContext(ctx, s.q(runColumns+` WHERE advertiser_id = ? AND date = ?`), rs.AdvertiserID, date))
			return err
		} else if err != nil {
			return fmt.Errorf("create run: %w", err)
		}
		created = true
		payouts, err := s.planPayouts(ctx, tx, rs, run)
		if err != nil {
			return err
		}
		if err := s.insertPayouts(ctx, tx, payouts); err != nil {
			return err
		}
		cutoff := micros(rs.Cutoff)
		if _, err := tx.ExecContext(ctx, s.q(linkCommissions), run.ID, rs.AdvertiserID, cutoff); err != nil {
			return fmt.Errorf("link commissions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q(countCommissions), run.ID); err != nil {
			return fmt.Errorf("count commissions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q(paidEntries), run.ID); err != nil {
			return fmt.Errorf("ledger: %w", err)
		}
		run.Payouts = len(payouts)
		_, err = tx.ExecContext(ctx, s.q(`UPDATE payout_runs SET payouts = ? WHERE id = ?`), run.Payouts, run.ID)
		return err
	})
	if err != nil {
		return pactum.PayoutRun{}, false, fmt.Errorf("payout run of advertiser %d for %s: %w", rs.AdvertiserID, date, err)
	}
	return run, created, nil
}

type balanceKey struct {
	partner  int64
	currency string
}

// planPayouts works out the run's payouts from the program's balances.
func (s *Store) planPayouts(ctx context.Context, tx *sql.Tx, rs pactum.RunSettings, run pactum.PayoutRun) ([]pactum.Payout, error) {
	balances, err := s.balances(ctx, tx, pactum.LedgerFilter{AdvertiserID: rs.AdvertiserID})
	if err != nil {
		return nil, err
	}
	notYet := make(map[balanceKey]int64)
	if err := sums(ctx, tx, s.q(unavailable), []any{rs.AdvertiserID, micros(rs.Cutoff)}, notYet); err != nil {
		return nil, fmt.Errorf("unpayable commissions: %w", err)
	}
	partners, err := s.payees(ctx, tx)
	if err != nil {
		return nil, err
	}
	var out []pactum.Payout
	for _, b := range balances {
		p, ok := partners[b.PartnerID]
		if !ok || p.Status != pactum.PartnerActive {
			continue // suspended or gone: the balance waits
		}
		key := balanceKey{b.PartnerID, b.Currency}
		payable := pactum.ToMinor(b.Approved, b.Currency) - notYet[key]
		if payable <= 0 || (b.Currency == p.Currency && payable < pactum.ToMinor(p.MinPayout, p.Currency)) {
			continue // nothing, or below the minimum: rolls over
		}
		out = append(out, pactum.Payout{
			RunID: run.ID, AdvertiserID: rs.AdvertiserID, PartnerID: b.PartnerID, Currency: b.Currency,
			Amount: pactum.FromMinor(payable, b.Currency), // Commissions: counted once linked
			Status: pactum.PayoutPending, Method: p.PayoutMethod, CreatedAt: run.CreatedAt, UpdatedAt: run.CreatedAt,
		})
	}
	return out, nil
}

// sums reads rows of (partner, currency, value) into into.
func sums(ctx context.Context, tx *sql.Tx, query string, args []any, into map[balanceKey]int64) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k balanceKey
		var v int64
		if err := rows.Scan(&k.partner, &k.currency, &v); err != nil {
			return err
		}
		into[k] = v
	}
	return rows.Err()
}

func (s *Store) payees(ctx context.Context, tx *sql.Tx) (map[int64]pactum.Partner, error) {
	rows, err := tx.QueryContext(ctx, s.q(payees))
	if err != nil {
		return nil, fmt.Errorf("partners: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]pactum.Partner)
	for rows.Next() {
		var p pactum.Partner
		var min int64
		if err := rows.Scan(&p.ID, &p.Status, &p.Currency, &min, &p.PayoutMethod); err != nil {
			return nil, fmt.Errorf("partners: %w", err)
		}
		p.MinPayout = pactum.FromMinor(min, p.Currency)
		out[p.ID] = p
	}
	return out, rows.Err()
}

func (s *Store) insertPayouts(ctx context.Context, tx *sql.Tx, payouts []pactum.Payout) error {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", 12), ", ") + ")"
	for len(payouts) > 0 {
		n := min(len(payouts), payoutChunk)
		args := make([]any, 0, n*12)
		for _, p := range payouts[:n] {
			args = append(args, p.RunID, p.AdvertiserID, p.PartnerID, p.Currency, pactum.ToMinor(p.Amount, p.Currency),
				p.Commissions, p.Status, p.Method, p.Reference, p.Reason, micros(p.CreatedAt), micros(p.UpdatedAt))
		}
		query := `INSERT INTO payouts (` + payoutFields + `) VALUES ` + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
		if _, err := tx.ExecContext(ctx, s.q(query), args...); err != nil {
			return fmt.Errorf("insert payouts: %w", err)
		}
		payouts = payouts[n:]
	}
	return nil
}

func scanRun(row scanner) (pactum.PayoutRun, error) {
	var r pactum.PayoutRun
	var created int64
	err := row.Scan(&r.ID, &r.AdvertiserID, &r.Date, &r.Payouts, &created)
	r.CreatedAt = fromMicros(created)
	return r, err
}

func scanPayout(row scanner) (pactum.Payout, error) {
	var p pactum.Payout
	var amount, created, updated int64
	err := row.Scan(&p.ID, &p.RunID, &p.AdvertiserID, &p.PartnerID, &p.Currency, &amount, &p.Commissions,
		&p.Status, &p.Method, &p.Reference, &p.Reason, &created, &updated)
	p.Amount, p.CreatedAt, p.UpdatedAt = pactum.FromMinor(amount, p.Currency), fromMicros(created), fromMicros(updated)
	return p, err
}

// PayoutRun returns run id.
func (s *Store) PayoutRun(ctx context.Context, id int64) (pactum.PayoutRun, error) {
	r, err := scanRun(s.r.QueryRowContext(ctx, s.q(runColumns+` WHERE id = ?`), id))
	if err != nil {
		return pactum.PayoutRun{}, fmt.Errorf("payout run: %w", notFound(err, "payout run %d not found", id))
	}
	return r, nil
}

// ListPayoutRuns lists runs, of one program when advertiserID is not 0, oldest first.
func (s *Store) ListPayoutRuns(ctx context.Context, advertiserID int64, p pactum.Page) ([]pactum.PayoutRun, error) {
	w := new(where)
	if advertiserID != 0 {
		w.add("advertiser_id = ?", advertiserID)
	}
	query, args := w.page(runColumns, "id", p)
	out, err := list(ctx, s.r, s.q(query), args, scanRun)
	if err != nil {
		return nil, fmt.Errorf("list payout runs: %w", err)
	}
	return out, nil
}

// Payout returns payout id.
func (s *Store) Payout(ctx context.Context, id int64) (pactum.Payout, error) {
	p, err := scanPayout(s.r.QueryRowContext(ctx, s.q(payoutColumns+` WHERE id = ?`), id))
	if err != nil {
		return pactum.Payout{}, fmt.Errorf("payout: %w", notFound(err, "payout %d not found", id))
	}
	return p, nil
}

// ListPayouts lists the payouts that match f, oldest first.
func (s *Store) ListPayouts(ctx context.Context, f pactum.PayoutFilter, p pactum.Page) ([]pactum.Payout, error) {
	w := new(where)
	if f.RunID != 0 {
		w.add("run_id = ?", f.RunID)
	}
	if f.AdvertiserID != 0 {
		w.add("advertiser_id = ?", f.AdvertiserID)
	}
	if f.PartnerID != 0 {
		w.add("partner_id = ?", f.PartnerID)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	query, args := w.page(payoutColumns, "id", p)
	out, err := list(ctx, s.r, s.q(query), args, scanPayout)
	if err != nil {
		return nil, fmt.Errorf("list payouts: %w", err)
	}
	return out, nil
}

// SettlePayout marks a pending payout paid, with the payment's reference, or failed, with the
// reason. Paid: its commissions become paid. Failed: its amount returns to the approved balance
// (a payout_failed entry) and its commissions are released for the next run. Anything but a
// pending payout is a conflict: a payout is settled once.
func (s *Store) SettlePayout(ctx context.Context, id int64, status, text string, now time.Time) (pactum.Payout, error) {
	query := payoutColumns + ` WHERE id = ?`
	if s.d.ForUpdate {
		query += " FOR UPDATE"
	}
	var out pactum.Payout
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		p, err := scanPayout(tx.QueryRowContext(ctx, s.q(query), id))
		if err != nil {
			return notFound(err, "payout %d not found", id)
		}
		if p.Status != pactum.PayoutPending {
			return pactum.Errorf(pactum.ECONFLICT, "payout %d is %s already", id, p.Status)
		}
		p.Status, p.UpdatedAt = status, stamp(now)
		switch status {
		case pactum.PayoutPaid:
			p.Reference = text
			if err := s.markPaid(ctx, tx, id, p.UpdatedAt); err != nil {
				return fmt.Errorf("mark commissions paid: %w", err)
			}
		case pactum.PayoutFailed:
			p.Reason = text
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE conversions SET updated_at = ? WHERE id IN (`+payoutCommissions+`)`),
				micros(p.UpdatedAt), id); err != nil {
				return fmt.Errorf("release commissions: %w", err)
			}
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM payout_commissions WHERE payout_id = ?`), id); err != nil {
				return fmt.Errorf("release commissions: %w", err)
			}
			if err := s.insertLedger(ctx, tx, []pactum.LedgerEntry{{
				PartnerID: p.PartnerID, AdvertiserID: p.AdvertiserID, Currency: p.Currency, Kind: pactum.LedgerPayoutFailed,
				Amount: p.Amount, PayoutID: p.ID, Time: p.UpdatedAt,
			}}); err != nil {
				return err
			}
		default:
			return pactum.FieldError("status", "must be %q or %q, not %q", pactum.PayoutPaid, pactum.PayoutFailed, status)
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE payouts SET status = ?, reference = ?, reason = ?, updated_at = ? WHERE id = ?`),
			p.Status, p.Reference, p.Reason, micros(p.UpdatedAt), id)
		out = p
		return err
	})
	if err != nil {
		var pe *pactum.Error
		if errors.As(err, &pe) {
			return pactum.Payout{}, err
		}
		return pactum.Payout{}, fmt.Errorf("settle payout %d: %w", id, err)
	}
	return out, nil
}

// markPaid marks the commissions of payout id paid, with their changes.
func (s *Store) markPaid(ctx context.Context, tx *sql.Tx, id int64, at time.Time) error {
	rows, err := tx.QueryContext(ctx, s.q(`UPDATE conversions SET status = 'paid', updated_at = ?
		WHERE id IN (`+payoutCommissions+`) AND status = 'approved'
		RETURNING id, offer_id, advertiser_id, partner_id, reason, currency, amount, payout, revenue, refunded_amount`), micros(at), id)
	if err != nil {
		return err
	}
	var changes []pactum.Change
	for rows.Next() {
		ch := pactum.Change{Kind: pactum.ChangePaid, Status: pactum.ConversionPaid, Time: at}
		var partner sql.NullInt64
		var sale, payout, revenue, refunded int64
		if err := rows.Scan(&ch.ConversionID, &ch.OfferID, &ch.AdvertiserID, &partner, &ch.Reason, &ch.Currency,
			&sale, &payout, &revenue, &refunded); err != nil {
			rows.Close()
			return err
		}
		ch.PartnerID = partner.Int64
		ch.Amount, ch.Payout = pactum.FromMinor(sale, ch.Currency), pactum.FromMinor(payout, ch.Currency)
		ch.Revenue, ch.RefundedAmount = pactum.FromMinor(revenue, ch.Currency), pactum.FromMinor(refunded, ch.Currency)
		changes = append(changes, ch)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return s.txChanges(ctx, tx, changes)
}
