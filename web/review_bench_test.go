package web_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
	"github.com/pactum/pactum/report"
)

// BenchmarkFraudPages measures the server time of the fraud screens, from the request to the
// last byte of HTML, on the test program with 600 held sales (the queue shows 50 a page) and
// 600 more that are not held, one every 47 minutes over the 39 days before the test's now, with
// each page's p95 beside its mean. docs/benchmarks.md has the figures; the pages' budget is
// 150 ms.
func BenchmarkFraudPages(b *testing.B) {
	s := newSite(b)
	was := now
	b.Cleanup(func() { now = was })
	for i := range 1200 {
		now = was.Add(-time.Duration(1200-i) * 47 * time.Minute) // the program's clock: when it is received
		in := pactum.ConversionInput{OfferID: 1, Event: "purchase", OrderID: fmt.Sprintf("F-%d", i), Coupon: "ANNA10",
			Amount: decimal.RequireFromString("80.00"), AmountGiven: true, Source: pactum.SourceAPI}
		if i%2 == 0 {
			in.CustomerID = "anna@example.com" // self_referral: held
		}
		if _, err := s.program.ReportConversion(ctx, program.Admin, in); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := report.NewKeeper(s.store, slog.New(slog.NewTextHandler(io.Discard, nil))).Consume(ctx); err != nil {
		b.Fatal(err)
	}
	now = was
	admin, shop := s.login("admin@example.com").cookies(), s.login("shop@example.com").cookies()
	held, err := s.program.ReviewQueue(ctx, program.Admin, program.ConversionQuery{}, pactum.Page{Limit: 1})
	if err != nil || len(held.Items) == 0 {
		b.Fatalf("no held sale: %v", err)
	}
	for _, p := range []struct {
		name, path string
		as         string
	}{
		{"review queue", "/console/review", admin},
		{"review queue filtered", "/console/review?offer_id=1&reason=self_referral&partner_id=1", admin},
		{"review queue advertiser", "/console/review", shop},
		{"held conversion", fmt.Sprintf("/console/conversions/%d", held.Items[0].ID), admin},
		{"fraud score", "/console/partners/1/fraud", admin},
		{"fraud score advertiser", "/console/partners/1/fraud", shop},
		{"offer fraud rules", "/console/offers/1/fraud", admin},
		{"program fraud rules", "/console/settings/fraud/1", shop},
	} {
		b.Run(p.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", p.path, nil)
			req.Header.Set("Cookie", p.as)
			b.ReportMetric(serveTimes(b, s, req).ms(95), "p95-ms")
		})
	}
}

// cookies are the browser's cookies for the site, as its Cookie header sends them.
func (b *browser) cookies() string {
	var out []string
	for _, c := range b.client.Jar.Cookies(mustURL(b.s.srv.URL)) {
		out = append(out, c.String())
	}
	return strings.Join(out, "; ")
}
