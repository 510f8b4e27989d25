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
		{"portal commissions", "/portal/commissions", anna},
		{"portal commission", "/portal/commissions/1", anna},
		{"portal links", "/portal/links", anna},
		{"portal balance", "/portal/balance", anna},
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
