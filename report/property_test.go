package report

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/commission"
	"github.com/pactum/pactum/program"
	"github.com/pactum/pactum/store/postgres/pgtest"
	"github.com/pactum/pactum/store/sqldb"
	"github.com/pactum/pactum/store/sqlite/sqlitetest"
)

var ctx = context.Background()

// TestReportsMatchRawEvents is the reports' property test: random clicks, impressions and
// conversions, changed at random (refunds by items and by amount, approvals, rejections, the
// approval job), go through the live updates; then random reports (dimensions, filters, time
// zones, ranges) are compared, group by group and figure by figure, with the same figures
// computed by reference below straight from the raw events; again after a rebuild; and with
// the query reading the raw events only. On both stores.
func TestReportsMatchRawEvents(t *testing.T) {
	seed := testSeed(t)
	for _, st := range []struct {
		name string
		open func(testing.TB) *sqldb.Store
	}{{"sqlite", sqlitetest.Open}, {"postgres", pgtest.Open}} {
		t.Run(st.name, func(t *testing.T) {
			m := newModel(t, st.open(t), seed)
			m.generate()
			m.check("live", 80)
			if err := Rebuild(ctx, m.st, nil); err != nil {
				t.Fatal(err)
			}
			m.check("after rebuild", 80)
			m.svc.raw = true
			m.check("raw", 40)
		})
	}
}

// model is a program with random events, and what it knows of them to compute reports itself.
type model struct {
	t        *testing.T
	st       *sqldb.Store
	svc      *Service
	rnd      *rand.Rand
	offers   []pactum.Offer
	partners []pactum.Partner
	visits   []modelVisit
	pos      uint64
	start    time.Time
	days     int
	// lines are the line commissions the rules engine gave each conversion it priced.
	lines map[*pactum.Conversion]pactum.LineCommissions
}

type modelVisit struct {
	v          pactum.Visit
	impression bool
}

// testSeed is a random seed for a model, or PACTUM_REPORT_SEED's: the test logs it, so that a
// failure can be replayed.
func testSeed(t *testing.T) uint64 {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("PACTUM_REPORT_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (set PACTUM_REPORT_SEED to replay)", seed)
	return seed
}

func newModel(t *testing.T, st *sqldb.Store, seed uint64) *model {
	return &model{t: t, st: st, svc: New(st, nil, nil), rnd: rand.New(rand.NewPCG(seed, 7)), lines: map[*pactum.Conversion]pactum.LineCommissions{},
		// Across the change to summer time in Europe (2026-03-29).
		start: time.Date(2026, 3, 25, 0, 0, 0, 0, time.UTC), days: 10}
}

func (m *model) must(err error) {
	m.t.Helper()
	if err != nil {
		m.t.Fatal(err)
	}
}

func (m *model) pick(options ...string) string { return options[m.rnd.IntN(len(options))] }

// at is a random time in the model's days, to the microsecond as stores keep it.
func (m *model) at() time.Time {
	return m.start.Add(time.Duration(m.rnd.Int64N(int64(m.days) * 24 * int64(time.Hour)))).Truncate(time.Microsecond)
}

const payoutRules = `{"default":{"percent":"8"},"rules":[{"id":"hero","when":{"sku":["HERO"]},"rate":{"fixed":"3.00","per":"unit"}}],
	"bonuses":[{"id":"new","when":{"new_customer":true},"add":{"fixed":"1.50"}}]}`

func (m *model) generate() {
	for i := range 2 {
		a := pactum.Advertiser{Name: fmt.Sprintf("adv%d", i), Currency: "EUR"}
		m.must(m.st.CreateAdvertiser(ctx, &a))
		for j := range 2 {
			o := pactum.Offer{AdvertiserID: a.ID, Name: fmt.Sprintf("offer%d%d", i, j), Status: pactum.OfferActive,
				DestinationURL: "https://shop.example/", Currency: "EUR", AttributionWindowDays: 30, AttributionModel: pactum.LastClick,
				HoldDays: 3, Visibility: pactum.VisibilityPublic,
				Events: []pactum.OfferEvent{{ID: 1, Name: "purchase", Payout: json.RawMessage(payoutRules),
					Revenue: json.RawMessage(`{"default":{"percent":"12"}}`)}, {ID: 2, Name: "lead"}}}
			m.must(m.st.CreateOffer(ctx, &o))
			m.offers = append(m.offers, o)
		}
	}
	for i, kind := range []string{pactum.KindInfluencer, pactum.KindAffiliate, pactum.KindAffiliate, pactum.KindB2B, pactum.KindInfluencer} {
		p := pactum.Partner{Name: fmt.Sprintf("p%d", i), Email: fmt.Sprintf("p%d@example.com", i), Kind: kind,
			Status: pactum.PartnerActive, Currency: "EUR", PayoutMethod: "manual"}
		m.must(m.st.CreatePartner(ctx, &p))
		m.partners = append(m.partners, p)
	}
	// Visits, in batches as the event log applies them.
	for range 12 {
		var clicks, impressions []pactum.Visit
		for range 20 + m.rnd.IntN(60) {
			o, p := m.offers[m.rnd.IntN(len(m.offers))], m.partners[m.rnd.IntN(len(m.partners))]
			v := pactum.Visit{Time: m.at(), OfferID: o.ID, PartnerID: p.ID,
				Sub: [5]string{m.pick("", "ig", "tt"), m.pick("", "a"), "", "", m.pick("", "x")}, Source: m.pick("", "story", "feed"),
				Country: m.pick("DE", "AT", "IN", "", "FR"), Device: m.pick("desktop", "mobile", "tablet"),
				OS: m.pick("iOS", "Android", "Windows"), Browser: m.pick("Safari", "Chrome"),
				Bot: m.rnd.IntN(10) == 0, Unique: m.rnd.IntN(3) > 0}
			if m.rnd.IntN(10) == 0 {
				v.Rejected = m.pick(pactum.RejectPaused, pactum.RejectCountry)
			}
			if m.rnd.IntN(5) == 0 {
				impressions = append(impressions, v)
				m.visits = append(m.visits, modelVisit{v, true})
			} else {
				v.ClickID = fmt.Sprintf("c%d", len(m.visits))
				clicks = append(clicks, v)
				m.visits = append(m.visits, modelVisit{v, false})
			}
		}
		m.apply(func(tx pactum.EventTx) error {
			if err := tx.InsertVisits(ctx, clicks, impressions); err != nil {
				return err
			}
			return AddVisits(ctx, tx, clicks, impressions)
		})
	}
	// Conversions, computed by the rules engine, a few to a batch. The keeper is told of about
	// half as the pipeline tells it (Keeper.Stored), with times to the nanosecond as the
	// pipeline's clock has them, and counts those from its copy.
	keeper := NewKeeper(m.st, nil)
	rules := &commission.Rules{}
	var ids, stored []int64
	for range 30 {
		for _, c := range m.conversions(rules, 1+m.rnd.IntN(6)) {
			ids = append(ids, c.ID)
			if m.rnd.IntN(2) == 0 {
				cp := *c
				cp.Time = cp.Time.Add(999 * time.Nanosecond)
				if !cp.ClickTime.IsZero() {
					cp.ClickTime = cp.ClickTime.Add(999 * time.Nanosecond)
				}
				// With its click's dimensions, as the fraud rules read them, or without; with its
				// line commissions, as the pipeline gives them, or without.
				var click *pactum.ClickDims
				if m.rnd.IntN(2) == 0 {
					click = m.clickDims(c.ClickID)
				}
				var lines pactum.LineCommissions
				if m.rnd.IntN(2) == 0 {
					lines = m.lines[c]
				}
				keeper.Stored(&cp, click, lines)
				stored = append(stored, c.ID)
			}
		}
	}
	// Changes before the keeper consumes their conversion's creation: it must not count its copy.
	for _, id := range stored[:min(4, len(stored))] {
		_, err := m.st.UpdateConversion(ctx, id, func(c *pactum.Conversion) error {
			switch c.Status {
			case pactum.ConversionPending:
				return commission.Approve(c, m.start.Add(time.Duration(m.days)*24*time.Hour))
			case pactum.ConversionApproved:
				return commission.Reject(c, "fraud", m.start.Add(time.Duration(m.days)*24*time.Hour))
			}
			return nil
		})
		m.must(err)
	}
	consume := func() {
		for {
			n, err := keeper.Consume(ctx)
			m.must(err)
			if n == 0 {
				return
			}
		}
	}
	consume() // some changes apply after the keeper saw the conversion, some before
	for _, id := range ids {
		if m.rnd.IntN(3) != 0 {
			continue
		}
		now := m.start.Add(time.Duration(m.days) * 24 * time.Hour)
		_, err := m.st.UpdateConversion(ctx, id, func(c *pactum.Conversion) error {
			switch r := m.rnd.IntN(5); {
			case r == 0 && len(c.Items) > 0 && c.Items[0].Quantity > c.Items[0].RefundedQuantity:
				return commission.Refund(c, []pactum.RefundItem{{SKU: c.Items[0].SKU, Quantity: 1}}, decimal.Zero, false, now)
			case r == 1 && c.Amount.GreaterThan(c.RefundedAmount):
				return commission.Refund(c, nil, pactum.Round(c.Amount.Sub(c.RefundedAmount).Div(decimal.New(2, 0)), "EUR").Add(decimal.New(1, -2)), true, now)
			case r == 2 && c.Status == pactum.ConversionPending:
				return commission.Approve(c, now)
			case r == 3 && (c.Status == pactum.ConversionPending || c.Status == pactum.ConversionApproved):
				return commission.Reject(c, "fraud", now)
			}
			return nil
		})
		if pactum.ErrorCode(err) != pactum.EINVALID {
			m.must(err)
		}
	}
	_, err := m.st.ApproveDue(ctx, m.start.Add(5*24*time.Hour), 1000)
	m.must(err)
	consume()
}

// conversions stores n random conversions in one event transaction and returns them.
func (m *model) conversions(r *commission.Rules, n int) []*pactum.Conversion {
	var batch []*pactum.Conversion
	for range n {
		batch = append(batch, m.conversion(r))
	}
	m.apply(func(tx pactum.EventTx) error {
		for _, c := range batch {
			if _, _, err := tx.InsertConversion(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	return batch
}

// clickDims returns the dimensions of the click with id, nil for none.
func (m *model) clickDims(id string) *pactum.ClickDims {
	for _, mv := range m.visits {
		if id != "" && mv.v.ClickID == id && !mv.impression {
			d := mv.v.Dims()
			return &d
		}
	}
	return nil
}

func (m *model) apply(fn func(pactum.EventTx) error) {
	m.t.Helper()
	m.pos++
	_, err := m.st.ApplyEvents(ctx, "events", m.pos, fn)
	m.must(err)
}

// conversion makes a random conversion, priced by the offer's rules.
func (m *model) conversion(r *commission.Rules) *pactum.Conversion {
	o := m.offers[m.rnd.IntN(len(m.offers))]
	c := &pactum.Conversion{OfferID: o.ID, AdvertiserID: o.AdvertiserID, Event: m.pick("purchase", "purchase", "lead"),
		Currency: "EUR", Status: pactum.ConversionPending, Source: pactum.SourceAPI, Time: m.at(),
		Attribution: pactum.AttributionNone, NewCustomer: m.rnd.IntN(2) == 0, Coupon: m.pick("", "ANNA10"),
		Country: m.pick("DE", "AT", "", "IN"), OrderID: fmt.Sprintf("o%d", m.rnd.Int64())}
	c.DedupKey = fmt.Sprintf("o:%d:%s:%s", o.ID, c.Event, c.OrderID)
	// Attributed by a click of the offer, when there is one before it, or by a partner alone.
	for _, i := range m.rnd.Perm(len(m.visits)) {
		v := m.visits[i].v
		if !m.visits[i].impression && v.OfferID == o.ID && v.Time.Before(c.Time) && m.rnd.IntN(2) == 0 {
			c.ClickID, c.ClickTime, c.PartnerID, c.Attribution = v.ClickID, v.Time, v.PartnerID, pactum.AttributionClick
			break
		}
	}
	if c.PartnerID == 0 && m.rnd.IntN(4) > 0 {
		c.PartnerID, c.Attribution = m.partners[m.rnd.IntN(len(m.partners))].ID, pactum.AttributionCoupon
	}
	for range m.rnd.IntN(4) {
		sku := m.pick("HERO", "SOCK", "CAP", "BAG")
		c.Items = append(c.Items, pactum.LineItem{SKU: sku, Category: map[string]string{"HERO": "shoes", "SOCK": "wear", "CAP": "wear", "BAG": ""}[sku],
			Quantity: 1 + m.rnd.Int64N(3), UnitPrice: decimal.New(100+m.rnd.Int64N(9900), -2), Discount: decimal.New(m.rnd.Int64N(50), -2)})
	}
	if len(c.Items) == 0 {
		c.Amount = decimal.New(m.rnd.Int64N(30000), -2)
	} else {
		for _, it := range c.Items {
			c.Amount = c.Amount.Add(it.UnitPrice.Mul(decimal.NewFromInt(it.Quantity)).Sub(it.Discount))
		}
	}
	var p pactum.Partner
	for _, x := range m.partners {
		if x.ID == c.PartnerID {
			p = x
		}
	}
	if c.PartnerID != 0 {
		lines, err := r.Compute(o, p, c, pactum.PartnerStats{})
		m.must(err)
		m.lines[c] = lines
	}
	if m.rnd.IntN(15) == 0 {
		c.Status, c.Reason, c.Payout, c.Revenue = pactum.ConversionRejected, pactum.ReasonTooFast, decimal.Zero, decimal.Zero
	}
	c.ApproveAt = c.Time.Add(3 * 24 * time.Hour)
	c.LedgerCurrency = "EUR"
	return c
}

var zones = []string{"UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns", "Pacific/Auckland", "America/New_York"}

// request makes a random report request.
func (m *model) request() Request {
	r := Request{Filters: map[string][]string{}, Limit: MaxLimit}
	loc, err := time.LoadLocation(m.pick(zones...))
	m.must(err)
	r.Location = loc
	if m.rnd.IntN(4) > 0 {
		r.GroupBy = append(r.GroupBy, m.pick(timeDims...))
	}
	other := append(slices.Clone(entityDims), pactum.RollupDims...)
	if m.rnd.IntN(5) == 0 {
		other = append(other, lineDims...)
	}
	for range m.rnd.IntN(3) {
		d := other[m.rnd.IntN(len(other))]
		if !slices.Contains(r.GroupBy, d) {
			r.GroupBy = append(r.GroupBy, d)
		}
	}
	for range m.rnd.IntN(3) {
		d := other[m.rnd.IntN(len(other))]
		r.Filters[d] = m.filterValues(d)
	}
	// A range of days in the zone, or of instants.
	first := m.start.AddDate(0, 0, m.rnd.IntN(m.days)-1)
	n := 1 + m.rnd.IntN(m.days)
	if m.rnd.IntN(3) > 0 {
		y, mo, d := first.Date()
		r.From, r.Dates = time.Date(y, mo, d, 0, 0, 0, 0, loc), true
		r.To = r.From.AddDate(0, 0, n)
	} else {
		r.From = m.at()
		r.To = r.From.Add(time.Duration(1+m.rnd.Int64N(int64(n)*24*3600)) * time.Second)
	}
	return r
}

func (m *model) filterValues(d string) []string {
	switch d {
	case "offer":
		return []string{strconv.FormatInt(m.offers[m.rnd.IntN(len(m.offers))].ID, 10)}
	case "advertiser":
		return []string{strconv.FormatInt(m.offers[m.rnd.IntN(len(m.offers))].AdvertiserID, 10)}
	case "partner":
		return []string{strconv.FormatInt(m.partners[m.rnd.IntN(len(m.partners))].ID, 10), "0"}
	case "partner_kind":
		return []string{m.pick(pactum.KindInfluencer, pactum.KindAffiliate)}
	case "country":
		return []string{"DE", m.pick("IN", "")}
	case "status":
		return []string{m.pick(pactum.ConversionRejected, pactum.ConversionApproved, ""), pactum.ConversionPending}
	case "sku":
		return []string{"HERO", m.pick(SKUBonus, "CAP")}
	case "device":
		return []string{"mobile"}
	case "event":
		return []string{m.pick("purchase", "lead", "")}
	}
	return []string{m.pick("", "ig", "story", "bot", "new", "click", "ANNA10", "shoes", "wear", "Safari")}
}

// check compares n random reports with the reference.
func (m *model) check(what string, n int) {
	m.t.Helper()
	reqs := make([]Request, n)
	for i := range reqs {
		reqs[i] = m.request()
	}
	// First, every conversion by status: a status the keeper missed always shows.
	reqs[0] = Request{GroupBy: []string{"status"}, Filters: map[string][]string{}, Limit: MaxLimit, Location: time.UTC,
		From: m.start.AddDate(0, 0, -1), To: m.start.AddDate(0, 0, m.days+1)}
	m.compare(what, reqs)
}

// compare runs each report of reqs and compares every group with the reference's.
func (m *model) compare(what string, reqs []Request) {
	m.t.Helper()
	cat, err := m.svc.catalog(ctx)
	m.must(err)
	var convs []pactum.Conversion
	m.must(m.st.EachConversion(ctx, pactum.ConversionFilter{}, func(c pactum.Conversion) error {
		convs = append(convs, c)
		return nil
	}))
	groups := 0
	defer func() { m.t.Logf("%s: %d reports, %d groups compared", what, len(reqs), groups) }()
	for i, req := range reqs {
		q, err := m.svc.sum(ctx, program.Admin, req, cat, req.From, req.To)
		m.must(err)
		got := map[string]pactum.Metrics{}
		for _, g := range q.out {
			if !g.m.IsZero() {
				got[groupKey(int(g.period), g.values)] = g.m
			}
		}
		want := m.reference(q, convs)
		groups += len(want)
		for k, w := range want {
			if got[k] != w {
				m.t.Fatalf("%s, report %d %+v: group %q:\n got %+v\nwant %+v", what, i, req, k, got[k], w)
			}
		}
		for k, g := range got {
			if _, ok := want[k]; !ok {
				m.t.Fatalf("%s, report %d %+v: group %q should not be there: %+v", what, i, req, k, g)
			}
		}
	}
}

// TestReportRangeWholeSeconds: a range whose ends have fractions of a second counts, and says it
// covers, whole seconds (rollups and raw reads bound ranges in Unix seconds). The property test
// found the two apart: a click in the fraction of a second before from was counted, though the
// report said it began after it.
func TestReportRangeWholeSeconds(t *testing.T) {
	m := newModel(t, sqlitetest.Open(t), 1)
	m.generate()
	var click pactum.Visit
	for _, mv := range m.visits {
		if v := mv.v; !mv.impression && !v.Bot && v.Rejected == "" && v.Time.Nanosecond() < 900_000_000 {
			click = v
			break
		}
	}
	second := click.Time.Truncate(time.Second)
	req := Request{GroupBy: []string{"partner"}, Filters: map[string][]string{}, Limit: MaxLimit, Location: time.UTC,
		From: second.Add(999 * time.Millisecond), To: second.Add(90*time.Minute + 500*time.Millisecond)}
	m.compare("a range with fractions of a second", []Request{req})
	cat, err := m.svc.catalog(ctx)
	m.must(err)
	q, err := m.svc.sum(ctx, program.Admin, req, cat, req.From, req.To)
	m.must(err)
	if !q.req.From.Equal(second) || !q.req.To.Equal(second.Add(90*time.Minute)) {
		t.Errorf("the report covers %s..%s, want %s..%s", q.req.From, q.req.To, second, second.Add(90*time.Minute))
	}
}

// reference computes, from the raw events and by the SPEC's definitions, what each group of q
// sums to. It shares no code with the query: it walks every event.
func (m *model) reference(q *query, convs []pactum.Conversion) map[string]pactum.Metrics {
	req := q.req
	out := map[string]pactum.Metrics{}
	period := func(t time.Time) int64 {
		l := t.In(req.Location)
		y, mo, d := l.Date()
		switch q.timeDim {
		case "":
			return 0
		case "hour":
			return time.Date(y, mo, d, l.Hour(), 0, 0, 0, req.Location).Unix()
		case "week":
			d -= (int(l.Weekday()) + 6) % 7
		case "month":
			d = 1
		}
		return time.Date(y, mo, d, 0, 0, 0, 0, req.Location).Unix()
	}
	partnerKind := map[int64]string{}
	for _, p := range m.partners {
		partnerKind[p.ID] = p.Kind
	}
	advertiserOf := map[int64]int64{}
	for _, o := range m.offers {
		advertiserOf[o.ID] = o.AdvertiserID
	}
	inRange := func(t time.Time) bool { return !t.Before(req.From) && t.Before(req.To) }
	// add counts figures under the dimension values value gives, when they pass the filters.
	add := func(t time.Time, offer, partner int64, value func(string) string, fig pactum.Metrics) {
		v := func(d string) string {
			switch d {
			case "offer":
				return strconv.FormatInt(offer, 10)
			case "advertiser":
				return strconv.FormatInt(advertiserOf[offer], 10)
			case "partner":
				return strconv.FormatInt(partner, 10)
			case "partner_kind":
				return partnerKind[partner]
			}
			return value(d)
		}
		for d, vs := range req.Filters {
			if !slices.Contains(vs, v(d)) {
				return
			}
		}
		values := make([]string, len(q.groups))
		for i, d := range q.groups {
			values[i] = v(d)
		}
		k := groupKey(int(period(t)), values)
		cur := out[k]
		cur.Add(fig)
		if cur.IsZero() {
			delete(out, k)
		} else {
			out[k] = cur
		}
	}
	lines := false
	for _, d := range append(slices.Clone(req.GroupBy), keys(req.Filters)...) {
		lines = lines || slices.Contains(lineDims, d)
	}
	withRejected := slices.Contains(req.GroupBy, "status") || slices.Contains(req.GroupBy, "reason") ||
		req.Filters["status"] != nil || req.Filters["reason"] != nil
	if !lines {
		for _, mv := range m.visits {
			v := mv.v
			if !inRange(v.Time) {
				continue
			}
			var fig pactum.Metrics
			reason := v.Rejected
			if v.Bot {
				reason = "bot"
			}
			switch {
			case mv.impression && !v.Bot:
				fig.Impressions = 1
			case mv.impression:
			case reason != "":
				fig.InvalidClicks = 1
			default:
				fig.Clicks = 1
				if v.Unique {
					fig.UniqueClicks = 1
				}
			}
			add(v.Time, v.OfferID, v.PartnerID, func(d string) string {
				switch d {
				case "sub1", "sub2", "sub3", "sub4", "sub5":
					return v.Sub[d[3]-'1']
				case "source":
					return v.Source
				case "country":
					return v.Country
				case "device":
					return v.Device
				case "os":
					return v.OS
				case "browser":
					return v.Browser
				case "reason":
					return reason
				}
				return ""
			}, fig)
		}
	}
	clicks := map[string]pactum.Visit{}
	for _, mv := range m.visits {
		if !mv.impression {
			clicks[mv.v.ClickID] = mv.v
		}
	}
	minor := func(d decimal.Decimal) int64 { return d.Shift(2).IntPart() }
	for _, c := range convs {
		if !inRange(c.Time) || (c.Status == pactum.ConversionRejected && !withRejected) {
			continue
		}
		if lines && c.Status == pactum.ConversionRejected {
			continue
		}
		click := clicks[c.ClickID]
		custType := "returning"
		if c.NewCustomer {
			custType = "new"
		}
		value := func(d string) string {
			switch d {
			case "sub1", "sub2", "sub3", "sub4", "sub5":
				return click.Sub[d[3]-'1']
			case "source":
				return click.Source
			case "device":
				return click.Device
			case "os":
				return click.OS
			case "browser":
				return click.Browser
			case "country":
				return c.Country
			case "reason":
				return c.Reason
			case "event":
				return c.Event
			case "attribution":
				return c.Attribution
			case "customer_type":
				return custType
			case "status":
				return c.Status
			case "coupon":
				return c.Coupon
			}
			return ""
		}
		var newC int64
		if c.NewCustomer {
			newC = 1
		}
		if !lines {
			fig := pactum.Metrics{Conversions: 1, Sales: minor(c.Amount), Payout: minor(c.Payout), Revenue: minor(c.Revenue),
				NewCustomers: newC, RefundedAmount: minor(c.RefundedAmount)}
			if c.RefundedAmount.IsPositive() {
				fig.Refunds = 1
			}
			if c.Attribution == pactum.AttributionClick {
				fig.CTCTSum, fig.CTCTCount = int64(c.Time.Sub(c.ClickTime)/time.Second), 1
			}
			add(c.Time, c.OfferID, c.PartnerID, value, fig)
			continue
		}
		// Line by line, as SPEC section 7 says: the lines' net amounts and commissions, the
		// bonuses as the pseudo-SKU "(bonus)", and what is on no line as "(order)".
		items := c.Items
		if len(items) == 0 {
			items = []pactum.LineItem{{Quantity: 1, UnitPrice: c.Amount}}
		}
		var pb, rb struct {
			Lines []struct{ Commission decimal.Decimal } `json:"lines"`
		}
		_ = json.Unmarshal(c.PayoutBreakdown, &pb)
		_ = json.Unmarshal(c.RevenueBreakdown, &rb)
		var sales, refunded, pay, rev int64
		for i, it := range items {
			net := it.UnitPrice.Mul(decimal.NewFromInt(it.Quantity)).Sub(it.Discount)
			fig := pactum.Metrics{Conversions: 1, NewCustomers: newC, Sales: minor(net.Round(2))}
			if it.RefundedQuantity > 0 {
				fig.RefundedAmount = minor(net.Mul(decimal.NewFromInt(it.RefundedQuantity)).Div(decimal.NewFromInt(it.Quantity)).Round(2))
				fig.Refunds = 1
			}
			if !c.Payout.IsZero() && len(pb.Lines) == len(items) {
				fig.Payout = minor(pb.Lines[i].Commission)
			}
			if !c.Revenue.IsZero() && len(rb.Lines) == len(items) {
				fig.Revenue = minor(rb.Lines[i].Commission)
			}
			sales, refunded, pay, rev = sales+fig.Sales, refunded+fig.RefundedAmount, pay+fig.Payout, rev+fig.Revenue
			add(c.Time, c.OfferID, c.PartnerID, lineValue(value, it.SKU, it.Category), fig)
		}
		add(c.Time, c.OfferID, c.PartnerID, lineValue(value, SKUBonus, SKUBonus),
			pactum.Metrics{Payout: minor(c.Payout) - pay, Revenue: minor(c.Revenue) - rev})
		fig := pactum.Metrics{Sales: minor(c.Amount) - sales, RefundedAmount: minor(c.RefundedAmount) - refunded}
		if fig.RefundedAmount > 0 {
			fig.Refunds = 1
		}
		add(c.Time, c.OfferID, c.PartnerID, lineValue(value, SKUOrder, SKUOrder), fig)
	}
	return out
}

func lineValue(value func(string) string, sku, category string) func(string) string {
	return func(d string) string {
		switch d {
		case "sku":
			return sku
		case "category":
			return category
		}
		return value(d)
	}
}
