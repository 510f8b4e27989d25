// Package storetest is the conformance suite of pactum.Store: every store runs it (store/sqlite
// always, store/postgres against a real server), so that the two behave as one.
package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/pactum/pactum"
)

// test is one conformance test. It gets the whole store: most areas need a program (an
// advertiser, an offer, a partner) to exist before what they test can.
type test struct {
	name string
	run  func(t *testing.T, s pactum.Store)
}

// areas groups the suite as pactum.Store is split: one group for each interface it embeds, so
// that a store, or a change to one area, can be checked area by area (go test -run
// 'Conformance/Ledger/').
var areas = []struct {
	name  string
	tests []test
}{
	{"Program", []test{ // pactum.ProgramStore
		{"Advertisers", testAdvertisers},
		{"Partners", testPartners},
		{"PartnerMoney", testPartnerMoney},
		{"Offers", testOffers},
		{"Links", testLinks},
		{"Coupons", testCoupons},
		{"Paging", testPaging},
		{"Times", testTimes},
		{"NoReusedIDs", testNoReusedIDs},
	}},
	{"Keys", []test{ // pactum.KeyStore
		{"APIKeys", testAPIKeys},
	}},
	{"Events", []test{ // pactum.EventStore and pactum.EventTx
		{"ApplyEvents", testApplyEvents},
		{"ApplyEventsNoPosition", testApplyEventsNoPosition},
		{"Claims", testClaims},
		{"PruneClaims", testPruneClaims},
		{"LockConversions", testLockConversions},
		{"EventTxCoupon", testEventTxCoupon},
		{"EventTxClickCountry", testEventTxClickCountry},
		{"InsertVisits", testInsertVisits},
		{"InsertVisitsChunks", testInsertVisitsChunks},
		{"CustomerPartner", testCustomerPartner},
		{"PartnerStats", testPartnerStats},
	}},
	{"Clicks", []test{ // pactum.ClickStore
		{"ClickCounts", testClickCounts},
		{"ClickList", testClickList},
		{"ClicksSince", testClicksSince},
	}},
	{"Conversions", []test{ // pactum.ConversionStore
		{"ConversionRoundTrip", testConversionRoundTrip},
		{"ConversionMoney", testConversionMoney},
		{"ConversionDedup", testConversionDedup},
		{"ConversionList", testConversionList},
		{"ConversionCountryFromClick", testConversionCountryFromClick},
		{"UpdateConversion", testUpdateConversion},
	}},
	{"Ledger", []test{ // pactum.LedgerStore
		{"Ledger", testLedger},
		{"ApproveDueConcurrently", testApproveDueConcurrently},
		{"LedgerProperty", testLedgerProperty},
	}},
	{"Fraud", []test{ // the fraud rules' settings and what the event transaction reads for them
		{"FraudSettings", testFraudSettings},
		{"FraudEvents", testFraudEvents},
	}},
	{"Payouts", []test{ // pactum.PayoutStore
		{"PayoutRuns", testPayoutRuns},
	}},
	{"FX", []test{ // pactum.FXStore
		{"FXRates", testFXRates},
		{"FXRatesInvalid", testFXRatesInvalid},
		{"FXRatesMany", testFXRatesMany},
	}},
	{"Settings", []test{ // pactum.SettingStore
		{"Settings", testSettings},
	}},
	{"Changes", []test{ // pactum.ChangeStore
		{"ChangeFeed", testChangeFeed},
		{"ChangeFeedPaid", testChangeFeedPaid},
		{"ChangeConsumers", testChangeConsumers},
		{"ReportMemos", testReportMemos},
		{"RebuildSeenByConsumer", testRebuildSeenByConsumer},
	}},
	{"Users", []test{ // pactum.UserStore
		{"Users", testUsers},
		{"Sessions", testSessions},
		{"Invitations", testInvitations},
	}},
	{"Postbacks", []test{ // pactum.PostbackStore and the postbacks consumer's pactum.ChangeTx
		{"Postbacks", testPostbacks},
		{"ChangeTx", testPostbackChangeTx},
		{"SkipChangesWithoutPostbacks", testSkipChangesWithoutPostbacks},
		{"Deliveries", testDeliveries},
		{"ClaimConcurrently", testClaimDeliveriesConcurrently},
	}},
	{"Webhooks", []test{ // pactum.WebhookStore
		{"ShopSecrets", testShopSecrets},
		{"WebhookLog", testWebhookLog},
	}},
}

// Run runs the suite. open returns a fresh, empty store for one test and closes it when that
// test ends.
func Run(t *testing.T, open func(t *testing.T) pactum.Store) {
	for _, area := range areas {
		t.Run(area.name, func(t *testing.T) {
			for _, tt := range area.tests {
				t.Run(tt.name, func(t *testing.T) { tt.run(t, open(t)) })
			}
		})
	}
}

var ctx = context.Background()

// wantCode fails t unless err is a *pactum.Error with code and (if field is not empty) field.
func wantCode(t *testing.T, err error, code, field string) {
	t.Helper()
	if got := pactum.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
	if field != "" && pactum.ErrorField(err) != field {
		t.Fatalf("error = %v, want field %q", err, field)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func newAdvertiser(t *testing.T, s pactum.Store, name string) pactum.Advertiser {
	t.Helper()
	a := pactum.Advertiser{Name: name, Currency: "EUR"}
	must(t, s.CreateAdvertiser(ctx, &a))
	return a
}

func newPartner(t *testing.T, s pactum.Store, name string) pactum.Partner {
	t.Helper()
	p := pactum.Partner{Name: name, Email: name + "@example.com", Kind: pactum.KindAffiliate,
		Status: pactum.PartnerActive, Currency: "EUR", PayoutMethod: "sepa"}
	must(t, s.CreatePartner(ctx, &p))
	return p
}

func newOffer(t *testing.T, s pactum.Store, advertiserID int64, name string) pactum.Offer {
	t.Helper()
	o := pactum.Offer{AdvertiserID: advertiserID, Name: name, Status: pactum.OfferActive,
		DestinationURL: "https://shop.example/?c={click_id}", Currency: "EUR",
		AttributionWindowDays: pactum.DefaultAttributionWindowDays, AttributionModel: pactum.LastClick,
		HoldDays: pactum.DefaultHoldDays, Visibility: pactum.VisibilityPublic}
	must(t, s.CreateOffer(ctx, &o))
	return o
}

func ids[T any](items []T, id func(T) int64) []int64 {
	out := []int64{}
	for _, it := range items {
		out = append(out, id(it))
	}
	return out
}

func advertiserID(a pactum.Advertiser) int64 { return a.ID }
func partnerID(p pactum.Partner) int64       { return p.ID }
func offerID(o pactum.Offer) int64           { return o.ID }
func linkID(l pactum.Link) int64             { return l.ID }
func apiKeyID(k pactum.APIKey) int64         { return k.ID }
func clickSeq(c pactum.StoredClick) int64    { return c.Seq }

// wantStamped fails t unless tm is as the store keeps times: set, UTC, whole microseconds.
func wantStamped(t *testing.T, what string, tm time.Time) {
	t.Helper()
	if tm.IsZero() || tm.Location() != time.UTC || tm.Nanosecond()%1000 != 0 {
		t.Fatalf("%s = %v, want a UTC time in whole microseconds", what, tm)
	}
}

// pageAll walks a list one item a page, following the cursor, and returns the ids it saw.
func pageAll[T any](t *testing.T, list func(pactum.Page) ([]T, error), id func(T) int64) []int64 {
	t.Helper()
	out := []int64{}
	var after int64
	for range 1000 {
		items, err := list(pactum.Page{Limit: 1, After: after})
		must(t, err)
		if len(items) > 1 {
			t.Fatalf("page of limit 1 has %d items", len(items))
		}
		if len(items) == 0 {
			return out
		}
		after = id(items[0])
		out = append(out, after)
	}
	t.Fatal("paging does not end")
	return nil
}
