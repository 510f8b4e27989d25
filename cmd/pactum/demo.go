package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/auth"
	"github.com/pactum/pactum/program"
)

const demoCode = "DEMO"

// seedDemo creates a small program once — an advertiser, an offer that lands on this server's
// own /demo/landing page, an influencer and her link — and prints where to click.
func seedDemo(ctx context.Context, st demoStore, svc *program.Service, cfg Config, out io.Writer) error {
	link, err := st.LinkByCode(ctx, demoCode)
	token := ""
	if pactum.ErrorCode(err) == pactum.ENOTFOUND {
		link, token, err = createDemo(ctx, st, cfg)
		if err == nil && svc != nil {
			err = demoSales(ctx, svc, link.OfferID)
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
  Click the partner's link:   %s/c/%s?sub2=spring
  Or the TUNE-style URL:      %s/aff_c?offer_id=%d&aff_id=%d&aff_sub=newsletter
  Then see the click:         curl -H "Authorization: Bearer $PACTUM_ADMIN_API_KEY" %s/api/v1/clicks
%sAPI calls need %s.
%s
`, link.OfferID, link.PartnerID, link.ID, cfg.PublicURL, demoCode, cfg.PublicURL, link.OfferID, link.PartnerID, cfg.PublicURL, postback, key, logins)
	return nil
}

// demoStore is what the demo writes: its program and its logins.
type demoStore interface {
	pactum.ProgramStore
	pactum.UserStore
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

func createDemo(ctx context.Context, st demoStore, cfg Config) (pactum.Link, string, error) {
	now := cfg.clock().UTC()
	token, hash := program.GenerateKey("pt_")
	adv := pactum.Advertiser{Name: "Northwind Shoes", Currency: "EUR", PostbackTokenHash: hash, CreatedAt: now}
	if err := st.CreateAdvertiser(ctx, &adv); err != nil {
		return pactum.Link{}, "", err
	}
	payout := json.RawMessage(`{"default":{"percent":"8"},"rules":[{"id":"hero","when":{"sku":["SHOE-9"]},"rate":{"fixed":"12.00","per":"unit"}}],"bonuses":[{"id":"new-customer","when":{"new_customer":true},"add":{"fixed":"5.00"}}]}`)
	revenue := json.RawMessage(`{"default":{"percent":"12"}}`)
	offer := pactum.Offer{
		AdvertiserID: adv.ID, Name: "Spring running collection", Status: pactum.OfferActive,
		DestinationURL:        cfg.PublicURL + "/demo/landing?click_id={click_id}&partner={partner_id}&sub1={sub1}&sub2={sub2}&country={country}&device={device}",
		Currency:              "EUR",
		AttributionWindowDays: pactum.DefaultAttributionWindowDays, AttributionModel: pactum.LastClick,
		HoldDays: pactum.DefaultHoldDays, Visibility: pactum.VisibilityPublic, AcceptPixel: true,
		Events:    []pactum.OfferEvent{{ID: 1, Name: "purchase", Payout: payout, Revenue: revenue}},
		CreatedAt: now, UpdatedAt: now,
	}
	if err := st.CreateOffer(ctx, &offer); err != nil {
		return pactum.Link{}, "", err
	}
	partner := pactum.Partner{
		Name: "Anna Runs", Email: "anna@example.com", Kind: pactum.KindInfluencer, Status: pactum.PartnerActive,
		Currency: "EUR", MinPayout: decimal.RequireFromString("50.00"), PayoutMethod: "sepa", CreatedAt: now,
	}
	if err := st.CreatePartner(ctx, &partner); err != nil {
		return pactum.Link{}, "", err
	}
	link := pactum.Link{OfferID: offer.ID, PartnerID: partner.ID, Code: demoCode, Sub: [5]string{"instagram"}, Source: "story", CreatedAt: now}
	if err := st.CreateLink(ctx, &link); err != nil {
		return pactum.Link{}, "", err
	}
	coupon := pactum.Coupon{Code: demoCoupon, PartnerID: partner.ID, OfferID: offer.ID, CreatedAt: now}
	if err := st.CreateCoupon(ctx, &coupon); err != nil {
		return pactum.Link{}, "", err
	}
	return link, token, nil
}

// demoCoupon is the demo partner's coupon code, which the demo's sales carry.
const demoCoupon = "ANNA10"

// demoSales reports a few sales of the demo partner through the conversion intake, as a shop
// would, so that the console and the portal have conversions, commissions in words and a
// balance to show from the first start.
func demoSales(ctx context.Context, svc *program.Service, offerID int64) error {
	line := func(sku, category string, qty int64, price string) pactum.LineItem {
		return pactum.LineItem{SKU: sku, Category: category, Quantity: qty, UnitPrice: decimal.RequireFromString(price)}
	}
	for _, sale := range []struct {
		order       string
		newCustomer bool
		items       []pactum.LineItem
	}{
		{"DEMO-1001", true, []pactum.LineItem{line("SHOE-9", "shoes", 2, "99.90"), line("SOCK-1", "accessories", 1, "50.00")}},
		{"DEMO-1002", false, []pactum.LineItem{line("SHOE-4", "shoes", 1, "129.00")}},
		{"DEMO-1003", true, []pactum.LineItem{line("SHOE-9", "shoes", 1, "99.90"), line("CAP-2", "accessories", 2, "19.90")}},
	} {
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
