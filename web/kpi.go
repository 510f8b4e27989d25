package web

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
	"github.com/pactum/pactum/report"
)

// What the report-heavy pages share (the dashboards, the report explorer, the partners'
// scorecards): asking the report service, the period a page covers, KPI tiles with their
// change, and a report's answer as a table. Every figure is the service's, as exact as it
// gives it; pages only name and arrange them.

// report runs the report that q asks for, read by report.ParseQuery as the API reads its query
// (so a page asks exactly what a URL of the API would), for the viewer.
func (s *Server) report(ctx context.Context, c program.Caller, q url.Values) (*report.Result, error) {
	req, err := report.ParseQuery(q, s.reports.Now())
	if err != nil {
		return nil, err
	}
	return s.reports.Run(ctx, c, req)
}

// reports runs several reports side by side (the store has readers for each: on SQLite and
// PostgreSQL alike), so that a page of several waits for its slowest, not for their sum. The
// first error, in qs's order, is the answer's.
func (s *Server) reportsOf(ctx context.Context, c program.Caller, qs ...url.Values) ([]*report.Result, error) {
	out := make([]*report.Result, len(qs))
	errs := make([]error, len(qs))
	var wg sync.WaitGroup
	for i, q := range qs {
		wg.Go(func() { out[i], errs[i] = s.report(ctx, c, q) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// scorecard is partner id's scorecard over the period, as the API's GET
// /api/v1/partners/{id}/scorecard answers it for c.
func (s *Server) scorecard(ctx context.Context, c program.Caller, id int64, per period) (*report.Scorecard, error) {
	now := s.reports.Now()
	req, err := report.ParseQuery(per.query(now, nil), now)
	if err != nil {
		return nil, err
	}
	return s.reports.Scorecard(ctx, c, id, req)
}

// metricLabels name the metrics for people.
var metricLabels = map[string]string{
	"impressions": "Impressions", "clicks": "Clicks", "unique_clicks": "Unique clicks", "invalid_clicks": "Invalid clicks",
	"conversions": "Conversions", "sales": "Sales", "aov": "Average order", "cr": "Conversion rate", "epc": "EPC",
	"payout": "Payout", "revenue": "Revenue", "profit": "Profit", "margin": "Margin", "new_customers": "New customers",
	"new_customer_share": "New-customer share", "refunds": "Refunds", "refunded_amount": "Refunded", "refund_rate": "Refund rate",
	"cost": "Cost", "roas": "ROAS", "avg_ctct": "Click to conversion (s)",
}

// dimensionLabels name the dimensions for people.
var dimensionLabels = map[string]string{
	"hour": "Hour", "day": "Day", "week": "Week", "month": "Month", "offer": "Offer", "advertiser": "Advertiser",
	"partner": "Partner", "partner_kind": "Partner kind", "source": "Source", "country": "Country", "device": "Device",
	"os": "OS", "browser": "Browser", "coupon": "Coupon", "sku": "SKU", "category": "Category", "event": "Event",
	"attribution": "Attribution", "customer_type": "Customer type", "status": "Status", "reason": "Reason",
}

// label names a metric or dimension ("sub1" is "Sub 1").
func label(name string) string {
	if l, ok := metricLabels[name]; ok {
		return l
	}
	if l, ok := dimensionLabels[name]; ok {
		return l
	}
	if n, ok := strings.CutPrefix(name, "sub"); ok {
		return "Sub " + n
	}
	return name
}

// unit is what follows a metric's figure: the currency for money, "%" for a rate.
func unit(metric, currency string) string {
	switch report.Kind(metric) {
	case "money":
		return currency
	case "percent":
		return "%"
	case "seconds":
		return "s"
	}
	return ""
}

// period is the range a dashboard covers: the last Days days, today included.
type period struct {
	Days    int
	Choices []int
}

var periodChoices = []int{7, 30, 90}

// readPeriod reads ?days= (7, 30 or 90; 30 when not given); another value is the form's error,
// and the page shows 30 days under it.
func readPeriod(f *form) period {
	p := period{Days: 30, Choices: periodChoices}
	v := strings.TrimSpace(f.Get("days"))
	if v == "" {
		return p
	}
	n, err := strconv.Atoi(v)
	if err != nil || !slices.Contains(periodChoices, n) {
		_ = f.fail(pactum.FieldError("days", "must be 7, 30 or 90 (the last days to show), not %q", v), nil) // invalid: always the form's
		return p
	}
	p.Days = n
	return p
}

// query is the report query of the period (in UTC days, today last), with more parameters.
func (p period) query(now time.Time, more url.Values) url.Values {
	today := now.UTC()
	q := url.Values{"from": {today.AddDate(0, 0, 1-p.Days).Format(pactum.DateLayout)}, "to": {today.Format(pactum.DateLayout)}}
	for k, v := range more {
		q[k] = v
	}
	return q
}

// today is the report query of today so far: from midnight (UTC, as the period's days) until
// now, so that compare=previous sets it against yesterday until the same time of day, not
// against all of yesterday.
func today(now time.Time, more url.Values) url.Values {
	midnight := now.UTC().Truncate(24 * time.Hour)
	to := now.UTC()
	if !to.After(midnight) {
		to = midnight.Add(time.Second)
	}
	q := url.Values{"from": {midnight.Format(time.RFC3339)}, "to": {to.Format(time.RFC3339)}}
	for k, v := range more {
		q[k] = v
	}
	return q
}

// before is the query that tells whether the period before p has a full history: the program's
// (the caller's) clicks and conversions on and before that period's first day, over the two
// years a report may cover. None (beforeStarts) means the data starts within the period before,
// and a change against it is not a change against a full period.
func (p period) before(now time.Time) url.Values {
	first := now.UTC().AddDate(0, 0, 1-2*p.Days)
	return url.Values{"from": {first.AddDate(0, 0, -729).Format(pactum.DateLayout)}, "to": {first.Format(pactum.DateLayout)},
		"metrics": {"impressions,clicks,invalid_clicks,conversions"}}
}

// beforeStarts tells from the answer to period.before whether the data starts within the
// period before: nothing on or before its first day.
func beforeStarts(res *report.Result) bool {
	for _, v := range res.Totals {
		if d := value(v); d != nil && !d.IsZero() {
			return false
		}
	}
	return true
}

// tile is one KPI: its figure over a range and the change against the range before.
type tile struct {
	Metric, Label string
	Value         string
	Previous      string
	// Change is the change in percent ("12.50"); Diff the change as a figure ("1,204", "15.39
	// EUR") where a percentage would mislead (see tiles), with Note saying why; both are "" when
	// there is no change to show (from nothing); then Flat says why: "no change" (nothing before
	// or now), or "new" (nothing before).
	Change, Diff, Note string
	Up                 bool
	Flat               string
}

// ratios are the metrics that are rates of others: a partial period's rate is still a rate,
// comparable with a full period's.
var ratios = map[string]bool{"cr": true, "epc": true, "aov": true, "margin": true, "roas": true, "refund_rate": true,
	"new_customer_share": true, "avg_ctct": true}

// Notes of a change shown as a figure rather than a percentage.
const (
	notePartial = "partial previous period"
	noteSign    = "across zero: no percentage"
	noteTiny    = "from a tiny base: no percentage"
)

// tinyBase is the change in percent from which a change is shown as a figure: the base was so
// small against the figure now (under a tenth) that its percentage says nothing.
var tinyBase = decimal.NewFromInt(900)

// tiles reads the KPIs of metrics from a compared report's totals. partial says the period
// before is not a full one (the data starts within it): a sum (clicks, sales) is then shown
// with its change as a figure, not as a percentage of a part-period, and marked so; a rate
// keeps its percentage. A change across zero (a profit that became a loss) or from a tiny base
// is shown as a figure too: its percentage would mean nothing.
func tiles(res *report.Result, metrics []string, partial bool) []tile {
	totals := totalsOf(res)
	var out []tile
	for _, m := range metrics {
		u := unit(m, res.Currency)
		t := tile{Metric: m, Label: label(m), Value: figure(totals[m], u), Previous: figure(totals[m+"_previous"], u)}
		if c, ok := totals[m+"_change"].(string); ok {
			t.Change, t.Up = strings.TrimPrefix(c, "-"), !strings.HasPrefix(c, "-")
			cur, prev, pct := value(totals[m]), value(totals[m+"_previous"]), value(c)
			switch {
			case cur == nil || prev == nil:
			case partial && !ratios[m]:
				t.Note = notePartial
			case cur.Sign()*prev.Sign() < 0 || prev.Sign() < 0:
				t.Note = noteSign
			case pct != nil && pct.Abs().GreaterThanOrEqual(tinyBase):
				t.Note = noteTiny
			}
			if t.Note != "" {
				diff := cur.Sub(*prev)
				t.Change, t.Up = "", diff.Sign() >= 0
				places := int32(0)
				if _, ok := totals[m].(string); ok {
					places = 2
				}
				t.Diff = figure(diff.Abs().StringFixed(places), u)
			}
		} else if v := value(totals[m]); v != nil && !v.IsZero() {
			t.Flat = "new"
		} else {
			t.Flat = "no change"
		}
		out = append(out, t)
	}
	return out
}

// totalsOf are a result's totals by column.
func totalsOf(res *report.Result) map[string]any {
	out := map[string]any{}
	cols := res.Columns[len(res.Columns)-len(res.Totals):]
	for i, c := range cols {
		out[c] = res.Totals[i]
	}
	return out
}

// column is a result's values of one column, row by row (nil where it has no such column).
func column(res *report.Result, name string) []any {
	i := slices.Index(res.Columns, name)
	out := make([]any, len(res.Rows))
	if i < 0 {
		return out
	}
	for r, row := range res.Rows {
		out[r] = row[i]
	}
	return out
}

// labels are a result's values of a column as text: a time series' periods.
func labels(res *report.Result, name string) []string {
	var out []string
	for _, v := range column(res, name) {
		out = append(out, anyText(v))
	}
	return out
}

// series is a chart's series of one metric of a result.
func series(res *report.Result, metric string, right bool) chartSeries {
	return chartSeries{Name: label(metric), Unit: unit(metric, res.Currency), Values: column(res, metric), Right: right}
}

// trendCharts are the two charts of a daily report: clicks and conversions (an axis each, as
// their scales differ a hundredfold), and sales and payout (one money axis).
func trendCharts(res *report.Result, id string) []*chart {
	days := labels(res, "day")
	return []*chart{
		{ID: id + "-traffic", Title: "Clicks and conversions a day", Kind: "line", Labels: days,
			Series: []chartSeries{series(res, "clicks", false), series(res, "conversions", true)}},
		{ID: id + "-money", Title: "Sales and payout a day (" + res.Currency + ")", Kind: "line", Labels: days,
			Series: []chartSeries{series(res, "sales", false), series(res, "payout", false)}},
	}
}

// table is a report's answer as a table: entity columns (an id and a name) merged into one
// with a link, compared metrics as their figure, the one before and the change.
type table struct {
	Caption string
	Head    []cell
	Rows    [][]cell
	Foot    []cell
}

// cell is one cell of a table. Sort and SortDir are a header's link to sort by it and its
// current order ("ascending", "descending" or "").
type cell struct {
	Text, Href, Hint string
	Num              bool
	Sort, SortDir    string
}

// tableOf builds the table of res. link gives the page of an entity (offer, partner) by its
// id, or ""; sortURL gives a header's link to sort by a column, or "" for none.
func tableOf(res *report.Result, caption string, link func(dim string, id int64) string, sortURL func(col string) (string, string)) table {
	t := table{Caption: caption}
	cols := res.Columns
	metricsFrom := len(cols) - len(res.Totals)
	type colView struct {
		index int
		name  string
		id    int // the index of an entity's id column, or -1
	}
	var view []colView
	for i := 0; i < len(cols); i++ {
		name := cols[i]
		if i < metricsFrom && strings.HasSuffix(name, "_id") && i+1 < len(cols) && cols[i+1] == strings.TrimSuffix(name, "_id") {
			view = append(view, colView{index: i + 1, name: cols[i+1], id: i})
			i++
			continue
		}
		view = append(view, colView{index: i, name: name, id: -1})
	}
	for _, c := range view {
		h := cell{Text: headLabel(c.name, res.Currency), Num: c.index >= metricsFrom}
		if sortURL != nil {
			h.Sort, h.SortDir = sortURL(c.name)
		}
		t.Head = append(t.Head, h)
	}
	for _, row := range res.Rows {
		var cells []cell
		for _, c := range view {
			if c.index >= metricsFrom {
				cells = append(cells, metricCell(cols[c.index], row[c.index], res.Currency))
				continue
			}
			cl := cell{Text: fmt.Sprint(row[c.index])}
			if row[c.index] == nil || cl.Text == "" {
				cl.Text = "(none)"
			}
			if c.id >= 0 {
				if id, ok := row[c.id].(int64); ok {
					cl.Hint = "#" + strconv.FormatInt(id, 10)
					if link != nil {
						cl.Href = link(c.name, id)
					}
				}
			}
			cells = append(cells, cl)
		}
		t.Rows = append(t.Rows, cells)
	}
	if len(res.Totals) > 0 && len(view) > 0 {
		totals := totalsOf(res)
		for i, c := range view {
			switch {
			case c.index >= metricsFrom:
				t.Foot = append(t.Foot, metricCell(cols[c.index], totals[cols[c.index]], res.Currency))
			case i == 0:
				t.Foot = append(t.Foot, cell{Text: "Total"})
			default:
				t.Foot = append(t.Foot, cell{})
			}
		}
	}
	return t
}

// headLabel names a column: "Sales (EUR)", "Clicks before", "Clicks change".
func headLabel(col, currency string) string {
	if m, ok := strings.CutSuffix(col, "_previous"); ok && report.Kind(m) != "" {
		return label(m) + " before"
	}
	if m, ok := strings.CutSuffix(col, "_change"); ok && report.Kind(m) != "" {
		return label(m) + " change"
	}
	if report.Kind(col) == "money" {
		return label(col) + " (" + currency + ")"
	}
	return label(col)
}

// metricCell writes a metric's figure: money without its currency (the header says it), a
// change with its sign and "%".
func metricCell(col string, v any, currency string) cell {
	if _, ok := strings.CutSuffix(col, "_change"); ok && report.Kind(strings.TrimSuffix(col, "_change")) != "" {
		if s, ok := v.(string); ok {
			if !strings.HasPrefix(s, "-") {
				s = "+" + s
			}
			return cell{Text: s + "%", Num: true}
		}
		return cell{Text: "—", Num: true}
	}
	m := strings.TrimSuffix(col, "_previous")
	u := unit(m, currency)
	if u == currency {
		u = ""
	}
	return cell{Text: figure(v, u), Num: true}
}

// consoleLink is the console's page of an entity: an offer's editor, a partner's scorecard
// (admins only: an advertiser has no partner pages).
func consoleLink(c program.Caller) func(dim string, id int64) string {
	return func(dim string, id int64) string {
		switch {
		case dim == "offer":
			return "/console/offers/" + strconv.FormatInt(id, 10)
		case dim == "partner" && c.IsAdmin():
			return "/console/partners/" + strconv.FormatInt(id, 10)
		}
		return ""
	}
}

// scoreRow is one figure of a scorecard: the partner's, the program's, and the partner's rank.
type scoreRow struct {
	Label, Partner, Program, Rank string
}

// scorecardView is a scorecard as its pages show it: its figures, and its daily trend charts.
type scorecardView struct {
	Who      string // the partner's column: its name, or "You"
	Rows     []scoreRow
	Partners int
	Charts   []*chart
	Currency string
}

// viewScorecard arranges a scorecard; id makes its charts' ids.
func viewScorecard(sc *report.Scorecard, id, who string) scorecardView {
	v := scorecardView{Who: who, Partners: sc.Partners, Currency: sc.Currency}
	for _, f := range sc.Figures {
		u := unit(f.Metric, sc.Currency)
		if u == sc.Currency {
			u = "" // the caption names the currency
		}
		row := scoreRow{Label: label(f.Metric), Partner: figure(f.Partner, u), Program: figure(f.Program, u), Rank: "—"}
		if f.Rank != nil {
			row.Rank = fmt.Sprintf("%d of\u00a0%d", *f.Rank, max(sc.Partners, *f.Rank)) // wraps as "12 / of 46"
		}
		v.Rows = append(v.Rows, row)
	}
	v.Charts = trendCharts(&report.Result{Columns: sc.TrendColumns, Rows: sc.Trend, Currency: sc.Currency}, id)
	return v
}
