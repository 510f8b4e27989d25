// Package postgres opens the PostgreSQL store, for deployments that outgrow one machine.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/pactum/pactum/store/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is PostgreSQL's sqldb.Dialect.
var Dialect = sqldb.Dialect{
	Numbered:             true,
	ForUpdate:            true,
	UniqueViolation:      hasState("23505"),
	ForeignKeyViolation:  hasState("23503"),
	Snapshot:             sql.LevelRepeatableRead,
	SerializationFailure: hasState("40001"),
	ConversionLock:       fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", conversionLock),
	RebuildLocks: []string{
		fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", conversionLock),
		"LOCK TABLE clicks, impressions IN SHARE MODE",
	},
	Copy:          copyRows,
	ResetIdentity: "SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), (SELECT MAX(id) FROM %[1]s))",
}

// copyRows writes rows with COPY on conn's connection (in the transaction a bulk load began on
// it).
func copyRows(ctx context.Context, conn *sql.Conn, table string, columns []string, rows [][]any) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("copy into %s: not a pgx connection", table)
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
		return err
	})
}

func hasState(code string) func(error) bool {
	return func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == code
	}
}

// migrationLock is the pg_advisory_lock key held while migrating, so that processes starting at
// once migrate one after the other. It is per database, not per schema: stores in different
// schemas of one database (tests) migrate in turn, which costs little.
const migrationLock = 0x7061_6374_756d // "pactum"

// conversionLock is the pg_advisory_xact_lock key of EventTx.LockConversions. A key of its own:
// a worker must not wait for a process that is migrating, nor the reverse.
const conversionLock = 0x7061_6374_756d_6376 // "pactumcv"

// Open connects to the PostgreSQL database at dsn (a URL or key=value string, as pgxpool
// accepts) and applies the migrations it lacks. A search_path in the DSN selects the schema the
// tables live in. Reads and writes share one pool: PostgreSQL has no single-writer limit.
//
// The connections come from a pgxpool.Pool, which sqldb sees through a *sql.DB so that one SQL
// code base serves both stores. The pool, not database/sql (which OpenDBFromPool keeps no idle
// connections in), decides how many connections there are and how long they live.
func Open(ctx context.Context, dsn string) (*sqldb.Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	cfg.MaxConns = 32
	cfg.MaxConnIdleTime = 5 * time.Minute
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	if err := migrate(ctx, db); err != nil {
		db.Close()
		pool.Close()
		c := cfg.ConnConfig
		return nil, fmt.Errorf("open postgres %s@%s/%s: %w", c.User, c.Host, c.Database, err)
	}
	s := sqldb.New(db, db, db, Dialect)
	s.OnClose(pool.Close)
	return s, nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
		return fmt.Errorf("lock migrations: %w", err)
	}
	// Unlock even if ctx is done, so that a pooled connection does not keep the lock.
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLock)
	files, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return sqldb.Migrate(ctx, conn, Dialect, files)
}
