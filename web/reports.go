package web

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/answer"
	"github.com/pactum/pactum/program"
	"github.com/pactum/pactum/report"
)

// The report explorer (console and portal): a GET form of the API's report parameters, whose
// answer is a table, a chart and a CSV download. The form's inputs are named as the API's
// parameters, so that its URL is the API's query: group_by and metrics are checkboxes (a value
// each), joined into the API's comma lists before report.ParseQuery reads them as the API does;
// its errors name the parameter, and the form shows each at its input. The report service
// scopes every answer to the viewer (a partner's own rows, whatever its filters say).

type reportsData struct {
	Form       *form
	Area       string // "console" or "portal"
	Times      []string
	Dimensions []string
	Metrics    []string
	Filters    []filterInput
	Result     *report.Result
	Table      table
	Chart      *chart
	Prev, Next string // the first page's and the next page's links
	CSV        string
	Range      string
}

type filterInput struct {
	Name, Label, Hint string
}

// explorerDefaults are a first visit's report: the last 30 days, day by day.
func explorerDefaults(c program.Caller) url.Values {
	return url.Values{"group_by": {"day"}, "metrics": dashboardMetrics(c.SeesRevenue())}
}

// reportQuery reads the explorer's form into the API's query: each of group_by and metrics one
// comma-separated list (in the order the form lists them), empty inputs left out. The form keeps
// the lists as single values, for its checkboxes.
func reportQuery(raw url.Values) (q url.Values, f *form) {
	q, fv := url.Values{}, url.Values{}
	for name, vs := range raw {
		if name == "group_by" || name == "metrics" {
			var items []string
			for _, v := range vs {
				for _, it := range strings.Split(v, ",") {
					if it = strings.TrimSpace(it); it != "" && !slices.Contains(items, it) {
						items = append(items, it)
					}
				}
			}
			fv[name] = items
			if len(items) > 0 {
				q.Set(name, strings.Join(items, ","))
			}
			continue
		}
		fv[name] = vs
		var kept []string
		for _, v := range vs {
			if strings.TrimSpace(v) != "" {
				kept = append(kept, strings.TrimSpace(v))
			}
		}
		if len(kept) > 0 {
			q[name] = kept // given twice, ParseQuery says so
		}
	}
	// A time dimension first, as the API lists it.
	if gb := q.Get("group_by"); gb != "" {
		items := strings.Split(gb, ",")
		slices.SortStableFunc(items, func(a, b string) int {
			return boolInt(!isTime(a)) - boolInt(!isTime(b))
		})
		q.Set("group_by", strings.Join(items, ","))
	}
	return q, newForm(fv)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func isTime(d string) bool { return d == "hour" || d == "day" || d == "week" || d == "month" }

// explorerInputs are the dimensions, metrics and filters the viewer's form offers.
func explorerInputs(c program.Caller, f *form) (dims, metrics []string, filters []filterInput) {
	for _, d := range report.Dimensions() {
		switch {
		case isTime(d):
		case c.IsPartner() && (d == "partner" || d == "partner_kind" || d == "advertiser" || d == "reason"):
		case c.IsAdvertiser() && d == "advertiser":
		default:
			dims = append(dims, d)
		}
	}
	filters = []filterInput{{"filter[offer]", "Offers", "ids, comma-separated"}}
	if !c.IsPartner() {
		filters = append(filters, filterInput{"filter[partner]", "Partners", "ids, comma-separated"})
	}
	filters = append(filters, filterInput{"filter[country]", "Countries", "such as DE, AT"},
		filterInput{"filter[source]", "Sources", "such as instagram"}, filterInput{"filter[sub1]", "Sub 1", ""},
		filterInput{"filter[device]", "Devices", "mobile, desktop, tablet"})
	// Filters the URL names that the form does not show are shown too, so they can be seen and
	// cleared.
	var extra []string
	for name := range f.Values {
		if strings.HasPrefix(name, "filter[") && !slices.ContainsFunc(filters, func(fi filterInput) bool { return fi.Name == name }) {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		filters = append(filters, filterInput{Name: name, Label: label(strings.TrimSuffix(strings.TrimPrefix(name, "filter["), "]"))})
	}
	return dims, report.MetricsOf(c), filters
}

// reportInput maps a parameter an error names to the form's input that shows it.
func reportInput(inputs []filterInput) func(string) string {
	return func(field string) string {
		switch field {
		case "group_by", "metrics", "from", "to", "tz", "compare", "currency", "sort":
			return field
		}
		for _, fi := range inputs {
			if fi.Name == field {
				return field
			}
		}
		return "" // limit, cursor or an unknown parameter: the form's problem, named
	}
}

func (s *Server) reportsPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	raw := r.URL.Query()
	if len(raw) == 0 {
		raw = explorerDefaults(v.Caller)
	}
	q, f := reportQuery(raw)
	d := reportsData{Form: f, Area: areaName(v.Caller), Times: []string{"hour", "day", "week", "month"}}
	d.Dimensions, d.Metrics, d.Filters = explorerInputs(v.Caller, f)
	res, err := s.report(r.Context(), v.Caller, q)
	if err != nil {
		// A partner asking for what it may not see (revenue) is told at the input too.
		forbidden := pactum.ErrorCode(err) == pactum.EFORBIDDEN && pactum.ErrorField(err) != ""
		if forbidden {
			err = pactum.FieldError(pactum.ErrorField(err), "%s", pactum.ErrorMessage(err))
		}
		if err := f.fail(err, reportInput(d.Filters)); err != nil {
			return err
		}
		if forbidden {
			f.Status = http.StatusForbidden
		}
		s.render(w, r, v, f.Status, "reports", "Reports", d)
		return nil
	}
	d.Result = res
	base := "/" + d.Area + "/reports"
	var link func(string, int64) string
	if d.Area == "console" {
		link = consoleLink(v.Caller)
	}
	d.Table = tableOf(res, "Report", link, func(col string) (string, string) {
		if report.Kind(col) == "" && !slices.Contains(strings.Split(q.Get("group_by"), ","), col) {
			return "", "" // a compared figure: not a field to sort by
		}
		cur, dir, next := q.Get("sort"), "", col
		switch cur {
		case col:
			dir, next = "ascending", "-"+col
		case "-" + col:
			dir = "descending"
		}
		return base + "?" + with(q, "sort", next, "cursor", "").Encode(), dir
	})
	d.Table.Caption = reportCaption(res)
	d.Range = rangeText(res.Request)
	if d.Chart = explorerChart(res); d.Chart != nil {
		d.Chart.Wide = true
	}
	if res.Next != "" {
		d.Next = base + "?" + with(q, "cursor", res.Next).Encode()
	}
	if q.Get("cursor") != "" {
		d.Prev = base + "?" + with(q, "cursor", "").Encode()
	}
	d.CSV = base + "/csv?" + with(q, "cursor", "", "limit", strconv.Itoa(report.MaxLimit)).Encode()
	s.render(w, r, v, http.StatusOK, "reports", "Reports", d)
	return nil
}

// reportCSV answers the explorer's report as the API's CSV (report.CSV), for the same query.
func (s *Server) reportCSV(w http.ResponseWriter, r *http.Request, v *viewer) error {
	q, _ := reportQuery(r.URL.Query())
	res, err := s.report(r.Context(), v.Caller, q)
	if err != nil {
		return err
	}
	file, err := report.CSV(res)
	if err != nil {
		return err
	}
	answer.WriteFile(w, file.ContentType, file.Filename, file.Body)
	return nil
}

// with is q with each name set to its value ("" removes it).
func with(q url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range q {
		out[k] = vs
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			out.Del(kv[i])
		} else {
			out.Set(kv[i], kv[i+1])
		}
	}
	return out
}

func areaName(c program.Caller) string {
	if c.IsPartner() {
		return "portal"
	}
	return "console"
}

// reportCaption says what a report is: "Clicks, Sales by day and partner".
func reportCaption(res *report.Result) string {
	var dims []string
	for _, d := range res.Request.GroupBy {
		dims = append(dims, strings.ToLower(label(d)))
	}
	var ms []string
	for _, m := range res.Request.Metrics {
		ms = append(ms, label(m))
	}
	c := strings.Join(ms, ", ")
	if len(dims) > 0 {
		c += " by " + strings.Join(dims, " and ")
	}
	return c
}

// explorerChart draws a report's first metric: over time as lines (a second metric on its own
// axis when it is of another kind or of a much smaller range, see ownAxis; a line per group, the six largest, when the report has other
// dimensions too), else as bars of the page's rows. A report of totals alone has no chart.
func explorerChart(res *report.Result) *chart {
	req := res.Request
	if len(req.GroupBy) == 0 || len(req.Metrics) == 0 || len(res.Rows) == 0 {
		return nil
	}
	first := req.Metrics[0]
	title := label(first) + " by " + strings.ToLower(label(req.GroupBy[0]))
	var timeDim string
	if isTime(req.GroupBy[0]) {
		timeDim = req.GroupBy[0]
	}
	rowLabel := func(row []any) string {
		var parts []string
		for i, col := range res.Columns[:len(res.Columns)-len(res.Totals)] {
			if col == timeDim || strings.HasSuffix(col, "_id") && i+1 < len(res.Columns) && res.Columns[i+1] == strings.TrimSuffix(col, "_id") {
				continue
			}
			t := "(none)"
			if row[i] != nil && row[i] != "" {
				t = strings.TrimSpace(anyText(row[i]))
			}
			parts = append(parts, t)
		}
		return strings.Join(parts, " · ")
	}
	switch {
	case timeDim != "" && len(req.GroupBy) == 1:
		c := &chart{ID: "explorer", Title: title, Kind: "line", Labels: labels(res, timeDim), Series: []chartSeries{series(res, first, false)}}
		if len(req.Metrics) > 1 {
			second := req.Metrics[1]
			c.Series = append(c.Series, series(res, second, ownAxis(c.Series[0].Values, column(res, second), report.Kind(first), report.Kind(second))))
			c.Title = label(first) + " and " + strings.ToLower(label(second)) + " by " + strings.ToLower(label(timeDim))
		}
		return c
	case timeDim != "":
		// A line per group: periods in order, the groups with the largest sums of the metric.
		mi := slices.Index(res.Columns, first)
		ti := slices.Index(res.Columns, timeDim)
		var periods []string
		byGroup := map[string]map[string]any{}
		sums := map[string]decimal.Decimal{}
		var groups []string
		for _, row := range res.Rows {
			p, g := anyText(row[ti]), rowLabel(row)
			if !slices.Contains(periods, p) {
				periods = append(periods, p)
			}
			if byGroup[g] == nil {
				byGroup[g] = map[string]any{}
				groups = append(groups, g)
			}
			byGroup[g][p] = row[mi]
			if d := value(row[mi]); d != nil {
				sums[g] = sums[g].Add(*d)
			}
		}
		sort.Strings(periods)
		sort.SliceStable(groups, func(i, j int) bool { return sums[groups[i]].GreaterThan(sums[groups[j]]) })
		c := &chart{ID: "explorer", Title: title + " (the largest groups of this page)", Kind: "line", Labels: periods}
		for _, g := range groups[:min(6, len(groups))] {
			s := chartSeries{Name: g, Unit: unit(first, res.Currency)}
			for _, p := range periods {
				v, ok := byGroup[g][p]
				if !ok && report.Kind(first) != "percent" && report.Kind(first) != "ratio" {
					v = int64(0) // a group without a row had nothing in that period
				}
				s.Values = append(s.Values, v)
			}
			c.Series = append(c.Series, s)
		}
		return c
	}
	c := &chart{ID: "explorer", Title: title, Kind: "bar", Series: []chartSeries{{Name: label(first), Unit: unit(first, res.Currency)}}}
	mi := slices.Index(res.Columns, first)
	for _, row := range res.Rows[:min(30, len(res.Rows))] {
		c.Labels = append(c.Labels, rowLabel(row))
		c.Series[0].Values = append(c.Series[0].Values, row[mi])
	}
	if len(res.Rows) > 30 {
		c.Title += " (the first 30 rows)"
	}
	return c
}

func anyText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case nil:
		return ""
	}
	return ""
}

// rangeText writes a report's range for people: "1 Nov 2026 to 30 Nov 2026, UTC".
func rangeText(req report.Request) string {
	from, to := req.From.Format("2 Jan 2006 15:04"), req.To.Format("2 Jan 2006 15:04")
	if req.Dates {
		from, to = req.From.Format("2 Jan 2006"), req.To.AddDate(0, 0, -1).Format("2 Jan 2006")
	}
	return from + " to " + to + ", " + req.Location.String()
}

// ownAxis tells whether a second line goes on its own, right-hand axis: when it is of another
// kind than the first (money beside a count), or when its largest value is under a quarter of
// the first's, so that it is not flattened along the bottom of the first's axis (conversions
// beside clicks, as the dashboard draws them).
func ownAxis(first, second []any, firstKind, secondKind string) bool {
	if firstKind != secondKind {
		return true
	}
	top := func(vs []any) decimal.Decimal {
		hi := decimal.Zero
		for _, v := range vs {
			if d := value(v); d != nil {
				hi = decimal.Max(hi, d.Abs())
			}
		}
		return hi
	}
	a, b := top(first), top(second)
	return b.Mul(decimal.NewFromInt(4)).LessThan(a)
}
