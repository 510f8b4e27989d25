package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pactum/pactum/store/sqlite"
)

const ecbDailyCSV = "Date, USD, JPY, BGN, CZK, DKK, GBP, \n20 November 2026, 1.0512, 161.85, 1.9558, 25.193, 7.4582, 0.8321, \n"

// reachLine ends the output of every load: how soon running servers use the rates
// (TestFXLoadReachesARunningServer holds it true).
const reachLine = "running servers on this database use them within 5 seconds\n"

func TestFXLoad(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pactum.db")
	file := filepath.Join(dir, "eurofxref.csv")
	if err := os.WriteFile(file, []byte(ecbDailyCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	// Flags after FILE are read too.
	if err := run(context.Background(), []string{"fx", "load", file, "--db", db}, &out, &errOut); err != nil {
		t.Fatalf("fx load: %v\n%s", err, errOut.String())
	}
	if got := out.String(); got != "loaded 6 rates: 6 currencies, 2026-11-20 to 2026-11-20\n"+reachLine {
		t.Fatalf("output %q", got)
	}

	// From stdin, the long layout, with a currency the file before did not have and a new rate
	// for one it had.
	stdin = strings.NewReader("date,currency,rate_per_EUR\n2026-11-20,USD,1.0513\n2026-11-19,CHF,0.9312\n")
	t.Cleanup(func() { stdin = os.Stdin })
	out.Reset()
	if err := run(context.Background(), []string{"fx", "load", "--db", db, "-"}, &out, &errOut); err != nil {
		t.Fatalf("fx load -: %v", err)
	}
	if got := out.String(); got != "loaded 2 rates: 2 currencies, 2026-11-19 to 2026-11-20\n"+reachLine {
		t.Fatalf("output %q", got)
	}

	s, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rates, err := s.FXRates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rates {
		got = append(got, r.String())
	}
	want := "2026-11-19 CHF 0.9312, 2026-11-20 BGN 1.9558, 2026-11-20 CZK 25.193, 2026-11-20 DKK 7.4582, " +
		"2026-11-20 GBP 0.8321, 2026-11-20 JPY 161.85, 2026-11-20 USD 1.0513"
	if strings.Join(got, ", ") != want {
		t.Fatalf("stored %s\nwant %s", strings.Join(got, ", "), want)
	}
}

func TestFXLoadProgressAndSkipped(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("Date,USD,JPY,CYP,\n")
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const days = fxChunk/2 + 1 // two rates a day: just over one chunk
	for d := range days {
		fmt.Fprintf(&b, "%s,1.%04d,161.85,N/A,\n", start.AddDate(0, 0, -d).Format("2006-01-02"), d%10000)
	}
	file := filepath.Join(dir, "hist.csv")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"fx", "load", "--db", filepath.Join(dir, "p.db"), file}, &out, &errOut); err != nil {
		t.Fatalf("fx load: %v\n%s", err, errOut.String())
	}
	if got := errOut.String(); got != "stored 20,000 of 20,002 rates\nstored 20,002 of 20,002 rates\n" {
		t.Errorf("progress %q", got)
	}
	first := start.AddDate(0, 0, -(days - 1)).Format("2006-01-02")
	if want := "loaded 20,002 rates: 2 currencies, " + first + " to 2026-01-01\n" +
		"left out the columns of currencies Pactum does not know: CYP\n" + reachLine; out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}

func TestFXLoadErrors(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pactum.db")
	file := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(file, []byte("date,currency,rate_per_EUR\n2026-11-20,USD,1.0512\n2026-11-20,JPY,-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"fx", "load", "--db", db, file}, &out, &errOut)
	if err == nil || err.Error() != file+": line 3, rate_per_EUR: must be positive, not -1" {
		t.Fatalf("fx load of a bad file: %v", err)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("a file that did not parse created the database: %v", err)
	}

	for _, args := range [][]string{{"fx"}, {"fx", "save"}, {"fx", "load", "--help"}} {
		errOut.Reset()
		if err := run(context.Background(), args, &out, &errOut); !errors.Is(err, flag.ErrHelp) || !strings.Contains(errOut.String(), "pactum fx load") {
			t.Errorf("%v: %v\n%s", args, err, errOut.String())
		}
	}
	for _, args := range [][]string{{"fx", "load"}, {"fx", "load", "a.csv", "b.csv"}, {"fx", "load", filepath.Join(dir, "missing.csv")}} {
		if err := run(context.Background(), args, &out, &errOut); err == nil || errors.Is(err, flag.ErrHelp) {
			t.Errorf("%v: %v", args, err)
		}
	}
}

// TestFXLoadReachesARunningServer: rates that `pactum fx load` stores while a server runs on the
// same database are used by it within the time the command promises, not at its next
// --config-refresh.
func TestFXLoadReachesARunningServer(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pactum.db")
	p := startServer(t, freeAddr(t), "--db", db)
	convert := func() int {
		return p.api(http.MethodGet, "/api/v1/fx-rates/convert?from=USD&to=EUR&date=2026-11-20", nil, nil)
	}
	if code := convert(); code != http.StatusNotFound {
		t.Fatalf("before the load: status %d, want 404", code)
	}
	stdin = strings.NewReader("date,currency,rate_per_EUR\n2026-11-20,USD,1.0512\n")
	t.Cleanup(func() { stdin = os.Stdin })
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"fx", "load", "--db", db, "-"}, &out, &errOut); err != nil {
		t.Fatalf("fx load: %v\n%s", err, errOut.String())
	}
	loaded := time.Now()
	for convert() != http.StatusOK {
		if time.Since(loaded) > fxReachWithin {
			t.Fatalf("the server did not use the loaded rates within %s", fxReachWithin)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("the server used the rates %s after the load", time.Since(loaded).Round(time.Millisecond))
}
