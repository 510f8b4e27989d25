package web_test

import (
	"bufio"
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
	"github.com/pactum/pactum/report"
)

// tileRe reads a KPI tile: its label, its figure and its change.
var tileRe = regexp.MustCompile(`(?s)<span class="tile-label">([^<]+)</span>\s*<strong class="tile-value">([^<]+)</strong>\s*<span class="change">(.*?)</span>\s*<span class="before">`)

// tilesOf reads the tiles of a page's section by its heading's id, label to figure and change.
func tilesOf(t *testing.T, body, section string) map[string][2]string {
	t.Helper()
	i := strings.Index(body, `id="`+section+`"`)
	if i < 0 {
		t.Fatalf("no section %s", section)
	}
	end := strings.Index(body[i:], "</ul>")
	out := map[string][2]string{}
	for _, m := range tileRe.FindAllStringSubmatch(body[i:i+end], -1) {
		change := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[3], "")
		out[html.UnescapeString(m[1])] = [2]string{html.UnescapeString(m[2]), strings.TrimSpace(html.UnescapeString(change))}
	}
	return out
}

// run asks the report service what a page should show.
func (s *site) run(c program.Caller, q string) *report.Result {
	s.t.Helper()
	v, _ := url.ParseQuery(q)
	req, err := report.ParseQuery(v, now)
	if err != nil {
		s.t.Fatal(err)
	}
	res, err := s.reports.Run(ctx, c, req)
	if err != nil {
		s.t.Fatal(err)
	}
	return res
}

func totals(res *report.Result) map[string]any {
	out := map[string]any{}
	for i, c := range res.Columns[len(res.Columns)-len(res.Totals):] {
		out[c] = res.Totals[i]
	}
	return out
}

// TestDashboardTilesMatchReports: the dashboard's KPI tiles are the report service's figures for
// the same caller, today against yesterday and the period against the one before; an
// advertiser's are its offers', and a partner's portal shows its own only, without revenue.
func TestDashboardTilesMatchReports(t *testing.T) {
	s := newSite(t)
	admin := s.login("admin@example.com")
	resp, body := admin.get("/console/dashboard")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/console/dashboard" {
		t.Fatalf("dashboard: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	const metrics = "clicks,conversions,sales,payout,revenue,profit,cr,epc"
	labels := map[string]string{"clicks": "Clicks", "conversions": "Conversions", "sales": "Sales", "payout": "Payout",
		"revenue": "Revenue", "profit": "Profit", "cr": "Conversion rate", "epc": "EPC"}
	check := func(section, q string, got map[string][2]string, c program.Caller, names ...string) {
		t.Helper()
		want := totals(s.run(c, q))
		for _, m := range names {
			tile, ok := got[labels[m]]
			if !ok {
				t.Errorf("%s: no tile %s", section, labels[m])
				continue
			}
			fig := strings.NewReplacer(",", "", " EUR", "", "%", "").Replace(tile[0])
			if w := want[m]; fig != anyText(w) {
				t.Errorf("%s %s: tile %q, the report says %v", section, m, tile[0], w)
			}
			change, _ := want[m+"_change"].(string)
			if strings.Contains(tile[1], "(partial previous period") {
				// The data starts within the period before: the change as a figure, not a percentage.
				cur, prev := value(t, want[m]), value(t, want[m+"_previous"])
				if !strings.Contains(tile[1], " "+groupThousands(cur.Sub(prev).Abs().String())+" ") {
					t.Errorf("%s %s: change %q, the report says %v before", section, m, tile[1], want[m+"_previous"])
				}
				continue
			}
			if change == "" && tile[1] != "new" && tile[1] != "no change" || change != "" && !strings.Contains(tile[1], strings.TrimPrefix(change, "-")+"%") {
				t.Errorf("%s %s: change %q, the report says %v", section, m, tile[1], want[m+"_change"])
			}
		}
	}
	// Today so far against yesterday until the same time of day.
	today := "metrics=" + metrics + "&from=2026-11-20T00:00:00Z&to=" + url.QueryEscape(now.UTC().Format(time.RFC3339)) + "&compare=previous"
	period := "metrics=" + metrics + "&from=2026-10-22&to=2026-11-20&compare=previous"
	check("today", today, tilesOf(t, body, "h-today"), program.Admin, "clicks", "conversions", "sales", "payout", "revenue", "profit", "cr", "epc")
	got := tilesOf(t, body, "h-period")
	check("period", period, got, program.Admin, "clicks", "conversions", "sales", "payout", "revenue", "profit", "cr", "epc")
	// Known figures: 34 clicks in the 30 days (8 in the 30 before, where the data starts: up 26,
	// not 325%), 3 sales.
	if got["Clicks"][0] != "34" || got["Clicks"][1] != "▲ up 26 (partial previous period)" || got["Conversions"][0] != "3" {
		t.Errorf("the period's tiles: %v", got)
	}
	for _, want := range []string{`<svg class="plot"`, "Clicks and conversions a day", "Top partners by sales", `href="/console/partners/1">Anna</a>`, `data-src="/console/live"`, "<noscript>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the dashboard lacks %s", want)
		}
	}
	// Seven days: 30 clicks (the four of ten days ago are out).
	_, body = admin.get("/console/dashboard?days=7")
	if got := tilesOf(t, body, "h-period"); got["Clicks"][0] != "30" {
		t.Errorf("7 days: %v", got["Clicks"])
	}
	resp, body = admin.get("/console/dashboard?days=12")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "must be 7, 30 or 90") {
		t.Errorf("?days=12: %d", resp.StatusCode)
	}

	shop := s.login("shop@example.com")
	_, body = shop.get("/console/dashboard")
	shopCaller := program.Caller{Role: pactum.RoleAdvertiser, AdvertiserID: 1}
	check("advertiser", period, tilesOf(t, body, "h-period"), shopCaller, "clicks", "sales", "revenue")
	if strings.Contains(body, `href="/console/partners/1"`) {
		t.Error("an advertiser's dashboard links to a partner page it may not open")
	}

	if resp, _ := admin.get("/console/"); resp.Request.URL.Path != "/console/dashboard" {
		t.Errorf("/console/ ends at %s", resp.Request.URL.Path)
	}
	anna := s.login("anna@example.com")
	for _, p := range []string{"/", "/portal/"} {
		if resp, _ := anna.get(p); resp.Request.URL.Path != "/portal/dashboard" {
			t.Fatalf("a partner's %s ends at %s", p, resp.Request.URL.Path)
		}
	}
	_, body = anna.get("/portal/dashboard")
	annaCaller := program.Caller{Role: pactum.RolePartner, PartnerID: 1}
	labels["payout"] = "Earnings"
	check("portal", "metrics=clicks,conversions,payout,cr&from=2026-10-22&to=2026-11-20&compare=previous",
		tilesOf(t, body, "h-period"), annaCaller, "clicks", "conversions", "payout", "cr")
	if got := tilesOf(t, body, "h-period"); got["Clicks"][0] != "24" || got["Conversions"][0] != "2" {
		t.Errorf("Anna's tiles are not hers alone: %v", got)
	}
	for _, leak := range []string{"Revenue", "Profit", "Ben", "revenue"} {
		if strings.Contains(body, leak) {
			t.Errorf("Anna's dashboard shows %q", leak)
		}
	}
	// Her scorecard: her sales beside the program's, her rank among the two partners.
	sc, err := s.reports.Scorecard(ctx, annaCaller, 1, mustQuery(t, "from=2026-10-22&to=2026-11-20"))
	if err != nil {
		t.Fatal(err)
	}
	sales := sc.Figures[0]
	row := regexp.MustCompile(`<th scope="row">Sales</th><td class="num">([^<]+)</td><td class="num">([^<]+)</td><td class="num rank">([^<]+)</td>`).FindStringSubmatch(body)
	if row == nil || row[1] != anyText(sales.Partner) || row[2] != anyText(sales.Program) || row[3] != "1 of\u00a02" {
		t.Errorf("Anna's scorecard row of sales: %q; the service: %+v", row, sales)
	}
	// Nobody has a cost: every partner's is 0.00, and nobody is ranked on it.
	for _, f := range sc.Figures {
		if f.Metric == "cost" && (f.Rank != nil || anyText(f.Program) != "0.00") {
			t.Errorf("a cost nobody has is ranked: %+v", f)
		}
	}
	if !regexp.MustCompile(`<th scope="row">Cost</th><td class="num">0.00</td><td class="num">0.00</td><td class="num rank">—</td>`).MatchString(body) {
		t.Error("Anna's scorecard ranks her on a cost nobody has")
	}
}

func mustQuery(t *testing.T, q string) report.Request {
	t.Helper()
	v, _ := url.ParseQuery(q)
	req, err := report.ParseQuery(v, now)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func anyText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return decimal.NewFromInt(v).String()
	}
	return "—"
}

// TestReportExplorer: the explorer answers the API's query as a table, a chart and the API's
// CSV; a mistake in a parameter is shown at its input (never a 500); a partner gets its own rows
// whatever its URL asks.
func TestReportExplorer(t *testing.T) {
	s := newSite(t)
	admin := s.login("admin@example.com")
	resp, body := admin.get("/console/reports")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<svg class="plot wide"`) || !strings.Contains(body, `value="day" selected`) {
		t.Fatalf("the explorer's first page: %d", resp.StatusCode)
	}
	// Checkboxes and the API's comma lists are the same query.
	_, boxes := admin.get("/console/reports?group_by=partner&metrics=clicks&metrics=sales&group_by=")
	_, lists := admin.get("/console/reports?group_by=partner&metrics=clicks,sales")
	if boxes != lists || !strings.Contains(lists, `href="/console/partners/1">Anna</a>`) || !strings.Contains(lists, `>Ben</a>`) {
		t.Fatal("the explorer's checkboxes and comma lists differ, or lack a partner")
	}
	if !strings.Contains(lists, `<rect class="bar s0"`) {
		t.Error("a report by partner has no bar chart")
	}
	// The CSV is the API's for the same query.
	resp, csv := admin.get("/console/reports/csv?group_by=partner&metrics=clicks,sales")
	file, err := report.CSV(s.run(program.Admin, "group_by=partner&metrics=clicks,sales"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" || csv != string(file.Body) ||
		!strings.HasPrefix(csv, "partner_id,partner,clicks,sales\n") {
		t.Fatalf("CSV %d %s:\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), csv)
	}
	if !strings.Contains(lists, `href="/console/reports/csv?`) {
		t.Error("no CSV link")
	}

	// Pages: a row each, the next page's link carries the cursor.
	_, body = admin.get("/console/reports?group_by=partner&metrics=clicks&limit=1")
	next := regexp.MustCompile(`<a href="(/console/reports\?[^"]*cursor=o1[^"]*)">Next page</a>`).FindStringSubmatch(body)
	if next == nil || !strings.Contains(body, ">Anna</a>") || strings.Contains(body, ">Ben</a>") {
		t.Fatal("the first page of one row")
	}
	_, body = admin.get(html.UnescapeString(next[1]))
	if !strings.Contains(body, ">Ben</a>") || strings.Contains(body, ">Anna</a>") || !strings.Contains(body, "First page") {
		t.Error("the second page of one row")
	}
	resp, body = admin.get("/console/reports?cursor=x")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "cursor is not a cursor from a previous answer") {
		t.Errorf("a wrong cursor: %d\n%s", resp.StatusCode, errorsOf(body))
	}

	// Mistakes, each at its input.
	for q, input := range map[string]string{
		"group_by=colour":               "f-group_by-error",
		"metrics=clicks,likes":          "f-metrics-error",
		"from=yesterday":                "f-from-error",
		"from=2026-11-10&to=2026-11-01": "f-to-error",
		"tz=Mars/Olympus":               "f-tz-error",
		"compare=yes":                   "f-compare-error",
		"filter%5Bcountry%5D=DE&from=2020-01-01&to=2026-11-20": "f-to-error",
		"filter%5Bcolour%5D=red":                               "f-filter-colour--error",
		"currency=XXY":                                         "f-currency-error",
	} {
		resp, body := admin.get("/console/reports?" + q)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="`+input+`"`) || !strings.Contains(body, `role="alert"`) {
			t.Errorf("%s: %d, want 400 with the error at %s:\n%s", q, resp.StatusCode, input, errorsOf(body))
		}
	}
	resp, body = admin.get("/console/reports?bogus=1")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "bogus is not a parameter of reports") {
		t.Errorf("?bogus=1: %d\n%s", resp.StatusCode, errorsOf(body))
	}
	resp, _ = admin.get("/console/reports/csv?group_by=colour")
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("CSV of a bad query: %d", resp.StatusCode)
	}

	// Anna: her rows only, whatever the URL says.
	anna := s.login("anna@example.com")
	_, body = anna.get("/portal/reports?group_by=partner&metrics=clicks")
	if !strings.Contains(body, ">Anna<") || strings.Contains(body, "Ben") || strings.Contains(body, "/console/partners") {
		t.Error("Anna's report by partner shows another partner, or console links")
	}
	_, body = anna.get("/portal/reports?group_by=partner&metrics=clicks&filter%5Bpartner%5D=2")
	if strings.Contains(body, "Ben") || !strings.Contains(body, "Nothing to show") {
		t.Error("filter[partner]=2 shows Ben's rows to Anna")
	}
	_, csv = anna.get("/portal/reports/csv?group_by=partner&metrics=clicks,payout")
	if csv != "partner_id,partner,clicks,payout\n1,Anna,24,61.00\n" {
		t.Errorf("Anna's CSV:\n%s", csv)
	}
	_, csv = anna.get("/portal/reports/csv?group_by=partner&metrics=clicks&filter%5Bpartner_id%5D=2")
	if csv != "partner_id,partner,clicks\n" {
		t.Errorf("Anna's CSV of partner 2:\n%s", csv)
	}
	resp, body = anna.get("/portal/reports?metrics=revenue")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `id="f-metrics-error"`) || strings.Contains(body, `value="revenue"`) {
		t.Errorf("Anna asking for revenue: %d\n%s", resp.StatusCode, errorsOf(body))
	}
	resp, _ = anna.get("/portal/reports/csv?metrics=profit")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("Anna's CSV of profit: %d", resp.StatusCode)
	}
	if resp, _ := anna.get("/console/reports/csv?group_by=partner"); resp.Request.URL.Path != "/portal/dashboard" {
		t.Errorf("Anna at the console's CSV ends at %s", resp.Request.URL.Path)
	}
}

// TestPartnersScorecard: the partners list has each partner's last 30 days; a partner's page
// has its scorecard, for admins only.
func TestPartnersScorecard(t *testing.T) {
	s := newSite(t)
	admin := s.login("admin@example.com")
	_, body := admin.get("/console/partners")
	res := s.run(program.Admin, "group_by=partner&metrics=clicks,conversions,sales,epc,cr,payout,refund_rate&from=2026-10-22&to=2026-11-20")
	for _, row := range res.Rows {
		name := row[1].(string)
		cells := regexp.MustCompile(`(?s)<strong>` + name + `</strong>.*?</tr>`).FindString(body)
		for i, m := range []string{"Clicks", "Conversions", "Sales (EUR)", "EPC (EUR)", "Conversion rate", "Payout (EUR)", "Refund rate"} {
			want := anyText(row[2+i])
			if !strings.Contains(cells, `<td data-label="`+m+`" class="num">`+want) {
				t.Errorf("%s's %s: want %s in\n%s", name, m, want, cells)
			}
		}
	}
	resp, body := admin.get("/console/partners/1")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<h1>Anna") || !strings.Contains(body, `<th scope="row">Sales</th>`) || !strings.Contains(body, "Clicks and conversions a day") {
		t.Fatalf("Anna's page: %d", resp.StatusCode)
	}
	for _, p := range []string{"/console/partners/999", "/console/partners/01"} {
		if resp, _ := admin.get(p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
	if resp, _ := s.login("shop@example.com").get("/console/partners/1"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an advertiser at a partner's page: %d", resp.StatusCode)
	}
	if resp, _ := s.login("anna@example.com").get("/console/partners/2"); resp.Request.URL.Path != "/portal/dashboard" {
		t.Errorf("Anna at Ben's page ends at %s", resp.Request.URL.Path)
	}
	// Approving from the partner's page comes back to it.
	admin.get("/console/partners/2")
	resp, _ = admin.post("/console/partners/2/status", url.Values{"status": {"active"}, "back": {"detail"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/partners/2" {
		t.Errorf("approve from the page: %d to %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// sse reads a live feed's events: each event's name and data.
type sse struct {
	events chan [2]string
	cancel context.CancelFunc
}

func (b *browser) live(path string) *sse {
	b.t.Helper()
	c, cancel := context.WithCancel(ctx)
	req, _ := http.NewRequestWithContext(c, "GET", b.s.srv.URL+path, nil)
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		b.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &sse{events: make(chan [2]string, 100), cancel: cancel}
	b.t.Cleanup(cancel)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var name string
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "event: "); ok {
				name = v
			} else if v, ok := strings.CutPrefix(line, "data: "); ok {
				s.events <- [2]string{name, v}
			}
		}
		close(s.events)
	}()
	return s
}

// next is the feed's next event, or fails the test after a while.
func (s *sse) next(t *testing.T) [2]string {
	t.Helper()
	select {
	case e, ok := <-s.events:
		if !ok {
			t.Fatal("the live feed ended")
		}
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no event in the live feed")
	}
	return [2]string{}
}

// TestLiveFeed: the pages' live feed is the API's stream, signed in by the session: clicks and
// conversions as they are stored, a partner's own only.
func TestLiveFeed(t *testing.T) {
	s := newSite(t)
	if resp, _ := s.browser().get("/console/live"); resp.Request.URL.Path != "/login" {
		t.Fatalf("signed out, the feed ends at %s", resp.Request.URL.Path)
	}
	admin := s.login("admin@example.com").live("/console/live")
	anna := s.login("anna@example.com").live("/portal/live")
	s.click(2, now, 1) // Ben's
	s.click(1, now, 1) // Anna's
	for _, want := range []string{`"partner_id":2`, `"partner_id":1`} {
		if e := admin.next(t); e[0] != "click" || !strings.Contains(e[1], want) {
			t.Errorf("the admin's feed: %v, want a click of %s", e, want)
		}
	}
	if e := anna.next(t); e[0] != "click" || !strings.Contains(e[1], `"partner_id":1`) || strings.Contains(e[1], `"ip"`) {
		t.Errorf("Anna's feed: %v, want her click only, without the visitor's address", e)
	}
	_, err := s.program.ReportConversion(ctx, program.Admin, pactum.ConversionInput{OfferID: 1, Event: "purchase", OrderID: "A-3", Coupon: "ANNA10",
		Source: pactum.SourceAPI, Items: []pactum.LineItem{{SKU: "SOCK-1", Quantity: 1, UnitPrice: decimal.RequireFromString("50.00")}}})
	if err != nil {
		t.Fatal(err)
	}
	if e := anna.next(t); e[0] != "conversion" || !strings.Contains(e[1], `"amount":"50.00"`) || strings.Contains(e[1], "revenue") {
		t.Errorf("Anna's feed: %v, want her sale without revenue", e)
	}
	if e := admin.next(t); e[0] != "conversion" || !strings.Contains(e[1], `"revenue"`) {
		t.Errorf("the admin's feed: %v, want the sale with revenue", e)
	}
}

func value(t *testing.T, v any) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(anyText(v))
	if err != nil {
		t.Fatalf("%v: %v", v, err)
	}
	return d
}

// groupThousands writes 12840 as "12,840".
func groupThousands(s string) string {
	whole, frac, ok := strings.Cut(s, ".")
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	if ok {
		return whole + "." + frac
	}
	return whole
}
