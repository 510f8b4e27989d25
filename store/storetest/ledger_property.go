package storetest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/commission"
	"github.com/pactum/pactum/payout"
	"github.com/pactum/pactum/rules"
)

// testLedgerProperty runs thousands of random operations on the ledger and payouts, as the API
// and the background jobs apply them, and after every one checks the store against a model the
// test keeps of its own: what each conversion earns and where its money is, which payouts exist
// and what they took. Balances must be the sums of the entries, the entries must account for
// every conversion to the cent, and no commission may be paid twice.
//
// PACTUM_LEDGER_SEED replays a seed; PACTUM_LEDGER_OPS sets how many operations run (default
// 2,000; 400 with -short or the race detector, which makes each 5 to 10 times slower). Without
// PACTUM_LEDGER_OPS, a run that takes longer than lpBudget stops there (a loaded machine), and
// says so.
func testLedgerProperty(t *testing.T, s pactum.Store) {
	seed := rand.Uint64()
	if v := os.Getenv("PACTUM_LEDGER_SEED"); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("PACTUM_LEDGER_SEED: %v", err)
		}
	}
	ops, budget := 2000, lpBudget
	if testing.Short() || raceBuild() {
		ops = 400
	}
	if v := os.Getenv("PACTUM_LEDGER_OPS"); v != "" {
		var err error
		if ops, err = strconv.Atoi(v); err != nil {
			t.Fatalf("PACTUM_LEDGER_OPS: %v", err)
		}
		budget = 0
	}
	t.Logf("seed %d (replay: PACTUM_LEDGER_SEED=%d), %d operations", seed, seed, ops)
	m := newLedgerModel(t, s, seed)
	start := time.Now()
	for m.op = 1; m.op <= ops; m.op++ {
		m.step()
		if budget > 0 && time.Since(start) > budget && m.op < ops {
			t.Logf("stopped after %d of %d operations: over the time budget of %v", m.op, ops, budget)
			ops = m.op
		}
	}
	m.op, m.desc = ops, "final check"
	m.checkConversions()
	m.checkPayouts()
	m.checkEntriesUnchanged()
	t.Logf("%d operations in %v: %s", ops, time.Since(start).Round(time.Millisecond), m.stats)
}

// lpBudget bounds the time of the property test on a slow or loaded machine.
const lpBudget = 60 * time.Second

// raceBuild reports whether the test binary was built with the race detector.
func raceBuild() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" {
				return s.Value == "true"
			}
		}
	}
	return false
}

// lpKey names one balance: a partner's, with one program, in one currency.
type lpKey struct {
	partner, advertiser int64
	currency            string
}

func (k lpKey) String() string {
	return fmt.Sprintf("partner %d, program %d, %s", k.partner, k.advertiser, k.currency)
}

// lpSums are the sums of ledger entries by kind, in minor units.
type lpSums struct {
	accrued, approved, reversed, clawback, paid, failed int64
}

// add counts an entry of kind; false for a kind the ledger does not know.
func (s *lpSums) add(kind string, amount int64) bool {
	switch kind {
	case pactum.LedgerAccrued:
		s.accrued += amount
	case pactum.LedgerApproved:
		s.approved += amount
	case pactum.LedgerReversed:
		s.reversed += amount
	case pactum.LedgerClawback:
		s.clawback += amount
	case pactum.LedgerPaid:
		s.paid += amount
	case pactum.LedgerPayoutFailed:
		s.failed += amount
	default:
		return false
	}
	return true
}

// The buckets of a balance, worked out here rather than with pactum.Balance.Apply.
func (s *lpSums) pending() int64   { return s.accrued - s.approved - s.reversed }
func (s *lpSums) approvedB() int64 { return s.approved - s.clawback - s.paid + s.failed }
func (s *lpSums) paidB() int64     { return s.paid - s.failed }

// lpPayout is a payout as the model expects it, with the commissions its run linked.
type lpPayout struct {
	pactum.Payout
	convs     []int64
	linkedSum int64 // what those commissions were worth at the run
}

// lpEffects is what one operation may change: the ledger entries it may append name only these
// conversions and payouts; quiet operations append none.
type lpEffects struct {
	convs   []int64
	payouts []int64
	quiet   bool
	full    bool // compare every conversion and payout with the store afterwards
}

type lpStats struct {
	kinds                 map[string]int
	runs, payouts, netted int
	overCommissions       int // payouts worth more than their commissions (a failed payout's netting returned)
	rolledOver            int
	errorsExpected        int
}

func (st lpStats) String() string {
	var kinds []string
	for k, n := range st.kinds {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
	}
	slices.Sort(kinds)
	return fmt.Sprintf("%s; %d runs made %d payouts (%d netted clawbacks, %d worth more than their commissions, %d balances rolled over); %d operations refused as expected",
		strings.Join(kinds, ", "), st.runs, st.payouts, st.netted, st.overCommissions, st.rolledOver, st.errorsExpected)
}

type ledgerModel struct {
	t      *testing.T
	s      pactum.Store
	rng    *rand.Rand
	seed   uint64
	op     int
	desc   string
	recent []string
	stats  lpStats

	clock time.Time
	seq   int    // makes order ids and times unique
	pos   uint64 // of the test's event stream

	advertisers []pactum.Advertiser
	offers      []pactum.Offer
	partners    []pactum.Partner
	payoutRules map[string]*rules.RuleSet // by currency
	revRules    map[string]*rules.RuleSet

	convs    map[int64]*pactum.Conversion // what each conversion should be
	initial  map[int64]int64              // what each earned when it was reported
	convIDs  []int64
	dedup    []int64           // conversions with a dedup key
	history  map[int64][]int64 // every payout each conversion was ever linked to
	payouts  map[int64]*lpPayout
	payIDs   []int64
	runs     map[string]pactum.PayoutRun // by program and date
	runDates map[int64][]string          // by program

	entries   []pactum.LedgerEntry // every entry the store appended, in order
	lastEntry int64
	byKey     map[lpKey]*lpSums
	byConv    map[int64]*lpSums
}

const lpStream = "ledger-property"

// Exchange rates of the conversions credited in another currency than the offer's.
var lpRates = map[string]decimal.Decimal{"EUR>JPY": dec("162.37"), "JPY>EUR": dec("0.0061588")}

const lpPayoutRulesEUR = `{"default":{"percent":"7.5"},
	"rules":[{"id":"hero","when":{"sku":["SHOE-9"]},"rate":{"fixed":"3.00","per":"unit"}},
	         {"id":"socks","when":{"category":["socks"]},"rate":{"percent":"12.5"}}],
	"bonuses":[{"id":"new-customer","when":{"new_customer":true},"add":{"fixed":"2.00"}},
	           {"id":"big-basket","when":{"order_amount_gte":"200.00"},"add":{"percent":"2"}},
	           {"id":"hats","when":{"sku":["HAT-2"]},"add":{"fixed":"0.35","per":"unit"}}]}`

const lpPayoutRulesJPY = `{"default":{"percent":"7.5"},
	"rules":[{"id":"hero","when":{"sku":["SHOE-9"]},"rate":{"fixed":"300","per":"unit"}},
	         {"id":"socks","when":{"category":["socks"]},"rate":{"percent":"12.5"}}],
	"bonuses":[{"id":"new-customer","when":{"new_customer":true},"add":{"fixed":"200"}},
	           {"id":"big-basket","when":{"order_amount_gte":"20000"},"add":{"percent":"2"}},
	           {"id":"hats","when":{"sku":["HAT-2"]},"add":{"fixed":"35","per":"unit"}}]}`

func newLedgerModel(t *testing.T, s pactum.Store, seed uint64) *ledgerModel {
	m := &ledgerModel{
		t: t, s: s, seed: seed, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		clock:       time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC),
		payoutRules: map[string]*rules.RuleSet{}, revRules: map[string]*rules.RuleSet{},
		convs: map[int64]*pactum.Conversion{}, initial: map[int64]int64{}, history: map[int64][]int64{}, payouts: map[int64]*lpPayout{},
		runs: map[string]pactum.PayoutRun{}, runDates: map[int64][]string{},
		byKey: map[lpKey]*lpSums{}, byConv: map[int64]*lpSums{},
		stats: lpStats{kinds: map[string]int{}},
	}
	m.desc = "setup"
	for cur, src := range map[string]string{"EUR": lpPayoutRulesEUR, "JPY": lpPayoutRulesJPY} {
		rs, err := rules.Parse([]byte(src), cur)
		m.must(err)
		m.payoutRules[cur] = rs
		rs, err = rules.Parse([]byte(`{"default":{"percent":"10"}}`), cur)
		m.must(err)
		m.revRules[cur] = rs
	}
	// Two programs: one with net days, one paying what is approved by the end of the run's day.
	for i, net := range []int{5, 0} {
		a := pactum.Advertiser{Name: fmt.Sprintf("Shop %d", i+1), Currency: "EUR", PayoutSchedule: pactum.PayoutMonthly,
			PayoutDay: 1, PayoutWeekday: 1, NetDays: net}
		m.must(s.CreateAdvertiser(ctx, &a))
		m.advertisers = append(m.advertisers, a)
	}
	for _, o := range []struct {
		adv      int
		currency string
		hold     int
	}{{0, "EUR", 14}, {0, "JPY", 3}, {1, "EUR", 0}, {1, "EUR", 30}} {
		offer := newOffer(t, s, m.advertisers[o.adv].ID, "Offer "+o.currency)
		offer.Currency, offer.HoldDays = o.currency, o.hold
		m.must(s.UpdateOffer(ctx, &offer))
		m.offers = append(m.offers, offer)
	}
	// Five partners: ordinary minimums, one with none to speak of, one whose minimum is high
	// enough that its balance often rolls over, one paid in JPY, and one that gets suspended.
	for _, p := range []struct {
		name, currency, min string
	}{{"anna", "EUR", "50.00"}, {"ben", "EUR", "0.01"}, {"cleo", "EUR", "400.00"}, {"dai", "JPY", "5000"}, {"eve", "EUR", "25.00"}} {
		partner := pactum.Partner{Name: p.name, Email: p.name + "@example.com", Kind: pactum.KindAffiliate,
			Status: pactum.PartnerActive, Currency: p.currency, MinPayout: dec(p.min), PayoutMethod: "sepa"}
		m.must(s.CreatePartner(ctx, &partner))
		m.partners = append(m.partners, partner)
	}
	return m
}

// failf stops the test with what led to the failure.
func (m *ledgerModel) failf(format string, args ...any) {
	m.t.Helper()
	m.t.Fatalf("ledger property, seed %d (replay: PACTUM_LEDGER_SEED=%d), operation %d: %s\n  %s\nthe operations before it:\n  %s",
		m.seed, m.seed, m.op, m.desc, fmt.Sprintf(format, args...), strings.Join(m.recent, "\n  "))
}

func (m *ledgerModel) must(err error) {
	m.t.Helper()
	if err != nil {
		m.failf("unexpected error: %v", err)
	}
}

// step runs one random operation and checks the store after it.
func (m *ledgerModel) step() {
	m.t.Helper()
	// The clock moves on between operations: hold periods end, runs fall due.
	m.clock = m.clock.Add(time.Duration(m.rng.IntN(12*3600)) * time.Second)
	type op struct {
		name   string
		weight int
		run    func() lpEffects
	}
	table := []op{
		{"insert", 30, m.opInsert},
		{"refund", 16, m.opRefund},
		{"approve", 5, m.opApprove},
		{"reject", 4, m.opReject},
		{"approve-due", 12, m.opApproveDue},
		{"run", 9, func() lpEffects { return m.opRun(false) }},
		{"rerun", 3, func() lpEffects { return m.opRun(true) }},
		{"concurrent-runs", 3, m.opConcurrentRuns},
		{"settle", 12, m.opSettle},
		{"settle-again", 2, m.opSettleAgain},
		{"partner-status", 1, m.opPartnerStatus},
	}
	total := 0
	for _, o := range table {
		total += o.weight
	}
	n := m.rng.IntN(total)
	for _, o := range table {
		if n -= o.weight; n < 0 {
			m.stats.kinds[o.name]++
			m.desc = o.name + " at " + m.clock.Format(time.RFC3339)
			eff := o.run()
			m.check(eff)
			m.recent = append(m.recent, fmt.Sprintf("#%d %s", m.op, m.desc))
			if len(m.recent) > 12 {
				m.recent = m.recent[1:]
			}
			return
		}
	}
}

// --- operations ------------------------------------------------------------------------------

// opInsert reports one to three conversions in one event batch, as the event processor does:
// pending or approved, rejected or capped, with or without a partner, sometimes in another
// currency than the partner's, and now and then a duplicate of one reported before.
func (m *ledgerModel) opInsert() lpEffects {
	n := 1 + m.rng.IntN(3)
	batch := make([]*pactum.Conversion, 0, n)
	dupOf := make([]int64, 0, n)
	var descs []string
	for range n {
		if len(m.dedup) > 0 && m.rng.IntN(12) == 0 {
			orig := m.convs[m.dedup[m.rng.IntN(len(m.dedup))]]
			c := m.newConversion()
			c.OfferID, c.AdvertiserID, c.OrderID, c.DedupKey = orig.OfferID, orig.AdvertiserID, orig.OrderID, orig.DedupKey
			batch, dupOf = append(batch, c), append(dupOf, orig.ID)
			descs = append(descs, fmt.Sprintf("duplicate of conversion %d", orig.ID))
			continue
		}
		batch, dupOf = append(batch, m.newConversion()), append(dupOf, 0)
	}
	type result struct {
		existing pactum.Conversion
		dup      bool
	}
	var results []result
	m.pos++
	applied, err := m.s.ApplyEvents(ctx, lpStream, m.pos, func(tx pactum.EventTx) error {
		results = results[:0]
		for _, c := range batch {
			existing, dup, err := tx.InsertConversion(ctx, c)
			if err != nil {
				return err
			}
			results = append(results, result{existing, dup})
		}
		return nil
	})
	m.must(err)
	if !applied {
		m.failf("batch at position %d not applied", m.pos)
	}
	var eff lpEffects
	for i, c := range batch {
		r := results[i]
		if dupOf[i] == 0 {
			descs = append(descs, lpDescribe(c))
		}
		if dupOf[i] != 0 {
			if !r.dup || r.existing.ID != dupOf[i] {
				m.failf("conversion %d: a duplicate of %d stored as duplicate %v, existing %d", i, dupOf[i], r.dup, r.existing.ID)
			}
			continue
		}
		if r.dup || c.ID == 0 {
			m.failf("new conversion %d stored as duplicate %v with id %d", i, r.dup, c.ID)
		}
		copied := lpCopy(c)
		m.convs[c.ID] = copied
		m.initial[c.ID] = lpAmount(copied)
		m.convIDs = append(m.convIDs, c.ID)
		m.dedup = append(m.dedup, c.ID)
		eff.convs = append(eff.convs, c.ID)
	}
	m.desc += ": " + strings.Join(descs, "; ")
	eff.quiet = len(eff.convs) == 0
	return eff
}

var lpSKUs = []struct{ sku, category string }{
	{"SHOE-9", "shoes"}, {"SOCK-1", "socks"}, {"HAT-2", "hats"}, {"BAG-7", "bags"}, {"SOCK-3", "socks"},
}

// newConversion makes a conversion as the event processor would store it: priced by the offer's
// rules, with its hold period, and credited in the partner's currency when a rate is known.
func (m *ledgerModel) newConversion() *pactum.Conversion {
	m.seq++
	o := m.offers[m.rng.IntN(len(m.offers))]
	cur := o.Currency
	// Unique microseconds keep the approval order (by end of hold period) free of ties.
	at := m.clock.Add(-time.Duration(m.rng.IntN(48*3600)) * time.Second).Truncate(time.Second).
		Add(time.Duration(m.seq%1_000_000) * time.Microsecond)
	c := &pactum.Conversion{OfferID: o.ID, AdvertiserID: o.AdvertiserID, Event: "purchase",
		OrderID: fmt.Sprintf("order-%d", m.seq), DedupKey: fmt.Sprintf("o:%d:purchase:order-%d", o.ID, m.seq),
		Currency: cur, NewCustomer: m.rng.IntN(3) == 0, Attribution: pactum.AttributionClick,
		Status: pactum.ConversionPending, Source: pactum.SourceAPI, Time: at,
		Payout: decimal.Zero, Revenue: decimal.Zero, RefundedAmount: decimal.Zero}
	var amount int64
	if m.rng.IntN(5) > 0 {
		for range 1 + m.rng.IntN(3) {
			sku := lpSKUs[m.rng.IntN(len(lpSKUs))]
			qty := int64(1 + m.rng.IntN(4))
			unit := 100 + m.rng.Int64N(14900) // minor units: 1.00 to 150.00 EUR, or 100 to 15,000 JPY
			var discount int64
			if m.rng.IntN(4) == 0 {
				discount = m.rng.Int64N(unit*qty/5 + 1)
			}
			c.Items = append(c.Items, pactum.LineItem{SKU: sku.sku, Category: sku.category, Quantity: qty,
				UnitPrice: pactum.FromMinor(unit, cur), Discount: pactum.FromMinor(discount, cur)})
			amount += unit*qty - discount
		}
	} else {
		amount = 500 + m.rng.Int64N(30000)
	}
	c.Amount = pactum.FromMinor(amount, cur)
	c.ApproveAt = at.AddDate(0, 0, o.HoldDays)
	if m.rng.IntN(10) == 0 {
		c.Attribution = pactum.AttributionNone // unattributed: earns nothing, still approved in time
		c.LedgerCurrency = cur
		return c
	}
	p := m.partners[m.rng.IntN(len(m.partners))]
	c.PartnerID = p.ID
	order := commission.Order(c, p)
	b, err := rules.Evaluate(m.payoutRules[cur], order, rules.Context{})
	m.must(err)
	rev, err := rules.Evaluate(m.revRules[cur], order, rules.Context{})
	m.must(err)
	c.Payout, c.Revenue = b.Total, rev.Total
	switch r := m.rng.IntN(20); {
	case r < 3:
		c.Status, c.ApprovedAt = pactum.ConversionApproved, at // reported approved
	case r < 5:
		c.Status, c.Reason, c.Payout, c.Revenue = pactum.ConversionRejected, pactum.ReasonAdvertiserDenied, decimal.Zero, decimal.Zero
	case r < 6:
		b.Capped, b.Cap, b.Total = true, "daily_conversions", decimal.Zero
		c.Status, c.Reason, c.Payout = pactum.ConversionCapped, "cap:daily_conversions", decimal.Zero
	}
	c.PayoutBreakdown, err = b.MarshalJSON()
	m.must(err)
	c.RevenueBreakdown, err = rev.MarshalJSON()
	m.must(err)
	c.LedgerCurrency = cur
	if p.Currency != cur && m.rng.IntN(10) < 7 {
		c.LedgerCurrency, c.FXRate = p.Currency, lpRates[cur+">"+p.Currency]
	}
	return c
}

// pick returns a random conversion, preferring those that still earn something with want true.
func (m *ledgerModel) pick(want func(*pactum.Conversion) bool) *pactum.Conversion {
	if len(m.convIDs) == 0 {
		return nil
	}
	if want != nil && m.rng.IntN(5) > 0 {
		for range 20 {
			c := m.convs[m.convIDs[m.rng.IntN(len(m.convIDs))]]
			if want(c) {
				return c
			}
		}
	}
	return m.convs[m.convIDs[m.rng.IntN(len(m.convIDs))]]
}

// update applies change to conversion id through Store.UpdateConversion, as the API does, and
// to the model's copy, and checks that both agree, errors included.
func (m *ledgerModel) update(id int64, change func(*pactum.Conversion) error) lpEffects {
	want := lpCopy(m.convs[id])
	wantErr := change(want)
	got, err := m.s.UpdateConversion(ctx, id, change)
	if wantErr != nil {
		m.desc += " -> " + pactum.ErrorCode(wantErr)
		if err == nil || pactum.ErrorCode(err) != pactum.ErrorCode(wantErr) || pactum.ErrorMessage(err) != pactum.ErrorMessage(wantErr) {
			m.failf("the store answered %v, want %v", err, wantErr)
		}
		m.stats.errorsExpected++
		return lpEffects{quiet: true, convs: []int64{id}}
	}
	m.must(err)
	m.desc += fmt.Sprintf(" -> %s, payout %s", want.Status, want.Payout)
	m.wantConversion("the updated conversion", got, want)
	m.convs[id] = want
	return lpEffects{convs: []int64{id}}
}

// opRefund refunds units of the conversion's items, or an amount of its order: partly or in
// full, before or after approval or payment, and now and then more than is left.
func (m *ledgerModel) opRefund() lpEffects {
	c := m.pick(func(c *pactum.Conversion) bool { return lpLive(c) > 0 })
	if c == nil {
		return lpEffects{quiet: true}
	}
	now := m.clock
	var items []pactum.RefundItem
	amount, byAmount := decimal.Zero, len(c.Items) == 0 || m.rng.IntN(2) == 0
	if byAmount {
		left := pactum.ToMinor(c.Amount.Sub(c.RefundedAmount), c.Currency)
		switch r := m.rng.IntN(20); {
		case r < 6:
			amount = pactum.FromMinor(left, c.Currency)
		case r == 6:
			amount = pactum.FromMinor(left+1, c.Currency) // too much: refused
		default:
			amount = pactum.FromMinor(1+m.rng.Int64N(max(left, 1)), c.Currency)
		}
		m.desc += fmt.Sprintf(": conversion %d (%s, payout %s) refunds %s of %s", c.ID, c.Status, c.Payout, amount, c.Amount.Sub(c.RefundedAmount))
	} else {
		all := m.rng.IntN(4) == 0
		for _, it := range c.Items {
			left := it.Quantity - it.RefundedQuantity
			switch {
			case all && left > 0:
				items = append(items, pactum.RefundItem{SKU: it.SKU, Quantity: left})
			case left > 0 && m.rng.IntN(2) == 0:
				items = append(items, pactum.RefundItem{SKU: it.SKU, Quantity: 1 + m.rng.Int64N(left)})
			}
		}
		if len(items) == 0 || m.rng.IntN(25) == 0 {
			it := c.Items[m.rng.IntN(len(c.Items))]
			items = append(items, pactum.RefundItem{SKU: it.SKU, Quantity: it.Quantity + 1}) // more than left: refused
		}
		m.desc += fmt.Sprintf(": conversion %d (%s, payout %s) refunds items %v", c.ID, c.Status, c.Payout, items)
	}
	return m.update(c.ID, func(c *pactum.Conversion) error { return commission.Refund(c, items, amount, byAmount, now) })
}

func (m *ledgerModel) opApprove() lpEffects {
	c := m.pick(func(c *pactum.Conversion) bool { return c.Status == pactum.ConversionPending })
	if c == nil {
		return lpEffects{quiet: true}
	}
	now := m.clock
	m.desc += fmt.Sprintf(": conversion %d (%s, payout %s)", c.ID, c.Status, c.Payout)
	return m.update(c.ID, func(c *pactum.Conversion) error { return commission.Approve(c, now) })
}

func (m *ledgerModel) opReject() lpEffects {
	c := m.pick(func(c *pactum.Conversion) bool {
		return c.Status == pactum.ConversionPending || c.Status == pactum.ConversionApproved
	})
	if c == nil {
		return lpEffects{quiet: true}
	}
	now := m.clock
	m.desc += fmt.Sprintf(": conversion %d (%s, payout %s, payout id %d)", c.ID, c.Status, c.Payout, c.PayoutID)
	return m.update(c.ID, func(c *pactum.Conversion) error { return commission.Reject(c, "order cancelled", now) })
}

// opApproveDue runs the approval job: every pending conversion whose hold period ended, oldest
// first, up to limit.
func (m *ledgerModel) opApproveDue() lpEffects {
	limit := 1000
	if m.rng.IntN(2) == 0 {
		limit = 1 + m.rng.IntN(8)
	}
	var due []*pactum.Conversion
	for _, id := range m.convIDs {
		if c := m.convs[id]; c.Status == pactum.ConversionPending && !c.ApproveAt.After(m.clock) {
			due = append(due, c)
		}
	}
	slices.SortFunc(due, func(a, b *pactum.Conversion) int { return a.ApproveAt.Compare(b.ApproveAt) })
	due = due[:min(limit, len(due))]
	n, err := m.s.ApproveDue(ctx, m.clock, limit)
	m.must(err)
	m.desc += fmt.Sprintf(": limit %d, %d due", limit, len(due))
	if n != len(due) {
		m.failf("ApproveDue approved %d, want %d", n, len(due))
	}
	eff := lpEffects{quiet: true}
	for _, c := range due {
		c.Status, c.ApprovedAt = pactum.ConversionApproved, c.ApproveAt
		eff.convs = append(eff.convs, c.ID)
		eff.quiet = eff.quiet && lpAmount(c) == 0
	}
	return eff
}

// runDate returns a date near the clock for a program's run, or one it ran before.
func (m *ledgerModel) runDate(adv pactum.Advertiser, again bool) time.Time {
	if dates := m.runDates[adv.ID]; again && len(dates) > 0 {
		d, err := time.Parse(time.DateOnly, dates[m.rng.IntN(len(dates))])
		m.must(err)
		return d
	}
	return payout.Day(m.clock).AddDate(0, 0, 2-m.rng.IntN(25))
}

// opRun makes a program's payout run for a date, new or (again) run before.
func (m *ledgerModel) opRun(again bool) lpEffects {
	adv := m.advertisers[m.rng.IntN(len(m.advertisers))]
	rs := payout.Settings(adv, m.runDate(adv, again), m.clock)
	key := lpRunKey(adv.ID, rs.Date)
	m.desc += fmt.Sprintf(": program %d for %s (cutoff %s)", adv.ID, rs.Date.Format(time.DateOnly), rs.Cutoff.Format(time.DateOnly))
	before, ran := m.runs[key]
	var plan []*lpPayout
	if !ran {
		plan = m.plan(rs)
	}
	run, created, err := m.s.RunPayouts(ctx, rs)
	m.must(err)
	if ran {
		if created || !lpSameRun(run, before) {
			m.failf("running the date again: %+v created %v, want %+v as it was", run, created, before)
		}
		return lpEffects{quiet: true, full: true}
	}
	return m.applyRun(rs, run, created, plan)
}

// opConcurrentRuns makes two runs of one program at once, from two goroutines: for two dates,
// or for the same date twice.
func (m *ledgerModel) opConcurrentRuns() lpEffects {
	adv := m.advertisers[m.rng.IntN(len(m.advertisers))]
	dates := []time.Time{m.runDate(adv, m.rng.IntN(4) == 0), m.runDate(adv, false)}
	if m.rng.IntN(3) == 0 {
		dates[1] = dates[0]
	}
	m.desc += fmt.Sprintf(": program %d for %s and %s", adv.ID, dates[0].Format(time.DateOnly), dates[1].Format(time.DateOnly))
	type result struct {
		rs      pactum.RunSettings
		run     pactum.PayoutRun
		created bool
		err     error
	}
	results := make([]result, 2)
	var wg sync.WaitGroup
	for i, d := range dates {
		results[i].rs = payout.Settings(adv, d, m.clock)
		wg.Go(func() {
			results[i].run, results[i].created, results[i].err = m.s.RunPayouts(ctx, results[i].rs)
		})
	}
	wg.Wait()
	for _, r := range results {
		m.must(r.err)
	}
	// The store serialises runs of one program: the one with the lower id went first.
	if r0, r1 := results[0], results[1]; r1.run.ID < r0.run.ID || r1.run.ID == r0.run.ID && r1.created {
		results[0], results[1] = results[1], results[0]
	}
	eff := lpEffects{quiet: true, full: true}
	for i, r := range results {
		key := lpRunKey(adv.ID, r.rs.Date)
		if before, ran := m.runs[key]; ran {
			if r.created || !lpSameRun(r.run, before) {
				m.failf("run %d of %s: %+v created %v, want %+v as it was", i, key, r.run, r.created, before)
			}
			continue
		}
		e := m.applyRun(r.rs, r.run, r.created, m.plan(r.rs))
		eff.convs, eff.payouts = append(eff.convs, e.convs...), append(eff.payouts, e.payouts...)
		eff.quiet = eff.quiet && e.quiet
	}
	return eff
}

func lpSameRun(a, b pactum.PayoutRun) bool {
	return a.ID == b.ID && a.AdvertiserID == b.AdvertiserID && a.Date == b.Date && a.Payouts == b.Payouts && a.CreatedAt.Equal(b.CreatedAt)
}

func lpRunKey(adv int64, date time.Time) string {
	return fmt.Sprintf("%d/%s", adv, date.Format(time.DateOnly))
}

// plan works out, from the model alone, the payouts a run should make: for each active partner
// and currency, what the partner is owed (what its approved and paid commissions earn, less
// what payouts that did not fail sent) less what is not payable yet (approved at or after the
// cutoff, and not in a payout), when that is positive and reaches the partner's minimum (in the
// partner's currency; other currencies have none).
func (m *ledgerModel) plan(rs pactum.RunSettings) []*lpPayout {
	earned, notYet := map[lpKey]int64{}, map[lpKey]int64{}
	linked := map[lpKey][]int64{}
	linkedSum := map[lpKey]int64{}
	for _, id := range m.convIDs {
		c := m.convs[id]
		if c.AdvertiserID != rs.AdvertiserID || c.PartnerID == 0 {
			continue
		}
		k := lpConvKey(c)
		if c.Status == pactum.ConversionApproved || c.Status == pactum.ConversionPaid {
			earned[k] += lpAmount(c)
		}
		if c.Status == pactum.ConversionApproved && c.PayoutID == 0 {
			if c.ApprovedAt.Before(rs.Cutoff) {
				linked[k] = append(linked[k], id)
				linkedSum[k] += lpAmount(c)
			} else {
				notYet[k] += lpAmount(c)
			}
		}
	}
	sent := m.sent()
	var out []*lpPayout
	for _, p := range m.partners {
		for _, cur := range []string{"EUR", "JPY"} {
			k := lpKey{p.ID, rs.AdvertiserID, cur}
			payable := earned[k] - sent[k] - notYet[k]
			if payable <= 0 || p.Status != pactum.PartnerActive {
				continue
			}
			if cur == p.Currency && payable < pactum.ToMinor(p.MinPayout, cur) {
				m.stats.rolledOver++
				continue
			}
			out = append(out, &lpPayout{
				Payout: pactum.Payout{AdvertiserID: rs.AdvertiserID, PartnerID: p.ID, Currency: cur,
					Amount: pactum.FromMinor(payable, cur), Commissions: int64(len(linked[k])),
					Status: pactum.PayoutPending, Method: p.PayoutMethod},
				convs: linked[k], linkedSum: linkedSum[k],
			})
		}
	}
	return out
}

// sent sums the payouts that did not fail, per balance.
func (m *ledgerModel) sent() map[lpKey]int64 {
	out := map[lpKey]int64{}
	for _, id := range m.payIDs {
		if p := m.payouts[id]; p.Status != pactum.PayoutFailed {
			out[lpKey{p.PartnerID, p.AdvertiserID, p.Currency}] += pactum.ToMinor(p.Amount, p.Currency)
		}
	}
	return out
}

// applyRun checks a run the store made against the model's plan, and applies the plan.
func (m *ledgerModel) applyRun(rs pactum.RunSettings, run pactum.PayoutRun, created bool, plan []*lpPayout) lpEffects {
	date := rs.Date.Format(time.DateOnly)
	if !created || run.ID == 0 || run.AdvertiserID != rs.AdvertiserID || run.Date != date || run.Payouts != len(plan) {
		m.failf("run of program %d for %s: %+v created %v, want a new run with %d payouts", rs.AdvertiserID, date, run, created, len(plan))
	}
	m.runs[lpRunKey(rs.AdvertiserID, rs.Date)] = run
	m.runDates[rs.AdvertiserID] = append(m.runDates[rs.AdvertiserID], date)
	m.stats.runs++
	got, err := m.s.ListPayouts(ctx, pactum.PayoutFilter{RunID: run.ID}, pactum.Page{Limit: 1000})
	m.must(err)
	if len(got) != len(plan) {
		m.failf("run %d made %d payouts, want %d: %s", run.ID, len(got), len(plan), lpPayouts(got))
	}
	eff := lpEffects{quiet: len(plan) == 0, full: true}
	for _, want := range plan {
		i := slices.IndexFunc(got, func(p pactum.Payout) bool {
			return p.PartnerID == want.PartnerID && p.Currency == want.Currency
		})
		if i < 0 {
			m.failf("run %d has no payout to partner %d in %s; it made %s", run.ID, want.PartnerID, want.Currency, lpPayouts(got))
		}
		p := got[i]
		want.ID, want.RunID, want.CreatedAt, want.UpdatedAt = p.ID, run.ID, p.CreatedAt, p.UpdatedAt
		m.wantPayout("new payout", p, want.Payout)
		// Netting may make a payout less than its commissions. It may be more only by what
		// failed payouts returned beyond what their commissions are worth now: a payout P1
		// takes A (10.00); A is refunded (clawback 10.00); the next run pays B (20.00) with
		// 10.00 netted; P1 fails and returns 10.00, A is released worth 0; the next run then
		// pays 10.00 for no commission at all, which is what the partner is owed.
		amount := pactum.ToMinor(p.Amount, p.Currency)
		if amount < want.linkedSum {
			m.stats.netted++
		}
		if amount > want.linkedSum {
			m.stats.overCommissions++
			if credit := m.failedCredit(lpKey{p.PartnerID, p.AdvertiserID, p.Currency}); amount > want.linkedSum+credit {
				m.failf("payout %d of %s is worth more than its commissions (%d) and the credit failed payouts returned (%d)",
					p.ID, p.Amount, want.linkedSum, credit)
			}
		}
		m.payouts[p.ID] = want
		m.payIDs = append(m.payIDs, p.ID)
		m.stats.payouts++
		eff.payouts = append(eff.payouts, p.ID)
		for _, id := range want.convs {
			c := m.convs[id]
			for _, earlier := range m.history[id] {
				if m.payouts[earlier].Status != pactum.PayoutFailed {
					m.failf("conversion %d goes into payout %d while payout %d that took it is %s", id, p.ID, earlier, m.payouts[earlier].Status)
				}
			}
			c.PayoutID = p.ID
			m.history[id] = append(m.history[id], p.ID)
			eff.convs = append(eff.convs, id)
		}
	}
	return eff
}

// failedCredit is what the failed payouts of a balance returned beyond what their commissions
// are worth now (all of them: a bound, not the exact figure).
func (m *ledgerModel) failedCredit(k lpKey) int64 {
	var credit int64
	for _, id := range m.payIDs {
		p := m.payouts[id]
		if (lpKey{p.PartnerID, p.AdvertiserID, p.Currency}) != k || p.Status != pactum.PayoutFailed {
			continue
		}
		var worth int64
		for _, c := range p.convs {
			worth += lpAmount(m.convs[c])
		}
		credit += max(0, pactum.ToMinor(p.Amount, p.Currency)-worth)
	}
	return credit
}

// opSettle marks a pending payout paid or failed.
func (m *ledgerModel) opSettle() lpEffects {
	var pending []int64
	for _, id := range m.payIDs {
		if m.payouts[id].Status == pactum.PayoutPending {
			pending = append(pending, id)
		}
	}
	if len(pending) == 0 {
		m.desc += " (no payout is pending)"
		return m.opSettleAgain()
	}
	p := m.payouts[pending[m.rng.IntN(len(pending))]]
	status, text := pactum.PayoutPaid, fmt.Sprintf("SEPA-%d", m.op)
	if m.rng.IntN(3) == 0 {
		status, text = pactum.PayoutFailed, "IBAN closed"
	}
	m.desc += fmt.Sprintf(": payout %d (partner %d, %s %s, %d commissions) %s", p.ID, p.PartnerID, p.Amount, p.Currency, len(p.convs), status)
	got, err := m.s.SettlePayout(ctx, p.ID, status, text, m.clock)
	m.must(err)
	p.Status, p.UpdatedAt = status, got.UpdatedAt
	eff := lpEffects{payouts: []int64{p.ID}, quiet: status == pactum.PayoutPaid}
	if status == pactum.PayoutPaid {
		p.Reference = text
	} else {
		p.Reason = text
	}
	m.wantPayout("settled payout", got, p.Payout)
	for _, id := range p.convs {
		c := m.convs[id]
		if c.PayoutID != p.ID {
			continue
		}
		eff.convs = append(eff.convs, id)
		switch {
		case status == pactum.PayoutFailed:
			c.PayoutID = 0
		case c.Status == pactum.ConversionApproved:
			c.Status = pactum.ConversionPaid
		}
	}
	return eff
}

// opSettleAgain settles a payout that is settled already, or one that does not exist.
func (m *ledgerModel) opSettleAgain() lpEffects {
	var settled []int64
	for _, id := range m.payIDs {
		if m.payouts[id].Status != pactum.PayoutPending {
			settled = append(settled, id)
		}
	}
	id, code := int64(1_000_000+m.op), pactum.ENOTFOUND
	if len(settled) > 0 && m.rng.IntN(8) > 0 {
		id, code = settled[m.rng.IntN(len(settled))], pactum.ECONFLICT
	}
	status := []string{pactum.PayoutPaid, pactum.PayoutFailed}[m.rng.IntN(2)]
	m.desc += fmt.Sprintf(": payout %d %s", id, status)
	_, err := m.s.SettlePayout(ctx, id, status, "again", m.clock)
	if pactum.ErrorCode(err) != code {
		m.failf("settling payout %d again: %v, want %s", id, err, code)
	}
	m.stats.errorsExpected++
	return lpEffects{quiet: true, payouts: []int64{id}}
}

// opPartnerStatus suspends the last partner, or makes it active again: a suspended partner's
// balance waits.
func (m *ledgerModel) opPartnerStatus() lpEffects {
	p := &m.partners[len(m.partners)-1]
	stored, err := m.s.Partner(ctx, p.ID)
	m.must(err)
	stored.Status = pactum.PartnerSuspended
	if p.Status == pactum.PartnerSuspended {
		stored.Status = pactum.PartnerActive
	}
	m.must(m.s.UpdatePartner(ctx, &stored))
	p.Status = stored.Status
	m.desc += fmt.Sprintf(": partner %d is %s", p.ID, p.Status)
	return lpEffects{quiet: true}
}

// --- checks ----------------------------------------------------------------------------------

// check compares the store with the model after an operation.
func (m *ledgerModel) check(eff lpEffects) {
	m.t.Helper()
	touched := m.readEntries(eff)
	m.checkConversionEntries()
	m.checkBalances()
	for _, id := range eff.convs {
		if c, ok := m.convs[id]; ok && c.PartnerID != 0 && !slices.Contains(touched, c.PartnerID) {
			touched = append(touched, c.PartnerID)
		}
	}
	if m.op%20 == 0 {
		touched = nil
		for _, p := range m.partners {
			touched = append(touched, p.ID)
		}
	}
	m.checkUnpaid(touched)
	for _, id := range eff.convs {
		got, err := m.s.Conversion(ctx, id)
		m.must(err)
		m.wantConversion("conversion", got, m.convs[id])
	}
	for _, id := range eff.payouts {
		if want, ok := m.payouts[id]; ok {
			got, err := m.s.Payout(ctx, id)
			m.must(err)
			m.wantPayout("payout", got, want.Payout)
		}
	}
	if eff.full || m.op%50 == 0 {
		m.checkPayouts()
	}
	if m.op%50 == 0 {
		m.checkConversions()
	}
	if m.op%500 == 0 {
		m.checkEntriesUnchanged()
	}
}

// readEntries reads the entries appended since the last operation, checks each, and adds them
// to the sums per balance and per conversion. It returns the partners they are for.
func (m *ledgerModel) readEntries(eff lpEffects) []int64 {
	var partners []int64
	for {
		page, err := m.s.LedgerEntries(ctx, pactum.LedgerFilter{}, pactum.Page{Limit: 1000, After: m.lastEntry})
		m.must(err)
		for _, e := range page {
			m.entry(e, eff)
			if !slices.Contains(partners, e.PartnerID) {
				partners = append(partners, e.PartnerID)
			}
		}
		if len(page) < 1000 {
			return partners
		}
	}
}

func (m *ledgerModel) entry(e pactum.LedgerEntry, eff lpEffects) {
	if eff.quiet {
		m.failf("the operation appended entry %+v, want none", e)
	}
	if e.ID <= m.lastEntry || !e.Amount.IsPositive() || !e.Amount.Equal(pactum.Round(e.Amount, e.Currency)) {
		m.failf("entry %+v: want a later id than %d and a positive amount in %s", e, m.lastEntry, e.Currency)
	}
	m.lastEntry = e.ID
	m.entries = append(m.entries, e)
	k := lpKey{e.PartnerID, e.AdvertiserID, e.Currency}
	amount := pactum.ToMinor(e.Amount, e.Currency)
	switch {
	case e.ConversionID != 0:
		c, ok := m.convs[e.ConversionID]
		if !ok || !slices.Contains(eff.convs, e.ConversionID) || e.PayoutID != 0 {
			m.failf("entry %+v is for a conversion this operation did not change", e)
		}
		if k != lpConvKey(c) || e.Kind == pactum.LedgerPaid || e.Kind == pactum.LedgerPayoutFailed {
			m.failf("entry %+v of conversion %d (%s), whose balance is %s", e, c.ID, c.Status, lpConvKey(c))
		}
		sums := m.byConv[e.ConversionID]
		if sums == nil {
			sums = new(lpSums)
			m.byConv[e.ConversionID] = sums
		}
		sums.add(e.Kind, amount)
	case e.PayoutID != 0:
		p, ok := m.payouts[e.PayoutID]
		if !ok || !slices.Contains(eff.payouts, e.PayoutID) {
			m.failf("entry %+v is for a payout this operation did not make or settle", e)
		}
		wantKind := pactum.LedgerPaid
		if p.Status == pactum.PayoutFailed {
			wantKind = pactum.LedgerPayoutFailed
		}
		if k != (lpKey{p.PartnerID, p.AdvertiserID, p.Currency}) || e.Kind != wantKind || !e.Amount.Equal(p.Amount) {
			m.failf("entry %+v for payout %+v", e, p.Payout)
		}
	default:
		m.failf("entry %+v names neither a conversion nor a payout", e)
	}
	sums := m.byKey[k]
	if sums == nil {
		sums = new(lpSums)
		m.byKey[k] = sums
	}
	if !sums.add(e.Kind, amount) {
		m.failf("entry %+v has an unknown kind", e)
	}
}

// checkConversionEntries checks that each conversion's entries put its money where its state
// says: pending, approved (approved or paid: paying moves money by the payout's entry), or
// nowhere; and that nothing is lost: per balance, what every conversion holds now plus what was
// reversed and clawed back is what was accrued, to the cent.
func (m *ledgerModel) checkConversionEntries() {
	type bucket struct{ pending, unpaid, inPending, inPaid, accrued, reversed, clawback int64 }
	buckets := map[lpKey]*bucket{}
	for _, id := range m.convIDs {
		c := m.convs[id]
		sums := m.byConv[id]
		if sums == nil {
			sums = new(lpSums)
		}
		var wantPending, wantApproved int64
		amount := lpAmount(c)
		switch c.Status {
		case pactum.ConversionPending:
			wantPending = amount
		case pactum.ConversionApproved, pactum.ConversionPaid:
			wantApproved = amount
		default:
			if amount != 0 {
				m.failf("conversion %d is %s and still earns %d", id, c.Status, amount)
			}
		}
		if sums.pending() != wantPending || sums.approved-sums.clawback != wantApproved ||
			sums.accrued-sums.reversed-sums.clawback != wantPending+wantApproved {
			m.failf("conversion %d (%s, %s %s): its entries %+v hold %d pending and %d approved, want %d and %d",
				id, c.Status, pactum.LedgerAmount(c), c.LedgerCurrency, *sums, sums.pending(), sums.approved-sums.clawback, wantPending, wantApproved)
		}
		// What a conversion earns only ever shrinks after it is reported (refunds, rejection):
		// it accrues once, what it earned then, and is approved at most that much.
		if sums.accrued != m.initial[id] || sums.approved > m.initial[id] {
			m.failf("conversion %d (%s) earned %d when reported; its entries %+v accrue %d and approve %d",
				id, c.Status, m.initial[id], *sums, sums.accrued, sums.approved)
		}
		if c.PartnerID == 0 && *sums != (lpSums{}) {
			m.failf("unattributed conversion %d has entries %+v", id, *sums)
		}
		k := lpConvKey(c)
		b := buckets[k]
		if b == nil {
			b = new(bucket)
			buckets[k] = b
		}
		b.accrued, b.reversed, b.clawback = b.accrued+sums.accrued, b.reversed+sums.reversed, b.clawback+sums.clawback
		// Exactly one place for the money of each conversion.
		var p *lpPayout
		if c.PayoutID != 0 {
			if p = m.payouts[c.PayoutID]; p == nil || p.Status == pactum.PayoutFailed {
				m.failf("conversion %d is in payout %d, which the model has as %v", id, c.PayoutID, p)
			}
		}
		switch {
		case c.Status == pactum.ConversionPending:
			b.pending += amount
		case c.Status == pactum.ConversionApproved && p == nil:
			b.unpaid += amount
		case c.Status == pactum.ConversionApproved && p.Status == pactum.PayoutPending:
			b.inPending += amount
		case c.Status == pactum.ConversionPaid && p != nil && p.Status == pactum.PayoutPaid:
			b.inPaid += amount
		case amount == 0:
		default:
			m.failf("conversion %d is %s in payout %d (%v): its money is nowhere", id, c.Status, c.PayoutID, p)
		}
	}
	for k, b := range buckets {
		if b.pending+b.unpaid+b.inPending+b.inPaid+b.reversed+b.clawback != b.accrued {
			m.failf("%s: pending %d + approved unpaid %d + in pending payouts %d + in paid payouts %d + reversed %d + clawed back %d != accrued %d",
				k, b.pending, b.unpaid, b.inPending, b.inPaid, b.reversed, b.clawback, b.accrued)
		}
	}
}

// checkBalances checks Store.Balances against the sums of the entries, and both against the
// model: pending is what pending conversions earn; approved and paid together what approved
// and paid ones earn; paid what the payouts that did not fail sent.
func (m *ledgerModel) checkBalances() {
	got, err := m.s.Balances(ctx, pactum.LedgerFilter{})
	m.must(err)
	if len(got) != len(m.byKey) {
		m.failf("%d balances, want one for each of the %d partner, program and currency with entries: %+v", len(got), len(m.byKey), got)
	}
	pending, earned := map[lpKey]int64{}, map[lpKey]int64{}
	for _, id := range m.convIDs {
		c := m.convs[id]
		switch c.Status {
		case pactum.ConversionPending:
			pending[lpConvKey(c)] += lpAmount(c)
		case pactum.ConversionApproved, pactum.ConversionPaid:
			earned[lpConvKey(c)] += lpAmount(c)
		}
	}
	sent := m.sent()
	for _, b := range got {
		k := lpKey{b.PartnerID, b.AdvertiserID, b.Currency}
		sums := m.byKey[k]
		if sums == nil {
			m.failf("balance %+v has no entries", b)
		}
		p, a, pd := pactum.ToMinor(b.Pending, k.currency), pactum.ToMinor(b.Approved, k.currency), pactum.ToMinor(b.Paid, k.currency)
		if p != sums.pending() || a != sums.approvedB() || pd != sums.paidB() {
			m.failf("%s: balance %s / %s / %s is not the sum of its entries %+v", k, b.Pending, b.Approved, b.Paid, *sums)
		}
		if sums.accrued != p+a+pd+sums.reversed+sums.clawback {
			m.failf("%s: accrued %d != pending %d + approved %d + paid %d + reversed %d + clawed back %d",
				k, sums.accrued, p, a, pd, sums.reversed, sums.clawback)
		}
		if p != pending[k] || a+pd != earned[k] || pd != sent[k] {
			m.failf("%s: balance pending %d, approved %d, paid %d; the model has %d pending, %d earned by approved and paid commissions, %d sent in payouts that did not fail",
				k, p, a, pd, pending[k], earned[k], sent[k])
		}
	}
	if m.op%10 != 0 {
		return
	}
	// A filtered sum agrees with the whole.
	partner := m.partners[m.op/10%len(m.partners)]
	some, err := m.s.Balances(ctx, pactum.LedgerFilter{PartnerID: partner.ID})
	m.must(err)
	for _, b := range some {
		if i := slices.IndexFunc(got, func(x pactum.Balance) bool {
			return x.PartnerID == b.PartnerID && x.AdvertiserID == b.AdvertiserID && x.Currency == b.Currency
		}); b.PartnerID != partner.ID || i < 0 || !b.Pending.Equal(got[i].Pending) || !b.Approved.Equal(got[i].Approved) || !b.Paid.Equal(got[i].Paid) {
			m.failf("balance of partner %d alone %+v differs from the one among all", partner.ID, b)
		}
	}
}

// checkUnpaid checks Store.UnpaidApproved of some partners against the model: approved
// commissions in no payout, by program, currency and day of approval.
func (m *ledgerModel) checkUnpaid(partners []int64) {
	for _, p := range m.partners {
		if !slices.Contains(partners, p.ID) {
			continue
		}
		want := map[string]int64{}
		for _, id := range m.convIDs {
			c := m.convs[id]
			if c.PartnerID == p.ID && c.Status == pactum.ConversionApproved && c.PayoutID == 0 {
				want[fmt.Sprintf("%d/%s/%s", c.AdvertiserID, c.LedgerCurrency, payout.Day(c.ApprovedAt).Format(time.DateOnly))] += lpAmount(c)
			}
		}
		got, err := m.s.UnpaidApproved(ctx, p.ID)
		m.must(err)
		if len(got) != len(want) {
			m.failf("partner %d: %d days of unpaid commissions, want %d: %+v, want %v", p.ID, len(got), len(want), got, want)
		}
		for _, d := range got {
			k := fmt.Sprintf("%d/%s/%s", d.AdvertiserID, d.Currency, d.Day.Format(time.DateOnly))
			if w, ok := want[k]; !ok || pactum.ToMinor(d.Amount, d.Currency) != w {
				m.failf("partner %d: unpaid %s on %s, want %d", p.ID, d.Amount, k, w)
			}
		}
	}
}

// checkConversions compares every conversion in the store with the model.
func (m *ledgerModel) checkConversions() {
	all := readAll(m, func(pg pactum.Page) ([]pactum.Conversion, error) {
		return m.s.ListConversions(ctx, pactum.ConversionFilter{}, pg)
	}, func(c pactum.Conversion) int64 { return c.ID })
	for _, c := range all {
		want, ok := m.convs[c.ID]
		if !ok {
			m.failf("the store has conversion %d, which the test never made", c.ID)
		}
		m.wantConversion("conversion", c, want)
	}
	if len(all) != len(m.convs) {
		m.failf("the store has %d conversions, want %d", len(all), len(m.convs))
	}
}

// checkPayouts compares every payout in the store with the model.
func (m *ledgerModel) checkPayouts() {
	all := readAll(m, func(pg pactum.Page) ([]pactum.Payout, error) {
		return m.s.ListPayouts(ctx, pactum.PayoutFilter{}, pg)
	}, func(p pactum.Payout) int64 { return p.ID })
	for _, p := range all {
		want, ok := m.payouts[p.ID]
		if !ok {
			m.failf("the store has payout %+v, which no run should have made", p)
		}
		m.wantPayout("payout", p, want.Payout)
	}
	if len(all) != len(m.payouts) {
		m.failf("the store has %d payouts, want %d", len(all), len(m.payouts))
	}
}

// checkEntriesUnchanged reads every entry again: entries are never updated or deleted.
func (m *ledgerModel) checkEntriesUnchanged() {
	all := readAll(m, func(pg pactum.Page) ([]pactum.LedgerEntry, error) {
		return m.s.LedgerEntries(ctx, pactum.LedgerFilter{}, pg)
	}, func(e pactum.LedgerEntry) int64 { return e.ID })
	if len(all) != len(m.entries) {
		m.failf("%d entries, want the %d read so far", len(all), len(m.entries))
	}
	for i, e := range all {
		w := m.entries[i]
		if e.ID != w.ID || e.Kind != w.Kind || !e.Amount.Equal(w.Amount) || e.PartnerID != w.PartnerID ||
			e.AdvertiserID != w.AdvertiserID || e.Currency != w.Currency || e.ConversionID != w.ConversionID ||
			e.PayoutID != w.PayoutID || !e.Time.Equal(w.Time) {
			m.failf("entry %d changed: %+v, was %+v", e.ID, e, w)
		}
	}
}

// readAll reads every item fetch lists, page by page in id order.
func readAll[T any](m *ledgerModel, fetch func(pactum.Page) ([]T, error), id func(T) int64) []T {
	var all []T
	var after int64
	for {
		page, err := fetch(pactum.Page{Limit: 1000, After: after})
		m.must(err)
		all = append(all, page...)
		if len(page) < 1000 {
			return all
		}
		after = id(page[len(page)-1])
	}
}

func (m *ledgerModel) wantConversion(what string, got pactum.Conversion, want *pactum.Conversion) {
	m.t.Helper()
	if got.ID != want.ID || got.Status != want.Status || !got.Payout.Equal(want.Payout) || got.PayoutID != want.PayoutID ||
		got.PartnerID != want.PartnerID || got.LedgerCurrency != want.LedgerCurrency || !got.FXRate.Equal(want.FXRate) ||
		!got.RefundedAmount.Equal(want.RefundedAmount) || !got.ApprovedAt.Equal(want.ApprovedAt) || !got.ApproveAt.Equal(want.ApproveAt) {
		m.failf("%s %d:\n got %s\nwant %s", what, want.ID, lpDescribe(&got), lpDescribe(want))
	}
}

func (m *ledgerModel) wantPayout(what string, got, want pactum.Payout) {
	m.t.Helper()
	if got.ID != want.ID || got.RunID != want.RunID || got.PartnerID != want.PartnerID || got.AdvertiserID != want.AdvertiserID ||
		got.Currency != want.Currency || !got.Amount.Equal(want.Amount) || got.Commissions != want.Commissions ||
		got.Status != want.Status || got.Method != want.Method || got.Reference != want.Reference || got.Reason != want.Reason {
		m.failf("%s %d:\n got %+v\nwant %+v", what, want.ID, got, want)
	}
}

// --- helpers ---------------------------------------------------------------------------------

// lpAmount is what c credits its partner now, in minor units of its ledger currency: its
// ledger amount while pending, approved or paid, else nothing.
func lpAmount(c *pactum.Conversion) int64 {
	if c.PartnerID == 0 {
		return 0
	}
	switch c.Status {
	case pactum.ConversionPending, pactum.ConversionApproved, pactum.ConversionPaid:
		return pactum.ToMinor(pactum.LedgerAmount(c), c.LedgerCurrency)
	}
	return 0
}

// lpLive is lpAmount, for a conversion that can still be refunded.
func lpLive(c *pactum.Conversion) int64 {
	if !c.Amount.GreaterThan(c.RefundedAmount) {
		return 0
	}
	return lpAmount(c)
}

func lpConvKey(c *pactum.Conversion) lpKey {
	return lpKey{c.PartnerID, c.AdvertiserID, c.LedgerCurrency}
}

func lpCopy(c *pactum.Conversion) *pactum.Conversion {
	n := *c
	n.Items = slices.Clone(c.Items)
	n.Refunds = slices.Clone(c.Refunds)
	n.PayoutBreakdown = slices.Clone(c.PayoutBreakdown)
	n.RevenueBreakdown = slices.Clone(c.RevenueBreakdown)
	return &n
}

func lpDescribe(c *pactum.Conversion) string {
	s := fmt.Sprintf("conversion %d of program %d for partner %d: %s, %s %s (%d items), payout %s, refunded %s, ledger %s",
		c.ID, c.AdvertiserID, c.PartnerID, c.Status, c.Amount, c.Currency, len(c.Items), c.Payout, c.RefundedAmount, c.LedgerCurrency)
	if !c.FXRate.IsZero() {
		s += " at " + c.FXRate.String()
	}
	s += fmt.Sprintf(", approve at %s, approved at %s", c.ApproveAt.Format(time.RFC3339Nano), c.ApprovedAt.Format(time.RFC3339Nano))
	if c.PayoutID != 0 {
		s += fmt.Sprintf(", in payout %d", c.PayoutID)
	}
	return s
}

func lpPayouts(ps []pactum.Payout) string {
	b, _ := json.Marshal(ps)
	return string(b)
}
