package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pactum/pactum"
)

// wantSameConversion fails t unless got and want are the same conversion. Amounts compare by
// value (129.90 is 129.9) through their JSON; the breakdowns byte for byte.
func wantSameConversion(t *testing.T, what string, got, want pactum.Conversion) {
	t.Helper()
	g, err := json.Marshal(got)
	must(t, err)
	w, err := json.Marshal(want)
	must(t, err)
	if !bytes.Equal(g, w) {
		t.Fatalf("%s:\n got %s\nwant %s", what, g, w)
	}
	if !bytes.Equal(got.PayoutBreakdown, want.PayoutBreakdown) || !bytes.Equal(got.RevenueBreakdown, want.RevenueBreakdown) {
		t.Fatalf("%s: breakdowns\n got %s %s\nwant %s %s", what, got.PayoutBreakdown, got.RevenueBreakdown,
			want.PayoutBreakdown, want.RevenueBreakdown)
	}
	if got.Time.Location() != time.UTC || got.CreatedAt.Location() != time.UTC {
		t.Fatalf("%s: times not in UTC: %v, %v", what, got.Time, got.CreatedAt)
	}
}

func conversionID(c pactum.Conversion) int64 { return c.ID }

// fullConversion returns a conversion with every field set, in currency.
func fullConversion(o pactum.Offer, partner int64, currency string) *pactum.Conversion {
	at := time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.FixedZone("CET", 3600))
	amount, unit, payout, revenue, refunded := "259.80", "129.90", "20.78", "25.98", "129.90"
	if currency == "JPY" {
		amount, unit, payout, revenue, refunded = "25980", "12990", "2078", "2598", "12990"
	}
	return &pactum.Conversion{
		OfferID: o.ID, AdvertiserID: o.AdvertiserID, Event: "purchase", PartnerID: partner,
		ClickID: "click-" + currency, ClickTime: at.Add(-time.Hour), OrderID: "order-" + currency,
		DedupKey: fmt.Sprintf("o:%d:purchase:order-%s", o.ID, currency), Currency: currency, Amount: dec(amount),
		Items: []pactum.LineItem{
			{SKU: "SHOE-9", Category: "shoes", Quantity: 2, UnitPrice: dec(unit), Discount: dec("0"), RefundedQuantity: 1},
			{SKU: "SOCK-1", Category: "socks", Quantity: 1, UnitPrice: dec("0.333"), Discount: dec("0.333")},
		},
		Coupon: "ANNA10", CustomerID: "cust-42", NewCustomer: true, Country: "DE",
		Attribution: pactum.AttributionClick, Status: pactum.ConversionApproved, Reason: "",
		Source: pactum.SourcePostback, Time: at, Payout: dec(payout), Revenue: dec(revenue),
		PayoutBreakdown:  json.RawMessage(`{"lines":[{"sku":"SHOE-9","commission":"10.39"}],  "total":"20.78"}`),
		RevenueBreakdown: json.RawMessage(`{"total":"25.98"}`),
		RefundedAmount:   dec(refunded),
		Refunds: []pactum.Refund{{
			Time: at.Add(24 * time.Hour), Amount: dec(refunded), Items: []pactum.RefundItem{{SKU: "SHOE-9", Quantity: 1}},
			PayoutBefore: dec(payout), PayoutAfter: dec("10.39"), RevenueBefore: dec(revenue), RevenueAfter: dec("12.99"),
		}},
		ApproveAt: at.Add(30 * 24 * time.Hour).Truncate(time.Microsecond).UTC(), ApprovedAt: at.Add(48 * time.Hour).Truncate(time.Microsecond).UTC(),
		LedgerCurrency: currency,
	}
}

func testConversionRoundTrip(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	anna := newPartner(t, s, "anna")
	st := newStream(s, "events")

	for _, currency := range []string{"EUR", "JPY"} {
		t.Run(currency, func(t *testing.T) {
			c := fullConversion(o, anna.ID, currency)
			in := *c
			existing, dup := st.insert(t, c)
			if dup || c.ID <= 0 {
				t.Fatalf("InsertConversion: duplicate %v, ID %d", dup, c.ID)
			}
			wantStamped(t, "CreatedAt", c.CreatedAt)
			if !c.UpdatedAt.Equal(c.CreatedAt) {
				t.Fatalf("UpdatedAt = %v, want CreatedAt %v", c.UpdatedAt, c.CreatedAt)
			}
			wantSameConversion(t, "InsertConversion's answer", existing, *c)
			got, err := s.Conversion(ctx, c.ID)
			must(t, err)
			wantSameConversion(t, "Conversion", got, *c)

			// What went in, to the microsecond and in UTC, is what came out.
			in.ID, in.CreatedAt, in.UpdatedAt = c.ID, c.CreatedAt, c.UpdatedAt
			in.Time, in.ClickTime = in.Time.Truncate(time.Microsecond).UTC(), in.ClickTime.Truncate(time.Microsecond).UTC()
			in.Refunds = []pactum.Refund{in.Refunds[0]}
			in.Refunds[0].Time = in.Refunds[0].Time.Truncate(time.Microsecond).UTC()
			wantSameConversion(t, "Conversion against the input", got, in)
			if f := pactum.FormatAmount(got.Amount, currency); f != pactum.FormatAmount(in.Amount, currency) {
				t.Fatalf("Amount = %s", f)
			}
			if got.Items[1].UnitPrice.String() != "0.333" {
				t.Fatalf("item unit price = %s, want 0.333 (items keep their decimals)", got.Items[1].UnitPrice)
			}
		})
	}

	t.Run("bare", func(t *testing.T) {
		// No partner, no click, no dedup key, no items or refunds, no breakdowns; Time is set.
		c := sale(o, 0, time.Time{}, "0", "0")
		st.insert(t, c)
		wantStamped(t, "Time", c.Time)
		got, err := s.Conversion(ctx, c.ID)
		must(t, err)
		wantSameConversion(t, "bare Conversion", got, *c)
		if got.PartnerID != 0 || !got.ClickTime.IsZero() || got.Items != nil || got.Refunds != nil ||
			got.PayoutBreakdown != nil || got.DedupKey != "" {
			t.Fatalf("bare conversion read back as %+v", got)
		}
	})

	_, err := s.Conversion(ctx, 1000)
	wantCode(t, err, pactum.ENOTFOUND, "")
}

// testConversionMoney checks amounts to the minor unit, and that amounts finer than the
// currency allows are refused, naming the field, rather than rounded.
func testConversionMoney(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	st := newStream(s, "events")
	tests := []struct {
		currency, amount string
		want             string // FormatAmount of what reads back; "" for an error
	}{
		{"EUR", "0.01", "0.01"},
		{"EUR", "129.90", "129.90"},
		{"EUR", "-3.50", "-3.50"},
		{"EUR", "92233720368547758.07", "92233720368547758.07"},
		{"JPY", "1200", "1200"},
		{"BHD", "1.234", "1.234"},
		{"EUR", "0.001", ""},
		{"JPY", "12.5", ""},
		{"EUR", "92233720368547758.08", ""},
	}
	fields := []struct {
		name string
		set  func(c *pactum.Conversion, v string)
		get  func(c pactum.Conversion) string
	}{
		{"amount", func(c *pactum.Conversion, v string) { c.Amount = dec(v) }, func(c pactum.Conversion) string { return pactum.FormatAmount(c.Amount, c.Currency) }},
		{"payout", func(c *pactum.Conversion, v string) { c.Payout = dec(v) }, func(c pactum.Conversion) string { return pactum.FormatAmount(c.Payout, c.Currency) }},
		{"revenue", func(c *pactum.Conversion, v string) { c.Revenue = dec(v) }, func(c pactum.Conversion) string { return pactum.FormatAmount(c.Revenue, c.Currency) }},
		{"refunded_amount", func(c *pactum.Conversion, v string) { c.RefundedAmount = dec(v) }, func(c pactum.Conversion) string { return pactum.FormatAmount(c.RefundedAmount, c.Currency) }},
	}
	for _, tt := range tests {
		for _, f := range fields {
			t.Run(tt.currency+" "+f.name+" "+tt.amount, func(t *testing.T) {
				c := sale(o, 0, t0, "1", "0")
				c.Currency = tt.currency
				f.set(c, tt.amount)
				if tt.want == "" {
					st.pos++
					_, err := s.ApplyEvents(ctx, st.name, st.pos, func(tx pactum.EventTx) error {
						_, _, err := tx.InsertConversion(ctx, c)
						return err
					})
					wantCode(t, err, pactum.EINVALID, f.name)
					return
				}
				st.insert(t, c)
				got, err := s.Conversion(ctx, c.ID)
				must(t, err)
				if g := f.get(got); g != tt.want {
					t.Fatalf("%s = %s, want %s", f.name, g, tt.want)
				}
				// UpdateConversion refuses what InsertConversion refuses, and writes nothing.
				_, err = s.UpdateConversion(ctx, c.ID, func(c *pactum.Conversion) error {
					f.set(c, "0.0001")
					return nil
				})
				wantCode(t, err, pactum.EINVALID, f.name)
				again, err := s.Conversion(ctx, c.ID)
				must(t, err)
				wantSameConversion(t, "conversion after a refused update", again, got)
			})
		}
	}

	t.Run("unknown currency", func(t *testing.T) {
		c := sale(o, 0, t0, "1", "0")
		c.Currency = "XXX"
		st.pos++
		_, err := s.ApplyEvents(ctx, st.name, st.pos, func(tx pactum.EventTx) error {
			_, _, err := tx.InsertConversion(ctx, c)
			return err
		})
		wantCode(t, err, pactum.EINVALID, "currency")
	})
}

func testConversionDedup(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	anna := newPartner(t, s, "anna")
	st := newStream(s, "events")

	// Twice in one transaction: the second sees the first.
	first := sale(o, anna.ID, t0, "10.00", "1.00")
	first.DedupKey = "o:1:purchase:A"
	second := *first
	second.Amount, second.Time = dec("99.00"), t0.Add(time.Minute)
	st.apply(t, func(tx pactum.EventTx) error {
		if _, dup, err := tx.InsertConversion(ctx, first); err != nil || dup {
			t.Fatalf("first InsertConversion: duplicate %v, %v", dup, err)
		}
		existing, dup, err := tx.InsertConversion(ctx, &second)
		if err != nil || !dup || existing.ID != first.ID {
			t.Fatalf("second InsertConversion = id %d, duplicate %v, %v; want id %d, duplicate", existing.ID, dup, err, first.ID)
		}
		if second.ID != 0 {
			t.Fatalf("the duplicate got ID %d", second.ID)
		}
		return nil
	})

	// Again in a later transaction.
	third := second
	existing, dup := st.insert(t, &third)
	if !dup {
		t.Fatal("same key in a later batch: not a duplicate")
	}
	wantSameConversion(t, "the existing conversion", existing, *first)

	// An empty key never dedups.
	a, b := sale(o, anna.ID, t0, "5.00", "0.50"), sale(o, anna.ID, t0, "5.00", "0.50")
	st.insertAll(t, a, b)
	if a.ID == b.ID {
		t.Fatal("two conversions without a key got one id")
	}
	if n := conversionCount(t, s, pactum.ConversionFilter{}); n != 3 {
		t.Fatalf("%d conversions stored, want 3", n)
	}

	// Processors on different streams at once: the database lets one conversion through. Each
	// waits inside its transaction for the others (for a while: SQLite runs one at a time), so
	// that in PostgreSQL all of them look for the key before any has committed it.
	const n = 8
	results := make([]pactum.Conversion, n)
	dups := make([]bool, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var inside sync.WaitGroup
	inside.Add(n)
	allInside := make(chan struct{})
	go func() { inside.Wait(); close(allInside) }()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			c := sale(o, anna.ID, t0, "7.00", "0.70")
			c.Event, c.DedupKey = "race", "o:1:race:R"
			c.OrderID = fmt.Sprint(i)
			entered := false
			_, errs[i] = s.ApplyEvents(ctx, fmt.Sprintf("stream-%d", i), uint64(i+1), func(tx pactum.EventTx) error {
				if !entered {
					entered = true
					inside.Done()
				}
				select {
				case <-allInside:
				case <-time.After(20 * time.Millisecond):
				}
				var err error
				results[i], dups[i], err = tx.InsertConversion(ctx, c)
				return err
			})
		})
	}
	close(start)
	wg.Wait()
	stored := 0
	for i := range n {
		must(t, errs[i])
		if !dups[i] {
			stored++
		}
		if results[i].ID != results[0].ID {
			t.Fatalf("processor %d got conversion %d, processor 0 got %d", i, results[i].ID, results[0].ID)
		}
	}
	if got := conversionCount(t, s, pactum.ConversionFilter{Event: "race"}); got != 1 || stored != 1 {
		t.Fatalf("%d conversions stored, %d answered as new; want 1 and 1", got, stored)
	}
}

func testConversionList(t *testing.T, s pactum.Store) {
	adv1, adv2 := newAdvertiser(t, s, "A"), newAdvertiser(t, s, "B")
	o1, o2 := newOffer(t, s, adv1.ID, "1"), newOffer(t, s, adv2.ID, "2")
	anna, ben := newPartner(t, s, "anna"), newPartner(t, s, "ben")
	st := newStream(s, "events")

	// Stored out of time order, two at the same time: the log is ordered by arrival.
	c := []*pactum.Conversion{
		sale(o1, anna.ID, t0.Add(3*time.Hour), "10", "1"), // 0
		sale(o1, ben.ID, t0.Add(1*time.Hour), "20", "2"),  // 1
		sale(o2, anna.ID, t0.Add(2*time.Hour), "30", "3"), // 2
		sale(o1, 0, t0, "40", "0"),                        // 3
		sale(o2, ben.ID, t0.Add(1*time.Hour), "50", "5"),  // 4
		sale(o1, anna.ID, t0.Add(5*time.Hour), "60", "6"), // 5
	}
	c[1].Status, c[4].Status = pactum.ConversionApproved, pactum.ConversionApproved
	c[2].Event, c[5].Event = "lead", "lead"
	id := st.insertAll(t, c...)

	tests := []struct {
		name   string
		filter pactum.ConversionFilter
		want   []int64
	}{
		{"all", pactum.ConversionFilter{}, id},
		{"offer", pactum.ConversionFilter{OfferID: o1.ID}, []int64{id[0], id[1], id[3], id[5]}},
		{"partner", pactum.ConversionFilter{PartnerID: anna.ID}, []int64{id[0], id[2], id[5]}},
		{"advertiser", pactum.ConversionFilter{AdvertiserID: adv2.ID}, []int64{id[2], id[4]}},
		{"event", pactum.ConversionFilter{Event: "lead"}, []int64{id[2], id[5]}},
		{"status", pactum.ConversionFilter{Status: pactum.ConversionApproved}, []int64{id[1], id[4]}},
		{"from is inclusive", pactum.ConversionFilter{From: t0.Add(2 * time.Hour)}, []int64{id[0], id[2], id[5]}},
		{"to is exclusive", pactum.ConversionFilter{To: t0.Add(time.Hour)}, []int64{id[3]}},
		{"everything", pactum.ConversionFilter{OfferID: o1.ID, PartnerID: anna.ID, AdvertiserID: adv1.ID,
			Event: "purchase", Status: pactum.ConversionPending, From: t0, To: t0.Add(4 * time.Hour)}, []int64{id[0]}},
		{"no match", pactum.ConversionFilter{OfferID: o2.ID, Status: pactum.ConversionRejected}, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := s.ListConversions(ctx, tt.filter, pactum.Page{})
			must(t, err)
			wantEqual(t, "ListConversions", ids(list, conversionID), tt.want)
			wantEqual(t, "ListConversions one by one", pageAll(t, func(p pactum.Page) ([]pactum.Conversion, error) {
				return s.ListConversions(ctx, tt.filter, p)
			}, conversionID), tt.want)
			if n := conversionCount(t, s, tt.filter); n != int64(len(tt.want)) {
				t.Fatalf("CountConversions = %d, want %d", n, len(tt.want))
			}
		})
	}
	page, err := s.ListConversions(ctx, pactum.ConversionFilter{}, pactum.Page{Limit: 2, After: id[1]})
	must(t, err)
	wantEqual(t, "page after the second", ids(page, conversionID), id[2:4])
	wantSameConversion(t, "listed conversion", page[0], *c[2])

	t.Run("each oldest first", func(t *testing.T) {
		var seen []int64
		must(t, s.EachConversion(ctx, pactum.ConversionFilter{}, func(c pactum.Conversion) error {
			seen = append(seen, c.ID)
			return nil
		}))
		wantEqual(t, "EachConversion", seen, []int64{id[3], id[1], id[4], id[2], id[0], id[5]})

		seen = nil
		must(t, s.EachConversion(ctx, pactum.ConversionFilter{OfferID: o1.ID, From: t0.Add(time.Hour), To: t0.Add(5 * time.Hour)},
			func(c pactum.Conversion) error {
				seen = append(seen, c.ID)
				return nil
			}))
		wantEqual(t, "EachConversion with a filter", seen, []int64{id[1], id[0]})

		stop := errors.New("stop")
		calls := 0
		err := s.EachConversion(ctx, pactum.ConversionFilter{}, func(pactum.Conversion) error {
			if calls++; calls == 2 {
				return stop
			}
			return nil
		})
		if err != stop || calls != 2 {
			t.Fatalf("EachConversion with fn failing on the 2nd: %v after %d calls, want stop after 2", err, calls)
		}
	})
}

func testUpdateConversion(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	anna := newPartner(t, s, "anna")
	c := fullConversion(o, anna.ID, "EUR")
	c.Status, c.RefundedAmount, c.Refunds = pactum.ConversionPending, dec("0"), nil
	c.Items[0].RefundedQuantity = 0
	newStream(s, "events").insert(t, c)

	_, err := s.UpdateConversion(ctx, c.ID+100, func(*pactum.Conversion) error { return nil })
	wantCode(t, err, pactum.ENOTFOUND, "")

	// fn's error comes back unchanged and nothing is written.
	fail := errors.New("not allowed")
	_, err = s.UpdateConversion(ctx, c.ID, func(c *pactum.Conversion) error {
		c.Status = pactum.ConversionRejected
		return fail
	})
	if err != fail {
		t.Fatalf("UpdateConversion with failing fn = %v, want the error unchanged", err)
	}
	got, err := s.Conversion(ctx, c.ID)
	must(t, err)
	wantSameConversion(t, "conversion after a failed update", got, *c)

	time.Sleep(2 * time.Microsecond)
	refundTime := time.Date(2026, 3, 20, 10, 0, 0, 123456789, time.UTC)
	updated, err := s.UpdateConversion(ctx, c.ID, func(u *pactum.Conversion) error {
		if u.ID != c.ID || u.Status != pactum.ConversionPending {
			t.Errorf("fn got %+v", u)
		}
		u.ID, u.CreatedAt = 0, time.Time{} // neither is written
		u.Status, u.Reason = pactum.ConversionRejected, "fraud suspected"
		u.Items[0].RefundedQuantity = 1
		u.RefundedAmount = dec("129.90")
		u.Refunds = append(u.Refunds, pactum.Refund{Time: refundTime, Amount: dec("129.90"),
			PayoutBefore: dec("20.78"), PayoutAfter: dec("10.39"), RevenueBefore: dec("25.98"), RevenueAfter: dec("12.99")})
		u.Payout, u.Revenue = dec("10.39"), dec("12.99")
		u.PayoutBreakdown = json.RawMessage(`{"total":"10.39"}`)
		return nil
	})
	must(t, err)
	if updated.ID != c.ID || !updated.CreatedAt.Equal(c.CreatedAt) || !updated.UpdatedAt.After(c.UpdatedAt) {
		t.Fatalf("updated: ID %d, CreatedAt %v, UpdatedAt %v; want %d, %v, after %v", updated.ID,
			updated.CreatedAt, updated.UpdatedAt, c.ID, c.CreatedAt, c.UpdatedAt)
	}
	wantStamped(t, "UpdatedAt", updated.UpdatedAt)
	got, err = s.Conversion(ctx, c.ID)
	must(t, err)
	wantSameConversion(t, "updated conversion", got, updated)
	if got.Status != pactum.ConversionRejected || got.Items[0].RefundedQuantity != 1 || len(got.Refunds) != 1 ||
		!got.Refunds[0].Time.Equal(refundTime.Truncate(time.Microsecond)) || got.Payout.String() != "10.39" {
		t.Fatalf("updated conversion = %+v", got)
	}

	// Concurrent updates of one conversion do not lose each other's changes.
	const n = 8
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = s.UpdateConversion(ctx, c.ID, func(u *pactum.Conversion) error {
				u.RefundedAmount = u.RefundedAmount.Add(dec("1"))
				return nil
			})
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		must(t, err)
	}
	got, err = s.Conversion(ctx, c.ID)
	must(t, err)
	if f := pactum.FormatAmount(got.RefundedAmount, "EUR"); f != "137.90" {
		t.Fatalf("RefundedAmount after %d concurrent +1.00 = %s, want 137.90", n, f)
	}
}

func testCustomerPartner(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o, other := newOffer(t, s, adv.ID, "Offer"), newOffer(t, s, adv.ID, "Other")
	anna, ben, cara := newPartner(t, s, "anna"), newPartner(t, s, "ben"), newPartner(t, s, "cara")
	st := newStream(s, "events")

	customer := func(c *pactum.Conversion, id, status string) *pactum.Conversion {
		c.CustomerID, c.Status = id, status
		return c
	}
	st.insertAll(t,
		// Rejected and reversed conversions do not bring the customer.
		customer(sale(o, cara.ID, t0.Add(-time.Hour), "1", "0"), "cust-1", pactum.ConversionRejected),
		customer(sale(o, ben.ID, t0.Add(time.Hour), "1", "0"), "cust-1", pactum.ConversionApproved),
		customer(sale(o, anna.ID, t0, "1", "0"), "cust-1", pactum.ConversionPending),
		customer(sale(o, 0, t0.Add(3*time.Hour), "1", "0"), "cust-1", pactum.ConversionPending),
		customer(sale(o, cara.ID, t0.Add(4*time.Hour), "1", "0"), "cust-1", pactum.ConversionReversed),
		customer(sale(other, cara.ID, t0.Add(5*time.Hour), "1", "0"), "cust-1", pactum.ConversionApproved),
		customer(sale(other, cara.ID, t0.Add(-5*time.Hour), "1", "0"), "cust-1", pactum.ConversionApproved),
		customer(sale(o, cara.ID, t0, "1", "0"), "", pactum.ConversionApproved),
	)

	st.apply(t, func(tx pactum.EventTx) error {
		for _, tt := range []struct {
			customer string
			first    bool
			want     int64
		}{
			{"cust-1", true, anna.ID},
			{"cust-1", false, ben.ID},
		} {
			got, err := tx.CustomerPartner(ctx, o.ID, tt.customer, tt.first)
			must(t, err)
			if got != tt.want {
				t.Fatalf("CustomerPartner(%s, first %v) = %d, want %d", tt.customer, tt.first, got, tt.want)
			}
		}
		for _, cust := range []string{"cust-2", ""} {
			_, err := tx.CustomerPartner(ctx, o.ID, cust, true)
			wantCode(t, err, pactum.ENOTFOUND, "")
		}
		// What the transaction wrote counts.
		c := customer(sale(o, cara.ID, t0.Add(6*time.Hour), "1", "0"), "cust-1", pactum.ConversionPending)
		if _, _, err := tx.InsertConversion(ctx, c); err != nil {
			return err
		}
		got, err := tx.CustomerPartner(ctx, o.ID, "cust-1", false)
		must(t, err)
		if got != cara.ID {
			t.Fatalf("CustomerPartner after an insert in the same transaction = %d, want %d", got, cara.ID)
		}
		return nil
	})
}

func testPartnerStats(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o, other := newOffer(t, s, adv.ID, "Offer"), newOffer(t, s, adv.ID, "Other")
	anna, ben := newPartner(t, s, "anna"), newPartner(t, s, "ben")
	st := newStream(s, "events")

	month := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	day := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	conv := func(offer pactum.Offer, partner int64, at time.Time, status, amount, payout string) *pactum.Conversion {
		c := sale(offer, partner, at, amount, payout)
		c.Status = status
		return c
	}
	st.insertAll(t,
		conv(o, anna.ID, month.Add(-time.Microsecond), pactum.ConversionApproved, "1000.00", "100.00"), // last month
		conv(o, anna.ID, month, pactum.ConversionApproved, "100.00", "10.00"),
		conv(o, anna.ID, month.Add(9*24*time.Hour), pactum.ConversionPaid, "50.00", "5.00"),
		conv(o, anna.ID, month.Add(11*24*time.Hour), pactum.ConversionPending, "30.00", "3.00"),
		conv(o, anna.ID, day, pactum.ConversionApproved, "20.00", "2.00"),
		conv(o, anna.ID, day.Add(9*time.Hour), pactum.ConversionPending, "10.00", "1.00"),
		conv(o, anna.ID, day.Add(time.Hour), pactum.ConversionRejected, "999.00", "99.00"),
		conv(o, anna.ID, day.Add(time.Hour), pactum.ConversionReversed, "999.00", "99.00"),
		conv(o, anna.ID, day.Add(time.Hour), pactum.ConversionCapped, "999.00", "99.00"),
		conv(o, ben.ID, day.Add(time.Hour), pactum.ConversionApproved, "999.00", "99.00"),
		conv(other, anna.ID, day.Add(time.Hour), pactum.ConversionApproved, "999.00", "99.00"),
		conv(o, 0, day.Add(time.Hour), pactum.ConversionApproved, "999.00", "99.00"),
	)
	want := func(what string, got pactum.PartnerStats, sales string, dayN, monthN int64, dayPayout, monthPayout string) {
		t.Helper()
		if got.MonthlyApprovedSales.String() != dec(sales).String() || got.DailyConversions != dayN ||
			got.MonthlyConversions != monthN || got.DailyPayout.String() != dec(dayPayout).String() ||
			got.MonthlyPayout.String() != dec(monthPayout).String() {
			t.Fatalf("%s = %+v, want sales %s, %d today, %d this month, payout %s today, %s this month",
				what, got, sales, dayN, monthN, dayPayout, monthPayout)
		}
	}
	st.apply(t, func(tx pactum.EventTx) error {
		got, err := tx.PartnerStats(ctx, o.ID, anna.ID, day, month)
		must(t, err)
		want("PartnerStats", got, "170.00", 2, 5, "3.00", "21.00")

		got, err = tx.PartnerStats(ctx, o.ID, ben.ID+100, day, month)
		must(t, err)
		want("PartnerStats of a partner without conversions", got, "0", 0, 0, "0", "0")

		// Times in another zone are the same instants.
		got, err = tx.PartnerStats(ctx, o.ID, anna.ID, day.In(time.FixedZone("X", 7200)), month.In(time.FixedZone("Y", -3600)))
		must(t, err)
		want("PartnerStats with zoned times", got, "170.00", 2, 5, "3.00", "21.00")

		// What the transaction wrote counts.
		if _, _, err := tx.InsertConversion(ctx, conv(o, anna.ID, day.Add(10*time.Hour), pactum.ConversionApproved, "5.55", "0.55")); err != nil {
			return err
		}
		got, err = tx.PartnerStats(ctx, o.ID, anna.ID, day, month)
		must(t, err)
		want("PartnerStats after an insert", got, "175.55", 3, 6, "3.55", "21.55")
		return nil
	})
}

// testConversionCountryFromClick: a conversion without a country of its own reads as in its
// click's country once the click is stored; its own country wins.
func testConversionCountryFromClick(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	anna := newPartner(t, s, "anna")
	clickless := fullConversion(o, anna.ID, "EUR")
	clickless.Country = ""
	clicked := fullConversion(o, anna.ID, "USD")
	clicked.Country = ""
	own := fullConversion(o, anna.ID, "GBP")
	st := newStream(s, "events")
	ids := st.insertAll(t, clickless, clicked, own)
	fr := visit(clicked.ClickID, o.ID, anna.ID, time.Now())
	fr.Country = "FR"
	ie := visit(own.ClickID, o.ID, anna.ID, time.Now())
	ie.Country = "IE"
	must(t, applyVisits(s, []pactum.Visit{fr, ie}, nil, "visits", 1))

	want := map[int64]string{ids[0]: "", ids[1]: "FR", ids[2]: "DE"}
	for id, country := range want {
		c, err := s.Conversion(ctx, id)
		must(t, err)
		if c.Country != country {
			t.Errorf("Conversion(%d).Country = %q, want %q", id, c.Country, country)
		}
	}
	list, err := s.ListConversions(ctx, pactum.ConversionFilter{OfferID: o.ID}, pactum.Page{})
	must(t, err)
	for _, c := range list {
		if c.Country != want[c.ID] {
			t.Errorf("listed conversion %d: country %q, want %q", c.ID, c.Country, want[c.ID])
		}
	}
}
