package conversion_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/clickid"
)

func TestEventResolution(t *testing.T) {
	h := newHarness(t)
	o := h.offer(nil)
	noPurchase := h.offer(func(o *pactum.Offer) { o.Events = o.Events[1:] })
	for _, tc := range []struct {
		name  string
		in    pactum.ConversionInput
		event string
	}{
		{"by name", pactum.ConversionInput{OfferID: o.ID, Event: "signup"}, "signup"},
		{"by name in another case", pactum.ConversionInput{OfferID: o.ID, Event: "SignUp"}, "signup"},
		{"by number", pactum.ConversionInput{OfferID: o.ID, EventID: 2}, "lead"},
		{"by name and number", pactum.ConversionInput{OfferID: o.ID, Event: "lead", EventID: 2}, "lead"},
		{"purchase by default", pactum.ConversionInput{OfferID: o.ID}, "purchase"},
		{"else the first event", pactum.ConversionInput{OfferID: noPurchase.ID}, "lead"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if c := h.submit(tc.in).Conversion; c.Event != tc.event {
				t.Errorf("event %q, want %q", c.Event, tc.event)
			}
		})
	}
}

func TestSubmitErrors(t *testing.T) {
	h := newHarness(t)
	anna := h.partner("anna", pactum.PartnerActive)
	o := h.offer(nil)
	other := h.offer(nil)
	empty := h.offer(func(o *pactum.Offer) { o.Events = nil })
	foreign := pactum.Advertiser{Name: "Other", Currency: "EUR"}
	if err := h.store.CreateAdvertiser(h.ctx, &foreign); err != nil {
		t.Fatal(err)
	}
	click := h.click(o, anna, time.Hour)
	otherKey, err := clickid.NewSigner([]byte("another key, another server...."))
	if err != nil {
		t.Fatal(err)
	}
	forged, err := otherKey.New(o.ID, anna.ID, start.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 129)
	items := func(edit func([]pactum.LineItem)) []pactum.LineItem {
		it := basket()
		edit(it)
		return it
	}
	for _, tc := range []struct {
		name  string
		in    pactum.ConversionInput
		code  string
		field string
	}{
		{"forged click id", pactum.ConversionInput{ClickID: forged}, pactum.EINVALID, "click_id"},
		{"garbled click id", pactum.ConversionInput{ClickID: "nonsense"}, pactum.EINVALID, "click_id"},
		{"offer of another click", pactum.ConversionInput{ClickID: click, OfferID: other.ID}, pactum.EINVALID, "offer_id"},
		{"neither click nor offer", pactum.ConversionInput{OrderID: "1"}, pactum.EINVALID, "offer_id"},
		{"no such offer", pactum.ConversionInput{OfferID: 999}, pactum.EINVALID, "offer_id"},
		{"negative offer", pactum.ConversionInput{OfferID: -1}, pactum.EINVALID, "offer_id"},
		// Answered exactly as a missing offer: an advertiser learns nothing of another's offers.
		{"another advertiser's offer", pactum.ConversionInput{OfferID: o.ID, AdvertiserID: foreign.ID}, pactum.EINVALID, "offer_id"},
		{"another advertiser's click", pactum.ConversionInput{ClickID: click, AdvertiserID: foreign.ID}, pactum.EINVALID, "click_id"},
		{"unknown event", pactum.ConversionInput{OfferID: o.ID, Event: "refund"}, pactum.EINVALID, "event"},
		{"unknown event number", pactum.ConversionInput{OfferID: o.ID, EventID: 9}, pactum.EINVALID, "event"},
		{"name and number disagree", pactum.ConversionInput{OfferID: o.ID, Event: "lead", EventID: 3}, pactum.EINVALID, "event"},
		{"offer without events", pactum.ConversionInput{OfferID: empty.ID}, pactum.EINVALID, "event"},
		{"another currency", pactum.ConversionInput{OfferID: o.ID, Currency: "USD"}, pactum.EINVALID, "currency"},
		{"unknown currency", pactum.ConversionInput{OfferID: o.ID, Currency: "XXX"}, pactum.EINVALID, "currency"},
		{"status", pactum.ConversionInput{OfferID: o.ID, Status: "paid"}, pactum.EINVALID, "status"},
		{"negative amount", pactum.ConversionInput{OfferID: o.ID, Amount: dec("-1"), AmountGiven: true}, pactum.EINVALID, "amount"},
		{"amount with a tenth of a cent", pactum.ConversionInput{OfferID: o.ID, Amount: dec("1.005"), AmountGiven: true}, pactum.EINVALID, "amount"},
		{"amount not the items' sum", pactum.ConversionInput{OfferID: o.ID, Items: basket(), Amount: dec("249.81"), AmountGiven: true}, pactum.EINVALID, "amount"},
		{"negative unit price", pactum.ConversionInput{OfferID: o.ID, Items: items(func(it []pactum.LineItem) { it[0].UnitPrice = dec("-1") })}, pactum.EINVALID, "items[0].unit_price"},
		{"no quantity", pactum.ConversionInput{OfferID: o.ID, Items: items(func(it []pactum.LineItem) { it[1].Quantity = 0 })}, pactum.EINVALID, "items[1].quantity"},
		{"discount over the line", pactum.ConversionInput{OfferID: o.ID, Items: items(func(it []pactum.LineItem) { it[1].Discount = dec("60") })}, pactum.EINVALID, "items[1].discount"},
		{"long sku", pactum.ConversionInput{OfferID: o.ID, Items: items(func(it []pactum.LineItem) { it[1].SKU = long })}, pactum.EINVALID, "items[1].sku"},
		{"too many items", pactum.ConversionInput{OfferID: o.ID, Items: make([]pactum.LineItem, 501)}, pactum.EINVALID, "items"},
		// Refused, never rewritten (issue 13): ids with bytes a store would have to drop.
		{"NUL in an order id", pactum.ConversionInput{OfferID: o.ID, OrderID: "ZZ\x001796292285"}, pactum.EINVALID, "order_id"},
		{"invalid UTF-8 in an order id", pactum.ConversionInput{OfferID: o.ID, OrderID: "\xff\xfe\xfd"}, pactum.EINVALID, "order_id"},
		{"invalid UTF-8 in a sku", pactum.ConversionInput{OfferID: o.ID, Items: items(func(it []pactum.LineItem) { it[0].SKU = "\xc3\x28" })}, pactum.EINVALID, "items[0].sku"},
		{"control character in a click id", pactum.ConversionInput{ClickID: click + "\n"}, pactum.EINVALID, "click_id"},
		{"unit price with a tenth of a cent", pactum.ConversionInput{OfferID: o.ID, Items: items(func(it []pactum.LineItem) { it[0].UnitPrice = dec("10.129") })}, pactum.EINVALID, "items[0].unit_price"},
		{"half-cent unit price", pactum.ConversionInput{OfferID: o.ID, Items: []pactum.LineItem{{SKU: "A", Quantity: 3, UnitPrice: dec("0.005")}}}, pactum.EINVALID, "items[0].unit_price"},
		{"discount with a tenth of a cent", pactum.ConversionInput{OfferID: o.ID, Items: items(func(it []pactum.LineItem) { it[0].Discount = dec("0.001") })}, pactum.EINVALID, "items[0].discount"},
		{"huge quantity", pactum.ConversionInput{OfferID: o.ID, Items: items(func(it []pactum.LineItem) { it[0].Quantity = 9223372036854775807 })}, pactum.EINVALID, "items[0].quantity"},
		{"long order id", pactum.ConversionInput{OfferID: o.ID, OrderID: long}, pactum.EINVALID, "order_id"},
		{"long coupon", pactum.ConversionInput{OfferID: o.ID, Coupon: long}, pactum.EINVALID, "coupon"},
		{"long customer id", pactum.ConversionInput{OfferID: o.ID, CustomerID: long}, pactum.EINVALID, "customer_id"},
		{"country by name", pactum.ConversionInput{OfferID: o.ID, Country: "Germany"}, pactum.EINVALID, "country"},
		{"country by number", pactum.ConversionInput{OfferID: o.ID, Country: "49"}, pactum.EINVALID, "country"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := h.p.Submit(h.ctx, tc.in)
			if pactum.ErrorCode(err) != tc.code || pactum.ErrorField(err) != tc.field {
				t.Errorf("Submit = %+v, %v; want %s on %q", res, err, tc.code, tc.field)
			}
		})
	}
	if n := h.count(pactum.ConversionFilter{}); n != 0 {
		t.Errorf("%d conversions stored by invalid submits", n)
	}
	// The advertiser of the offer, the offer's currency in lower case, 128 characters.
	ok := pactum.ConversionInput{ClickID: click, OfferID: o.ID, AdvertiserID: h.advertiser.ID, Currency: "eur", OrderID: long[:128]}
	if _, err := h.p.Submit(h.ctx, ok); err != nil {
		t.Errorf("valid submit: %v", err)
	}
}

func TestAmounts(t *testing.T) {
	h := newHarness(t)
	o := h.offer(nil)
	discounted := basket()
	discounted[0].Discount = dec("9.80")
	for _, tc := range []struct {
		name string
		in   pactum.ConversionInput
		want string
	}{
		{"items without amount", pactum.ConversionInput{Items: basket()}, "249.80"},
		{"items with discount", pactum.ConversionInput{Items: discounted}, "240.00"},
		{"items and the same amount", pactum.ConversionInput{Items: basket(), Amount: dec("249.8"), AmountGiven: true}, "249.80"},
		{"neither", pactum.ConversionInput{}, "0"},
		{"a zero amount given", pactum.ConversionInput{Amount: decimal.Zero, AmountGiven: true}, "0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.OfferID = o.ID
			c := h.submit(tc.in).Conversion
			eq(t, "amount", c.Amount, tc.want)
			stored, err := h.store.Conversion(h.ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "stored amount", stored.Amount, tc.want)
		})
	}
}

// TestOfferChangedBeforeApply: an event removed between Submit and Apply is answered as an
// error, and the log goes on.
func TestOfferChangedBeforeApply(t *testing.T) {
	h := newHarness(t)
	o := h.offer(nil)
	release := make(chan struct{})
	h.hold.Store(&release)
	done := make(chan error, 1)
	go func() {
		_, err := h.p.Submit(h.ctx, pactum.ConversionInput{OfferID: o.ID, Event: "signup"})
		done <- err
	}()
	for h.p.Waiting() == 0 {
		time.Sleep(time.Millisecond)
	}
	o.Events = o.Events[:1]
	o.Events[0].Payout = json.RawMessage(`{"default":{"percent":"5"}}`)
	if err := h.store.UpdateOffer(h.ctx, &o); err != nil {
		t.Fatal(err)
	}
	h.hold.Store(nil)
	close(release)
	if err := <-done; pactum.ErrorField(err) != "event" {
		t.Errorf("err = %v, want one about the event", err)
	}
	c := h.submit(pactum.ConversionInput{OfferID: o.ID, Amount: dec("100"), AmountGiven: true, OrderID: "1"}).Conversion
	if c.ID == 0 {
		t.Error("the log stopped")
	}
}

// TestUnstorableConversionDoesNotStopTheLog: a conversion the store cannot hold (here a payout
// beyond 64-bit minor units, from an absurd fixed rate) is refused to its request, and the
// conversions after it are processed as usual.
func TestUnstorableConversionDoesNotStopTheLog(t *testing.T) {
	h := newHarness(t)
	anna := h.partner("anna", pactum.PartnerActive)
	huge := h.offer(func(o *pactum.Offer) {
		o.Events[0].Payout = json.RawMessage(`{"default":{"fixed":"99999999999999999999.99","per":"unit"}}`)
	})
	_, err := h.p.Submit(h.ctx, pactum.ConversionInput{ClickID: h.click(huge, anna, time.Hour), OrderID: "H-1",
		Items: []pactum.LineItem{{SKU: "X", Quantity: 1000, UnitPrice: dec("1.00")}}})
	if pactum.ErrorCode(err) != pactum.EINVALID {
		t.Fatalf("unstorable conversion: %v, want invalid_argument", err)
	}
	ok := h.offer(nil)
	res := h.submit(pactum.ConversionInput{ClickID: h.click(ok, anna, time.Hour), OrderID: "H-2", Items: basket()})
	if res.Conversion.ID == 0 || res.Duplicate {
		t.Fatalf("the conversion after it: %+v", res)
	}
	if _, err := h.p.Submit(h.ctx, pactum.ConversionInput{OfferID: ok.ID, OrderID: "H-3", Amount: dec("1000000000000.01"), AmountGiven: true}); pactum.ErrorField(err) != "amount" {
		t.Fatalf("an amount beyond any basket: %v, want an error on amount", err)
	}
}

// TestPixelNeedsTheOffersConsent: the browser pixel carries no secret, so an offer takes pixel
// conversions only when it says so.
func TestPixelNeedsTheOffersConsent(t *testing.T) {
	h := newHarness(t)
	anna := h.partner("anna", pactum.PartnerActive)
	closed := h.offer(nil)
	_, err := h.p.Submit(h.ctx, pactum.ConversionInput{ClickID: h.click(closed, anna, time.Hour), OrderID: "P-1",
		Amount: dec("50.00"), AmountGiven: true, Source: pactum.SourcePixel})
	if pactum.ErrorCode(err) != pactum.EFORBIDDEN {
		t.Fatalf("pixel conversion on an offer without accept_pixel: %v, want permission_denied", err)
	}
	if n := h.count(pactum.ConversionFilter{OfferID: closed.ID}); n != 0 {
		t.Fatalf("%d conversions stored, want none", n)
	}
	open := h.offer(func(o *pactum.Offer) { o.AcceptPixel = true })
	res := h.submit(pactum.ConversionInput{ClickID: h.click(open, anna, time.Hour), OrderID: "P-2",
		Amount: dec("50.00"), AmountGiven: true, Source: pactum.SourcePixel})
	if res.Conversion.ID == 0 || res.Conversion.Source != pactum.SourcePixel {
		t.Fatalf("pixel conversion on an offer that accepts the pixel: %+v", res.Conversion)
	}
}
