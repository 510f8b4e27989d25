package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pactum/pactum/buildinfo"
)

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "", stderr)
	asJSON := fs.Bool("json", false, "print the build information as one JSON object, the one /healthz shows")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Print which Pactum this is: its version, the commit it was built from and when that commit
was made, whether the tree had uncommitted changes, and the Go toolchain and platform. A running
server shows the same in /healthz and in the pactum_build_info metric.

Usage: pactum version [--json]

Where it comes from: what the Go toolchain embeds in the binary.
  - Release binaries (scripts/release.sh) carry the release version and their commit.
  - go build in a git clone embeds the commit; the version is the commit's tag (v1.2.3) or a
    pseudo-version made of its time and hash, +dirty when the tree was modified.
  - go run and go test embed no commit unless given -buildvcs=true, and no build does in a git
    worktree or with GOFLAGS=-buildvcs=false. For binaries that go run built, pactum asks git
    about the checkout they were compiled from and names it ("checkout"); other such builds
    say "unknown".

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("version takes no arguments, got %q", fs.Arg(0))
	}
	info := buildinfo.Read()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		return enc.Encode(info)
	}
	revision, when := info.Revision, info.Time
	if revision == "" {
		revision, when = "unknown (built without version control information: see pactum version --help)", "unknown"
	}
	fmt.Fprintf(stdout, "pactum %s\nrevision  %s\ntime      %s\nmodified  %t\n", info.Version, revision, when, info.Modified)
	if info.Checkout != "" {
		fmt.Fprintf(stdout, "checkout  %s (not embedded: read from git when this ran)\n", info.Checkout)
	}
	fmt.Fprintf(stdout, "go        %s %s\n", info.Go, info.Platform)
	return nil
}

// healthz answers /healthz: the process is up, and which build it runs, so that a look at a
// fleet shows which processes an upgrade has reached.
func healthz(info buildinfo.Info) http.HandlerFunc {
	body, err := json.Marshal(struct {
		Status  string         `json:"status"`
		Version buildinfo.Info `json:"version"`
	}{"ok", info})
	if err != nil {
		panic(err) // Info is strings and a bool
	}
	body = append(body, '\n')
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}
}

// buildInfoMetric is pactum_build_info, 1 with the build in its labels, as Prometheus
// exporters do: a query can join it to other series, or count processes by version.
func buildInfoMetric(info buildinfo.Info) prometheus.Collector {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "pactum_build_info",
		Help: "Always 1; the labels say which build of Pactum this process runs (see pactum version).",
		ConstLabels: prometheus.Labels{
			"version": info.Version, "revision": info.Revision, "time": info.Time,
			"modified": strconv.FormatBool(info.Modified), "goversion": info.Go,
		},
	})
	g.Set(1)
	return g
}
