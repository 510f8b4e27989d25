package report

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
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

// Sizes of the benchmarks' program: 90 days of a program with 50 partners on 5 offers, 2,000
// clicks a day (a visit in six an impression) and about 2% of them converting, with line items.
// The rollups, not the raw events, decide how fast a report is: at this size report_p holds
// about 100,000 hourly rows, as a program with several times the clicks would.
const (
	benchDays     = 90
	benchPartners = 50
	benchOffers   = 5
	benchVisits   = 2000 * benchDays
)

var benchEnd = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

// BenchmarkReport times the reports people open most, on both stores, through the planner
// (Service.Run and Scorecard, as the API calls them): go test ./report -run '^$' -bench Report
func BenchmarkReport(b *testing.B) {
	for _, st := range []struct {
		name string
		open func(testing.TB) *sqldb.Store
	}{{"sqlite", sqlitetest.Open}, {"postgres", pgtest.Open}} {
		b.Run(st.name, func(b *testing.B) {
			s := st.open(b)
			partner := seedBench(b, s)
			svc := New(s, nil, func() time.Time { return benchEnd })
			for _, c := range []struct{ name, query string }{
				{"30d_day_partner", "group_by=day,partner&metrics=clicks,cr,epc,payout&from=2026-10-31&to=2026-11-29"},
				{"30d_day_partner_berlin", "group_by=day,partner&metrics=clicks,cr,epc,payout&from=2026-10-31&to=2026-11-29&tz=Europe/Berlin"},
				{"30d_day_country", "group_by=day,country&metrics=clicks,conversions,sales&from=2026-10-31&to=2026-11-29"},
				{"7d_hour", "group_by=hour&from=2026-11-23&to=2026-11-29"},
				{"90d_sku", "group_by=sku&metrics=sales,payout&from=2026-09-01&to=2026-11-29"},
				{"30d_partner_compare", "group_by=partner&from=2026-10-31&to=2026-11-29&compare=previous&sort=-payout"},
				{"30d_raw_country_device", "group_by=country,device&metrics=clicks,conversions&from=2026-10-31&to=2026-11-29"},
			} {
				b.Run(c.name, func(b *testing.B) {
					q, err := url.ParseQuery(c.query)
					if err != nil {
						b.Fatal(err)
					}
					req, err := ParseQuery(q, benchEnd)
					if err != nil {
						b.Fatal(err)
					}
					for b.Loop() {
						if _, err := svc.Run(ctx, program.Admin, req); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			b.Run("30d_scorecard", func(b *testing.B) {
				req, err := ParseQuery(url.Values{"from": {"2026-10-31"}, "to": {"2026-11-29"}}, benchEnd)
				if err != nil {
					b.Fatal(err)
				}
				for b.Loop() {
					if _, err := svc.Scorecard(ctx, program.Admin, partner, req); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// seedBench stores the benchmarks' program through the paths the server takes: visits and their
// rollups in event transactions, conversions priced by the rules engine, their rollups by the
// keeper from the change feed. It answers a partner's id for the scorecard.
func seedBench(b testing.TB, st *sqldb.Store) int64 {
	b.Helper()
	must := func(err error) {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	pick := func(options ...string) string { return options[rnd.IntN(len(options))] }
	a := pactum.Advertiser{Name: "Northwind", Currency: "EUR"}
	must(st.CreateAdvertiser(ctx, &a))
	var offers []pactum.Offer
	for i := range benchOffers {
		o := pactum.Offer{AdvertiserID: a.ID, Name: fmt.Sprintf("offer %d", i), Status: pactum.OfferActive,
			DestinationURL: "https://shop.example/", Currency: "EUR", AttributionWindowDays: 30, AttributionModel: pactum.LastClick,
			HoldDays: 14, Visibility: pactum.VisibilityPublic,
			Events: []pactum.OfferEvent{{ID: 1, Name: "purchase", Payout: json.RawMessage(payoutRules),
				Revenue: json.RawMessage(`{"default":{"percent":"12"}}`)}}}
		must(st.CreateOffer(ctx, &o))
		offers = append(offers, o)
	}
	var partners []pactum.Partner
	for i := range benchPartners {
		p := pactum.Partner{Name: fmt.Sprintf("partner %d", i), Email: fmt.Sprintf("p%d@example.com", i),
			Kind: pick(pactum.KindInfluencer, pactum.KindAffiliate), Status: pactum.PartnerActive, Currency: "EUR", PayoutMethod: "manual"}
		must(st.CreatePartner(ctx, &p))
		partners = append(partners, p)
	}
	start := benchEnd.AddDate(0, 0, -benchDays)
	at := func() time.Time {
		return start.Add(time.Duration(rnd.Int64N(benchDays * 24 * int64(time.Hour)))).Truncate(time.Microsecond)
	}
	pos := uint64(0)
	apply := func(fn func(pactum.EventTx) error) {
		pos++
		_, err := st.ApplyEvents(ctx, "events", pos, fn)
		must(err)
	}
	// Partners are not alike: a few bring most of the traffic.
	partnerOf := func() pactum.Partner { return partners[int(float64(len(partners))*rnd.Float64()*rnd.Float64())] }
	var clicks []pactum.Visit
	for len(clicks) < benchVisits*5/6 {
		var batch, impressions []pactum.Visit
		for range 5000 {
			o, p := offers[rnd.IntN(len(offers))], partnerOf()
			v := pactum.Visit{Time: at(), OfferID: o.ID, PartnerID: p.ID,
				Sub: [5]string{pick("", "ig", "tt", "yt"), "", "", "", ""}, Source: pick("", "story", "feed", "bio"),
				Country: pick("DE", "DE", "AT", "CH", "FR", "NL", "US"), Device: pick("mobile", "mobile", "desktop", "tablet"),
				OS: pick("iOS", "Android", "Windows", "macOS"), Browser: pick("Safari", "Chrome", "Instagram", "Firefox"),
				Bot: rnd.IntN(50) == 0, Unique: rnd.IntN(4) > 0}
			if rnd.IntN(6) == 0 {
				impressions = append(impressions, v)
				continue
			}
			v.ClickID = fmt.Sprintf("c%d", len(clicks)+len(batch))
			batch = append(batch, v)
		}
		apply(func(tx pactum.EventTx) error {
			if err := tx.InsertVisits(ctx, batch, impressions); err != nil {
				return err
			}
			return AddVisits(ctx, tx, batch, impressions)
		})
		clicks = append(clicks, batch...)
	}
	rules := &commission.Rules{}
	for done := 0; done < len(clicks)/50; {
		var batch []*pactum.Conversion
		for range 200 {
			v := clicks[rnd.IntN(len(clicks))]
			o := offers[v.OfferID-offers[0].ID]
			c := &pactum.Conversion{OfferID: o.ID, AdvertiserID: a.ID, Event: "purchase", Currency: "EUR",
				Status: pactum.ConversionPending, Source: pactum.SourceAPI, Attribution: pactum.AttributionClick,
				Time: v.Time.Add(time.Duration(rnd.Int64N(int64(48 * time.Hour)))), ClickID: v.ClickID, ClickTime: v.Time,
				PartnerID: v.PartnerID, NewCustomer: rnd.IntN(3) == 0, Country: v.Country, OrderID: fmt.Sprintf("o%d", done+len(batch))}
			c.DedupKey = fmt.Sprintf("o:%d:purchase:%s", o.ID, c.OrderID)
			for range 1 + rnd.IntN(3) {
				sku := pick("HERO", "SOCK", "CAP", "BAG", "TEE", "JACKET")
				it := pactum.LineItem{SKU: sku, Category: pick("shoes", "wear"), Quantity: 1 + rnd.Int64N(2), UnitPrice: decimal.New(500+rnd.Int64N(9500), -2)}
				c.Items = append(c.Items, it)
				c.Amount = c.Amount.Add(it.UnitPrice.Mul(decimal.NewFromInt(it.Quantity)))
			}
			_, err := rules.Compute(o, partners[v.PartnerID-partners[0].ID], c, pactum.PartnerStats{})
			must(err)
			c.ApproveAt, c.LedgerCurrency = c.Time.Add(14*24*time.Hour), "EUR"
			batch = append(batch, c)
		}
		apply(func(tx pactum.EventTx) error {
			for _, c := range batch {
				if _, _, err := tx.InsertConversion(ctx, c); err != nil {
					return err
				}
			}
			return nil
		})
		done += len(batch)
	}
	keeper := NewKeeper(st, nil)
	for {
		n, err := keeper.Consume(ctx)
		must(err)
		if n == 0 {
			break
		}
	}
	return partners[0].ID
}

// BenchmarkVisitBatch times what the event transaction does with a batch of 500 clicks (as the
// click path's processor commits them under load): storing them, with and without adding them to
// the rollups (AddVisits), on both stores. go test ./report -run '^$' -bench VisitBatch
func BenchmarkVisitBatch(b *testing.B) {
	for _, st := range []struct {
		name string
		open func(testing.TB) *sqldb.Store
	}{{"sqlite", sqlitetest.Open}, {"postgres", pgtest.Open}} {
		for _, rollups := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/rollups=%v", st.name, rollups), func(b *testing.B) {
				s := st.open(b)
				rnd := rand.New(rand.NewPCG(3, 4))
				pick := func(options ...string) string { return options[rnd.IntN(len(options))] }
				at := benchEnd
				pos, n := uint64(0), 0
				for b.Loop() {
					batch := make([]pactum.Visit, 500)
					for i := range batch {
						at = at.Add(7 * time.Millisecond)
						n++
						batch[i] = pactum.Visit{Time: at, OfferID: 1 + rnd.Int64N(5), PartnerID: 1 + rnd.Int64N(50), ClickID: fmt.Sprintf("c%d", n),
							Sub: [5]string{pick("", "ig", "tt", "yt"), pick("", "a", "b"), "", "", ""}, Source: pick("", "story", "feed"),
							Country: pick("DE", "AT", "CH", "FR", "US"), Device: pick("mobile", "desktop"), OS: pick("iOS", "Android", "Windows"),
							Browser: pick("Safari", "Chrome", "Instagram"), Unique: rnd.IntN(4) > 0, IP: "203.0.113.7", UserAgent: "Mozilla/5.0"}
					}
					pos++
					if _, err := s.ApplyEvents(ctx, "events", pos, func(tx pactum.EventTx) error {
						if err := tx.InsertVisits(ctx, batch, nil); err != nil {
							return err
						}
						if rollups {
							return AddVisits(ctx, tx, batch, nil)
						}
						return nil
					}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
