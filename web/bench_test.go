package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// BenchmarkPages measures the server time of the main pages, from the request to the last byte
// of HTML, with the test program and 300 more conversions (each list shows a page of 50). The
// pages' budget is 150 ms; docs/benchmarks.md has the figures.
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
	cookie := func(email string) *http.Cookie {
		br := s.login(email)
		for _, c := range br.client.Jar.Cookies(mustURL(s.srv.URL)) {
			if c.Name == "pactum_session" {
				return c
			}
		}
		b.Fatal("no session cookie")
		return nil
	}
	admin, anna := cookie("admin@example.com"), cookie("anna@example.com")
	pages := []struct {
		name, path string
		as         *http.Cookie
	}{
		{"partners", "/console/partners", admin},
		{"offers", "/console/offers", admin},
		{"offer editor", "/console/offers/1", admin},
		{"simulator form", "/console/offers/1/simulate", admin},
		{"conversions", "/console/conversions", admin},
		{"conversions filtered", "/console/conversions?status=pending&partner_id=1", admin},
		{"conversion", "/console/conversions/1", admin},
		{"payouts", "/console/payouts", admin},
		{"settings", "/console/settings", admin},
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
		{"login", "/login", nil},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", p.path, nil)
			if p.as != nil {
				req.AddCookie(p.as)
			}
			for b.Loop() {
				w := httptest.NewRecorder()
				s.mux.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d", p.path, w.Code)
				}
			}
		})
	}
}
