package conversion

import (
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/clickid"
)

// noOffers knows no offer and no partner: Apply then answers before touching the transaction.
type noOffers struct{}

func (noOffers) Offer(_ context.Context, id int64) (pactum.Offer, error) {
	return pactum.Offer{}, pactum.Errorf(pactum.ENOTFOUND, "offer %d not found", id)
}

func (noOffers) Partner(_ context.Context, id int64) (pactum.Partner, error) {
	return pactum.Partner{}, pactum.Errorf(pactum.ENOTFOUND, "partner %d not found", id)
}

// FuzzApplyRecord: whatever the log hands Apply, it neither panics nor fails (a failure would
// stop the log), and a record that decodes encodes back to the same record.
func FuzzApplyRecord(f *testing.F) {
	signer, err := clickid.NewSigner([]byte("0123456789abcdef"))
	if err != nil {
		f.Fatal(err)
	}
	p := New(Config{Store: noOffers{}, Signer: signer, Log: nopLog{}, Logger: slog.New(slog.DiscardHandler)})
	good := record{
		Request: 7, OfferID: 1, Event: "purchase", ClickID: "x", ClickPartnerID: 2,
		ClickTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), OrderID: "A-1", Currency: "EUR",
		Amount: decimal.RequireFromString("249.80"), Coupon: "ANNA10", CustomerID: "c-1",
		Items:  []pactum.LineItem{{SKU: "S", Quantity: 2, UnitPrice: decimal.RequireFromString("99.90")}},
		Status: pactum.ConversionApproved, Source: pactum.SourceAPI, Time: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC),
	}
	data, err := good.encode()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"v":1,"offer_id":1,"event":"e","currency":"EUR","time":"2026-01-01T00:00:00Z","amount":"1e99999"}`))
	f.Add([]byte(`{"v":1,"items":[{"quantity":-1,"unit_price":"x"}]}`))
	f.Add([]byte(`null`))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		deliver, err := p.Apply(context.Background(), nil, data)
		if err != nil {
			t.Fatalf("Apply failed: %v", err)
		}
		deliver()
		r, err := decodeRecord(data)
		if err != nil {
			return
		}
		again, err := r.encode()
		if err != nil {
			t.Fatalf("encode a decoded record: %v", err)
		}
		r2, err := decodeRecord(again)
		if err != nil {
			t.Fatalf("decode %s: %v", again, err)
		}
		if !sameRecord(r, r2) {
			t.Errorf("round trip changed the record:\n%+v\n%+v", r, r2)
		}
	})
}

// sameRecord compares records by their JSON, as decimals and times have several equal forms.
func sameRecord(a, b record) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return reflect.DeepEqual(ja, jb)
}

type nopLog struct{}

func (nopLog) Append(context.Context, byte, []byte) error { return nil }
