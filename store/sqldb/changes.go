package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"time"

	"github.com/pactum/pactum"
)

// The change feed (pactum.ChangeStore). A transaction that changes conversions appends its
// changes last, right before it commits: it moves change_head by the number of changes and
// inserts them with the positions it got. In PostgreSQL the update locks change_head's row until
// the transaction ends, so writers take positions one transaction at a time, in commit order: a
// reader that has seen position N will never see a position below N appear later, and a
// transaction that rolls back gives its positions back (no gaps). Taking the lock last keeps it
// short and keeps it out of any lock-ordering cycle: a transaction holding it waits for nothing
// but its commit. SQLite runs one write transaction at a time, to the same effect.

const (
	changeFields = `position, kind, time, conversion_id, offer_id, advertiser_id, partner_id, status, reason,
		currency, amount, payout, revenue, refunded_amount`
	changeWidth   = 14
	advanceHead   = `UPDATE change_head SET position = position + ? WHERE id = 1 RETURNING position`
	changeColumns = `SELECT ` + changeFields + ` FROM changes`
)

// changeInserts inserts changes, up to 64 a statement (14 binds each).
var changeInserts = newChunkedInsert("INSERT INTO changes ("+changeFields+") VALUES ", changeWidth, 64, "")

// chunkedInsert is a multi-row INSERT in chunks of a power of two rows, so that a few statement
// texts (queries) serve every number of rows, and the event connection prepares them all once.
type chunkedInsert struct {
	queries []string // the INSERT of 2^i rows at i
	width   int      // binds per row
}

// newChunkedInsert returns the INSERT head VALUES (width binds) ... tail, of up to max rows.
func newChunkedInsert(head string, width, max int, tail string) chunkedInsert {
	row := "(" + strings.Repeat("?, ", width-1) + "?)"
	c := chunkedInsert{width: width}
	for n := 1; n <= max; n *= 2 {
		c.queries = append(c.queries, head+strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")+tail)
	}
	return c
}

// run inserts n rows through st, rowArgs appending the binds of row i to args.
func (c chunkedInsert) run(ctx context.Context, st statements, n int, rowArgs func(args []any, i int) []any) error {
	most := 1 << (len(c.queries) - 1)
	args := make([]any, 0, min(n, most)*c.width)
	for done := 0; done < n; {
		k := bits.Len(uint(min(n-done, most))) - 1 // 2^k: the most rows, up to those left
		args = args[:0]
		for i := done; i < done+1<<k; i++ {
			args = rowArgs(args, i)
		}
		if _, err := st.exec(ctx, c.queries[k], args...); err != nil {
			return err
		}
		done += 1 << k
	}
	return nil
}

// appendChanges gives changes their positions (setting them) and inserts them through st. Call
// it last in the transaction (see above).
func appendChanges(ctx context.Context, st statements, changes []pactum.Change) error {
	if len(changes) == 0 {
		return nil
	}
	var last int64
	if err := st.queryRow(ctx, advanceHead, len(changes)).Scan(&last); err != nil {
		return fmt.Errorf("change feed: advance head: %w", err)
	}
	pos := last - int64(len(changes))
	for i := range changes {
		pos++
		changes[i].Position = pos
	}
	err := changeInserts.run(ctx, st, len(changes), func(args []any, i int) []any { return changeArgs(args, &changes[i]) })
	if err != nil {
		return fmt.Errorf("change feed: insert: %w", err)
	}
	return nil
}

func changeArgs(args []any, c *pactum.Change) []any {
	cur := c.Currency
	return append(args, c.Position, c.Kind, micros(c.Time), c.ConversionID, c.OfferID, c.AdvertiserID, nullID(c.PartnerID),
		c.Status, c.Reason, cur, pactum.ToMinor(c.Amount, cur), pactum.ToMinor(c.Payout, cur),
		pactum.ToMinor(c.Revenue, cur), pactum.ToMinor(c.RefundedAmount, cur))
}

const changeRefs = `SELECT position, kind, conversion_id FROM changes WHERE position > ? ORDER BY position LIMIT ?`

func scanChangeRef(row scanner) (pactum.ChangeRef, error) {
	var c pactum.ChangeRef
	err := row.Scan(&c.Position, &c.Kind, &c.ConversionID)
	return c, err
}

func scanChange(row scanner) (pactum.Change, error) {
	var c pactum.Change
	var at, amount, payout, revenue, refunded int64
	var partner sql.NullInt64
	err := row.Scan(&c.Position, &c.Kind, &at, &c.ConversionID, &c.OfferID, &c.AdvertiserID, &partner,
		&c.Status, &c.Reason, &c.Currency, &amount, &payout, &revenue, &refunded)
	c.Time, c.PartnerID = fromMicros(at), partner.Int64
	c.Amount, c.Payout = pactum.FromMinor(amount, c.Currency), pactum.FromMinor(payout, c.Currency)
	c.Revenue, c.RefundedAmount = pactum.FromMinor(revenue, c.Currency), pactum.FromMinor(refunded, c.Currency)
	return c, err
}

// txChanges records the changes of a transaction on the writer, for appendChanges at its end.
func (s *Store) txChanges(ctx context.Context, tx *sql.Tx, changes []pactum.Change) error {
	return appendChanges(ctx, statements{s: s, tx: tx}, changes)
}

// Changes returns up to limit changes after position after, oldest first.
func (s *Store) Changes(ctx context.Context, after int64, limit int) ([]pactum.Change, error) {
	out, err := list(ctx, s.r, s.q(changeColumns+` WHERE position > ? ORDER BY position LIMIT ?`), []any{after, max(1, limit)}, scanChange)
	if err != nil {
		return nil, fmt.Errorf("changes: %w", err)
	}
	return out, nil
}

// LastChange returns the newest change's position, 0 with none.
func (s *Store) LastChange(ctx context.Context) (int64, error) {
	var pos int64
	if err := s.r.QueryRowContext(ctx, `SELECT position FROM change_head WHERE id = 1`).Scan(&pos); err != nil {
		return 0, fmt.Errorf("last change: %w", err)
	}
	return pos, nil
}

const (
	consumerPosition = `SELECT position FROM change_consumers WHERE name = ?`
	// consumerState is a consumer's position and how many rebuilds rewrote what it keeps.
	consumerState = `SELECT position, rebuilds FROM change_consumers WHERE name = ?`
)

// ConsumerPosition returns the position consumer recorded, 0 if none.
func (s *Store) ConsumerPosition(ctx context.Context, consumer string) (int64, error) {
	var pos int64
	err := s.r.QueryRowContext(ctx, s.q(consumerPosition), consumer).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("position of change consumer %s: %w", consumer, err)
	}
	return pos, nil
}

const startConsumer = `INSERT INTO change_consumers (name, position)
	SELECT ?, position FROM change_head WHERE id = 1 ON CONFLICT (name) DO NOTHING`

// StartConsumer records the newest position for consumer unless it has one, and returns its
// position. The head is read as committed: a writer that took positions and has not committed
// holds change_head's row (PostgreSQL) or the write lock (SQLite), so its changes come after
// the position recorded, and the consumer sees them.
func (s *Store) StartConsumer(ctx context.Context, consumer string) (int64, error) {
	var pos int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(startConsumer), consumer); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, s.q(consumerPosition), consumer).Scan(&pos)
	})
	if err != nil {
		return 0, fmt.Errorf("start change consumer %s: %w", consumer, err)
	}
	return pos, nil
}

const setConsumer = `INSERT INTO change_consumers (name, position) VALUES (?, ?)
	ON CONFLICT (name) DO UPDATE SET position = excluded.position`

// SetConsumerPosition records pos as consumer's position.
func (s *Store) SetConsumerPosition(ctx context.Context, consumer string, pos int64) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(setConsumer), consumer, pos)
		return err
	})
	if err != nil {
		return fmt.Errorf("set position of change consumer %s: %w", consumer, err)
	}
	return nil
}

// ConsumeChanges hands fn the changes after consumer's position in one write transaction that
// also moves the position. It first asks the reader whether there is anything to consume, so
// that an idle consumer polling the feed takes no write lock.
func (s *Store) ConsumeChanges(ctx context.Context, consumer string, limit int, fn func(pactum.ChangeTx, []pactum.Change) error) (int, error) {
	pos, err := s.ConsumerPosition(ctx, consumer)
	if err != nil {
		return 0, err
	}
	last, err := s.LastChange(ctx)
	if err != nil {
		return 0, err
	}
	if last <= pos {
		return 0, nil
	}
	n := 0
	var fnErr error
	pending := map[string]int64{}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		n = 0
		clear(pending)
		at, err := s.lockConsumer(ctx, tx, consumer)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, s.q(changeColumns+` WHERE position > ? ORDER BY position LIMIT ?`), at.position, max(1, limit))
		if err != nil {
			return err
		}
		var changes []pactum.Change
		for rows.Next() {
			c, err := scanChange(rows)
			if err != nil {
				rows.Close()
				return err
			}
			changes = append(changes, c)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil
		}
		ct := &changeTx{s: s, tx: tx, q: tx, pending: pending}
		fnErr = fn(ct, changes)
		ct.close()
		if fnErr != nil {
			return fnErr
		}
		n = len(changes)
		_, err = tx.ExecContext(ctx, s.q(`UPDATE change_consumers SET position = ? WHERE name = ?`), changes[n-1].Position, consumer)
		return err
	})
	if fnErr != nil {
		return 0, fnErr
	} else if err != nil {
		return 0, fmt.Errorf("consume changes for %s: %w", consumer, err)
	}
	s.values.publish(pending)
	return n, nil
}

const anyEnabledPostback = `SELECT COUNT(*) FROM (SELECT 1 FROM postbacks WHERE enabled = ? LIMIT 1) p`

// SkipChangesWithoutPostbacks: pactum.PostbackStore. The newest position is read before the
// postbacks are: a change at or below it committed before that read (its writer held
// change_head until its commit), so if no postback is enabled when they are read afterwards,
// none was when those changes were made either. (SQLite runs this transaction alone.)
func (s *Store) SkipChangesWithoutPostbacks(ctx context.Context, consumer string) (bool, error) {
	pos, err := s.ConsumerPosition(ctx, consumer)
	if err != nil {
		return false, err
	}
	last, err := s.LastChange(ctx)
	if err != nil || last <= pos {
		return false, err
	}
	skipped := false
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		skipped = false
		if _, err := s.lockConsumer(ctx, tx, consumer); err != nil {
			return err
		}
		var head, enabled int64
		if err := tx.QueryRowContext(ctx, `SELECT position FROM change_head WHERE id = 1`).Scan(&head); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, s.q(anyEnabledPostback), true).Scan(&enabled); err != nil || enabled > 0 {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`UPDATE change_consumers SET position = ? WHERE name = ? AND position < ?`), head, consumer, head)
		skipped = err == nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("skip changes for %s: %w", consumer, err)
	}
	return skipped, nil
}

// ConsumeChangesRead reads the changes after consumer's position and hands them to read outside
// any transaction (its reads go to the read pool); then, in a write transaction that finds the
// position unchanged, runs what read returned and moves the position. The transaction is one of
// the event log's (synchronous=NORMAL in SQLite): what a consumer writes is derived from the
// feed and commits with its position, so a power cut that loses the commit loses the position
// with it, and the changes are consumed again.
func (s *Store) ConsumeChangesRead(ctx context.Context, consumer string, limit int,
	read func(pactum.ChangeReader, []pactum.ChangeRef) (func(pactum.ChangeTx, bool) error, error)) (int, error) {
	was, changes, write, err := s.readChanges(ctx, consumer, limit, read)
	if err != nil || len(changes) == 0 {
		return 0, err
	}
	n := 0
	var fnErr error
	pending := map[string]int64{}
	err = s.inTxOn(ctx, s.ev, func(tx *sql.Tx) error {
		n = 0
		clear(pending)
		now, err := s.lockConsumer(ctx, tx, consumer)
		if err != nil {
			return err
		}
		if now.position != was.position {
			return nil // consumed by another process meanwhile
		}
		ct := &changeTx{s: s, tx: tx, onEvents: true, q: tx, pending: pending}
		fnErr = write(ct, now.rebuilds != was.rebuilds)
		ct.close()
		if fnErr != nil {
			return fnErr
		}
		n = len(changes)
		_, err = tx.ExecContext(ctx, s.q(`UPDATE change_consumers SET position = ? WHERE name = ?`), changes[n-1].Position, consumer)
		return err
	})
	if fnErr != nil {
		return 0, fnErr
	} else if err != nil {
		return 0, fmt.Errorf("consume changes for %s: %w", consumer, err)
	}
	s.values.publish(pending)
	return n, nil
}

// readChanges is ConsumeChangesRead's reading: the consumer's position and rebuild count, the
// changes after it and what read makes of them, in one read transaction. In SQLite one snapshot
// and one start of a read: a connection that starts reading after another's commit drops its
// whole page cache, so every statement on its own would start cold again. In PostgreSQL (READ
// COMMITTED) each statement sees what committed before it: the count is read first, so the memos
// read after it are at least as new, and a rebuild in between only makes the write plan again.
func (s *Store) readChanges(ctx context.Context, consumer string, limit int,
	read func(pactum.ChangeReader, []pactum.ChangeRef) (func(pactum.ChangeTx, bool) error, error)) (st consumerAt, changes []pactum.ChangeRef, write func(pactum.ChangeTx, bool) error, err error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return st, nil, nil, fmt.Errorf("consume changes for %s: %w", consumer, err)
	}
	defer tx.Rollback() // it only read: nothing to keep
	err = tx.QueryRowContext(ctx, s.q(consumerState), consumer).Scan(&st.position, &st.rebuilds)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, nil, nil, fmt.Errorf("position of change consumer %s: %w", consumer, err)
	}
	changes, err = list(ctx, tx, s.q(changeRefs), []any{st.position, max(1, limit)}, scanChangeRef)
	if err != nil {
		return st, nil, nil, fmt.Errorf("consume changes for %s: %w", consumer, err)
	}
	if len(changes) == 0 {
		return st, nil, nil, nil
	}
	r := &changeTx{s: s, q: tx, read: tx}
	write, err = read(r, changes)
	r.close()
	return st, changes, write, err
}

// consumerAt is a change consumer's row: its position, and how many rebuilds rewrote what it
// keeps.
type consumerAt struct {
	position, rebuilds int64
}

// lockConsumer makes consumer's row if it has none and locks it (FOR UPDATE where the
// database has it), and returns it. The row is made first so that FOR UPDATE has something to
// lock: two processes consuming at once then take turns, and the second sees the first's
// position.
func (s *Store) lockConsumer(ctx context.Context, tx *sql.Tx, consumer string) (consumerAt, error) {
	var st consumerAt
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO change_consumers (name, position) VALUES (?, 0)
		ON CONFLICT (name) DO NOTHING`), consumer); err != nil {
		return st, err
	}
	lock := consumerState
	if s.d.ForUpdate {
		lock += " FOR UPDATE"
	}
	err := tx.QueryRowContext(ctx, s.q(lock), consumer).Scan(&st.position, &st.rebuilds)
	return st, err
}

// changeTx is pactum.ChangeTx over ConsumeChanges' (or a rebuild's) transaction, and
// pactum.ChangeReader over the read pool (tx nil). A consumer reads once or twice for each
// change of a batch, so its statements are prepared once a batch.
type changeTx struct {
	s  *Store
	tx *sql.Tx
	// onEvents: tx is on the event connection, whose statements the event transaction
	// prepared once (the rollups' upserts among them).
	onEvents bool
	q        preparer // tx, or the read pool
	read     *sql.Tx  // q when it is a transaction on the read pool: each reads through readStmt
	stmts    map[string]*sql.Stmt
	pending  map[string]int64 // report values added, cached once the transaction commits
}

// preparer is a transaction or the read pool.
type preparer interface {
	querier
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// stmt returns query prepared in the transaction (or on the read pool).
func (c *changeTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	st, err := c.q.PrepareContext(ctx, c.s.q(query))
	if err != nil {
		return nil, err
	}
	if c.stmts == nil {
		c.stmts = make(map[string]*sql.Stmt)
	}
	c.stmts[query] = st
	return st, nil
}

func (c *changeTx) close() {
	for _, st := range c.stmts {
		st.Close()
	}
}

// Click reads a stored click by its id.
func (c *changeTx) Click(ctx context.Context, clickID string) (pactum.Visit, error) {
	st, err := c.stmt(ctx, clickColumns+` WHERE click_id = ?`)
	if err != nil {
		return pactum.Visit{}, fmt.Errorf("click: %w", err)
	}
	var v pactum.Visit
	var seq int64
	if err := scanVisit(st.QueryRowContext(ctx, clickID), &v, &seq, &v.ClickID); err != nil {
		return pactum.Visit{}, fmt.Errorf("click: %w", notFound(err, "click %s not stored", clickID))
	}
	return v, nil
}

// Postbacks returns the partner's enabled postbacks.
func (c *changeTx) Postbacks(ctx context.Context, partnerID int64) ([]pactum.Postback, error) {
	st, err := c.stmt(ctx, enabledPostbacks)
	if err != nil {
		return nil, fmt.Errorf("postbacks of partner %d: %w", partnerID, err)
	}
	rows, err := st.QueryContext(ctx, partnerID, true)
	if err != nil {
		return nil, fmt.Errorf("postbacks of partner %d: %w", partnerID, err)
	}
	defer rows.Close()
	var out []pactum.Postback
	for rows.Next() {
		p, err := scanPostback(rows)
		if err != nil {
			return nil, fmt.Errorf("postbacks of partner %d: %w", partnerID, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// InsertDeliveries records deliveries in the consumer's transaction.
func (c *changeTx) InsertDeliveries(ctx context.Context, deliveries []pactum.PostbackDelivery) error {
	return c.s.insertDeliveries(ctx, c.tx, deliveries, time.Time{})
}

// Conversions reads conversions by id, 512 a statement (inChunks).
func (c *changeTx) Conversions(ctx context.Context, ids []int64) (map[int64]pactum.Conversion, error) {
	out := make(map[int64]pactum.Conversion, len(ids))
	err := inChunks(ids, func(args []any) error {
		return c.each(ctx, conversionColumns+` WHERE id IN (`+placeholders(len(args))+`)`, args, func(rows *sql.Rows) error {
			cv, err := scanConversion(rows)
			out[cv.ID] = cv
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("conversions: %w", err)
	}
	return out, nil
}

// ClickDims reads the report dimensions of stored clicks by click id, 512 a statement (inChunks).
func (c *changeTx) ClickDims(ctx context.Context, clickIDs []string) (map[string]pactum.ClickDims, error) {
	out := make(map[string]pactum.ClickDims, len(clickIDs))
	err := inChunks(clickIDs, func(args []any) error {
		return c.each(ctx, `SELECT click_id, `+clickDims+` FROM clicks WHERE click_id IN (`+placeholders(len(args))+`)`, args, func(rows *sql.Rows) error {
			var id string
			var d pactum.ClickDims
			err := rows.Scan(&id, &d.Sub[0], &d.Sub[1], &d.Sub[2], &d.Sub[3], &d.Sub[4], &d.Source, &d.Device, &d.OS, &d.Browser, &d.Country)
			out[id] = d
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("click dimensions: %w", err)
	}
	return out, nil
}

// inChunks calls fn with the values of list as arguments, up to 512 at a time, for an IN list.
// It pads each chunk to a power of two with its last value, which an IN list reads as once: so
// the queries come in ten texts, which on SQLite the read pool prepares once (changeTx.each).
func inChunks[T any](list []T, fn func(args []any) error) error {
	args := make([]any, 0, min(len(list), 512))
	for len(list) > 0 {
		n := min(len(list), 512)
		args = args[:0]
		for _, v := range list[:n] {
			args = append(args, v)
		}
		for len(args)&(len(args)-1) != 0 {
			args = append(args, args[n-1])
		}
		if err := fn(args); err != nil {
			return err
		}
		list = list[n:]
	}
	return nil
}

// each runs query, one of inChunks' IN lists, and calls fn for each row.
func (c *changeTx) each(ctx context.Context, query string, args []any, fn func(*sql.Rows) error) error {
	query = c.s.q(query)
	var st *sql.Stmt
	var err error
	if c.read != nil {
		if st, err = c.s.readStmt(ctx, query); err != nil {
			return err
		}
	}
	var rows *sql.Rows
	if st != nil {
		rows, err = c.read.StmtContext(ctx, st).QueryContext(ctx, args...)
	} else {
		rows, err = c.q.QueryContext(ctx, query, args...)
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (c *changeTx) Conversion(ctx context.Context, id int64) (pactum.Conversion, error) {
	st, err := c.stmt(ctx, conversionByID)
	if err != nil {
		return pactum.Conversion{}, fmt.Errorf("conversion: %w", err)
	}
	cv, err := scanConversion(st.QueryRowContext(ctx, id))
	if err != nil {
		return pactum.Conversion{}, fmt.Errorf("conversion: %w", notFound(err, "conversion %d not found", id))
	}
	return cv, nil
}
