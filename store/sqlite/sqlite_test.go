package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/store/sqlite"
	"github.com/pactum/pactum/store/sqlite/sqlitetest"
	"github.com/pactum/pactum/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) pactum.Store { return sqlitetest.Open(t) })
}

// TestReopen checks that migrations are recorded: opening an existing database applies nothing
// twice and keeps its rows.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pactum.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	a := pactum.Advertiser{Name: "Shop", Currency: "EUR"}
	if err := s.CreateAdvertiser(ctx, &a); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if _, err := s.Advertiser(ctx, a.ID); err != nil {
		t.Fatalf("advertiser after reopen: %v", err)
	}
}

func BenchmarkApplyEvents(b *testing.B) {
	storetest.BenchmarkApplyEvents(b, sqlitetest.Open(b), 1000)
}
