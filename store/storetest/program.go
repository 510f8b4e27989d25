package storetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func testAdvertisers(t *testing.T, s pactum.Store) {
	a := pactum.Advertiser{Name: "Shoes Inc", Currency: "EUR", PostbackTokenHash: hash("token-1"),
		PayoutSchedule: pactum.PayoutWeekly, PayoutWeekday: 5, PayoutDay: 15, NetDays: 30,
		LegalName: "Shoes Inc.", IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX"}
	must(t, s.CreateAdvertiser(ctx, &a))
	if a.ID <= 0 {
		t.Fatalf("ID = %d, want positive", a.ID)
	}
	wantStamped(t, "CreatedAt", a.CreatedAt)

	got, err := s.Advertiser(ctx, a.ID)
	must(t, err)
	wantEqual(t, "Advertiser", got, a)

	got, err = s.AdvertiserByPostbackToken(ctx, hash("token-1"))
	must(t, err)
	wantEqual(t, "AdvertiserByPostbackToken", got, a)

	_, err = s.AdvertiserByPostbackToken(ctx, hash("token-2"))
	wantCode(t, err, pactum.ENOTFOUND, "")
	_, err = s.AdvertiserByPostbackToken(ctx, nil)
	wantCode(t, err, pactum.ENOTFOUND, "")
	_, err = s.Advertiser(ctx, a.ID+100)
	wantCode(t, err, pactum.ENOTFOUND, "")

	dup := pactum.Advertiser{Name: "Copycat", Currency: "EUR", PostbackTokenHash: hash("token-1")}
	wantCode(t, s.CreateAdvertiser(ctx, &dup), pactum.ECONFLICT, "postback_token")

	// Advertisers without a token do not collide with each other.
	b := newAdvertiser(t, s, "No token 1")
	newAdvertiser(t, s, "No token 2")
	if b.PostbackTokenHash != nil {
		t.Fatalf("PostbackTokenHash = %x, want none", b.PostbackTokenHash)
	}
	// A program created without payout settings gets the defaults, as older rows do.
	got, err = s.Advertiser(ctx, b.ID)
	must(t, err)
	if got.PayoutSchedule != pactum.PayoutMonthly || got.PayoutWeekday != 1 || got.PayoutDay != 1 || got.NetDays != 0 ||
		got.LegalName != "" || got.IBAN != "" || got.BIC != "" {
		t.Fatalf("advertiser without payout settings = %+v, want monthly on day 1, weekday 1, net 0, no account", got)
	}
	wantEqual(t, "defaulted advertiser", got, b)

	all, err := s.ListAdvertisers(ctx, pactum.Page{})
	must(t, err)
	if len(all) != 3 {
		t.Fatalf("ListAdvertisers = %d advertisers, want 3 (the conflict stored nothing)", len(all))
	}

	a.Name, a.Currency, a.PostbackTokenHash = "Shoes GmbH", "CHF", hash("token-3")
	a.PayoutSchedule, a.PayoutWeekday, a.PayoutDay, a.NetDays = pactum.PayoutManual, 7, 28, 365
	a.LegalName, a.IBAN, a.BIC = "Shoes GmbH & Co. KG", "CH9300762011623852957", "UBSWCHZH80A"
	created := a.CreatedAt
	a.CreatedAt = time.Time{}
	must(t, s.UpdateAdvertiser(ctx, &a))
	if !a.CreatedAt.Equal(created) {
		t.Fatalf("UpdateAdvertiser CreatedAt = %v, want %v", a.CreatedAt, created)
	}
	got, err = s.Advertiser(ctx, a.ID)
	must(t, err)
	wantEqual(t, "updated advertiser", got, a)
	_, err = s.AdvertiserByPostbackToken(ctx, hash("token-1"))
	wantCode(t, err, pactum.ENOTFOUND, "")

	b.PostbackTokenHash = hash("token-3")
	wantCode(t, s.UpdateAdvertiser(ctx, &b), pactum.ECONFLICT, "postback_token")
	missing := pactum.Advertiser{ID: a.ID + 100, Name: "Ghost", Currency: "EUR"}
	wantCode(t, s.UpdateAdvertiser(ctx, &missing), pactum.ENOTFOUND, "")
}

func testPartners(t *testing.T, s pactum.Store) {
	p := pactum.Partner{Name: "Anna", Email: "anna@example.com", Kind: pactum.KindInfluencer,
		Status: pactum.PartnerPending, Currency: "EUR", MinPayout: decimal.RequireFromString("50.00"),
		PayoutMethod: "paypal", PayPalEmail: "pay@anna.example"}
	must(t, s.CreatePartner(ctx, &p))
	wantStamped(t, "CreatedAt", p.CreatedAt)

	got, err := s.Partner(ctx, p.ID)
	must(t, err)
	if !got.MinPayout.Equal(p.MinPayout) {
		t.Fatalf("MinPayout = %s, want %s", got.MinPayout, p.MinPayout)
	}
	got.MinPayout = p.MinPayout // equal amounts, possibly different exponents
	wantEqual(t, "Partner", got, p)

	_, err = s.Partner(ctx, p.ID+100)
	wantCode(t, err, pactum.ENOTFOUND, "")

	p.Status, p.Kind, p.Email, p.PayoutMethod = pactum.PartnerActive, pactum.KindB2B, "ops@anna.example", "sepa"
	p.Currency, p.MinPayout = "JPY", decimal.RequireFromString("5000")
	p.PayPalEmail, p.IBAN, p.BIC = "", "NL91ABNA0417164300", "ABNANL2A"
	must(t, s.UpdatePartner(ctx, &p))
	got, err = s.Partner(ctx, p.ID)
	must(t, err)
	if got.Status != pactum.PartnerActive || got.Kind != pactum.KindB2B || got.Currency != "JPY" ||
		pactum.FormatAmount(got.MinPayout, "JPY") != "5000" || !got.CreatedAt.Equal(p.CreatedAt) ||
		got.PayoutMethod != "sepa" || got.PayPalEmail != "" || got.IBAN != "NL91ABNA0417164300" || got.BIC != "ABNANL2A" {
		t.Fatalf("updated partner = %+v", got)
	}

	missing := pactum.Partner{ID: p.ID + 100, Currency: "EUR"}
	wantCode(t, s.UpdatePartner(ctx, &missing), pactum.ENOTFOUND, "")
}

// testPartnerMoney checks that amounts come back to the minor unit and that amounts finer than
// the currency allows are refused, not rounded.
func testPartnerMoney(t *testing.T, s pactum.Store) {
	tests := []struct {
		currency, amount, want string // want is FormatAmount of what reads back; "" for an error
	}{
		{"EUR", "50", "50.00"},
		{"EUR", "0.01", "0.01"},
		{"EUR", "129.90", "129.90"},
		{"EUR", "92233720368547758.07", "92233720368547758.07"},
		{"JPY", "1200", "1200"},
		{"JPY", "0", "0"},
		{"BHD", "1.234", "1.234"},
		{"EUR", "-3.50", "-3.50"},
		{"EUR", "0.001", ""},
		{"JPY", "12.5", ""},
		{"EUR", "92233720368547758.08", ""},
	}
	for _, tt := range tests {
		t.Run(tt.currency+" "+tt.amount, func(t *testing.T) {
			p := pactum.Partner{Name: "P", Kind: pactum.KindAffiliate, Status: pactum.PartnerActive,
				Currency: tt.currency, MinPayout: decimal.RequireFromString(tt.amount)}
			err := s.CreatePartner(ctx, &p)
			if tt.want == "" {
				wantCode(t, err, pactum.EINVALID, "min_payout")
				return
			}
			must(t, err)
			got, err := s.Partner(ctx, p.ID)
			must(t, err)
			if f := pactum.FormatAmount(got.MinPayout, tt.currency); f != tt.want {
				t.Fatalf("MinPayout = %s, want %s", f, tt.want)
			}
		})
	}
}

func testOffers(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	other := newAdvertiser(t, s, "Other shop")
	o := pactum.Offer{
		AdvertiserID: adv.ID, Name: "Spring sale", Status: pactum.OfferActive,
		DestinationURL: "https://shop.example/?c={click_id}&s={sub1}", FallbackURL: "https://shop.example/",
		Currency: "EUR", AttributionWindowDays: 14, AttributionModel: pactum.FirstClick, HoldDays: 45,
		MinConversionSeconds: 30, ReturningCustomers: true, AcceptPixel: true,
		Targeting:  pactum.Targeting{Countries: []string{"DE", "AT"}, Devices: []string{pactum.DeviceMobile}},
		Visibility: pactum.VisibilityApproval,
		Events: []pactum.OfferEvent{
			{ID: 1, Name: "purchase",
				Payout:  json.RawMessage(`{"default":{"percent":"8"},"rules":[{"id":"hero","when":{"sku":["SHOE-9"]},"rate":{"fixed":"12.00","per":"unit"}}]}`),
				Revenue: json.RawMessage(`{"default":{"percent":"10"}}`)},
			{ID: 2, Name: "lead", AllowRepeats: true, Payout: json.RawMessage(`{"default":{"fixed":"2.50"}}`)},
		},
	}
	must(t, s.CreateOffer(ctx, &o))
	wantStamped(t, "CreatedAt", o.CreatedAt)
	if !o.UpdatedAt.Equal(o.CreatedAt) {
		t.Fatalf("UpdatedAt = %v, want CreatedAt %v", o.UpdatedAt, o.CreatedAt)
	}
	got, err := s.Offer(ctx, o.ID)
	must(t, err)
	wantEqual(t, "Offer", got, o)

	// An offer with no events or targeting reads back as it went in.
	bare := newOffer(t, s, other.ID, "Bare")
	got, err = s.Offer(ctx, bare.ID)
	must(t, err)
	wantEqual(t, "bare Offer", got, bare)

	_, err = s.Offer(ctx, o.ID+100)
	wantCode(t, err, pactum.ENOTFOUND, "")

	t.Run("foreign key", func(t *testing.T) {
		bad := o
		bad.ID, bad.AdvertiserID = 0, other.ID+100
		wantCode(t, s.CreateOffer(ctx, &bad), pactum.EINVALID, "advertiser_id")
		all, err := s.ListOffers(ctx, pactum.OfferFilter{}, pactum.Page{})
		must(t, err)
		wantEqual(t, "offers after a refused create", ids(all, offerID), []int64{o.ID, bare.ID})

		bad = o
		bad.AdvertiserID, bad.Name = other.ID+100, "renamed"
		wantCode(t, s.UpdateOffer(ctx, &bad), pactum.EINVALID, "advertiser_id")
		got, err := s.Offer(ctx, o.ID)
		must(t, err)
		wantEqual(t, "offer after a refused update", got, o)
	})

	t.Run("invalid events JSON", func(t *testing.T) {
		bad := o
		bad.ID, bad.Events = 0, []pactum.OfferEvent{{Name: "x", Payout: json.RawMessage(`{`)}}
		wantCode(t, s.CreateOffer(ctx, &bad), pactum.EINVALID, "events")
	})

	paused := newOffer(t, s, adv.ID, "Paused")
	paused.Status = pactum.OfferPaused
	time.Sleep(2 * time.Microsecond)
	must(t, s.UpdateOffer(ctx, &paused))
	if !paused.UpdatedAt.After(paused.CreatedAt) {
		t.Fatalf("UpdatedAt %v not after CreatedAt %v", paused.UpdatedAt, paused.CreatedAt)
	}
	got, err = s.Offer(ctx, paused.ID)
	must(t, err)
	wantEqual(t, "updated offer", got, paused)

	missing := o
	missing.ID = o.ID + 100
	wantCode(t, s.UpdateOffer(ctx, &missing), pactum.ENOTFOUND, "")

	filters := []struct {
		name   string
		filter pactum.OfferFilter
		want   []int64
	}{
		{"all", pactum.OfferFilter{}, []int64{o.ID, bare.ID, paused.ID}},
		{"advertiser", pactum.OfferFilter{AdvertiserID: adv.ID}, []int64{o.ID, paused.ID}},
		{"status", pactum.OfferFilter{Status: pactum.OfferActive}, []int64{o.ID, bare.ID}},
		{"advertiser and status", pactum.OfferFilter{AdvertiserID: adv.ID, Status: pactum.OfferPaused}, []int64{paused.ID}},
		{"no match", pactum.OfferFilter{Status: pactum.OfferArchived}, []int64{}},
	}
	for _, tt := range filters {
		t.Run("filter "+tt.name, func(t *testing.T) {
			all, err := s.ListOffers(ctx, tt.filter, pactum.Page{})
			must(t, err)
			wantEqual(t, "ListOffers", ids(all, offerID), tt.want)
			paged := pageAll(t, func(p pactum.Page) ([]pactum.Offer, error) { return s.ListOffers(ctx, tt.filter, p) }, offerID)
			wantEqual(t, "ListOffers one by one", paged, tt.want)
		})
	}
}

func testLinks(t *testing.T, s pactum.Store) {
	adv, other := newAdvertiser(t, s, "Shop"), newAdvertiser(t, s, "Other")
	o1, o2 := newOffer(t, s, adv.ID, "One"), newOffer(t, s, other.ID, "Two")
	anna, ben := newPartner(t, s, "anna"), newPartner(t, s, "ben")

	l := pactum.Link{OfferID: o1.ID, PartnerID: anna.ID, Code: "aB3x", Sub: [5]string{"s1", "s2", "", "s4", "s5"}, Source: "ig"}
	must(t, s.CreateLink(ctx, &l))
	wantStamped(t, "CreatedAt", l.CreatedAt)
	got, err := s.Link(ctx, l.ID)
	must(t, err)
	wantEqual(t, "Link", got, l)
	got, err = s.LinkByCode(ctx, "aB3x")
	must(t, err)
	wantEqual(t, "LinkByCode", got, l)

	// Link codes are case sensitive: "AB3X" is another code.
	_, err = s.LinkByCode(ctx, "AB3X")
	wantCode(t, err, pactum.ENOTFOUND, "")
	upper := pactum.Link{OfferID: o1.ID, PartnerID: ben.ID, Code: "AB3X"}
	must(t, s.CreateLink(ctx, &upper))

	dup := pactum.Link{OfferID: o2.ID, PartnerID: ben.ID, Code: "aB3x"}
	wantCode(t, s.CreateLink(ctx, &dup), pactum.ECONFLICT, "code")

	// Links without a code do not collide, and no code finds them.
	n1 := pactum.Link{OfferID: o2.ID, PartnerID: anna.ID}
	n2 := pactum.Link{OfferID: o2.ID, PartnerID: ben.ID}
	must(t, s.CreateLink(ctx, &n1))
	must(t, s.CreateLink(ctx, &n2))
	_, err = s.LinkByCode(ctx, "")
	wantCode(t, err, pactum.ENOTFOUND, "")
	got, err = s.Link(ctx, n1.ID)
	must(t, err)
	wantEqual(t, "Link without code", got, n1)

	_, err = s.Link(ctx, n2.ID+100)
	wantCode(t, err, pactum.ENOTFOUND, "")

	t.Run("foreign keys", func(t *testing.T) {
		for _, bad := range []struct {
			link  pactum.Link
			field string
		}{
			{pactum.Link{OfferID: o2.ID + 100, PartnerID: anna.ID, Code: "fk1"}, "offer_id"},
			{pactum.Link{OfferID: o1.ID, PartnerID: ben.ID + 100, Code: "fk2"}, "partner_id"},
		} {
			wantCode(t, s.CreateLink(ctx, &bad.link), pactum.EINVALID, bad.field)
			upd := l
			upd.OfferID, upd.PartnerID = bad.link.OfferID, bad.link.PartnerID
			wantCode(t, s.UpdateLink(ctx, &upd), pactum.EINVALID, bad.field)
		}
		all, err := s.ListLinks(ctx, pactum.LinkFilter{}, pactum.Page{})
		must(t, err)
		wantEqual(t, "links after refused writes", ids(all, linkID), []int64{l.ID, upper.ID, n1.ID, n2.ID})
		got, err := s.Link(ctx, l.ID)
		must(t, err)
		wantEqual(t, "link after refused updates", got, l)
	})

	filters := []struct {
		name   string
		filter pactum.LinkFilter
		want   []int64
	}{
		{"all", pactum.LinkFilter{}, []int64{l.ID, upper.ID, n1.ID, n2.ID}},
		{"offer", pactum.LinkFilter{OfferID: o2.ID}, []int64{n1.ID, n2.ID}},
		{"partner", pactum.LinkFilter{PartnerID: anna.ID}, []int64{l.ID, n1.ID}},
		{"advertiser", pactum.LinkFilter{AdvertiserID: adv.ID}, []int64{l.ID, upper.ID}},
		{"advertiser and partner", pactum.LinkFilter{AdvertiserID: other.ID, PartnerID: ben.ID}, []int64{n2.ID}},
		{"no match", pactum.LinkFilter{OfferID: o1.ID, PartnerID: ben.ID + 100}, []int64{}},
	}
	for _, tt := range filters {
		t.Run("filter "+tt.name, func(t *testing.T) {
			all, err := s.ListLinks(ctx, tt.filter, pactum.Page{})
			must(t, err)
			wantEqual(t, "ListLinks", ids(all, linkID), tt.want)
			paged := pageAll(t, func(p pactum.Page) ([]pactum.Link, error) { return s.ListLinks(ctx, tt.filter, p) }, linkID)
			wantEqual(t, "ListLinks one by one", paged, tt.want)
		})
	}

	l.OfferID, l.PartnerID, l.Code, l.Sub, l.Source = o2.ID, ben.ID, "new", [5]string{"a", "b", "c", "d", "e"}, "yt"
	must(t, s.UpdateLink(ctx, &l))
	got, err = s.LinkByCode(ctx, "new")
	must(t, err)
	wantEqual(t, "updated link", got, l)
	_, err = s.LinkByCode(ctx, "aB3x")
	wantCode(t, err, pactum.ENOTFOUND, "")

	l.Code = "AB3X"
	wantCode(t, s.UpdateLink(ctx, &l), pactum.ECONFLICT, "code")
	missing := pactum.Link{ID: n2.ID + 100, OfferID: o1.ID, PartnerID: anna.ID}
	wantCode(t, s.UpdateLink(ctx, &missing), pactum.ENOTFOUND, "")
}

func testCoupons(t *testing.T, s pactum.Store) {
	adv, other := newAdvertiser(t, s, "Shop"), newAdvertiser(t, s, "Other")
	o1, o2 := newOffer(t, s, adv.ID, "One"), newOffer(t, s, other.ID, "Two")
	anna, ben := newPartner(t, s, "anna"), newPartner(t, s, "ben")

	c := pactum.Coupon{Code: "Anna10", PartnerID: anna.ID, OfferID: o1.ID}
	must(t, s.CreateCoupon(ctx, &c))
	wantStamped(t, "CreatedAt", c.CreatedAt)
	if c.Code != "ANNA10" {
		t.Fatalf("stored code = %q, want ANNA10 (codes are kept upper-cased)", c.Code)
	}
	for _, code := range []string{"ANNA10", "anna10", "aNNa10"} {
		got, err := s.Coupon(ctx, code)
		must(t, err)
		wantEqual(t, "Coupon("+code+")", got, c)
	}
	_, err := s.Coupon(ctx, "ANNA11")
	wantCode(t, err, pactum.ENOTFOUND, "")

	dup := pactum.Coupon{Code: "anna10", PartnerID: ben.ID}
	wantCode(t, s.CreateCoupon(ctx, &dup), pactum.ECONFLICT, "code")

	// A coupon without an offer is good for every offer.
	anyOffer := pactum.Coupon{Code: "BEN", PartnerID: ben.ID}
	must(t, s.CreateCoupon(ctx, &anyOffer))
	got, err := s.Coupon(ctx, "ben")
	must(t, err)
	wantEqual(t, "Coupon without offer", got, anyOffer)
	other2 := pactum.Coupon{Code: "BEN-TWO", PartnerID: ben.ID, OfferID: o2.ID}
	must(t, s.CreateCoupon(ctx, &other2))

	t.Run("foreign keys", func(t *testing.T) {
		wantCode(t, s.CreateCoupon(ctx, &pactum.Coupon{Code: "FK1", PartnerID: ben.ID + 100}), pactum.EINVALID, "partner_id")
		wantCode(t, s.CreateCoupon(ctx, &pactum.Coupon{Code: "FK2", PartnerID: ben.ID, OfferID: o2.ID + 100}), pactum.EINVALID, "offer_id")
		for _, code := range []string{"FK1", "FK2"} {
			_, err := s.Coupon(ctx, code)
			wantCode(t, err, pactum.ENOTFOUND, "")
		}
	})
	wantCode(t, s.CreateCoupon(ctx, &pactum.Coupon{PartnerID: ben.ID}), pactum.EINVALID, "code")

	codes := func(cs []pactum.Coupon) []string {
		out := []string{}
		for _, c := range cs {
			out = append(out, c.Code)
		}
		return out
	}
	filters := []struct {
		name   string
		filter pactum.CouponFilter
		want   []string
	}{
		{"all", pactum.CouponFilter{}, []string{"ANNA10", "BEN", "BEN-TWO"}},
		{"partner", pactum.CouponFilter{PartnerID: ben.ID}, []string{"BEN", "BEN-TWO"}},
		{"offer", pactum.CouponFilter{OfferID: o1.ID}, []string{"ANNA10"}},
		{"advertiser", pactum.CouponFilter{AdvertiserID: other.ID}, []string{"BEN-TWO"}},
		{"no match", pactum.CouponFilter{PartnerID: anna.ID, OfferID: o2.ID}, []string{}},
	}
	for _, tt := range filters {
		t.Run("filter "+tt.name, func(t *testing.T) {
			all, err := s.ListCoupons(ctx, tt.filter, pactum.Page{})
			must(t, err)
			wantEqual(t, "ListCoupons", codes(all), tt.want)
		})
	}
	first, err := s.ListCoupons(ctx, pactum.CouponFilter{}, pactum.Page{Limit: 2})
	must(t, err)
	wantEqual(t, "ListCoupons limit 2", codes(first), []string{"ANNA10", "BEN"})
	if first[0].ID == 0 || first[1].ID <= first[0].ID {
		t.Fatalf("coupon ids %d, %d: want increasing ids to page by", first[0].ID, first[1].ID)
	}
	rest, err := s.ListCoupons(ctx, pactum.CouponFilter{}, pactum.Page{Limit: 1000, After: first[1].ID})
	must(t, err)
	all, err := s.ListCoupons(ctx, pactum.CouponFilter{}, pactum.Page{})
	must(t, err)
	if len(rest) != len(all)-2 {
		t.Fatalf("the page after the first two has %d coupons, want %d", len(rest), len(all)-2)
	}

	must(t, s.DeleteCoupon(ctx, "anna10"))
	_, err = s.Coupon(ctx, "ANNA10")
	wantCode(t, err, pactum.ENOTFOUND, "")
	wantCode(t, s.DeleteCoupon(ctx, "ANNA10"), pactum.ENOTFOUND, "")
	// A deleted code can be given out again.
	must(t, s.CreateCoupon(ctx, &pactum.Coupon{Code: "anna10", PartnerID: ben.ID}))
}

func testAPIKeys(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	anna := newPartner(t, s, "anna")

	admin := pactum.APIKey{Name: "bootstrap", Role: pactum.RoleAdmin, Hash: hash("key-admin")}
	partner := pactum.APIKey{Name: "anna's key", Role: pactum.RolePartner, PartnerID: anna.ID, Hash: hash("key-anna")}
	advertiser := pactum.APIKey{Name: "shop key", Role: pactum.RoleAdvertiser, AdvertiserID: adv.ID, Hash: hash("key-shop")}
	for _, k := range []*pactum.APIKey{&admin, &partner, &advertiser} {
		must(t, s.CreateAPIKey(ctx, k))
		wantStamped(t, "CreatedAt", k.CreatedAt)
	}
	for _, k := range []pactum.APIKey{admin, partner, advertiser} {
		got, err := s.APIKeyByHash(ctx, k.Hash)
		must(t, err)
		wantEqual(t, "APIKeyByHash", got, k)
		got, err = s.APIKey(ctx, k.ID)
		must(t, err)
		wantEqual(t, "APIKey", got, k)
	}
	_, err := s.APIKey(ctx, advertiser.ID+1)
	wantCode(t, err, pactum.ENOTFOUND, "")
	_, err = s.APIKeyByHash(ctx, hash("key-unknown"))
	wantCode(t, err, pactum.ENOTFOUND, "")
	_, err = s.APIKeyByHash(ctx, nil)
	wantCode(t, err, pactum.ENOTFOUND, "")

	dup := pactum.APIKey{Name: "dup", Role: pactum.RoleAdmin, Hash: bytes.Clone(admin.Hash)}
	wantCode(t, s.CreateAPIKey(ctx, &dup), pactum.ECONFLICT, "key")
	wantCode(t, s.CreateAPIKey(ctx, &pactum.APIKey{Role: pactum.RolePartner, PartnerID: anna.ID + 100, Hash: hash("x")}), pactum.EINVALID, "partner_id")
	wantCode(t, s.CreateAPIKey(ctx, &pactum.APIKey{Role: pactum.RoleAdvertiser, AdvertiserID: adv.ID + 100, Hash: hash("y")}), pactum.EINVALID, "advertiser_id")
	_, err = s.APIKeyByHash(ctx, hash("x"))
	wantCode(t, err, pactum.ENOTFOUND, "")

	all, err := s.ListAPIKeys(ctx, pactum.Page{})
	must(t, err)
	wantEqual(t, "ListAPIKeys", all, []pactum.APIKey{admin, partner, advertiser})
	wantEqual(t, "ListAPIKeys one by one", pageAll(t, func(p pactum.Page) ([]pactum.APIKey, error) { return s.ListAPIKeys(ctx, p) }, apiKeyID),
		[]int64{admin.ID, partner.ID, advertiser.ID})

	must(t, s.DeleteAPIKey(ctx, partner.ID))
	_, err = s.APIKeyByHash(ctx, partner.Hash)
	wantCode(t, err, pactum.ENOTFOUND, "")
	wantCode(t, s.DeleteAPIKey(ctx, partner.ID), pactum.ENOTFOUND, "")
	_, err = s.APIKey(ctx, partner.ID)
	wantCode(t, err, pactum.ENOTFOUND, "")
}

// testPaging checks the cursor and the limits on every list that pages by id.
func testPaging(t *testing.T, s pactum.Store) {
	const n = 7
	var want []int64
	for i := range n {
		want = append(want, newAdvertiser(t, s, fmt.Sprintf("adv %d", i)).ID)
		newPartner(t, s, fmt.Sprintf("partner%d", i))
	}
	for i := 1; i < n; i++ {
		if want[i] <= want[i-1] {
			t.Fatalf("ids not ascending: %v", want)
		}
	}
	tests := []struct {
		page pactum.Page
		want []int64
	}{
		{pactum.Page{}, want},
		{pactum.Page{Limit: 3}, want[:3]},
		{pactum.Page{Limit: 3, After: want[2]}, want[3:6]},
		{pactum.Page{Limit: 3, After: want[5]}, want[6:]},
		{pactum.Page{Limit: 3, After: want[6]}, []int64{}},
		{pactum.Page{Limit: -1, After: want[1]}, want[2:]},
		{pactum.Page{Limit: 5000}, want},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("limit %d after %d", tt.page.Limit, tt.page.After), func(t *testing.T) {
			advs, err := s.ListAdvertisers(ctx, tt.page)
			must(t, err)
			wantEqual(t, "ListAdvertisers", ids(advs, advertiserID), tt.want)
			// Partners were created alongside, so their ids are the same sequence from 1.
			ps, err := s.ListPartners(ctx, tt.page)
			must(t, err)
			if len(ps) != len(tt.want) {
				t.Fatalf("ListPartners = %v, want %d partners", ids(ps, partnerID), len(tt.want))
			}
		})
	}

	t.Run("default and maximum limit", func(t *testing.T) {
		for i := range 1001 - n {
			newAdvertiser(t, s, fmt.Sprintf("bulk %d", i))
		}
		advs, err := s.ListAdvertisers(ctx, pactum.Page{})
		must(t, err)
		if len(advs) != 50 {
			t.Fatalf("default page = %d items, want 50", len(advs))
		}
		advs, err = s.ListAdvertisers(ctx, pactum.Page{Limit: 5000})
		must(t, err)
		if len(advs) != 1000 {
			t.Fatalf("page of limit 5000 = %d items, want the maximum 1000", len(advs))
		}
	})
}

// testTimes checks that times are stored in UTC to the microsecond, whatever zone they come in.
func testTimes(t *testing.T, s pactum.Store) {
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	in := time.Date(2025, 3, 30, 2, 30, 15, 123456789, zone)
	a := pactum.Advertiser{Name: "Shop", Currency: "EUR", CreatedAt: in}
	must(t, s.CreateAdvertiser(ctx, &a))
	want := time.Date(2025, 3, 29, 21, 0, 15, 123456000, time.UTC)
	if a.CreatedAt != want {
		t.Fatalf("CreatedAt after create = %v, want %v", a.CreatedAt, want)
	}
	got, err := s.Advertiser(ctx, a.ID)
	must(t, err)
	if got.CreatedAt != want {
		t.Fatalf("CreatedAt read back = %v, want %v", got.CreatedAt, want)
	}
}

// testNoReusedIDs: the id of a deleted coupon or API key, even the newest, is not given to the
// next one, so that an id in an operator's notes or logs names one thing.
func testNoReusedIDs(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	anna := newPartner(t, s, "anna")

	first := pactum.Coupon{Code: "FIRST", PartnerID: anna.ID, OfferID: o.ID}
	must(t, s.CreateCoupon(ctx, &first))
	must(t, s.DeleteCoupon(ctx, first.Code))
	next := pactum.Coupon{Code: "NEXT", PartnerID: anna.ID, OfferID: o.ID}
	must(t, s.CreateCoupon(ctx, &next))
	if next.ID <= first.ID {
		t.Errorf("coupon after deleting coupon %d got id %d", first.ID, next.ID)
	}

	key := pactum.APIKey{Name: "first", Role: pactum.RoleAdmin, Hash: hash("first")}
	must(t, s.CreateAPIKey(ctx, &key))
	must(t, s.DeleteAPIKey(ctx, key.ID))
	again := pactum.APIKey{Name: "next", Role: pactum.RoleAdmin, Hash: hash("next")}
	must(t, s.CreateAPIKey(ctx, &again))
	if again.ID <= key.ID {
		t.Errorf("API key after deleting key %d got id %d", key.ID, again.ID)
	}
}
