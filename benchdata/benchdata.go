// Package benchdata generates a large, realistic data set straight into a store, for benchmarks
// of reports at scale (pactum gen, docs/benchmarks.md "Reports at scale"). It is not the demo:
// it takes no path events take (no edge, no event log, no change feed), and it writes into a
// store that holds no events yet.
//
// It creates a program through the store (an advertiser, offers with SKU and category rules,
// partners with links and coupons, a few partners' costs), then, a UTC day at a time and each
// day in one transaction of the store's bulk load (sqldb.Bulk): the day's clicks (and
// impressions, if asked), its conversions with line items, priced by the offers' rules
// (package commission) and settled as their age says (approved, pending, rejected, refunded),
// with their ledger entries, and the day's report rollups and memos, summed in memory by the
// report package's own functions (report.AddVisits, report.AddConversions). So the rollups are
// what pactum reports rebuild computes from the same raw events.
package benchdata

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/commission"
	"github.com/pactum/pactum/report"
	"github.com/pactum/pactum/store/sqldb"
)

// Config says how much to generate.
type Config struct {
	Clicks      int       // valid and invalid clicks, over all days
	Conversions int       // conversions, over all days
	Impressions int       // impressions, over all days
	Partners    int       // partners (at least 1)
	Offers      int       // offers (1 to len(offerNames))
	Days        int       // days of events, ending the day before End
	End         time.Time // the UTC midnight after the last day
	Seed        uint64    // the same seed and config give the same data
}

// Store is what Generate writes through: the program by the store's usual methods, the events
// and rollups by its bulk load.
type Store interface {
	pactum.ProgramStore
	AddCost(ctx context.Context, c *pactum.PartnerCost) error
	EventSpan(ctx context.Context) (first, last time.Time, ok bool, err error)
	BulkLoad(ctx context.Context, fn func(*sqldb.Bulk) error) error
}

// Summary is what Generate made.
type Summary struct {
	AdvertiserID        int64
	Offers, Partners    []int64
	TopPartner          int64 // the partner with the most traffic, for a scorecard
	From, To            time.Time
	Clicks, Impressions int
	Conversions         int
	Approved, Pending   int
	Rejected, Refunded  int
	RollupRows          int
}

// holdDays is the offers' hold: conversions younger than that at End are pending.
const holdDays = 30

// window is how far back a conversion's click can be: most conversions come within a day or
// two of their click.
const window = 3 * 24 * time.Hour

// Generate writes cfg's data set into st. progress, if not nil, is told the days done of the
// days in all after each.
func Generate(ctx context.Context, st Store, cfg Config, progress func(done, all int)) (Summary, error) {
	if cfg.Days < 1 || cfg.Partners < 1 || cfg.Offers < 1 || cfg.Offers > len(offerNames) ||
		cfg.Clicks < 0 || cfg.Conversions < 0 || cfg.Impressions < 0 {
		return Summary{}, fmt.Errorf("generate: days and partners must be at least 1, offers 1 to %d, counts not negative", len(offerNames))
	}
	if _, _, ok, err := st.EventSpan(ctx); err != nil {
		return Summary{}, err
	} else if ok {
		return Summary{}, fmt.Errorf("generate: the store holds events already; gen writes only into a store without any")
	}
	g := &gen{cfg: cfg, rnd: rand.New(rand.NewPCG(cfg.Seed, 0x70616374756d))}
	if err := g.program(ctx, st); err != nil {
		return Summary{}, fmt.Errorf("generate the program: %w", err)
	}
	g.sum.From = cfg.End.AddDate(0, 0, -cfg.Days)
	g.sum.To = cfg.End
	clicks, convs, imps := g.perDay(cfg.Clicks), g.perDay(cfg.Conversions), g.perDay(cfg.Impressions)
	// The next day is generated while the store writes the day before: on two cores, each
	// takes about half the work.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	days := make(chan *dayData, 1)
	go func() {
		defer close(days)
		for d := range cfg.Days {
			dd, err := g.day(ctx, g.sum.From.AddDate(0, 0, d), clicks[d], convs[d], imps[d])
			select {
			case days <- dd:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	var sum Summary
	done := 0
	for dd := range days {
		if dd.err == nil {
			dd.err = st.BulkLoad(ctx, dd.write)
		}
		if dd.err != nil {
			return sum, fmt.Errorf("generate %s: %w", dd.day.Format(time.DateOnly), dd.err)
		}
		sum = dd.sum
		done++
		if progress != nil {
			progress(done, cfg.Days)
		}
	}
	return sum, ctx.Err()
}

// dayData is a day's events and rollups, ready to write.
type dayData struct {
	day         time.Time
	err         error
	sum         Summary // the summary up to this day
	clicks      []pactum.Visit
	impressions []pactum.Visit
	convs       []*pactum.Conversion
	memos       []pactum.ReportMemo
	rows        []pactum.RollupRow
}

// write writes the day in a bulk load's transaction.
func (dd *dayData) write(b *sqldb.Bulk) error {
	ctx := context.Background()
	if err := b.InsertVisits(ctx, dd.clicks, dd.impressions); err != nil {
		return err
	}
	if err := b.InsertConversions(ctx, dd.convs); err != nil {
		return err
	}
	if err := b.SetReportMemos(ctx, dd.memos); err != nil {
		return err
	}
	return b.AddRollups(ctx, dd.rows)
}

type gen struct {
	cfg      Config
	rnd      *rand.Rand
	sum      Summary
	currency string
	offers   []pactum.Offer
	partners []partner
	weights  []float64 // cumulative traffic weights of partners
	coupons  []int     // partners with a coupon, by index
	recent   []pactum.Visit
	seq      int // clicks made
	orders   int
	rules    commission.Rules
}

type partner struct {
	pactum.Partner
	links  []pactum.Link // over the offers it promotes
	coupon string
}

// The catalog: categories, their SKUs' price range (cents) and how many SKUs each has.
var catalog = []struct {
	category string
	prefix   string
	lo, hi   int64
	skus     int
}{
	{"running-shoes", "RUN", 7900, 18900, 10},
	{"trail-shoes", "TRL", 9900, 21900, 8},
	{"apparel", "APP", 1900, 8900, 14},
	{"jackets", "JKT", 8900, 29900, 6},
	{"socks", "SCK", 900, 2400, 8},
	{"accessories", "ACC", 1200, 6900, 10},
	{"nutrition", "NUT", 300, 3900, 8},
	{"watches", "WAT", 14900, 59900, 4},
}

var offerNames = []string{"Spring running", "Trail season", "Outdoor apparel", "Accessories", "Members' sale", "Gift cards"}

type sku struct {
	code, category string
	price          decimal.Decimal
}

var skus = func() []sku {
	var out []sku
	rnd := rand.New(rand.NewPCG(7, 7))
	for _, c := range catalog {
		for i := range c.skus {
			cents := c.lo + rnd.Int64N(c.hi-c.lo)
			cents = cents/100*100 + 99 - 100 // prices end in .99
			out = append(out, sku{fmt.Sprintf("%s-%03d", c.prefix, i+1), c.category, decimal.New(cents, -2)})
		}
	}
	return out
}()

// payoutRules pays by category and SKU, with a new-customer bonus: every kind of line row.
func payoutRules(i int) string {
	return fmt.Sprintf(`{"default":{"percent":"%d"},"rules":[
		{"id":"hero","when":{"sku":["RUN-001","TRL-001"]},"rate":{"fixed":"12.00","per":"unit"}},
		{"id":"shoes","when":{"category":["running-shoes","trail-shoes"]},"rate":{"percent":"10"}},
		{"id":"watches","when":{"category":["watches"]},"rate":{"percent":"4"}},
		{"id":"nutrition","when":{"category":["nutrition"]},"rate":{"percent":"15"}}],
		"bonuses":[{"id":"new","when":{"new_customer":true},"add":{"fixed":"3.00"}}]}`, 6+2*(i%3))
}

func (g *gen) program(ctx context.Context, st Store) error {
	g.currency = "EUR"
	a := pactum.Advertiser{Name: "Northwind Outfitters", Currency: g.currency}
	if err := st.CreateAdvertiser(ctx, &a); err != nil {
		return err
	}
	g.sum.AdvertiserID = a.ID
	for i := range g.cfg.Offers {
		o := pactum.Offer{AdvertiserID: a.ID, Name: offerNames[i], Status: pactum.OfferActive,
			DestinationURL: fmt.Sprintf("https://shop.example/%d", i+1), Currency: g.currency, AttributionWindowDays: 30,
			AttributionModel: pactum.LastClick, HoldDays: holdDays, Visibility: pactum.VisibilityPublic,
			Events: []pactum.OfferEvent{{ID: 1, Name: "purchase", Payout: json.RawMessage(payoutRules(i)),
				Revenue: json.RawMessage(`{"default":{"percent":"15"}}`)}}}
		if err := st.CreateOffer(ctx, &o); err != nil {
			return err
		}
		g.offers = append(g.offers, o)
		g.sum.Offers = append(g.sum.Offers, o.ID)
	}
	total := 0.0
	for i := range g.cfg.Partners {
		kind := pactum.KindAffiliate
		switch r := g.rnd.IntN(20); {
		case r < 12:
			kind = pactum.KindInfluencer
		case r == 19:
			kind = pactum.KindReferral
		}
		p := partner{Partner: pactum.Partner{Name: fmt.Sprintf("%s %03d", kindName[kind], i+1), Email: fmt.Sprintf("partner%03d@example.com", i+1),
			Kind: kind, Status: pactum.PartnerActive, Currency: g.currency, PayoutMethod: "manual"}}
		if err := st.CreatePartner(ctx, &p.Partner); err != nil {
			return err
		}
		// Each partner promotes one to all of the offers, with a link for each (two with sub
		// ids for some).
		offers := g.rnd.Perm(len(g.offers))[:1+g.rnd.IntN(len(g.offers))]
		slices.Sort(offers)
		for _, oi := range offers {
			for j := range 1 + g.rnd.IntN(2) {
				l := pactum.Link{OfferID: g.offers[oi].ID, PartnerID: p.ID, Code: fmt.Sprintf("G%03dO%dL%d", i+1, oi+1, j+1),
					Source: pick(g.rnd, sources), Sub: [5]string{pick(g.rnd, campaigns)}}
				if err := st.CreateLink(ctx, &l); err != nil {
					return err
				}
				p.links = append(p.links, l)
			}
		}
		if kind == pactum.KindInfluencer {
			p.coupon = fmt.Sprintf("SAVE%03d", i+1)
			if err := st.CreateCoupon(ctx, &pactum.Coupon{Code: p.coupon, PartnerID: p.ID}); err != nil {
				return err
			}
			g.coupons = append(g.coupons, i)
			if i%5 == 0 { // some influencers have a flat monthly fee
				for m := 0; m < g.cfg.Days; m += 30 {
					from := g.cfg.End.AddDate(0, 0, -g.cfg.Days+m)
					c := pactum.PartnerCost{PartnerID: p.ID, AdvertiserID: a.ID, Currency: g.currency,
						Amount: decimal.New(int64(500+100*g.rnd.IntN(20)), 0), From: from, To: from.AddDate(0, 0, 29), Note: "monthly posts"}
					if err := st.AddCost(ctx, &c); err != nil {
						return err
					}
				}
			}
		}
		// A few partners bring most of the traffic.
		total += 1 / math.Pow(float64(i+1), 0.9)
		g.weights = append(g.weights, total)
		g.partners = append(g.partners, p)
		g.sum.Partners = append(g.sum.Partners, p.ID)
	}
	g.sum.TopPartner = g.partners[0].ID
	return nil
}

var kindName = map[string]string{pactum.KindInfluencer: "Creator", pactum.KindAffiliate: "Affiliate", pactum.KindReferral: "Referrer"}

// perDay spreads n over the days: growing over the period, weaker at weekends, with noise.
func (g *gen) perDay(n int) []int {
	w := make([]float64, g.cfg.Days)
	sum := 0.0
	for d := range w {
		day := g.cfg.End.AddDate(0, 0, d-g.cfg.Days)
		w[d] = (1 + 0.4*float64(d)/float64(g.cfg.Days)) * (0.9 + 0.2*g.rnd.Float64())
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			w[d] *= 0.8
		}
		sum += w[d]
	}
	out := make([]int, len(w))
	left := n
	for d := range w {
		out[d] = int(float64(n) * w[d] / sum)
		left -= out[d]
	}
	for d := 0; left > 0; d = (d + 1) % len(out) {
		out[d]++
		left--
	}
	return out
}

// hourWeights is a day's traffic by UTC hour: low at night, peaks at lunch and in the evening.
var hourWeights = cumulative([]float64{2, 1, 1, 1, 1, 2, 3, 5, 6, 6, 6, 7, 8, 7, 6, 6, 7, 8, 10, 11, 11, 9, 6, 4})

func cumulative(w []float64) []float64 {
	out := make([]float64, len(w))
	sum := 0.0
	for i, v := range w {
		sum += v
		out[i] = sum
	}
	return out
}

// weighted picks an index of cumulative weights cum.
func weighted(rnd *rand.Rand, cum []float64) int {
	return sort.SearchFloat64s(cum, rnd.Float64()*cum[len(cum)-1])
}

func pick(rnd *rand.Rand, options []string) string { return options[rnd.IntN(len(options))] }

// Visitors' attributes, repeated by how common they are.
var (
	sources   = []string{"instagram", "instagram", "tiktok", "tiktok", "youtube", "blog", "newsletter", "search", ""}
	campaigns = []string{"", "spring", "summer", "launch", "evergreen", "bf", "story", "reel"}
	sub2s     = []string{"", "", "", "a", "b", "c", "d", "e", "f", "g"}
	sub3s     = []string{"", "", "", "", "", "", "x1", "x2", "x3"}
	countries = []string{"DE", "DE", "DE", "DE", "DE", "AT", "AT", "CH", "CH", "NL", "FR", "FR", "IT", "ES", "PL", "SE", "BE", "DK", "GB", "US"}
	devices   = []string{"mobile", "mobile", "mobile", "mobile", "mobile", "mobile", "desktop", "desktop", "desktop", "tablet"}
	mobileOS  = []string{"iOS", "iOS", "iOS", "Android", "Android"}
	desktopOS = []string{"Windows", "Windows", "macOS", "macOS", "Linux"}
	browsers  = map[string][]string{
		"iOS":     {"Safari", "Safari", "Instagram", "TikTok", "Chrome"},
		"Android": {"Chrome", "Chrome", "Instagram", "TikTok", "Samsung Internet"},
		"Windows": {"Chrome", "Chrome", "Edge", "Firefox"},
		"macOS":   {"Safari", "Chrome", "Chrome", "Firefox"},
		"Linux":   {"Firefox", "Chrome"},
	}
	rejectReasons = []string{"duplicate order", "returned before shipping", "fraud: stolen card", "test order"}
)

// visit makes a visit at a random time of day.
func (g *gen) visit(day time.Time) pactum.Visit {
	rnd := g.rnd
	h := weighted(rnd, hourWeights)
	at := day.Add(time.Duration(h)*time.Hour + time.Duration(rnd.Int64N(int64(time.Hour)))).Truncate(time.Microsecond)
	p := &g.partners[weighted(rnd, g.weights)]
	l := p.links[rnd.IntN(len(p.links))]
	dev := pick(rnd, devices)
	os := pick(rnd, mobileOS)
	if dev == "desktop" {
		os = pick(rnd, desktopOS)
	}
	v := pactum.Visit{Time: at, OfferID: l.OfferID, PartnerID: p.ID, LinkID: l.ID,
		Sub:    [5]string{l.Sub[0], pick(rnd, sub2s), pick(rnd, sub3s), "", ""},
		Source: l.Source, Country: pick(rnd, countries), Device: dev, OS: os, Browser: pick(rnd, browsers[os]),
		IP:        fmt.Sprintf("198.51.%d.%d", rnd.IntN(256), rnd.IntN(256)),
		UserAgent: "Mozilla/5.0 (" + os + ") " + dev, Unique: rnd.IntN(100) < 78}
	switch r := rnd.IntN(1000); {
	case r < 15:
		v.Bot, v.Unique, v.Browser, v.UserAgent = true, false, "", "Googlebot/2.1"
	case r < 25:
		v.Invalid, v.Unique, v.Flags = true, false, "duplicate_click"
	case r < 30:
		v.Flags = "datacenter" // flagged, still valid
	}
	if l.Source != "" {
		v.Referer = "https://" + l.Source + ".example/"
	}
	return v
}

// day generates one UTC day.
func (g *gen) day(ctx context.Context, day time.Time, nClicks, nConversions, nImpressions int) (*dayData, error) {
	dd := &dayData{day: day}
	clicks := make([]pactum.Visit, nClicks)
	for i := range clicks {
		clicks[i] = g.visit(day)
	}
	slices.SortFunc(clicks, func(a, b pactum.Visit) int { return a.Time.Compare(b.Time) })
	for i := range clicks {
		g.seq++
		clicks[i].ClickID = fmt.Sprintf("g%011d", g.seq)
	}
	impressions := make([]pactum.Visit, nImpressions)
	for i := range impressions {
		impressions[i] = g.visit(day)
		impressions[i].Invalid, impressions[i].Flags = false, ""
	}
	dd.clicks, dd.impressions = clicks, impressions
	// The clicks conversions may come from: the window before the day, and the day's.
	cut := sort.Search(len(g.recent), func(i int) bool { return !g.recent[i].Time.Before(day.Add(-window)) })
	g.recent = append(g.recent[cut:], clicks...)
	g.recent = slices.Clip(g.recent)

	// Small batches keep the rows of each in the cache; the sums take them all.
	sums := report.Sums{}
	for batch := clicks; len(batch) > 0; {
		n := min(len(batch), 1000)
		if err := report.AddVisits(ctx, sums, batch[:n], nil); err != nil {
			dd.err = err
			return dd, err
		}
		batch = batch[n:]
	}
	if err := report.AddVisits(ctx, sums, nil, impressions); err != nil {
		dd.err = err
		return dd, err
	}
	g.sum.Clicks += nClicks
	g.sum.Impressions += nImpressions

	times := make([]time.Time, nConversions)
	for i := range times {
		times[i] = day.Add(time.Duration(g.rnd.Int64N(int64(24 * time.Hour)))).Truncate(time.Microsecond)
	}
	slices.SortFunc(times, time.Time.Compare)
	cs := make([]pactum.Conversion, 0, nConversions)
	theirClicks := make([]*pactum.Visit, 0, nConversions)
	for _, at := range times {
		c, click, err := g.conversion(at)
		if err != nil {
			dd.err = err
			return dd, err
		}
		g.count(c)
		cs = append(cs, *c)
		dd.convs = append(dd.convs, c)
		theirClicks = append(theirClicks, click)
	}
	col := &memoCollector{sums: sums}
	if err := report.AddConversions(ctx, col, cs, theirClicks); err != nil {
		dd.err = err
		return dd, err
	}
	dd.memos, dd.rows = col.memos, sums.Rows()
	g.sum.RollupRows += len(dd.rows)
	dd.sum = g.sum
	dd.sum.Offers, dd.sum.Partners = slices.Clone(g.sum.Offers), slices.Clone(g.sum.Partners)
	return dd, nil
}

func (g *gen) count(c *pactum.Conversion) {
	g.sum.Conversions++
	switch {
	case c.Status == pactum.ConversionRejected:
		g.sum.Rejected++
	case len(c.Refunds) > 0:
		g.sum.Refunded++
	case c.Status == pactum.ConversionPending:
		g.sum.Pending++
	default:
		g.sum.Approved++
	}
}

// conversion makes a conversion at at: from a recent click (most), else through a coupon,
// priced by its offer's rules, then settled as its age at End says.
func (g *gen) conversion(at time.Time) (*pactum.Conversion, *pactum.Visit, error) {
	rnd := g.rnd
	g.orders++
	c := &pactum.Conversion{ID: int64(g.orders), Event: "purchase", Currency: g.currency, LedgerCurrency: g.currency, Time: at,
		Status: pactum.ConversionPending, Source: pick(rnd, []string{pactum.SourceAPI, pactum.SourcePostback, pactum.SourceWebhook}),
		NewCustomer: rnd.IntN(100) < 35, OrderID: fmt.Sprintf("G%09d", g.orders), CreatedAt: at.Add(time.Duration(rnd.IntN(2000)) * time.Millisecond)}
	var click *pactum.Visit
	// The valid clicks at least 10 s before the conversion.
	hi := sort.Search(len(g.recent), func(i int) bool { return !g.recent[i].Time.Before(at.Add(-10 * time.Second)) })
	lo := sort.Search(len(g.recent), func(i int) bool { return !g.recent[i].Time.Before(at.Add(-window)) })
	if hi > lo && rnd.IntN(100) < 85 {
		for range 5 {
			u := rnd.Float64()
			k := &g.recent[hi-1-int(float64(hi-lo)*u*u*u)]
			if !k.Bot && !k.Invalid {
				click = k
				break
			}
		}
	}
	var p *partner
	if click != nil {
		c.ClickID, c.ClickTime, c.OfferID, c.PartnerID, c.Country = click.ClickID, click.Time, click.OfferID, click.PartnerID, click.Country
		c.Attribution = pactum.AttributionClick
		for i := range g.partners {
			if g.partners[i].ID == click.PartnerID {
				p = &g.partners[i]
				break
			}
		}
	} else if len(g.coupons) > 0 {
		p = &g.partners[g.coupons[rnd.IntN(len(g.coupons))]]
		c.OfferID, c.PartnerID, c.Country = p.links[rnd.IntN(len(p.links))].OfferID, p.ID, pick(rnd, countries)
		c.Attribution, c.Coupon = pactum.AttributionCoupon, p.coupon
	} else {
		// Unattributed: a sale no partner brought.
		p = &partner{}
		c.OfferID, c.Country, c.Attribution = g.offers[rnd.IntN(len(g.offers))].ID, pick(rnd, countries), pactum.AttributionNone
	}
	o := g.offers[slices.IndexFunc(g.offers, func(o pactum.Offer) bool { return o.ID == c.OfferID })]
	c.AdvertiserID = o.AdvertiserID
	c.DedupKey = fmt.Sprintf("o:%d:purchase:%s", o.ID, c.OrderID)
	for range 1 + int(3*rnd.Float64()*rnd.Float64()) {
		s := skus[int(float64(len(skus))*rnd.Float64()*rnd.Float64())]
		it := pactum.LineItem{SKU: s.code, Category: s.category, Quantity: 1 + int64(2*rnd.Float64()*rnd.Float64()), UnitPrice: s.price}
		if rnd.IntN(10) == 0 {
			it.Discount = it.UnitPrice.Mul(decimal.NewFromInt(it.Quantity)).Div(decimal.NewFromInt(10)).Round(2)
		}
		c.Items = append(c.Items, it)
		c.Amount = c.Amount.Add(it.UnitPrice.Mul(decimal.NewFromInt(it.Quantity)).Sub(it.Discount))
	}
	if _, err := g.rules.Compute(o, p.Partner, c, pactum.PartnerStats{}); err != nil {
		return nil, nil, err
	}
	c.ApproveAt = at.Add(holdDays * 24 * time.Hour)
	settled := !c.ApproveAt.After(g.cfg.End)
	r := rnd.IntN(100)
	var err error
	switch {
	case r < 5:
		err = commission.Reject(c, pick(rnd, rejectReasons), at.Add(time.Duration(1+rnd.IntN(72))*time.Hour))
	case settled && r < 12:
		err = commission.Approve(c, c.ApproveAt)
		if err == nil {
			err = g.refund(c, c.ApproveAt.Add(-time.Duration(1+rnd.IntN(20*24))*time.Hour))
		}
	case !settled && r < 9:
		err = g.refund(c, at.Add(time.Duration(1+rnd.IntN(72))*time.Hour))
	case settled:
		err = commission.Approve(c, c.ApproveAt)
	}
	return c, click, err
}

// refund gives back one unit of a line, or all of a one-line order.
func (g *gen) refund(c *pactum.Conversion, at time.Time) error {
	it := c.Items[g.rnd.IntN(len(c.Items))]
	return commission.Refund(c, []pactum.RefundItem{{SKU: it.SKU, Quantity: 1}}, decimal.Zero, false, at)
}

// memoCollector sends rollup rows to the sums and keeps the memos.
type memoCollector struct {
	sums  report.Sums
	memos []pactum.ReportMemo
}

func (m *memoCollector) AddRollups(ctx context.Context, rows []pactum.RollupRow) error {
	return m.sums.AddRollups(ctx, rows)
}

func (m *memoCollector) SetReportMemos(_ context.Context, memos []pactum.ReportMemo) error {
	m.memos = append(m.memos, memos...)
	return nil
}
