package report

import (
	"context"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum/program"
)

// scorecardMetrics are the figures of a scorecard (SPEC section 7), each with whether more is
// better (for its rank).
var scorecardMetrics = []struct {
	name   string
	higher bool
}{
	{"sales", true}, {"conversions", true}, {"aov", true}, {"new_customer_share", true}, {"epc", true},
	{"cr", true}, {"refund_rate", false}, {"clicks", true}, {"payout", true}, {"cost", false}, {"roas", true},
}

// Scorecard is how one partner did in a program over a range, beside the program as a whole.
type Scorecard struct {
	PartnerID int64
	Currency  string
	Request   Request
	// Partners is how many of the program's partners had clicks or conversions in the range.
	Partners int
	Figures  []ScoreFigure
	// Trend is the partner's figures day by day: the columns of TrendColumns.
	TrendColumns []string
	Trend        [][]any
}

// ScoreFigure is one metric: the partner's value, the program's (over all its partners) and
// the partner's rank among them (1 is the best; partners with equal values share a rank; nil
// when the partner has no value, or when every partner's value is the same, as a cost nobody has).
type ScoreFigure struct {
	Metric  string
	Partner any
	Program any
	Rank    *int
}

var trendMetrics = []string{"clicks", "conversions", "sales", "payout", "epc", "cr"}

// Scorecard answers partner id's scorecard over req's range and time zone. The program is the
// offers req's filters name (advertiser, offer), else every offer the caller may see.
func (s *Service) Scorecard(ctx context.Context, c program.Caller, id int64, req Request) (*Scorecard, error) {
	if c.IsPartner() && c.PartnerID != id {
		return nil, program.NotFound("partner", id)
	}
	cat, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	if _, ok := cat.partners[id]; !ok {
		return nil, program.NotFound("partner", id)
	}
	// The program's partners, side by side. A partner key sees the program's totals and its
	// rank, not the other partners' rows: the query runs as an admin, scoped to the program.
	scope := program.Admin
	if c.IsAdvertiser() {
		scope = c
	}
	all := req
	all.GroupBy, all.Metrics, all.Filters = []string{"partner"}, nil, map[string][]string{}
	for _, d := range []string{"advertiser", "offer"} {
		if vs, ok := req.Filters[d]; ok {
			all.Filters[d] = vs
		}
	}
	for _, m := range scorecardMetrics {
		all.Metrics = append(all.Metrics, m.name)
	}
	q, err := s.sum(ctx, scope, all, cat, all.From, all.To)
	if err != nil {
		return nil, err
	}
	sc := &Scorecard{PartnerID: id, Currency: q.currency, Request: req}
	var total group
	var mine *group
	var others []*group
	for _, g := range q.out {
		if g.values[0] == "0" {
			continue // unattributed: no partner to rank
		}
		total.m.Add(g.m)
		total.cost += g.cost
		others = append(others, g)
		if g.values[0] == strconv.FormatInt(id, 10) {
			mine = g
		}
	}
	if mine == nil {
		mine = &group{values: []string{strconv.FormatInt(id, 10)}}
	}
	sc.Partners = len(others)
	for _, m := range scorecardMetrics {
		f := ScoreFigure{Metric: m.name, Partner: q.format(m.name, q.metric(m.name, mine)), Program: q.format(m.name, q.metric(m.name, &total))}
		if v := q.metric(m.name, mine); v != nil {
			var values []*decimal.Decimal
			for _, o := range others {
				if o != mine {
					values = append(values, q.metric(m.name, o))
				}
			}
			f.Rank = rankOf(*v, values, m.higher)
		}
		sc.Figures = append(sc.Figures, f)
	}
	// The partner's days.
	trend := req
	trend.GroupBy, trend.Metrics, trend.Limit, trend.Offset, trend.Sort, trend.Compare = []string{"day"}, trendMetrics, MaxLimit, 0, nil, false
	trend.Filters = map[string][]string{"partner": {strconv.FormatInt(id, 10)}}
	for _, d := range []string{"advertiser", "offer"} {
		if vs, ok := req.Filters[d]; ok {
			trend.Filters[d] = vs
		}
	}
	tq, err := s.sum(ctx, scope, trend, cat, trend.From, trend.To)
	if err != nil {
		return nil, err
	}
	res := s.result(tq, nil, cat)
	sc.TrendColumns, sc.Trend = res.Columns, res.Rows
	return sc, nil
}

// rankOf is the rank of v among the others' values (nil: none) where higher (or, with !higher,
// lower) is better: one more than those strictly better, so that equal values share a rank.
// When every value is the same as v (no partner has a cost, say), nobody is ahead of anyone and
// there is no rank; nor is there among no others.
func rankOf(v decimal.Decimal, others []*decimal.Decimal, higher bool) *int {
	rank, differ := 1, false
	for _, o := range others {
		if o == nil {
			continue
		}
		if !o.Equal(v) {
			differ = true
		}
		if higher && o.GreaterThan(v) || !higher && o.LessThan(v) {
			rank++
		}
	}
	if !differ {
		return nil
	}
	return &rank
}
