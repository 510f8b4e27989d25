package web_test

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
	"github.com/pactum/pactum/report"
	"github.com/pactum/pactum/store/storetest"
)

// BenchmarkPagesAtScale measures the server time of the main pages (the handler, from the
// request to the last byte of HTML; no browser) on a store pactum gen filled, named by
// PACTUM_BENCH_DB (a SQLite path or a postgres:// URL) as report's BenchmarkReportAtScale has
// it; skipped without it. The clock is the real one: gen's data end yesterday. The benchmark
// adds two users to the store if they are not there (admin@example.com, and a partner user
// for the partner with the most clicks in the last 30 days) and signs in as them. Each page
// reports its p50 and p95 as p50-ms and p95-ms, after one request not timed; the budget is
// 150 ms at p95. With -benchtime 20x the p95 is the slowest of the 20.
// docs/benchmarks.md "Web UI pages" has the figures.
//
//	PACTUM_BENCH_DB=bench.db go test ./web -run '^$' -bench PagesAtScale -benchtime 20x
func BenchmarkPagesAtScale(b *testing.B) {
	st := storetest.OpenBench(b)
	s := wireSite(b, st, func() time.Time { return time.Now().UTC() })

	// The busiest partner: the most clicks over the explorer's default 30 days.
	busiest, err := s.reports.Run(ctx, program.Admin, mustReportRequest(b, s, "group_by=partner&metrics=clicks&sort=-clicks&limit=1"))
	if err != nil || len(busiest.Rows) == 0 {
		b.Fatalf("busiest partner: %v", err)
	}
	partner, ok := busiest.Rows[0][0].(int64)
	if !ok {
		b.Fatalf("busiest partner: row %v", busiest.Rows[0])
	}
	b.Logf("busiest partner: %d", partner)
	partnerEmail := fmt.Sprintf("bench-partner-%d@example.com", partner)
	for _, u := range []program.UserInput{
		{Email: "admin@example.com", Role: pactum.RoleAdmin},
		{Email: partnerEmail, Role: pactum.RolePartner, PartnerID: partner},
	} {
		if _, err := st.UserByEmail(ctx, u.Email); err == nil {
			continue
		}
		if _, err := program.CreateUser(ctx, st, u, cheap.Hash(password), time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	admin, portal := s.login("admin@example.com").cookies(), s.login(partnerEmail).cookies()
	pages := []struct {
		name, path string
		as         string
	}{
		{"dashboard", "/console/dashboard", admin},
		{"dashboard 90 days", "/console/dashboard?days=90", admin},
		{"reports 30 days by day", "/console/reports?group_by=day&metrics=" + strings.Join(dashboardMetricsAdmin, ","), admin},
		{"partners", "/console/partners", admin},
		{"partner", fmt.Sprintf("/console/partners/%d", partner), admin},
		{"conversions", "/console/conversions", admin},
		{"review queue", "/console/review", admin},
		{"portal dashboard", "/portal/dashboard", portal},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", p.path, nil)
			req.Header.Set("Cookie", p.as)
			warm := httptest.NewRecorder() // one request first, as a running server has had: caches filled
			s.mux.ServeHTTP(warm, req)
			if body := warm.Body.String(); strings.Contains(body, "are not shown") || strings.Contains(body, "No clicks or sales") || strings.Contains(body, "Nothing to show") {
				b.Fatalf("%s: a page without its figures", p.path)
			}
			took := serveTimes(b, s, req)
			b.ReportMetric(took.ms(50), "p50-ms")
			b.ReportMetric(took.ms(95), "p95-ms")
			b.ReportMetric(float64(warm.Body.Len())/1024, "html-KiB")
		})
	}
}

// dashboardMetricsAdmin are the explorer's default metrics for an admin (web's dashboardMetrics).
var dashboardMetricsAdmin = []string{"clicks", "conversions", "sales", "payout", "revenue", "profit", "cr", "epc"}

func mustReportRequest(b *testing.B, s *site, query string) report.Request {
	b.Helper()
	v, err := url.ParseQuery(query)
	if err != nil {
		b.Fatal(err)
	}
	req, err := report.ParseQuery(v, s.reports.Now())
	if err != nil {
		b.Fatal(err)
	}
	return req
}
