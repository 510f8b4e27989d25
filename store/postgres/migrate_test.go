package postgres_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/pactum/pactum/store/postgres"
	"github.com/pactum/pactum/store/postgres/pgtest"
)

// TestConcurrentOpen starts several processes' worth of Open on one empty schema at once: the
// advisory lock must let exactly one of them migrate and the others find the schema ready.
func TestConcurrentOpen(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	const n = 4
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s, err := postgres.Open(ctx, dsn)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("concurrent Open: %v", err)
		}
	}

	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	var applied int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&applied); err != nil {
		t.Fatal(err)
	}
	// The files embedded in the package, read from its directory (go test runs there).
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if applied != len(files) {
		t.Fatalf("schema_migrations has %d rows, want %d", applied, len(files))
	}
	// The tables are in the test's schema, not in public.
	var schema sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT to_regclass('clicks')::text, current_schema()").Scan(&schema, new(string)); err != nil || !schema.Valid {
		t.Fatalf("clicks not found on the search_path: %v", err)
	}
}
