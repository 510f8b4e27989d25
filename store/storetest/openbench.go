package storetest

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/pactum/pactum/store/postgres"
	"github.com/pactum/pactum/store/sqldb"
	"github.com/pactum/pactum/store/sqlite"
)

// OpenBench opens the store that PACTUM_BENCH_DB names (a SQLite path or a postgres:// URL),
// one that `pactum gen` filled, for the benchmarks at scale; it skips the benchmark without it
// and closes the store when the benchmark ends.
func OpenBench(b testing.TB) *sqldb.Store {
	b.Helper()
	db := os.Getenv("PACTUM_BENCH_DB")
	if db == "" {
		b.Skip("PACTUM_BENCH_DB names no store that pactum gen filled")
	}
	var st *sqldb.Store
	var err error
	if strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://") {
		st, err = postgres.Open(context.Background(), db)
	} else {
		st, err = sqlite.Open(context.Background(), db)
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}
