package report

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// Dimensions a report can be grouped and filtered by (SPEC section 7).
var (
	timeDims   = []string{"hour", "day", "week", "month"}
	entityDims = []string{"offer", "advertiser", "partner", "partner_kind"}
	lineDims   = []string{"sku", "category"}
)

// Dimensions lists every dimension, in the order the documentation gives them.
func Dimensions() []string {
	out := slices.Concat(timeDims, entityDims, pactum.RollupDims, lineDims)
	return out
}

// metric kinds: how a metric is computed and written.
const (
	kindCount   = iota // an integer
	kindMoney          // a sum of money, in the report's currency
	kindPercent        // a share, in percent with two decimals
	kindRatio          // a ratio with two decimals (ROAS)
	kindSeconds        // whole seconds
)

type metricInfo struct {
	kind int
	// revenue: what the advertiser pays the network, and what follows from it: partners never
	// see it (SPEC sections 7 and 8).
	revenue bool
}

// metrics are the report's metrics and how each is made.
var metrics = map[string]metricInfo{
	"impressions": {kind: kindCount}, "clicks": {kind: kindCount}, "unique_clicks": {kind: kindCount},
	"invalid_clicks": {kind: kindCount}, "conversions": {kind: kindCount}, "sales": {kind: kindMoney},
	"aov": {kind: kindMoney}, "cr": {kind: kindPercent}, "epc": {kind: kindMoney}, "payout": {kind: kindMoney},
	"revenue": {kind: kindMoney, revenue: true}, "profit": {kind: kindMoney, revenue: true},
	"margin": {kind: kindPercent, revenue: true}, "new_customers": {kind: kindCount},
	"new_customer_share": {kind: kindPercent}, "refunds": {kind: kindCount}, "refunded_amount": {kind: kindMoney},
	"refund_rate": {kind: kindPercent}, "cost": {kind: kindMoney}, "roas": {kind: kindRatio},
	"avg_ctct": {kind: kindSeconds},
}

// metricOrder is the order metrics are listed in when a request names none.
var metricOrder = []string{"impressions", "clicks", "unique_clicks", "invalid_clicks", "conversions", "sales", "aov",
	"cr", "epc", "payout", "revenue", "profit", "margin", "new_customers", "new_customer_share", "refunds",
	"refunded_amount", "refund_rate", "cost", "roas", "avg_ctct"}

// Metrics lists every metric.
func Metrics() []string { return slices.Clone(metricOrder) }

// MetricsOf lists the metrics caller c may see, in order: every metric but revenue, profit and
// margin for a partner. A request that names none reports these.
func MetricsOf(c program.Caller) []string {
	var out []string
	for _, m := range metricOrder {
		if c.SeesRevenue() || !metrics[m].revenue {
			out = append(out, m)
		}
	}
	return out
}

// Kind tells how a metric is written: "count" (an integer), "money" (a decimal string in the
// report's currency), "percent" (a decimal string), "ratio" (a decimal string) or "seconds"
// (an integer); "" for no metric.
func Kind(metric string) string {
	m, ok := metrics[metric]
	if !ok {
		return ""
	}
	return [...]string{kindCount: "count", kindMoney: "money", kindPercent: "percent", kindRatio: "ratio", kindSeconds: "seconds"}[m.kind]
}

// Limits of a report request.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
	maxRangeDays = 731
	maxGroupBy   = 6
	maxFilterSet = 1000
)

// Request is a report as asked.
type Request struct {
	GroupBy []string
	Metrics []string
	// From and To are the report's range, From inclusive and To exclusive.
	From, To time.Time
	// Dates is set when From and To were given as days (the usual case): they print as days.
	Dates    bool
	Location *time.Location
	Filters  map[string][]string
	Sort     []SortKey
	Limit    int
	Offset   int
	Compare  bool
	Currency string
}

// SortKey orders rows by a metric or a dimension.
type SortKey struct {
	Field string
	Desc  bool
}

// ParseQuery reads a report request from URL parameters: group_by, metrics, from, to, tz,
// filter[dim], sort, limit, cursor, compare, currency. now dates a request without a range: the
// 30 days to today. Errors name the parameter.
func ParseQuery(q url.Values, now time.Time) (Request, error) {
	r := Request{Filters: map[string][]string{}, Limit: DefaultLimit}
	for name, vs := range q {
		if len(vs) > 1 {
			return r, pactum.FieldError(name, "is given more than once; give it once (values are separated by commas)")
		}
		if dim, ok := strings.CutPrefix(name, "filter["); ok && strings.HasSuffix(dim, "]") {
			dim = strings.TrimSuffix(dim, "]")
			switch dim {
			case "offer_id", "partner_id", "advertiser_id":
				dim = strings.TrimSuffix(dim, "_id")
			}
			if !slices.Contains(Dimensions(), dim) || slices.Contains(timeDims, dim) {
				return r, pactum.FieldError(name, "%q is not a dimension to filter by; use one of %s", dim, strings.Join(filterDims(), ", "))
			}
			if _, dup := r.Filters[dim]; dup {
				return r, pactum.FieldError(name, "filters %s twice", dim)
			}
			values := splitList(vs[0])
			if len(values) > maxFilterSet {
				return r, pactum.FieldError(name, "must list at most %d values", maxFilterSet)
			}
			for _, v := range values {
				if err := pactum.CheckText(name, v, pactum.MaxText); err != nil {
					return r, err
				}
				if slices.Contains(entityDims[:3], dim) {
					if id, err := strconv.ParseInt(v, 10, 64); err != nil || id < 0 {
						return r, pactum.FieldError(name, "%q is not an id", v)
					}
				}
			}
			r.Filters[dim] = values
			continue
		}
		switch name {
		case "group_by", "metrics", "from", "to", "tz", "sort", "limit", "cursor", "compare", "currency", "format":
		default:
			return r, pactum.FieldError(name, "is not a parameter of reports; they are group_by, metrics, from, to, tz, filter[dimension], sort, limit, cursor, compare, currency and format")
		}
	}
	var err error
	if r.GroupBy, err = parseGroupBy(q.Get("group_by")); err != nil {
		return r, err
	}
	if r.Metrics, err = parseMetrics(q.Get("metrics")); err != nil {
		return r, err
	}
	r.Location = time.UTC
	if tz := q.Get("tz"); tz != "" {
		if r.Location, err = time.LoadLocation(tz); err != nil || tz == "Local" {
			return r, pactum.FieldError("tz", "%q is not an IANA time zone such as \"Europe/Berlin\"", tz)
		}
	}
	if err := r.parseRange(q.Get("from"), q.Get("to"), now); err != nil {
		return r, err
	}
	if r.Sort, err = parseSort(q.Get("sort"), r); err != nil {
		return r, err
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return r, pactum.FieldError("limit", "must be a whole number from 1 to %d", MaxLimit)
		}
		r.Limit = min(n, MaxLimit)
	}
	if s := q.Get("cursor"); s != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(s, "o"))
		if err != nil || n < 0 || !strings.HasPrefix(s, "o") {
			return r, pactum.FieldError("cursor", "is not a cursor from a previous answer")
		}
		r.Offset = n
	}
	switch c := q.Get("compare"); c {
	case "":
	case "previous":
		r.Compare = true
	default:
		return r, pactum.FieldError("compare", "must be \"previous\", not %q", c)
	}
	if c := q.Get("currency"); c != "" {
		if !pactum.ValidCurrency(c) {
			return r, pactum.FieldError("currency", "%q is not a currency Pactum knows (ISO 4217, such as \"EUR\")", c)
		}
		r.Currency = c
	}
	return r, nil
}

func filterDims() []string {
	var out []string
	for _, d := range Dimensions() {
		if !slices.Contains(timeDims, d) {
			out = append(out, d)
		}
	}
	return out
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		out = append(out, strings.TrimSpace(v))
	}
	return out
}

func parseGroupBy(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var out []string
	times := 0
	for _, d := range splitList(s) {
		switch {
		case !slices.Contains(Dimensions(), d):
			return nil, pactum.FieldError("group_by", "%q is not a dimension; use %s", d, strings.Join(Dimensions(), ", "))
		case slices.Contains(out, d):
			return nil, pactum.FieldError("group_by", "lists %s twice", d)
		case slices.Contains(timeDims, d):
			times++
		}
		out = append(out, d)
	}
	if times > 1 {
		return nil, pactum.FieldError("group_by", "may hold one of hour, day, week and month")
	}
	if len(out) > maxGroupBy {
		return nil, pactum.FieldError("group_by", "may list at most %d dimensions", maxGroupBy)
	}
	return out, nil
}

func parseMetrics(s string) ([]string, error) {
	if s == "" {
		return nil, nil // the caller's defaults
	}
	var out []string
	for _, m := range splitList(s) {
		if _, ok := metrics[m]; !ok {
			return nil, pactum.FieldError("metrics", "%q is not a metric; use %s", m, strings.Join(metricOrder, ", "))
		}
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out, nil
}

// parseRange reads from and to: days (YYYY-MM-DD, both inclusive, in the report's time zone) or
// RFC 3339 times (to exclusive). Without them the report covers the 30 days to today.
func (r *Request) parseRange(from, to string, now time.Time) error {
	day := func(s, field string) (time.Time, bool, error) {
		if d, err := time.ParseInLocation(pactum.DateLayout, s, r.Location); err == nil {
			return d, true, nil
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return time.Time{}, false, pactum.FieldError(field, "must be a day such as 2026-11-01 or an RFC 3339 time, not %q", s)
		}
		return t, false, nil
	}
	today := now.In(r.Location)
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, r.Location)
	r.From, r.To, r.Dates = today.AddDate(0, 0, -29), today.AddDate(0, 0, 1), true
	if from != "" {
		t, isDay, err := day(from, "from")
		if err != nil {
			return err
		}
		r.From, r.Dates = t, isDay
	}
	if to != "" {
		t, isDay, err := day(to, "to")
		if err != nil {
			return err
		}
		if isDay {
			t = t.AddDate(0, 0, 1) // a day is inclusive
		}
		r.To, r.Dates = t, r.Dates && isDay
	} else if from != "" && !r.Dates {
		r.To = now
	}
	if !r.To.After(r.From) {
		return pactum.FieldError("to", "must not be before from")
	}
	if r.To.Sub(r.From) > maxRangeDays*24*time.Hour {
		return pactum.FieldError("to", "a report covers at most %d days", maxRangeDays)
	}
	return nil
}

func parseSort(s string, r Request) ([]SortKey, error) {
	if s == "" {
		return nil, nil
	}
	var out []SortKey
	for _, f := range splitList(s) {
		k := SortKey{Field: strings.TrimPrefix(f, "-"), Desc: strings.HasPrefix(f, "-")}
		_, isMetric := metrics[k.Field]
		if !isMetric && !slices.Contains(r.GroupBy, k.Field) {
			return nil, pactum.FieldError("sort", "%q is neither a metric nor a dimension of group_by", k.Field)
		}
		out = append(out, k)
	}
	return out, nil
}

// String names a request in logs.
func (r Request) String() string {
	return fmt.Sprintf("group_by=%v metrics=%v %s..%s", r.GroupBy, r.Metrics, r.From.Format(time.RFC3339), r.To.Format(time.RFC3339))
}
