package pactum

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
)

// Rollups are what reports read (docs/architecture.md, "Reports"): additive figures summed by
// time bucket and by dimensions, kept current as events arrive (visits in the event transaction,
// conversions from the change feed) and recomputable from the raw events (pactum reports
// rebuild). Several tables hold them, each keyed by a different set of dimensions at one or two
// time grains, so that a report reads the smallest one that answers it.

// Rollup tables: the dimensions each is keyed by, besides its time bucket.
const (
	RollupPartner   = "p"  // offer, partner; by hour and by day
	RollupDim       = "d"  // offer, partner, one dimension and its value; by day
	RollupDimHourly = "dh" // offer, one dimension of RollupHourlyDims and its value; by hour
	RollupLine      = "l"  // offer, partner, sku, category; by day
	RollupLineOffer = "lo" // offer, sku, category; by day
)

// RollupDims are the dimensions a RollupDim row can be keyed by, and RollupHourlyDims those a
// RollupDimHourly row can: the ones of few values. The stores keep a dimension as its place in
// RollupDims, so the list only ever grows at its end.
var (
	RollupDims = []string{"sub1", "sub2", "sub3", "sub4", "sub5", "source", "country", "device", "os", "browser",
		"reason", "event", "attribution", "customer_type", "status", "coupon"}
	RollupHourlyDims = []string{"country", "device", "os", "browser", "reason", "event", "attribution", "customer_type", "status"}
)

// Time grains of rollup rows, in seconds: a row's bucket is the UTC start of its hour or day.
const (
	GrainHour int64 = 3600
	GrainDay  int64 = 86400
)

// Metrics are the additive figures of a rollup row or of a report's group. Money is in minor
// units of the offer's currency (a row is of one offer, hence of one currency).
type Metrics struct {
	Impressions    int64
	Clicks         int64 // valid clicks: not bots, not refused
	UniqueClicks   int64
	InvalidClicks  int64
	Conversions    int64
	Sales          int64
	Payout         int64
	Revenue        int64
	NewCustomers   int64
	Refunds        int64 // conversions with a refund
	RefundedAmount int64
	CTCTSum        int64 // seconds from click to conversion, summed over click-attributed conversions
	CTCTCount      int64
}

// Add adds o to m.
func (m *Metrics) Add(o Metrics) {
	m.Impressions += o.Impressions
	m.Clicks += o.Clicks
	m.UniqueClicks += o.UniqueClicks
	m.InvalidClicks += o.InvalidClicks
	m.Conversions += o.Conversions
	m.Sales += o.Sales
	m.Payout += o.Payout
	m.Revenue += o.Revenue
	m.NewCustomers += o.NewCustomers
	m.Refunds += o.Refunds
	m.RefundedAmount += o.RefundedAmount
	m.CTCTSum += o.CTCTSum
	m.CTCTCount += o.CTCTCount
}

// Neg returns -m.
func (m Metrics) Neg() Metrics {
	var z Metrics
	z.Sub(m)
	return z
}

// Sub subtracts o from m.
func (m *Metrics) Sub(o Metrics) {
	m.Add(Metrics{-o.Impressions, -o.Clicks, -o.UniqueClicks, -o.InvalidClicks, -o.Conversions, -o.Sales,
		-o.Payout, -o.Revenue, -o.NewCustomers, -o.Refunds, -o.RefundedAmount, -o.CTCTSum, -o.CTCTCount})
}

// IsZero reports whether every figure is 0.
func (m Metrics) IsZero() bool { return m == Metrics{} }

// RollupKey names one rollup row. Fields a table is not keyed by are zero.
type RollupKey struct {
	Table     string
	Grain     int64 // GrainHour or GrainDay
	Bucket    int64 // unix seconds of the bucket's start (UTC)
	OfferID   int64
	PartnerID int64  // 0: unattributed
	Dim       string // RollupDim, RollupDimHourly: the dimension ("country")
	Value     string // and its value ("DE"); "" is a value too (no country)
	SKU       string // RollupLine, RollupLineOffer
	Category  string
}

// RollupRow is a rollup row, or a change to one (figures to add, negative to take away).
type RollupRow struct {
	RollupKey
	Metrics
}

// ReportMemo is what the reports last added for a conversion, so that a change of it takes that
// away before it adds the conversion as it is now. Data is the report package's, opaque here.
type ReportMemo struct {
	ConversionID int64
	Data         []byte
}

// RollupQuery asks a rollup table for sums: rows of Table at Grain with buckets in [From, To),
// matching the filters, grouped by Period and the Group* fields.
type RollupQuery struct {
	Table string
	Grain int64
	// From and To are unix seconds, aligned to Grain.
	From, To int64
	// Period maps buckets to the start of the report's period they fall in; nil sums all
	// buckets into one (bucket 0 in the answer). A bucket counts in the period of its instant
	// Shift seconds after its start.
	Period *PeriodMap
	Shift  int64
	// DayFrom and DayTo, when DayTo is not 0, keep the buckets whose second of their UTC day
	// is in [DayFrom, DayTo).
	DayFrom, DayTo int64
	// Filters; empty matches all. Values filter Dim's values; SKUs and Categories the lines'.
	OfferIDs, PartnerIDs []int64
	Dim                  string
	Values               []string
	SKUs, Categories     []string
	// What the answer is grouped by, besides the period. Offers always are: their figures are
	// in their own currencies.
	ByPartner, ByValue, BySKU, ByCategory bool
	// Figures names the figures to read, by their columns' names (MetricColumns); none reads
	// every one. Those not read are 0 in the answer: a report reads only what its metrics are
	// made of.
	Figures []string
}

// MetricColumns are the names of Metrics' figures, in their order, as stores name their columns.
var MetricColumns = []string{"impressions", "clicks", "unique_clicks", "invalid_clicks", "conversions", "sales",
	"payout", "revenue", "new_customers", "refunds", "refunded_amount", "ctct_sum", "ctct_count"}

// PeriodMap maps a time to its period: the unit (GrainHour or GrainDay) counted in local time
// with Offsets, a list of UTC offsets in seconds each in force until its Until (unix seconds;
// the last one's Until is ignored): the offsets of a time zone over a report's range. A period
// is named by its local wall-clock start as unix seconds (the local date and hour read as if
// they were UTC), which, unlike an instant, is the same for every hour of a day on which the
// offset changes.
type PeriodMap struct {
	Unit    int64
	Offsets []PeriodOffset
}

// PeriodOffset is an offset in force until a time.
type PeriodOffset struct {
	Until  int64
	Offset int64
}

// Start returns the local wall-clock start of the period of unix time t.
func (p *PeriodMap) Start(t int64) int64 {
	off := p.Offsets[len(p.Offsets)-1].Offset
	for _, o := range p.Offsets {
		if t < o.Until {
			off = o.Offset
			break
		}
	}
	return FloorDiv(t+off, p.Unit) * p.Unit
}

// FloorDiv divides rounding down (toward minus infinity), as bucketing times needs.
func FloorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// FloorMod is the remainder of FloorDiv: in [0, b) for a positive b.
func FloorMod(a, b int64) int64 { return a - FloorDiv(a, b)*b }

// VisitQuery asks the stored clicks and impressions for sums, as RollupQuery asks rollups:
// times in [From, To) (unix seconds), matching the filters (Filters maps a visit dimension such
// as "country" or "sub1" to the values it may have; "reason" is "bot", a refusal or ""), grouped
// by Period, offer, partner when ByPartner, and the dimensions in Group.
type VisitQuery struct {
	From, To             int64
	Period               *PeriodMap
	OfferIDs, PartnerIDs []int64
	Filters              map[string][]string
	ByPartner            bool
	Group                []string
}

// VisitSum is a group of a VisitQuery's answer.
type VisitSum struct {
	Period    int64
	OfferID   int64
	PartnerID int64
	Values    []string // the values of VisitQuery.Group, in its order
	Metrics
}

// CostFilter selects partner costs overlapping the days from From to To (inclusive).
type CostFilter struct {
	PartnerIDs   []int64
	AdvertiserID int64
	From, To     time.Time
}

// ReportStore keeps the report rollups, partner costs and what reports read of the raw events.
type ReportStore interface {
	// QueryRollups sums rollup rows as q asks.
	QueryRollups(ctx context.Context, q RollupQuery) ([]RollupRow, error)
	// SumVisits sums stored clicks and impressions as q asks: the raw events, for what no
	// rollup table answers.
	SumVisits(ctx context.Context, q VisitQuery) ([]VisitSum, error)
	// EachReportConversion calls fn for each conversion with a time in [from, to), with its
	// click (nil when it has none, or it is not stored), oldest first.
	EachReportConversion(ctx context.Context, from, to time.Time, offerIDs, partnerIDs []int64, fn func(Conversion, *Visit) error) error
	// RebuildRollups recomputes one UTC day's rollups: in one transaction it deletes the day's
	// rollup rows and the memos of the day's conversions, then fn reads the day's raw events
	// and adds rows and memos through tx. Live updates of the same rows wait for it: the event
	// transactions, and the change feed's consumer (its name) that keeps the rollups. It counts
	// itself in that consumer's row, so that the consumer's ConsumeChangesRead tells its write
	// that the memos it read may have been rewritten (rebuilt).
	RebuildRollups(ctx context.Context, day time.Time, consumer string, fn func(tx RollupTx) error) error
	// RollupsEmpty reports whether no rollup row is stored (a store to rebuild at first start).
	RollupsEmpty(ctx context.Context) (bool, error)
	// EventSpan returns the times of the first and the last stored click, impression or
	// conversion; ok is false when there is none.
	EventSpan(ctx context.Context) (first, last time.Time, ok bool, err error)
	CostStore
}

// CostStore keeps partner costs.
type CostStore interface {
	// AddCost stores c and sets its ID; the partner and the advertiser must exist.
	AddCost(ctx context.Context, c *PartnerCost) error
	// Costs returns the costs that overlap f's days, by id.
	Costs(ctx context.Context, f CostFilter) ([]PartnerCost, error)
}

// RollupWriter adds to rollups in a transaction: the event transaction for visits, a change
// consumer's for conversions, a rebuild's.
type RollupWriter interface {
	// AddRollups adds rows' figures to the stored rows (making those that do not exist).
	AddRollups(ctx context.Context, rows []RollupRow) error
}

// RollupTx is a transaction that keeps rollups from stored events: a change consumer's for
// conversions, a rebuild's.
type RollupTx interface {
	RollupWriter
	// ReportMemos returns the stored memos of conversions ids (missing ones are left out).
	ReportMemos(ctx context.Context, ids []int64) (map[int64][]byte, error)
	// SetReportMemos stores memos, replacing those of the same conversions.
	SetReportMemos(ctx context.Context, memos []ReportMemo) error
	// EachDayVisit calls fn for each click (impression false) and impression stored with a
	// time in [from, to).
	EachDayVisit(ctx context.Context, from, to time.Time, fn func(v Visit, impression bool) error) error
	// EachDayConversion calls fn for each conversion with a time in [from, to), with its click.
	EachDayConversion(ctx context.Context, from, to time.Time, fn func(Conversion, *Visit) error) error
}

// PartnerCost is a flat fee paid to a partner for a period (an influencer's deal), spread evenly
// over its days in reports, so that ROAS counts it.
type PartnerCost struct {
	ID           int64
	PartnerID    int64
	AdvertiserID int64
	Currency     string
	Amount       decimal.Decimal
	// From and To are the first and last day (dates, both inclusive).
	From, To  time.Time
	Note      string
	CreatedAt time.Time
}
