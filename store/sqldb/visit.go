package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/pactum/pactum"
)

// visitColumns are the columns of clicks and impressions after their key, in the order
// visitArgs and scanVisit use.
const visitColumns = `time, offer_id, partner_id, link_id, sub1, sub2, sub3, sub4, sub5, source, ip, user_agent,
	referer, device, os, browser, country, bot, unique_click, rejected, flags, invalid`

const visitColumnCount = 22

// clickDims are the columns of pactum.ClickDims, in its order; clickDimsNull reads them from a
// LEFT JOIN as k, empty where there is no click.
const (
	clickDims     = `sub1, sub2, sub3, sub4, sub5, source, device, os, browser, country`
	clickDimsNull = `COALESCE(k.sub1, ''), COALESCE(k.sub2, ''), COALESCE(k.sub3, ''), COALESCE(k.sub4, ''), COALESCE(k.sub5, ''),
		COALESCE(k.source, ''), COALESCE(k.device, ''), COALESCE(k.os, ''), COALESCE(k.browser, ''), COALESCE(k.country, '')`
)

// visitTable describes how one kind of visit is bulk inserted.
type visitTable struct {
	name    string
	columns string // with click_id first for clicks
	suffix  string // after VALUES
	clickID bool
}

var (
	clickTable = visitTable{
		name: "clicks", columns: "click_id, " + visitColumns, clickID: true,
		// The click id is the natural key: a click applied twice (a batch replayed after a crash
		// between commit and acknowledgement) is stored once.
		suffix: " ON CONFLICT (click_id) DO NOTHING",
	}
	// Impressions have no natural key; replays are stopped by the log position instead.
	impressionTable = visitTable{name: "impressions", columns: visitColumns}
)

func (t visitTable) width() int {
	if t.clickID {
		return visitColumnCount + 1
	}
	return visitColumnCount
}

// maxChunk is the most rows one INSERT carries. Batches are cut into chunks of powers of two up
// to it, so that a few prepared statements per table serve every batch size. 256 rows of 23
// columns stay well under the bind limits (32766 in SQLite, 65535 in PostgreSQL); larger chunks
// measured no faster (BenchmarkApplyEvents).
const maxChunk = 256

// InsertVisits stores clicks and impressions in the event transaction, in chunked multi-row
// INSERTs through the statements ApplyEvents prepared.
func (e *eventTx) InsertVisits(ctx context.Context, clicks, impressions []pactum.Visit) error {
	for i := range clicks {
		if clicks[i].ClickID == "" {
			return fmt.Errorf("insert visits: %w", pactum.FieldError(fmt.Sprintf("clicks[%d].click_id", i), "is empty"))
		}
	}
	if err := e.s.insertVisits(ctx, e.tx, clickTable, clicks); err != nil {
		return err
	}
	return e.s.insertVisits(ctx, e.tx, impressionTable, impressions)
}

// insertVisits inserts visits into t in chunks of powers of two, largest first.
func (s *Store) insertVisits(ctx context.Context, tx *sql.Tx, t visitTable, visits []pactum.Visit) error {
	var args []any
	for len(visits) > 0 {
		n := maxChunk
		for n > len(visits) {
			n /= 2
		}
		stmt, err := s.preparedInsert(t, n)
		if err != nil {
			return err
		}
		if args == nil {
			args = make([]any, 0, n*t.width())
		}
		args = args[:0]
		for i := range visits[:n] {
			args = visitArgs(args, t, &visits[i])
		}
		if _, err := tx.StmtContext(ctx, stmt).ExecContext(s.stmtCtx(ctx), args...); err != nil {
			return fmt.Errorf("insert %s: %w", t.name, err)
		}
		visits = visits[n:]
	}
	return nil
}

// prepareVisitInserts prepares the bulk inserts of every chunk size, once per Store. It runs
// before ApplyEvents begins its transaction: how many visits fn inserts is not known then, and
// preparing on the writer pool inside the transaction would wait for the one SQLite connection
// the transaction holds.
func (s *Store) prepareVisitInserts(ctx context.Context) error {
	s.prepareMu.Lock()
	defer s.prepareMu.Unlock()
	s.mu.Lock()
	closed, done := s.stmts == nil, s.visitsPrepared
	s.mu.Unlock()
	if closed {
		return errors.New("store is closed")
	}
	if done {
		return nil
	}
	var queries []string
	for _, t := range []visitTable{clickTable, impressionTable} {
		for n := 1; n <= maxChunk; n *= 2 {
			queries = append(queries, s.bulkInsertQuery(t, n))
		}
	}
	for _, q := range eventTxQueries {
		queries = append(queries, s.q(q))
	}
	for _, name := range rollupTableNames {
		for n := 1; n <= maxRollupChunk; n *= 2 {
			queries = append(queries, s.q(s.upsertQuery(rollupTables[name], n)))
		}
	}
	// Prepared without mu held: preparing waits for ev's connection, which a transaction on it
	// may hold while it looks a statement up under mu (a deadlock on a restarted server, whose
	// keeper had changes to consume when the first events came).
	prepared := map[string]*sql.Stmt{}
	closeAll := func() {
		for _, st := range prepared {
			st.Close()
		}
	}
	for _, query := range queries {
		s.mu.Lock()
		_, ok := s.stmts[query]
		s.mu.Unlock()
		if ok || prepared[query] != nil {
			continue
		}
		st, err := s.ev.PrepareContext(ctx, query)
		if err != nil {
			closeAll()
			return fmt.Errorf("prepare %q: %w", query, err)
		}
		prepared[query] = st
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stmts == nil {
		closeAll()
		return errors.New("store is closed")
	}
	maps.Copy(s.stmts, prepared)
	s.visitsPrepared = true
	return nil
}

// preparedInsert returns the statement prepareVisitInserts made to insert n rows into t.
func (s *Store) preparedInsert(t visitTable, n int) (*sql.Stmt, error) {
	st := s.prepared(s.bulkInsertQuery(t, n))
	if st == nil {
		return nil, fmt.Errorf("insert into %s: no statement prepared for %d rows", t.name, n)
	}
	return st, nil
}

// bulkInsertQuery returns the query that inserts n rows into t. The texts are cached: the hot
// path looks its statements up by them.
func (s *Store) bulkInsertQuery(t visitTable, n int) string {
	key := bulkKey{t.name, n}
	if v, ok := s.bulkQueries.Load(key); ok {
		return v.(string)
	}
	var b strings.Builder
	b.WriteString("INSERT INTO " + t.name + " (" + t.columns + ") VALUES ")
	row := "(" + strings.Repeat("?, ", t.width()-1) + "?)"
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteString(t.suffix)
	query := s.q(b.String())
	s.bulkQueries.Store(key, query)
	return query
}

type bulkKey struct {
	table string
	rows  int
}

func visitArgs(args []any, t visitTable, v *pactum.Visit) []any {
	if t.clickID {
		args = append(args, v.ClickID)
	}
	return append(args, micros(v.Time), v.OfferID, v.PartnerID, v.LinkID,
		v.Sub[0], v.Sub[1], v.Sub[2], v.Sub[3], v.Sub[4], v.Source, v.IP, v.UserAgent, v.Referer,
		v.Device, v.OS, v.Browser, v.Country, v.Bot, v.Unique, v.Rejected, v.Flags, v.Invalid)
}

func scanVisit(row scanner, v *pactum.Visit, key ...any) error {
	var at int64
	err := row.Scan(append(key, &at, &v.OfferID, &v.PartnerID, &v.LinkID,
		&v.Sub[0], &v.Sub[1], &v.Sub[2], &v.Sub[3], &v.Sub[4], &v.Source, &v.IP, &v.UserAgent, &v.Referer,
		&v.Device, &v.OS, &v.Browser, &v.Country, &v.Bot, &v.Unique, &v.Rejected, &v.Flags, &v.Invalid)...)
	v.Time = fromMicros(at)
	return err
}

const appliedPosition = `SELECT pos FROM log_positions WHERE stream = ?`

// AppliedPosition returns the last log position ApplyEvents recorded for stream, or 0.
func (s *Store) AppliedPosition(ctx context.Context, stream string) (uint64, error) {
	var pos int64
	err := s.r.QueryRowContext(ctx, s.q(appliedPosition), stream).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("applied position: %w", err)
	}
	return uint64(pos), nil
}

const clickColumns = `SELECT seq, click_id, ` + visitColumns + ` FROM clicks`

// Clicks returns a page of the clicks that match f, by Seq.
func (s *Store) Clicks(ctx context.Context, f pactum.ClickFilter, p pactum.Page) ([]pactum.StoredClick, error) {
	w := visitFilter(f)
	query, args := w.page(clickColumns, "seq", p)
	out, err := list(ctx, s.r, s.q(query), args, func(row scanner) (pactum.StoredClick, error) {
		var c pactum.StoredClick
		err := scanVisit(row, &c.Visit, &c.Seq, &c.ClickID)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("list clicks: %w", err)
	}
	return out, nil
}

// CountClicks counts the clicks that match f.
func (s *Store) CountClicks(ctx context.Context, f pactum.ClickFilter) (int64, error) {
	n, err := s.count(ctx, "clicks", f)
	if err != nil {
		return 0, fmt.Errorf("count clicks: %w", err)
	}
	return n, nil
}

// CountImpressions counts the impressions that match f.
func (s *Store) CountImpressions(ctx context.Context, f pactum.ClickFilter) (int64, error) {
	n, err := s.count(ctx, "impressions", f)
	if err != nil {
		return 0, fmt.Errorf("count impressions: %w", err)
	}
	return n, nil
}

func (s *Store) count(ctx context.Context, table string, f pactum.ClickFilter) (int64, error) {
	w := visitFilter(f)
	var n int64
	err := s.r.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM "+table+w.String()), w.args...).Scan(&n)
	return n, err
}

func visitFilter(f pactum.ClickFilter) *where {
	w := new(where)
	if f.OfferID != 0 {
		w.add("offer_id = ?", f.OfferID)
	}
	if f.PartnerID != 0 {
		w.add("partner_id = ?", f.PartnerID)
	}
	if f.AdvertiserID != 0 {
		w.add(offersOfAdvertiser, f.AdvertiserID)
	}
	if !f.From.IsZero() {
		w.add("time >= ?", micros(f.From))
	}
	if !f.To.IsZero() {
		w.add("time < ?", micros(f.To))
	}
	return w
}

const clicksSince = `SELECT click_id, ` + visitColumns + ` FROM clicks WHERE time >= ? ORDER BY time, seq`

// ClicksSince calls fn for each click at or after since, oldest first, and stops at the first
// error fn returns, which it returns unwrapped.
func (s *Store) ClicksSince(ctx context.Context, since time.Time, fn func(pactum.Visit) error) error {
	rows, err := s.r.QueryContext(ctx, s.q(clicksSince), micros(since))
	if err != nil {
		return fmt.Errorf("clicks since: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v pactum.Visit
		if err := scanVisit(rows, &v, &v.ClickID); err != nil {
			return fmt.Errorf("clicks since: %w", err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("clicks since: %w", err)
	}
	return nil
}

// LastClickSeq returns the largest click sequence, 0 with none.
func (s *Store) LastClickSeq(ctx context.Context) (int64, error) {
	var seq sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT MAX(seq) FROM clicks`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("last click: %w", err)
	}
	return seq.Int64, nil
}
