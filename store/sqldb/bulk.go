package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pactum/pactum"
)

// Bulk loading: what pactum gen (package benchdata) writes a generated data set with, straight
// into the tables and in large transactions, for benchmarks. It is not a path events take: it
// writes no change feed, no log position and checks nothing that the event transaction checks
// (dedup keys, replays), so it is for a store that holds no events yet. Rows go in with the
// dialect's Copy where it has one (PostgreSQL's COPY), else in multi-row INSERTs of prepared
// statements.

// bulkRows is the most rows one multi-row INSERT of a bulk load carries: 256 rows of a click's
// 23 columns, fewer of wider rows, under SQLite's 32766 binds.
func bulkRows(columns int) int { return min(256, 32000/columns) }

// Bulk is one transaction of a bulk load (Store.BulkLoad).
type Bulk struct {
	s       *Store
	conn    *sql.Conn
	stmts   map[string]*sql.Stmt
	pending map[string]int64 // report values this transaction added
	stored  bool             // conversions were stored
}

// BulkLoad runs fn in one transaction on a connection of its own and commits if it returns
// nil.
func (s *Store) BulkLoad(ctx context.Context, fn func(*Bulk) error) error {
	defer s.lockWrites()()
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	defer conn.Close()
	b := &Bulk{s: s, conn: conn, stmts: map[string]*sql.Stmt{}, pending: map[string]int64{}}
	defer func() {
		for _, st := range b.stmts {
			st.Close()
		}
	}()
	begin := "BEGIN"
	if s.d.OneWriter {
		begin = "BEGIN IMMEDIATE" // SQLite: take the write lock now, not at the first write
	}
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	err = fn(b)
	if err == nil && b.stored && s.d.ResetIdentity != "" {
		_, err = conn.ExecContext(ctx, fmt.Sprintf(s.d.ResetIdentity, "conversions"))
	}
	if err != nil {
		_, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return errors.Join(err, rerr)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("bulk load: commit: %w", err)
	}
	s.values.publish(b.pending)
	return nil
}

// insert writes rows of columns into table.
func (b *Bulk) insert(ctx context.Context, table string, columns []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if b.s.d.Copy != nil {
		for _, row := range rows {
			for i, v := range row {
				if val, ok := v.(driver.Valuer); ok {
					var err error
					if row[i], err = val.Value(); err != nil {
						return fmt.Errorf("bulk load %s: %w", table, err)
					}
				}
			}
		}
		if err := b.s.d.Copy(ctx, b.conn, table, columns, rows); err != nil {
			return fmt.Errorf("bulk load %s: %w", table, err)
		}
		return nil
	}
	chunk := bulkRows(len(columns))
	args := make([]any, 0, chunk*len(columns))
	for len(rows) > 0 {
		n := min(chunk, len(rows))
		args = args[:0]
		for _, row := range rows[:n] {
			args = append(args, row...)
		}
		row := "(" + placeholders(len(columns)) + ")"
		query := "INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES " +
			strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
		if _, err := b.exec(ctx, query, args...); err != nil {
			return fmt.Errorf("bulk load %s: %w", table, err)
		}
		rows = rows[n:]
	}
	return nil
}

// exec runs query through a statement prepared once per bulk transaction.
func (b *Bulk) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query = b.s.q(query)
	st, ok := b.stmts[query]
	if !ok {
		var err error
		if st, err = b.conn.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		b.stmts[query] = st
	}
	return st.ExecContext(ctx, args...)
}

var (
	clickBulkColumns      = strings.Split(strings.Join(strings.Fields(strings.ReplaceAll(clickTable.columns, ",", " ")), ","), ",")
	impressionBulkColumns = clickBulkColumns[1:]
	conversionBulkColumns = append([]string{"id"}, conversionFields...)
	ledgerBulkColumns     = []string{"partner_id", "advertiser_id", "currency", "kind", "amount", "conversion_id", "payout_id", "time"}
)

// InsertVisits stores clicks and impressions.
func (b *Bulk) InsertVisits(ctx context.Context, clicks, impressions []pactum.Visit) error {
	for _, t := range []struct {
		table  visitTable
		cols   []string
		visits []pactum.Visit
	}{{clickTable, clickBulkColumns, clicks}, {impressionTable, impressionBulkColumns, impressions}} {
		rows := make([][]any, len(t.visits))
		for i := range t.visits {
			if t.table.clickID && t.visits[i].ClickID == "" {
				return fmt.Errorf("bulk load: %w", pactum.FieldError(fmt.Sprintf("clicks[%d].click_id", i), "is empty"))
			}
			rows[i] = visitArgs(make([]any, 0, len(t.cols)), t.table, &t.visits[i])
		}
		if err := b.insert(ctx, t.table.name, t.cols, rows); err != nil {
			return err
		}
	}
	return nil
}

// InsertConversions stores conversions as they are (any status), with the ledger entries of
// their state, and sets their CreatedAt and UpdatedAt where zero. Their IDs are the caller's
// choice, and they and the dedup keys must be new; the store's own ids continue after them.
func (b *Bulk) InsertConversions(ctx context.Context, cs []*pactum.Conversion) error {
	rows := make([][]any, 0, len(cs))
	var ledger [][]any
	b.stored = b.stored || len(cs) > 0
	for _, c := range cs {
		if c.ID == 0 {
			return fmt.Errorf("bulk load: a conversion without an id")
		}
		c.CreatedAt = stamp(c.CreatedAt)
		if c.UpdatedAt.IsZero() {
			c.UpdatedAt = c.CreatedAt
		}
		args, err := conversionArgs(c)
		if err != nil {
			return fmt.Errorf("bulk load conversion %d: %w", c.ID, err)
		}
		rows = append(rows, append([]any{c.ID}, args...))
		for _, le := range pactum.LedgerChanges(nil, c, c.CreatedAt) {
			ledger = append(ledger, ledgerArgs(&le))
		}
	}
	if err := b.insert(ctx, "conversions", conversionBulkColumns, rows); err != nil {
		return err
	}
	return b.insert(ctx, "ledger_entries", ledgerBulkColumns, ledger)
}

// SetReportMemos stores the memos of conversions that have none yet.
func (b *Bulk) SetReportMemos(ctx context.Context, memos []pactum.ReportMemo) error {
	rows := make([][]any, len(memos))
	for i, m := range memos {
		rows[i] = []any{m.ConversionID, m.Data}
	}
	return b.insert(ctx, "report_memos", []string{"conversion_id", "data"}, rows)
}

// AddRollups adds rollup rows: summed by key first, then upserted, or copied where the dialect
// copies (the rows' keys must then be new to the tables: a bulk load adds each day once).
func (b *Bulk) AddRollups(ctx context.Context, rows []pactum.RollupRow) error {
	if b.s.d.Copy == nil {
		return b.s.addRollups(ctx, b.conn, b.exec, rows, b.pending)
	}
	strs := make([]string, 0, 3*len(rows))
	for i := range rows {
		strs = append(strs, rows[i].Value, rows[i].SKU, rows[i].Category)
	}
	ids, err := b.s.valueIDs(ctx, b.conn, strs, b.pending)
	if err != nil {
		return err
	}
	for _, name := range rollupTableNames {
		t := rollupTables[name]
		sums := map[rollupKey]*pactum.Metrics{}
		var keys []rollupKey
		for i := range rows {
			r := &rows[i]
			if r.Table != name {
				continue
			}
			var key rollupKey
			for j, col := range t.key {
				if key[j], err = keyValue(r, col, ids); err != nil {
					return err
				}
			}
			if m, ok := sums[key]; ok {
				m.Add(r.Metrics)
			} else {
				m := r.Metrics
				sums[key] = &m
				keys = append(keys, key)
			}
		}
		slices.SortFunc(keys, func(a, b rollupKey) int { return slices.Compare(a[:], b[:]) })
		out := make([][]any, len(keys))
		for i, key := range keys {
			row := make([]any, 0, len(t.key)+len(metricColumns))
			for _, v := range key[:len(t.key)] {
				row = append(row, v)
			}
			out[i] = metricArgs(row, sums[key])
		}
		if err := b.insert(ctx, t.name, append(slices.Clone(t.key), metricColumns...), out); err != nil {
			return err
		}
	}
	return nil
}
