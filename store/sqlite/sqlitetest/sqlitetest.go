// Package sqlitetest gives tests a real SQLite store. It is a package of its own, imported only
// by tests, so that "testing" stays out of the pactum binary (cmd/pactum's TestNoTestingInBinary).
package sqlitetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pactum/pactum/store/sqldb"
	"github.com/pactum/pactum/store/sqlite"
)

// Open opens a fresh store in t's temporary directory and closes it when t ends.
func Open(t testing.TB) *sqldb.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "pactum.db"))
	if err != nil {
		t.Fatalf("open temporary sqlite store: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close temporary sqlite store: %v", err)
		}
	})
	return s
}
