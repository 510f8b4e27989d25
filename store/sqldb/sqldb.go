// Package sqldb is the one implementation of pactum.Store, over database/sql. The SQLite and
// PostgreSQL stores (store/sqlite, store/postgres) open their databases, run their migrations and
// hand the handles to New with a Dialect: the few things that differ between the two. Every query
// is written once, with ? placeholders, in the portable subset both databases share (RETURNING,
// ON CONFLICT, LIMIT), next to the method that runs it.
//
// Schema conventions both migration sets follow: ids are BIGINT, times are BIGINT unix
// microseconds UTC, money is BIGINT minor units of the row's currency, JSON is TEXT, hashes are
// BLOB/BYTEA.
package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pactum/pactum"
)

// Dialect is what differs between the databases behind a Store.
type Dialect struct {
	// Numbered says that placeholders are $1, $2, ... (PostgreSQL) rather than ?.
	Numbered bool
	// UniqueViolation reports whether err is a violated UNIQUE or PRIMARY KEY constraint.
	UniqueViolation func(error) bool
	// ForeignKeyViolation reports whether err is a violated FOREIGN KEY constraint.
	ForeignKeyViolation func(error) bool
	// ForUpdate says that a read-modify-write locks the row it reads with SELECT ... FOR UPDATE
	// (PostgreSQL). SQLite has no such clause and needs none: its write transactions take the
	// database's write lock at BEGIN (IMMEDIATE) and, queued by OneWriter, run one at a time.
	ForUpdate bool
	// OneWriter says that the database lets one write transaction run at a time (SQLite): the
	// store then queues its writers in Go, in order, rather than have them poll the database's
	// lock, where a stream of event transactions could starve an API write until it times out.
	OneWriter bool
	// LastInsertID says that an INSERT's result gives the id of the row it stored (SQLite), so
	// that the event transaction's inserts need no RETURNING: SQLite runs RETURNING as a
	// trigger, and a statement with a trigger keeps a statement journal of every page it
	// changes, a copy the plain INSERT does without.
	LastInsertID bool
	// InProcess says that the database runs in this process (SQLite), so that a statement ends
	// on its own and a write transaction's statements need not watch their context
	// (Store.stmtCtx).
	InProcess bool
	// Checkpoint is the statement that makes the event writer's commits durable, where they are
	// not durable as they commit (SQLite's event writer); empty where they are.
	Checkpoint string
	// ConversionLock is the statement EventTx.LockConversions runs to serialise conversion
	// processing across processes until the transaction ends (PostgreSQL's transaction-level
	// advisory lock); empty where write transactions run one at a time already (SQLite).
	ConversionLock string
	// Snapshot is the isolation level of transactions that must read the database at one
	// moment across statements (a payout run: PostgreSQL's REPEATABLE READ); 0 is the default,
	// which is that already where write transactions run one at a time (SQLite).
	Snapshot sql.IsolationLevel
	// SerializationFailure reports whether err is a snapshot transaction that lost to a
	// concurrent one and may simply be run again (PostgreSQL's 40001); nil where none can.
	SerializationFailure func(error) bool
	// RebuildLocks are the statements a rollup rebuild runs first, so that the event
	// transactions that add to the same rollups wait for it (PostgreSQL: the conversion lock and
	// a SHARE lock on the visit tables); none where write transactions run one at a time.
	RebuildLocks []string
	// Copy, where set, writes rows of columns into table on conn faster than INSERTs do
	// (PostgreSQL's COPY): bulk loads (Store.BulkLoad) use it.
	Copy func(ctx context.Context, conn *sql.Conn, table string, columns []string, rows [][]any) error
	// ResetIdentity, where set, is the statement (with %s for the table) that moves a table's
	// id generator past the ids a bulk load stored (PostgreSQL's identity sequences).
	ResetIdentity string
}

// Store implements pactum.Store.
type Store struct {
	w  *sql.DB // writes, and reads inside write transactions
	ev *sql.DB // the event log's transactions (ApplyEvents); may be w itself
	r  *sql.DB // reads; may be w itself
	d  Dialect

	queries     sync.Map // query with ? -> query in the dialect's placeholders
	bulkQueries sync.Map // bulkKey -> multi-row INSERT in the dialect's placeholders

	writeMu sync.Mutex // held by every write when the dialect has OneWriter

	onClose func() // run by Close after the handles are closed; may be nil

	// mu guards stmts, and is never held while waiting for a connection: a transaction on ev
	// (the reports' keeper's) looks statements up under it. prepareMu makes one caller at a
	// time prepare them.
	mu             sync.Mutex
	prepareMu      sync.Mutex
	stmts          map[string]*sql.Stmt // the event transaction's statements, prepared on ev, by query text
	visitsPrepared bool                 // stmts holds every chunk size of both visit tables

	values valueCache // ids of report_values

	readStmts sync.Map // query -> *sql.Stmt prepared on r (Store.readStmt)
}

var _ pactum.Store = (*Store)(nil)

// New returns a Store over writer, events and reader, which must hold a migrated schema. For
// SQLite the writer and the event writer are single connections (see store/sqlite for why two)
// and the reader a pool; for PostgreSQL all three are the same pool.
// Reads go to the reader: a transaction that starts after a commit sees it (WAL in SQLite, any
// isolation level in PostgreSQL), so a Get right after a Create finds the row.
func New(writer, events, reader *sql.DB, d Dialect) *Store {
	return &Store{w: writer, ev: events, r: reader, d: d, stmts: make(map[string]*sql.Stmt)}
}

// OnClose has Close run fn after it closed the handles: for what the handles are opened from,
// such as PostgreSQL's connection pool, which closing a *sql.DB does not close. Call it before
// the Store is used.
func (s *Store) OnClose(fn func()) { s.onClose = fn }

// Close closes the prepared statements and the handles.
func (s *Store) Close() error {
	s.mu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = nil
	s.mu.Unlock()
	s.readStmts.Range(func(q, st any) bool {
		st.(*sql.Stmt).Close()
		s.readStmts.Delete(q)
		return true
	})
	err := s.w.Close()
	if s.ev != s.w {
		err = errors.Join(err, s.ev.Close())
	}
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	if s.onClose != nil {
		s.onClose()
	}
	return err
}

// readStmt returns query prepared on the read pool, once (database/sql prepares it on each
// connection as it is first used there), and nil where the database is not in this process: for
// the few texts read every batch of changes (inChunks' IN lists), which SQLite would otherwise
// parse again each time. PostgreSQL's pool hands database/sql a new connection for each
// transaction, on which such a statement would be prepared and deallocated again, two round
// trips, where pgx's own statement cache keeps them across the pool's connections.
func (s *Store) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if !s.d.InProcess {
		return nil, nil
	}
	if st, ok := s.readStmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.r.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if was, loaded := s.readStmts.LoadOrStore(query, st); loaded {
		st.Close()
		return was.(*sql.Stmt), nil
	}
	return st, nil
}

// stmtCtx returns the context a statement of a write transaction runs with (the event
// transaction's, and those through statements, the change feed's and the keeper's among them):
// ctx without its cancellation where the database runs in this process (Dialect.InProcess).
// modernc.org/sqlite starts and ends a goroutine for every statement whose context can be
// cancelled, which costs the event transaction's short statements, several a conversion, more
// than their reads and writes; and such a statement cannot hang on a network.
// The transaction still ends with ctx: database/sql rolls it back once ctx is done, and its
// commit then fails. Over a network (PostgreSQL) a statement keeps ctx, so that a shutdown
// never waits on a server that stopped answering.
func (s *Store) stmtCtx(ctx context.Context) context.Context {
	if s.d.InProcess {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// q returns query in the dialect's placeholders. Queries are a bounded set (named constants and
// the filter combinations of the lists), so the rebound text is cached rather than rebuilt.
func (s *Store) q(query string) string {
	if !s.d.Numbered {
		return query
	}
	if v, ok := s.queries.Load(query); ok {
		return v.(string)
	}
	v := Rebind(query)
	s.queries.Store(query, v)
	return v
}

// qOnce is q for text built per request (a report's periods are literals in it): rebound each
// time rather than cached, so that the cache stays as bounded as the queries it holds.
func (s *Store) qOnce(query string) string {
	if !s.d.Numbered {
		return query
	}
	return Rebind(query)
}

// Rebind turns ? placeholders into $1, $2, ... ; question marks inside quoted strings and
// identifiers are left alone.
func Rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + len(query)/8)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// inTx runs fn in a transaction on the writer, committing if it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.inTxOn(ctx, s.w, fn)
}

// lockWrites queues the caller behind the other writers where the database has one writer at a
// time, and returns the unlock.
func (s *Store) lockWrites() func() {
	if !s.d.OneWriter {
		return func() {}
	}
	s.writeMu.Lock()
	return s.writeMu.Unlock
}

func (s *Store) inTxOn(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	return s.inTxOpts(ctx, db, nil, fn)
}

// inSnapshot runs fn in a write transaction that reads the database at one moment (the
// dialect's Snapshot), running it again when it lost to a concurrent transaction.
func (s *Store) inSnapshot(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var opts *sql.TxOptions
	if s.d.Snapshot != 0 {
		opts = &sql.TxOptions{Isolation: s.d.Snapshot}
	}
	for attempt := 1; ; attempt++ {
		err := s.inTxOpts(ctx, s.w, opts, fn)
		if err == nil || s.d.SerializationFailure == nil || !s.d.SerializationFailure(err) || attempt == 5 {
			return err
		}
	}
}

func (s *Store) inTxOpts(ctx context.Context, db *sql.DB, opts *sql.TxOptions, fn func(tx *sql.Tx) error) error {
	defer s.lockWrites()()
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// exists returns an EINVALID error naming field unless table has a row with id. Checking inside
// the write transaction gives a clear error about the field; the foreign keys in the schema stay
// the guarantee.
func (s *Store) exists(ctx context.Context, tx *sql.Tx, table, field string, id int64) error {
	var one int
	err := tx.QueryRowContext(ctx, s.q("SELECT 1 FROM "+table+" WHERE id = ?"), id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return pactum.FieldError(field, "%s %d does not exist", strings.TrimSuffix(table, "s"), id)
	}
	return err
}

// writeError translates constraint violations of a write: a unique violation is a conflict on
// uniqueField, a foreign key violation (a referenced row vanished under us) is invalid input.
func (s *Store) writeError(err error, uniqueField, what string) error {
	var pe *pactum.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pe):
		return err
	case s.d.UniqueViolation(err):
		return &pactum.Error{Code: pactum.ECONFLICT, Field: uniqueField, Message: fmt.Sprintf("%s with this %s exists already", what, uniqueField)}
	case s.d.ForeignKeyViolation(err):
		return pactum.Errorf(pactum.EINVALID, "%s refers to a row that does not exist", what)
	}
	return err
}

// notFound maps sql.ErrNoRows to an ENOTFOUND error naming what was looked for.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return pactum.Errorf(pactum.ENOTFOUND, format, args...)
	}
	return err
}

// micros converts a time to what the schema stores: unix microseconds, UTC.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros is the inverse of micros.
func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

// nullMicros stores the zero time as NULL.
func nullMicros(t time.Time) sql.NullInt64 {
	return sql.NullInt64{Int64: micros(t), Valid: !t.IsZero()}
}

func fromNullMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMicros(v.Int64)
}

// stamp returns t as it will read back from the store (UTC, microseconds), or now if t is zero.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		t = time.Now()
	}
	return fromMicros(micros(t))
}

// Page sizes.
const (
	defaultLimit = 50
	maxLimit     = 1000
)

func limit(p pactum.Page) int {
	switch {
	case p.Limit <= 0:
		return defaultLimit
	case p.Limit > maxLimit:
		return maxLimit
	}
	return p.Limit
}

// where collects the conditions of a list or count query.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, arg any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, arg)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// page appends the cursor condition on column key and returns the ordered, limited query.
func (w *where) page(selectFrom, key string, p pactum.Page) (string, []any) {
	w.add(key+" > ?", p.After)
	return selectFrom + w.String() + " ORDER BY " + key + " LIMIT ?", append(w.args, limit(p))
}

// nullID stores the id 0 ("none") as NULL, so that optional references satisfy foreign keys.
func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// nullBytes stores an empty hash as NULL, so that rows without one do not collide on a unique index.
func nullBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// nullString stores an empty string as NULL, for optional values under a unique index.
func nullString(v string) sql.NullString { return sql.NullString{String: v, Valid: v != ""} }

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// list runs a query and scans each row with scan.
func list[T any](ctx context.Context, db querier, query string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{} // an empty list, not nil, so that JSON shows []
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// jsonList encodes a list for a JSON column. An empty or nil list is stored as [] (what other
// readers of the database expect), and reads back nil (readJSONList).
func jsonList[T any](list []T) (string, error) {
	if len(list) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(list)
	return string(b), err
}

// readJSONList decodes a JSON column written by jsonList.
func readJSONList[T any](text string, list *[]T) error {
	if err := json.Unmarshal([]byte(text), list); err != nil {
		return err
	}
	if len(*list) == 0 {
		*list = nil
	}
	return nil
}
