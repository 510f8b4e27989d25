package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/pactum/pactum/loadtest"
)

func runLoadtest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("loadtest", `Drive a running Pactum over HTTP with N connections for T seconds, then print requests/s,
p50/p95/p99 latency, errors, and whether the store holds everything that was acknowledged.

--mode clicks (default) requests --path and counts each 302; the store must hold every such
click (GET /api/v1/clicks/count before and after, so --api-key is needed for that check).
With --baseline URL, the same load alternates between Pactum and that URL (a bare handler,
see cmd/bare302) for --rounds rounds, so that both are measured in the same run. Several
baselines, comma-separated (so a baseline URL cannot hold a comma), each optionally named with
NAME=, are measured in turn, e.g.
--baseline "bare=http://127.0.0.1:8081/,durable log=http://127.0.0.1:8082/".

--mode conversions first makes --click-ids click ids by requesting --path (a link whose
offer's destination carries click_id={click_id}, or that sets the pc_{offer} cookie), then
POSTs /api/v1/conversions with three line items for them, round robin, each with its own
order id, and counts each 201. Afterwards the store must hold every acknowledged conversion
exactly once, with a commission: GET /api/v1/conversions/count before and after, then the
run's conversions listed from GET /api/v1/conversions. --api-key (an admin key, or the key
of the offer's advertiser) is required.

--mode postbacks is conversions mode with server-to-server postbacks instead of the API:
GET /postback?token=&event=&amount=143.80&currency=EUR&click_id=&order_id= on the targets,
each counted when it answers 200, then the same check. It needs --postback-token (the
advertiser's postback token; pactum serve --demo prints the demo's when it creates it) and
--api-key for the check.

--mode shopify posts Shopify orders/create webhooks to --path (the advertiser's
/webhooks/shopify/{id}?offer_id=N), each an order of ten line items with the discount code
--coupon (a partner's coupon, so that every order earns a commission), signed with
--shop-secret (the advertiser's shopify_secret) as Shopify signs them, and counts each 200.
Afterwards the store must hold every acknowledged order once as a conversion with its
commission, as in conversions mode. --api-key is required for that check.

--target may list several base URLs, comma-separated, e.g. the edges of a deployment
(pactum serve --role edge): connection i uses target i mod n. API calls (the stored check, and
in conversions mode the conversions and their listing) go to --api, e.g. the --role api
process; click ids, and in postbacks mode the postbacks, are made on the targets.

Examples:
  pactum loadtest --target http://127.0.0.1:8080 --path /c/DEMO --connections 64 --duration 10s \
      --api-key "$PACTUM_ADMIN_API_KEY" --baseline http://127.0.0.1:8081/ --rounds 3
  pactum loadtest --mode conversions --target http://127.0.0.1:8080 --path /c/DEMO \
      --connections 64 --duration 10s --api-key "$PACTUM_ADMIN_API_KEY"
  pactum loadtest --mode postbacks --target http://127.0.0.1:8080 --path /c/DEMO \
      --api-key "$PACTUM_ADMIN_API_KEY" --postback-token "$POSTBACK_TOKEN"
  pactum loadtest --mode shopify --target http://127.0.0.1:8080 --path '/webhooks/shopify/1?offer_id=1' \
      --shop-secret "$SHOPIFY_SECRET" --coupon ANNA10 --api-key "$PACTUM_ADMIN_API_KEY"
  pactum loadtest --target http://127.0.0.1:8081,http://127.0.0.1:8082 --api http://127.0.0.1:8080 \
      --path /c/DEMO --api-key "$PACTUM_ADMIN_API_KEY"`, stderr)
	var cfg loadtest.Config
	fs.StringVar(&cfg.Mode, "mode", loadtest.DefaultMode, "what to send: clicks; conversions (through the API) or postbacks for click ids made first; shopify order webhooks")
	fs.StringVar(&cfg.Target, "target", "http://127.0.0.1:8080", "base URL of the running server, or several comma-separated (e.g. the edges of a deployment) that share the connections round robin")
	fs.StringVar(&cfg.API, "api", "", "base URL for API calls: the stored check, and in conversions mode the conversions themselves (default: the first --target)")
	fs.StringVar(&cfg.Path, "path", "/c/DEMO", "path and query of the click to request; {n} is replaced by a request counter, e.g. /c/DEMO?sub3={n}")
	fs.IntVar(&cfg.Connections, "connections", loadtest.DefaultConnections, "concurrent keep-alive connections")
	fs.IntVar(&cfg.Rate, "rate", 0, "requests a second to start at most, shared by the connections (0: as fast as answers come); a fixed load makes the server's CPU per request comparable between binaries")
	fs.DurationVar(&cfg.Duration, "duration", loadtest.DefaultDuration, "how long each round is measured (at most 10m)")
	fs.DurationVar(&cfg.Warmup, "warmup", loadtest.DefaultWarmup, "load before measuring starts")
	fs.StringVar(&cfg.APIKey, "api-key", "", "API key for the stored check, and for the conversions themselves (default: env PACTUM_ADMIN_API_KEY)")
	fs.IntVar(&cfg.Expect, "expect", 0, "HTTP status that acknowledges a request (default 302 for clicks, 201 for conversions, 200 for postbacks)")
	fs.IntVar(&cfg.ClickIDs, "click-ids", loadtest.DefaultClickIDs, "conversions and postbacks modes: click ids to make before the run, reused round robin")
	fs.StringVar(&cfg.Event, "event", loadtest.DefaultEvent, "conversions and postbacks modes: the event of each conversion")
	fs.StringVar(&cfg.PostbackToken, "postback-token", "", "postbacks mode: the postback token of the offer's advertiser (default: env PACTUM_POSTBACK_TOKEN)")
	fs.StringVar(&cfg.ShopSecret, "shop-secret", "", "shopify mode: the advertiser's shopify_secret, which signs each webhook (default: env PACTUM_SHOP_SECRET)")
	fs.StringVar(&cfg.Coupon, "coupon", "", "shopify mode: the discount code of every order, a partner's coupon")
	baseline := fs.String("baseline", "", "clicks mode: URL of a bare handler to measure alternately with the target, e.g. http://127.0.0.1:8081/; several comma-separated, each optionally NAME=URL")
	rounds := fs.Int("rounds", 1, "rounds per target when --baseline is given")
	quiet := fs.Bool("quiet", false, "no progress line per second")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.APIKey == "" {
		cfg.APIKey = envValue("admin-api-key")
	}
	if cfg.PostbackToken == "" {
		cfg.PostbackToken = envValue("postback-token")
	}
	if cfg.ShopSecret == "" {
		cfg.ShopSecret = envValue("shop-secret")
	}
	if !*quiet {
		cfg.Progress = stderr
	}
	label := "pactum " + cfg.Path
	if cfg.Mode == loadtest.ModeConversions || cfg.Mode == loadtest.ModePostbacks || cfg.Mode == loadtest.ModeShopify {
		label = "pactum " + cfg.Mode + " for clicks on " + cfg.Path
		if cfg.Mode == loadtest.ModeShopify {
			label = "pactum shopify orders/create webhooks to " + cfg.Path
		}
		if *baseline != "" {
			return fmt.Errorf("--baseline is for clicks mode: a bare handler stores no conversions")
		}
	}
	if *baseline == "" {
		res, err := loadtest.Run(ctx, cfg)
		if err != nil {
			return err
		}
		res.Print(stdout, label)
		return verified(res)
	}
	targets := []loadtest.Target{{Label: label, Config: cfg}}
	for _, b := range strings.Split(*baseline, ",") {
		t, err := baselineTarget(b, cfg)
		if err != nil {
			return err
		}
		for _, o := range targets {
			if o.Label == t.Label {
				return fmt.Errorf("--baseline: two targets are called %q; name each baseline with NAME=URL", t.Label)
			}
		}
		targets = append(targets, t)
	}
	results, err := loadtest.Alternate(ctx, *rounds, targets...)
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

// baselineTarget reads one --baseline element, [NAME=]URL, into the same load as cfg's without
// the stored check (a baseline stores nothing). Unnamed, it is the bare handler.
func baselineTarget(s string, cfg loadtest.Config) (loadtest.Target, error) {
	name, raw := "bare net/http 302", strings.TrimSpace(s)
	if i := strings.Index(raw, "="); i >= 0 && i < strings.Index(raw, "://") {
		name, raw = strings.TrimSpace(raw[:i]), strings.TrimSpace(raw[i+1:])
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || name == "" {
		return loadtest.Target{}, fmt.Errorf("--baseline must be a URL such as http://127.0.0.1:8081/, or NAME=URL, not %q", s)
	}
	cfg.Target, cfg.Path, cfg.APIKey, cfg.API = u.Scheme+"://"+u.Host, u.RequestURI(), "", ""
	return loadtest.Target{Label: name, Config: cfg}, nil
}

// verified fails the command when the store holds less than was acknowledged, so that scripts
// notice.
func verified(r loadtest.Result) error {
	switch {
	case !r.Checked || r.Verified:
		return nil
	case r.Conversions() && r.Missing+r.NoCommission+r.Duplicates == 0:
		return fmt.Errorf("the conversion count grew by only %d for %d acknowledged conversions", r.Stored(), r.AckedTotal)
	case r.Conversions():
		return fmt.Errorf("of %d acknowledged conversions, %d are not stored, %d have no commission and %d are stored more than once",
			r.AckedTotal, r.Missing, r.NoCommission, r.Duplicates)
	default:
		return fmt.Errorf("only %d of %d acknowledged clicks are stored", r.Stored(), r.AckedTotal)
	}
}
