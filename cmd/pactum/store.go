package main

import (
	"context"
	"fmt"
	"io"
	"net/url"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/store/postgres"
	"github.com/pactum/pactum/store/sqlite"
)

// openStore opens the store named by --db, applying its migrations.
func openStore(ctx context.Context, db string) (pactum.Store, error) {
	if isPostgres(db) {
		s, err := postgres.Open(ctx, db)
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL store %s: %w", redactDSN(db), err)
		}
		return s, nil
	}
	s, err := sqlite.Open(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("open SQLite store %s: %w", db, err)
	}
	return s, nil
}

// redactDSN hides a password in a database URL, so that logs never carry it.
func redactDSN(db string) string {
	u, err := url.Parse(db)
	if err != nil || u.User == nil {
		return db
	}
	return u.Redacted()
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", "Create or upgrade the store's schema (serve does this too at start), then exit.", stderr)
	cfg, err := parseOptions(fs, args, "db")
	if err != nil {
		return err
	}
	s, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema of %s is up to date\n", redactDSN(cfg.DB))
	return s.Close()
}
