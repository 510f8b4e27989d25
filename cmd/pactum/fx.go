package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/fx"
)

// stdin is what `pactum fx load -` reads; tests replace it.
var stdin io.Reader = os.Stdin

// fxChunk is how many rates one transaction of `fx load` stores: small enough to show progress
// through the ECB's whole history (some 200,000 rates) and to keep SQLite's one writer free for
// a running server between chunks; each chunk is an upsert, so an interrupted load is completed
// by running it again.
const fxChunk = 20_000

// fxReachWithin is how soon rates stored by `fx load` reach running servers: they poll the
// store's version of the rates every fxPollEvery and read them again when it changed.
const fxReachWithin = 5 * time.Second

const fxUsage = `Usage: pactum fx load [flags] FILE

Commands:
  load FILE   store the currency reference rates of FILE (- for stdin), replacing those of the
              same days and currencies
`

func runFX(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "load" {
		fmt.Fprint(stderr, fxUsage)
		return flag.ErrHelp
	}
	return runFXLoad(ctx, args[1:], stdout, stderr)
}

func runFXLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("fx load", "", stderr)
	var cfg Config
	opts := bindOptions(fs, &cfg, "db")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Store currency reference rates, which convert amounts between currencies (SPEC section 2).

Usage: pactum fx load [flags] FILE

FILE (- for stdin) is CSV in either layout:
  - the ECB's reference rates as published, eurofxref.csv (today) or eurofxref-hist.csv (every
    day since 1999), from https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip:
      Date, USD, JPY, BGN, ...
      20 November 2026, 1.0512, 161.85, 1.9558, ...
    N/A values are skipped, and so are the columns of currencies Pactum does not know;
  - one rate a line, with or without this header:
      date,currency,rate_per_EUR
      2026-11-20,USD,1.0512

A rate is how many units of the currency one euro buys that day. Rates already stored for the
same day and currency are replaced; others are kept. A conversion uses the rate of its day, or
the latest in the 7 days before (the ECB publishes none on weekends and holidays).

Example:
  curl -sO https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip
  unzip -p eurofxref-hist.zip | pactum fx load -

Flags:
`)
		printFlags(fs)
	}
	// Flags may come before or after FILE.
	if err := fs.Parse(args); err != nil {
		return err
	}
	file := fs.Arg(0)
	if fs.NArg() > 0 {
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
	}
	if file == "" || fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("fx load takes one FILE (- for stdin)")
	}
	if err := opts.load(); err != nil {
		return err
	}

	name, in := file, stdin
	if file == "-" {
		name = "stdin"
	} else {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	parsed, err := fx.Decode(in)
	if err != nil {
		return fmt.Errorf("%s: %s", name, describe(err))
	}

	// The store is opened only for a file that parsed, so that a typo does not create a database.
	s, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	rates := parsed.Rates
	for done := 0; done < len(rates); {
		n := min(fxChunk, len(rates)-done)
		if _, err := s.PutFXRates(ctx, rates[done:done+n]); err != nil {
			return fmt.Errorf("store rates of %s: %s", name, describe(err))
		}
		done += n
		if len(rates) > fxChunk {
			fmt.Fprintf(stderr, "stored %s of %s rates\n", thousands(done), thousands(len(rates)))
		}
	}

	currencies := make(map[string]bool)
	for _, r := range rates {
		currencies[r.Currency] = true
	}
	// Decode orders the rates by date.
	fmt.Fprintf(stdout, "loaded %s rates: %d currencies, %s to %s\n", thousands(len(rates)), len(currencies),
		rates[0].Date.Format(pactum.DateLayout), rates[len(rates)-1].Date.Format(pactum.DateLayout))
	if len(parsed.Skipped) > 0 {
		fmt.Fprintf(stdout, "left out the columns of currencies Pactum does not know: %s\n", strings.Join(parsed.Skipped, ", "))
	}
	fmt.Fprintf(stdout, "running servers on this database use them within %d seconds\n", fxReachWithin/time.Second)
	return nil
}

// describe renders an error for the terminal: a *pactum.Error as "field: message" (the field of
// a file names its line and column), anything else as it is.
func describe(err error) string {
	if pactum.ErrorCode(err) == pactum.EINTERNAL {
		return err.Error()
	}
	if f := pactum.ErrorField(err); f != "" {
		return f + ": " + pactum.ErrorMessage(err)
	}
	return pactum.ErrorMessage(err)
}

// thousands writes a count with commas between groups of three digits: 205,123.
func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
