package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pactum/pactum/store/sqldb"
)

// OpenTemp opens a fresh store in t's temporary directory and closes it when t ends. It is for
// the tests of other packages, which want a real database.
func OpenTemp(t testing.TB) *sqldb.Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "pactum.db"))
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
