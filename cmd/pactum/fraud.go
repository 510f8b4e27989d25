package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/pactum/pactum/geoip"
)

const fraudUsage = `Usage: pactum fraud asn-update --from DIR --out FILE

Commands:
  asn-update   build the ASN database that --asn-db reads from the CSV files of the npm
               package @ip-location-db/asn (scripts/asn-update.sh installs it and runs this)
`

func runFraud(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "asn-update" {
		fmt.Fprint(stderr, fraudUsage)
		return flag.ErrHelp
	}
	fs := newFlagSet("fraud asn-update", "Build the ASN database of the datacenter fraud rule (--asn-db) from @ip-location-db/asn's CSV files (docs/fraud.md).", stderr)
	from := fs.String("from", "", "the package's directory, holding asn-ipv4.csv and asn-ipv6.csv (e.g. node_modules/@ip-location-db/asn)")
	out := fs.String("out", "", "the MMDB file to write; replaced only once the new one is complete")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch {
	case *from == "":
		return fmt.Errorf("--from is required: the directory of @ip-location-db/asn's CSV files")
	case *out == "":
		return fmt.Errorf("--out is required: where to write the database")
	}
	start := time.Now()
	sources := map[string]io.Reader{}
	for _, name := range []string{"asn-ipv4.csv", "asn-ipv6.csv"} {
		f, err := os.Open(filepath.Join(*from, name))
		if err != nil {
			return fmt.Errorf("--from: %w", err)
		}
		defer f.Close()
		sources[name] = f
	}
	// Written beside the target and renamed over it, so that a server starting meanwhile reads
	// the old database or the new one, never half of one.
	tmp, err := os.CreateTemp(filepath.Dir(*out), filepath.Base(*out)+".*.tmp")
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	defer os.Remove(tmp.Name())
	ranges, err := geoip.BuildASN(tmp, sources)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s: %d address ranges in %s\n", *out, ranges, time.Since(start).Round(time.Millisecond))
	return ctx.Err()
}
