package report

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// Store is what reports read: the rollups and raw events, and the program to name what they count.
type Store interface {
	pactum.ReportStore
	ListOffers(ctx context.Context, f pactum.OfferFilter, p pactum.Page) ([]pactum.Offer, error)
	ListPartners(ctx context.Context, p pactum.Page) ([]pactum.Partner, error)
	ListAdvertisers(ctx context.Context, p pactum.Page) ([]pactum.Advertiser, error)
	// CountConversions counts the conversions held or rejected for fraud scores.
	CountConversions(ctx context.Context, f pactum.ConversionFilter) (int64, error)
}

// Rates converts money between currencies on a day (fx.Cache).
type Rates interface {
	Rate(from, to string, day time.Time) (rate decimal.Decimal, asOf time.Time, err error)
}

// Service answers reports and scorecards.
type Service struct {
	store Store
	rates Rates
	now   func() time.Time
	// raw makes every query read the raw events, for tests that check the rollups against them.
	raw bool
}

// New returns a Service over st. rates may be nil (then a report in several currencies, or in
// another currency than its data, is refused).
func New(st Store, rates Rates, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, rates: rates, now: now}
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// catalog is the program as one report names it: every offer, partner and advertiser.
type catalog struct {
	offers      map[int64]pactum.Offer
	partners    map[int64]pactum.Partner
	advertisers map[int64]pactum.Advertiser
}

func (s *Service) catalog(ctx context.Context) (*catalog, error) {
	c := &catalog{offers: map[int64]pactum.Offer{}, partners: map[int64]pactum.Partner{}, advertisers: map[int64]pactum.Advertiser{}}
	err := eachPage(func(p pactum.Page) ([]pactum.Offer, error) { return s.store.ListOffers(ctx, pactum.OfferFilter{}, p) },
		func(o pactum.Offer) int64 { c.offers[o.ID] = o; return o.ID })
	if err == nil {
		err = eachPage(func(p pactum.Page) ([]pactum.Partner, error) { return s.store.ListPartners(ctx, p) },
			func(x pactum.Partner) int64 { c.partners[x.ID] = x; return x.ID })
	}
	if err == nil {
		err = eachPage(func(p pactum.Page) ([]pactum.Advertiser, error) { return s.store.ListAdvertisers(ctx, p) },
			func(a pactum.Advertiser) int64 { c.advertisers[a.ID] = a; return a.ID })
	}
	return c, err
}

// eachPage reads a list page by page, handing each item to take, which returns its id.
func eachPage[T any](list func(pactum.Page) ([]T, error), take func(T) int64) error {
	for p := (pactum.Page{Limit: program.MaxPage}); ; {
		page, err := list(p)
		if err != nil {
			return err
		}
		for _, it := range page {
			p.After = take(it)
		}
		if len(page) < p.Limit {
			return nil
		}
	}
}

// query is a request resolved against the catalog and the caller: what it reads and how it groups.
type query struct {
	s        *Service
	cat      *catalog
	req      Request
	timeDim  string
	groups   []string // group dimensions other than time
	offerIDs []int64  // nil: every offer
	// partnerIDs is nil for every partner (the unattributed included).
	partnerIDs []int64
	// filters on rollup and line dimensions.
	filters   map[string][]string
	lines     bool // SKU or category: line facts
	rejected  bool // status or reason: rejected conversions count
	byPartner bool
	currency  string
	convert   bool
	local     *pactum.PeriodMap // the time zone's offsets over the range, by the unit SQL groups by
	costable  bool              // costs can be told apart in every group
	out       map[string]*group
	pending   map[toConvert]*pactum.Metrics
	mirror    int64 // while fix moves figures: the time of the period they move from
}

// group is one row of a report as it is summed.
type group struct {
	period int64
	values []string // the group dimensions' values (ids for entities)
	m      pactum.Metrics
	cost   int64
}

// resolve checks req against the caller and the catalog.
func (s *Service) resolve(ctx context.Context, c program.Caller, req Request, cat *catalog) (*query, error) {
	q := &query{s: s, cat: cat, req: req, filters: map[string][]string{}, out: map[string]*group{}}
	for _, d := range req.GroupBy {
		if slices.Contains(timeDims, d) {
			q.timeDim = d
		} else {
			q.groups = append(q.groups, d)
		}
	}
	// The caller's scope narrows the filters: a partner sees its own rows, an advertiser its
	// offers, whatever they ask (asking for another's is an empty answer, not an error).
	owners, ok := c.Scope(program.Owners{})
	if !ok {
		return nil, program.Denied("no reports for this caller")
	}
	filters := map[string][]string{}
	for k, v := range req.Filters {
		filters[k] = v
	}
	if owners.PartnerID != 0 {
		filters["partner"] = intersect(filters["partner"], strconv.FormatInt(owners.PartnerID, 10))
	}
	if owners.AdvertiserID != 0 {
		filters["advertiser"] = intersect(filters["advertiser"], strconv.FormatInt(owners.AdvertiserID, 10))
	}
	// Offers: by offer and advertiser.
	offers := map[int64]bool{}
	for id := range cat.offers {
		offers[id] = true
	}
	restrictOffers := false
	if vs, ok := filters["offer"]; ok {
		restrictOffers = true
		keep := map[int64]bool{}
		for _, v := range vs {
			id, _ := strconv.ParseInt(v, 10, 64)
			if offers[id] {
				keep[id] = true
			}
		}
		offers = keep
	}
	if vs, ok := filters["advertiser"]; ok {
		restrictOffers = true
		for id := range offers {
			if !slices.Contains(vs, strconv.FormatInt(cat.offers[id].AdvertiserID, 10)) {
				delete(offers, id)
			}
		}
	}
	if restrictOffers {
		q.offerIDs = []int64{}
		for id := range offers {
			q.offerIDs = append(q.offerIDs, id)
		}
		slices.Sort(q.offerIDs)
	}
	// Partners: by partner and partner kind.
	if vs, ok := filters["partner"]; ok {
		q.partnerIDs = []int64{}
		for _, v := range vs {
			id, _ := strconv.ParseInt(v, 10, 64)
			q.partnerIDs = append(q.partnerIDs, id)
		}
	}
	if vs, ok := filters["partner_kind"]; ok {
		var ids []int64
		for id, p := range cat.partners {
			if slices.Contains(vs, p.Kind) && (q.partnerIDs == nil || slices.Contains(q.partnerIDs, id)) {
				ids = append(ids, id)
			}
		}
		q.partnerIDs = append([]int64{}, ids...)
	}
	slices.Sort(q.partnerIDs)
	q.byPartner = q.partnerIDs != nil || slices.Contains(q.groups, "partner") || slices.Contains(q.groups, "partner_kind")
	q.costable = true
	for _, d := range append(slices.Clone(q.groups), keys(filters)...) {
		if !slices.Contains([]string{"partner", "partner_kind", "advertiser"}, d) {
			q.costable = false
		}
		if slices.Contains(pactum.RollupDims, d) || slices.Contains(lineDims, d) {
			if vs, ok := filters[d]; ok {
				q.filters[d] = vs
			}
		}
		q.lines = q.lines || slices.Contains(lineDims, d)
		q.rejected = q.rejected || d == "status" || d == "reason"
	}
	// Money is summed in one currency: the one asked for, else the one all the offers are in.
	currencies := map[string]bool{}
	for _, id := range q.offers() {
		currencies[cat.offers[id].Currency] = true
	}
	q.currency = req.Currency
	if q.currency == "" {
		switch len(currencies) {
		case 0:
			q.currency = program.DefaultCurrency
		case 1:
			for cur := range currencies {
				q.currency = cur
			}
		default:
			list := keys(currencies)
			slices.Sort(list)
			return nil, pactum.FieldError("currency", "is required: the offers of this report are in %s; choose the currency to report in", strings.Join(list, ", "))
		}
	}
	for cur := range currencies {
		q.convert = q.convert || cur != q.currency
	}
	if q.convert && s.rates == nil {
		return nil, pactum.FieldError("currency", "no exchange rates to convert %s into", q.currency)
	}
	return q, nil
}

// offers returns the offers the query reads (every offer when not filtered).
func (q *query) offers() []int64 {
	if q.offerIDs != nil {
		return q.offerIDs
	}
	return keys(q.cat.offers)
}

func keys[K comparable, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// intersect narrows a filter's values to v: v alone when there was no filter, nothing when the
// filter did not allow it.
func intersect(values []string, v string) []string {
	if values == nil || slices.Contains(values, v) {
		return []string{v}
	}
	return []string{}
}

// periodOf returns the start of the report's period that unix time t falls in.
func (q *query) periodOf(t int64) int64 {
	if q.timeDim == "" {
		return 0
	}
	local := time.Unix(t, 0).In(q.req.Location)
	y, m, d := local.Date()
	switch q.timeDim {
	case "hour":
		return time.Date(y, m, d, local.Hour(), 0, 0, 0, q.req.Location).Unix()
	case "week":
		d -= (int(local.Weekday()) + 6) % 7 // ISO weeks start on Monday
	case "month":
		d = 1
	}
	return time.Date(y, m, d, 0, 0, 0, 0, q.req.Location).Unix()
}

// add counts m, of offer and partner at unix time at (a period's or bucket's start, or an
// event's time), in the group that value (the rollup dimensions' values) names.
//
// Money in another currency than the report's is converted at the rate of its UTC day; to give
// the same figures whatever a report reads, it is first summed per UTC day, offer and group
// (finish converts each sum once), as every source can.
func (q *query) add(at, offer, partner int64, value func(dim string) string, m pactum.Metrics) error {
	if mirror := q.mirror; mirror != 0 {
		// Moved from the period of mirror (fix): nothing to do when that is at's too.
		if q.periodOf(at) == q.periodOf(mirror) {
			return nil
		}
		q.mirror = 0
		err := errors.Join(q.add(at, offer, partner, value, m), q.add(mirror, offer, partner, value, m.Neg()))
		q.mirror = mirror
		return err
	}
	o := q.cat.offers[offer]
	period := q.periodOf(at)
	var key strings.Builder
	key.WriteString(strconv.FormatInt(period, 10))
	values := make([]string, len(q.groups))
	for i, d := range q.groups {
		switch d {
		case "offer":
			values[i] = strconv.FormatInt(offer, 10)
		case "advertiser":
			values[i] = strconv.FormatInt(o.AdvertiserID, 10)
		case "partner":
			values[i] = strconv.FormatInt(partner, 10)
		case "partner_kind":
			values[i] = q.cat.partners[partner].Kind
		default:
			values[i] = value(d)
		}
		key.WriteByte(0)
		key.WriteString(values[i])
	}
	g := q.group(key.String(), period, values)
	if cur := o.Currency; q.convert && cur != "" && cur != q.currency {
		day := pactum.FloorDiv(at, pactum.GrainDay) * pactum.GrainDay
		k := toConvert{group: key.String(), day: day, offer: offer}
		if q.pending == nil {
			q.pending = map[toConvert]*pactum.Metrics{}
		}
		p, ok := q.pending[k]
		if !ok {
			p = new(pactum.Metrics)
			q.pending[k] = p
		}
		p.Add(m)
		return nil
	}
	g.m.Add(m)
	return nil
}

// toConvert is a sum of money waiting to be converted: one group's, one offer's, one UTC day's.
type toConvert struct {
	group string
	day   int64
	offer int64
}

func (q *query) group(key string, period int64, values []string) *group {
	g, ok := q.out[key]
	if !ok {
		g = &group{period: period, values: values}
		q.out[key] = g
	}
	return g
}

// finish converts the sums of money waiting in another currency and adds them to their groups.
func (q *query) finish() error {
	for k, m := range q.pending {
		cm, err := q.convertMoney(*m, q.cat.offers[k.offer].Currency, k.day)
		if err != nil {
			return err
		}
		q.out[k.group].m.Add(cm)
	}
	q.pending = nil
	// A group that sums to nothing (figures moved out of it, a conversion refunded to zero in a
	// rollup row) is no row of the report, as it is none when the raw events are read.
	for k, g := range q.out {
		if g.m.IsZero() {
			delete(q.out, k)
		}
	}
	return nil
}

// convertMoney converts m's money from cur into the report's currency at the rate of the UTC
// day of t, each figure rounded to the currency's minor unit.
func (q *query) convertMoney(m pactum.Metrics, cur string, t int64) (pactum.Metrics, error) {
	day := time.Unix(pactum.FloorDiv(t, pactum.GrainDay)*pactum.GrainDay, 0).UTC()
	rate, _, err := q.s.rates.Rate(cur, q.currency, day)
	if err != nil {
		return m, pactum.FieldError("currency", "cannot convert %s into %s for %s: %s", cur, q.currency, day.Format(pactum.DateLayout), pactum.ErrorMessage(err))
	}
	conv := func(v int64) int64 {
		return pactum.ToMinor(pactum.Round(pactum.FromMinor(v, cur).Mul(rate), q.currency), q.currency)
	}
	m.Sales, m.Payout, m.Revenue, m.RefundedAmount = conv(m.Sales), conv(m.Payout), conv(m.Revenue), conv(m.RefundedAmount)
	return m, nil
}

// piece is part of a report's range and where its figures come from: a rollup grain, or the
// raw events (grain 0).
//
// A piece of days may be shifted: in a time zone whose days do not start at UTC midnight, a UTC
// day's row counts in the period of its instant shift seconds in, and the hours of each day in
// [fixFrom, fixTo), whose period may differ, are moved to their own from that period, read at
// fixGrain (hourly rows, or the raw events). A month of Berlin days is read as 30 daily rows and
// 30 hourly ones per key, rather than 720 hourly ones.
type piece struct {
	grain    int64
	from, to int64

	shift, fixFrom, fixTo, fixGrain int64
}

// cover splits [from, to) into pieces: the coarsest grain of grains (coarse first) that the
// report's periods allow covers what it can, finer ones the edges, and the raw events what no
// grain can (the minutes of a half-hour time zone, say).
func (q *query) cover(from, to int64, grains []int64) []piece {
	if from >= to {
		return nil
	}
	for i, g := range grains {
		a, b := pactum.FloorDiv(from+g-1, g)*g, pactum.FloorDiv(to, g)*g
		if a >= b {
			continue
		}
		var mid []piece
		switch {
		case q.allows(g):
			mid = []piece{{grain: g, from: a, to: b}}
		case g == pactum.GrainDay && q.timeDim != "hour":
			mid = q.shifted(a, b, grains[i+1:])
		default:
			continue
		}
		out := q.cover(from, a, grains[i+1:])
		out = append(out, mid...)
		return append(out, q.cover(b, to, grains[i+1:])...)
	}
	return []piece{{from: from, to: to}}
}

// shifted covers the whole UTC days [from, to) with shifted pieces of days, one per UTC offset
// the time zone has in them; the hours around a change of offset come from finer grains.
func (q *query) shifted(from, to int64, finer []int64) []piece {
	var out []piece
	start := int64(math.MinInt64)
	for i, o := range q.local.Offsets {
		end := o.Until
		if i == len(q.local.Offsets)-1 {
			end = math.MaxInt64
		}
		a, b := max(from, start), min(to, end)
		start = end
		if a >= b {
			continue
		}
		da, db := pactum.FloorDiv(a+pactum.GrainDay-1, pactum.GrainDay)*pactum.GrainDay, pactum.FloorDiv(b, pactum.GrainDay)*pactum.GrainDay
		if da >= db {
			out = append(out, q.cover(a, b, finer)...)
			continue
		}
		out = append(out, q.cover(a, da, finer)...)
		p := piece{grain: pactum.GrainDay, from: da, to: db}
		// Local days start at this second of the UTC day; the smaller side of it is moved.
		if edge := pactum.FloorMod(-o.Offset, pactum.GrainDay); edge != 0 {
			p.fixFrom, p.fixTo, p.shift = edge, pactum.GrainDay, 0
			if edge <= pactum.GrainDay/2 {
				p.fixFrom, p.fixTo, p.shift = 0, edge, edge
			}
			if slices.Contains(finer, pactum.GrainHour) && edge%pactum.GrainHour == 0 {
				p.fixGrain = pactum.GrainHour
			}
		}
		out = append(out, p)
		out = append(out, q.cover(db, b, finer)...)
	}
	return out
}

// allows reports whether buckets of grain g never straddle two of the report's periods.
func (q *query) allows(g int64) bool {
	if q.timeDim == "" {
		return true
	}
	if q.timeDim == "hour" && g > pactum.GrainHour {
		return false
	}
	unit := pactum.GrainDay
	if q.timeDim == "hour" {
		unit = pactum.GrainHour
	}
	for _, o := range q.local.Offsets {
		if o.Offset%min(g, unit) != 0 {
			return false
		}
	}
	return true
}

// offsets returns the UTC offsets of loc over [from, to), each until the next.
func offsets(loc *time.Location, from, to int64, unit int64) *pactum.PeriodMap {
	p := &pactum.PeriodMap{Unit: unit}
	_, off := time.Unix(from, 0).In(loc).Zone()
	t := from
	for t < to {
		_, end := time.Unix(t, 0).In(loc).ZoneBounds()
		next := to
		if !end.IsZero() && end.Unix() < to {
			next = end.Unix()
		}
		p.Offsets = append(p.Offsets, pactum.PeriodOffset{Until: next, Offset: int64(off)})
		t = next
		_, o := time.Unix(t, 0).In(loc).Zone()
		off = o
	}
	if len(p.Offsets) == 0 {
		p.Offsets = []pactum.PeriodOffset{{Until: to, Offset: int64(off)}}
	}
	return p
}

// sqlPeriods is how SQL groups buckets of grain: by the report's periods when no money is
// converted (few rows), else by the buckets themselves, whose UTC day fixes the rate.
func (q *query) sqlPeriods(grain int64) *pactum.PeriodMap {
	switch {
	case q.convert:
		return &pactum.PeriodMap{Unit: max(grain, pactum.GrainHour), Offsets: []pactum.PeriodOffset{{Offset: 0}}}
	case q.timeDim == "":
		return nil
	}
	return q.local
}

// instant turns what SQL grouped by (sqlPeriods) back into a time in the period: the period's
// local start for a local period, the bucket's start for a bucket (in UTC, its wall clock is
// its instant).
func (q *query) instant(period int64) int64 {
	if q.convert || q.timeDim == "" {
		return period
	}
	wall := time.Unix(period, 0).UTC()
	y, m, d := wall.Date()
	return time.Date(y, m, d, wall.Hour(), 0, 0, 0, q.req.Location).Unix()
}

// run sums the report over [from, to) into q.out.
func (q *query) run(ctx context.Context, from, to int64) error {
	unit := pactum.GrainDay
	if q.timeDim == "hour" {
		unit = pactum.GrainHour
	}
	q.local = offsets(q.req.Location, from, to, unit)
	var rollupDims []string
	for _, d := range slices.Concat(q.groups, keys(q.filters)) {
		if slices.Contains(pactum.RollupDims, d) && !slices.Contains(rollupDims, d) {
			rollupDims = append(rollupDims, d)
		}
	}
	if q.s.raw {
		return q.raw(ctx, from, to)
	}
	switch {
	case q.lines && len(rollupDims) > 0:
		return q.raw(ctx, from, to)
	case q.lines:
		table := pactum.RollupLineOffer
		if q.byPartner {
			table = pactum.RollupLine
		}
		return q.rollups(ctx, table, "", from, to, []int64{pactum.GrainDay})
	case len(rollupDims) == 0:
		return q.rollups(ctx, pactum.RollupPartner, "", from, to, []int64{pactum.GrainDay, pactum.GrainHour})
	case len(rollupDims) > 1:
		return q.raw(ctx, from, to)
	}
	dim := rollupDims[0]
	daily := q.cover(from, to, []int64{pactum.GrainDay})
	hourly := q.cover(from, to, []int64{pactum.GrainHour})
	if !q.byPartner && slices.Contains(pactum.RollupHourlyDims, dim) && rawSeconds(hourly) < rawSeconds(daily) {
		return q.rollups(ctx, pactum.RollupDimHourly, dim, from, to, []int64{pactum.GrainHour})
	}
	return q.rollups(ctx, pactum.RollupDim, dim, from, to, []int64{pactum.GrainDay})
}

func rawSeconds(pieces []piece) int64 {
	var n int64
	for _, p := range pieces {
		switch {
		case p.grain == 0:
			n += p.to - p.from
		case p.fixTo > 0 && p.fixGrain == 0:
			n += (p.fixTo - p.fixFrom) * (p.to - p.from) / pactum.GrainDay
		}
	}
	return n
}

// rollups sums table (keyed by dim, if any) over [from, to), and the raw events where its
// grains do not reach.
func (q *query) rollups(ctx context.Context, table, dim string, from, to int64, grains []int64) error {
	// A visit has no value for a conversion's dimension: its figures are kept under the empty
	// value in the partner table only (rows.go), and taken from there.
	visitsFromP := dim != "" && slices.Index(pactum.RollupDims, dim) >= nVisitDims &&
		(q.filters[dim] == nil || slices.Contains(q.filters[dim], ""))
	for _, p := range q.cover(from, to, grains) {
		if p.grain == 0 {
			if err := q.raw(ctx, p.from, p.to); err != nil {
				return err
			}
			continue
		}
		rq := pactum.RollupQuery{Table: table, Grain: p.grain, From: p.from, To: p.to, Period: q.sqlPeriods(p.grain), Shift: p.shift,
			OfferIDs: q.offerIDs, PartnerIDs: q.partnerIDs, Dim: dim, Values: q.filters[dim],
			SKUs: q.filters["sku"], Categories: q.filters["category"],
			ByPartner: q.byPartner && (table == pactum.RollupPartner || table == pactum.RollupDim || table == pactum.RollupLine),
			ByValue:   dim != "", BySKU: slices.Contains(q.groups, "sku"), ByCategory: slices.Contains(q.groups, "category"),
			Figures: q.figures()}
		if q.emptyFilter() {
			return nil
		}
		rows, err := q.s.store.QueryRollups(ctx, rq)
		if err != nil {
			return err
		}
		for _, r := range rows {
			value := func(d string) string {
				switch d {
				case "sku":
					return r.SKU
				case "category":
					return r.Category
				}
				return r.Value
			}
			if err := q.add(q.at(r.Bucket, p.shift), r.OfferID, r.PartnerID, value, r.Metrics); err != nil {
				return err
			}
		}
		if visitsFromP {
			rq.Table, rq.Dim, rq.Values, rq.ByValue = pactum.RollupPartner, "", nil, false
			if rq.Grain == pactum.GrainHour && table == pactum.RollupDimHourly {
				rq.ByPartner = false
			}
			rows, err := q.s.store.QueryRollups(ctx, rq)
			if err != nil {
				return err
			}
			for _, r := range rows {
				m := pactum.Metrics{Impressions: r.Impressions, Clicks: r.Clicks, UniqueClicks: r.UniqueClicks, InvalidClicks: r.InvalidClicks}
				if err := q.add(q.at(r.Bucket, p.shift), r.OfferID, r.PartnerID, func(string) string { return "" }, m); err != nil {
					return err
				}
			}
		}
		if p.fixTo > 0 {
			rq.Grain, rq.Shift, rq.DayFrom, rq.DayTo = p.fixGrain, 0, p.fixFrom, p.fixTo
			if err := q.fix(ctx, p, rq); err != nil {
				return err
			}
		}
	}
	return nil
}

// figureNeeds are the rollup figures (pactum.MetricColumns) each metric is made of.
var figureNeeds = map[string][]string{
	"impressions": {"impressions"}, "clicks": {"clicks"}, "unique_clicks": {"unique_clicks"},
	"invalid_clicks": {"invalid_clicks"}, "conversions": {"conversions"}, "sales": {"sales"},
	"aov": {"sales", "conversions"}, "cr": {"conversions", "clicks"}, "epc": {"payout", "clicks"},
	"payout": {"payout"}, "revenue": {"revenue"}, "profit": {"revenue", "payout"}, "margin": {"revenue", "payout"},
	"new_customers": {"new_customers"}, "new_customer_share": {"new_customers", "conversions"},
	"refunds": {"refunds"}, "refunded_amount": {"refunded_amount"}, "refund_rate": {"refunded_amount", "sales"},
	"cost": {}, "roas": {"sales", "payout"}, "avg_ctct": {"ctct_sum", "ctct_count"},
}

// figures are the rollup figures the request's metrics and sort keys are made of: reading the
// others costs (a month of days by partner is some 15,000 rows), nil for all of them.
func (q *query) figures() []string {
	names := slices.Clone(q.req.Metrics)
	for _, k := range q.req.Sort {
		if _, ok := metrics[k.Field]; ok {
			names = append(names, k.Field)
		}
	}
	if len(q.req.Metrics) == 0 {
		return nil
	}
	out := []string{"clicks"} // at least one, whatever the metrics
	for _, m := range names {
		needs, ok := figureNeeds[m]
		if !ok {
			return nil
		}
		for _, f := range needs {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

// at is the time a row of rollups counts at: the start of the period SQL grouped it in, or,
// where SQL grouped by bucket (to convert money by UTC day), the bucket's shifted instant.
func (q *query) at(period, shift int64) int64 {
	if q.convert {
		return period + shift
	}
	return q.instant(period)
}

// fix moves the hours [p.fixFrom, p.fixTo) of each UTC day of a shifted piece from the period
// its daily row counted them in to their own: hourly rows of rq's table (only the partner table
// has both grains) or the raw events are added where they belong and taken from the day's period.
func (q *query) fix(ctx context.Context, p piece, rq pactum.RollupQuery) error {
	defer func() { q.mirror = 0 }()
	if p.fixGrain == 0 {
		for day := p.from; day < p.to; day += pactum.GrainDay {
			q.mirror = day + p.shift
			if err := q.raw(ctx, day+p.fixFrom, day+p.fixTo); err != nil {
				return err
			}
		}
		return nil
	}
	rq.Period = &pactum.PeriodMap{Unit: pactum.GrainHour, Offsets: []pactum.PeriodOffset{{}}}
	rows, err := q.s.store.QueryRollups(ctx, rq)
	if err != nil {
		return err
	}
	for _, r := range rows {
		q.mirror = pactum.FloorDiv(r.Bucket, pactum.GrainDay)*pactum.GrainDay + p.shift
		if err := q.add(r.Bucket, r.OfferID, r.PartnerID, func(string) string { return r.Value }, r.Metrics); err != nil {
			return err
		}
	}
	return nil
}

// emptyFilter reports whether a filter allows nothing (a partner asking for another's rows).
func (q *query) emptyFilter() bool {
	return q.offerIDs != nil && len(q.offerIDs) == 0 || q.partnerIDs != nil && len(q.partnerIDs) == 0
}

// raw sums the raw events of [from, to): clicks and impressions in SQL, conversions through
// conversionFacts, as the rollups do.
func (q *query) raw(ctx context.Context, from, to int64) error {
	if q.emptyFilter() {
		return nil
	}
	if !q.lines {
		if err := q.rawVisits(ctx, from, to); err != nil {
			return err
		}
	}
	var facts []fact
	return q.s.store.EachReportConversion(ctx, time.Unix(from, 0), time.Unix(to, 0), q.offerIDs, q.partnerIDs,
		func(c pactum.Conversion, click *pactum.Visit) error {
			facts = conversionFacts(&c, dimsOf(click), nil, facts)
			for _, f := range facts {
				// Line rows never count rejected conversions (the line tables have no status).
				if f.line != q.lines || (f.rejected && (!q.rejected || f.line)) || !q.matches(&f) {
					continue
				}
				if err := q.add(f.at, f.offer, f.partner, f.value, f.m); err != nil {
					return err
				}
			}
			return nil
		})
}

func (q *query) rawVisits(ctx context.Context, from, to int64) error {
	vq := pactum.VisitQuery{From: from, To: to, OfferIDs: q.offerIDs, PartnerIDs: q.partnerIDs,
		Filters: map[string][]string{}, ByPartner: q.byPartner}
	if q.timeDim != "" {
		vq.Period = q.local
	}
	for d, vs := range q.filters {
		if slices.Index(pactum.RollupDims, d) >= nVisitDims {
			if !slices.Contains(vs, "") {
				return nil // visits have no value for d but the empty one
			}
			continue
		}
		vq.Filters[d] = vs
	}
	for _, d := range q.groups {
		if slices.Contains(pactum.RollupDims, d) {
			vq.Group = append(vq.Group, d)
		}
	}
	sums, err := q.s.store.SumVisits(ctx, vq)
	if err != nil {
		return err
	}
	for _, v := range sums {
		value := func(d string) string { return v.Values[slices.Index(vq.Group, d)] }
		at := v.Period
		if vq.Period != nil {
			wall := time.Unix(v.Period, 0).UTC()
			y, m, d := wall.Date()
			at = time.Date(y, m, d, wall.Hour(), 0, 0, 0, q.req.Location).Unix()
		}
		if err := q.add(at, v.OfferID, v.PartnerID, value, v.Metrics); err != nil {
			return err
		}
	}
	return nil
}

// value returns f's value of a rollup or line dimension.
func (f *fact) value(d string) string {
	switch d {
	case "sku":
		return f.sku
	case "category":
		return f.cat
	}
	if i := slices.Index(pactum.RollupDims, d); i >= 0 {
		return f.dims[i]
	}
	return ""
}

// matches reports whether f passes the query's dimension filters.
func (q *query) matches(f *fact) bool {
	for d, vs := range q.filters {
		if !slices.Contains(vs, f.value(d)) {
			return false
		}
	}
	return true
}

// addCosts spreads the partners' costs over the days of [from, to) in the report's time zone,
// into the groups of their periods. Costs can be told apart only by partner, its kind, the
// advertiser and time: grouped or filtered by anything else, the report has no cost.
func (q *query) addCosts(ctx context.Context, from, to int64) error {
	if !q.costable {
		return nil
	}
	loc := q.req.Location
	first := time.Unix(from, 0).In(loc)
	last := time.Unix(to-1, 0).In(loc)
	f := pactum.CostFilter{PartnerIDs: q.partnerIDs,
		From: time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, time.UTC),
		To:   time.Date(last.Year(), last.Month(), last.Day(), 0, 0, 0, 0, time.UTC)}
	if q.emptyFilter() {
		return nil
	}
	costs, err := q.s.store.Costs(ctx, f)
	if err != nil {
		return err
	}
	for _, c := range costs {
		if q.offerIDs != nil && !q.advertiserAllowed(c.AdvertiserID) {
			continue
		}
		days := int64(c.To.Sub(c.From)/(24*time.Hour)) + 1
		total := pactum.ToMinor(c.Amount, c.Currency)
		for i := range days {
			day := c.From.AddDate(0, 0, int(i))
			start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc).Unix()
			if start < from || start >= to {
				continue
			}
			// Even shares, the first days taking a minor unit more until the total is exact.
			share := total / days
			if i < total%days {
				share++
			}
			if c.Currency != q.currency {
				if q.s.rates == nil {
					return pactum.FieldError("currency", "no exchange rates to convert costs into %s", q.currency)
				}
				rate, _, err := q.s.rates.Rate(c.Currency, q.currency, day)
				if err != nil {
					return pactum.FieldError("currency", "cannot convert a cost in %s into %s: %s", c.Currency, q.currency, pactum.ErrorMessage(err))
				}
				share = pactum.ToMinor(pactum.Round(pactum.FromMinor(share, c.Currency).Mul(rate), q.currency), q.currency)
			}
			if err := q.addCost(start, c.PartnerID, c.AdvertiserID, share); err != nil {
				return err
			}
		}
	}
	return nil
}

// advertiserAllowed reports whether the query's offers include one of advertiser id.
func (q *query) advertiserAllowed(id int64) bool {
	for _, o := range q.offerIDs {
		if q.cat.offers[o].AdvertiserID == id {
			return true
		}
	}
	return false
}

func (q *query) addCost(at, partner, advertiser int64, amount int64) error {
	period := q.periodOf(at)
	var key strings.Builder
	key.WriteString(strconv.FormatInt(period, 10))
	values := make([]string, len(q.groups))
	for i, d := range q.groups {
		switch d {
		case "advertiser":
			values[i] = strconv.FormatInt(advertiser, 10)
		case "partner":
			values[i] = strconv.FormatInt(partner, 10)
		case "partner_kind":
			values[i] = q.cat.partners[partner].Kind
		default:
			return fmt.Errorf("report: a cost in a group by %s", d)
		}
		key.WriteByte(0)
		key.WriteString(values[i])
	}
	q.group(key.String(), period, values).cost += amount
	return nil
}
