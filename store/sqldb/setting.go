package sqldb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
)

const (
	settingByName = `SELECT value FROM settings WHERE name = ?`
	insertSetting = `INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`
	upsertSetting = `INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`
)

// newVersion returns a value for a version setting (pactum.SettingFXVersion) that no earlier
// one had: random, so that two processes storing at once never write the same one.
func newVersion() string {
	return rand.Text()
}

// Setting returns the value stored under name.
func (s *Store) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := s.r.QueryRowContext(ctx, s.q(settingByName), name).Scan(&v)
	if err != nil {
		return "", fmt.Errorf("setting: %w", notFound(err, "setting %q not found", name))
	}
	return v, nil
}

// SetSettingIfAbsent stores value under name unless a value is there already, and returns the
// value in force. The read is in the same transaction on the writer: in PostgreSQL an insert
// that meets a concurrent one waits for it to commit, and the read that follows (a new snapshot
// under READ COMMITTED) sees the winner's value; SQLite has one writer.
func (s *Store) SetSettingIfAbsent(ctx context.Context, name, value string) (string, error) {
	var v string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(insertSetting), name, value); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, s.q(settingByName), name).Scan(&v)
	})
	if err != nil {
		return "", fmt.Errorf("set setting %q: %w", name, err)
	}
	return v, nil
}
