package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pactum/pactum/report"
)

const reportsUsage = `Usage: pactum reports rebuild [flags]

Commands:
  rebuild   recompute every report rollup from the stored clicks, impressions and conversions
`

func runReports(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rebuild" {
		fmt.Fprint(stderr, reportsUsage)
		return flag.ErrHelp
	}
	fs := newFlagSet("reports rebuild", "", stderr)
	var cfg Config
	opts := bindOptions(fs, &cfg, "db")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Recompute every report rollup from the raw events: the stored clicks, impressions and
conversions, one UTC day at a time, each day in one transaction. Reports answer the same
afterwards; use it after restoring a database without its rollups, or to check them.

It can run while pactum serve runs on the same database: live updates of a day wait for that
day's transaction only. Progress goes to stderr.

Usage: pactum reports rebuild [flags]

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := opts.load(); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	started := time.Now()
	bar := progressBar(stderr, "rebuilding reports", started)
	if err := report.Rebuild(ctx, st, bar); err != nil {
		fmt.Fprintln(stderr)
		return fmt.Errorf("rebuild reports: %w", err)
	}
	fmt.Fprintf(stdout, "report rollups rebuilt in %s\n", time.Since(started).Round(time.Millisecond))
	return nil
}

// progressBar returns a func that draws "what [#####-----] done/all days 50%, 12s left" on one
// line of w, redrawn in place.
func progressBar(w io.Writer, what string, started time.Time) func(done, all int) {
	return func(done, all int) {
		const width = 30
		filled := width * done / max(all, 1)
		left := ""
		if done > 0 && done < all {
			rest := time.Since(started) * time.Duration(all-done) / time.Duration(done)
			left = fmt.Sprintf(", %s left", rest.Round(time.Second))
		}
		fmt.Fprintf(w, "\r%s [%s%s] %d/%d days %d%%%s   ", what, strings.Repeat("#", filled),
			strings.Repeat("-", width-filled), done, all, 100*done/max(all, 1), left)
		if done == all {
			fmt.Fprintln(w)
		}
	}
}
