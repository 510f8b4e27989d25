package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/pactum/pactum"
)

// advancePosition affects no row when the stream's position is at or past the new one. An
// affected-row count rather than RETURNING: SQLite runs RETURNING as a trigger, with a statement
// journal, and database/sql watches the rows a query returns with a goroutine of its own.
const advancePosition = `INSERT INTO log_positions (stream, pos) VALUES (?, ?)
	ON CONFLICT (stream) DO UPDATE SET pos = excluded.pos WHERE log_positions.pos < excluded.pos`

// eventTx is pactum.EventTx over one write transaction. It is valid only while the fn given to
// ApplyEvents runs.
type eventTx struct {
	s       *Store
	tx      *sql.Tx
	locked  bool                 // LockConversions took the lock, which lasts until the transaction ends
	changes []pactum.Change      // the change feed's rows, appended when fn is done
	bound   map[string]*sql.Stmt // see statements
	pending map[string]int64     // report values added, cached once the transaction commits
}

var _ pactum.EventTx = (*eventTx)(nil)

// ApplyEvents runs fn in one transaction with the advance of stream's position to pos. The
// position is advanced first, with an upsert that only moves it forward: if it affects no row the
// stream is already at or past pos, the batch was applied before, and fn is not called. In
// PostgreSQL the upsert also locks the stream's row, so that two workers applying the same stream
// serialise instead of both applying the batch. pos 0 is no position: fn runs without the
// upsert, and so without that lock, since batches of a log that delivers in no order are
// deduplicated per event (Claim) and may apply side by side. fn's error is returned unchanged,
// and rolls back everything, the position included.
func (s *Store) ApplyEvents(ctx context.Context, stream string, pos uint64, fn func(pactum.EventTx) error) (bool, error) {
	if pos > math.MaxInt64 {
		return false, fmt.Errorf("apply events: log position %d does not fit the store", pos)
	}
	if err := s.prepareVisitInserts(ctx); err != nil {
		return false, fmt.Errorf("apply events: %w", err)
	}
	applied := false
	var fnErr error
	pending := map[string]int64{}
	err := s.inTxOn(ctx, s.ev, func(tx *sql.Tx) error {
		clear(pending)
		e := &eventTx{s: s, tx: tx, pending: pending, bound: map[string]*sql.Stmt{}}
		if pos != 0 {
			res, err := e.statements().exec(ctx, advancePosition, stream, int64(pos))
			if err != nil {
				return fmt.Errorf("advance position: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("advance position: %w", err)
			} else if n == 0 {
				return nil
			}
		}
		fnErr = fn(e)
		if fnErr != nil {
			return fnErr
		}
		if err := appendChanges(ctx, e.statements(), e.changes); err != nil {
			return err
		}
		applied = true
		return nil
	})
	if fnErr != nil {
		return false, fnErr
	} else if err != nil {
		return false, fmt.Errorf("apply events: %w", err)
	}
	s.values.publish(pending)
	return applied, nil
}

// claimEvent affects no row when the event's row is there already. DO NOTHING rather than a
// unique violation, which in PostgreSQL would abort the whole event transaction.
const claimEvent = `INSERT INTO applied_events (stream, seq) VALUES (?, ?) ON CONFLICT DO NOTHING`

// Claim inserts the row of event seq of stream into applied_events, and reports whether it was
// not there yet. In PostgreSQL, a claim of an event that another transaction has claimed and
// not yet committed waits for that transaction: false if it commits, true if it rolls back.
func (e *eventTx) Claim(ctx context.Context, stream string, seq uint64) (bool, error) {
	if seq > math.MaxInt64 {
		return false, fmt.Errorf("claim event: sequence %d does not fit the store", seq)
	}
	res, err := e.statements().exec(ctx, claimEvent, stream, int64(seq))
	if err != nil {
		return false, fmt.Errorf("claim event %d of %s: %w", seq, stream, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim event %d of %s: %w", seq, stream, err)
	}
	return n == 1, nil
}

// LockConversions runs the dialect's conversion lock, once per transaction: it is held until the
// transaction ends, and taking it again would only cost a round trip.
func (e *eventTx) LockConversions(ctx context.Context) error {
	if e.locked || e.s.d.ConversionLock == "" {
		return nil
	}
	if _, err := e.statements().exec(ctx, e.s.d.ConversionLock); err != nil {
		return fmt.Errorf("lock conversions: %w", err)
	}
	e.locked = true
	return nil
}

const pruneClaims = `DELETE FROM applied_events WHERE stream = ? AND seq < ?`

// PruneClaims deletes stream's claims below the sequence below. It writes through the event
// writer, like the claims themselves, queued behind the other writers where there is one
// writer at a time.
func (s *Store) PruneClaims(ctx context.Context, stream string, below uint64) (int64, error) {
	if below > math.MaxInt64 {
		return 0, fmt.Errorf("prune claims: sequence %d does not fit the store", below)
	}
	unlock := s.lockWrites()
	res, err := s.ev.ExecContext(ctx, s.q(pruneClaims), stream, int64(below))
	unlock()
	if err != nil {
		return 0, fmt.Errorf("prune claims of %s: %w", stream, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune claims of %s: %w", stream, err)
	}
	return n, nil
}

// Coupon returns the coupon with code, in any case, as the transaction sees it.
func (e *eventTx) Coupon(ctx context.Context, code string) (pactum.Coupon, error) {
	c, err := scanCoupon(e.statements().queryRow(ctx, couponByCode, CouponKey(code)))
	if err != nil {
		return pactum.Coupon{}, fmt.Errorf("coupon: %w", notFound(err, "coupon %q not found", code))
	}
	return c, nil
}

const clickCountry = `SELECT country FROM clicks WHERE click_id = ?`

// ClickCountry returns the stored click's country as the transaction sees it, "" when the click
// is not stored.
func (e *eventTx) ClickCountry(ctx context.Context, clickID string) (string, error) {
	var country string
	err := e.statements().queryRow(ctx, clickCountry, clickID).Scan(&country)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("country of click: %w", err)
	}
	return country, nil
}

// eventTxQueries are the statements of the event transaction, prepared once (with the bulk
// inserts, before the first transaction): the processor runs them for every conversion, and
// SQLite would otherwise parse each one every time.
var eventTxQueries = append([]string{advancePosition, claimEvent, couponByCode, clickCountry, insertConversion,
	insertConversion + returningID, conversionByDedupKey, customerFirstPartner, customerLastPartner, partnerStats, insertLedgerEntry,
	fraudHistory, advanceHead}, slices.Concat(changeInserts.queries, memoUpserts.queries)...)

// execer runs a query, written with ? placeholders, in a transaction.
type execer func(ctx context.Context, query string, args ...any) (sql.Result, error)

// statements runs queries, written with ? placeholders, in a transaction: when it is on the
// event connection (onEvents), through the statements prepared there (eventTxQueries and the
// bulk statements, prepareVisitInserts) where there is one, else unprepared.
type statements struct {
	s        *Store
	tx       *sql.Tx
	onEvents bool
	// bound keeps the prepared statements bound to tx, where the transaction runs them over
	// and over (the event transaction: several for each conversion); nil binds them each time.
	bound map[string]*sql.Stmt
}

// stmt returns query's prepared statement bound to the transaction, nil when there is none.
func (t statements) stmt(ctx context.Context, query string) *sql.Stmt {
	if !t.onEvents {
		return nil
	}
	if st, ok := t.bound[query]; ok {
		return st
	}
	st := t.s.prepared(query)
	if st == nil {
		return nil
	}
	st = t.tx.StmtContext(ctx, st)
	if t.bound != nil {
		t.bound[query] = st
	}
	return st
}

// exec, queryRow and query run query through its prepared statement where there is one, with
// the context a write transaction's statement runs with (Store.stmtCtx): every statement of
// the event transaction goes through them.
func (t statements) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query, ctx = t.s.q(query), t.s.stmtCtx(ctx)
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t statements) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query, ctx = t.s.q(query), t.s.stmtCtx(ctx)
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

func (t statements) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query, ctx = t.s.q(query), t.s.stmtCtx(ctx)
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

// returningID is what eventTx.insert adds to its INSERT where the result does not give the id.
const returningID = " RETURNING id"

// insert runs query, an INSERT without RETURNING, with args and returns the id of the row it
// stored, or sql.ErrNoRows when it stored none (ON CONFLICT DO NOTHING). Where the result does
// not give the id (Dialect.LastInsertID), the query runs with RETURNING id.
func (e *eventTx) insert(ctx context.Context, query string, args []any) (int64, error) {
	var id int64
	if !e.s.d.LastInsertID {
		err := e.statements().queryRow(ctx, query+returningID, args...).Scan(&id)
		return id, err
	}
	res, err := e.statements().exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, err
	} else if n == 0 {
		return 0, sql.ErrNoRows
	}
	return res.LastInsertId()
}

// statements runs queries in the event transaction, through the statements prepared for it.
func (e *eventTx) statements() statements {
	return statements{s: e.s, tx: e.tx, onEvents: true, bound: e.bound}
}

// prepared returns the statement prepared on the event connection for query (in the dialect's
// placeholders), nil when there is none.
func (s *Store) prepared(query string) *sql.Stmt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stmts[query]
}

// Sync makes every committed event transaction durable. The event log calls it before it
// deletes segments the store has applied: in SQLite those transactions commit without waiting
// for the disk (store/sqlite), and a checkpoint writes and syncs them. PostgreSQL commits are
// durable already, and its dialect has no checkpoint statement to run.
func (s *Store) Sync(ctx context.Context) error {
	if s.d.Checkpoint == "" {
		return nil
	}
	// SQLite reports a checkpoint that readers kept from finishing as a row, not an error; and
	// a checkpoint that copied nothing synced nothing.
	var busy, logFrames, copied int64
	if err := s.ev.QueryRowContext(ctx, s.d.Checkpoint).Scan(&busy, &logFrames, &copied); err != nil {
		return fmt.Errorf("sync event transactions: %w", err)
	}
	if busy != 0 || copied < logFrames {
		return fmt.Errorf("sync event transactions: checkpoint incomplete (%d of %d frames copied)", copied, logFrames)
	}
	return nil
}

// fraudHistory reads what FraudHistoryQuery asks in one statement: the click by its id (k, read
// once; none for an empty id) with its report dimensions, then counts each bounded by a LIMIT, the count a rule needs to see
// (0 for a count not asked, which reads nothing), and the history from report_p's partner index
// (an empty range when not asked). The address counted is the one given (a click of the same
// batch), else the stored click's.
const fraudHistory = `SELECT CASE WHEN k.ip IS NULL THEN 0 ELSE 1 END, COALESCE(k.ip, ''), COALESCE(k.bot, FALSE), COALESCE(k.flags, ''),
		` + clickDimsNull + `,
		(SELECT COUNT(*) FROM (SELECT 1 FROM conversions
			WHERE offer_id = ? AND ip = COALESCE(?, k.ip, '') AND ip <> '' AND partner_id = ? AND time >= ? LIMIT ?) a),
		(SELECT COUNT(*) FROM (SELECT 1 FROM conversions
			WHERE offer_id = ? AND customer_id = ? AND customer_id <> '' AND partner_id = ? AND time >= ? LIMIT ?) b),
		(SELECT COUNT(*) FROM (SELECT 1 FROM conversions
			WHERE offer_id = ? AND partner_id = ? AND time >= ? LIMIT ?) c),
		(SELECT COALESCE(CAST(SUM(conversions) AS BIGINT), 0) FROM report_p
			WHERE partner_id = ? AND grain = 86400 AND bucket >= ? AND bucket < ? AND offer_id = ?)
	FROM (SELECT 1 AS one) one LEFT JOIN clicks k ON k.click_id = ?`

// FraudHistory reads what q asks for (indexes clicks' click_id, conversions_offer_ip,
// conversions_offer_customer, conversions_offer_partner_time, report_p_partner).
func (e *eventTx) FraudHistory(ctx context.Context, q pactum.FraudHistoryQuery) (pactum.FraudHistory, error) {
	var h pactum.FraudHistory
	since := micros(q.RepeatSince)
	clickID, ip := q.ClickID, sql.NullString{}
	if q.Click != nil {
		clickID, ip = "", sql.NullString{String: q.Click.IP, Valid: true}
	}
	ipCap, customerCap := q.RepeatCap, q.RepeatCap
	if !q.SameIP {
		ipCap = 0
	}
	if q.CustomerID == "" {
		customerCap = 0
	}
	var hourStart, from, to int64
	if q.HourCap > 0 {
		hourStart = micros(q.HourStart)
	}
	if !q.HistoryTo.IsZero() {
		from, to = q.HistoryFrom.Unix(), q.HistoryTo.Unix()
	}
	var found int64
	var c pactum.Visit
	var d pactum.ClickDims
	err := e.statements().queryRow(ctx, fraudHistory,
		q.OfferID, ip, q.PartnerID, since, ipCap,
		q.OfferID, q.CustomerID, q.PartnerID, since, customerCap,
		q.OfferID, q.PartnerID, hourStart, max(q.HourCap, 0),
		q.PartnerID, from, to, q.OfferID, clickID).Scan(&found, &c.IP, &c.Bot, &c.Flags,
		&d.Sub[0], &d.Sub[1], &d.Sub[2], &d.Sub[3], &d.Sub[4], &d.Source, &d.Device, &d.OS, &d.Browser, &d.Country,
		&h.SameIP, &h.SameCustomer, &h.LastHour, &h.History)
	if err != nil {
		return h, fmt.Errorf("fraud history: %w", err)
	}
	if q.Click != nil {
		h.Click = *q.Click
	} else if found > 0 {
		h.Click = pactum.ClickSource{Found: true, IP: c.IP, Flagged: c.Flagged(), Dims: d}
	}
	return h, nil
}
