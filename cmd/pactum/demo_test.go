package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
	"github.com/pactum/pactum/report"
)

// demoAt makes a small demo (a fifth of the traffic) in a fresh SQLite store, on a process
// whose clock stands at now, and returns its server once the reports have every sale.
func demoAt(t *testing.T, now time.Time) (*server, string) {
	t.Helper()
	fs := newFlagSet("serve", "", io.Discard)
	cfg, err := parseOptions(fs, []string{"--db", filepath.Join(t.TempDir(), "pactum.db"), "--addr", "127.0.0.1:0",
		"--admin-api-key", testAdminKey, "--demo", "--public-url", "http://localhost:8080"})
	if err == nil {
		err = cfg.validate()
	}
	if err != nil {
		t.Fatal(err)
	}
	cfg.clock = func() time.Time { return now }
	cfg.demoScale = 0.2
	srv, err := newServer(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.close(context.Background()) })
	var out strings.Builder
	if err := seedDemo(context.Background(), srv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"/c/DEMO", "token=pt_", "the console (admin): admin@demo.example  password ", "the partner portal:  anna@example.com  password "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the demo's output lacks %q:\n%s", want, out.String())
		}
	}
	// The reports count clicks as the event log applies them and sales as the keeper consumes the
	// change feed: wait until both have all the demo made.
	ctx := context.Background()
	for deadline := time.Now().Add(time.Minute); srv.events.Applied() < srv.events.Written(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the event log applied %d of %d records a minute after the demo", srv.events.Applied(), srv.events.Written())
		}
	}
	last, err := srv.store.LastChange(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		pos, err := srv.store.ConsumerPosition(ctx, report.Consumer)
		if err != nil {
			t.Fatal(err)
		}
		if pos >= last {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reports keeper is at change %d of %d a minute after the demo", pos, last)
		}
	}
	return srv, out.String()
}

type demoRow struct {
	Day         string          `json:"day"`
	PartnerID   int64           `json:"partner_id"`
	Partner     string          `json:"partner"`
	Clicks      int64           `json:"clicks"`
	Conversions int64           `json:"conversions"`
	Refunds     int64           `json:"refunds"`
	CR          json.RawMessage `json:"cr"`
	Sales       string          `json:"sales"`
	Payout      string          `json:"payout"`
}

type demoReport struct {
	Data   []demoRow
	Totals demoRow
}

// demoGet asks the server's API as the admin.
func demoGet(t *testing.T, srv *server, path string, out any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+testAdminKey)
	rec := httptest.NewRecorder()
	srv.http.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// TestDemoReportsWeeks: after the demo, the reports of the last 42 days have clicks on most
// days, sales and refunds; partners with the same clicks differ in conversion rate; the
// payouts screen has runs and the fraud review queue has something to review.
func TestDemoReportsWeeks(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes seconds")
	}
	now := time.Date(2026, 11, 20, 15, 4, 5, 0, time.UTC)
	srv, out := demoAt(t, now)
	span := "&from=" + now.AddDate(0, 0, -41).Format(time.DateOnly) + "&to=" + now.Format(time.DateOnly)

	var days demoReport
	demoGet(t, srv, "/api/v1/reports?group_by=day&metrics=clicks,conversions,refunds,sales"+span, &days)
	withClicks := 0
	for _, d := range days.Data {
		if d.Clicks > 0 {
			withClicks++
		}
	}
	if withClicks < 38 {
		t.Errorf("%d of 42 days have clicks: %+v", withClicks, days.Data)
	}
	if days.Totals.Clicks < 2000 || days.Totals.Conversions < 100 || days.Totals.Refunds < 5 {
		t.Errorf("totals of the six weeks: %+v, want thousands of clicks, hundreds of sales, some refunds", days.Totals)
	}
	// What the demo printed is what the reports count: clicks and invalid clicks apart, and
	// every sale (the store's; the reports leave out the rejected ones).
	made := regexp.MustCompile(`traffic: (\d+) clicks\s+\(and (\d+) invalid ones: bots, duplicates, fraud rules\), (\d+) sales`).FindStringSubmatch(out)
	if made == nil {
		t.Fatalf("the demo's summary:\n%s", out)
	}
	sales, err := srv.program.CountConversions(context.Background(), program.Admin, program.ConversionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if made[3] != strconv.FormatInt(sales, 10) {
		t.Errorf("the demo printed %s sales; the store has %d", made[3], sales)
	}
	var clicks struct {
		Totals struct {
			Clicks        int64 `json:"clicks"`
			InvalidClicks int64 `json:"invalid_clicks"`
		}
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		demoGet(t, srv, "/api/v1/reports?metrics=clicks,invalid_clicks"+span, &clicks)
		got := strconv.FormatInt(clicks.Totals.Clicks, 10) + " " + strconv.FormatInt(clicks.Totals.InvalidClicks, 10)
		if got == made[1]+" "+made[2] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo printed %s clicks and %s invalid ones; the reports count %s", made[1], made[2], got)
		}
	}

	var partners demoReport
	demoGet(t, srv, "/api/v1/reports?group_by=partner&metrics=clicks,conversions,sales,payout&limit=100"+span, &partners)
	by := map[string]demoRow{}
	for _, p := range partners.Data {
		by[p.Partner] = p
	}
	if len(by) < 40 {
		t.Errorf("%d partners have traffic, want some fifty", len(by))
	}
	// Anna sells, Lena collects likes: about the same clicks, very different sales.
	for _, pair := range [][2]string{{"Anna Runs", "Lena Lifestyle"}, {"Shoe Review Lab", "City Sneaker News"}} {
		good, poor := by[pair[0]], by[pair[1]]
		if good.Clicks == 0 || poor.Clicks == 0 || float64(good.Clicks) > 1.5*float64(poor.Clicks) || float64(poor.Clicks) > 1.5*float64(good.Clicks) {
			t.Errorf("%s and %s should have about the same clicks: %+v, %+v", pair[0], pair[1], good, poor)
		}
		if good.Conversions*good.Clicks < 3*poor.Conversions*poor.Clicks || good.Conversions < 5 {
			t.Errorf("%s should convert far better than %s: %+v, %+v", pair[0], pair[1], good, poor)
		}
	}

	var runs struct{ Data []struct{ Payouts int } }
	demoGet(t, srv, "/api/v1/payouts/runs", &runs)
	paid := 0
	for _, r := range runs.Data {
		paid += r.Payouts
	}
	if len(runs.Data) < 3 || paid == 0 {
		t.Errorf("payout runs: %+v, want weekly runs with payouts", runs.Data)
	}
	review, err := srv.program.ReviewQueue(context.Background(), program.Admin, program.ConversionQuery{}, pactum.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(review.Items) == 0 || len(review.Items) > 40 {
		t.Errorf("%d conversions to review, want a few", len(review.Items))
	}
}

// TestDemoReproducible: the same seed and the same clock make the same program and traffic.
func TestDemoReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes seconds")
	}
	now := time.Date(2026, 11, 20, 15, 4, 5, 0, time.UTC)
	span := "&from=" + now.AddDate(0, 0, -41).Format(time.DateOnly) + "&to=" + now.Format(time.DateOnly)
	var reports [2]demoReport
	for i := range reports {
		srv, _ := demoAt(t, now)
		demoGet(t, srv, "/api/v1/reports?group_by=partner&metrics=clicks,conversions,refunds,sales,payout&limit=100"+span, &reports[i])
	}
	a, _ := json.Marshal(reports[0])
	b, _ := json.Marshal(reports[1])
	if string(a) != string(b) {
		t.Fatalf("two demos with the same seed differ:\n%s\n%s", a, b)
	}
}
