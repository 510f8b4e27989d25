package web_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
	"github.com/pactum/pactum/report"
)

// Size of the benchmark's traffic: 90 days of 2,000 clicks a day over 50 partners and 5 offers
// with their sub ids, sources, countries and devices, as package report's BenchmarkReport has
// it. The rollups, not the raw clicks, decide how fast a report page is, and at this size the
// hourly rollups of offer and partner hold about as many rows as a program with several times
// the clicks would.
const (
	benchDays     = 90
	benchPartners = 50
	benchOffers   = 5
	benchClicks   = 2000 * benchDays
)

// BenchmarkPages measures the server time of the main pages, from the request to the last byte
// of HTML, with the test program, 300 more conversions (each list shows a page of 50) and
// benchDays of clicks. The pages' budget is 150 ms at p95: each page reports its p95 as
// p95-ms. docs/benchmarks.md has the figures.
func BenchmarkPages(b *testing.B) {
	s := newSite(b)
	for i := range 300 {
		coupon := []string{"ANNA10", "BEN10"}[i%2]
		if i%2 == 1 {
			active := pactum.PartnerActive
			s.program.UpdatePartner(ctx, program.Admin, 2, program.PartnerInput{Status: &active})
		}
		_, err := s.program.ReportConversion(ctx, program.Admin, pactum.ConversionInput{OfferID: 1, Event: "purchase",
			OrderID: fmt.Sprintf("X-%d", i), Coupon: coupon, Source: pactum.SourceAPI,
			Items: []pactum.LineItem{{SKU: "SHOE-9", Quantity: 1, UnitPrice: decimal.RequireFromString("99.90")},
				{SKU: fmt.Sprintf("SOCK-%d", i%7), Quantity: 2, UnitPrice: decimal.RequireFromString("9.90")}}})
		if err != nil {
			b.Fatal(err)
		}
	}
	s.rollup()
	seedTraffic(b, s)
	// Links, a postback with a delivery log, a webhook in the log, for the new pages.
	anna1 := program.Caller{Role: pactum.RolePartner, PartnerID: 1}
	offer := int64(1)
	for range 60 {
		if _, err := s.program.CreateLink(ctx, anna1, program.LinkInput{OfferID: &offer}); err != nil {
			b.Fatal(err)
		}
	}
	pbURL, events := "https://tracker.example/pb?cid={click_id}", []string{pactum.EventConversionCreated}
	if _, err := s.program.CreatePostback(ctx, anna1, 1, program.PostbackInput{URL: &pbURL, Events: &events}); err != nil {
		b.Fatal(err)
	}
	admin, anna := s.login("admin@example.com").cookies(), s.login("anna@example.com").cookies()
	pages := []struct {
		name, path string
		as         string
	}{
		{"dashboard", "/console/dashboard", admin},
		{"dashboard 90 days", "/console/dashboard?days=90", admin},
		{"reports", "/console/reports", admin},
		{"reports by partner compared", "/console/reports?group_by=partner&metrics=clicks,conversions,sales,payout,epc,cr&compare=previous", admin},
		{"reports by day and country", "/console/reports?group_by=day,country&metrics=clicks,conversions,sales", admin},
		{"reports CSV", "/console/reports/csv?group_by=day,partner&metrics=clicks,cr,epc,payout&limit=1000", admin},
		{"partners", "/console/partners", admin},
		{"partner", "/console/partners/3", admin},
		{"offers", "/console/offers", admin},
		{"offer editor", "/console/offers/1", admin},
		{"simulator form", "/console/offers/1/simulate", admin},
		{"conversions", "/console/conversions", admin},
		{"conversions filtered", "/console/conversions?status=pending&partner_id=1", admin},
		{"conversion", "/console/conversions/1", admin},
		{"payouts", "/console/payouts", admin},
		{"settings", "/console/settings", admin},
		{"portal dashboard", "/portal/dashboard", anna},
		{"portal reports", "/portal/reports", anna},
		{"links", "/console/links", admin},
		{"coupons", "/console/coupons?partner_id=1", admin},
		{"integrations", "/console/settings/integrations", admin},
		{"webhook log", "/console/settings/webhooks", admin},
		{"portal commissions", "/portal/commissions", anna},
		{"portal commission", "/portal/commissions/1", anna},
		{"portal links", "/portal/links", anna},
		{"portal balance", "/portal/balance", anna},
		{"portal statement (CSV)", "/portal/balance/statement.csv", anna},
		{"portal postbacks", "/portal/postbacks", anna},
		{"portal postback", "/portal/postbacks/1", anna},
		{"portal profile", "/portal/profile", anna},
		{"login", "/login", ""},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", p.path, nil)
			if p.as != "" {
				req.Header.Set("Cookie", p.as)
			}
			b.ReportMetric(serveTimes(b, s, req).ms(95), "p95-ms")
		})
	}
}

// seedTraffic adds benchPartners partners (Anna and Ben among them), benchOffers offers and
// benchClicks clicks over the benchDays to now, stored with their rollups as the event
// handler stores them.
// durations are a benchmark's server times, sorted.
type durations []time.Duration

// ms is the q-th percentile in milliseconds.
func (d durations) ms(q int) float64 { return float64(d[len(d)*q/100]) / float64(time.Millisecond) }

// serveTimes serves req once a benchmark loop and returns the handler's times, sorted; an
// answer other than 200 fails the benchmark.
func serveTimes(b *testing.B, s *site, req *http.Request) durations {
	var took durations
	for b.Loop() {
		start := time.Now()
		w := httptest.NewRecorder()
		s.mux.ServeHTTP(w, req)
		took = append(took, time.Since(start))
		if w.Code != http.StatusOK {
			b.Fatalf("%s: %d", req.URL.Path, w.Code)
		}
	}
	slices.Sort(took)
	return took
}

func seedTraffic(b *testing.B, s *site) {
	b.Helper()
	str := func(v string) *string { return &v }
	partners := []int64{1, 2}
	for i := len(partners); i < benchPartners; i++ {
		p, err := s.program.CreatePartner(ctx, program.Admin, program.PartnerInput{Name: str(fmt.Sprintf("Partner %d", i+1)),
			Email: str(fmt.Sprintf("p%d@example.com", i+1)), Kind: str([]string{"influencer", "affiliate", "b2b"}[i%3])})
		if err != nil {
			b.Fatal(err)
		}
		partners = append(partners, p.ID)
	}
	offers := []int64{1}
	adv := int64(1)
	for i := len(offers); i < benchOffers; i++ {
		o, err := s.program.CreateOffer(ctx, program.Admin, program.OfferInput{AdvertiserID: &adv, Name: str(fmt.Sprintf("Offer %d", i+1)),
			DestinationURL: str("https://shoes.example/?c={click_id}")})
		if err != nil {
			b.Fatal(err)
		}
		offers = append(offers, o.ID)
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	pick := func(vs ...string) string { return vs[rnd.IntN(len(vs))] }
	start := now.AddDate(0, 0, -benchDays)
	pos := uint64(0)
	for n := 0; n < benchClicks; {
		var batch []pactum.Visit
		for ; len(batch) < 5000 && n < benchClicks; n++ {
			// A few partners bring most of the traffic.
			p := partners[int(float64(len(partners))*rnd.Float64()*rnd.Float64())]
			batch = append(batch, pactum.Visit{ClickID: fmt.Sprintf("seed-%d", n), OfferID: offers[rnd.IntN(len(offers))], PartnerID: p,
				Time: start.Add(time.Duration(n) * (benchDays * 24 * time.Hour / benchClicks)), // in order, as traffic comes
				Sub:  [5]string{pick("", "ig", "tt", "yt"), "", "", "", ""}, Source: pick("", "story", "feed", "bio"),
				Country: pick("DE", "DE", "AT", "CH", "FR", "NL", "US"), Device: pick("mobile", "mobile", "desktop", "tablet"),
				OS: pick("iOS", "Android", "Windows", "macOS"), Browser: pick("Safari", "Chrome", "Instagram", "Firefox"), Unique: rnd.IntN(4) > 0})
		}
		pos++
		_, err := s.store.ApplyEvents(ctx, "bench", pos, func(tx pactum.EventTx) error {
			if err := tx.InsertVisits(ctx, batch, nil); err != nil {
				return err
			}
			return report.AddVisits(ctx, tx, batch, nil)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
