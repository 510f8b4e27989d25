// Package pgtest gives tests a real PostgreSQL store, each in a schema of its own on the test
// server. It is a package of its own, imported only by tests, so that "testing" stays out of the
// pactum binary (cmd/pactum's TestNoTestingInBinary).
package pgtest

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/pactum/pactum/store/postgres"
	"github.com/pactum/pactum/store/sqldb"
)

// DefaultDSN is the server tests use unless PACTUM_TEST_POSTGRES names another.
const DefaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Open opens a store in a fresh schema of the test server (see DSN) and closes it when t ends.
func Open(t testing.TB) *sqldb.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), DSN(t))
	if err != nil {
		t.Fatalf("open postgres store: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close postgres store: %v", err)
		}
	})
	return s
}

// DSN creates an empty schema with a random name on the test server (PACTUM_TEST_POSTGRES,
// else DefaultDSN), drops it when t ends, and returns a DSN whose search_path is that
// schema: for tests that open the store themselves, or start a binary with it. If the server
// does not answer the test fails: CI has one, and a skipped suite would hide that nothing ran.
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("PACTUM_TEST_POSTGRES")
	if dsn == "" {
		dsn = DefaultDSN
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("PACTUM_TEST_POSTGRES: %v", err)
	}
	ctx := context.Background()
	admin := stdlib.OpenDB(*cfg)
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		t.Fatalf("postgres test server %s does not answer (set PACTUM_TEST_POSTGRES to one that does): %v", dsn, err)
	}
	// rand.Text is base32 (A-Z, 2-7): lower-cased, it is a valid unquoted identifier.
	schema := "pactum_test_" + strings.ToLower(rand.Text()[:16])
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	return withSearchPath(dsn, schema)
}

// withSearchPath returns dsn with search_path set to schema, in either of the DSN forms.
func withSearchPath(dsn, schema string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}
