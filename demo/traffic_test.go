package demo

import (
	"testing"
	"time"

	"github.com/pactum/pactum"
)

// fakeProgram is the demo program as setUp would make it, with ids in order.
func fakeProgram() *demoProgram {
	p := &demoProgram{catalogue: newCatalogue()}
	for i := range offers {
		p.offers = append(p.offers, pactum.Offer{ID: int64(i + 1)})
	}
	id := int64(0)
	for i, c := range partners {
		m := member{Partner: pactum.Partner{ID: int64(i + 1)}, cast: c}
		for _, l := range c.links {
			id++
			m.links = append(m.links, pactum.Link{ID: id, OfferID: p.offers[l.offer].ID, PartnerID: m.ID, Code: l.code})
		}
		p.partners = append(p.partners, m)
	}
	return p
}

// summary counts a plan's events per kind and its clicks and sales per partner.
func summary(t *traffic) (kinds [3]int, clicks, sales map[string]int, order []string) {
	clicks, sales = map[string]int{}, map[string]int{}
	for _, day := range t.days {
		for _, w := range day {
			for _, e := range w {
				kinds[e.kind]++
				switch e.kind {
				case evClick:
					clicks[e.s.m.name]++
				case evConversion:
					sales[e.s.m.name]++
					order = append(order, e.s.orderID+" "+e.at.Format(time.RFC3339))
				}
			}
		}
	}
	return
}

func TestPlan(t *testing.T) {
	end := time.Date(2026, 11, 20, 15, 4, 5, 0, time.UTC)
	cfg := Config{End: end, Days: DefaultDays, Scale: 1, Seed: DefaultSeed, Workers: 4}
	start := end.Truncate(24*time.Hour).AddDate(0, 0, 1-cfg.Days)
	a, b := plan(fakeProgram(), cfg, start), plan(fakeProgram(), cfg, start)
	kinds, clicks, sales, orderA := summary(a)
	_, _, _, orderB := summary(b)
	if len(orderA) != len(orderB) {
		t.Fatalf("two plans of one seed differ: %d and %d sales", len(orderA), len(orderB))
	}
	for i := range orderA {
		if orderA[i] != orderB[i] {
			t.Fatalf("two plans of one seed differ at sale %d: %s, %s", i, orderA[i], orderB[i])
		}
	}
	if kinds[evClick] < 15000 || kinds[evClick] > 40000 || kinds[evConversion] < 1000 || kinds[evRefund] < 50 {
		t.Errorf("six weeks plan %d clicks, %d sales, %d refunds: want tens of thousands of clicks, a couple of thousand sales", kinds[evClick], kinds[evConversion], kinds[evRefund])
	}
	anna, lena := clicks["Anna Runs"], clicks["Lena Lifestyle"]
	if anna == 0 || lena == 0 || float64(anna) > 1.3*float64(lena) || float64(lena) > 1.3*float64(anna) {
		t.Errorf("Anna and Lena should get about the same clicks: %d, %d", anna, lena)
	}
	if sales["Anna Runs"] < 5*sales["Lena Lifestyle"] {
		t.Errorf("Anna should sell far more than Lena: %d, %d sales", sales["Anna Runs"], sales["Lena Lifestyle"])
	}
	for _, day := range a.days {
		for _, w := range day {
			for i := 1; i < len(w); i++ {
				if w[i].at.Before(w[i-1].at) || w[i].at.After(end) || w[i].at.Before(start) {
					t.Fatalf("events out of order or out of range: %v after %v", w[i].at, w[i-1].at)
				}
			}
		}
	}
}

func TestCatalogue(t *testing.T) {
	c := newCatalogue()
	if n := c.size(); n < 200 || n > 500 {
		t.Errorf("%d SKUs, want a few hundred", n)
	}
	seen := map[string]bool{}
	for _, ps := range c.byCategory {
		for _, p := range ps {
			if seen[p.sku] {
				t.Errorf("SKU %s twice", p.sku)
			}
			seen[p.sku] = true
		}
	}
	for _, sku := range []string{"SHOE-9", "SOCK-1", "CAP-3", "SHOE-RACE-BLK", "OUT-TENT-OLV"} {
		if !seen[sku] {
			t.Errorf("the catalog lacks %s, which a rule or the loadtest names", sku)
		}
	}
}
