package report

import (
	"net/url"
	"testing"
	"time"

	"github.com/pactum/pactum/program"
	"github.com/pactum/pactum/store/storetest"
)

// BenchmarkReportAtScale times the reports of docs/benchmarks.md "Reports at scale" in process
// (Service.Run and Scorecard, as the API calls them) on a store pactum gen filled, named by
// PACTUM_BENCH_DB (a SQLite path or a postgres:// URL); skipped without it. The data set ends
// yesterday (gen without --end); partner 1 has the most traffic.
//
//	PACTUM_BENCH_DB=bench.db go test ./report -run '^$' -bench AtScale -cpuprofile cpu.out
func BenchmarkReportAtScale(b *testing.B) {
	st := storetest.OpenBench(b)
	now := time.Now().UTC()
	day := func(ago int) string { return now.AddDate(0, 0, -ago).Format(time.DateOnly) }
	svc := New(st, nil, nil)
	parse := func(q string) Request {
		v, err := url.ParseQuery(q)
		if err != nil {
			b.Fatal(err)
		}
		req, err := ParseQuery(v, now)
		if err != nil {
			b.Fatal(err)
		}
		return req
	}
	for _, c := range []struct{ name, query string }{
		{"30d_day_partner", "group_by=day,partner&metrics=clicks,cr,epc,payout&limit=1000&from=" + day(30) + "&to=" + day(1)},
		{"90d_sku", "group_by=sku&metrics=sales,payout&limit=1000&from=" + day(90) + "&to=" + day(1)},
	} {
		req := parse(c.query)
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := svc.Run(ctx, program.Admin, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	req := parse("from=" + day(30) + "&to=" + day(1))
	b.Run("30d_scorecard", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.Scorecard(ctx, program.Admin, 1, req); err != nil {
				b.Fatal(err)
			}
		}
	})
}
