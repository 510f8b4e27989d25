package report

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// Result is a report as answered.
type Result struct {
	Currency string
	Request  Request
	// Columns names the values of each row: the group dimensions (an entity dimension is two
	// columns: "partner_id" and "partner", its name), then the metrics (with "_previous" and
	// "_change" after each when compared).
	Columns []string
	Rows    [][]any
	// Totals are the metrics over every row (not only this page), in the metric columns' order.
	Totals []any
	// Next is the cursor of the next page, "" on the last.
	Next string
}

// Run answers req for caller c.
func (s *Service) Run(ctx context.Context, c program.Caller, req Request) (*Result, error) {
	if len(req.Metrics) == 0 {
		req.Metrics = MetricsOf(c)
	}
	for _, m := range req.Metrics {
		if metrics[m].revenue && !c.SeesRevenue() {
			return nil, &pactum.Error{Code: pactum.EFORBIDDEN, Field: "metrics", Message: "a partner key may not see " + m + ": what the advertiser pays is not the partner's to know"}
		}
	}
	for _, k := range req.Sort {
		if metrics[k.Field].revenue && !c.SeesRevenue() {
			return nil, &pactum.Error{Code: pactum.EFORBIDDEN, Field: "sort", Message: "a partner key may not sort by " + k.Field}
		}
	}
	cat, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	cur, err := s.sum(ctx, c, req, cat, req.From, req.To)
	if err != nil {
		return nil, err
	}
	var prev *query
	if req.Compare {
		from, to := previous(req)
		if prev, err = s.sum(ctx, c, req, cat, from, to); err != nil {
			return nil, err
		}
	}
	return s.result(cur, prev, cat), nil
}

// sum runs the query of req over [from, to) with its costs.
func (s *Service) sum(ctx context.Context, c program.Caller, req Request, cat *catalog, from, to time.Time) (*query, error) {
	q, err := s.resolve(ctx, c, req, cat)
	if err != nil {
		return nil, err
	}
	// Reports count whole seconds: rollups and raw reads bound a range in Unix seconds, so a
	// time with a fraction (JavaScript's toISOString has milliseconds) counts from its second,
	// here and in what the report says it covers.
	from, to = from.Truncate(time.Second), to.Truncate(time.Second)
	q.req.From, q.req.To = from, to
	if err := q.run(ctx, from.Unix(), to.Unix()); err != nil {
		return nil, err
	}
	if err := q.finish(); err != nil {
		return nil, err
	}
	if err := q.addCosts(ctx, from.Unix(), to.Unix()); err != nil {
		return nil, err
	}
	return q, nil
}

// previous is the range of the same length just before req's: as many calendar days for a range
// of days, the same duration otherwise.
func previous(req Request) (time.Time, time.Time) {
	if req.Dates {
		days := 0
		for d := req.From; d.Before(req.To); d = d.AddDate(0, 0, 1) {
			days++
		}
		return req.From.AddDate(0, 0, -days), req.From
	}
	return req.From.Add(-req.To.Sub(req.From)), req.From
}

// result makes the answer: rows in order, with their metrics, and the page asked for.
func (s *Service) result(q, prev *query, cat *catalog) *Result {
	req := q.req
	res := &Result{Currency: q.currency, Request: req}
	if q.timeDim != "" {
		res.Columns = append(res.Columns, q.timeDim)
	}
	for _, d := range q.groups {
		if slices.Contains(entityDims[:3], d) {
			res.Columns = append(res.Columns, d+"_id")
		}
		res.Columns = append(res.Columns, d)
	}
	for _, m := range req.Metrics {
		res.Columns = append(res.Columns, m)
		if prev != nil {
			res.Columns = append(res.Columns, m+"_previous", m+"_change")
		}
	}
	// Periods of the previous range line up with this one's by their place.
	var prevByKey map[string]*group
	places := func(q *query) map[int64]int {
		out := map[int64]int{}
		if q.timeDim != "" {
			for t, n := q.periodOf(q.req.From.Unix()), 0; t < q.req.To.Unix(); t, n = q.nextPeriod(t), n+1 {
				out[t] = n
			}
		}
		return out
	}
	here := places(q)
	if prev != nil {
		there := places(prev)
		prevByKey = map[string]*group{}
		for _, g := range prev.out {
			prevByKey[groupKey(there[g.period], g.values)] = g
		}
	}
	groups := make([]*group, 0, len(q.out))
	for _, g := range q.out {
		groups = append(groups, g)
	}
	if q.timeDim != "" && len(q.groups) == 0 {
		// A time series shows every period, those without events too, so that a chart has no gaps.
		seen := map[int64]bool{}
		for _, g := range groups {
			seen[g.period] = true
		}
		for t := q.periodOf(req.From.Unix()); t < req.To.Unix(); t = q.nextPeriod(t) {
			if !seen[t] {
				groups = append(groups, &group{period: t, values: []string{}})
			}
		}
	}
	var total, prevTotal group
	for _, g := range groups {
		total.m.Add(g.m)
		total.cost += g.cost
	}
	if prev != nil {
		for _, g := range prev.out {
			prevTotal.m.Add(g.m)
			prevTotal.cost += g.cost
		}
	}
	rows := make([]row, 0, len(groups))
	for _, g := range groups {
		r := row{g: g}
		if prev != nil {
			r.prev = prevByKey[groupKey(here[g.period], g.values)]
			if r.prev == nil {
				r.prev = &group{}
			}
		}
		rows = append(rows, r)
	}
	s.sortRows(q, rows)
	res.Totals = q.metricValues(&total, prevOrNil(prev != nil, &prevTotal))
	for i, r := range rows {
		if i < req.Offset {
			continue
		}
		if len(res.Rows) == req.Limit {
			res.Next = "o" + strconv.Itoa(i)
			break
		}
		var out []any
		if q.timeDim != "" {
			out = append(out, q.formatPeriod(r.g.period))
		}
		for i, d := range q.groups {
			v := r.g.values[i]
			switch d {
			case "offer":
				id, _ := strconv.ParseInt(v, 10, 64)
				out = append(out, id, cat.offers[id].Name)
			case "advertiser":
				id, _ := strconv.ParseInt(v, 10, 64)
				out = append(out, id, cat.advertisers[id].Name)
			case "partner":
				id, _ := strconv.ParseInt(v, 10, 64)
				if id == 0 {
					out = append(out, nil, "(none)")
				} else {
					out = append(out, id, cat.partners[id].Name)
				}
			default:
				out = append(out, v)
			}
		}
		res.Rows = append(res.Rows, append(out, q.metricValues(r.g, r.prev)...))
	}
	return res
}

func prevOrNil(on bool, g *group) *group {
	if on {
		return g
	}
	return nil
}

func groupKey(index int, values []string) string {
	k := strconv.Itoa(index)
	for _, v := range values {
		k += "\x00" + v
	}
	return k
}

// nextPeriod returns the start of the period after the one starting at t.
func (q *query) nextPeriod(t int64) int64 {
	local := time.Unix(t, 0).In(q.req.Location)
	switch q.timeDim {
	case "hour":
		return t + 3600 // hours do not move with summer time
	case "day":
		local = local.AddDate(0, 0, 1)
	case "week":
		local = local.AddDate(0, 0, 7)
	case "month":
		local = local.AddDate(0, 1, 0)
	}
	return q.periodOf(local.Unix())
}

// formatPeriod writes a period as the report shows it: an hour as an RFC 3339 time in the
// report's time zone, a day and a week (its Monday) as a date, a month as YYYY-MM.
func (q *query) formatPeriod(t int64) string {
	local := time.Unix(t, 0).In(q.req.Location)
	switch q.timeDim {
	case "hour":
		return local.Format(time.RFC3339)
	case "month":
		return local.Format("2006-01")
	}
	return local.Format(pactum.DateLayout)
}

// row is a group of the answer with its counterpart in the previous range.
type row struct {
	g, prev *group
}

// sortRows orders rows by the request's sort keys, then by their periods and values, so that
// the same request always pages the same way. Without sort keys a report is in time order, then
// by its first metric, largest first.
func (s *Service) sortRows(q *query, rows []row) {
	keys := q.req.Sort
	if len(keys) == 0 && len(q.req.Metrics) > 0 && len(q.groups) > 0 {
		keys = []SortKey{{Field: q.req.Metrics[0], Desc: true}}
	}
	// Each row's metrics are computed once, not at every comparison: decimals made for each of
	// n log n comparisons cost as much as reading a month of days by partner.
	type keyed struct {
		row
		vals []*decimal.Decimal // per key, the metric's value (nil for a dimension)
	}
	ks := make([]keyed, len(rows))
	for i := range rows {
		ks[i].row = rows[i]
		ks[i].vals = make([]*decimal.Decimal, len(keys))
		for j, k := range keys {
			if !slices.Contains(q.groups, k.Field) && k.Field != q.timeDim {
				ks[i].vals[j] = q.metric(k.Field, rows[i].g)
			}
		}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		for j, k := range keys {
			var c int
			if i := slices.Index(q.groups, k.Field); i >= 0 {
				c = cmp.Compare(a.g.values[i], b.g.values[i])
			} else if k.Field == q.timeDim {
				c = cmp.Compare(a.g.period, b.g.period)
			} else {
				c = compareValues(a.vals[j], b.vals[j])
			}
			if k.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		if c := cmp.Compare(a.g.period, b.g.period); c != 0 {
			return c
		}
		return slices.Compare(a.g.values, b.g.values)
	})
	for i := range ks {
		rows[i] = ks[i].row
	}
}

// compareValues orders metric values: null first, then by number.
func compareValues(a, b *decimal.Decimal) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return a.Cmp(*b)
}

// metricValues returns g's values of the request's metrics, as the answer shows them.
func (q *query) metricValues(g, prev *group) []any {
	var out []any
	for _, name := range q.req.Metrics {
		v := q.metric(name, g)
		out = append(out, q.format(name, v))
		if prev != nil {
			p := q.metric(name, prev)
			out = append(out, q.format(name, p), change(v, p))
		}
	}
	return out
}

// change is the relative change from p to v in percent with two decimals, null from 0 or null.
func change(v, p *decimal.Decimal) any {
	if v == nil || p == nil || p.IsZero() {
		return nil
	}
	return v.Sub(*p).Mul(decimal.New(100, 0)).DivRound(p.Abs(), 2).StringFixed(2)
}

var hundred = decimal.New(100, 0)

// metric computes one metric of g as an exact decimal (money in major units), nil where it has
// no value (a rate over nothing; a cost that the grouping cannot tell apart).
func (q *query) metric(name string, g *group) *decimal.Decimal {
	m, cur := &g.m, q.currency
	money := func(v int64) decimal.Decimal { return pactum.FromMinor(v, cur) }
	count := func(v int64) *decimal.Decimal { d := decimal.NewFromInt(v); return &d }
	ratio := func(a, b decimal.Decimal, scale decimal.Decimal) *decimal.Decimal {
		if b.IsZero() {
			return nil
		}
		d := a.Mul(scale).Div(b)
		return &d
	}
	one := decimal.New(1, 0)
	switch name {
	case "impressions":
		return count(m.Impressions)
	case "clicks":
		return count(m.Clicks)
	case "unique_clicks":
		return count(m.UniqueClicks)
	case "invalid_clicks":
		return count(m.InvalidClicks)
	case "conversions":
		return count(m.Conversions)
	case "new_customers":
		return count(m.NewCustomers)
	case "refunds":
		return count(m.Refunds)
	case "sales":
		d := money(m.Sales)
		return &d
	case "payout":
		d := money(m.Payout)
		return &d
	case "revenue":
		d := money(m.Revenue)
		return &d
	case "profit":
		d := money(m.Revenue - m.Payout)
		return &d
	case "refunded_amount":
		d := money(m.RefundedAmount)
		return &d
	case "cost":
		if !q.costable {
			return nil
		}
		d := money(g.cost)
		return &d
	case "aov":
		return ratio(money(m.Sales), decimal.NewFromInt(m.Conversions), one)
	case "cr":
		return ratio(decimal.NewFromInt(m.Conversions), decimal.NewFromInt(m.Clicks), hundred)
	case "epc":
		return ratio(money(m.Payout), decimal.NewFromInt(m.Clicks), one)
	case "margin":
		return ratio(money(m.Revenue-m.Payout), money(m.Revenue), hundred)
	case "new_customer_share":
		return ratio(decimal.NewFromInt(m.NewCustomers), decimal.NewFromInt(m.Conversions), hundred)
	case "refund_rate":
		return ratio(money(m.RefundedAmount), money(m.Sales), hundred)
	case "roas":
		spend := m.Payout
		if q.costable {
			spend += g.cost
		}
		return ratio(money(m.Sales), money(spend), one)
	case "avg_ctct":
		return ratio(decimal.NewFromInt(m.CTCTSum), decimal.NewFromInt(m.CTCTCount), one)
	}
	return nil
}

// format writes a metric's value as the answer carries it: counts and seconds as integers,
// money as a string with the currency's digits, percentages and ratios with two decimals,
// rounded half away from zero; null as null.
func (q *query) format(name string, v *decimal.Decimal) any {
	if v == nil {
		return nil
	}
	switch metrics[name].kind {
	case kindCount:
		return v.IntPart()
	case kindSeconds:
		return v.Round(0).IntPart()
	case kindMoney:
		return pactum.FormatAmount(pactum.Round(*v, q.currency), q.currency)
	}
	return v.Round(2).StringFixed(2)
}
