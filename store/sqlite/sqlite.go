// Package sqlite opens the SQLite store: Pactum's default, embedded database.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/pactum/pactum/store/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is SQLite's sqldb.Dialect.
var Dialect = sqldb.Dialect{
	OneWriter:    true,
	LastInsertID: true,
	InProcess:    true,
	// PASSIVE never waits for readers (the event log calls it on its applying goroutine); when
	// a reader keeps it from copying every frame, Sync says so and the log tries again later.
	Checkpoint:          "PRAGMA wal_checkpoint(PASSIVE)",
	UniqueViolation:     hasCode(sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY),
	ForeignKeyViolation: hasCode(sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY),
}

func hasCode(codes ...int) func(error) bool {
	return func(err error) bool {
		var e *sqlite.Error
		if !errors.As(err, &e) {
			return false
		}
		for _, c := range codes {
			if e.Code() == c {
				return true
			}
		}
		return false
	}
}

// Pragmas of every connection, set through the DSN so that each pooled connection gets them.
//
// Two write connections, because they need different durability. The API's writes (program
// changes, refunds, decisions) use synchronous=FULL: committed means on disk. The event log's
// transactions (ApplyEvents) use synchronous=NORMAL, which in WAL mode may lose the latest
// commits to a power cut (never corrupting the database): the event log is the durable record of
// those clicks and conversions and replays whatever the store lost, and before it deletes a
// segment it asks the store to checkpoint (Store.Sync), which writes and syncs everything
// committed. That saves an fsync in the one transaction everything waits on; on this machine,
// FULL there cost 40% of conversions/s. BEGIN IMMEDIATE makes the two take turns.
const (
	pragmas       = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
	writerPragmas = pragmas + "&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" + writerCommon
	eventPragmas  = pragmas + "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" + writerCommon
	writerCommon  = "" +
		// Each multi-row INSERT keeps a statement journal (so that it can be undone alone);
		// in memory rather than a temporary file it costs no syscalls (about +20% rows/s in
		// BenchmarkApplyEvents).
		"&_pragma=temp_store(MEMORY)" +
		// BEGIN IMMEDIATE takes the write lock up front, so a transaction that reads before it
		// writes waits (busy_timeout) instead of failing with SQLITE_BUSY when another process
		// (pactum migrate, a CLI) holds the lock.
		"&_txlock=immediate"
	readerPragmas = pragmas + "&_pragma=query_only(1)"
)

// Open opens (creating if needed) the SQLite database at path and applies the migrations it
// lacks. Each kind of write goes through one connection, since SQLite has one writer at a time
// anyway and queuing in Go beats retrying on SQLITE_BUSY; reads use a pool that WAL lets run
// alongside.
func Open(ctx context.Context, path string) (*sqldb.Store, error) {
	// An in-memory database would be a different one for the writer and each reader.
	if path == "" || path == ":memory:" || strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("open sqlite: invalid path %q", path)
	}
	w, err := sql.Open("sqlite", path+"?"+writerPragmas)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	ev, err := sql.Open("sqlite", path+"?"+eventPragmas)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	ev.SetMaxOpenConns(1)
	// Keep the event writer's connection for good: its statements are prepared on it.
	ev.SetConnMaxLifetime(0)
	ev.SetConnMaxIdleTime(0)

	// The reader is opened after the writer has switched the file to WAL (a persistent setting).
	r, err := sql.Open("sqlite", path+"?"+readerPragmas)
	if err != nil {
		w.Close()
		ev.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		ev.Close()
		r.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return sqldb.New(w, ev, r, Dialect), nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	files, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return sqldb.Migrate(ctx, conn, Dialect, files)
}
