package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"time"
)

const (
	// NOT NULL, which SQLite does not imply for a PRIMARY KEY other than an INTEGER one.
	createMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT NOT NULL PRIMARY KEY,
		applied_at BIGINT NOT NULL
	)`
	appliedMigrations = `SELECT name FROM schema_migrations`
	recordMigration   = `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`
)

// Migrate applies the *.sql files at the root of migrations that conn has not applied yet, in
// name order, each in its own transaction together with its row in schema_migrations, so that
// a failed migration leaves neither its changes nor its record. Callers that may race (two
// processes starting on one PostgreSQL) hold a lock on conn around the call.
func Migrate(ctx context.Context, conn *sql.Conn, d Dialect, migrations fs.FS) error {
	names, err := fs.Glob(migrations, "*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(names)
	if _, err := conn.ExecContext(ctx, createMigrations); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	applied := make(map[string]bool)
	rows, err := conn.QueryContext(ctx, appliedMigrations)
	if err != nil {
		return fmt.Errorf("migrate: read schema_migrations: %w", err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return fmt.Errorf("migrate: read schema_migrations: %w", err)
		}
		applied[name] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("migrate: read schema_migrations: %w", err)
	}

	record := recordMigration
	if d.Numbered {
		record = Rebind(record)
	}
	for _, name := range names {
		if applied[path.Base(name)] {
			continue
		}
		body, err := fs.ReadFile(migrations, name)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, record, path.Base(name), time.Now().UnixMicro()); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("migrate %s: record: %w", name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
	}
	return nil
}
