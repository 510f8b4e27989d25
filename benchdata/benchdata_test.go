package benchdata

import (
	"context"
	"database/sql"
	"net/url"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
	"github.com/pactum/pactum/report"
	"github.com/pactum/pactum/store/postgres"
	"github.com/pactum/pactum/store/postgres/pgtest"
	"github.com/pactum/pactum/store/sqldb"
	"github.com/pactum/pactum/store/sqlite"
)

var end = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// TestGenerate generates a small data set on both stores and checks that the reports answer
// what a direct count of the raw tables says, and the same after pactum reports rebuild.
func TestGenerate(t *testing.T) {
	for _, st := range []struct {
		name string
		open func(testing.TB) (*sqldb.Store, *sql.DB)
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		t.Run(st.name, func(t *testing.T) {
			ctx := context.Background()
			s, db := st.open(t)
			cfg := Config{Clicks: 20_000, Conversions: 600, Impressions: 2_000, Partners: 30, Offers: 3, Days: 90, End: end, Seed: 1}
			sum, err := Generate(ctx, s, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Clicks != cfg.Clicks || sum.Conversions != cfg.Conversions || sum.Impressions != cfg.Impressions {
				t.Fatalf("summary %+v", sum)
			}
			if sum.Approved == 0 || sum.Pending == 0 || sum.Rejected == 0 || sum.Refunded == 0 {
				t.Errorf("want every status, got %+v", sum)
			}
			if _, err := Generate(ctx, s, cfg, nil); err == nil {
				t.Error("a second gen into the same store: no error")
			}
			svc := report.New(s, nil, func() time.Time { return end })
			queries := []string{
				"group_by=day,partner&from=2026-09-02&to=2026-11-30",
				"group_by=sku,category&from=2026-09-02&to=2026-11-30",
				"group_by=country&from=2026-09-02&to=2026-11-30",
				"group_by=status,offer&from=2026-09-02&to=2026-11-30",
				"group_by=hour&from=2026-11-25&to=2026-11-30&tz=Europe/Berlin",
				"group_by=sub1,source&from=2026-11-01&to=2026-11-30",
			}
			run := func() []*report.Result {
				var out []*report.Result
				for _, q := range queries {
					v, _ := url.ParseQuery(q + "&limit=1000")
					req, err := report.ParseQuery(v, end)
					if err != nil {
						t.Fatal(err)
					}
					res, err := svc.Run(ctx, program.Admin, req)
					if err != nil {
						t.Fatalf("%s: %v", q, err)
					}
					out = append(out, res)
				}
				req, _ := report.ParseQuery(url.Values{"from": {"2026-11-01"}, "to": {"2026-11-30"}}, end)
				sc, err := svc.Scorecard(ctx, program.Admin, sum.TopPartner, req)
				if err != nil {
					t.Fatal(err)
				}
				return append(out, &report.Result{Rows: [][]any{{sc}}})
			}
			before := run()
			t.Logf("%+v; totals %v %v", sum, before[0].Columns[3:], before[0].Totals)

			// The totals of the whole range against the raw tables.
			var clicks, invalid, impressions, conversions, sales, payout int64
			count := func(query string, dest ...any) {
				t.Helper()
				if err := db.QueryRowContext(ctx, query).Scan(dest...); err != nil {
					t.Fatalf("%s: %v", query, err)
				}
			}
			count(`SELECT COUNT(*) FROM clicks WHERE NOT bot AND rejected = '' AND NOT invalid`, &clicks)
			count(`SELECT COUNT(*) FROM clicks WHERE bot OR rejected <> '' OR invalid`, &invalid)
			count(`SELECT COUNT(*) FROM impressions WHERE NOT bot`, &impressions)
			count(`SELECT COUNT(*), SUM(amount), SUM(payout) FROM conversions WHERE status <> 'rejected'`, &conversions, &sales, &payout)
			totals := before[0].Totals
			col := func(name string) any {
				m := before[0].Columns[3:] // day, partner_id, partner
				for i, c := range m {
					if c == name {
						return totals[i]
					}
				}
				t.Fatalf("no column %s in %v", name, before[0].Columns)
				return nil
			}
			money := func(minor int64) string { return pactum.FromMinor(minor, "EUR").StringFixed(2) }
			for _, c := range []struct {
				name string
				want any
			}{{"clicks", clicks}, {"invalid_clicks", invalid}, {"impressions", impressions}, {"conversions", conversions},
				{"sales", money(sales)}, {"payout", money(payout)}} {
				if got := col(c.name); !reflect.DeepEqual(got, c.want) {
					t.Errorf("%s: report %v (%T), raw tables %v (%T)", c.name, got, got, c.want, c.want)
				}
			}
			if clicks+invalid != int64(cfg.Clicks) {
				t.Errorf("clicks %d + invalid %d, want %d", clicks, invalid, cfg.Clicks)
			}

			if err := report.Rebuild(ctx, s, nil); err != nil {
				t.Fatal(err)
			}
			after := run()
			for i := range before {
				if !reflect.DeepEqual(before[i], after[i]) {
					t.Errorf("query %d differs after a rebuild:\nbefore %v\nafter  %v", i, before[i], after[i])
				}
			}
		})
	}
}

// openSQLite opens a store in a temporary file, and a handle of its own on it for the counts.
func openSQLite(t testing.TB) (*sqldb.Store, *sql.DB) {
	path := filepath.Join(t.TempDir(), "pactum.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(); s.Close() })
	return s, db
}

func openPostgres(t testing.TB) (*sqldb.Store, *sql.DB) {
	dsn := pgtest.DSN(t)
	s, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(); s.Close() })
	return s, db
}

// TestRebuildBusyDay rebuilds a day of more visits than a rebuild holds before it writes
// (report.rebuildFlush) and than the store reads at once: on PostgreSQL a rebuild that wrote
// while it still read the day's clicks failed ("bad connection").
func TestRebuildBusyDay(t *testing.T) {
	for _, st := range []struct {
		name string
		open func(testing.TB) (*sqldb.Store, *sql.DB)
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		t.Run(st.name, func(t *testing.T) {
			ctx := context.Background()
			s, _ := st.open(t)
			cfg := Config{Clicks: 25_000, Conversions: 200, Partners: 5, Offers: 2, Days: 1, End: end, Seed: 2}
			if _, err := Generate(ctx, s, cfg, nil); err != nil {
				t.Fatal(err)
			}
			svc := report.New(s, nil, func() time.Time { return end })
			v, _ := url.ParseQuery("group_by=hour,partner&from=2026-11-30&to=2026-11-30&limit=1000")
			req, err := report.ParseQuery(v, end)
			if err != nil {
				t.Fatal(err)
			}
			before, err := svc.Run(ctx, program.Admin, req)
			if err != nil {
				t.Fatal(err)
			}
			if err := report.Rebuild(ctx, s, nil); err != nil {
				t.Fatal(err)
			}
			after, err := svc.Run(ctx, program.Admin, req)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(before, after) {
				t.Errorf("the day differs after a rebuild:\nbefore %v\nafter  %v", before.Totals, after.Totals)
			}
		})
	}
}
