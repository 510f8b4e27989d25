package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// TestPragmas checks the settings every connection gets from its DSN.
func TestPragmas(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pactum.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct {
		name, dsn string
		want      map[string]string
	}{
		{"writer", writerPragmas, map[string]string{
			"journal_mode": "wal", "foreign_keys": "1", "synchronous": "2", "busy_timeout": "10000",
			"temp_store": "2", "query_only": "0"}},
		{"event writer", eventPragmas, map[string]string{
			"journal_mode": "wal", "foreign_keys": "1", "synchronous": "1", "busy_timeout": "10000",
			"temp_store": "2", "query_only": "0"}},
		{"reader", readerPragmas, map[string]string{
			"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000", "query_only": "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := sql.Open("sqlite", path+"?"+tt.dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for pragma, want := range tt.want {
				var got string
				if err := db.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
					t.Fatalf("PRAGMA %s: %v", pragma, err)
				}
				if got != want {
					t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
				}
			}
		})
	}
}
