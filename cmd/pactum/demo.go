package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/auth"
	"github.com/pactum/pactum/demo"
	"github.com/pactum/pactum/edge"
	"github.com/pactum/pactum/ingest"
	"github.com/pactum/pactum/payout"
	"github.com/pactum/pactum/program"
)

// seedDemo creates the demo program once, with --demo-weeks of simulated traffic (package
// demo), and prints where to click and how to log in. A store that has the link DEMO has the
// demo already: it is not made again.
func seedDemo(ctx context.Context, srv *server, out, progress io.Writer) error {
	cfg, st := srv.cfg, srv.store
	link, err := st.LinkByCode(ctx, demo.LinkCode)
	token, made := "", ""
	if pactum.ErrorCode(err) == pactum.ENOTFOUND {
		var res demo.Result
		var clicks *clickCounts
		res, clicks, err = makeDemo(ctx, srv, progress)
		link, token = res.Link, res.Token
		sales := res.Conversions
		if err == nil && srv.program != nil && res.Conversions == 0 {
			// Without traffic (no event log, or no weeks), a few sales still give the console
			// and the portal something to show.
			err = demoSales(ctx, srv.program, link.OfferID)
			sales += len(demoSaleOrders)
		}
		if err == nil {
			// The figures the reports show: valid clicks and invalid ones (bots, duplicates,
			// fraud rules) apart, every sale reported.
			made = fmt.Sprintf("  Made: %d partners, %d offers, %d links, %d coupons, %d SKUs; %d days of traffic: %d clicks\n"+
				"        (and %d invalid ones: bots, duplicates, fraud rules), %d sales, %d refunds, %d payout runs\n"+
				"        (the console's dashboard and reports show them).\n",
				res.Partners, res.Offers, res.Links, res.Coupons, res.SKUs, 7*cfg.DemoWeeks, clicks.valid.Load(), clicks.invalid.Load(),
				sales, res.Refunds, res.Runs)
		}
	}
	if err != nil {
		return fmt.Errorf("create demo program: %w", err)
	}
	logins, err := demoLogins(ctx, st, cfg, link.PartnerID)
	if err != nil {
		return fmt.Errorf("create demo logins: %w", err)
	}
	postback := "  (the advertiser's postback token was printed when the demo was first created)\n"
	if token != "" {
		postback = fmt.Sprintf("  Report a sale for a click:  %s/postback?click_id=CLICK_ID&order_id=A-1&amount=120.00&token=%s\n"+
			"                              (the advertiser's postback token, shown only now)\n", cfg.PublicURL, token)
	}
	key := "the key in PACTUM_ADMIN_API_KEY"
	if cfg.AdminAPIKey == "" {
		key = "an admin key (start with PACTUM_ADMIN_API_KEY=... or run 'pactum users create')"
	}
	fmt.Fprintf(out, `
Pactum demo program is ready (offer %d, partner %d, link %d).
%s  Click the partner's link:   %s/c/%s?sub2=spring
  Or the TUNE-style URL:      %s/aff_c?offer_id=%d&aff_id=%d&aff_sub=newsletter
  Then see the click:         curl -H "Authorization: Bearer $PACTUM_ADMIN_API_KEY" %s/api/v1/clicks
%sAPI calls need %s.
%s
`, link.OfferID, link.PartnerID, link.ID, made, cfg.PublicURL, demo.LinkCode, cfg.PublicURL, link.OfferID, link.PartnerID, cfg.PublicURL, postback, key, logins)
	return nil
}

// makeDemo makes the demo program and its traffic through this process's own intake: the
// edge's handler, the conversion pipeline and the program service, each made afresh on the
// demo's simulated clock. The traffic needs the embedded event log (no --nats): a process of
// a deployment makes the program only.
func makeDemo(ctx context.Context, srv *server, progress io.Writer) (demo.Result, *clickCounts, error) {
	cfg := srv.cfg
	clicks := &clickCounts{Recorder: &ingest.Recorder{Log: srv.events}}
	dcfg := demo.Config{
		Program: srv.newProgram, PublicURL: cfg.PublicURL, End: cfg.clock(), Days: 7 * cfg.DemoWeeks, Seed: uint64(cfg.DemoSeed),
		Scale: cfg.demoScale,
		Edge: func(now func() time.Time) (http.Handler, error) {
			e, err := edge.New(edge.Config{
				Catalog: srv.catalog, Signer: srv.signer, Recorder: clicks,
				CountryHeader: demo.CountryHeader, Conversions: srv.convs, Advertisers: srv.store, Now: now, Logger: srv.log,
			})
			if err != nil {
				return nil, err
			}
			mux := http.NewServeMux()
			e.Register(mux)
			return mux, nil
		},
		Approve: func(ctx context.Context, now func() time.Time) (int, error) {
			return (&payout.Jobs{Store: srv.store, Now: now, Logger: srv.log}).Approve(ctx)
		},
	}
	if srv.events == nil || srv.convs == nil {
		dcfg.Days = 0
	}
	if dcfg.Days > 0 && progress != nil {
		dcfg.Progress = progressBar(progress, "demo: simulating traffic", time.Now())
	}
	res, err := demo.Run(ctx, dcfg)
	return res, clicks, err
}

// clickCounts counts the clicks the demo's edge records, valid and invalid (bots, clicks
// refused by the edge or a fraud rule: invalid_clicks in reports, not clicks), as it records
// them.
type clickCounts struct {
	edge.Recorder
	valid, invalid atomic.Int64
}

func (c *clickCounts) RecordClick(ctx context.Context, v *pactum.Visit) error {
	if err := c.Recorder.RecordClick(ctx, v); err != nil {
		return err
	}
	if v.Bot || v.Rejected != "" || v.Invalid {
		c.invalid.Add(1)
	} else {
		c.valid.Add(1)
	}
	return nil
}

// Logins of the demo: an admin for the console and the demo partner's for its portal.
const (
	demoAdminEmail   = "admin@demo.example"
	demoPartnerEmail = "anna@example.com"
)

// demoLogins makes the demo's two logins once, with passwords drawn now, and says how to sign
// in. Passwords are shown only when they are made: only their hashes are kept.
func demoLogins(ctx context.Context, st pactum.UserStore, cfg Config, partnerID int64) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "Web UI: %s/login\n", cfg.PublicURL)
	for _, in := range []program.UserInput{
		{Email: demoAdminEmail, Role: pactum.RoleAdmin},
		{Email: demoPartnerEmail, Role: pactum.RolePartner, PartnerID: partnerID},
	} {
		what := map[string]string{pactum.RoleAdmin: "the console (admin)", pactum.RolePartner: "the partner portal"}[in.Role]
		if _, err := st.UserByEmail(ctx, in.Email); err == nil {
			fmt.Fprintf(&b, "  %-20s %s (its password was printed when the demo was first created)\n", what+":", in.Email)
			continue
		} else if pactum.ErrorCode(err) != pactum.ENOTFOUND {
			return "", err
		}
		pw := demoPassword()
		if _, err := program.CreateUser(ctx, st, in, auth.Hasher{}.Hash(pw), cfg.clock()); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "  %-20s %s  password %s  (shown only now)\n", what+":", in.Email, pw)
	}
	return b.String(), nil
}

// demoPassword draws a password of 16 letters and digits (some 80 bits).
func demoPassword() string {
	const letters = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, 16)
	rand.Read(b) // crypto/rand.Read never fails
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return string(b)
}

// demoCoupon is the demo partner's coupon code, which the demo's sales carry.
const demoCoupon = "ANNA10"

// demoSaleOrders are the sales demoSales reports, of SKUs of the demo's catalog at its prices.
var demoSaleOrders = []struct {
	order       string
	newCustomer bool
	items       []pactum.LineItem
}{
	{"DEMO-1001", true, []pactum.LineItem{demoLine("SHOE-9", "shoes", 2, "99.90"), demoLine("SOCK-1", "accessories", 1, "9.95")}},
	{"DEMO-1002", false, []pactum.LineItem{demoLine("SHOE-9", "shoes", 1, "99.90"), demoLine("CAP-3", "accessories", 1, "24.00")}},
	{"DEMO-1003", true, []pactum.LineItem{demoLine("SHOE-9", "shoes", 1, "99.90"), demoLine("CAP-2", "accessories", 2, "19.90")}},
}

func demoLine(sku, category string, qty int64, price string) pactum.LineItem {
	return pactum.LineItem{SKU: sku, Category: category, Quantity: qty, UnitPrice: decimal.RequireFromString(price)}
}

// demoSales reports a few sales of the demo partner through the conversion intake, as a shop
// would, so that the console and the portal have conversions, commissions in words and a
// balance to show from the first start.
func demoSales(ctx context.Context, svc *program.Service, offerID int64) error {
	for _, sale := range demoSaleOrders {
		_, err := svc.ReportConversion(ctx, program.Admin, pactum.ConversionInput{OfferID: offerID, Event: "purchase",
			OrderID: sale.order, Coupon: demoCoupon, NewCustomer: sale.newCustomer, Items: sale.items, Source: pactum.SourceAPI})
		if err != nil {
			return fmt.Errorf("report demo sale %s: %w", sale.order, err)
		}
	}
	return nil
}

var landingPage = template.Must(template.New("landing").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Northwind Shoes (Pactum demo landing page)</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}
table{border-collapse:collapse}td{border-bottom:1px solid #ddd;padding:.3rem 1rem .3rem 0}code{font-size:.95em}</style></head>
<body><h1>Welcome to Northwind Shoes</h1>
<p>This is the demo offer's destination. Pactum recorded your click and sent you here with these
parameters filled in from the offer's destination URL template:</p>
<table>{{range .}}<tr><td>{{.Name}}</td><td><code>{{.Value}}</code></td></tr>{{end}}</table>
<p>A shop would keep <code>click_id</code> and send it back in its postback when you buy.</p>
</body></html>`))

// demoLanding stands in for the advertiser's shop, so that the demo works without the internet.
func demoLanding(w http.ResponseWriter, r *http.Request) {
	type param struct{ Name, Value string }
	var params []param
	q := r.URL.Query()
	for _, name := range []string{"click_id", "partner", "sub1", "sub2", "country", "device"} {
		params = append(params, param{name, q.Get(name)})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	landingPage.Execute(w, params)
}

// demoOptions are the options `pactum demo` takes; the rest keep serve's defaults.
var demoOptions = []string{"db", "events-dir", "public-url", "demo-weeks", "demo-seed", "clock-start", "log-level", "log-format"}

// runDemo makes the demo program in a store, as serve --demo does at start, and exits.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg Config
	all := bindOptions(flag.NewFlagSet("defaults", flag.ContinueOnError), &cfg)
	fs := newFlagSet("demo", "", stderr)
	opts := bindOptions(fs, &cfg, demoOptions...)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Create the demo program in a store and fill it with weeks of traffic, then exit; pactum
serve on the same --db shows it. It is what 'pactum serve --demo' does at its start.

The program is Northwind Shoes (EUR): a catalog of some 350 SKUs in categories with different
margins, four offers with SKU and category rules, new-customer bonuses and tiers, and some fifty
partners of every kind (influencers with coupon codes, content and deal sites, B2B partners,
referrers) with their links. Then --demo-weeks of traffic ending now: clicks with real browsers'
user agents and countries, sales with baskets from the catalog, coupon sales, refunds,
approvals after the hold periods and weekly payout runs. The traffic goes through Pactum's own
intake (the tracking edge's handler, the conversion pipeline, the program service) on a
simulated clock that only this command holds: reports, scorecards and the fraud review queue
fill as they would over those weeks. The same --demo-seed makes the same traffic.

A store that has the demo (the link code DEMO) is left as it is. Progress goes to stderr.

Usage: pactum demo [flags]

Flags:
`)
		printFlags(fs)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := all.load(); err != nil {
		return err
	}
	if err := opts.load(); err != nil {
		return err
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://localhost:8080" // serve's default address
	}
	cfg.Demo = true
	if err := cfg.validate(); err != nil {
		return err
	}
	cfg.Addr = "127.0.0.1:0" // nothing is served: the listener is never used
	srv, err := newServer(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	started := time.Now()
	err = seedDemo(ctx, srv, stdout, stderr)
	if err == nil {
		fmt.Fprintf(stdout, "Demo made in %s. Serve it with: pactum serve --db %s\n", time.Since(started).Round(100*time.Millisecond), cfg.DB)
	}
	return errors.Join(err, srv.close(context.Background()))
}
