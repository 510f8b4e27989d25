package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"path/filepath"
	"strings"
	"testing"
)

// TestGen runs pactum gen on a small data set, then reports rebuild on it; --help says what gen
// is for; a second gen into the same store is refused. (benchdata's tests compare the reports
// with the raw tables, on both stores.)
func TestGen(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "bench.db")
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"gen", "--help"}, &out, &errOut); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	for _, want := range []string{"for benchmarks", "Not the demo", "--clicks", "--conversions", "--db", "reports rebuild"} {
		if !strings.Contains(errOut.String(), strings.TrimPrefix(want, "-")) {
			t.Errorf("--help does not say %q:\n%s", want, errOut.String())
		}
	}
	out.Reset()
	errOut.Reset()
	args := []string{"gen", "--db", db, "--clicks", "5000", "--conversions", "150", "--partners", "12", "--days", "20", "--end", "2026-12-01"}
	if err := run(ctx, args, &out, &errOut); err != nil {
		t.Fatalf("gen: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{"5000 clicks", "150 conversions", "2026-11-11 to 2026-11-30", "12 partners"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("gen's summary does not say %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(errOut.String(), "20/20 days 100%") {
		t.Errorf("no progress bar: %q", errOut.String())
	}
	if err := run(ctx, args, &out, &errOut); err == nil || !strings.Contains(err.Error(), "holds events already") {
		t.Errorf("gen into a store with events: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"reports", "rebuild", "--db", db}, &out, &errOut); err != nil || !strings.Contains(out.String(), "rebuilt") {
		t.Errorf("rebuild: %q, %v", out.String(), err)
	}
}
