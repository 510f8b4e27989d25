package main

import (
	"context"
	"fmt"
	"io"
	"net/url"

	"github.com/pactum/pactum/loadtest"
)

func runLoadtest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("loadtest", `Drive a running Pactum over HTTP with N connections for T seconds, then print requests/s,
p50/p95/p99 latency, errors, and whether the store holds every click that got a 302
(read from GET /api/v1/clicks/count before and after, so --api-key is needed for that check).
With --baseline URL, the same load alternates between Pactum and that URL (a bare handler,
see cmd/bare302) for --rounds rounds, so that both are measured in the same run.

Example:
  pactum loadtest --target http://127.0.0.1:8080 --path /c/DEMO --connections 64 --duration 10s \
      --api-key "$PACTUM_ADMIN_API_KEY" --baseline http://127.0.0.1:8081/ --rounds 3`, stderr)
	var cfg loadtest.Config
	fs.StringVar(&cfg.Target, "target", "http://127.0.0.1:8080", "base URL of the running server")
	fs.StringVar(&cfg.Path, "path", "/c/DEMO", "path and query to request; {n} is replaced by a request counter, e.g. /c/DEMO?sub3={n}")
	fs.IntVar(&cfg.Connections, "connections", loadtest.DefaultConnections, "concurrent keep-alive connections")
	fs.DurationVar(&cfg.Duration, "duration", loadtest.DefaultDuration, "how long each round is measured (at most 10m)")
	fs.DurationVar(&cfg.Warmup, "warmup", loadtest.DefaultWarmup, "load before measuring starts")
	fs.StringVar(&cfg.APIKey, "api-key", env("admin-api-key", ""), "API key for the stored-click check (env PACTUM_ADMIN_API_KEY)")
	fs.IntVar(&cfg.Expect, "expect", loadtest.DefaultExpect, "HTTP status that acknowledges a request")
	baseline := fs.String("baseline", "", "URL of a bare handler to measure alternately with the target, e.g. http://127.0.0.1:8081/")
	rounds := fs.Int("rounds", 1, "rounds per target when --baseline is given")
	quiet := fs.Bool("quiet", false, "no progress line per second")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*quiet {
		cfg.Progress = stderr
	}
	if *baseline == "" {
		res, err := loadtest.Run(ctx, cfg)
		if err != nil {
			return err
		}
		res.Print(stdout, "pactum "+cfg.Path)
		return verified(res)
	}
	u, err := url.Parse(*baseline)
	if err != nil || u.Host == "" {
		return fmt.Errorf("--baseline must be a URL such as http://127.0.0.1:8081/")
	}
	base := cfg
	base.Target, base.Path, base.APIKey = u.Scheme+"://"+u.Host, u.RequestURI(), ""
	results, err := loadtest.Alternate(ctx, *rounds,
		loadtest.Target{Label: "pactum " + cfg.Path, Config: cfg},
		loadtest.Target{Label: "bare net/http 302", Config: base})
	if err != nil {
		return err
	}
	for _, r := range results {
		r.Result.Print(stdout, fmt.Sprintf("%s (round %d)", r.Label, r.Round))
	}
	loadtest.PrintSummary(stdout, loadtest.Summarize(results))
	for _, r := range results {
		if err := verified(r.Result); err != nil {
			return err
		}
	}
	return nil
}

// verified fails the command when the store holds fewer clicks than were acknowledged, so that
// scripts notice.
func verified(r loadtest.Result) error {
	if r.Checked && !r.Verified {
		return fmt.Errorf("only %d of %d acknowledged clicks are stored", r.Stored(), r.AckedTotal)
	}
	return nil
}
