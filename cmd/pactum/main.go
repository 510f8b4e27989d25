// Command pactum runs the Pactum partner-program platform: the tracking edge, the API and the
// background processors, on an embedded SQLite store or on PostgreSQL.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `Pactum tracks partner clicks and sales, attributes them and pays commissions.

Usage:
  pactum <command> [flags]

Commands:
  serve          run the tracking edge, the REST API and the background processors
  migrate        create or upgrade the store's schema, then exit
  demo           create the demo program with six weeks of simulated traffic, then exit
                 (serve --demo does the same at its start)
  users create   create a web UI login (--email) or an API key for an admin, an advertiser
                 or a partner
  fx load FILE   store currency reference rates: the ECB's CSV, or date,currency,rate_per_EUR
  fraud asn-update
                 build the ASN database of the datacenter fraud rule from @ip-location-db/asn
  payouts run    approve what is due and make the payout runs due on a date
  reports rebuild
                 recompute every report rollup from the stored events
  gen            generate a large data set straight into a store, for benchmarks of reports
  loadtest       drive a running server over HTTP and report throughput, latency and
                 whether every acknowledged click was stored
  version        print the version, the commit it was built from and the Go toolchain

Run 'pactum <command> --help' for the flags of a command. A flag whose help names an
environment variable can also be set with it: --db is PACTUM_DB, --admin-api-key is
PACTUM_ADMIN_API_KEY. A flag given wins; an empty variable means the default.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "pactum:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "demo":
		return runDemo(ctx, rest, stdout, stderr)
	case "users":
		if len(rest) == 0 || rest[0] != "create" {
			fmt.Fprint(stderr, "Usage: pactum users create [--email E --password-file -] --role admin|advertiser|partner [flags]\n")
			return flag.ErrHelp
		}
		return runUsersCreate(ctx, rest[1:], stdout, stderr)
	case "gen":
		return runGen(ctx, rest, stdout, stderr)
	case "loadtest":
		return runLoadtest(ctx, rest, stdout, stderr)
	case "fx":
		return runFX(ctx, rest, stdout, stderr)
	case "fraud":
		return runFraud(ctx, rest, stdout, stderr)
	case "payouts":
		if len(rest) == 0 || rest[0] != "run" {
			fmt.Fprint(stderr, "Usage: pactum payouts run [--date YYYY-MM-DD] [--advertiser ID] [flags]\n")
			return flag.ErrHelp
		}
		return runPayouts(ctx, rest[1:], stdout, stderr)
	case "reports":
		return runReports(ctx, rest, stdout, stderr)
	case "version":
		return runVersion(ctx, rest, stdout, stderr)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// newFlagSet returns a flag set whose --help prints a summary line before the flags.
func newFlagSet(name, summary string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("pactum "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n\nUsage: pactum %s [flags]\n\nFlags:\n", summary, name)
		printFlags(fs)
	}
	return fs
}
