package conversion

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/catalog"
	"github.com/pactum/pactum/clickid"
	"github.com/pactum/pactum/store/sqlite/sqlitetest"
)

// nowhere is a log that takes nothing: the benchmark calls Apply itself.
type nowhere struct{}

func (nowhere) Append(context.Context, byte, []byte) error { return nil }

// BenchmarkApply is the conversion path inside the event transaction, as the processor runs it:
// batches of 16 click-attributed conversions with three line items each, of a few partners, on
// a real SQLite store, with each conversion's click stored (so that the fraud rules read it).
// scripts/bench-conversions.sh measures the whole path through the API.
func BenchmarkApply(b *testing.B) {
	ctx := context.Background()
	st := sqlitetest.Open(b)
	adv := pactum.Advertiser{Name: "Shop", Currency: "EUR"}
	if err := st.CreateAdvertiser(ctx, &adv); err != nil {
		b.Fatal(err)
	}
	o := pactum.Offer{AdvertiserID: adv.ID, Name: "Shoes", Status: pactum.OfferActive, DestinationURL: "https://shop.example/",
		Currency: "EUR", AttributionWindowDays: 30, AttributionModel: pactum.LastClick, HoldDays: 30, Visibility: pactum.VisibilityPublic,
		Events: []pactum.OfferEvent{{ID: 1, Name: "purchase",
			Payout: json.RawMessage(`{"default":{"percent":"8"},"rules":[{"id":"hero","when":{"sku":["SHOE-9"]},"rate":{"fixed":"12.00","per":"unit"}}]}`)}}}
	if err := st.CreateOffer(ctx, &o); err != nil {
		b.Fatal(err)
	}
	var partners []int64
	for i := range 4 {
		p := pactum.Partner{Name: fmt.Sprint("p", i), Email: fmt.Sprintf("p%d@example.com", i), Kind: pactum.KindAffiliate,
			Status: pactum.PartnerActive, Currency: "EUR", MinPayout: decimal.Zero}
		if err := st.CreatePartner(ctx, &p); err != nil {
			b.Fatal(err)
		}
		partners = append(partners, p.ID)
	}
	signer, err := clickid.NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		b.Fatal(err)
	}
	// Offers and partners come from the catalog, as in the server.
	p := New(Config{Store: catalog.New(st, nil), Signer: signer, Log: nowhere{}})
	start := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	records := make([][]byte, b.N)
	clicks := make([]pactum.Visit, b.N)
	for i := range b.N {
		partner := partners[i%len(partners)]
		at := start.Add(time.Duration(i) * time.Millisecond)
		id, err := signer.New(o.ID, partner, at.Add(-time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		clicks[i] = pactum.Visit{ClickID: id, Time: at.Add(-time.Hour), OfferID: o.ID, PartnerID: partner,
			IP: fmt.Sprintf("203.0.%d.%d", i/250%250, i%250), UserAgent: "Mozilla/5.0", Device: pactum.DeviceMobile}
		r := record{OfferID: o.ID, Event: "purchase", ClickID: id, ClickPartnerID: partner, ClickTime: at.Add(-time.Hour),
			OrderID: fmt.Sprint("order-", i), Currency: "EUR", Amount: decimal.RequireFromString("249.80"),
			Items: []pactum.LineItem{
				{SKU: "SHOE-9", Category: "shoes", Quantity: 2, UnitPrice: decimal.RequireFromString("99.90")},
				{SKU: "SOCK-1", Category: "socks", Quantity: 1, UnitPrice: decimal.RequireFromString("50.00")},
				{SKU: "LACE-2", Category: "laces", Quantity: 1, UnitPrice: decimal.Zero},
			},
			CustomerID: fmt.Sprint("c-", i), Source: pactum.SourceAPI, Time: at}
		if records[i], err = r.encode(); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < b.N; i += 1024 {
		batch := clicks[i:min(i+1024, b.N)]
		if _, err := st.ApplyEvents(ctx, "clicks", 0, func(tx pactum.EventTx) error { return tx.InsertVisits(ctx, batch, nil) }); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i += 16 {
		_, err := st.ApplyEvents(ctx, "events", uint64(i+1), func(tx pactum.EventTx) error {
			for _, data := range records[i:min(i+16, b.N)] {
				if _, err := p.Apply(ctx, tx, data); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
